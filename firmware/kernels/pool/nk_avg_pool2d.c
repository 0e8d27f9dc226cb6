/* firmware/kernels/pool/nk_avg_pool2d.c — AVERAGE_POOL_2D, int8, int16 and float32.
 * Only taps inside the image count (TFLite semantics); int8 rounds the
 * average half away from zero as TFLite's reference AveragePool. */
#include "nk.h"
#include "nk_fixedpoint.h"
#include "arm/nk_arm.h"
#include "mve/nk_mve.h"
#include "nk_internal.h"

/* The window of output (oy, ox) clipped to the image. */
typedef struct pool_window {
    int32_t y0, x0, fy_start, fy_end, fx_start, fx_end;
} pool_window;

static pool_window window_of(const nk_pool_params *p, int32_t oy, int32_t ox)
{
    pool_window w;
    w.y0 = oy * p->stride_h - p->pad_top;
    w.x0 = ox * p->stride_w - p->pad_left;
    w.fy_start = w.y0 < 0 ? -w.y0 : 0;
    w.fx_start = w.x0 < 0 ? -w.x0 : 0;
    w.fy_end = p->in_h - w.y0 < p->filter_h ? p->in_h - w.y0 : p->filter_h;
    w.fx_end = p->in_w - w.x0 < p->filter_w ? p->in_w - w.x0 : p->filter_w;
    return w;
}

/* Every window must hold at least one image tap (TFLite fails otherwise). */
static int windows_ok(const nk_pool_params *p)
{
    for (int32_t oy = 0; oy < p->out_h; ++oy) {
        const pool_window w = window_of(p, oy, 0);
        if (w.fy_end <= w.fy_start)
            return 0;
    }
    for (int32_t ox = 0; ox < p->out_w; ++ox) {
        const pool_window w = window_of(p, 0, ox);
        if (w.fx_end <= w.fx_start)
            return 0;
    }
    return 1;
}

int nk_avg_pool2d_s8(const nk_pool_params *p, const int8_t *input, int8_t *output)
{
    if (nk_pool_check(p) != NK_OK || !input || !output || p->act_min > p->act_max ||
        !windows_ok(p))
        return NK_ERR_PARAMS;
#if NK_HAVE_MVE
    if (nk_avg_pool2d_s8_mve(p, input, output) == NK_OK)
        return NK_OK; /* else: a case the Helium version leaves to the next */
#endif
#if NK_HAVE_ARM_DSP
    if (nk_avg_pool2d_s8_dsp(p, input, output) == NK_OK)
        return NK_OK; /* else: a case the DSP version leaves to this loop */
#endif
    const int32_t c_n = p->channels;
    for (int32_t b = 0; b < p->batches; ++b) {
        const int8_t *in_b = input + (size_t)b * p->in_h * p->in_w * c_n;
        for (int32_t oy = 0; oy < p->out_h; ++oy) {
            for (int32_t ox = 0; ox < p->out_w; ++ox) {
                const pool_window w = window_of(p, oy, ox);
                int8_t *out = output + (((size_t)b * p->out_h + oy) * p->out_w + ox) * c_n;
                for (int32_t c = 0; c < c_n; ++c) {
                    int32_t acc = 0, count = 0;
                    for (int32_t fy = w.fy_start; fy < w.fy_end; ++fy)
                        for (int32_t fx = w.fx_start; fx < w.fx_end; ++fx) {
                            acc += in_b[((size_t)(w.y0 + fy) * p->in_w + (w.x0 + fx)) * c_n + c];
                            count++;
                        }
                    acc = acc > 0 ? (acc + count / 2) / count : (acc - count / 2) / count;
                    out[c] = (int8_t)nk_clamp(acc, p->act_min, p->act_max);
                }
            }
        }
    }
    return NK_OK;
}

int nk_avg_pool2d_f32(const nk_pool_params *p, const float *input, float *output)
{
    if (nk_pool_check(p) != NK_OK || !input || !output || !windows_ok(p))
        return NK_ERR_PARAMS;
    const int32_t c_n = p->channels;
    for (int32_t b = 0; b < p->batches; ++b) {
        const float *in_b = input + (size_t)b * p->in_h * p->in_w * c_n;
        for (int32_t oy = 0; oy < p->out_h; ++oy) {
            for (int32_t ox = 0; ox < p->out_w; ++ox) {
                const pool_window w = window_of(p, oy, ox);
                float *out = output + (((size_t)b * p->out_h + oy) * p->out_w + ox) * c_n;
                for (int32_t c = 0; c < c_n; ++c) {
                    float total = 0.0f, count = 0.0f;
                    for (int32_t fy = w.fy_start; fy < w.fy_end; ++fy)
                        for (int32_t fx = w.fx_start; fx < w.fx_end; ++fx) {
                            total += in_b[((size_t)(w.y0 + fy) * p->in_w + (w.x0 + fx)) * c_n + c];
                            count += 1.0f;
                        }
                    out[c] = nk_fminmax(total / count, p->act_min_f, p->act_max_f);
                }
            }
        }
    }
    return NK_OK;
}

int nk_avg_pool2d_s16(const nk_pool_params *p, const int16_t *input, int16_t *output)
{
    if (nk_pool_check(p) != NK_OK || !input || !output || p->act_min > p->act_max ||
        !windows_ok(p))
        return NK_ERR_PARAMS;
    const int32_t c_n = p->channels;
    for (int32_t b = 0; b < p->batches; ++b) {
        const int16_t *in_b = input + (size_t)b * p->in_h * p->in_w * c_n;
        for (int32_t oy = 0; oy < p->out_h; ++oy) {
            for (int32_t ox = 0; ox < p->out_w; ++ox) {
                const pool_window w = window_of(p, oy, ox);
                int16_t *out = output + (((size_t)b * p->out_h + oy) * p->out_w + ox) * c_n;
                for (int32_t c = 0; c < c_n; ++c) {
                    int32_t acc = 0, count = 0;
                    for (int32_t fy = w.fy_start; fy < w.fy_end; ++fy)
                        for (int32_t fx = w.fx_start; fx < w.fx_end; ++fx) {
                            acc += in_b[((size_t)(w.y0 + fy) * p->in_w + (w.x0 + fx)) * c_n + c];
                            count++;
                        }
                    acc = acc > 0 ? (acc + count / 2) / count : (acc - count / 2) / count;
                    out[c] = (int16_t)nk_clamp(acc, p->act_min, p->act_max);
                }
            }
        }
    }
    return NK_OK;
}

/* firmware/kernels/pool/nk_avg_pool2d.c — AVERAGE_POOL_2D, int8, int16 and float32.
 * Only taps inside the image count (TFLite semantics); int8 rounds the
 * average half away from zero as TFLite's reference AveragePool. */
#include "nk.h"
#include "nk_fixedpoint.h"
#include "arm/nk_arm.h"
#include "mve/nk_mve.h"
#include "nk_internal.h"
#include "pool/nk_pool_walk.h"

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

/* int8 and int16: the sum of the window's taps, its average rounded half
 * away from zero, clamped. */
#define AVG_POOL_INT(T)                                                                \
    NK_POOL_WALK(p, T, input, output,                                                  \
        int32_t acc = 0, count = 0;                                                    \
        for (int32_t fy = fy0; fy < fy1; ++fy)                                         \
            for (int32_t fx = fx0; fx < fx1; ++fx) {                                   \
                acc += NK_POOL_TAP(p, fy, fx);                                         \
                count++;                                                               \
            }                                                                          \
        acc = acc > 0 ? (acc + count / 2) / count : (acc - count / 2) / count;         \
        out[c] = (T)nk_clamp(acc, p->act_min, p->act_max);)

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
    AVG_POOL_INT(int8_t);
    return NK_OK;
}

int nk_avg_pool2d_f32(const nk_pool_params *p, const float *input, float *output)
{
    if (nk_pool_check(p) != NK_OK || !input || !output || !windows_ok(p))
        return NK_ERR_PARAMS;
    NK_POOL_WALK(p, float, input, output,
        float total = 0.0f, count = 0.0f;
        for (int32_t fy = fy0; fy < fy1; ++fy)
            for (int32_t fx = fx0; fx < fx1; ++fx) {
                total += NK_POOL_TAP(p, fy, fx);
                count += 1.0f;
            }
        out[c] = nk_fminmax(total / count, p->act_min_f, p->act_max_f);
    );
    return NK_OK;
}

int nk_avg_pool2d_s16(const nk_pool_params *p, const int16_t *input, int16_t *output)
{
    if (nk_pool_check(p) != NK_OK || !input || !output || p->act_min > p->act_max ||
        !windows_ok(p))
        return NK_ERR_PARAMS;
    AVG_POOL_INT(int16_t);
    return NK_OK;
}

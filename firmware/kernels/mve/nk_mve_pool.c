/* firmware/kernels/mve/nk_mve_pool.c — AVERAGE_POOL_2D and MAX_POOL_2D
 * int8 on Helium, channels across the lanes.  Average: eight channels per
 * int16 vector (a window of at most 256 int8 taps sums to -32768..32512,
 * inside int16), then TFLite's rounded division per channel.  Max: sixteen
 * channels per VMAX.S8.  Taps outside the image are skipped, as in the
 * portable kernels.  Bit-exact with ../pool/nk_avg_pool2d.c and
 * ../pool/nk_max_pool2d.c. */
#include "nk_mve.h"

#if defined(__ARM_FEATURE_MVE) && (__ARM_FEATURE_MVE & 1)

#include <arm_mve.h>

/* The window of output (oy, ox) clipped to the image. */
typedef struct mve_window {
    int32_t y0, x0, fy0, fy1, fx0, fx1;
} mve_window;

static mve_window window_at(const nk_pool_params *p, int32_t oy, int32_t ox)
{
    mve_window w;
    w.y0 = oy * p->stride_h - p->pad_top;
    w.x0 = ox * p->stride_w - p->pad_left;
    w.fy0 = w.y0 < 0 ? -w.y0 : 0;
    w.fx0 = w.x0 < 0 ? -w.x0 : 0;
    w.fy1 = p->in_h - w.y0 < p->filter_h ? p->in_h - w.y0 : p->filter_h;
    w.fx1 = p->in_w - w.x0 < p->filter_w ? p->in_w - w.x0 : p->filter_w;
    return w;
}

int nk_avg_pool2d_s8_mve(const nk_pool_params *p, const int8_t *input, int8_t *output)
{
    if (p->filter_h * p->filter_w > 256)
        return NK_ERR_PARAMS;
    const int32_t c_n = p->channels;
    for (int32_t b = 0; b < p->batches; ++b) {
        const int8_t *in_b = input + (size_t)b * p->in_h * p->in_w * c_n;
        for (int32_t oy = 0; oy < p->out_h; ++oy)
            for (int32_t ox = 0; ox < p->out_w; ++ox) {
                const mve_window w = window_at(p, oy, ox);
                const int32_t count = (w.fy1 - w.fy0) * (w.fx1 - w.fx0);
                int8_t *out = output + (((size_t)b * p->out_h + oy) * p->out_w + ox) * c_n;
                for (int32_t c = 0; c < c_n; c += 8) {
                    const mve_pred16_t pr = vctp16q((uint32_t)(c_n - c));
                    int16x8_t s = vdupq_n_s16(0);
                    for (int32_t fy = w.fy0; fy < w.fy1; ++fy) {
                        const int8_t *t =
                            in_b + ((size_t)(w.y0 + fy) * p->in_w + (w.x0 + w.fx0)) * c_n + c;
                        for (int32_t fx = w.fx0; fx < w.fx1; ++fx, t += c_n)
                            s = vaddq_s16(s, vldrbq_z_s16(t, pr));
                    }
                    int16_t sum[8];
                    vst1q_s16(sum, s);
                    const int32_t n = c_n - c < 8 ? c_n - c : 8;
                    for (int32_t i = 0; i < n; ++i) {
                        const int32_t a = sum[i];
                        int32_t v = a > 0 ? (a + count / 2) / count : (a - count / 2) / count;
                        v = v < p->act_min ? p->act_min : v > p->act_max ? p->act_max : v;
                        out[c + i] = (int8_t)v;
                    }
                }
            }
    }
    return NK_OK;
}

int nk_max_pool2d_s8_mve(const nk_pool_params *p, const int8_t *input, int8_t *output)
{
    const int32_t c_n = p->channels;
    if (p->act_min < -128 || p->act_max > 127)
        return NK_ERR_PARAMS;
    const int8x16_t lo = vdupq_n_s8((int8_t)p->act_min), hi = vdupq_n_s8((int8_t)p->act_max);
    for (int32_t b = 0; b < p->batches; ++b) {
        const int8_t *in_b = input + (size_t)b * p->in_h * p->in_w * c_n;
        for (int32_t oy = 0; oy < p->out_h; ++oy)
            for (int32_t ox = 0; ox < p->out_w; ++ox) {
                const mve_window w = window_at(p, oy, ox);
                int8_t *out = output + (((size_t)b * p->out_h + oy) * p->out_w + ox) * c_n;
                for (int32_t c = 0; c < c_n; c += 16) {
                    const mve_pred16_t pr = vctp8q((uint32_t)(c_n - c));
                    int8x16_t m = vdupq_n_s8(-128);
                    for (int32_t fy = w.fy0; fy < w.fy1; ++fy) {
                        const int8_t *t =
                            in_b + ((size_t)(w.y0 + fy) * p->in_w + (w.x0 + w.fx0)) * c_n + c;
                        for (int32_t fx = w.fx0; fx < w.fx1; ++fx, t += c_n)
                            m = vmaxq_s8(m, vldrbq_z_s8(t, pr));
                    }
                    vstrbq_p_s8(out + c, vminq_s8(vmaxq_s8(m, lo), hi), pr);
                }
            }
    }
    return NK_OK;
}

#else
typedef int nk_mve_pool_unused; /* ISO C: no empty translation unit */
#endif

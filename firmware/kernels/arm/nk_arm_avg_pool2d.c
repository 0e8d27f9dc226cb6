/* firmware/kernels/arm/nk_arm_avg_pool2d.c — AVERAGE_POOL_2D int8 with the
 * DSP extension: four channels per word, SXTAB16 adds lanes (0,2) and
 * (1,3) of each tap into two halfword-pair sums (a window of at most 256
 * taps keeps every lane within int16: 256 * -128 = -32768), then the four
 * sums are divided as ../nk_avg_pool2d.c does (rounding half away from
 * zero, SDIV).  Windows of more than 256 taps return NK_ERR_PARAMS,
 * writing nothing, and take the portable loop.  The caller (the portable
 * entry point) has checked the parameters and that every window holds a
 * tap.  Bit-exact with ../nk_avg_pool2d.c (integer sums are exact). */
#include "nk_arm.h"

#if defined(__ARM_FEATURE_DSP) && __ARM_FEATURE_DSP

#include "../nk_fixedpoint.h"
#include "nk_arm_dot.h"

/* SXTAB16 acc, v, ROR #8: lanes 1 and 3 of v added, one instruction. */
static inline uint32_t pool_sxtab16_ror8(uint32_t acc, uint32_t v)
{
    uint32_t r;
    __asm__("sxtab16 %0, %1, %2, ror #8" : "=r"(r) : "r"(acc), "r"(v));
    return r;
}

static inline int8_t pool_avg(int32_t acc, int32_t count, int32_t lo, int32_t hi)
{
    acc = acc > 0 ? (acc + count / 2) / count : (acc - count / 2) / count;
    return (int8_t)nk_clamp(acc, lo, hi);
}

int nk_avg_pool2d_s8_dsp(const nk_pool_params *p, const int8_t *input, int8_t *output)
{
    if ((int64_t)p->filter_h * p->filter_w > 256)
        return NK_ERR_PARAMS;
    const int32_t c_n = p->channels, in_h = p->in_h, in_w = p->in_w;
    const int32_t lo = p->act_min, hi = p->act_max;
    for (int32_t b = 0; b < p->batches; ++b) {
        const int8_t *in_b = input + (size_t)b * in_h * in_w * c_n;
        for (int32_t oy = 0; oy < p->out_h; ++oy) {
            const int32_t y0 = oy * p->stride_h - p->pad_top;
            const int32_t ys = y0 < 0 ? 0 : y0;
            const int32_t ye = y0 + p->filter_h < in_h ? y0 + p->filter_h : in_h;
            for (int32_t ox = 0; ox < p->out_w; ++ox) {
                const int32_t x0 = ox * p->stride_w - p->pad_left;
                const int32_t xs = x0 < 0 ? 0 : x0;
                const int32_t xe = x0 + p->filter_w < in_w ? x0 + p->filter_w : in_w;
                const int32_t rows = ye - ys, cols = xe - xs, count = rows * cols;
                int8_t *out = output + (((size_t)b * p->out_h + oy) * p->out_w + ox) * c_n;
                const int8_t *win = in_b + ((size_t)ys * in_w + xs) * c_n;
                const size_t row_step = (size_t)in_w * c_n;
                int32_t c = 0;
                for (; c + 4 <= c_n; c += 4) {
                    uint32_t s02 = 0, s13 = 0;
                    const int8_t *r = win + c;
                    /* whole rows (global pooling): one run of count taps */
                    const int32_t runs = cols == in_w ? 1 : rows;
                    const int32_t run = cols == in_w ? count : cols;
                    for (int32_t y = 0; y < runs; ++y, r += row_step) {
                        const int8_t *t = r;
                        int32_t x = 0;
                        for (; x + 2 <= run; x += 2, t += 2 * c_n) {
                            const uint32_t v = nk_arm_load32(t), u = nk_arm_load32(t + c_n);
                            s02 = __sxtab16(s02, v);
                            s13 = pool_sxtab16_ror8(s13, v);
                            s02 = __sxtab16(s02, u);
                            s13 = pool_sxtab16_ror8(s13, u);
                        }
                        if (x < run) {
                            const uint32_t v = nk_arm_load32(t);
                            s02 = __sxtab16(s02, v);
                            s13 = pool_sxtab16_ror8(s13, v);
                        }
                    }
                    out[c] = pool_avg((int16_t)s02, count, lo, hi);
                    out[c + 1] = pool_avg((int16_t)s13, count, lo, hi);
                    out[c + 2] = pool_avg((int16_t)(s02 >> 16), count, lo, hi);
                    out[c + 3] = pool_avg((int16_t)(s13 >> 16), count, lo, hi);
                }
                for (; c < c_n; ++c) {
                    int32_t acc = 0;
                    const int8_t *r = win + c;
                    for (int32_t y = 0; y < rows; ++y, r += row_step)
                        for (int32_t x = 0; x < cols; ++x)
                            acc += r[(size_t)x * c_n];
                    out[c] = pool_avg(acc, count, lo, hi);
                }
            }
        }
    }
    return NK_OK;
}

#else
typedef int nk_arm_avg_pool2d_unused; /* ISO C: no empty translation unit */
#endif

/* firmware/kernels/arm/nk_arm_depthwise_conv2d.c — DEPTHWISE_CONV_2D int8
 * (depth multiplier 1) with the DSP extension.  Four adjacent channels are
 * one 32-bit word in NHWC input and in the [1][kh][kw][c] filter: SXTB16
 * splits both into lanes (0,2) and (1,3), SADD16 removes the input zero
 * point, and SMLABB/SMLATT accumulate each lane into its own channel, so the
 * four accumulators stay in registers across the filter taps (the taps
 * inside the image are listed once per output pixel).  Other depth
 * multipliers and filters of more than NK_ARM_DW_MAX_TAPS taps return
 * NK_ERR_PARAMS here, writing nothing, and take the portable loop.
 * Bit-exact with ../nk_depthwise_conv2d.c (integer sums are exact). */
#include "nk_arm.h"

#if defined(__ARM_FEATURE_DSP) && __ARM_FEATURE_DSP

#include "../nk_fixedpoint.h"
#include "nk_arm_dot.h"
#include "nk_arm_requant.h"

/* Requantization constants copied out of the parameter block once: the
 * int8 output stores may alias anything, so reading them through p after
 * each store would reload every field. */
typedef struct dw_q {
    const int32_t *bias, *mult, *shift;
    int32_t q_step; /* 1 per channel, 0 per tensor */
    int32_t zp, lo, hi;
} dw_q;

static inline int8_t dw_out(const dw_q *q, int32_t oc, int32_t acc)
{
    if (q->bias)
        acc += q->bias[oc];
    const int32_t k = oc * q->q_step;
    acc = nk_arm_requant(acc, q->mult[k], q->shift[k]) + q->zp;
    return (int8_t)nk_clamp(acc, q->lo, q->hi);
}

#ifndef NK_ARM_DW_MAX_TAPS
#define NK_ARM_DW_MAX_TAPS 64 /* filters up to 8x8; larger take the portable loop */
#endif

int nk_depthwise_conv2d_s8_dsp(const nk_conv_params *p, const int8_t *input,
                               const int8_t *filter, const int32_t *bias, int8_t *output)
{
    int32_t tap_in[NK_ARM_DW_MAX_TAPS], tap_f[NK_ARM_DW_MAX_TAPS];
    if (p->depth_multiplier != 1 || p->filter_h * p->filter_w > NK_ARM_DW_MAX_TAPS)
        return NK_ERR_PARAMS;
    const int32_t in_h = p->in_h, in_w = p->in_w, c_n = p->in_c;
    const int32_t fh = p->filter_h, fw = p->filter_w, zp = p->in_zp;
    const uint32_t off2 = nk_arm_offset2(zp);
    const dw_q q = {.bias = bias, .mult = p->out_mult, .shift = p->out_shift,
                    .q_step = p->per_channel ? 1 : 0, .zp = p->out_zp, .lo = p->act_min,
                    .hi = p->act_max};
    for (int32_t b = 0; b < p->batches; ++b) {
        const int8_t *in_b = input + (size_t)b * in_h * in_w * c_n;
        for (int32_t oy = 0; oy < p->out_h; ++oy) {
            const int32_t y0 = oy * p->stride_h - p->pad_top;
            for (int32_t ox = 0; ox < p->out_w; ++ox) {
                const int32_t x0 = ox * p->stride_w - p->pad_left;
                int8_t *out = output + (((size_t)b * p->out_h + oy) * p->out_w + ox) * c_n;
                /* the taps inside the image, as input/filter offsets (channel 0) */
                int32_t n_taps = 0;
                for (int32_t fy = 0; fy < fh; ++fy) {
                    const int32_t iy = y0 + p->dilation_h * fy;
                    if (iy < 0 || iy >= in_h)
                        continue;
                    for (int32_t fx = 0; fx < fw; ++fx) {
                        const int32_t ix = x0 + p->dilation_w * fx;
                        if (ix < 0 || ix >= in_w)
                            continue;
                        tap_in[n_taps] = ((int32_t)iy * in_w + ix) * c_n;
                        tap_f[n_taps] = (fy * fw + fx) * c_n;
                        n_taps++;
                    }
                }
                int32_t c = 0;
                for (; c + 4 <= c_n; c += 4) {
                    int32_t a0 = 0, a1 = 0, a2 = 0, a3 = 0;
                    const int8_t *const ib = in_b + c, *const fb = filter + c;
                    const int32_t *ti = tap_in, *tf = tap_f;
                    for (const int32_t *const te = tap_in + n_taps; ti < te; ++ti, ++tf) {
                        const uint32_t xv = nk_arm_load32(ib + *ti);
                        const uint32_t fv = nk_arm_load32(fb + *tf);
                        const int32_t x02 = (int32_t)__sadd16(__sxtb16(xv), off2);
                        const int32_t x13 = (int32_t)__sadd16(nk_arm_sxtb16_ror8(xv), off2);
                        const int32_t f02 = (int32_t)__sxtb16(fv);
                        const int32_t f13 = nk_arm_sxtb16_ror8(fv);
                        a0 = __smlabb(x02, f02, a0);
                        a2 = __smlatt(x02, f02, a2);
                        a1 = __smlabb(x13, f13, a1);
                        a3 = __smlatt(x13, f13, a3);
                    }
                    out[c] = dw_out(&q, c, a0);
                    out[c + 1] = dw_out(&q, c + 1, a1);
                    out[c + 2] = dw_out(&q, c + 2, a2);
                    out[c + 3] = dw_out(&q, c + 3, a3);
                }
                for (; c < c_n; ++c) {
                    int32_t acc = 0;
                    for (int32_t fy = 0; fy < fh; ++fy) {
                        const int32_t iy = y0 + p->dilation_h * fy;
                        if (iy < 0 || iy >= in_h)
                            continue;
                        for (int32_t fx = 0; fx < fw; ++fx) {
                            const int32_t ix = x0 + p->dilation_w * fx;
                            if (ix < 0 || ix >= in_w)
                                continue;
                            acc += (int32_t)filter[((size_t)fy * fw + fx) * c_n + c] *
                                   ((int32_t)in_b[((size_t)iy * in_w + ix) * c_n + c] - zp);
                        }
                    }
                    out[c] = dw_out(&q, c, acc);
                }
            }
        }
    }
    return NK_OK;
}

#else
typedef int nk_arm_depthwise_conv2d_unused; /* ISO C: no empty translation unit */
#endif

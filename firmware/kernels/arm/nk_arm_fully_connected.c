/* firmware/kernels/arm/nk_arm_fully_connected.c — FULLY_CONNECTED int8 with
 * the DSP extension: the shared matrix core nk_arm_gemm.c for in_depth <=
 * 1024; deeper layers: four output neurons per pass share each converted
 * input word (then two, then one; see nk_arm_dot.h).  Bit-exact with
 * ../nk_fully_connected.c. */
#include "nk_arm.h"

#if defined(__ARM_FEATURE_DSP) && __ARM_FEATURE_DSP

#include "../nk_fixedpoint.h"
#include "nk_arm_dot.h"
#include "nk_arm_gemm.h"
#include "nk_arm_requant.h"

static inline int8_t fc_out(const nk_fc_params *p, int32_t o, int32_t acc, const int32_t *bias)
{
    if (bias)
        acc += bias[o];
    const int32_t q = p->per_channel ? o : 0;
    acc = nk_arm_requant(acc, p->out_mult[q], p->out_shift[q]) + p->out_zp;
    return (int8_t)nk_clamp(acc, p->act_min, p->act_max);
}

/* Rows w, w + depth, w + 2 depth, w + 3 depth against x (zero point zp):
 * r[0..3] = sums of w * (x - zp). */
static void fc_dot4(const int8_t *x, const int8_t *w, int32_t depth, uint32_t off2, int32_t zp,
                    int32_t r[4])
{
    const int8_t *w0 = w, *w1 = w + depth, *w2 = w1 + depth, *w3 = w2 + depth;
    int32_t s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    int32_t i = 0;
    for (; i + 4 <= depth; i += 4) {
        const uint32_t xv = nk_arm_load32(x + i);
        const int16x2_t x02 = __sadd16(__sxtb16(xv), off2);
        const int16x2_t x13 = __sadd16(nk_arm_sxtb16_ror8(xv), off2);
        uint32_t v = nk_arm_load32(w0 + i);
        s0 = __smlad(x02, __sxtb16(v), s0);
        s0 = __smlad(x13, nk_arm_sxtb16_ror8(v), s0);
        v = nk_arm_load32(w1 + i);
        s1 = __smlad(x02, __sxtb16(v), s1);
        s1 = __smlad(x13, nk_arm_sxtb16_ror8(v), s1);
        v = nk_arm_load32(w2 + i);
        s2 = __smlad(x02, __sxtb16(v), s2);
        s2 = __smlad(x13, nk_arm_sxtb16_ror8(v), s2);
        v = nk_arm_load32(w3 + i);
        s3 = __smlad(x02, __sxtb16(v), s3);
        s3 = __smlad(x13, nk_arm_sxtb16_ror8(v), s3);
    }
    for (; i < depth; ++i) {
        const int32_t xv = (int32_t)x[i] - zp;
        s0 += (int32_t)w0[i] * xv;
        s1 += (int32_t)w1[i] * xv;
        s2 += (int32_t)w2[i] * xv;
        s3 += (int32_t)w3[i] * xv;
    }
    r[0] = s0;
    r[1] = s1;
    r[2] = s2;
    r[3] = s3;
}

int nk_fully_connected_s8_dsp(const nk_fc_params *p, const int8_t *input,
                              const int8_t *weights, const int32_t *bias, int8_t *output)
{
    const nk_arm_gemm g = {.a = input, .rows = p->batches, .row_n = p->batches,
                           .row_inner = p->in_depth, .row_outer = 0, .depth = p->in_depth,
                           .cols = p->out_depth, .in_zp = p->in_zp, .w = weights,
                           .bias = bias, .mult = p->out_mult, .shift = p->out_shift,
                           .per_channel = p->per_channel, .out_zp = p->out_zp,
                           .act_min = p->act_min, .act_max = p->act_max, .out = output};
    if (nk_arm_gemm_s8(&g) == NK_OK)
        return NK_OK; /* in_depth <= 1024: shared matrix core (nk_arm_gemm.c) */
    const int32_t depth = p->in_depth;
    const uint32_t off2 = nk_arm_offset2(p->in_zp);
    for (int32_t b = 0; b < p->batches; ++b) {
        const int8_t *in = input + (size_t)b * depth;
        int8_t *out = output + (size_t)b * p->out_depth;
        int32_t o = 0;
        for (; o + 4 <= p->out_depth; o += 4) {
            int32_t r[4];
            fc_dot4(in, weights + (size_t)o * depth, depth, off2, p->in_zp, r);
            out[o] = fc_out(p, o, r[0], bias);
            out[o + 1] = fc_out(p, o + 1, r[1], bias);
            out[o + 2] = fc_out(p, o + 2, r[2], bias);
            out[o + 3] = fc_out(p, o + 3, r[3], bias);
        }
        for (; o + 2 <= p->out_depth; o += 2) {
            int32_t a0 = 0, a1 = 0;
            nk_arm_dot2(in, weights + (size_t)o * depth, weights + (size_t)(o + 1) * depth,
                        depth, off2, p->in_zp, &a0, &a1);
            out[o] = fc_out(p, o, a0, bias);
            out[o + 1] = fc_out(p, o + 1, a1, bias);
        }
        if (o < p->out_depth) {
            const int32_t a0 =
                nk_arm_dot1(in, weights + (size_t)o * depth, depth, off2, p->in_zp, 0);
            out[o] = fc_out(p, o, a0, bias);
        }
    }
    return NK_OK;
}

#else
typedef int nk_arm_fully_connected_unused; /* ISO C: no empty translation unit */
#endif

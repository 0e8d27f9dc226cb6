/* firmware/kernels/arm/nk_arm_fully_connected.c — FULLY_CONNECTED int8 with
 * the DSP extension: two output neurons per pass share each converted input
 * word (see nk_arm_dot.h).  Bit-exact with ../nk_fully_connected.c. */
#include "nk_arm.h"

#if defined(__ARM_FEATURE_DSP) && __ARM_FEATURE_DSP

#include "../nk_fixedpoint.h"
#include "nk_arm_dot.h"

static inline int8_t fc_out(const nk_fc_params *p, int32_t o, int32_t acc, const int32_t *bias)
{
    if (bias)
        acc += bias[o];
    const int32_t q = p->per_channel ? o : 0;
    acc = nk_mbqm(acc, p->out_mult[q], p->out_shift[q]) + p->out_zp;
    return (int8_t)nk_clamp(acc, p->act_min, p->act_max);
}

int nk_fully_connected_s8_dsp(const nk_fc_params *p, const int8_t *input,
                              const int8_t *weights, const int32_t *bias, int8_t *output)
{
    const int32_t depth = p->in_depth;
    const uint32_t off2 = nk_arm_offset2(p->in_zp);
    for (int32_t b = 0; b < p->batches; ++b) {
        const int8_t *in = input + (size_t)b * depth;
        int8_t *out = output + (size_t)b * p->out_depth;
        int32_t o = 0;
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

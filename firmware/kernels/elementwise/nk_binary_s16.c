/* firmware/kernels/elementwise/nk_binary_s16.c — ADD, SUB and MUL on int16
 * activations, with numpy broadcasting (nk_binary_params).  TFLite Micro's
 * int16 path is the general rescaling one (reference_ops::Add with
 * pot_scale = false, SubElementwise): each input (q - zp) << left_shift (15)
 * is scaled by its multiplier, the sum or difference by the output's, plus
 * out_zp, clamped to act_min..act_max.  MUL (TFLM mul_common.cc, integer
 * MulElementwise; zero points 0): (q1 - zp1) * (q2 - zp2) scaled by
 * out_mult/out_shift, plus out_zp, clamped. */
#include "nk.h"
#include "nk_fixedpoint.h"
#include "nk_internal.h"

static inline int16_t addsub_s16_one(const nk_binary_params *p, int32_t a, int32_t b, int sub)
{
    const int32_t s1 = nk_mbqm((int32_t)((uint32_t)(a - p->in1_zp) << p->left_shift),
                               p->in1_mult, p->in1_shift);
    const int32_t s2 = nk_mbqm((int32_t)((uint32_t)(b - p->in2_zp) << p->left_shift),
                               p->in2_mult, p->in2_shift);
    const int32_t sum = sub ? nk_wrap_sub(s1, s2) : nk_wrap_add(s1, s2);
    const int32_t raw = nk_mbqm(sum, p->out_mult, p->out_shift) + p->out_zp;
    return (int16_t)nk_clamp(raw, p->act_min, p->act_max);
}

static int addsub_s16(const nk_binary_params *p, const int16_t *in1, const int16_t *in2,
                      int16_t *output, int sub)
{
    const int32_t n = nk_binary_count(p);
    if (n < 0 || !in1 || !in2 || !output || p->act_min > p->act_max || p->act_min < -32768 ||
        p->act_max > 32767 || p->left_shift < 0 || p->left_shift > 15)
        return NK_ERR_PARAMS;
    NK_BINARY_EACH(p, n, i, o1, o2, output[i] = addsub_s16_one(p, in1[o1], in2[o2], sub));
    return NK_OK;
}

int nk_add_s16(const nk_binary_params *p, const int16_t *in1, const int16_t *in2,
               int16_t *output)
{
    return addsub_s16(p, in1, in2, output, 0);
}

int nk_sub_s16(const nk_binary_params *p, const int16_t *in1, const int16_t *in2,
               int16_t *output)
{
    return addsub_s16(p, in1, in2, output, 1);
}

static inline int16_t mul_s16_one(const nk_binary_params *p, int32_t a, int32_t b)
{
    /* |product| <= 2^30 for int16 operands with zero points 0 */
    const int32_t raw = nk_mbqm((a - p->in1_zp) * (b - p->in2_zp), p->out_mult, p->out_shift) +
                        p->out_zp;
    return (int16_t)nk_clamp(raw, p->act_min, p->act_max);
}

int nk_mul_s16(const nk_binary_params *p, const int16_t *in1, const int16_t *in2,
               int16_t *output)
{
    const int32_t n = nk_binary_count(p);
    if (n < 0 || !in1 || !in2 || !output || p->act_min > p->act_max || p->act_min < -32768 ||
        p->act_max > 32767 || p->in1_zp != 0 || p->in2_zp != 0)
        return NK_ERR_PARAMS;
    NK_BINARY_EACH(p, n, i, o1, o2, output[i] = mul_s16_one(p, in1[o1], in2[o2]));
    return NK_OK;
}

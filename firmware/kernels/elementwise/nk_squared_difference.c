/* firmware/kernels/elementwise/nk_squared_difference.c — SQUARED_DIFFERENCE
 * with broadcasting.  int8/int16: TFLM squared_difference.cc (inputs
 * shifted left by left_shift, rescaled onto a common scale, the squared
 * difference rescaled to the output).  int32/float: (a - b)^2. */
#include "nk.h"
#include "nk_fixedpoint.h"
#include "nk_internal.h"

static inline int32_t sqdiff_q(const nk_binary_params *p, int32_t a, int32_t b)
{
    const int32_t s1 = nk_mbqm((a - p->in1_zp) * (1 << p->left_shift), p->in1_mult, p->in1_shift);
    const int32_t s2 = nk_mbqm((b - p->in2_zp) * (1 << p->left_shift), p->in2_mult, p->in2_shift);
    const int32_t d = nk_wrap_sub(s1, s2);
    const int32_t sq = (int32_t)((uint32_t)d * (uint32_t)d);
    return nk_clamp(nk_mbqm(sq, p->out_mult, p->out_shift) + p->out_zp, p->act_min, p->act_max);
}

static int32_t check_q(const nk_binary_params *p, const void *a, const void *b, const void *o,
                       int32_t lo, int32_t hi)
{
    const int32_t n = nk_binary_count(p);
    if (n < 0 || !a || !b || !o || p->act_min > p->act_max || p->act_min < lo ||
        p->act_max > hi || p->left_shift < 0 || p->left_shift > 7 || p->in1_shift > 0 ||
        p->in2_shift > 0)
        return -1;
    return n;
}

int nk_squared_difference_s8(const nk_binary_params *p, const int8_t *in1, const int8_t *in2,
                             int8_t *output)
{
    const int32_t n = check_q(p, in1, in2, output, -128, 127);
    if (n < 0)
        return NK_ERR_PARAMS;
    NK_BINARY_EACH(p, n, i, o1, o2, output[i] = (int8_t)sqdiff_q(p, in1[o1], in2[o2]));
    return NK_OK;
}

int nk_squared_difference_s16(const nk_binary_params *p, const int16_t *in1,
                              const int16_t *in2, int16_t *output)
{
    const int32_t n = check_q(p, in1, in2, output, -32768, 32767);
    if (n < 0)
        return NK_ERR_PARAMS;
    NK_BINARY_EACH(p, n, i, o1, o2, output[i] = (int16_t)sqdiff_q(p, in1[o1], in2[o2]));
    return NK_OK;
}

int nk_squared_difference_s32(const nk_binary_params *p, const int32_t *in1,
                              const int32_t *in2, int32_t *output)
{
    const int32_t n = nk_binary_count(p);
    if (n < 0 || !in1 || !in2 || !output)
        return NK_ERR_PARAMS;
    NK_BINARY_EACH(p, n, i, o1, o2, {
        const uint32_t d = (uint32_t)in1[o1] - (uint32_t)in2[o2];
        output[i] = (int32_t)(d * d);
    });
    return NK_OK;
}

int nk_squared_difference_f32(const nk_binary_params *p, const float *in1, const float *in2,
                              float *output)
{
    const int32_t n = nk_binary_count(p);
    if (n < 0 || !in1 || !in2 || !output)
        return NK_ERR_PARAMS;
    NK_BINARY_EACH(p, n, i, o1, o2, {
        const float d = in1[o1] - in2[o2];
        output[i] = d * d;
    });
    return NK_OK;
}

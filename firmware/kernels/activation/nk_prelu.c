/* firmware/kernels/activation/nk_prelu.c — PRELU with broadcasting of alpha
 * (TFLM prelu: x - zp >= 0 is rescaled by x_scale/out_scale, otherwise
 * (x - zp)(alpha - zp_a) by x_scale*alpha_scale/out_scale; int16 activations
 * take int8 alpha).  float: x >= 0 ? x : x * alpha. */
#include "nk.h"
#include "nk_fixedpoint.h"
#include "nk_internal.h"

static inline int32_t prelu_q(const nk_binary_params *p, int32_t x, int32_t a)
{
    const int32_t v = x - p->in1_zp;
    int32_t r;
    if (v >= 0)
        r = nk_mbqm(v, p->in1_mult, p->in1_shift);
    else
        r = nk_mbqm(v * (a - p->in2_zp), p->out_mult, p->out_shift);
    return nk_clamp(r + p->out_zp, p->act_min, p->act_max);
}

static int prelu_check(const nk_binary_params *p, const void *x, const void *alpha,
                       const void *out, int32_t lo, int32_t hi)
{
    const int32_t n = nk_binary_count(p);
    if (n < 0 || !x || !alpha || !out || p->act_min > p->act_max || p->act_min < lo ||
        p->act_max > hi)
        return -1;
    return n;
}

int nk_prelu_s8(const nk_binary_params *p, const int8_t *x, const int8_t *alpha, int8_t *output)
{
    const int32_t n = prelu_check(p, x, alpha, output, -128, 127);
    if (n < 0)
        return NK_ERR_PARAMS;
    NK_BINARY_EACH(p, n, i, o1, o2, output[i] = (int8_t)prelu_q(p, x[o1], alpha[o2]));
    return NK_OK;
}

int nk_prelu_s16(const nk_binary_params *p, const int16_t *x, const int8_t *alpha,
                 int16_t *output)
{
    const int32_t n = prelu_check(p, x, alpha, output, -32768, 32767);
    if (n < 0)
        return NK_ERR_PARAMS;
    NK_BINARY_EACH(p, n, i, o1, o2, output[i] = (int16_t)prelu_q(p, x[o1], alpha[o2]));
    return NK_OK;
}

int nk_prelu_f32(const nk_binary_params *p, const float *x, const float *alpha, float *output)
{
    const int32_t n = nk_binary_count(p);
    if (n < 0 || !x || !alpha || !output)
        return NK_ERR_PARAMS;
    NK_BINARY_EACH(p, n, i, o1, o2, output[i] = x[o1] >= 0.0f ? x[o1] : x[o1] * alpha[o2]);
    return NK_OK;
}

/* firmware/kernels/elementwise/nk_binary_s32.c — ADD, SUB and MUL on int32
 * tensors (TFLite's non-quantized int32 arithmetic: wrapping two's
 * complement, then the activation clamp), with broadcasting. */
#include "nk.h"
#include "nk_fixedpoint.h"
#include "nk_internal.h"

static int check(const nk_binary_params *p, const void *a, const void *b, const void *o)
{
    const int32_t n = nk_binary_count(p);
    if (n < 0 || !a || !b || !o || p->act_min > p->act_max)
        return -1;
    return n;
}

int nk_add_s32(const nk_binary_params *p, const int32_t *in1, const int32_t *in2,
               int32_t *output)
{
    const int32_t n = check(p, in1, in2, output);
    if (n < 0)
        return NK_ERR_PARAMS;
    NK_BINARY_EACH(p, n, i, o1, o2,
                   output[i] = nk_clamp(nk_wrap_add(in1[o1], in2[o2]), p->act_min, p->act_max));
    return NK_OK;
}

int nk_sub_s32(const nk_binary_params *p, const int32_t *in1, const int32_t *in2,
               int32_t *output)
{
    const int32_t n = check(p, in1, in2, output);
    if (n < 0)
        return NK_ERR_PARAMS;
    NK_BINARY_EACH(p, n, i, o1, o2,
                   output[i] = nk_clamp(nk_wrap_sub(in1[o1], in2[o2]), p->act_min, p->act_max));
    return NK_OK;
}

int nk_mul_s32(const nk_binary_params *p, const int32_t *in1, const int32_t *in2,
               int32_t *output)
{
    const int32_t n = check(p, in1, in2, output);
    if (n < 0)
        return NK_ERR_PARAMS;
    NK_BINARY_EACH(p, n, i, o1, o2, {
        const int32_t prod = (int32_t)((uint32_t)in1[o1] * (uint32_t)in2[o2]);
        output[i] = nk_clamp(prod, p->act_min, p->act_max);
    });
    return NK_OK;
}

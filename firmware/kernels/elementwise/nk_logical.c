/* firmware/kernels/elementwise/nk_logical.c — LOGICAL_AND and LOGICAL_OR
 * (broadcasting) and LOGICAL_NOT on bool bytes (any non-zero byte is true;
 * the output is 0 or 1). */
#include "nk.h"
#include "nk_internal.h"

int nk_logical_and(const nk_binary_params *p, const uint8_t *in1, const uint8_t *in2,
                   uint8_t *output)
{
    const int32_t n = nk_binary_count(p);
    if (n < 0 || !in1 || !in2 || !output)
        return NK_ERR_PARAMS;
    NK_BINARY_EACH(p, n, i, o1, o2, output[i] = (uint8_t)(in1[o1] && in2[o2]));
    return NK_OK;
}

int nk_logical_or(const nk_binary_params *p, const uint8_t *in1, const uint8_t *in2,
                  uint8_t *output)
{
    const int32_t n = nk_binary_count(p);
    if (n < 0 || !in1 || !in2 || !output)
        return NK_ERR_PARAMS;
    NK_BINARY_EACH(p, n, i, o1, o2, output[i] = (uint8_t)(in1[o1] || in2[o2]));
    return NK_OK;
}

int nk_logical_not(int32_t size, const uint8_t *input, uint8_t *output)
{
    if (size < 0 || !input || !output)
        return NK_ERR_PARAMS;
    for (int32_t i = 0; i < size; ++i)
        output[i] = (uint8_t)!input[i];
    return NK_OK;
}

/* firmware/kernels/shape/nk_concat.c — CONCATENATION along one axis, any element
 * type (TFLite's reference Concatenation: for each outer step, copy each
 * input's inner block in turn). */
#include <string.h>

#include "nk.h"

int nk_concat(const nk_concat_params *p, const void *const *inputs, void *output)
{
    if (!p || p->n_inputs < 1 || p->outer < 1 || p->elem_size < 1 || !p->in_inner ||
        !inputs || !output)
        return NK_ERR_PARAMS;
    for (int32_t i = 0; i < p->n_inputs; ++i)
        if (p->in_inner[i] < 0 || (p->in_inner[i] > 0 && !inputs[i]))
            return NK_ERR_PARAMS;
    char *out = (char *)output;
    const size_t es = (size_t)p->elem_size;
    for (int32_t k = 0; k < p->outer; ++k) {
        for (int32_t i = 0; i < p->n_inputs; ++i) {
            const size_t n = (size_t)p->in_inner[i] * es;
            if (n) {
                memcpy(out, (const char *)inputs[i] + (size_t)k * n, n);
                out += n;
            }
        }
    }
    return NK_OK;
}

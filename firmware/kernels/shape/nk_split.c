/* firmware/kernels/shape/nk_split.c — SPLIT, SPLIT_V and UNPACK: the inverse of
 * CONCATENATION (for each outer step, every output takes its inner block in
 * turn), any element type. */
#include <string.h>

#include "nk.h"

int nk_split(const nk_split_params *p, const void *input, void *const *outputs)
{
    if (!p || p->n_outputs < 1 || p->outer < 1 || p->elem_size < 1 || !p->out_inner ||
        !input || !outputs)
        return NK_ERR_PARAMS;
    for (int32_t i = 0; i < p->n_outputs; ++i)
        if (p->out_inner[i] < 0 || (p->out_inner[i] > 0 && !outputs[i]))
            return NK_ERR_PARAMS;
    const char *in = (const char *)input;
    const size_t es = (size_t)p->elem_size;
    for (int32_t k = 0; k < p->outer; ++k) {
        for (int32_t i = 0; i < p->n_outputs; ++i) {
            const size_t n = (size_t)p->out_inner[i] * es;
            if (n) {
                memcpy((char *)outputs[i] + (size_t)k * n, in, n);
                in += n;
            }
        }
    }
    return NK_OK;
}

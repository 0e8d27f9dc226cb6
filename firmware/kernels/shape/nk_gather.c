/* firmware/kernels/shape/nk_gather.c — GATHER of any element type with int32
 * or int64 indices (TFLM gather.cc): every index is checked against the
 * axis size before anything is written. */
#include <string.h>

#include "nk.h"

static int64_t index_at(const nk_gather_params *p, const void *indices, int32_t i)
{
    if (p->index_size == 8)
        return ((const int64_t *)indices)[i];
    return ((const int32_t *)indices)[i];
}

int nk_gather(const nk_gather_params *p, const void *input, const void *indices, void *output)
{
    if (!p || !input || !indices || !output || p->batches < 1 || p->outer < 1 ||
        p->axis_size < 1 || p->coords < 0 || p->inner < 0 || p->elem_size < 1 ||
        (p->index_size != 4 && p->index_size != 8))
        return NK_ERR_PARAMS;
    const int64_t n_idx = (int64_t)p->batches * p->coords;
    for (int64_t i = 0; i < n_idx; ++i) {
        const int64_t v = index_at(p, indices, (int32_t)i);
        if (v < 0 || v >= p->axis_size)
            return NK_ERR_PARAMS;
    }
    const size_t block = (size_t)p->inner * (size_t)p->elem_size;
    const char *in = (const char *)input;
    char *out = (char *)output;
    for (int32_t b = 0; b < p->batches; ++b)
        for (int32_t o = 0; o < p->outer; ++o) {
            const size_t base = ((size_t)b * (size_t)p->outer + (size_t)o) * (size_t)p->axis_size;
            for (int32_t c = 0; c < p->coords; ++c) {
                const int64_t v = index_at(p, indices, b * p->coords + c);
                memcpy(out, in + (base + (size_t)v) * block, block);
                out += block;
            }
        }
    return NK_OK;
}

/* firmware/kernels/shape/nk_slice.c — SLICE and any per-axis strided window
 * of a tensor (TFLite's reference Slice walks the output in row-major order
 * and copies input[begin + o * step]); any element type. */
#include <string.h>

#include "nk.h"

int nk_slice(const nk_slice_params *p, const void *input, void *output)
{
    if (!p || !input || !output || p->rank < 1 || p->rank > NK_MAX_DIMS || p->elem_size < 1)
        return NK_ERR_PARAMS;
    int32_t in_stride[NK_MAX_DIMS];
    int64_t stride = 1, n = 1;
    for (int32_t d = p->rank - 1; d >= 0; --d) {
        if (p->in_dims[d] < 1 || p->out_dims[d] < 0)
            return NK_ERR_PARAMS;
        if (p->out_dims[d] > 0) {
            const int64_t end = (int64_t)p->begin[d] + (int64_t)(p->out_dims[d] - 1) * p->step[d];
            if (p->begin[d] < 0 || p->begin[d] >= p->in_dims[d] || end < 0 ||
                end >= p->in_dims[d])
                return NK_ERR_PARAMS;
        }
        in_stride[d] = (int32_t)stride;
        stride *= p->in_dims[d];
        n *= p->out_dims[d];
        if (stride > 0x7fffffff)
            return NK_ERR_PARAMS;
    }
    if (n == 0)
        return NK_OK;
    const size_t es = (size_t)p->elem_size;
    const int32_t last = p->rank - 1;
    /* Innermost axis with step 1 is one contiguous run per output row. */
    const int contiguous = p->step[last] == 1;
    const int32_t row = p->out_dims[last];
    int32_t idx[NK_MAX_DIMS] = {0};
    const char *in = (const char *)input;
    char *out = (char *)output;
    for (;;) {
        int64_t off = 0;
        for (int32_t d = 0; d < last; ++d)
            off += ((int64_t)p->begin[d] + (int64_t)idx[d] * p->step[d]) * in_stride[d];
        if (contiguous) {
            memcpy(out, in + (size_t)(off + p->begin[last]) * es, (size_t)row * es);
            out += (size_t)row * es;
        } else {
            for (int32_t i = 0; i < row; ++i) {
                const int64_t o = off + p->begin[last] + (int64_t)i * p->step[last];
                memcpy(out, in + (size_t)o * es, es);
                out += es;
            }
        }
        int32_t d = last - 1;
        for (; d >= 0; --d) {
            if (++idx[d] < p->out_dims[d])
                break;
            idx[d] = 0;
        }
        if (d < 0)
            return NK_OK;
    }
}

/* firmware/kernels/shape/nk_transpose.c — TRANSPOSE of any element type:
 * the output is walked in row-major order and each element read from the
 * input position its index permutes to (TFLite's reference Transpose). */
#include <string.h>

#include "nk.h"

int nk_transpose(const nk_transpose_params *p, const void *input, void *output)
{
    if (!p || !input || !output || p->rank < 1 || p->rank > NK_MAX_DIMS || p->elem_size < 1)
        return NK_ERR_PARAMS;
    int32_t in_stride[NK_MAX_DIMS], out_dims[NK_MAX_DIMS], step[NK_MAX_DIMS];
    int32_t seen = 0;
    int64_t stride = 1;
    for (int32_t d = p->rank - 1; d >= 0; --d) {
        if (p->in_dims[d] < 1)
            return NK_ERR_PARAMS;
        in_stride[d] = (int32_t)stride;
        stride *= p->in_dims[d];
        if (stride > 0x7fffffff)
            return NK_ERR_PARAMS;
    }
    for (int32_t d = 0; d < p->rank; ++d) {
        const int32_t a = p->perm[d];
        if (a < 0 || a >= p->rank || (seen & (1 << a)))
            return NK_ERR_PARAMS;
        seen |= 1 << a;
        out_dims[d] = p->in_dims[a];
        step[d] = in_stride[a];
    }
    const size_t es = (size_t)p->elem_size;
    const int32_t last = p->rank - 1;
    const int32_t row = out_dims[last], row_step = step[last];
    int32_t idx[NK_MAX_DIMS] = {0};
    const char *in = (const char *)input;
    char *out = (char *)output;
    for (;;) {
        int64_t off = 0;
        for (int32_t d = 0; d < last; ++d)
            off += (int64_t)idx[d] * step[d];
        if (row_step == 1) {
            memcpy(out, in + (size_t)off * es, (size_t)row * es);
            out += (size_t)row * es;
        } else {
            for (int32_t i = 0; i < row; ++i, out += es)
                memcpy(out, in + (size_t)(off + (int64_t)i * row_step) * es, es);
        }
        int32_t d = last - 1;
        for (; d >= 0; --d) {
            if (++idx[d] < out_dims[d])
                break;
            idx[d] = 0;
        }
        if (d < 0)
            return NK_OK;
    }
}

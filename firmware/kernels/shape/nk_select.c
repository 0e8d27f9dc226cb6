/* firmware/kernels/shape/nk_select.c — SELECT / SELECT_V2 (out = cond ? x : y)
 * with broadcasting through element strides, any element type. */
#include <string.h>

#include "nk.h"

int nk_select(const nk_select_params *p, const uint8_t *cond, const void *x, const void *y,
              void *output)
{
    if (!p || !cond || !x || !y || !output || p->rank < 1 || p->rank > NK_MAX_DIMS ||
        p->elem_size < 1)
        return NK_ERR_PARAMS;
    int64_t n = 1;
    for (int32_t d = 0; d < p->rank; ++d) {
        if (p->out_dims[d] < 1 || p->cond_strides[d] < 0 || p->x_strides[d] < 0 ||
            p->y_strides[d] < 0)
            return NK_ERR_PARAMS;
        n *= p->out_dims[d];
        if (n > 0x7fffffff)
            return NK_ERR_PARAMS;
    }
    const size_t es = (size_t)p->elem_size;
    const char *xs = (const char *)x, *ys = (const char *)y;
    char *out = (char *)output;
    int32_t idx[NK_MAX_DIMS] = {0}, oc = 0, ox = 0, oy = 0;
    for (int64_t i = 0; i < n; ++i, out += es) {
        memcpy(out, cond[oc] ? xs + (size_t)ox * es : ys + (size_t)oy * es, es);
        for (int32_t d = p->rank - 1; d >= 0; --d) {
            idx[d]++;
            oc += p->cond_strides[d];
            ox += p->x_strides[d];
            oy += p->y_strides[d];
            if (idx[d] < p->out_dims[d])
                break;
            oc -= p->cond_strides[d] * p->out_dims[d];
            ox -= p->x_strides[d] * p->out_dims[d];
            oy -= p->y_strides[d] * p->out_dims[d];
            idx[d] = 0;
        }
    }
    return NK_OK;
}

/* firmware/kernels/shape/nk_concat.c — CONCATENATION along one axis, any element
 * type (TFLite's reference Concatenation: for each outer step, copy each
 * input's inner block in turn).  nk_concat_s8_requant also requantizes the
 * int8 inputs whose quantization differs from the output's. */
#include <string.h>

#include "nk.h"
#include "nk_fixedpoint.h"

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

int nk_concat_s8_requant(const nk_concat_params *p, const nk_concat_requant *rq, int32_t out_zp,
                         const int8_t *const *inputs, int8_t *output)
{
    if (!p || !rq || p->n_inputs < 1 || p->outer < 1 || p->elem_size != 1 || !p->in_inner ||
        !inputs || !output)
        return NK_ERR_PARAMS;
    for (int32_t i = 0; i < p->n_inputs; ++i)
        if (p->in_inner[i] < 0 || (p->in_inner[i] > 0 && !inputs[i]) || rq[i].shift > 30 ||
            rq[i].shift < -31)
            return NK_ERR_PARAMS;
    int8_t *out = output;
    for (int32_t k = 0; k < p->outer; ++k) {
        for (int32_t i = 0; i < p->n_inputs; ++i) {
            const int32_t n = p->in_inner[i];
            const int8_t *in = inputs[i] + (size_t)k * (size_t)n;
            if (rq[i].mult == 0) {
                memcpy(out, in, (size_t)n);
            } else {
                for (int32_t j = 0; j < n; ++j) {
                    const int32_t v =
                        nk_mbqm((int32_t)in[j] - rq[i].in_zp, rq[i].mult, rq[i].shift) + out_zp;
                    out[j] = (int8_t)nk_clamp(v, -128, 127);
                }
            }
            out += n;
        }
    }
    return NK_OK;
}

/* firmware/kernels/shape/nk_concat.c — CONCATENATION along one axis, any element
 * type (TFLite's reference Concatenation: for each outer step, copy each
 * input's inner block in turn).  nk_concat_s8_requant / _s16_requant also
 * requantize the int8 / int16 inputs whose quantization differs from the
 * output's. */
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

/* Inputs whose quantization differs from the output's, element type T
 * in [lo, hi]; the checks are the caller's. */
#define NK_CONCAT_RQ(T, lo, hi)                                                              \
    do {                                                                                     \
        T *out = (T *)output;                                                                \
        for (int32_t k = 0; k < p->outer; ++k) {                                             \
            for (int32_t i = 0; i < p->n_inputs; ++i) {                                      \
                const int32_t n = p->in_inner[i];                                            \
                const T *in = (const T *)inputs[i] + (size_t)k * (size_t)n;                  \
                if (rq[i].mult == 0) {                                                       \
                    memcpy(out, in, (size_t)n * sizeof(T));                                  \
                } else {                                                                     \
                    for (int32_t j = 0; j < n; ++j) {                                        \
                        const int32_t v = nk_mbqm((int32_t)in[j] - rq[i].in_zp, rq[i].mult,  \
                                                  rq[i].shift) + out_zp;                     \
                        out[j] = (T)nk_clamp(v, lo, hi);                                     \
                    }                                                                        \
                }                                                                            \
                out += n;                                                                    \
            }                                                                                \
        }                                                                                    \
    } while (0)

static int concat_rq_check(const nk_concat_params *p, const nk_concat_requant *rq,
                           const void *const *inputs, const void *output, int32_t elem_size)
{
    if (!p || !rq || p->n_inputs < 1 || p->outer < 1 || p->elem_size != elem_size ||
        !p->in_inner || !inputs || !output)
        return NK_ERR_PARAMS;
    for (int32_t i = 0; i < p->n_inputs; ++i)
        if (p->in_inner[i] < 0 || (p->in_inner[i] > 0 && !inputs[i]) || rq[i].shift > 30 ||
            rq[i].shift < -31)
            return NK_ERR_PARAMS;
    return NK_OK;
}

int nk_concat_s8_requant(const nk_concat_params *p, const nk_concat_requant *rq, int32_t out_zp,
                         const void *const *inputs, void *output)
{
    if (concat_rq_check(p, rq, inputs, output, 1) != NK_OK)
        return NK_ERR_PARAMS;
    NK_CONCAT_RQ(int8_t, -128, 127);
    return NK_OK;
}

int nk_concat_s16_requant(const nk_concat_params *p, const nk_concat_requant *rq, int32_t out_zp,
                          const void *const *inputs, void *output)
{
    if (concat_rq_check(p, rq, inputs, output, 2) != NK_OK)
        return NK_ERR_PARAMS;
    NK_CONCAT_RQ(int16_t, -32768, 32767);
    return NK_OK;
}

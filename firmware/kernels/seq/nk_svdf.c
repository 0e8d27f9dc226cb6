/* firmware/kernels/seq/nk_svdf.c — SVDF, int8 (int8 or int16 time weights
 * and state) and float32, bit-exact with TFLite Micro's reference kernels
 * (svdf_common.cc arithmetic: state shift, feature product rescaled into
 * the state, time product, rank reduction with bias, final rescale).
 * No scratch: each unit sums its rank filters as TFLite's reduction does,
 * in the same order. */
#include "nk.h"
#include "nk_fixedpoint.h"

static int svdf_check(const nk_svdf_params *p)
{
    if (!p || p->batches < 1 || p->input_size < 1 || p->num_filters < 1 ||
        p->memory_size < 1 || p->rank < 1 || p->num_filters % p->rank)
        return NK_ERR_PARAMS;
    return NK_OK;
}

/* Shift the whole state buffer left by one element (TFLite Micro shifts
 * across filter and batch boundaries; the last column is rewritten next). */
#define SVDF_SHIFT(T, st, n)                                                  \
    do {                                                                      \
        for (int32_t k_ = 0; k_ + 1 < (n); ++k_)                              \
            (st)[k_] = (st)[k_ + 1];                                          \
    } while (0)

int nk_svdf_s8(const nk_svdf_params *p, const int8_t *input, const int8_t *weights_feature,
               const void *weights_time, const int32_t *bias, void *state, int8_t *output)
{
    if (svdf_check(p) || !input || !weights_feature || !weights_time || !state || !output ||
        (p->state_bits != 8 && p->state_bits != 16))
        return NK_ERR_PARAMS;
    const int32_t nb = p->batches, ni = p->input_size, nf = p->num_filters;
    const int32_t nm = p->memory_size, nu = nf / p->rank;
    const int32_t n = nb * nf * nm;
    const int wide = p->state_bits == 16;
    int16_t *s16 = (int16_t *)state;
    int8_t *s8 = (int8_t *)state;
    const int16_t *t16 = (const int16_t *)weights_time;
    const int8_t *t8 = (const int8_t *)weights_time;
    const int32_t smax = wide ? 32767 : 127, smin = wide ? -32768 : -128;
    if (wide)
        SVDF_SHIFT(int16_t, s16, n);
    else
        SVDF_SHIFT(int8_t, s8, n);
    for (int32_t b = 0; b < nb; ++b) {
        const int8_t *x = input + (size_t)b * ni;
        for (int32_t f = 0; f < nf; ++f) {
            const int8_t *w = weights_feature + (size_t)f * ni;
            int32_t acc = 0;
            for (int32_t c = 0; c < ni; ++c)
                acc += (int32_t)w[c] * ((int32_t)x[c] - p->in_zp);
            acc = nk_mbqm(acc, p->mult1, p->shift1) + p->state_zp;
            acc = nk_clamp(acc, smin, smax);
            size_t at = ((size_t)b * nf + f) * nm + (size_t)(nm - 1);
            if (wide)
                s16[at] = (int16_t)acc;
            else
                s8[at] = (int8_t)acc;
        }
    }
    for (int32_t b = 0; b < nb; ++b) {
        for (int32_t u = 0; u < nu; ++u) {
            int32_t sum = bias ? bias[u] : 0;
            for (int32_t r = 0; r < p->rank; ++r) {
                const int32_t f = u * p->rank + r;
                const size_t off = ((size_t)b * nf + f) * nm, woff = (size_t)f * nm;
                int32_t dot = 0;
                for (int32_t j = 0; j < nm; ++j) {
                    int32_t sv = wide ? s16[off + j] : s8[off + j];
                    int32_t wv = wide ? t16[woff + j] : t8[woff + j];
                    /* int32 accumulation wraps, as on the device (and in
                     * TFLM's int32 arithmetic); signed overflow is UB in C. */
                    dot = (int32_t)((uint32_t)dot + (uint32_t)(wv * (sv - p->state_zp)));
                }
                sum = (int32_t)((uint32_t)sum + (uint32_t)dot);
            }
            int32_t y = nk_mbqm(sum, p->mult2, p->shift2) + p->out_zp;
            output[(size_t)b * nu + u] = (int8_t)nk_clamp(y, -128, 127);
        }
    }
    return NK_OK;
}

int nk_svdf_f32(const nk_svdf_params *p, const float *input, const float *weights_feature,
                const float *weights_time, const float *bias, float *state, float *output)
{
    if (svdf_check(p) || !input || !weights_feature || !weights_time || !state || !output)
        return NK_ERR_PARAMS;
    const int32_t nb = p->batches, ni = p->input_size, nf = p->num_filters;
    const int32_t nm = p->memory_size, nu = nf / p->rank;
    SVDF_SHIFT(float, state, nb * nf * nm);
    for (int32_t b = 0; b < nb; ++b) {
        const float *x = input + (size_t)b * ni;
        for (int32_t f = 0; f < nf; ++f) {
            const float *w = weights_feature + (size_t)f * ni;
            float acc = 0.0f;
            for (int32_t c = 0; c < ni; ++c)
                acc += w[c] * x[c];
            state[((size_t)b * nf + f) * nm + (size_t)(nm - 1)] = acc;
        }
    }
    for (int32_t b = 0; b < nb; ++b) {
        for (int32_t u = 0; u < nu; ++u) {
            float sum = bias ? bias[u] : 0.0f;
            for (int32_t r = 0; r < p->rank; ++r) {
                const int32_t f = u * p->rank + r;
                const float *sv = state + ((size_t)b * nf + f) * nm;
                const float *wv = weights_time + (size_t)f * nm;
                float dot = 0.0f;
                for (int32_t j = 0; j < nm; ++j)
                    dot += wv[j] * sv[j];
                sum += dot;
            }
            output[(size_t)b * nu + u] = nk_fminmax(sum, p->act_min_f, p->act_max_f);
        }
    }
    return NK_OK;
}

/* firmware/kernels/seq/nk_lstm.c — UNIDIRECTIONAL_SEQUENCE_LSTM, float32,
 * in TFLite Micro's reference order of operations (lstm_eval: per step the
 * forget, input and cell gates, the cell update, the output gate, the
 * hidden update; each gate = (W_x x + b) + W_h h, then its activation).
 * Float results match TFLite Micro within rounding of exp/tanh. */
#include <math.h>

#include "nk.h"
#include "nk_fixedpoint.h"

/* TFLite's reference float logistic (cut-offs as nk_logistic_f32). */
static float lstm_sigmoid(float v)
{
    if (v > 16.619047164916992188f)
        return 1.0f;
    if (v < -9.0f)
        return expf(v);
    return 1.0f / (1.0f + expf(-v));
}

/* One gate for `rows` rows: out = act((W_x x + b) + W_h h). */
static void lstm_gate(const nk_lstm_params *p, int32_t rows, const float *x, const float *h,
                      const float *wx, const float *wh, const float *bias, int tanh_act,
                      float *out)
{
    const int32_t ni = p->input_size, nu = p->units;
    for (int32_t r = 0; r < rows; ++r) {
        for (int32_t u = 0; u < nu; ++u) {
            float a = 0.0f, c = 0.0f;
            const float *w = wx + (size_t)u * ni;
            for (int32_t k = 0; k < ni; ++k)
                a += x[(size_t)r * ni + k] * w[k];
            a += bias ? bias[u] : 0.0f;
            w = wh + (size_t)u * nu;
            for (int32_t k = 0; k < nu; ++k)
                c += h[(size_t)r * nu + k] * w[k];
            float g = a + c;
            out[(size_t)r * nu + u] = tanh_act ? tanhf(g) : lstm_sigmoid(g);
        }
    }
}

/* One time step for `rows` rows of x (state rows h/c, output rows y). */
static void lstm_step(const nk_lstm_params *p, int32_t rows, const float *x,
                      const float *const w_in[4], const float *const w_rec[4],
                      const float *const bias[4], float *h, float *c, float *scratch,
                      float *y)
{
    const size_t n = (size_t)rows * (size_t)p->units;
    float *fg = scratch, *ig = scratch + n, *cg = scratch + 2 * n, *og = scratch + 3 * n;
    lstm_gate(p, rows, x, h, w_in[1], w_rec[1], bias[1], 0, fg);
    lstm_gate(p, rows, x, h, w_in[0], w_rec[0], bias[0], 0, ig);
    lstm_gate(p, rows, x, h, w_in[2], w_rec[2], bias[2], 1, cg);
    for (size_t k = 0; k < n; ++k) {
        float v = fg[k] * c[k] + ig[k] * cg[k];
        if (p->cell_clip > 0.0f)
            v = nk_fminmax(v, -p->cell_clip, p->cell_clip);
        c[k] = v;
    }
    lstm_gate(p, rows, x, h, w_in[3], w_rec[3], bias[3], 0, og);
    for (size_t k = 0; k < n; ++k) {
        h[k] = tanhf(c[k]) * og[k];
        y[k] = h[k];
    }
}

int nk_lstm_f32(const nk_lstm_params *p, const float *input, const float *const w_in[4],
                const float *const w_rec[4], const float *const bias[4], float *hidden,
                float *cell, float *scratch, float *output)
{
    if (!p || p->time_steps < 1 || p->batches < 1 || p->input_size < 1 || p->units < 1 ||
        !input || !w_in || !w_rec || !bias || !hidden || !cell || !scratch || !output)
        return NK_ERR_PARAMS;
    for (int g = 0; g < 4; ++g)
        if (!w_in[g] || !w_rec[g])
            return NK_ERR_PARAMS;
    const int32_t nt = p->time_steps, nb = p->batches, ni = p->input_size, nu = p->units;
    if (p->time_major) {
        for (int32_t t = 0; t < nt; ++t)
            lstm_step(p, nb, input + (size_t)t * nb * ni, w_in, w_rec, bias, hidden, cell,
                      scratch, output + (size_t)t * nb * nu);
        return NK_OK;
    }
    for (int32_t b = 0; b < nb; ++b)
        for (int32_t t = 0; t < nt; ++t)
            lstm_step(p, 1, input + ((size_t)b * nt + t) * ni, w_in, w_rec, bias,
                      hidden + (size_t)b * nu, cell + (size_t)b * nu, scratch,
                      output + ((size_t)b * nt + t) * nu);
    return NK_OK;
}

/* tests/kernels/seq/test_nk_lstm.c — float LSTM against a double-precision
 * model of the equations (i, f, o = sigmoid, g = tanh, c = f c + i g,
 * h = o tanh(c)), batch-major and time-major layouts, state carried across
 * calls, and cell clipping. */
#include <math.h>
#include <string.h>

#include "kernel_ref.h"
#include "nk.h"
#include "test_util.h"

enum { NT = 4, NB = 2, NI = 3, NU = 5 };

static float frand(uint32_t *s)
{
    return (float)((double)(ref_rand(s) % 20001u) / 10000.0 - 1.0);
}

static double sig(double v) { return 1.0 / (1.0 + exp(-v)); }

static void ref_step(const float *x, const float *wi[4], const float *wr[4], const float *b[4],
                     double *h, double *c, double clip, double *y)
{
    double g[4][NU];
    for (int k = 0; k < 4; ++k)
        for (int u = 0; u < NU; ++u) {
            double a = b[k][u];
            for (int j = 0; j < NI; ++j)
                a += (double)wi[k][u * NI + j] * x[j];
            for (int j = 0; j < NU; ++j)
                a += (double)wr[k][u * NU + j] * h[j];
            g[k][u] = k == 2 ? tanh(a) : sig(a);
        }
    for (int u = 0; u < NU; ++u) {
        c[u] = g[1][u] * c[u] + g[0][u] * g[2][u];
        if (clip > 0)
            c[u] = c[u] > clip ? clip : (c[u] < -clip ? -clip : c[u]);
    }
    for (int u = 0; u < NU; ++u)
        y[u] = h[u] = g[3][u] * tanh(c[u]);
}

static void run(int time_major, float clip)
{
    uint32_t seed = 99u + (uint32_t)time_major;
    static float wi_d[4][NU * NI], wr_d[4][NU * NU], b_d[4][NU];
    for (int k = 0; k < 4; ++k) {
        for (int i = 0; i < NU * NI; ++i)
            wi_d[k][i] = frand(&seed);
        for (int i = 0; i < NU * NU; ++i)
            wr_d[k][i] = frand(&seed);
        for (int i = 0; i < NU; ++i)
            b_d[k][i] = frand(&seed);
    }
    const float *wi[4] = {wi_d[0], wi_d[1], wi_d[2], wi_d[3]};
    const float *wr[4] = {wr_d[0], wr_d[1], wr_d[2], wr_d[3]};
    const float *b[4] = {b_d[0], b_d[1], b_d[2], b_d[3]};
    float x[NT * NB * NI], y[NT * NB * NU], h[NB * NU] = {0}, c[NB * NU] = {0}, scr[4 * NB * NU];
    double rh[NB][NU], rc[NB][NU], ry[NU];
    memset(rh, 0, sizeof rh);
    memset(rc, 0, sizeof rc);
    nk_lstm_params p = {.time_steps = NT, .batches = NB, .input_size = NI, .units = NU,
                        .time_major = time_major, .cell_clip = clip};
    double worst = 0;
    for (int call = 0; call < 2; ++call) { /* the second call starts from the first's state */
        for (int i = 0; i < NT * NB * NI; ++i)
            x[i] = 3 * frand(&seed);
        CU_ASSERT_EQUAL_FATAL(nk_lstm_f32(&p, x, wi, wr, b, h, c, scr, y), NK_OK);
        for (int bb = 0; bb < NB; ++bb)
            for (int t = 0; t < NT; ++t) {
                size_t xi = time_major ? ((size_t)t * NB + bb) * NI : ((size_t)bb * NT + t) * NI;
                size_t yi = time_major ? ((size_t)t * NB + bb) * NU : ((size_t)bb * NT + t) * NU;
                ref_step(x + xi, wi, wr, b, rh[bb], rc[bb], clip, ry);
                for (int u = 0; u < NU; ++u)
                    worst = fmax(worst, fabs(y[yi + u] - ry[u]));
            }
        for (int bb = 0; bb < NB; ++bb)
            for (int u = 0; u < NU; ++u)
                worst = fmax(worst, fabs(c[bb * NU + u] - rc[bb][u]));
    }
    CU_ASSERT(worst < 1e-5);
    if (clip > 0)
        for (int i = 0; i < NB * NU; ++i)
            CU_ASSERT(fabsf(c[i]) <= clip);
}

static void test_batch_major(void) { run(0, 0.0f); }
static void test_time_major_clip(void) { run(1, 0.3f); }

static void test_bad_params(void)
{
    float v[4] = {0};
    const float *w[4] = {v, v, v, NULL}, *bb[4] = {NULL, NULL, NULL, NULL};
    nk_lstm_params p = {.time_steps = 1, .batches = 1, .input_size = 1, .units = 1};
    CU_ASSERT_EQUAL(nk_lstm_f32(&p, v, w, w, bb, v, v, v, v), NK_ERR_PARAMS);
    p.units = 0;
    w[3] = v;
    CU_ASSERT_EQUAL(nk_lstm_f32(&p, v, w, w, bb, v, v, v, v), NK_ERR_PARAMS);
}

int neurio_register_tests(void)
{
    CU_pSuite s = CU_add_suite("nk_lstm", NULL, NULL);
    if (!s || !CU_add_test(s, "batch-major, state across calls", test_batch_major) ||
        !CU_add_test(s, "time-major with cell clip", test_time_major_clip) ||
        !CU_add_test(s, "bad parameters", test_bad_params))
        return -1;
    return 0;
}

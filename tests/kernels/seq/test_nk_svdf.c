/* tests/kernels/seq/test_nk_svdf.c — SVDF: int8 with int16 and int8 state and
 * float32, over several calls (the state carries from one call to the
 * next), against an independent model of the op written from its
 * definition: the state is a [filter][memory] history, the newest column
 * is the rescaled feature product, each unit sums rank filters of
 * weights_time . history. */
#include <string.h>

#include "kernel_ref.h"
#include "nk.h"
#include "test_util.h"

enum { NB = 2, NI = 7, NF = 6, NM = 5, RK = 2, NU = NF / RK, CALLS = 9 };

/* Reference: history[b][f][t] kept as an explicit queue (oldest first). */
static void ref_svdf(int wide, const int8_t *x, const int8_t *wf, const int32_t *wt,
                     const int32_t *bias, int32_t hist[NB][NF][NM], const nk_svdf_params *p,
                     int8_t *y)
{
    const int32_t smax = wide ? 32767 : 127, smin = wide ? -32768 : -128;
    for (int b = 0; b < NB; ++b)
        for (int f = 0; f < NF; ++f) {
            for (int t = 0; t + 1 < NM; ++t)
                hist[b][f][t] = hist[b][f][t + 1];
            int64_t acc = 0;
            for (int c = 0; c < NI; ++c)
                acc += (int64_t)wf[f * NI + c] * (x[b * NI + c] - p->in_zp);
            hist[b][f][NM - 1] =
                ref_clamp(ref_requant(acc, p->mult1, p->shift1) + p->state_zp, smin, smax);
        }
    for (int b = 0; b < NB; ++b)
        for (int u = 0; u < NU; ++u) {
            int64_t sum = bias[u];
            for (int r = 0; r < RK; ++r)
                for (int t = 0; t < NM; ++t)
                    sum += (int64_t)wt[(u * RK + r) * NM + t] * (hist[b][u * RK + r][t] - p->state_zp);
            y[b * NU + u] = (int8_t)ref_clamp(ref_requant(sum, p->mult2, p->shift2) + p->out_zp,
                                              -128, 127);
        }
}

static void run_s8(int wide)
{
    uint32_t seed = wide ? 12345u : 777u;
    int8_t x[NB * NI], wf[NF * NI], y[NB * NU], want[NB * NU];
    int32_t wt32[NF * NM], bias[NU];
    int16_t wt16[NF * NM], st16[NB * NF * NM];
    int8_t wt8[NF * NM], st8[NB * NF * NM];
    int32_t hist[NB][NF][NM];
    memset(hist, 0, sizeof hist);
    for (int i = 0; i < NF * NI; ++i)
        wf[i] = ref_rand_s8(&seed);
    for (int i = 0; i < NF * NM; ++i) {
        wt32[i] = wide ? (int32_t)(int16_t)(ref_rand(&seed) & 0xffff) : ref_rand_s8(&seed);
        wt16[i] = (int16_t)wt32[i];
        wt8[i] = (int8_t)wt32[i];
    }
    for (int i = 0; i < NU; ++i)
        bias[i] = (int32_t)(ref_rand(&seed) % 20001u) - 10000;
    nk_svdf_params p = {.batches = NB, .input_size = NI, .num_filters = NF, .memory_size = NM,
                        .rank = RK, .state_bits = wide ? 16 : 8, .in_zp = -3,
                        .state_zp = wide ? 0 : 5, .out_zp = 7};
    ref_multiplier(wide ? 0.9 : 0.011, &p.mult1, &p.shift1);
    ref_multiplier(wide ? 3.1e-5 : 0.0009, &p.mult2, &p.shift2);
    /* the state starts at the zero point, as TFLite resets it */
    for (int i = 0; i < NB * NF * NM; ++i) {
        st16[i] = (int16_t)p.state_zp;
        st8[i] = (int8_t)p.state_zp;
    }
    for (int b = 0; b < NB; ++b)
        for (int f = 0; f < NF; ++f)
            for (int t = 0; t < NM; ++t)
                hist[b][f][t] = p.state_zp;
    int bad = 0;
    for (int call = 0; call < CALLS; ++call) {
        for (int i = 0; i < NB * NI; ++i)
            x[i] = ref_rand_s8(&seed);
        /* the kernel's flat shift moves each filter's oldest element into
         * the previous filter's newest slot, which the new column then
         * overwrites: same as independent per-filter queues */
        CU_ASSERT_EQUAL_FATAL(nk_svdf_s8(&p, x, wf, wide ? (const void *)wt16 : (const void *)wt8,
                                         bias, wide ? (void *)st16 : (void *)st8, y),
                              NK_OK);
        ref_svdf(wide, x, wf, wt32, bias, hist, &p, want);
        for (int i = 0; i < NB * NU; ++i)
            bad += y[i] != want[i];
        for (int b = 0; b < NB; ++b)
            for (int f = 0; f < NF; ++f)
                for (int t = 0; t < NM; ++t) {
                    int32_t got = wide ? st16[(b * NF + f) * NM + t] : st8[(b * NF + f) * NM + t];
                    bad += got != hist[b][f][t];
                }
    }
    CU_ASSERT_EQUAL(bad, 0);
}

static void test_svdf_s8_state16(void) { run_s8(1); }
static void test_svdf_s8_state8(void) { run_s8(0); }

static void test_svdf_f32(void)
{
    /* one filter, rank 1, memory 3: output = sum_t wt[t] * history[t] */
    const float wf[2] = {1.0f, 2.0f}, wt[3] = {0.5f, -1.0f, 2.0f}, bias[1] = {0.25f};
    float st[3] = {0}, y[1];
    nk_svdf_params p = {.batches = 1, .input_size = 2, .num_filters = 1, .memory_size = 3,
                        .rank = 1, .act_min_f = -1e30f, .act_max_f = 1e30f};
    const float x[3][2] = {{1, 1}, {2, 0}, {0, -1}}; /* features 3, 2, -2 */
    const float want[3] = {0.25f + 2 * 3, 0.25f - 3 + 2 * 2, 0.25f + 0.5f * 3 - 2 - 4};
    for (int c = 0; c < 3; ++c) {
        CU_ASSERT_EQUAL_FATAL(nk_svdf_f32(&p, x[c], wf, wt, bias, st, y), NK_OK);
        CU_ASSERT_DOUBLE_EQUAL(y[0], want[c], 1e-6);
    }
    p.act_min_f = 0.0f; /* RELU */
    CU_ASSERT_EQUAL_FATAL(nk_svdf_f32(&p, x[2], wf, wt, bias, st, y), NK_OK);
    CU_ASSERT(y[0] >= 0.0f);
    p.rank = 4; /* does not divide num_filters */
    CU_ASSERT_EQUAL(nk_svdf_f32(&p, x[0], wf, wt, bias, st, y), NK_ERR_PARAMS);
    p.rank = 1;
    p.state_bits = 12;
    CU_ASSERT_EQUAL(nk_svdf_s8(&p, (const int8_t *)x, (const int8_t *)wf, wt, NULL, st,
                               (int8_t *)y), NK_ERR_PARAMS);
}

int neurio_register_tests(void)
{
    CU_pSuite s = CU_add_suite("nk_svdf", NULL, NULL);
    if (!s || !CU_add_test(s, "int8, int16 state, 9 calls", test_svdf_s8_state16) ||
        !CU_add_test(s, "int8, int8 state with zero point, 9 calls", test_svdf_s8_state8) ||
        !CU_add_test(s, "float32 history and activation", test_svdf_f32))
        return -1;
    return 0;
}

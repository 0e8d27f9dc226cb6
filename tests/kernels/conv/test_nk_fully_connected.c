/* tests/kernels/conv/test_nk_fully_connected.c — FULLY_CONNECTED int8 (per-tensor
 * with weights zero point, per-channel, saturation) and float32. */
#include <string.h>

#include "kernel_ref.h"
#include "nk.h"
#include "test_util.h"

static void test_hand_computed(void)
{
    /* in = [1, 2, 3] (zp -1 -> values 2,3,4), W = [[1,0,-1],[2,2,2]],
     * bias [5, -10]: o0 = 2-4+5 = 3, o1 = 18-10 = 8; multiplier 0.5:
     * 1.5 -> 2 (half away from zero), 4 -> 4; out_zp 10. */
    const int8_t in[3] = {1, 2, 3}, w[6] = {1, 0, -1, 2, 2, 2};
    const int32_t bias[2] = {5, -10}, m[1] = {1 << 30}, s[1] = {0};
    nk_fc_params p = {.batches = 1, .in_depth = 3, .out_depth = 2, .in_zp = -1, .out_zp = 10,
                      .out_mult = m, .out_shift = s, .act_min = -128, .act_max = 127};
    int8_t out[2];
    CU_ASSERT_EQUAL_FATAL(nk_fully_connected_s8(&p, in, w, bias, out), NK_OK);
    CU_ASSERT_EQUAL(out[0], 12);
    CU_ASSERT_EQUAL(out[1], 14);
    /* saturation: multiplier 1.0 and a huge bias */
    const int32_t m1[1] = {1 << 30}, s1[1] = {1}, big[2] = {100000, -100000};
    p.out_mult = m1;
    p.out_shift = s1;
    CU_ASSERT_EQUAL_FATAL(nk_fully_connected_s8(&p, in, w, big, out), NK_OK);
    CU_ASSERT_EQUAL(out[0], 127);
    CU_ASSERT_EQUAL(out[1], -128);
}

static void run_random(int batches, int depth, int outs, int pc, int in_zp, int f_zp,
                       int out_zp, int amin, int amax, uint32_t seed)
{
    int8_t *in = malloc(batches * depth), *w = malloc(outs * depth);
    int8_t *out = malloc(batches * outs), *ref = malloc(batches * outs);
    int32_t *bias = malloc(4 * outs), *m = malloc(4 * outs), *s = malloc(4 * outs);
    for (int i = 0; i < batches * depth; ++i)
        in[i] = ref_rand_s8(&seed);
    for (int i = 0; i < outs * depth; ++i)
        w[i] = ref_rand_s8(&seed);
    for (int o = 0; o < outs; ++o) {
        bias[o] = (int32_t)(ref_rand(&seed) % 60001) - 30000;
        ref_multiplier(0.00005 + (ref_rand(&seed) % 1000) * 0.000003, &m[o], &s[o]);
    }
    nk_fc_params p = {.batches = batches, .in_depth = depth, .out_depth = outs, .in_zp = in_zp,
                      .filter_zp = f_zp, .out_zp = out_zp, .per_channel = pc, .out_mult = m,
                      .out_shift = s, .act_min = amin, .act_max = amax};
    CU_ASSERT_EQUAL_FATAL(nk_fully_connected_s8(&p, in, w, bias, out), NK_OK);
    for (int b = 0; b < batches; ++b)
        for (int o = 0; o < outs; ++o) {
            int64_t acc = bias[o];
            for (int d = 0; d < depth; ++d)
                acc += (int64_t)(w[o * depth + d] - f_zp) * (in[b * depth + d] - in_zp);
            int q = pc ? o : 0;
            ref[b * outs + o] = (int8_t)ref_clamp(ref_requant(acc, m[q], s[q]) + out_zp, amin, amax);
        }
    CU_ASSERT_EQUAL(memcmp(out, ref, (size_t)batches * outs), 0);
    free(in), free(w), free(out), free(ref), free(bias), free(m), free(s);
}

static void test_random(void)
{
    run_random(1, 640, 128, 0, 89, 0, 96, -128, 127, 21u); /* ad01-like */
    run_random(3, 250, 12, 1, -128, 0, 127, -128, 127, 22u);
    run_random(2, 16, 16, 0, 127, 3, -128, -128, 127, 23u);
    run_random(4, 33, 7, 1, 0, 0, -5, -5, 127, 24u); /* fused relu */
}

static void test_float(void)
{
    const float in[4] = {1.0f, -2.0f, 0.5f, 4.0f};
    const float w[8] = {1, 1, 1, 1, 0.5f, -0.5f, 2, 0};
    const float bias[2] = {-3.0f, 1.0f};
    float out[2];
    nk_fc_params p = {.batches = 1, .in_depth = 4, .out_depth = 2, .act_min_f = 0.0f,
                      .act_max_f = 6.0f};
    CU_ASSERT_EQUAL_FATAL(nk_fully_connected_f32(&p, in, w, bias, out), NK_OK);
    CU_ASSERT_DOUBLE_EQUAL(out[0], 0.5, 1e-6);       /* 3.5 - 3 */
    CU_ASSERT_DOUBLE_EQUAL(out[1], 3.5, 1e-6);       /* 0.5+1+1+1 */
    p.act_min_f = -1e30f;
    p.act_max_f = 1.0f;
    CU_ASSERT_EQUAL_FATAL(nk_fully_connected_f32(&p, in, w, NULL, out), NK_OK);
    CU_ASSERT_DOUBLE_EQUAL(out[0], 1.0, 1e-6);       /* 3.5 clamped */
    CU_ASSERT_DOUBLE_EQUAL(out[1], 1.0, 1e-6);       /* 2.5 clamped */
    p.in_depth = 0;
    CU_ASSERT_EQUAL(nk_fully_connected_f32(&p, in, w, NULL, out), NK_ERR_PARAMS);
}

int neurio_register_tests(void)
{
    CU_pSuite s = CU_add_suite("nk_fully_connected", NULL, NULL);
    if (!s)
        return -1;
    CU_add_test(s, "hand-computed rounding and saturation", test_hand_computed);
    CU_add_test(s, "random per-tensor/per-channel vs reference", test_random);
    CU_add_test(s, "float32", test_float);
    return 0;
}

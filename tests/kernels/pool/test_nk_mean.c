/* tests/kernels/pool/test_nk_mean.c — MEAN int8 and int16 (TFLite's truncating
 * integer mean for shared quantization, rescaled mean otherwise) and
 * float32, over spatial axes and a single axis. */
#include <string.h>

#include "kernel_ref.h"
#include "nk.h"
#include "test_util.h"

static void test_same_quant_truncates(void)
{
    /* [1,2,2,2] over H,W: ch0 1,2,3,5 -> 11/4 = 2 (trunc), ch1 -1,-2,-3,-5 -> -2 */
    const int8_t in[8] = {1, -1, 2, -2, 3, -3, 5, -5};
    int8_t out[2];
    nk_mean_params p = {.rank = 4, .in_dims = {1, 2, 2, 2}, .reduce = {0, 1, 1, 0}};
    CU_ASSERT_EQUAL_FATAL(nk_mean_s8(&p, in, out), NK_OK);
    CU_ASSERT_EQUAL(out[0], 2);
    CU_ASSERT_EQUAL(out[1], -2);
}

static void test_rescaled(void)
{
    /* in scale 0.1 zp 10, out scale 0.05 zp -5 over 4 elements: the sum of
     * (q - 10) scaled by 2/4, rounding as MultiplyByQuantizedMultiplier. */
    const int8_t in[8] = {11, 20, 13, -128, 10, 127, 15, 0};
    int8_t out[2];
    /* multiplier for 0.1/0.05 = 2 with 1/4 folded in: 0.5 -> (2^30, 0) */
    nk_mean_params p = {.rank = 2, .in_dims = {4, 2}, .reduce = {1, 0}, .in_zp = 10,
                        .out_zp = -5, .mult = 1 << 30, .shift = 0};
    CU_ASSERT_EQUAL_FATAL(nk_mean_s8(&p, in, out), NK_OK);
    /* ch0: 11,13,10,15 -> sum-zp = 9 -> 4.5 -> 5 -> 0; ch1: 20,-128,127,0 -> 19-40 = -21 -> -10.5 -> -10 -> -15 */
    CU_ASSERT_EQUAL(out[0], 5 - 5);
    CU_ASSERT_EQUAL(out[1], ref_requant(-21, 1 << 30, 0) - 5);
    CU_ASSERT_EQUAL(out[1], -15);
}

/* int16 over H and W of [1,5,6,3], shared and rescaled quantization,
 * against the definitions (truncating mean; zero-point-corrected sum
 * through the multiplier). */
static void test_s16(void)
{
    enum { H = 5, W = 6, C = 3 };
    static int16_t in[H * W * C];
    int16_t out[C];
    uint32_t seed = 0x3ea16u;
    for (int i = 0; i < H * W * C; ++i)
        in[i] = (int16_t)(int32_t)((ref_rand(&seed) & 0xffff) - 32768);
    nk_mean_params p = {.rank = 4, .in_dims = {1, H, W, C}, .reduce = {0, 1, 1, 0}};
    for (int k = 0; k < 2; ++k) {
        if (k) {
            p.in_zp = 7;
            p.out_zp = -3;
            ref_multiplier(1.7 / (H * W), &p.mult, &p.shift);
        }
        CU_ASSERT_EQUAL_FATAL(nk_mean_s16(&p, in, out), NK_OK);
        for (int c = 0; c < C; ++c) {
            int32_t sum = 0;
            for (int i = 0; i < H * W; ++i)
                sum += in[i * C + c];
            int32_t want = k ? ref_requant(sum - 7 * H * W, p.mult, p.shift) - 3 : sum / (H * W);
            CU_ASSERT_EQUAL(out[c], ref_clamp(want, -32768, 32767));
        }
    }
}

static void test_float(void)
{
    /* [2,3] mean over axis 1 and over both axes */
    const float in[6] = {1, 2, 3, 4, 5, 9};
    float out[2];
    nk_mean_params p = {.rank = 2, .in_dims = {2, 3}, .reduce = {0, 1}};
    CU_ASSERT_EQUAL_FATAL(nk_mean_f32(&p, in, out), NK_OK);
    CU_ASSERT_DOUBLE_EQUAL(out[0], 2.0, 1e-7);
    CU_ASSERT_DOUBLE_EQUAL(out[1], 6.0, 1e-7);
    p.reduce[0] = 1;
    CU_ASSERT_EQUAL_FATAL(nk_mean_f32(&p, in, out), NK_OK);
    CU_ASSERT_DOUBLE_EQUAL(out[0], 4.0, 1e-7);
    p.in_dims[1] = 0;
    CU_ASSERT_EQUAL(nk_mean_f32(&p, in, out), NK_ERR_PARAMS);
}

int neurio_register_tests(void)
{
    CU_pSuite s = CU_add_suite("nk_mean", NULL, NULL);
    if (!s)
        return -1;
    CU_add_test(s, "shared quantization: truncating integer mean", test_same_quant_truncates);
    CU_add_test(s, "rescaled quantized mean", test_rescaled);
    CU_add_test(s, "float32 over one and two axes", test_float);
    CU_add_test(s, "int16, shared and rescaled quantization", test_s16);
    return 0;
}

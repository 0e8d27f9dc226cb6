/* tests/kernels/activation/test_nk_relu.c — standalone RELU/RELU6 int8 (rescale then
 * clamp to the quantized activation range) and float32 clamps. */
#include "kernel_ref.h"
#include "nk.h"
#include "test_util.h"

static void test_int8_same_quant(void)
{
    /* scale 0.05, zp -20: relu -> [ -20, 127 ], relu6 -> [ -20, -20 + 120 ] */
    int8_t in[256], out[256];
    for (int i = 0; i < 256; ++i)
        in[i] = (int8_t)(i - 128);
    nk_requant_params p = {.size = 256, .in_zp = -20, .out_zp = -20, .act_min = -20,
                           .act_max = 127};
    ref_multiplier(1.0, &p.mult, &p.shift);
    CU_ASSERT_EQUAL_FATAL(nk_relu_s8(&p, in, out), NK_OK);
    int bad = 0;
    for (int i = 0; i < 256; ++i)
        bad += out[i] != (in[i] < -20 ? -20 : in[i]);
    CU_ASSERT_EQUAL(bad, 0);
    p.act_max = 100;
    CU_ASSERT_EQUAL_FATAL(nk_relu_s8(&p, in, out), NK_OK);
    bad = 0;
    for (int i = 0; i < 256; ++i)
        bad += out[i] != ref_clamp(in[i], -20, 100);
    CU_ASSERT_EQUAL(bad, 0);
}

static void test_int8_rescale(void)
{
    /* input scale 0.1 zp 0 -> output scale 0.05 zp -128: out = -128 + 2x */
    const int8_t in[4] = {-5, 0, 10, 127};
    int8_t out[4];
    nk_requant_params p = {.size = 4, .in_zp = 0, .out_zp = -128, .act_min = -128,
                           .act_max = 127};
    ref_multiplier(2.0, &p.mult, &p.shift);
    CU_ASSERT_EQUAL_FATAL(nk_relu_s8(&p, in, out), NK_OK);
    CU_ASSERT_EQUAL(out[0], -128);
    CU_ASSERT_EQUAL(out[1], -128);
    CU_ASSERT_EQUAL(out[2], -108);
    CU_ASSERT_EQUAL(out[3], 126); /* -128 + 254 */
}

static void test_float(void)
{
    const float in[4] = {-1.f, 0.5f, 7.f, 3.f};
    float out[4];
    CU_ASSERT_EQUAL_FATAL(nk_relu_f32(4, 0.f, 6.f, in, out), NK_OK);
    CU_ASSERT_DOUBLE_EQUAL(out[0], 0.0, 0);
    CU_ASSERT_DOUBLE_EQUAL(out[1], 0.5, 0);
    CU_ASSERT_DOUBLE_EQUAL(out[2], 6.0, 0);
    CU_ASSERT_DOUBLE_EQUAL(out[3], 3.0, 0);
    CU_ASSERT_EQUAL(nk_relu_f32(4, 1.f, 0.f, in, out), NK_ERR_PARAMS);
}

int neurio_register_tests(void)
{
    CU_pSuite s = CU_add_suite("nk_relu", NULL, NULL);
    if (!s)
        return -1;
    CU_add_test(s, "int8 relu/relu6 with shared quantization", test_int8_same_quant);
    CU_add_test(s, "int8 relu with rescale", test_int8_rescale);
    CU_add_test(s, "float32 relu6", test_float);
    return 0;
}

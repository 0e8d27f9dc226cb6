/* tests/kernels/quant/test_nk_dequantize.c — DEQUANTIZE int8 -> float32 over all
 * 256 codes, computed in double then rounded to float as TFLite. */
#include "kernel_ref.h"
#include "nk.h"
#include "test_util.h"

static void test_all_codes(void)
{
    int8_t in[256];
    float out[256];
    for (int i = 0; i < 256; ++i)
        in[i] = (int8_t)(i - 128);
    const float scales[3] = {0.0039215689f, 0.1f, 3.3f};
    const int zps[3] = {-128, 0, 127};
    int bad = 0;
    for (int k = 0; k < 3; ++k) {
        nk_quantize_params p = {.size = 256, .scale = scales[k], .zp = zps[k]};
        CU_ASSERT_EQUAL_FATAL(nk_dequantize_s8_f32(&p, in, out), NK_OK);
        for (int i = 0; i < 256; ++i)
            bad += out[i] != (float)((double)scales[k] * (in[i] - zps[k]));
    }
    CU_ASSERT_EQUAL(bad, 0);
    nk_quantize_params p = {.size = 2, .scale = 0.5f, .zp = -1};
    const int8_t two[2] = {-1, 3};
    CU_ASSERT_EQUAL_FATAL(nk_dequantize_s8_f32(&p, two, out), NK_OK);
    CU_ASSERT_DOUBLE_EQUAL(out[0], 0.0, 0);
    CU_ASSERT_DOUBLE_EQUAL(out[1], 2.0, 0);
    CU_ASSERT_EQUAL(nk_dequantize_s8_f32(&p, NULL, out), NK_ERR_PARAMS);
}

int neurio_register_tests(void)
{
    CU_pSuite s = CU_add_suite("nk_dequantize", NULL, NULL);
    if (!s)
        return -1;
    CU_add_test(s, "all codes, three quantizations", test_all_codes);
    return 0;
}

/* tests/kernels/quant/test_nk_requantize.c — QUANTIZE int8 -> int8: all 256
 * codes for scale ratios below and above 1, zero points at the extremes. */
#include "kernel_ref.h"
#include "nk.h"
#include "test_util.h"

static void test_all_codes(void)
{
    int8_t in[256], out[256];
    for (int i = 0; i < 256; ++i)
        in[i] = (int8_t)(i - 128);
    const double ratios[4] = {0.37, 1.0, 1.9, 0.0071};
    const int zin[4] = {-128, 5, 127, 0}, zout[4] = {127, -128, 0, 3};
    int bad = 0, far = 0;
    for (int k = 0; k < 4; ++k) {
        nk_requant_params p = {.size = 256, .in_zp = zin[k], .out_zp = zout[k],
                               .act_min = -128, .act_max = 127};
        ref_multiplier(ratios[k], &p.mult, &p.shift);
        CU_ASSERT_EQUAL_FATAL(nk_requantize_s8(&p, in, out), NK_OK);
        for (int i = 0; i < 256; ++i) {
            int32_t w = ref_clamp(ref_requant(in[i] - zin[k], p.mult, p.shift) + zout[k], -128, 127);
            bad += out[i] != w;
            double real = fmin(127, fmax(-128, ratios[k] * (in[i] - zin[k]) + zout[k]));
            /* double rounding (TFLite's) can land one step off real rounding */
            far += fabs(out[i] - real) >= 1.0;
        }
    }
    CU_ASSERT_EQUAL(bad, 0);
    CU_ASSERT_EQUAL(far, 0);
}

static void test_identity_and_inplace(void)
{
    int8_t buf[3] = {-128, 0, 127};
    nk_requant_params p = {.size = 3, .act_min = -128, .act_max = 127};
    ref_multiplier(1.0, &p.mult, &p.shift);
    CU_ASSERT_EQUAL_FATAL(nk_requantize_s8(&p, buf, buf), NK_OK);
    CU_ASSERT_EQUAL(buf[0], -128);
    CU_ASSERT_EQUAL(buf[1], 0);
    CU_ASSERT_EQUAL(buf[2], 127);
    p.shift = 40;
    CU_ASSERT_EQUAL(nk_requantize_s8(&p, buf, buf), NK_ERR_PARAMS);
}

int neurio_register_tests(void)
{
    CU_pSuite s = CU_add_suite("nk_requantize", NULL, NULL);
    if (!s)
        return -1;
    CU_add_test(s, "all codes, ratios < 1 and > 1, extreme zero points", test_all_codes);
    CU_add_test(s, "identity in place; bad shift refused", test_identity_and_inplace);
    return 0;
}

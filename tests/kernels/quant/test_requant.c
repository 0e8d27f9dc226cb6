/* tests/kernels/quant/test_requant.c — libneurio's derivation of the kernels'
 * fixed-point constants (neurio/requant.h), against values worked out by
 * hand from TFLite's formulas, plus error reporting. */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "neurio/requant.h"
#include "test_util.h"

static void test_quantize_multiplier(void)
{
    int32_t m, s;
    neurio_quantize_multiplier(0.5, &m, &s);
    CU_ASSERT(m == (1 << 30) && s == 0);
    neurio_quantize_multiplier(1.0, &m, &s);
    CU_ASSERT(m == (1 << 30) && s == 1);
    neurio_quantize_multiplier(0.75, &m, &s);
    CU_ASSERT(m == 1610612736 && s == 0);
    neurio_quantize_multiplier(0.1, &m, &s); /* 0.8 * 2^-3 */
    CU_ASSERT(m == 1717986918 && s == -3);
    neurio_quantize_multiplier(0.0, &m, &s);
    CU_ASSERT(m == 0 && s == 0);
    neurio_quantize_multiplier(1e-12, &m, &s); /* shift < -31: flushed */
    CU_ASSERT(m == 0 && s == 0);
    /* mantissa rounding up to 2^31 is folded into the exponent */
    neurio_quantize_multiplier(1.0 - ldexp(1.0, -40), &m, &s);
    CU_ASSERT(m == (1 << 30) && s == 1);
}

static void test_conv_fc(void)
{
    const float fs[3] = {0.02f, 0.5f, 0.0003f};
    int32_t m[3], s[3];
    neurio_errbuf err = {{0}};
    CU_ASSERT_EQUAL_FATAL(neurio_conv_multipliers(0.1f, fs, 3, 0.05f, m, s, &err), NEURIO_OK);
    for (int i = 0; i < 3; ++i) {
        int32_t wm, ws;
        neurio_quantize_multiplier((double)0.1f * (double)fs[i] / (double)0.05f, &wm, &ws);
        CU_ASSERT(m[i] == wm && s[i] == ws);
    }
    /* 0.1 * 0.5 / 0.05 ~ 1.0 -> shift 1 */
    CU_ASSERT_EQUAL(s[1], 1);
    /* FC per-tensor multiplies in float first (TFLite Micro) */
    const float in_s = 0.123456789f, f_s = 0.00987654321f, out_s = 0.0777f;
    CU_ASSERT_EQUAL_FATAL(neurio_fc_multipliers(in_s, &f_s, 1, out_s, m, s, &err), NEURIO_OK);
    int32_t wm, ws;
    float prod = in_s * f_s;
    neurio_quantize_multiplier((double)prod / (double)out_s, &wm, &ws);
    CU_ASSERT(m[0] == wm && s[0] == ws);
    /* a zero filter scale is refused with its index */
    const float bad[2] = {0.1f, 0.0f};
    CU_ASSERT_EQUAL(neurio_conv_multipliers(0.1f, bad, 2, 0.05f, m, s, &err), NEURIO_ERR_INVALID);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "filter scale [1]"));
}

static void test_act_range(void)
{
    int32_t lo, hi;
    neurio_errbuf err = {{0}};
    CU_ASSERT_EQUAL(neurio_act_range_s8(NEURIO_ACT_NONE, 0.1f, -128, &lo, &hi, &err), NEURIO_OK);
    CU_ASSERT(lo == -128 && hi == 127);
    CU_ASSERT_EQUAL(neurio_act_range_s8(NEURIO_ACT_RELU, 0.1f, -20, &lo, &hi, &err), NEURIO_OK);
    CU_ASSERT(lo == -20 && hi == 127);
    CU_ASSERT_EQUAL(neurio_act_range_s8(NEURIO_ACT_RELU6, 0.1f, -128, &lo, &hi, &err), NEURIO_OK);
    CU_ASSERT(lo == -128 && hi == -68);
    CU_ASSERT_EQUAL(neurio_act_range_s8(NEURIO_ACT_RELU6, 0.01f, 0, &lo, &hi, &err), NEURIO_OK);
    CU_ASSERT(lo == 0 && hi == 127); /* 600 clamps */
    CU_ASSERT_EQUAL(neurio_act_range_s8(NEURIO_ACT_RELU_N1_TO_1, 0.1f, -128, &lo, &hi, &err),
                    NEURIO_OK);
    CU_ASSERT(lo == -128 && hi == -118);
    CU_ASSERT_EQUAL(neurio_act_range_s8(NEURIO_ACT_RELU, 0.0f, 0, &lo, &hi, &err),
                    NEURIO_ERR_INVALID);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "output scale"));
    float flo, fhi;
    neurio_act_range_f32(NEURIO_ACT_RELU6, &flo, &fhi);
    CU_ASSERT(flo == 0.0f && fhi == 6.0f);
    neurio_act_range_f32(NEURIO_ACT_NONE, &flo, &fhi);
    CU_ASSERT(flo == -FLT_MAX && fhi == FLT_MAX);
}

static void test_add_mul(void)
{
    neurio_add_quant q;
    neurio_errbuf err = {{0}};
    CU_ASSERT_EQUAL_FATAL(neurio_add_params_s8(0.5f, 0.25f, 1.0f, &q, &err), NEURIO_OK);
    CU_ASSERT_EQUAL(q.left_shift, 20);
    CU_ASSERT(q.in1_mult == (1 << 30) && q.in1_shift == 0);   /* 0.5  */
    CU_ASSERT(q.in2_mult == (1 << 30) && q.in2_shift == -1);  /* 0.25 */
    CU_ASSERT(q.out_mult == (1 << 30) && q.out_shift == -19); /* 2^-20 */
    int32_t m, s;
    CU_ASSERT_EQUAL_FATAL(neurio_mul_params_s8(0.5f, 0.5f, 0.125f, &m, &s, &err), NEURIO_OK);
    CU_ASSERT(m == (1 << 30) && s == 2); /* 2.0 */
    CU_ASSERT_EQUAL(neurio_mul_params_s8(0.5f, NAN, 0.125f, &m, &s, &err), NEURIO_ERR_INVALID);
}

static void test_softmax_sigmoid(void)
{
    int32_t m, s, r;
    neurio_errbuf err = {{0}};
    /* 0.1 * 2^26 = 0.8 * 2^23; diff_min = -floor(31 * 2^26 / 2^23) = -248 */
    CU_ASSERT_EQUAL_FATAL(neurio_softmax_params_s8(1.0f, 0.1f, &m, &s, &r, &err), NEURIO_OK);
    CU_ASSERT_EQUAL(s, 23);
    CU_ASSERT(abs(m - 1717986918) <= 64); /* 0.1f is not exactly 0.1 */
    CU_ASSERT_EQUAL(r, -248);
    /* 0.1 * 2^27 = 0.8 * 2^24; radius = floor(15 * 2^27 / 2^24) = 120 */
    CU_ASSERT_EQUAL_FATAL(neurio_logistic_params_s8(0.1f, &m, &s, &r, &err), NEURIO_OK);
    CU_ASSERT_EQUAL(s, 24);
    CU_ASSERT_EQUAL(r, 120);
    int32_t m2, s2, r2;
    CU_ASSERT_EQUAL_FATAL(neurio_tanh_params_s8(0.1f, &m2, &s2, &r2, &err), NEURIO_OK);
    CU_ASSERT(m2 == m && s2 == s && r2 == r);
    /* power of two scale 1/16: 2^23 exactly -> mult 2^30, shift 24 */
    CU_ASSERT_EQUAL_FATAL(neurio_logistic_params_s8(0.0625f, &m, &s, &r, &err), NEURIO_OK);
    CU_ASSERT(m == (1 << 30) && s == 24);
    CU_ASSERT_EQUAL(neurio_softmax_params_s8(-1.0f, 0.1f, &m, &s, &r, &err), NEURIO_ERR_INVALID);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "beta"));
}

static void test_mean_requant_relu(void)
{
    int32_t m, s, lo, hi;
    neurio_errbuf err = {{0}};
    CU_ASSERT_EQUAL_FATAL(neurio_mean_params_s8(0.1f, 3, 0.1f, 3, 49, &m, &s, &err), NEURIO_OK);
    CU_ASSERT(m == 0 && s == 0); /* same quantization: plain integer mean */
    /* 0.1/0.05 = 2 -> (2^30, 2); count 4: s=2 -> (2^30 * 4) / 4, shift 0 */
    CU_ASSERT_EQUAL_FATAL(neurio_mean_params_s8(0.1f, 0, 0.05f, 0, 4, &m, &s, &err), NEURIO_OK);
    CU_ASSERT(m == (1 << 30) && s == 0);
    /* count 3: s = 1 -> 2^31 / 3 = 715827882, shift 1 */
    CU_ASSERT_EQUAL_FATAL(neurio_mean_params_s8(0.1f, 0, 0.05f, 0, 3, &m, &s, &err), NEURIO_OK);
    CU_ASSERT(m == 715827882 && s == 1);
    CU_ASSERT_EQUAL(neurio_mean_params_s8(0.1f, 0, 0.05f, 0, 0, &m, &s, &err), NEURIO_ERR_INVALID);
    CU_ASSERT_EQUAL_FATAL(neurio_requant_params_s8(0.2f, 0.1f, &m, &s, &err), NEURIO_OK);
    CU_ASSERT(m == (1 << 30) && s == 2);
    CU_ASSERT_EQUAL_FATAL(neurio_relu_params_s8(NEURIO_ACT_RELU6, 0.1f, 0.1f, -128, &m, &s, &lo,
                                                &hi, &err), NEURIO_OK);
    CU_ASSERT(m == (1 << 30) && s == 1 && lo == -128 && hi == -68);
    CU_ASSERT_EQUAL(neurio_relu_params_s8(NEURIO_ACT_NONE, 0.1f, 0.1f, 0, &m, &s, &lo, &hi, &err),
                    NEURIO_ERR_INVALID);
}

static void test_padding(void)
{
    int32_t out, pad;
    neurio_errbuf err = {{0}};
    /* kws first conv: 49 rows, 10-tall filter, stride 2, SAME -> 25, pad 4 */
    CU_ASSERT_EQUAL_FATAL(neurio_compute_padding(NEURIO_PAD_SAME, 49, 10, 2, 1, 0, &out, &pad,
                                                 &err), NEURIO_OK);
    CU_ASSERT(out == 25 && pad == 4);
    CU_ASSERT_EQUAL_FATAL(neurio_compute_padding(NEURIO_PAD_SAME, 10, 4, 2, 1, 0, &out, &pad,
                                                 &err), NEURIO_OK);
    CU_ASSERT(out == 5 && pad == 1);
    CU_ASSERT_EQUAL_FATAL(neurio_compute_padding(NEURIO_PAD_VALID, 5, 3, 1, 2, 0, &out, &pad,
                                                 &err), NEURIO_OK);
    CU_ASSERT(out == 1 && pad == 0);
    pad = 2;
    CU_ASSERT_EQUAL_FATAL(neurio_compute_padding(NEURIO_PAD_EXPLICIT, 7, 3, 2, 1, 1, &out, &pad,
                                                 &err), NEURIO_OK);
    CU_ASSERT(out == 4 && pad == 2); /* (7+3-3)/2+1 */
    CU_ASSERT_EQUAL(neurio_compute_padding(NEURIO_PAD_VALID, 2, 3, 1, 1, 0, &out, &pad, &err),
                    NEURIO_ERR_INVALID);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "VALID"));
    CU_ASSERT_EQUAL(neurio_compute_padding(NEURIO_PAD_SAME, 4, 3, 0, 1, 0, &out, &pad, &err),
                    NEURIO_ERR_INVALID);
}

int neurio_register_tests(void)
{
    CU_pSuite s = CU_add_suite("requant", NULL, NULL);
    if (!s)
        return -1;
    CU_add_test(s, "QuantizeMultiplier edge cases", test_quantize_multiplier);
    CU_add_test(s, "conv per-channel, FC per-tensor float product", test_conv_fc);
    CU_add_test(s, "fused activation ranges", test_act_range);
    CU_add_test(s, "ADD left shift 20 and MUL", test_add_mul);
    CU_add_test(s, "softmax, logistic, tanh", test_softmax_sigmoid);
    CU_add_test(s, "mean, requantize, relu", test_mean_requant_relu);
    CU_add_test(s, "SAME/VALID/explicit padding", test_padding);
    return 0;
}

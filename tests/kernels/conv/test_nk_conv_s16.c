/* tests/kernels/conv/test_nk_conv_s16.c — the int16x8 kernels (CONV_2D,
 * DEPTHWISE_CONV_2D, FULLY_CONNECTED: int16 activations, int8 weights,
 * int64 bias, or int32 bias with TFLite's 32-bit path) against
 * hand-computed values and an independent reference (explicitly
 * bounds-checked taps, TFLite's 64-bit requantization re-derived from its
 * definition with floor divisions). */
#include <string.h>

#include "kernel_ref.h"
#include "nk.h"
#include "test_util.h"

/* TFLite MultiplyByQuantizedMultiplier(int64_t, ...): the multiplier rounded
 * to 15 fractional bits, then floor((x * m16 + half) / 2^(15 - shift)). */
static int32_t ref_requant64(int64_t x, int32_t mult, int32_t shift)
{
    int64_t m16 = mult < 0x7FFF0000 ? ref_floor_div((int64_t)mult + 32768, 65536) : 0x7FFF;
    int64_t den = (int64_t)1 << (15 - shift);
    return (int32_t)ref_floor_div(x * m16 + den / 2, den);
}

static int16_t ref_rand_s16(uint32_t *s)
{
    return (int16_t)(int32_t)((ref_rand(s) & 0xffff) - 32768);
}

/* bias32: TFLite's int32-bias 16x8 form (int32 accumulator, 32-bit
 * requantization); else the int64 bias (or none) and the 64-bit one. */
static void ref_conv(const nk_conv_params *p, int depthwise, const int16_t *in, const int8_t *f,
                     const int64_t *bias, const int32_t *bias32, int16_t *out)
{
    for (int b = 0; b < p->batches; ++b)
        for (int oy = 0; oy < p->out_h; ++oy)
            for (int ox = 0; ox < p->out_w; ++ox)
                for (int oc = 0; oc < p->out_c; ++oc) {
                    int64_t acc = 0;
                    int n_ic = depthwise ? 1 : p->in_c;
                    for (int fy = 0; fy < p->filter_h; ++fy)
                        for (int fx = 0; fx < p->filter_w; ++fx)
                            for (int k = 0; k < n_ic; ++k) {
                                int iy = oy * p->stride_h - p->pad_top + fy * p->dilation_h;
                                int ix = ox * p->stride_w - p->pad_left + fx * p->dilation_w;
                                if (iy < 0 || iy >= p->in_h || ix < 0 || ix >= p->in_w)
                                    continue;
                                int ic = depthwise ? oc / p->depth_multiplier : k;
                                int64_t v = in[((b * p->in_h + iy) * p->in_w + ix) * p->in_c + ic];
                                int64_t w = depthwise
                                    ? f[(fy * p->filter_w + fx) * p->out_c + oc]
                                    : f[((oc * p->filter_h + fy) * p->filter_w + fx) * p->in_c + k];
                                acc += w * v;
                            }
                    if (bias)
                        acc += bias[oc];
                    if (bias32)
                        acc += bias32[oc];
                    int q = p->per_channel ? oc : 0;
                    int32_t r = bias32 ? ref_requant((int32_t)(uint32_t)(uint64_t)acc,
                                                     p->out_mult[q], p->out_shift[q])
                                       : ref_requant64(acc, p->out_mult[q], p->out_shift[q]);
                    out[((b * p->out_h + oy) * p->out_w + ox) * p->out_c + oc] =
                        (int16_t)ref_clamp(r, p->act_min, p->act_max);
                }
}

static void test_hand_computed(void)
{
    /* 1x3x3x1 image 1000..9000, 2x2 filter of ones, VALID, multiplier 1.0
     * (mult 2^30, shift 1): window sums 12000 16000 24000 28000, + bias 5. */
    const int16_t in[9] = {1000, 2000, 3000, 4000, 5000, 6000, 7000, 8000, 9000};
    const int8_t f[4] = {1, 1, 1, 1};
    const int64_t bias[1] = {5};
    const int32_t mult[1] = {1 << 30}, shift[1] = {1};
    nk_conv_params p = {.batches = 1, .in_h = 3, .in_w = 3, .in_c = 1, .out_h = 2, .out_w = 2,
                        .out_c = 1, .filter_h = 2, .filter_w = 2, .stride_h = 1, .stride_w = 1,
                        .dilation_h = 1, .dilation_w = 1, .depth_multiplier = 1,
                        .out_mult = mult, .out_shift = shift, .act_min = -32768,
                        .act_max = 32767};
    int16_t out[4] = {0};
    CU_ASSERT_EQUAL(nk_conv2d_s16(&p, in, f, bias, out), NK_OK);
    CU_ASSERT_EQUAL(out[0], 12005);
    CU_ASSERT_EQUAL(out[3], 28005);
    CU_ASSERT_EQUAL(nk_depthwise_conv2d_s16(&p, in, f, bias, out), NK_OK);
    CU_ASSERT_EQUAL(out[1], 16005);
    CU_ASSERT_EQUAL(out[2], 24005);
    /* Saturation: x4 (shift 3) overflows int16 -> clamped to 32767. */
    const int32_t shift3[1] = {3};
    p.out_shift = shift3;
    CU_ASSERT_EQUAL(nk_conv2d_s16(&p, in, f, NULL, out), NK_OK);
    CU_ASSERT_EQUAL(out[0], 32767);
    /* The 16-bit multiplier rounding: 0.75 = 0x60000000 >> ... exact; a
     * multiplier just below 2^31 (0x7FFFFFFF) reduces to 0x7FFF. */
    const int32_t mmax[1] = {0x7FFFFFFF}, s0[1] = {0};
    p.out_mult = mmax;
    p.out_shift = s0;
    CU_ASSERT_EQUAL(nk_conv2d_s16(&p, in, f, NULL, out), NK_OK);
    /* 12000 * 0x7FFF / 2^15 = 11999.63 -> 12000 (round half up) */
    CU_ASSERT_EQUAL(out[0], 12000);
    /* FULLY_CONNECTED: [1000, -2000, 3000] . [1, 2, -1] = -6000, bias 5. */
    const int16_t x[3] = {1000, -2000, 3000};
    const int8_t w[3] = {1, 2, -1};
    nk_fc_params fp = {.batches = 1, .in_depth = 3, .out_depth = 1, .out_mult = mult,
                       .out_shift = shift, .act_min = -32768, .act_max = 32767};
    int16_t y = 0;
    CU_ASSERT_EQUAL(nk_fully_connected_s16(&fp, x, w, bias, &y), NK_OK);
    CU_ASSERT_EQUAL(y, -5995);
    /* Bad parameters: nothing written, NK_ERR_PARAMS. */
    fp.act_min = 10;
    fp.act_max = 0;
    CU_ASSERT_EQUAL(nk_fully_connected_s16(&fp, x, w, bias, &y), NK_ERR_PARAMS);
    p.stride_h = 0;
    CU_ASSERT_EQUAL(nk_conv2d_s16(&p, in, f, bias, out), NK_ERR_PARAMS);
    CU_ASSERT_EQUAL(nk_depthwise_conv2d_s16(&p, in, f, bias, out), NK_ERR_PARAMS);
}

/* Random shapes, SAME/VALID, strides, dilation, per-channel or per-tensor,
 * fused ranges; conv and depthwise against ref_conv. */
static void test_random_conv(void)
{
    uint32_t seed = 0x16b16b;
    for (int iter = 0; iter < 200; iter++) {
        int depthwise = iter & 1, dm = depthwise ? 1 + (int)(ref_rand(&seed) % 2) : 1;
        int in_h = 1 + (int)(ref_rand(&seed) % 7), in_w = 1 + (int)(ref_rand(&seed) % 7);
        int in_c = 1 + (int)(ref_rand(&seed) % 5), fh = 1 + (int)(ref_rand(&seed) % 3);
        int fw = 1 + (int)(ref_rand(&seed) % 3), sh = 1 + (int)(ref_rand(&seed) % 2);
        int sw = 1 + (int)(ref_rand(&seed) % 2), dh = 1 + (int)(ref_rand(&seed) % 2), dw = 1;
        int out_c = depthwise ? in_c * dm : 1 + (int)(ref_rand(&seed) % 6);
        int eh = (fh - 1) * dh + 1, ew = (fw - 1) * dw + 1;
        int out_h = (in_h + sh - 1) / sh, out_w = (in_w + sw - 1) / sw;
        int th = (out_h - 1) * sh + eh - in_h, tw = (out_w - 1) * sw + ew - in_w;
        int16_t in[7 * 7 * 5], got[7 * 7 * 10], want[7 * 7 * 10];
        int8_t f[10 * 3 * 3 * 5];
        int64_t bias[10];
        int32_t mult[10], shift[10];
        for (int i = 0; i < in_h * in_w * in_c; i++)
            in[i] = ref_rand_s16(&seed);
        for (int i = 0; i < out_c * fh * fw * in_c; i++)
            f[i] = ref_rand_s8(&seed);
        for (int i = 0; i < out_c; i++) {
            bias[i] = (int64_t)(int32_t)ref_rand(&seed) * 64;
            ref_multiplier(0.00001 + (ref_rand(&seed) % 1000) * 1e-6, &mult[i], &shift[i]);
        }
        nk_conv_params p = {.batches = 1, .in_h = in_h, .in_w = in_w, .in_c = in_c,
                            .out_h = out_h, .out_w = out_w, .out_c = out_c, .filter_h = fh,
                            .filter_w = fw, .stride_h = sh, .stride_w = sw, .dilation_h = dh,
                            .dilation_w = dw, .pad_top = th > 0 ? th / 2 : 0,
                            .pad_left = tw > 0 ? tw / 2 : 0, .depth_multiplier = dm,
                            .per_channel = iter % 3 != 0, .out_mult = mult, .out_shift = shift,
                            .act_min = iter % 5 == 0 ? 0 : -32768,
                            .act_max = iter % 7 == 0 ? 20000 : 32767};
        ref_conv(&p, depthwise, in, f, iter % 4 ? bias : NULL, NULL, want);
        int rc = depthwise ? nk_depthwise_conv2d_s16(&p, in, f, iter % 4 ? bias : NULL, got)
                           : nk_conv2d_s16(&p, in, f, iter % 4 ? bias : NULL, got);
        CU_ASSERT_EQUAL_FATAL(rc, NK_OK);
        CU_ASSERT_EQUAL(memcmp(got, want, (size_t)(out_h * out_w * out_c) * sizeof got[0]), 0);
        /* the same with an int32 bias (TFLite's int32-bias 16x8 path) */
        int32_t b32[10];
        for (int i = 0; i < out_c; i++)
            b32[i] = (int32_t)(bias[i] / 64);
        ref_conv(&p, depthwise, in, f, NULL, b32, want);
        rc = depthwise ? nk_depthwise_conv2d_s16_b32(&p, in, f, b32, got)
                       : nk_conv2d_s16_b32(&p, in, f, b32, got);
        CU_ASSERT_EQUAL_FATAL(rc, NK_OK);
        CU_ASSERT_EQUAL(memcmp(got, want, (size_t)(out_h * out_w * out_c) * sizeof got[0]), 0);
        /* no bias on the int32 path (TFLite's quantized_bias_type = INT32 on a
         * bias-less conv): as an all-zero int32 bias; depthwise needs one */
        int32_t zero[10] = { 0 };
        ref_conv(&p, depthwise, in, f, NULL, zero, want);
        if (depthwise) {
            CU_ASSERT_EQUAL(nk_depthwise_conv2d_s16_b32(&p, in, f, NULL, got), NK_ERR_PARAMS);
        } else {
            CU_ASSERT_EQUAL_FATAL(nk_conv2d_s16_b32(&p, in, f, NULL, got), NK_OK);
            CU_ASSERT_EQUAL(memcmp(got, want, (size_t)(out_h * out_w * out_c) * sizeof got[0]),
                            0);
        }
    }
}

static void test_random_fc(void)
{
    uint32_t seed = 0xfc16;
    for (int iter = 0; iter < 100; iter++) {
        int batches = 1 + (int)(ref_rand(&seed) % 3), depth = 1 + (int)(ref_rand(&seed) % 40);
        int out_d = 1 + (int)(ref_rand(&seed) % 8), per_channel = iter & 1;
        int32_t wzp = per_channel ? 0 : (int32_t)(ref_rand(&seed) % 5) - 2;
        int16_t x[3 * 40], got[3 * 8], want[3 * 8];
        int8_t w[8 * 40];
        int64_t bias[8];
        int32_t mult[8], shift[8];
        for (int i = 0; i < batches * depth; i++)
            x[i] = ref_rand_s16(&seed);
        for (int i = 0; i < out_d * depth; i++)
            w[i] = ref_rand_s8(&seed);
        for (int i = 0; i < out_d; i++) {
            bias[i] = (int64_t)(int32_t)ref_rand(&seed);
            ref_multiplier(0.0001 + (ref_rand(&seed) % 1000) * 1e-5, &mult[i], &shift[i]);
        }
        nk_fc_params p = {.batches = batches, .in_depth = depth, .out_depth = out_d,
                          .filter_zp = wzp, .per_channel = per_channel, .out_mult = mult,
                          .out_shift = shift, .act_min = -32768, .act_max = 32767};
        for (int b = 0; b < batches; b++)
            for (int o = 0; o < out_d; o++) {
                int64_t acc = bias[o];
                for (int d = 0; d < depth; d++)
                    acc += (int64_t)(w[o * depth + d] - wzp) * x[b * depth + d];
                int q = per_channel ? o : 0;
                want[b * out_d + o] =
                    (int16_t)ref_clamp(ref_requant64(acc, mult[q], shift[q]), -32768, 32767);
            }
        CU_ASSERT_EQUAL_FATAL(nk_fully_connected_s16(&p, x, w, bias, got), NK_OK);
        CU_ASSERT_EQUAL(memcmp(got, want, (size_t)(batches * out_d) * sizeof got[0]), 0);
        /* int32 bias: int32 accumulator, 32-bit requantization */
        int32_t b32[8];
        for (int o = 0; o < out_d; o++)
            b32[o] = (int32_t)bias[o];
        for (int b = 0; b < batches; b++)
            for (int o = 0; o < out_d; o++) {
                int64_t acc = b32[o];
                for (int d = 0; d < depth; d++)
                    acc += (int64_t)(w[o * depth + d] - wzp) * x[b * depth + d];
                int q = per_channel ? o : 0;
                want[b * out_d + o] = (int16_t)ref_clamp(
                    ref_requant((int32_t)(uint32_t)(uint64_t)acc, mult[q], shift[q]), -32768,
                    32767);
            }
        CU_ASSERT_EQUAL_FATAL(nk_fully_connected_s16_b32(&p, x, w, b32, got), NK_OK);
        CU_ASSERT_EQUAL(memcmp(got, want, (size_t)(batches * out_d) * sizeof got[0]), 0);
        /* no bias on the int32 path: int32 accumulator of the products only */
        for (int b = 0; b < batches; b++)
            for (int o = 0; o < out_d; o++) {
                int64_t acc = 0;
                for (int d = 0; d < depth; d++)
                    acc += (int64_t)(w[o * depth + d] - wzp) * x[b * depth + d];
                int q = per_channel ? o : 0;
                want[b * out_d + o] = (int16_t)ref_clamp(
                    ref_requant((int32_t)(uint32_t)(uint64_t)acc, mult[q], shift[q]), -32768,
                    32767);
            }
        CU_ASSERT_EQUAL_FATAL(nk_fully_connected_s16_b32(&p, x, w, NULL, got), NK_OK);
        CU_ASSERT_EQUAL(memcmp(got, want, (size_t)(batches * out_d) * sizeof got[0]), 0);
    }
}

int neurio_register_tests(void)
{
    CU_pSuite s = CU_add_suite("nk_conv_s16", NULL, NULL);
    if (!s || !CU_add_test(s, "hand-computed int16x8 conv/depthwise/fc", test_hand_computed) ||
        !CU_add_test(s, "random int16x8 conv and depthwise (int64/int32 bias) vs reference",
                     test_random_conv) ||
        !CU_add_test(s, "random int16x8 fully connected (int64/int32 bias) vs reference",
                     test_random_fc))
        return -1;
    return 0;
}

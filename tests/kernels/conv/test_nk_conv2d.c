/* tests/kernels/conv/test_nk_conv2d.c — CONV_2D int8/float against hand-computed
 * values and an independent reference (explicitly padded input, int64
 * accumulation, requantization re-derived in kernel_ref.h). */
#include <string.h>

#include "kernel_ref.h"
#include "nk.h"
#include "test_util.h"

/* Reference: pads the input with in_zp explicitly (so padded taps add 0). */
static void ref_conv_s8(const nk_conv_params *p, const int8_t *in, const int8_t *f,
                        const int32_t *bias, int8_t *out)
{
    for (int b = 0; b < p->batches; ++b)
        for (int oy = 0; oy < p->out_h; ++oy)
            for (int ox = 0; ox < p->out_w; ++ox)
                for (int oc = 0; oc < p->out_c; ++oc) {
                    int64_t acc = 0;
                    for (int fy = 0; fy < p->filter_h; ++fy)
                        for (int fx = 0; fx < p->filter_w; ++fx)
                            for (int ic = 0; ic < p->in_c; ++ic) {
                                int iy = oy * p->stride_h - p->pad_top + fy * p->dilation_h;
                                int ix = ox * p->stride_w - p->pad_left + fx * p->dilation_w;
                                int32_t v = p->in_zp;
                                if (iy >= 0 && iy < p->in_h && ix >= 0 && ix < p->in_w)
                                    v = in[((b * p->in_h + iy) * p->in_w + ix) * p->in_c + ic];
                                acc += (int64_t)f[((oc * p->filter_h + fy) * p->filter_w + fx) *
                                                      p->in_c + ic] * (v - p->in_zp);
                            }
                    if (bias)
                        acc += bias[oc];
                    int q = p->per_channel ? oc : 0;
                    int32_t r = ref_requant(acc, p->out_mult[q], p->out_shift[q]) + p->out_zp;
                    out[((b * p->out_h + oy) * p->out_w + ox) * p->out_c + oc] =
                        (int8_t)ref_clamp(r, p->act_min, p->act_max);
                }
}

static void test_hand_computed(void)
{
    /* 3x3 image 1..9, 2x2 filter of ones, VALID, multiplier 1.0:
     * window sums 1+2+4+5=12, 2+3+5+6=16, 4+5+7+8=24, 5+6+8+9=28. */
    const int8_t in[9] = {1, 2, 3, 4, 5, 6, 7, 8, 9};
    const int8_t f[4] = {1, 1, 1, 1};
    const int32_t mult[1] = {1 << 30}, shift[1] = {1};
    nk_conv_params p = {.batches = 1, .in_h = 3, .in_w = 3, .in_c = 1, .out_h = 2, .out_w = 2,
                        .out_c = 1, .filter_h = 2, .filter_w = 2, .stride_h = 1, .stride_w = 1,
                        .dilation_h = 1, .dilation_w = 1, .out_mult = mult, .out_shift = shift,
                        .act_min = -128, .act_max = 127};
    int8_t out[4] = {0};
    CU_ASSERT_EQUAL(nk_conv2d_s8(&p, in, f, NULL, out), NK_OK);
    CU_ASSERT_EQUAL(out[0], 12);
    CU_ASSERT_EQUAL(out[1], 16);
    CU_ASSERT_EQUAL(out[2], 24);
    CU_ASSERT_EQUAL(out[3], 28);

    /* SAME padding (pad 0 top/left for 2x2 stride 1 -> total 1, before 0):
     * bottom/right taps fall outside -> zero-point padding.  With in_zp = 1
     * the image values become 0..8 and padded taps contribute nothing. */
    p.out_h = 3;
    p.out_w = 3;
    p.in_zp = 1;
    p.out_zp = -5;
    int8_t out9[9];
    CU_ASSERT_EQUAL(nk_conv2d_s8(&p, in, f, NULL, out9), NK_OK);
    /* (0+1+3+4)=8 (1+2+4+5)=12 (2+5)=7 / (3+4+6+7)=20 (4+5+7+8)=24 (5+8)=13 / (6+7)=13 (7+8)=15 8 */
    const int8_t want[9] = {8 - 5, 12 - 5, 7 - 5, 20 - 5, 24 - 5, 13 - 5, 13 - 5, 15 - 5, 8 - 5};
    CU_ASSERT_EQUAL(memcmp(out9, want, 9), 0);
}

static void run_random(int in_h, int in_w, int in_c, int out_c, int fh, int fw, int sh, int sw,
                       int dh, int dw, int same, int per_channel, int in_zp, int out_zp,
                       int act_min, int act_max, uint32_t seed)
{
    int eff_h = (fh - 1) * dh + 1, eff_w = (fw - 1) * dw + 1;
    int out_h = same ? (in_h + sh - 1) / sh : (in_h - eff_h) / sh + 1;
    int out_w = same ? (in_w + sw - 1) / sw : (in_w - eff_w) / sw + 1;
    int pad_t = 0, pad_l = 0;
    if (same) {
        int th = (out_h - 1) * sh + eff_h - in_h, tw = (out_w - 1) * sw + eff_w - in_w;
        pad_t = th > 0 ? th / 2 : 0;
        pad_l = tw > 0 ? tw / 2 : 0;
    }
    const int batches = 2;
    size_t n_in = (size_t)batches * in_h * in_w * in_c, n_f = (size_t)out_c * fh * fw * in_c;
    size_t n_out = (size_t)batches * out_h * out_w * out_c;
    int8_t *in = malloc(n_in), *f = malloc(n_f), *out = malloc(n_out), *ref = malloc(n_out);
    int32_t *bias = malloc(sizeof(int32_t) * out_c), *mult = malloc(sizeof(int32_t) * out_c),
            *shift = malloc(sizeof(int32_t) * out_c);
    for (size_t i = 0; i < n_in; ++i)
        in[i] = ref_rand_s8(&seed);
    for (size_t i = 0; i < n_f; ++i)
        f[i] = ref_rand_s8(&seed);
    for (int c = 0; c < out_c; ++c) {
        bias[c] = (int32_t)(ref_rand(&seed) % 20001) - 10000;
        /* scales spread over two decades, as real per-channel models */
        double real = 0.0002 + (ref_rand(&seed) % 1000) * 0.00002;
        ref_multiplier(real, &mult[c], &shift[c]);
    }
    nk_conv_params p = {.batches = batches, .in_h = in_h, .in_w = in_w, .in_c = in_c,
                        .out_h = out_h, .out_w = out_w, .out_c = out_c, .filter_h = fh,
                        .filter_w = fw, .stride_h = sh, .stride_w = sw, .dilation_h = dh,
                        .dilation_w = dw, .pad_top = pad_t, .pad_left = pad_l,
                        .in_zp = in_zp, .out_zp = out_zp, .per_channel = per_channel,
                        .out_mult = mult, .out_shift = shift, .act_min = act_min,
                        .act_max = act_max};
    CU_ASSERT_EQUAL_FATAL(nk_conv2d_s8(&p, in, f, bias, out), NK_OK);
    ref_conv_s8(&p, in, f, bias, ref);
    size_t diff = 0;
    for (size_t i = 0; i < n_out; ++i)
        diff += out[i] != ref[i];
    CU_ASSERT_EQUAL(diff, 0);
    free(in), free(f), free(out), free(ref), free(bias), free(mult), free(shift);
}

static void test_random_shapes(void)
{
    /*          ih iw ic oc fh fw sh sw dh dw same pc  izp  ozp  amin amax */
    run_random(7, 9, 3, 4, 3, 3, 1, 1, 1, 1, 0, 1, 5, -3, -128, 127, 1u);
    run_random(8, 8, 2, 5, 3, 3, 2, 2, 1, 1, 1, 1, -128, 127, -128, 127, 2u);
    run_random(9, 7, 4, 3, 3, 2, 1, 2, 2, 1, 1, 0, 127, -128, -128, 127, 3u);
    run_random(10, 10, 1, 2, 3, 3, 3, 1, 2, 3, 0, 1, 0, 0, -20, 60, 4u);   /* clamp */
    run_random(5, 6, 8, 8, 1, 1, 1, 1, 1, 1, 0, 0, -1, 10, 10, 127, 5u);    /* 1x1, relu */
    run_random(6, 6, 3, 2, 5, 5, 2, 2, 1, 1, 1, 1, 20, -128, -128, 127, 6u); /* big pad */
}

static void test_float(void)
{
    /* 1x3x3x2 input, 2 output channels, 3x3 SAME filter, bias, relu6. */
    float in[18], f[36], bias[2] = {0.5f, -1.0f}, out[18];
    for (int i = 0; i < 18; ++i)
        in[i] = (float)(i % 5) * 0.25f - 0.5f;
    for (int i = 0; i < 36; ++i)
        f[i] = (float)((i * 7) % 11) * 0.1f - 0.5f;
    nk_conv_params p = {.batches = 1, .in_h = 3, .in_w = 3, .in_c = 2, .out_h = 3, .out_w = 3,
                        .out_c = 2, .filter_h = 3, .filter_w = 3, .stride_h = 1, .stride_w = 1,
                        .dilation_h = 1, .dilation_w = 1, .pad_top = 1, .pad_left = 1,
                        .act_min_f = 0.0f, .act_max_f = 6.0f};
    CU_ASSERT_EQUAL_FATAL(nk_conv2d_f32(&p, in, f, bias, out), NK_OK);
    for (int oy = 0; oy < 3; ++oy)
        for (int ox = 0; ox < 3; ++ox)
            for (int oc = 0; oc < 2; ++oc) {
                double s = bias[oc];
                for (int fy = 0; fy < 3; ++fy)
                    for (int fx = 0; fx < 3; ++fx)
                        for (int ic = 0; ic < 2; ++ic) {
                            int iy = oy + fy - 1, ix = ox + fx - 1;
                            if (iy < 0 || iy > 2 || ix < 0 || ix > 2)
                                continue;
                            s += (double)in[(iy * 3 + ix) * 2 + ic] *
                                 f[((oc * 3 + fy) * 3 + fx) * 2 + ic];
                        }
                s = s < 0 ? 0 : (s > 6 ? 6 : s);
                CU_ASSERT_DOUBLE_EQUAL(out[(oy * 3 + ox) * 2 + oc], s, 1e-5);
            }
}

static void test_bad_params(void)
{
    int8_t in[4] = {0}, f[4] = {0}, out[4] = {9, 9, 9, 9};
    const int32_t m[1] = {1 << 30}, s[1] = {0};
    nk_conv_params p = {.batches = 1, .in_h = 2, .in_w = 2, .in_c = 1, .out_h = 2, .out_w = 2,
                        .out_c = 1, .filter_h = 1, .filter_w = 1, .stride_h = 0, .stride_w = 1,
                        .dilation_h = 1, .dilation_w = 1, .out_mult = m, .out_shift = s,
                        .act_min = -128, .act_max = 127};
    CU_ASSERT_EQUAL(nk_conv2d_s8(&p, in, f, NULL, out), NK_ERR_PARAMS); /* stride 0 */
    CU_ASSERT_EQUAL(out[0], 9);
    p.stride_h = 1;
    p.out_mult = NULL;
    CU_ASSERT_EQUAL(nk_conv2d_s8(&p, in, f, NULL, out), NK_ERR_PARAMS);
    CU_ASSERT_EQUAL(nk_conv2d_s8(NULL, in, f, NULL, out), NK_ERR_PARAMS);
    CU_ASSERT_EQUAL(out[3], 9);
}

int neurio_register_tests(void)
{
    CU_pSuite s = CU_add_suite("nk_conv2d", NULL, NULL);
    if (!s)
        return -1;
    CU_add_test(s, "hand-computed VALID and SAME with zero point", test_hand_computed);
    CU_add_test(s, "random shapes vs independent reference", test_random_shapes);
    CU_add_test(s, "float32 vs double reference", test_float);
    CU_add_test(s, "bad parameters are refused, output untouched", test_bad_params);
    return 0;
}

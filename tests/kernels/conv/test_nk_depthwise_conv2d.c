/* tests/kernels/conv/test_nk_depthwise_conv2d.c — DEPTHWISE_CONV_2D (depth
 * multiplier, stride, dilation, SAME/VALID, per-channel) against
 * hand-computed values and an independent reference. */
#include <string.h>

#include "kernel_ref.h"
#include "nk.h"
#include "test_util.h"

static void ref_dw_s8(const nk_conv_params *p, const int8_t *in, const int8_t *f,
                      const int32_t *bias, int8_t *out)
{
    const int dm = p->depth_multiplier;
    for (int b = 0; b < p->batches; ++b)
        for (int oy = 0; oy < p->out_h; ++oy)
            for (int ox = 0; ox < p->out_w; ++ox)
                for (int oc = 0; oc < p->out_c; ++oc) {
                    const int ic = oc / dm;
                    int64_t acc = 0;
                    for (int fy = 0; fy < p->filter_h; ++fy)
                        for (int fx = 0; fx < p->filter_w; ++fx) {
                            int iy = oy * p->stride_h - p->pad_top + fy * p->dilation_h;
                            int ix = ox * p->stride_w - p->pad_left + fx * p->dilation_w;
                            int32_t v = p->in_zp; /* explicit zero-point padding */
                            if (iy >= 0 && iy < p->in_h && ix >= 0 && ix < p->in_w)
                                v = in[((b * p->in_h + iy) * p->in_w + ix) * p->in_c + ic];
                            acc += (int64_t)f[(fy * p->filter_w + fx) * p->out_c + oc] *
                                   (v - p->in_zp);
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
    /* 2x2 image, 2 channels: ch0 = 1 2 3 4, ch1 = 10 20 30 40; depth
     * multiplier 2 -> 4 outputs; 2x2 VALID filter: out channel 0 weights
     * 1,1,1,1 (sum ch0 = 10), 1: 1,0,0,0 (ch0 first = 1), 2: 0,0,0,1 (ch1
     * last = 40), 3: 1,-1,1,-1 (10-20+30-40 = -20). */
    const int8_t in[8] = {1, 10, 2, 20, 3, 30, 4, 40};
    const int8_t f[16] = {1, 1, 0, 1, 1, 0, 0, -1, 1, 0, 0, 1, 1, 0, 1, -1};
    const int32_t m[1] = {1 << 30}, s[1] = {1};
    nk_conv_params p = {.batches = 1, .in_h = 2, .in_w = 2, .in_c = 2, .out_h = 1, .out_w = 1,
                        .out_c = 4, .filter_h = 2, .filter_w = 2, .stride_h = 1, .stride_w = 1,
                        .dilation_h = 1, .dilation_w = 1, .depth_multiplier = 2,
                        .out_mult = m, .out_shift = s, .act_min = -128, .act_max = 127};
    int8_t out[4];
    CU_ASSERT_EQUAL_FATAL(nk_depthwise_conv2d_s8(&p, in, f, NULL, out), NK_OK);
    CU_ASSERT_EQUAL(out[0], 10);
    CU_ASSERT_EQUAL(out[1], 1);
    CU_ASSERT_EQUAL(out[2], 40);
    CU_ASSERT_EQUAL(out[3], -20);
    /* out_c must equal in_c * depth_multiplier */
    p.out_c = 3;
    CU_ASSERT_EQUAL(nk_depthwise_conv2d_s8(&p, in, f, NULL, out), NK_ERR_PARAMS);
}

static void run_random(int in_h, int in_w, int in_c, int dm, int fh, int fw, int sh, int sw,
                       int dh, int dw, int same, int pc, int in_zp, int out_zp, uint32_t seed)
{
    int out_c = in_c * dm;
    int eff_h = (fh - 1) * dh + 1, eff_w = (fw - 1) * dw + 1;
    int out_h = same ? (in_h + sh - 1) / sh : (in_h - eff_h) / sh + 1;
    int out_w = same ? (in_w + sw - 1) / sw : (in_w - eff_w) / sw + 1;
    int th = (out_h - 1) * sh + eff_h - in_h, tw = (out_w - 1) * sw + eff_w - in_w;
    size_t n_in = (size_t)in_h * in_w * in_c, n_f = (size_t)fh * fw * out_c;
    size_t n_out = (size_t)out_h * out_w * out_c;
    int8_t *in = malloc(n_in), *f = malloc(n_f), *out = malloc(n_out), *ref = malloc(n_out);
    int32_t *bias = malloc(4 * out_c), *mult = malloc(4 * out_c), *shift = malloc(4 * out_c);
    for (size_t i = 0; i < n_in; ++i)
        in[i] = ref_rand_s8(&seed);
    for (size_t i = 0; i < n_f; ++i)
        f[i] = ref_rand_s8(&seed);
    for (int c = 0; c < out_c; ++c) {
        bias[c] = (int32_t)(ref_rand(&seed) % 4001) - 2000;
        ref_multiplier(0.001 + (ref_rand(&seed) % 1000) * 0.00005, &mult[c], &shift[c]);
    }
    nk_conv_params p = {.batches = 1, .in_h = in_h, .in_w = in_w, .in_c = in_c, .out_h = out_h,
                        .out_w = out_w, .out_c = out_c, .filter_h = fh, .filter_w = fw,
                        .stride_h = sh, .stride_w = sw, .dilation_h = dh, .dilation_w = dw,
                        .pad_top = same && th > 0 ? th / 2 : 0,
                        .pad_left = same && tw > 0 ? tw / 2 : 0, .depth_multiplier = dm,
                        .in_zp = in_zp, .out_zp = out_zp, .per_channel = pc, .out_mult = mult,
                        .out_shift = shift, .act_min = -128, .act_max = 127};
    CU_ASSERT_EQUAL_FATAL(nk_depthwise_conv2d_s8(&p, in, f, bias, out), NK_OK);
    ref_dw_s8(&p, in, f, bias, ref);
    CU_ASSERT_EQUAL(memcmp(out, ref, n_out), 0);
    free(in), free(f), free(out), free(ref), free(bias), free(mult), free(shift);
}

static void test_random_shapes(void)
{
    run_random(9, 9, 4, 1, 3, 3, 1, 1, 1, 1, 1, 1, 3, -2, 11u);
    run_random(8, 7, 3, 2, 3, 3, 2, 2, 1, 1, 1, 1, -128, 127, 12u);
    run_random(10, 9, 2, 3, 3, 3, 1, 2, 2, 2, 0, 0, 127, -128, 13u);
    run_random(5, 5, 8, 1, 5, 5, 1, 1, 1, 1, 1, 1, 0, 0, 14u);
    run_random(12, 4, 5, 2, 10, 4, 2, 1, 1, 1, 1, 1, -7, 7, 15u); /* kws-like 10x4 */
}

static void test_float(void)
{
    float in[2 * 3 * 3], f[3 * 3 * 4], bias[4] = {0.1f, 0.2f, 0.3f, 0.4f}, out[3 * 3 * 4];
    for (int i = 0; i < 18; ++i)
        in[i] = (float)i * 0.1f - 0.9f;
    for (int i = 0; i < 36; ++i)
        f[i] = (float)((i * 5) % 7) * 0.2f - 0.6f;
    nk_conv_params p = {.batches = 1, .in_h = 3, .in_w = 3, .in_c = 2, .out_h = 3, .out_w = 3,
                        .out_c = 4, .filter_h = 3, .filter_w = 3, .stride_h = 1, .stride_w = 1,
                        .dilation_h = 1, .dilation_w = 1, .pad_top = 1, .pad_left = 1,
                        .depth_multiplier = 2, .act_min_f = -1.0f, .act_max_f = 1.0f};
    CU_ASSERT_EQUAL_FATAL(nk_depthwise_conv2d_f32(&p, in, f, bias, out), NK_OK);
    for (int oy = 0; oy < 3; ++oy)
        for (int ox = 0; ox < 3; ++ox)
            for (int oc = 0; oc < 4; ++oc) {
                double s = bias[oc];
                for (int fy = 0; fy < 3; ++fy)
                    for (int fx = 0; fx < 3; ++fx) {
                        int iy = oy + fy - 1, ix = ox + fx - 1;
                        if (iy < 0 || iy > 2 || ix < 0 || ix > 2)
                            continue;
                        s += (double)in[(iy * 3 + ix) * 2 + oc / 2] * f[(fy * 3 + fx) * 4 + oc];
                    }
                s = s < -1 ? -1 : (s > 1 ? 1 : s);
                CU_ASSERT_DOUBLE_EQUAL(out[(oy * 3 + ox) * 4 + oc], s, 1e-5);
            }
}

int neurio_register_tests(void)
{
    CU_pSuite s = CU_add_suite("nk_depthwise_conv2d", NULL, NULL);
    if (!s)
        return -1;
    CU_add_test(s, "hand-computed depth multiplier 2", test_hand_computed);
    CU_add_test(s, "random shapes vs independent reference", test_random_shapes);
    CU_add_test(s, "float32 vs double reference", test_float);
    return 0;
}

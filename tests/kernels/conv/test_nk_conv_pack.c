/* tests/kernels/conv/test_nk_conv_pack.c — the packed CONV_2D layout
 * (nk_conv_pack_s8 + nk_conv2d_s8_packed, portable C here; the DSP version
 * is compared on the emulated board by test_nk_arm_dsp_qemu) against
 * nk_conv2d_s8 on random shapes, extreme inputs and weights, and the
 * layers the layout refuses. */
#include <string.h>

#include "kernel_ref.h"
#include "nk.h"
#include "test_util.h"

/* Random inputs and weights of p (extreme: at the int8 extremes, the
 * packer's bound), then per output channel a bias and a requantization
 * (m, s: p's out_mult and out_shift), drawn from *seed. */
static void fill_case(nk_conv_params *p, int8_t *in, int8_t *w, int32_t *bias, int32_t *m,
                      int32_t *s, int extreme, uint32_t *seed)
{
    const size_t n_in = (size_t)p->batches * p->in_h * p->in_w * p->in_c;
    const int n_w = p->out_c * p->filter_h * p->filter_w * p->in_c;
    for (size_t i = 0; i < n_in; ++i)
        in[i] = extreme ? ((ref_rand(seed) & 1) ? -128 : 127) : ref_rand_s8(seed);
    for (int i = 0; i < n_w; ++i)
        w[i] = extreme ? ((ref_rand(seed) & 1) ? -128 : 127) : ref_rand_s8(seed);
    for (int o = 0; o < p->out_c; ++o) {
        bias[o] = (int32_t)(ref_rand(seed) % 60001) - 30000;
        ref_multiplier(0.00005 + (ref_rand(seed) % 1000) * 0.000003, &m[o], &s[o]);
    }
    p->out_mult = m;
    p->out_shift = s;
}

/* nk_conv2d_s8_packed on k gives nk_conv2d_s8's n_out bytes */
static void check_packed(const nk_conv_params *p, const nk_conv_pack *k, const int8_t *in,
                         const int8_t *w, const int32_t *b, int8_t *out, int8_t *ref, size_t n_out)
{
    CU_ASSERT_EQUAL_FATAL(nk_conv2d_s8(p, in, w, b, ref), NK_OK);
    memset(out, 0x5a, n_out);
    CU_ASSERT_EQUAL_FATAL(nk_conv2d_s8_packed(p, k, in, out), NK_OK);
    CU_ASSERT_EQUAL(memcmp(out, ref, n_out), 0);
}

/* extreme: inputs and weights at the int8 extremes (the packer's bound) */
static int run_case(nk_conv_params p, int extreme, int with_bias, uint32_t seed)
{
    const int len = p.filter_h * p.filter_w * p.in_c;
    const size_t n_in = (size_t)p.batches * p.in_h * p.in_w * p.in_c;
    const size_t n_out = (size_t)p.batches * p.out_h * p.out_w * p.out_c;
    int8_t *in = malloc(n_in), *w = malloc((size_t)p.out_c * len);
    int8_t *out = malloc(n_out), *ref = malloc(n_out);
    int32_t *bias = malloc(4u * p.out_c), *m = malloc(4u * p.out_c), *s = malloc(4u * p.out_c);
    int16_t *pw = malloc(2u * NK_CONV_PACK_HALVES(len, p.out_c));
    int32_t *pk = malloc(16u * p.out_c);
    fill_case(&p, in, w, bias, m, s, extreme, &seed);
    const int32_t *b = with_bias ? bias : NULL;
    int rc = nk_conv_pack_s8(&p, w, b, pw, pk);
    if (rc == NK_OK) {
        const nk_conv_pack k = {pw, pk, NULL};
        check_packed(&p, &k, in, w, b, out, ref, n_out);
    }
    free(in), free(w), free(out), free(ref), free(bias), free(m), free(s);
    free(pw), free(pk);
    return rc;
}

static nk_conv_params shape(int in_h, int in_w, int in_c, int out_c, int fh, int fw, int stride,
                            int same, int in_zp, int out_zp)
{
    nk_conv_params p = {.batches = 1, .in_h = in_h, .in_w = in_w, .in_c = in_c, .out_c = out_c,
                        .filter_h = fh, .filter_w = fw, .stride_h = stride, .stride_w = stride,
                        .dilation_h = 1, .dilation_w = 1, .in_zp = in_zp, .out_zp = out_zp,
                        .per_channel = 1, .act_min = -128, .act_max = 127};
    p.out_h = same ? (in_h + stride - 1) / stride : (in_h - fh) / stride + 1;
    p.out_w = same ? (in_w + stride - 1) / stride : (in_w - fw) / stride + 1;
    if (same) {
        const int th = (p.out_h - 1) * stride + fh - in_h, tw = (p.out_w - 1) * stride + fw - in_w;
        p.pad_top = th > 0 ? th / 2 : 0;
        p.pad_left = tw > 0 ? tw / 2 : 0;
    }
    return p;
}

/* shape() with random zero points and padding (SAME or VALID), then a
 * random batch count (1, 2) and per-channel flag, drawn from *seed */
static nk_conv_params random_shape(uint32_t *seed, int in_h, int in_w, int in_c, int out_c, int fh,
                                   int fw, int stride)
{
    const int in_zp = (int)(ref_rand(seed) % 256) - 128;
    const int out_zp = (int)(ref_rand(seed) % 256) - 128;
    nk_conv_params p = shape(in_h, in_w, in_c, out_c, fh, fw, stride, (int)(ref_rand(seed) & 1),
                             in_zp, out_zp);
    p.batches = 1 + (int)(ref_rand(seed) & 1);
    p.per_channel = (int)(ref_rand(seed) & 1);
    return p;
}

static void test_random_shapes(void)
{
    uint32_t seed = 91u;
    for (int i = 0; i < 200; ++i) {
        const int fh = 1 + (int)(ref_rand(&seed) % 4), fw = 1 + (int)(ref_rand(&seed) % 4);
        const int in_c = 1 + (int)(ref_rand(&seed) % 17), stride = 1 + (int)(ref_rand(&seed) % 2);
        const int in_h = fh + (int)(ref_rand(&seed) % 8), in_w = fw + (int)(ref_rand(&seed) % 8);
        const int out_c = 1 + (int)(ref_rand(&seed) % 12);
        nk_conv_params p = random_shape(&seed, in_h, in_w, in_c, out_c, fh, fw, stride);
        p.dilation_w = (ref_rand(&seed) % 4 == 0) ? 2 : 1;
        if ((p.filter_w - 1) * p.dilation_w + 1 > p.in_w)
            p.dilation_w = 1;
        const int extreme = ref_rand(&seed) % 4 == 0, with_bias = ref_rand(&seed) % 4 != 0;
        CU_ASSERT_EQUAL(run_case(p, extreme, with_bias, seed), NK_OK);
    }
    /* the models' shapes: ResNet-8's first layer and 3x3 layers, kws' first */
    CU_ASSERT_EQUAL(run_case(shape(12, 12, 3, 16, 3, 3, 1, 1, -128, -128), 0, 1, 1u), NK_OK);
    CU_ASSERT_EQUAL(run_case(shape(10, 10, 16, 16, 3, 3, 1, 1, -128, -128), 0, 1, 2u), NK_OK);
    CU_ASSERT_EQUAL(run_case(shape(10, 10, 16, 32, 3, 3, 2, 1, 5, -128), 1, 1, 3u), NK_OK);
    CU_ASSERT_EQUAL(run_case(shape(49, 10, 1, 64, 10, 4, 2, 1, 83, -128), 0, 1, 4u), NK_OK);
    CU_ASSERT_EQUAL(run_case(shape(8, 8, 32, 8, 3, 3, 1, 1, 127, 0), 1, 1, 5u), NK_OK);
}

static void test_refused(void)
{
    nk_conv_params p = shape(6, 6, 4, 2, 3, 3, 1, 1, 0, 0);
    /* activation range narrower than int8 (fused relu with out_zp 0) */
    p.act_min = 0;
    CU_ASSERT_EQUAL(run_case(p, 0, 1, 1u), NK_ERR_PARAMS);
    p.act_min = -128;
    /* patch longer than NK_CONV_PACK_MAX_LEN */
    nk_conv_params big = shape(6, 6, 33, 2, 3, 3, 1, 1, 0, 0);
    CU_ASSERT_EQUAL(run_case(big, 0, 1, 2u), NK_ERR_PARAMS);
    /* requantizations outside nk_arm_requant_x2's range, a bias beyond 2^30 */
    const int8_t w[36] = {1, 2, 3};
    int32_t m[1] = {1 << 30}, s[1] = {-3}, bias[1] = {0};
    int16_t pw[NK_CONV_PACK_HALVES(36, 1)];
    int32_t pk[4];
    p.out_c = 1;
    p.per_channel = 0;
    p.out_mult = m;
    p.out_shift = s;
    CU_ASSERT_EQUAL(nk_conv_pack_s8(&p, w, NULL, pw, pk), NK_ERR_PARAMS);
    m[0] = (1 << 30) + 1;
    CU_ASSERT_EQUAL(nk_conv_pack_s8(&p, w, NULL, pw, pk), NK_OK);
    s[0] = -1;
    CU_ASSERT_EQUAL(nk_conv_pack_s8(&p, w, NULL, pw, pk), NK_ERR_PARAMS);
    s[0] = -3;
    bias[0] = 1 << 30;
    CU_ASSERT_EQUAL(nk_conv_pack_s8(&p, w, bias, pw, pk), NK_ERR_PARAMS);
    bias[0] = 0;
    CU_ASSERT_EQUAL(nk_conv_pack_s8(&p, w, bias, pw, pk), NK_OK);
    /* doubled, in lane order: taps 0, 2, 1, 3 of each group, zeros past the patch */
    CU_ASSERT(pw[0] == 2 && pw[1] == 6 && pw[2] == 4 && pw[3] == 0);
    CU_ASSERT(pk[0] == 0 && pk[1] == m[0] && pk[3] == 3);
    int8_t in[6 * 6 * 4] = {0}, out[6 * 6];
    const nk_conv_pack k = {pw, pk, NULL};
    CU_ASSERT_EQUAL(nk_conv2d_s8_packed(&p, NULL, in, out), NK_ERR_PARAMS);
    CU_ASSERT_EQUAL(nk_conv2d_s8_packed(&p, &k, NULL, out), NK_ERR_PARAMS);
    CU_ASSERT_EQUAL(nk_conv2d_s8_packed(&p, &k, in, out), NK_OK);
}

/* The 2 x 2 layout (nk_conv_pack_s8_fl, nk_conv_pack.fl) against
 * nk_conv2d_s8: random shapes, every run % 4, in_c 4 and 8, explicit
 * padding as banded calls pass it. */
static void test_fl_random_shapes(void)
{
    uint32_t seed = 7u;
    int ran = 0;
    static const int chans[] = {1, 2, 3, 3, 5, 6, 7, 4, 8};
    for (int i = 0; i < 300; ++i) {
        const int fh = 1 + (int)(ref_rand(&seed) % 6), fw = 1 + (int)(ref_rand(&seed) % 5);
        const int in_c = chans[ref_rand(&seed) % 9], stride = 1 + (int)(ref_rand(&seed) % 2);
        const int in_h = fh + (int)(ref_rand(&seed) % 9), in_w = fw + (int)(ref_rand(&seed) % 9);
        const int out_c = 2 * (1 + (int)(ref_rand(&seed) % 6));
        nk_conv_params p = random_shape(&seed, in_h, in_w, in_c, out_c, fh, fw, stride);
        if (ref_rand(&seed) % 3 == 0) {
            /* a band's pad_top: rows above the image */
            p.pad_top = (int)(ref_rand(&seed) % (unsigned)fh);
            p.out_h = (in_h + p.pad_top - fh) / stride + 1;
        }
        if (!nk_conv_pack_fl_ok(&p))
            continue; /* more than NK_CONV_PACK_FL_MAX_GROUPS groups */
        const int len = fh * fw * in_c;
        const size_t n_in = (size_t)p.batches * in_h * in_w * in_c;
        const size_t n_out = (size_t)p.batches * p.out_h * p.out_w * out_c;
        int8_t *in = malloc(n_in), *w = malloc((size_t)out_c * len);
        int8_t *out = malloc(n_out), *ref = malloc(n_out);
        int32_t bias[12], m[12], s[12];
        int32_t *fl = malloc(4u * NK_CONV_PACK_FL_WORDS(&p));
        const int extreme = ref_rand(&seed) % 4 == 0;
        fill_case(&p, in, w, bias, m, s, extreme, &seed);
        const int32_t *b = ref_rand(&seed) % 4 ? bias : NULL;
        if (nk_conv_pack_s8_fl(&p, w, b, fl) == NK_OK) {
            const nk_conv_pack k = {NULL, NULL, fl};
            check_packed(&p, &k, in, w, b, out, ref, n_out);
            ++ran;
        }
        free(in), free(w), free(out), free(ref), free(fl);
    }
    CU_ASSERT(ran > 200);
    /* refused: odd out_c, dilation, more than NK_CONV_PACK_FL_MAX_GROUPS
     * groups, a band beyond NK_CONV_PACK_FL_BUF, a narrower activation
     * range */
    nk_conv_params p = shape(32, 32, 16, 16, 3, 3, 1, 1, 0, 0);
    CU_ASSERT(nk_conv_pack_fl_ok(&p));
    p = shape(8, 8, 64, 16, 3, 3, 1, 1, 0, 0);
    CU_ASSERT(!nk_conv_pack_fl_ok(&p));
    p = shape(32, 32, 3, 15, 3, 3, 1, 1, 0, 0);
    CU_ASSERT(!nk_conv_pack_fl_ok(&p));
    p = shape(32, 32, 3, 16, 3, 3, 1, 1, 0, 0);
    CU_ASSERT(nk_conv_pack_fl_ok(&p));
    p.dilation_w = 2;
    CU_ASSERT(!nk_conv_pack_fl_ok(&p));
    p = shape(224, 224, 3, 16, 3, 3, 2, 1, 0, 0);
    CU_ASSERT(!nk_conv_pack_fl_ok(&p));
    p = shape(8, 8, 3, 2, 3, 3, 1, 1, 0, 0);
    int8_t w[54] = {0};
    int32_t m[2] = {(1 << 30) + 1, (1 << 30) + 1}, s[2] = {-3, -3}, fl[2 * 38];
    p.out_mult = m;
    p.out_shift = s;
    CU_ASSERT_EQUAL(nk_conv_pack_s8_fl(&p, w, NULL, fl), NK_OK);
    p.act_min = 0;
    CU_ASSERT_EQUAL(nk_conv_pack_s8_fl(&p, w, NULL, fl), NK_ERR_PARAMS);
}

int neurio_register_tests(void)
{
    CU_pSuite s = CU_add_suite("nk_conv_pack", NULL, NULL);
    if (!s)
        return -1;
    CU_add_test(s, "packed = nk_conv2d_s8 on random shapes and extremes", test_random_shapes);
    CU_add_test(s, "refused layers and requantizations; the lane order", test_refused);
    CU_add_test(s, "2 x 2 layout = nk_conv2d_s8 on random shapes",
                test_fl_random_shapes);
    return 0;
}

/* tests/kernels/conv/test_nk_transpose_conv.c — TRANSPOSE_CONV int8, int16x8 and
 * float32 against hand-computed values and an independent reference that
 * works the other way round: it scatters every input pixel into an
 * accumulator image (the formulation of TFLite's reference kernel), while
 * the kernel gathers per output element. */
#include <string.h>

#include "kernel_ref.h"
#include "nk.h"
#include "test_util.h"

#define MAXE 4096

static int32_t ref_requant64(int64_t x, int32_t mult, int32_t shift)
{
    int64_t m16 = mult < 0x7FFF0000 ? ref_floor_div((int64_t)mult + 32768, 65536) : 0x7FFF;
    int64_t den = (int64_t)1 << (15 - shift);
    return (int32_t)ref_floor_div(x * m16 + den / 2, den);
}

/* Scatter accumulation (integer input already minus its zero point, as
 * int64; float into facc). */
static void ref_scatter(const nk_conv_params *p, const int64_t *in, const double *fin,
                        const int8_t *f, const float *ff, int64_t *acc, float *facc)
{
    size_t n = (size_t)p->batches * p->out_h * p->out_w * p->out_c;
    if (acc)
        memset(acc, 0, n * sizeof *acc);
    for (size_t i = 0; facc && i < n; i++)
        facc[i] = 0.0f;
    for (int b = 0; b < p->batches; b++)
        for (int iy = 0; iy < p->in_h; iy++)
            for (int ix = 0; ix < p->in_w; ix++)
                for (int ic = 0; ic < p->in_c; ic++)
                    for (int fy = 0; fy < p->filter_h; fy++)
                        for (int fx = 0; fx < p->filter_w; fx++)
                            for (int oc = 0; oc < p->out_c; oc++) {
                                int oy = iy * p->stride_h - p->pad_top + fy;
                                int ox = ix * p->stride_w - p->pad_left + fx;
                                if (oy < 0 || oy >= p->out_h || ox < 0 || ox >= p->out_w)
                                    continue;
                                size_t o = (((size_t)b * p->out_h + oy) * p->out_w + ox) * p->out_c + oc;
                                size_t ii = (((size_t)b * p->in_h + iy) * p->in_w + ix) * p->in_c + ic;
                                size_t fi = (((size_t)oc * p->filter_h + fy) * p->filter_w + fx) * p->in_c + ic;
                                if (acc)
                                    acc[o] += in[ii] * f[fi];
                                if (facc)
                                    facc[o] += (float)fin[ii] * ff[fi];
                            }
}

static void test_hand_computed(void)
{
    /* 2x2 input 1 2 / 3 4, 2x2 filter of ones, stride 2, no padding: each
     * input pixel becomes a 2x2 block of the 4x4 output. */
    const int8_t in[4] = {1, 2, 3, 4}, f[4] = {1, 1, 1, 1};
    const int32_t mult[1] = {1 << 30}, shift[1] = {1};
    nk_conv_params p = {.batches = 1, .in_h = 2, .in_w = 2, .in_c = 1, .out_h = 4, .out_w = 4,
                        .out_c = 1, .filter_h = 2, .filter_w = 2, .stride_h = 2, .stride_w = 2,
                        .out_mult = mult, .out_shift = shift, .act_min = -128, .act_max = 127};
    int8_t out[16];
    const int8_t want[16] = {1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4};
    CU_ASSERT_EQUAL(nk_transpose_conv_s8(&p, in, f, NULL, out), NK_OK);
    CU_ASSERT_EQUAL(memcmp(out, want, 16), 0);
    /* Stride 1 with a 3x3 output from a 2x2 input and 2x2 ones: overlaps add
     * up (centre = 1+2+3+4); bias 1 and out_zp -1 cancel. */
    p.out_h = p.out_w = 3;
    p.stride_h = p.stride_w = 1;
    const int32_t b1[1] = {1};
    p.out_zp = -1;
    CU_ASSERT_EQUAL(nk_transpose_conv_s8(&p, in, f, b1, out), NK_OK);
    const int8_t want3[9] = {1, 3, 2, 4, 10, 6, 3, 7, 4};
    CU_ASSERT_EQUAL(memcmp(out, want3, 9), 0);
    /* int16 and float: the same sums. */
    const int16_t in16[4] = {1000, 2000, 3000, 4000};
    const int64_t b64[1] = {0};
    int16_t out16[9];
    p.act_min = -32768;
    p.act_max = 32767;
    CU_ASSERT_EQUAL(nk_transpose_conv_s16(&p, in16, f, b64, out16), NK_OK);
    CU_ASSERT_EQUAL(out16[4], 10000);
    CU_ASSERT_EQUAL(out16[8], 4000);
    const float inf[4] = {1, 2, 3, 4}, ff[4] = {1, 1, 1, 1}, bf[1] = {0.5f};
    float outf[9];
    p.act_min_f = 0.0f;
    p.act_max_f = 6.0f; /* RELU6 */
    CU_ASSERT_EQUAL(nk_transpose_conv_f32(&p, inf, ff, bf, outf), NK_OK);
    CU_ASSERT_EQUAL(outf[0], 1.5f);
    CU_ASSERT_EQUAL(outf[4], 6.0f);
    /* Bad parameters. */
    p.stride_w = 0;
    CU_ASSERT_EQUAL(nk_transpose_conv_s8(&p, in, f, NULL, out), NK_ERR_PARAMS);
    p.stride_w = 1;
    p.filter_w = 65;
    CU_ASSERT_EQUAL(nk_transpose_conv_f32(&p, inf, ff, NULL, outf), NK_ERR_PARAMS);
}

/* A random transpose conv of all three dtypes against ref_scatter. */
static void run_random(uint32_t *seed, int iter)
{
    int in_h = 1 + (int)(ref_rand(seed) % 5), in_w = 1 + (int)(ref_rand(seed) % 5);
    int in_c = 1 + (int)(ref_rand(seed) % 4), out_c = 1 + (int)(ref_rand(seed) % 4);
    int fh = 1 + (int)(ref_rand(seed) % 4), fw = 1 + (int)(ref_rand(seed) % 4);
    int sh = 1 + (int)(ref_rand(seed) % 3), sw = 1 + (int)(ref_rand(seed) % 3);
    int pt = (int)(ref_rand(seed) % (unsigned)fh), pl = (int)(ref_rand(seed) % (unsigned)fw);
    int out_h = (in_h - 1) * sh + fh - 2 * pt + (int)(ref_rand(seed) % 2);
    int out_w = (in_w - 1) * sw + fw - 2 * pl + (int)(ref_rand(seed) % 2);
    if (out_h < 1 || out_w < 1)
        return;
    int per_channel = iter & 1, in_zp = (int)(ref_rand(seed) % 11) - 5;
    int32_t mult[4], shift[4];
    int8_t f[4 * 4 * 4 * 4], in8[MAXE], out8[MAXE], want8[MAXE];
    int16_t in16[MAXE], out16[MAXE], want16[MAXE];
    float ff[4 * 4 * 4 * 4], inf[MAXE], outf[MAXE], accf[MAXE], bf[4];
    int64_t v[MAXE], acc[MAXE], b64[4];
    double vd[MAXE];
    int32_t b32[4];
    size_t n_in = (size_t)in_h * in_w * in_c, n_out = (size_t)out_h * out_w * out_c;
    for (int i = 0; i < out_c * fh * fw * in_c; i++) {
        f[i] = ref_rand_s8(seed);
        ff[i] = (float)f[i] / 64.0f;
    }
    for (int i = 0; i < out_c; i++) {
        b32[i] = (int32_t)(ref_rand(seed) % 20001) - 10000;
        b64[i] = (int64_t)b32[i] * 300;
        bf[i] = (float)b32[i] / 1000.0f;
        ref_multiplier(0.0005 + (ref_rand(seed) % 1000) * 1e-5, &mult[i], &shift[i]);
    }
    nk_conv_params p = {.batches = 1, .in_h = in_h, .in_w = in_w, .in_c = in_c, .out_h = out_h,
                        .out_w = out_w, .out_c = out_c, .filter_h = fh, .filter_w = fw,
                        .stride_h = sh, .stride_w = sw, .pad_top = pt, .pad_left = pl,
                        .in_zp = in_zp, .out_zp = 3, .per_channel = per_channel,
                        .out_mult = mult, .out_shift = shift, .act_min = -128, .act_max = 127,
                        .act_min_f = -1e30f, .act_max_f = 1e30f};
    /* int8 */
    for (size_t i = 0; i < n_in; i++) {
        in8[i] = ref_rand_s8(seed);
        v[i] = in8[i] - in_zp;
    }
    ref_scatter(&p, v, NULL, f, NULL, acc, NULL);
    for (size_t o = 0; o < n_out; o++) {
        int q = per_channel ? (int)(o % (size_t)out_c) : 0;
        int64_t a = acc[o] + b32[o % (size_t)out_c];
        want8[o] = (int8_t)ref_clamp(ref_requant(a, mult[q], shift[q]) + 3, -128, 127);
    }
    CU_ASSERT_EQUAL_FATAL(nk_transpose_conv_s8(&p, in8, f, b32, out8), NK_OK);
    CU_ASSERT_EQUAL(memcmp(out8, want8, n_out), 0);
    /* int16x8 (zero points not read) */
    p.act_min = -32768;
    p.act_max = 32767;
    for (size_t i = 0; i < n_in; i++) {
        in16[i] = (int16_t)(int32_t)((ref_rand(seed) & 0xffff) - 32768);
        v[i] = in16[i];
    }
    ref_scatter(&p, v, NULL, f, NULL, acc, NULL);
    for (size_t o = 0; o < n_out; o++) {
        int q = per_channel ? (int)(o % (size_t)out_c) : 0;
        int64_t a = acc[o] + b64[o % (size_t)out_c];
        want16[o] = (int16_t)ref_clamp(ref_requant64(a, mult[q], shift[q]), -32768, 32767);
    }
    CU_ASSERT_EQUAL_FATAL(nk_transpose_conv_s16(&p, in16, f, b64, out16), NK_OK);
    CU_ASSERT_EQUAL(memcmp(out16, want16, n_out * sizeof out16[0]), 0);
    /* an int16 bias is widened to int64 (TFLite Micro's 16x8 rule) */
    int16_t b16[16];
    for (int c = 0; c < out_c && c < 16; c++)
        b16[c] = (int16_t)(int32_t)((ref_rand(seed) & 0xffff) - 32768);
    for (size_t o = 0; o < n_out; o++) {
        int q = per_channel ? (int)(o % (size_t)out_c) : 0;
        int64_t a = acc[o] + b16[o % (size_t)out_c];
        want16[o] = (int16_t)ref_clamp(ref_requant64(a, mult[q], shift[q]), -32768, 32767);
    }
    CU_ASSERT_EQUAL_FATAL(nk_transpose_conv_s16_b16(&p, in16, f, b16, out16), NK_OK);
    CU_ASSERT_EQUAL(memcmp(out16, want16, n_out * sizeof out16[0]), 0);
    /* float: the scatter adds in the same order the kernel gathers, so the
     * sums are identical, not merely close */
    for (size_t i = 0; i < n_in; i++) {
        inf[i] = (float)(int32_t)(ref_rand(seed) % 2001 - 1000) / 317.0f;
        vd[i] = inf[i];
    }
    ref_scatter(&p, NULL, vd, f, ff, NULL, accf);
    CU_ASSERT_EQUAL_FATAL(nk_transpose_conv_f32(&p, inf, ff, bf, outf), NK_OK);
    int same = 1;
    for (size_t o = 0; o < n_out; o++)
        same &= outf[o] == accf[o] + bf[o % (size_t)out_c];
    CU_ASSERT_TRUE(same);
}

static void test_random(void)
{
    uint32_t seed = 0x7c0417;
    for (int iter = 0; iter < 300; iter++)
        run_random(&seed, iter);
}

int neurio_register_tests(void)
{
    CU_pSuite s = CU_add_suite("nk_transpose_conv", NULL, NULL);
    if (!s || !CU_add_test(s, "hand-computed transpose conv (int8, int16, float)",
                           test_hand_computed) ||
        !CU_add_test(s, "random transpose conv vs a scatter reference", test_random))
        return -1;
    return 0;
}

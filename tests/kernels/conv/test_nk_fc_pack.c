/* tests/kernels/conv/test_nk_fc_pack.c — the packed FULLY_CONNECTED layout
 * in both layouts (nk_fc_pack_s8 / nk_fc_pack_s8_w16 +
 * nk_fully_connected_s8_packed / _packed16, portable C here; the DSP
 * version is compared on the emulated board by test_nk_arm_dsp_qemu)
 * against nk_fully_connected_s8 on random shapes, extreme inputs and
 * weights, and the pairs the layout refuses. */
#include <string.h>

#include "kernel_ref.h"
#include "nk.h"
#include "test_util.h"

/* mode 0: random; 1: inputs and weights at the int8 extremes (the chunk
 * and int16 bounds); 2: weights in [-127, 127] only */
static int run_case(int batches, int depth, int outs, int pc, int in_zp, int out_zp, int amin,
                    int amax, int mode, int with_bias, uint32_t seed)
{
    int8_t *in = malloc((size_t)batches * depth), *w = malloc((size_t)outs * depth);
    int8_t *out = malloc((size_t)batches * outs), *ref = malloc((size_t)batches * outs);
    int32_t *bias = malloc(4u * outs), *m = malloc(4u * outs), *s = malloc(4u * outs);
    int32_t *pw = malloc(4u * NK_FC_PACK_WORDS16(depth, outs));
    int32_t *pk = malloc(4u * NK_FC_PACK_ROWS(outs));
    uint32_t *xb = malloc(4u * NK_FC_PACK_XWORDS(depth));
    for (int i = 0; i < batches * depth; ++i) {
        in[i] = ref_rand_s8(&seed);
        if (mode == 1)
            in[i] = (ref_rand(&seed) & 1) ? -128 : 127;
    }
    for (int i = 0; i < outs * depth; ++i) {
        w[i] = ref_rand_s8(&seed);
        if (mode == 1)
            w[i] = (ref_rand(&seed) & 1) ? -127 : 127;
        if (mode == 2 && w[i] == -128)
            w[i] = -127;
    }
    for (int o = 0; o < outs; ++o) {
        bias[o] = (int32_t)(ref_rand(&seed) % 60001) - 30000;
        ref_multiplier(0.00005 + (ref_rand(&seed) % 1000) * 0.000003, &m[o], &s[o]);
    }
    nk_fc_params p = {.batches = batches, .in_depth = depth, .out_depth = outs, .in_zp = in_zp,
                      .out_zp = out_zp, .per_channel = pc, .out_mult = m, .out_shift = s,
                      .act_min = amin, .act_max = amax};
    const int32_t *b = with_bias ? bias : NULL;
    CU_ASSERT_EQUAL_FATAL(nk_fully_connected_s8(&p, in, w, b, ref), NK_OK);
    int rc = NK_OK;
    for (int32_t wide = 0; wide < 2; ++wide) {
        /* both layouts: int8 (may refuse a pair), int16 (always packs) */
        int32_t x2 = -1;
        const int r = wide ? nk_fc_pack_s8_w16(&p, w, b, pw, pk, &x2)
                           : nk_fc_pack_s8(&p, w, b, pw, pk, &x2);
        if (wide) {
            CU_ASSERT_EQUAL(r, NK_OK);
        } else {
            rc = r;
        }
        if (r != NK_OK)
            continue;
        CU_ASSERT(x2 == 0 || x2 == 1);
        const nk_fc_pack k = {pw, pk, xb, NK_FC_PACK_DEPTH(depth), x2, wide};
        memset(out, 0x5a, (size_t)batches * outs);
        CU_ASSERT_EQUAL_FATAL(wide ? nk_fully_connected_s8_packed16(&p, &k, in, out)
                                   : nk_fully_connected_s8_packed(&p, &k, in, out),
                              NK_OK);
        CU_ASSERT_EQUAL(memcmp(out, ref, (size_t)batches * outs), 0);
    }
    free(in), free(w), free(out), free(ref), free(bias), free(m), free(s);
    free(pw), free(pk), free(xb);
    return rc;
}

static void test_random_shapes(void)
{
    uint32_t seed = 77u;
    for (int i = 0; i < 300; ++i) {
        const int depth = 1 + (int)(ref_rand(&seed) % 700), outs = 1 + (int)(ref_rand(&seed) % 40);
        const int batches = 1 + (int)(ref_rand(&seed) % 3), pc = (int)(ref_rand(&seed) & 1);
        const int in_zp = (int)(ref_rand(&seed) % 256) - 128;
        const int out_zp = (int)(ref_rand(&seed) % 256) - 128;
        const int relu = (int)(ref_rand(&seed) % 3) == 0;
        const int mode = (int)(ref_rand(&seed) % 3);
        const int with_bias = (int)(ref_rand(&seed) % 4) != 0;
        int rc = run_case(batches, depth, outs, pc, in_zp, out_zp, relu ? out_zp : -128, 127,
                          mode, with_bias, seed);
        if (mode != 0)
            CU_ASSERT_EQUAL(rc, NK_OK); /* weights in [-127, 127] always pack */
    }
    /* the models' shapes: ad01 (640x128, 128x128, 128x8), hello_world 16x16 */
    CU_ASSERT_EQUAL(run_case(1, 640, 128, 0, -128, -128, -128, 127, 2, 1, 1u), NK_OK);
    CU_ASSERT_EQUAL(run_case(1, 128, 128, 1, -128, 5, -128, 127, 2, 1, 2u), NK_OK);
    CU_ASSERT_EQUAL(run_case(1, 128, 8, 0, 3, -128, -128, 127, 1, 1, 3u), NK_OK);
    CU_ASSERT_EQUAL(run_case(1, 16, 16, 0, -128, -128, -128, 127, 2, 0, 4u), NK_OK);
    /* extremes over more than one 128-input chunk */
    CU_ASSERT_EQUAL(run_case(2, 1000, 9, 1, 127, 0, -128, 127, 1, 1, 5u), NK_OK);
    CU_ASSERT_EQUAL(run_case(2, 1000, 9, 1, -128, 0, -128, 127, 1, 1, 6u), NK_OK);
}

static void test_refused(void)
{
    /* w_even < 0 and w_odd = -128: 256 w_odd + w_even is no int16 */
    const int8_t w[4] = {-1, -128, 0, 0};
    const int32_t m[1] = {1 << 30}, s[1] = {-3};
    nk_fc_params p = {.batches = 1, .in_depth = 4, .out_depth = 1, .out_mult = m,
                      .out_shift = s, .act_min = -128, .act_max = 127};
    int32_t pw[NK_FC_PACK_WORDS(4, 1)], pk[NK_FC_PACK_ROWS(1)], x2;
    CU_ASSERT_EQUAL(nk_fc_pack_s8(&p, w, NULL, pw, pk, &x2), NK_ERR_PARAMS);
    const int8_t w_ok[4] = {1, -128, -128, 127}; /* w_even >= 0: holds */
    CU_ASSERT_EQUAL(nk_fc_pack_s8(&p, w_ok, NULL, pw, pk, &x2), NK_OK);
    p.filter_zp = 1;
    CU_ASSERT_EQUAL(nk_fc_pack_s8(&p, w_ok, NULL, pw, pk, &x2), NK_ERR_PARAMS);
    p.filter_zp = 0;
    uint32_t xb[NK_FC_PACK_XWORDS(4)];
    int8_t in[4] = {0}, out[1];
    nk_fc_pack k = {pw, pk, xb, 16, x2, 0}; /* wrong depth_pad */
    CU_ASSERT_EQUAL(nk_fully_connected_s8_packed(&p, &k, in, out), NK_ERR_PARAMS);
    k.depth_pad = NK_FC_PACK_DEPTH(4);
    CU_ASSERT_EQUAL(nk_fully_connected_s8_packed(&p, &k, in, out), NK_OK);
    CU_ASSERT_EQUAL(nk_fully_connected_s8_packed(&p, NULL, in, out), NK_ERR_PARAMS);
    /* each entry takes its own layout only */
    CU_ASSERT_EQUAL(nk_fully_connected_s8_packed16(&p, &k, in, out), NK_ERR_PARAMS);
    k.wide = 1;
    CU_ASSERT_EQUAL(nk_fully_connected_s8_packed(&p, &k, in, out), NK_ERR_PARAMS);
    /* the int16 layout holds every int8 weight; filter_zp != 0 refused */
    int32_t pw16[NK_FC_PACK_WORDS16(4, 1)];
    CU_ASSERT_EQUAL(nk_fc_pack_s8_w16(&p, w, NULL, pw16, pk, &x2), NK_OK);
    p.filter_zp = 1;
    CU_ASSERT_EQUAL(nk_fc_pack_s8_w16(&p, w, NULL, pw16, pk, &x2), NK_ERR_PARAMS);
}

int neurio_register_tests(void)
{
    CU_pSuite s = CU_add_suite("nk_fc_pack", NULL, NULL);
    if (!s)
        return -1;
    CU_add_test(s, "packed = nk_fully_connected_s8 on random shapes and extremes",
                test_random_shapes);
    CU_add_test(s, "refused pairs, zero points and layouts", test_refused);
    return 0;
}

/* tests/kernels/pool/test_nk_reduce.c — SUM (int8/int16 with TFLM's integer
 * rescaling, float), REDUCE_MAX/MIN and REDUCE_PROD over random axis sets
 * of random shapes, against the sums computed here from the definition. */
#include <string.h>

#include "kernel_ref.h"
#include "nd_ref.h"
#include "nk.h"
#include "test_util.h"

static void test_random(void)
{
    uint32_t seed = 77u;
    int bad = 0;
    static int8_t i8[4096], o8[4096];
    static int16_t i16[4096], o16[4096];
    static float f[4096], of[4096];
    for (int t = 0; t < 200; ++t) {
        nk_mean_params p;
        memset(&p, 0, sizeof p);
        p.rank = 1 + (int32_t)(ref_rand(&seed) % 4);
        for (int d = 0; d < p.rank; ++d) {
            p.in_dims[d] = 1 + (int32_t)(ref_rand(&seed) % 5);
            p.reduce[d] = (int32_t)(ref_rand(&seed) & 1);
        }
        p.in_zp = (int32_t)(ref_rand(&seed) % 256) - 128;
        p.out_zp = (int32_t)(ref_rand(&seed) % 256) - 128;
        ref_multiplier(0.01 + (ref_rand(&seed) % 1000) / 1000.0, &p.mult, &p.shift);
        int64_t n = ref_count(p.in_dims, p.rank);
        for (int64_t i = 0; i < n; ++i) {
            i8[i] = ref_rand_s8(&seed);
            i16[i] = (int16_t)ref_rand(&seed);
            f[i] = (float)((int32_t)(ref_rand(&seed) % 200) - 100) / 16.0f;
        }
        int32_t od[6];
        for (int d = 0; d < p.rank; ++d)
            od[d] = p.reduce[d] ? 1 : p.in_dims[d];
        int64_t n_out = ref_count(od, p.rank);
        static int64_t s8[4096], s16[4096];
        static int32_t cnt[4096], mx[4096], mn[4096];
        static float sf[4096], pf[4096], mxf[4096];
        for (int64_t o = 0; o < n_out; ++o) {
            s8[o] = s16[o] = cnt[o] = 0;
            mx[o] = -128;
            mn[o] = 32767;
            sf[o] = 0.0f;
            pf[o] = 1.0f;
            mxf[o] = -3.402823466e+38f;
        }
        int32_t idx[6] = {0}, oi[6];
        do {
            for (int d = 0; d < p.rank; ++d)
                oi[d] = p.reduce[d] ? 0 : idx[d];
            int64_t o = ref_offset(od, oi, p.rank), i = ref_offset(p.in_dims, idx, p.rank);
            s8[o] += i8[i];
            s16[o] += i16[i];
            cnt[o]++;
            mx[o] = i8[i] > mx[o] ? i8[i] : mx[o];
            mn[o] = i16[i] < mn[o] ? i16[i] : mn[o];
            sf[o] = f[i] + sf[o];
            pf[o] = f[i] * pf[o];
            mxf[o] = f[i] > mxf[o] ? f[i] : mxf[o];
        } while (ref_next(idx, p.in_dims, p.rank));
        CU_ASSERT_EQUAL_FATAL(nk_reduce_sum_s8(&p, i8, o8), NK_OK);
        for (int64_t o = 0; o < n_out; ++o)
            bad += o8[o] != ref_clamp(ref_requant(s8[o] - (int64_t)p.in_zp * cnt[o], p.mult,
                                                  p.shift) + p.out_zp, -128, 127);
        CU_ASSERT_EQUAL_FATAL(nk_reduce_sum_s16(&p, i16, o16), NK_OK);
        for (int64_t o = 0; o < n_out; ++o)
            bad += o16[o] != ref_clamp(ref_requant(s16[o] - (int64_t)p.in_zp * cnt[o], p.mult,
                                                   p.shift) + p.out_zp, -32768, 32767);
        CU_ASSERT_EQUAL_FATAL(nk_reduce_max_s8(&p, i8, o8), NK_OK);
        for (int64_t o = 0; o < n_out; ++o)
            bad += o8[o] != mx[o];
        CU_ASSERT_EQUAL_FATAL(nk_reduce_min_s16(&p, i16, o16), NK_OK);
        for (int64_t o = 0; o < n_out; ++o)
            bad += o16[o] != mn[o];
        CU_ASSERT_EQUAL_FATAL(nk_reduce_sum_f32(&p, f, of), NK_OK);
        for (int64_t o = 0; o < n_out; ++o)
            bad += of[o] != sf[o];
        CU_ASSERT_EQUAL_FATAL(nk_reduce_prod_f32(&p, f, of), NK_OK);
        for (int64_t o = 0; o < n_out; ++o)
            bad += of[o] != pf[o];
        CU_ASSERT_EQUAL_FATAL(nk_reduce_max_f32(&p, f, of), NK_OK);
        for (int64_t o = 0; o < n_out; ++o)
            bad += of[o] != mxf[o];
    }
    CU_ASSERT_EQUAL(bad, 0);
}

static void test_small(void)
{
    /* [2,3] min over axis 1 (int8 and float), max over both (int16) */
    const int8_t a[6] = {3, -2, 5, 0, 9, -7};
    const float fa[6] = {3, -2, 5, 0, 9, -7};
    const int16_t b[6] = {3, -2, 5, 0, 9, -7};
    int8_t o[2];
    float fo[2];
    int16_t m[1];
    nk_mean_params p = {.rank = 2, .in_dims = {2, 3}, .reduce = {0, 1}};
    CU_ASSERT_EQUAL_FATAL(nk_reduce_min_s8(&p, a, o), NK_OK);
    CU_ASSERT(o[0] == -2 && o[1] == -7);
    CU_ASSERT_EQUAL_FATAL(nk_reduce_min_f32(&p, fa, fo), NK_OK);
    CU_ASSERT(fo[0] == -2.0f && fo[1] == -7.0f);
    p.reduce[0] = 1;
    CU_ASSERT_EQUAL_FATAL(nk_reduce_max_s16(&p, b, m), NK_OK);
    CU_ASSERT_EQUAL(m[0], 9);
    p.in_dims[0] = 0;
    CU_ASSERT_EQUAL(nk_reduce_max_s16(&p, b, m), NK_ERR_PARAMS);
}

int neurio_register_tests(void)
{
    CU_pSuite s = CU_add_suite("nk_reduce", NULL, NULL);
    if (!s)
        return -1;
    CU_add_test(s, "200 random reductions against the definition", test_random);
    CU_add_test(s, "MIN/MAX by hand", test_small);
    return 0;
}

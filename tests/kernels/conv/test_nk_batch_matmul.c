/* tests/kernels/conv/test_nk_batch_matmul.c — BATCH_MATMUL int8, int16 and float
 * with broadcast batch axes and every adj_x/adj_y combination, against the
 * matrix product written from the definition (int8: exact requantization;
 * int16: TFLite's 64-bit MultiplyByQuantizedMultiplier re-derived). */
#include <string.h>

#include "kernel_ref.h"
#include "nk.h"
#include "test_util.h"

/* TFLite's int64 MultiplyByQuantizedMultiplier, from its definition. */
static int32_t ref_mbqm64(int64_t x, int32_t m, int32_t shift)
{
    int64_t reduced = m < 0x7FFF0000 ? (m + (1 << 15)) >> 16 : 0x7FFF;
    int total = 15 - shift;
    return (int32_t)ref_floor_div(x * reduced + ((int64_t)1 << (total - 1)), (int64_t)1 << total);
}

static void test_random(void)
{
    uint32_t seed = 808u;
    int bad = 0;
    static int8_t l8[2048], r8[2048], o8[4096];
    static int16_t l16[2048], r16[2048], o16[4096];
    static float lf[2048], rf[2048], of[4096];
    for (int t = 0; t < 200; ++t) {
        nk_batch_matmul_params p;
        memset(&p, 0, sizeof p);
        p.batch_rank = (int32_t)(ref_rand(&seed) % 3);
        int32_t ld[2], rd[2];
        int lmat = 1, rmat = 1;
        for (int d = p.batch_rank - 1; d >= 0; --d) {
            int e = 1 + (int)(ref_rand(&seed) % 3);
            ld[d] = (ref_rand(&seed) & 1) ? e : 1;
            rd[d] = (ref_rand(&seed) & 1) ? e : 1;
            p.out_bdims[d] = ld[d] > rd[d] ? ld[d] : rd[d];
            p.lhs_bstrides[d] = ld[d] == 1 ? 0 : lmat;
            p.rhs_bstrides[d] = rd[d] == 1 ? 0 : rmat;
            lmat *= ld[d];
            rmat *= rd[d];
        }
        p.rows = 1 + (int32_t)(ref_rand(&seed) % 4);
        p.depth = 1 + (int32_t)(ref_rand(&seed) % 6);
        p.cols = 1 + (int32_t)(ref_rand(&seed) % 4);
        p.adj_x = (int32_t)(ref_rand(&seed) & 1);
        p.adj_y = (int32_t)(ref_rand(&seed) & 1);
        for (int i = 0; i < lmat * p.rows * p.depth; ++i) {
            l8[i] = ref_rand_s8(&seed);
            l16[i] = (int16_t)ref_rand(&seed);
            lf[i] = (float)((int32_t)(ref_rand(&seed) % 64) - 32) / 8.0f;
        }
        for (int i = 0; i < rmat * p.depth * p.cols; ++i) {
            r8[i] = ref_rand_s8(&seed);
            r16[i] = (int16_t)ref_rand(&seed);
            rf[i] = (float)((int32_t)(ref_rand(&seed) % 64) - 32) / 8.0f;
        }
        p.lhs_zp = (int32_t)(ref_rand(&seed) % 256) - 128;
        p.rhs_zp = (int32_t)(ref_rand(&seed) % 256) - 128;
        p.out_zp = (int32_t)(ref_rand(&seed) % 256) - 128;
        ref_multiplier(0.00001 + (ref_rand(&seed) % 1000) / 1e5, &p.out_mult, &p.out_shift);
        p.act_min = -128;
        p.act_max = 127;
        CU_ASSERT_EQUAL_FATAL(nk_batch_matmul_s8(&p, l8, r8, o8), NK_OK);
        CU_ASSERT_EQUAL_FATAL(nk_batch_matmul_f32(&p, lf, rf, of), NK_OK);
        nk_batch_matmul_params q = p;
        q.lhs_zp = q.rhs_zp = q.out_zp = 0;
        q.act_min = -32768;
        q.act_max = 32767;
        ref_multiplier(1e-9 + (ref_rand(&seed) % 1000) / 1e9, &q.out_mult, &q.out_shift);
        CU_ASSERT_EQUAL_FATAL(nk_batch_matmul_s16(&q, l16, r16, o16), NK_OK);
        int nb = 1;
        for (int d = 0; d < p.batch_rank; ++d)
            nb *= p.out_bdims[d];
        int o = 0;
        for (int b = 0; b < nb; ++b) {
            int rem = b, lm = 0, rm = 0;
            for (int d = p.batch_rank - 1; d >= 0; --d) {
                int i = rem % p.out_bdims[d];
                rem /= p.out_bdims[d];
                lm += i * p.lhs_bstrides[d];
                rm += i * p.rhs_bstrides[d];
            }
            for (int m = 0; m < p.rows; ++m)
                for (int n = 0; n < p.cols; ++n, ++o) {
                    int64_t s8 = 0, s16 = 0;
                    float sf = 0.0f;
                    for (int k = 0; k < p.depth; ++k) {
                        int li = lm * p.rows * p.depth + (p.adj_x ? k * p.rows + m : m * p.depth + k);
                        int ri = rm * p.depth * p.cols + (p.adj_y ? n * p.depth + k : k * p.cols + n);
                        s8 += (int64_t)(l8[li] - p.lhs_zp) * (r8[ri] - p.rhs_zp);
                        s16 += (int64_t)l16[li] * r16[ri];
                        sf += rf[ri] * lf[li];
                    }
                    bad += o8[o] != ref_clamp(ref_requant(s8, p.out_mult, p.out_shift) + p.out_zp,
                                              -128, 127);
                    bad += o16[o] != ref_clamp(ref_mbqm64(s16, q.out_mult, q.out_shift), -32768,
                                               32767);
                    bad += of[o] != sf;
                }
        }
    }
    CU_ASSERT_EQUAL(bad, 0);
}

int neurio_register_tests(void)
{
    CU_pSuite s = CU_add_suite("nk_batch_matmul", NULL, NULL);
    if (!s)
        return -1;
    CU_add_test(s, "200 random products, broadcast batches, adj_x/adj_y", test_random);
    return 0;
}

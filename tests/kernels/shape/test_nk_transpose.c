/* tests/kernels/shape/test_nk_transpose.c — TRANSPOSE on random shapes and
 * permutations (ranks 1..6) against out[i0..] = in[i_perm^-1], plus the
 * refusal of a non-permutation. */
#include <string.h>

#include "kernel_ref.h"
#include "nd_ref.h"
#include "nk.h"
#include "test_util.h"

static uint32_t seed = 4242u;

static void test_random(void)
{
    int bad = 0;
    static uint8_t in[16384], out[16384], want[16384];
    for (int t = 0; t < 300; ++t) {
        nk_transpose_params p;
        memset(&p, 0, sizeof p);
        p.rank = 1 + (int32_t)(ref_rand(&seed) % 6);
        p.elem_size = (int32_t[]){1, 2, 4}[ref_rand(&seed) % 3];
        for (int d = 0; d < p.rank; ++d) {
            p.in_dims[d] = 1 + (int32_t)(ref_rand(&seed) % 4);
            p.perm[d] = d;
        }
        for (int d = p.rank - 1; d > 0; --d) { /* Fisher-Yates */
            int j = (int)(ref_rand(&seed) % (uint32_t)(d + 1));
            int32_t tmp = p.perm[d];
            p.perm[d] = p.perm[j];
            p.perm[j] = tmp;
        }
        int32_t od[6];
        for (int d = 0; d < p.rank; ++d)
            od[d] = p.in_dims[p.perm[d]];
        int64_t n = ref_count(p.in_dims, p.rank);
        for (int64_t i = 0; i < n * p.elem_size; ++i)
            in[i] = (uint8_t)ref_rand(&seed);
        int32_t idx[6] = {0}, src[6];
        int64_t o = 0;
        do {
            for (int d = 0; d < p.rank; ++d)
                src[p.perm[d]] = idx[d];
            memcpy(want + o++ * p.elem_size,
                   in + ref_offset(p.in_dims, src, p.rank) * p.elem_size, (size_t)p.elem_size);
        } while (ref_next(idx, od, p.rank));
        CU_ASSERT_EQUAL_FATAL(nk_transpose(&p, in, out), NK_OK);
        bad += memcmp(out, want, (size_t)(n * p.elem_size)) != 0;
    }
    CU_ASSERT_EQUAL(bad, 0);
}

static void test_rejects(void)
{
    float in[6] = {0}, out[6];
    nk_transpose_params p = {.rank = 2, .in_dims = {2, 3}, .perm = {0, 0}, .elem_size = 4};
    CU_ASSERT_EQUAL(nk_transpose(&p, in, out), NK_ERR_PARAMS);
    p.perm[0] = 1;
    CU_ASSERT_EQUAL(nk_transpose(&p, in, out), NK_OK);
    p.perm[1] = 2;
    CU_ASSERT_EQUAL(nk_transpose(&p, in, out), NK_ERR_PARAMS);
}

int neurio_register_tests(void)
{
    CU_pSuite s = CU_add_suite("nk_transpose", NULL, NULL);
    if (!s)
        return -1;
    CU_add_test(s, "300 random permutations against the definition", test_random);
    CU_add_test(s, "a non-permutation is refused", test_rejects);
    return 0;
}

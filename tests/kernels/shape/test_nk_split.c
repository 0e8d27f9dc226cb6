/* tests/kernels/shape/test_nk_split.c — SPLIT/SPLIT_V/UNPACK as the inverse of
 * CONCATENATION: splitting a concatenation gives the pieces back, on
 * random outer/inner sizes, and a split along axis 1 by hand. */
#include <string.h>

#include "kernel_ref.h"
#include "nk.h"
#include "test_util.h"

static void test_axis1(void)
{
    /* [2,5] split into [2,2] and [2,3] along axis 1 */
    const int16_t in[10] = {0, 1, 2, 3, 4, 10, 11, 12, 13, 14};
    int16_t a[4], b[6];
    void *outs[2] = {a, b};
    const int32_t inner[2] = {2, 3};
    nk_split_params p = {.n_outputs = 2, .outer = 2, .elem_size = 2, .out_inner = inner};
    CU_ASSERT_EQUAL_FATAL(nk_split(&p, in, outs), NK_OK);
    const int16_t wa[4] = {0, 1, 10, 11}, wb[6] = {2, 3, 4, 12, 13, 14};
    CU_ASSERT_EQUAL(memcmp(a, wa, sizeof wa), 0);
    CU_ASSERT_EQUAL(memcmp(b, wb, sizeof wb), 0);
    p.out_inner = NULL;
    CU_ASSERT_EQUAL(nk_split(&p, in, outs), NK_ERR_PARAMS);
}

static void test_inverse_of_concat(void)
{
    uint32_t seed = 99u;
    int bad = 0;
    static int8_t pieces[4][512], back[4][512], whole[2048];
    for (int t = 0; t < 200; ++t) {
        int32_t n = 1 + (int32_t)(ref_rand(&seed) % 4), outer = 1 + (int32_t)(ref_rand(&seed) % 8);
        int32_t inner[4];
        const void *ins[4];
        void *outs[4];
        for (int i = 0; i < n; ++i) {
            inner[i] = (int32_t)(ref_rand(&seed) % 16);
            for (int j = 0; j < outer * inner[i]; ++j)
                pieces[i][j] = ref_rand_s8(&seed);
            ins[i] = pieces[i];
            outs[i] = back[i];
        }
        nk_concat_params c = {.n_inputs = n, .outer = outer, .elem_size = 1, .in_inner = inner};
        nk_split_params s = {.n_outputs = n, .outer = outer, .elem_size = 1, .out_inner = inner};
        CU_ASSERT_EQUAL_FATAL(nk_concat(&c, ins, whole), NK_OK);
        CU_ASSERT_EQUAL_FATAL(nk_split(&s, whole, outs), NK_OK);
        for (int i = 0; i < n; ++i)
            bad += memcmp(back[i], pieces[i], (size_t)(outer * inner[i])) != 0;
    }
    CU_ASSERT_EQUAL(bad, 0);
}

int neurio_register_tests(void)
{
    CU_pSuite s = CU_add_suite("nk_split", NULL, NULL);
    if (!s)
        return -1;
    CU_add_test(s, "int16 split along axis 1", test_axis1);
    CU_add_test(s, "split undoes concat on 200 random cases", test_inverse_of_concat);
    return 0;
}

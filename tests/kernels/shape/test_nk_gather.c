/* tests/kernels/shape/test_nk_gather.c — GATHER with int32 and int64 indices,
 * batch dimensions and inner blocks against the definition, and the
 * refusal of an out-of-range index before anything is written. */
#include <string.h>

#include "kernel_ref.h"
#include "nk.h"
#include "test_util.h"

static void test_random(void)
{
    uint32_t seed = 5u;
    int bad = 0;
    static float in[4096], out[4096], want[4096];
    for (int t = 0; t < 200; ++t) {
        nk_gather_params p = {.batches = 1 + (int32_t)(ref_rand(&seed) % 3),
                              .outer = 1 + (int32_t)(ref_rand(&seed) % 3),
                              .axis_size = 1 + (int32_t)(ref_rand(&seed) % 6),
                              .coords = (int32_t)(ref_rand(&seed) % 5),
                              .inner = 1 + (int32_t)(ref_rand(&seed) % 4),
                              .elem_size = 4,
                              .index_size = (ref_rand(&seed) & 1) ? 8 : 4};
        int32_t i32[64];
        int64_t i64[64];
        for (int i = 0; i < p.batches * p.coords; ++i)
            i64[i] = i32[i] = (int32_t)(ref_rand(&seed) % (uint32_t)p.axis_size);
        for (int i = 0; i < p.batches * p.outer * p.axis_size * p.inner; ++i)
            in[i] = (float)i;
        int o = 0;
        for (int b = 0; b < p.batches; ++b)
            for (int q = 0; q < p.outer; ++q)
                for (int c = 0; c < p.coords; ++c)
                    for (int k = 0; k < p.inner; ++k)
                        want[o++] = in[((b * p.outer + q) * p.axis_size + i32[b * p.coords + c]) *
                                           p.inner + k];
        CU_ASSERT_EQUAL_FATAL(
            nk_gather(&p, in, p.index_size == 8 ? (const void *)i64 : (const void *)i32, out),
            NK_OK);
        bad += memcmp(out, want, (size_t)o * sizeof(float)) != 0;
    }
    CU_ASSERT_EQUAL(bad, 0);
}

static void test_out_of_range(void)
{
    const int8_t in[4] = {1, 2, 3, 4};
    int8_t out[2] = {9, 9};
    const int32_t idx[2] = {1, 4};
    nk_gather_params p = {.batches = 1, .outer = 1, .axis_size = 4, .coords = 2, .inner = 1,
                          .elem_size = 1, .index_size = 4};
    CU_ASSERT_EQUAL(nk_gather(&p, in, idx, out), NK_ERR_PARAMS);
    CU_ASSERT_EQUAL(out[0], 9); /* nothing written */
    const int32_t neg[1] = {-1};
    p.coords = 1;
    CU_ASSERT_EQUAL(nk_gather(&p, in, neg, out), NK_ERR_PARAMS);
    p.index_size = 2;
    CU_ASSERT_EQUAL(nk_gather(&p, in, idx, out), NK_ERR_PARAMS);
}

int neurio_register_tests(void)
{
    CU_pSuite s = CU_add_suite("nk_gather", NULL, NULL);
    if (!s)
        return -1;
    CU_add_test(s, "200 random gathers against the definition", test_random);
    CU_add_test(s, "out-of-range indices are refused before writing", test_out_of_range);
    return 0;
}

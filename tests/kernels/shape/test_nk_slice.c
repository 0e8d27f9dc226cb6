/* tests/kernels/shape/test_nk_slice.c — SLICE and strided windows on random
 * shapes (ranks 1..6, element sizes 1/2/4) against the definition
 * out[idx] = in[begin + idx * step], plus the parameter checks. */
#include <string.h>

#include "kernel_ref.h"
#include "nd_ref.h"
#include "nk.h"
#include "test_util.h"

static uint32_t seed = 777u;

static void test_random_windows(void)
{
    int bad = 0;
    static uint8_t in[65536], out[65536], want[65536];
    for (int t = 0; t < 400; ++t) {
        nk_slice_params p;
        memset(&p, 0, sizeof p);
        p.rank = 1 + (int32_t)(ref_rand(&seed) % 6);
        p.elem_size = (int32_t[]){1, 2, 4}[ref_rand(&seed) % 3];
        for (int d = 0; d < p.rank; ++d) {
            p.in_dims[d] = 1 + (int32_t)(ref_rand(&seed) % 5);
            p.step[d] = (ref_rand(&seed) % 4 == 0) ? -1 - (int32_t)(ref_rand(&seed) % 2)
                                                    : 1 + (int32_t)(ref_rand(&seed) % 2);
            p.begin[d] = (int32_t)(ref_rand(&seed) % (uint32_t)p.in_dims[d]);
            int32_t room = p.step[d] > 0 ? (p.in_dims[d] - 1 - p.begin[d]) / p.step[d] + 1
                                         : p.begin[d] / -p.step[d] + 1;
            p.out_dims[d] = 1 + (int32_t)(ref_rand(&seed) % (uint32_t)room);
        }
        int64_t n_in = ref_count(p.in_dims, p.rank), n_out = ref_count(p.out_dims, p.rank);
        for (int64_t i = 0; i < n_in * p.elem_size; ++i)
            in[i] = (uint8_t)ref_rand(&seed);
        int32_t idx[6] = {0}, src[6];
        int64_t o = 0;
        do {
            for (int d = 0; d < p.rank; ++d)
                src[d] = p.begin[d] + idx[d] * p.step[d];
            memcpy(want + o * p.elem_size, in + ref_offset(p.in_dims, src, p.rank) * p.elem_size,
                   (size_t)p.elem_size);
            o++;
        } while (ref_next(idx, p.out_dims, p.rank));
        CU_ASSERT_EQUAL_FATAL(o, n_out);
        CU_ASSERT_EQUAL_FATAL(nk_slice(&p, in, out), NK_OK);
        bad += memcmp(out, want, (size_t)(n_out * p.elem_size)) != 0;
    }
    CU_ASSERT_EQUAL(bad, 0);
}

static void test_rejects(void)
{
    uint8_t in[8] = {0}, out[8];
    nk_slice_params p = {.rank = 1, .in_dims = {8}, .begin = {6}, .step = {1}, .out_dims = {3},
                         .elem_size = 1};
    CU_ASSERT_EQUAL(nk_slice(&p, in, out), NK_ERR_PARAMS); /* reads index 8 */
    p.out_dims[0] = 2;
    CU_ASSERT_EQUAL(nk_slice(&p, in, out), NK_OK);
    p.begin[0] = -1;
    CU_ASSERT_EQUAL(nk_slice(&p, in, out), NK_ERR_PARAMS);
    p.begin[0] = 0;
    p.rank = 7;
    CU_ASSERT_EQUAL(nk_slice(&p, in, out), NK_ERR_PARAMS);
}

int neurio_register_tests(void)
{
    CU_pSuite s = CU_add_suite("nk_slice", NULL, NULL);
    if (!s)
        return -1;
    CU_add_test(s, "400 random windows against the definition", test_random_windows);
    CU_add_test(s, "out-of-range windows are refused", test_rejects);
    return 0;
}

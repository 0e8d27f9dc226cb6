/* tests/kernels/shape/test_nk_space_depth.c — DEPTH_TO_SPACE and SPACE_TO_DEPTH:
 * TFLite's documented example (block 2), the definition on random shapes,
 * and each undoing the other. */
#include <string.h>

#include "kernel_ref.h"
#include "nk.h"
#include "test_util.h"

static void test_example(void)
{
    /* [1,1,1,4] -> [1,2,2,1]: channels c0..c3 become the 2x2 block row-major */
    const int8_t in[4] = {1, 2, 3, 4};
    int8_t out[4];
    nk_space_depth_params p = {.batches = 1, .in_h = 1, .in_w = 1, .in_c = 4, .block = 2,
                               .elem_size = 1};
    CU_ASSERT_EQUAL_FATAL(nk_depth_to_space(&p, in, out), NK_OK);
    CU_ASSERT_EQUAL(memcmp(out, in, 4), 0);
    /* [1,2,2,1] -> [1,1,1,4] */
    nk_space_depth_params q = {.batches = 1, .in_h = 2, .in_w = 2, .in_c = 1, .block = 2,
                               .elem_size = 1};
    int8_t back[4];
    CU_ASSERT_EQUAL_FATAL(nk_space_to_depth(&q, out, back), NK_OK);
    CU_ASSERT_EQUAL(memcmp(back, in, 4), 0);
    p.in_c = 3;
    CU_ASSERT_EQUAL(nk_depth_to_space(&p, in, out), NK_ERR_PARAMS);
}

static void test_random(void)
{
    uint32_t seed = 31u;
    int bad = 0;
    static int16_t in[4096], mid[4096], back[4096], want[4096];
    for (int t = 0; t < 100; ++t) {
        int32_t bs = 1 + (int32_t)(ref_rand(&seed) % 3), N = 1 + (int32_t)(ref_rand(&seed) % 2);
        int32_t H = 1 + (int32_t)(ref_rand(&seed) % 3), W = 1 + (int32_t)(ref_rand(&seed) % 3);
        int32_t C = 1 + (int32_t)(ref_rand(&seed) % 3);
        /* space_to_depth of [N, H*bs, W*bs, C] */
        nk_space_depth_params s = {.batches = N, .in_h = H * bs, .in_w = W * bs, .in_c = C,
                                   .block = bs, .elem_size = 2};
        int32_t n = N * H * bs * W * bs * C;
        for (int i = 0; i < n; ++i)
            in[i] = (int16_t)ref_rand(&seed);
        for (int b = 0; b < N; ++b)
            for (int y = 0; y < H * bs; ++y)
                for (int x = 0; x < W * bs; ++x)
                    for (int c = 0; c < C; ++c) {
                        int oc = ((y % bs) * bs + (x % bs)) * C + c;
                        want[((b * H + y / bs) * W + x / bs) * (C * bs * bs) + oc] =
                            in[((b * H * bs + y) * W * bs + x) * C + c];
                    }
        CU_ASSERT_EQUAL_FATAL(nk_space_to_depth(&s, in, mid), NK_OK);
        bad += memcmp(mid, want, (size_t)n * 2) != 0;
        nk_space_depth_params d = {.batches = N, .in_h = H, .in_w = W, .in_c = C * bs * bs,
                                   .block = bs, .elem_size = 2};
        CU_ASSERT_EQUAL_FATAL(nk_depth_to_space(&d, mid, back), NK_OK);
        bad += memcmp(back, in, (size_t)n * 2) != 0;
    }
    CU_ASSERT_EQUAL(bad, 0);
}

int neurio_register_tests(void)
{
    CU_pSuite s = CU_add_suite("nk_space_depth", NULL, NULL);
    if (!s)
        return -1;
    CU_add_test(s, "block 2 example both ways", test_example);
    CU_add_test(s, "100 random shapes: definition and round trip", test_random);
    return 0;
}

/* tests/kernels/shape/test_nk_pad.c — PAD int8 (zero-point value) and float32,
 * 2-D and 4-D against hand-written expectations and an index formula. */
#include <string.h>

#include "nk.h"
#include "test_util.h"

static void test_2d_hand(void)
{
    /* [[1,2],[3,4]] padded (1,0) rows and (2,1) cols with -128 */
    const int8_t in[4] = {1, 2, 3, 4};
    int8_t out[3 * 5];
    nk_pad_params p = {.rank = 2, .in_dims = {2, 2}, .pad_before = {1, 2},
                       .pad_after = {0, 1}, .pad_value = -128};
    CU_ASSERT_EQUAL_FATAL(nk_pad_s8(&p, in, out), NK_OK);
    const int8_t want[15] = {-128, -128, -128, -128, -128, -128, -128, 1, 2, -128,
                             -128, -128, 3, 4, -128};
    CU_ASSERT_EQUAL(memcmp(out, want, 15), 0);
}

static void test_4d_float(void)
{
    /* NHWC [1,2,3,2] padded H by (1,1), W by (0,2): output [1,4,5,2] */
    float in[12], out[40];
    for (int i = 0; i < 12; ++i)
        in[i] = (float)(i + 1);
    nk_pad_params p = {.rank = 4, .in_dims = {1, 2, 3, 2}, .pad_before = {0, 1, 0, 0},
                       .pad_after = {0, 1, 2, 0}, .pad_value_f = -0.5f};
    CU_ASSERT_EQUAL_FATAL(nk_pad_f32(&p, in, out), NK_OK);
    int bad = 0;
    for (int h = 0; h < 4; ++h)
        for (int w = 0; w < 5; ++w)
            for (int c = 0; c < 2; ++c) {
                float want = -0.5f;
                if (h >= 1 && h < 3 && w < 3)
                    want = in[((h - 1) * 3 + w) * 2 + c];
                bad += out[(h * 5 + w) * 2 + c] != want;
            }
    CU_ASSERT_EQUAL(bad, 0);
    p.pad_after[2] = -1;
    CU_ASSERT_EQUAL(nk_pad_f32(&p, in, out), NK_ERR_PARAMS);
}

int neurio_register_tests(void)
{
    CU_pSuite s = CU_add_suite("nk_pad", NULL, NULL);
    if (!s)
        return -1;
    CU_add_test(s, "2-D int8 hand-computed", test_2d_hand);
    CU_add_test(s, "4-D float32 vs index formula", test_4d_float);
    return 0;
}

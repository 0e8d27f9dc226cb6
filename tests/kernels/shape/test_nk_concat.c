/* tests/kernels/shape/test_nk_concat.c — CONCATENATION along inner and outer
 * axes for int8 and float32, and int8 inputs requantized to the output. */
#include <string.h>

#include "kernel_ref.h"
#include "nk.h"
#include "test_util.h"

static void test_last_axis_int8(void)
{
    /* [2,2] ++ [2,1] along axis 1 -> [2,3] */
    const int8_t a[4] = {1, 2, 3, 4}, b[2] = {-1, -2};
    const void *ins[2] = {a, b};
    const int32_t inner[2] = {2, 1};
    int8_t out[6];
    nk_concat_params p = {.n_inputs = 2, .outer = 2, .elem_size = 1, .in_inner = inner};
    CU_ASSERT_EQUAL_FATAL(nk_concat(&p, ins, out), NK_OK);
    const int8_t want[6] = {1, 2, -1, 3, 4, -2};
    CU_ASSERT_EQUAL(memcmp(out, want, 6), 0);
}

static void test_first_axis_float(void)
{
    /* [1,3] ++ [2,3] along axis 0 -> outer 1, inner 3 and 6 */
    const float a[3] = {1, 2, 3}, b[6] = {4, 5, 6, 7, 8, 9};
    const void *ins[2] = {a, b};
    const int32_t inner[2] = {3, 6};
    float out[9];
    nk_concat_params p = {.n_inputs = 2, .outer = 1, .elem_size = 4, .in_inner = inner};
    CU_ASSERT_EQUAL_FATAL(nk_concat(&p, ins, out), NK_OK);
    for (int i = 0; i < 9; ++i)
        CU_ASSERT_DOUBLE_EQUAL(out[i], i + 1, 0);
    p.elem_size = 0;
    CU_ASSERT_EQUAL(nk_concat(&p, ins, out), NK_ERR_PARAMS);
}

static void test_requant_int8(void)
{
    /* input 0 shares the output quantization (copied), input 1 has scale
     * 0.1 zp 3 onto an output of scale 0.05 zp -2: multiplier 2.0 */
    uint32_t seed = 3u;
    int8_t a[6], b[4], out[10];
    for (int i = 0; i < 6; ++i)
        a[i] = ref_rand_s8(&seed);
    for (int i = 0; i < 4; ++i)
        b[i] = ref_rand_s8(&seed);
    b[0] = 127; /* saturates */
    const int8_t *ins[2] = {a, b};
    const int32_t inner[2] = {3, 2};
    nk_concat_requant rq[2] = {{0, 0, 0}, {3, 0, 0}};
    ref_multiplier(2.0, &rq[1].mult, &rq[1].shift);
    nk_concat_params p = {.n_inputs = 2, .outer = 2, .elem_size = 1, .in_inner = inner};
    CU_ASSERT_EQUAL_FATAL(nk_concat_s8_requant(&p, rq, -2, (const void *const *)ins, out), NK_OK);
    for (int k = 0; k < 2; ++k) {
        for (int j = 0; j < 3; ++j)
            CU_ASSERT_EQUAL(out[k * 5 + j], a[k * 3 + j]);
        for (int j = 0; j < 2; ++j) {
            int32_t w = ref_clamp(ref_requant(b[k * 2 + j] - 3, rq[1].mult, rq[1].shift) - 2,
                                  -128, 127);
            CU_ASSERT_EQUAL(out[k * 5 + 3 + j], w);
        }
    }
    CU_ASSERT_EQUAL(out[3], 127);
    p.elem_size = 2;
    CU_ASSERT_EQUAL(nk_concat_s8_requant(&p, rq, -2, (const void *const *)ins, out), NK_ERR_PARAMS);
}

int neurio_register_tests(void)
{
    CU_pSuite s = CU_add_suite("nk_concat", NULL, NULL);
    if (!s)
        return -1;
    CU_add_test(s, "int8 along the last axis", test_last_axis_int8);
    CU_add_test(s, "float32 along the first axis", test_first_axis_float);
    CU_add_test(s, "int8 inputs requantized to the output", test_requant_int8);
    return 0;
}

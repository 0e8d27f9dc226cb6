/* tests/kernels/shape/test_nk_select.c — SELECT_V2 with three-way broadcasting on
 * random shapes against the definition, and SELECT's rank-1 condition. */
#include <string.h>

#include "kernel_ref.h"
#include "nd_ref.h"
#include "nk.h"
#include "test_util.h"

static void strides(const int32_t *dims, int rank, int32_t *st)
{
    int32_t s = 1;
    for (int d = rank - 1; d >= 0; --d) {
        st[d] = dims[d] == 1 ? 0 : s;
        s *= dims[d];
    }
}

static void test_broadcast(void)
{
    uint32_t seed = 8u;
    int bad = 0;
    static uint8_t cond[1024];
    static float x[1024], y[1024], out[1024];
    for (int t = 0; t < 200; ++t) {
        nk_select_params p;
        memset(&p, 0, sizeof p);
        p.rank = 1 + (int32_t)(ref_rand(&seed) % 4);
        p.elem_size = 4;
        int32_t cd[6], xd[6], yd[6];
        for (int d = 0; d < p.rank; ++d) {
            p.out_dims[d] = 1 + (int32_t)(ref_rand(&seed) % 4);
            cd[d] = (ref_rand(&seed) & 1) ? p.out_dims[d] : 1;
            xd[d] = (ref_rand(&seed) & 1) ? p.out_dims[d] : 1;
            yd[d] = (ref_rand(&seed) & 1) ? p.out_dims[d] : 1;
        }
        strides(cd, p.rank, p.cond_strides);
        strides(xd, p.rank, p.x_strides);
        strides(yd, p.rank, p.y_strides);
        for (int i = 0; i < 1024; ++i) {
            cond[i] = (uint8_t)(ref_rand(&seed) % 3); /* 2 is also true */
            x[i] = (float)i;
            y[i] = -(float)i - 1.0f;
        }
        CU_ASSERT_EQUAL_FATAL(nk_select(&p, cond, x, y, out), NK_OK);
        int32_t idx[6] = {0};
        int o = 0;
        do {
            float w = cond[ref_bcast_offset(cd, idx, p.rank)] ? x[ref_bcast_offset(xd, idx, p.rank)]
                                                               : y[ref_bcast_offset(yd, idx, p.rank)];
            bad += out[o++] != w;
        } while (ref_next(idx, p.out_dims, p.rank));
    }
    CU_ASSERT_EQUAL(bad, 0);
}

static void test_select_v1_rank1(void)
{
    /* cond [2] picks whole rows of [2,3] */
    const uint8_t cond[2] = {0, 1};
    const int8_t x[6] = {1, 2, 3, 4, 5, 6}, y[6] = {-1, -2, -3, -4, -5, -6};
    int8_t out[6];
    nk_select_params p = {.rank = 2, .out_dims = {2, 3}, .cond_strides = {1, 0},
                          .x_strides = {3, 1}, .y_strides = {3, 1}, .elem_size = 1};
    CU_ASSERT_EQUAL_FATAL(nk_select(&p, cond, x, y, out), NK_OK);
    const int8_t want[6] = {-1, -2, -3, 4, 5, 6};
    CU_ASSERT_EQUAL(memcmp(out, want, 6), 0);
    p.out_dims[1] = 0;
    CU_ASSERT_EQUAL(nk_select(&p, cond, x, y, out), NK_ERR_PARAMS);
}

int neurio_register_tests(void)
{
    CU_pSuite s = CU_add_suite("nk_select", NULL, NULL);
    if (!s)
        return -1;
    CU_add_test(s, "200 random three-way broadcasts", test_broadcast);
    CU_add_test(s, "SELECT with a rank-1 condition", test_select_v1_rank1);
    return 0;
}

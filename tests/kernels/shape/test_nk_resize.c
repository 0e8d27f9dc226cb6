/* tests/kernels/shape/test_nk_resize.c — RESIZE_NEAREST_NEIGHBOR and
 * RESIZE_BILINEAR: hand-computed cases for each coordinate mode, and int8
 * /int16 bilinear on random shapes against TFLite's integer arithmetic
 * re-derived from its definition (10-bit source positions, exact weighted
 * sum, rounding half away from zero by 2^20). */
#include <string.h>

#include "kernel_ref.h"
#include "nk.h"
#include "test_util.h"

static void test_nearest_modes(void)
{
    /* 1-D [1,1,4,1] -> [1,1,8,1] and [1,1,3,1] */
    const int8_t in[4] = {10, 20, 30, 40};
    int8_t out[8];
    nk_resize_params p = {.batches = 1, .in_h = 1, .in_w = 4, .channels = 1, .out_h = 1,
                          .out_w = 8, .elem_size = 1};
    CU_ASSERT_EQUAL_FATAL(nk_resize_nearest(&p, in, out), NK_OK);
    const int8_t up[8] = {10, 10, 20, 20, 30, 30, 40, 40};
    CU_ASSERT_EQUAL(memcmp(out, up, 8), 0);
    p.out_w = 3; /* scale 4/3: floor(0), floor(1.33), floor(2.67) */
    CU_ASSERT_EQUAL_FATAL(nk_resize_nearest(&p, in, out), NK_OK);
    CU_ASSERT(out[0] == 10 && out[1] == 20 && out[2] == 30);
    p.align_corners = 1; /* scale 3/2: round(0), round(1.5)=2, round(3) */
    CU_ASSERT_EQUAL_FATAL(nk_resize_nearest(&p, in, out), NK_OK);
    CU_ASSERT(out[0] == 10 && out[1] == 30 && out[2] == 40);
    p.align_corners = 0;
    p.half_pixel_centers = 1; /* floor((x + .5) * 4/3): 0, 2, 3 */
    CU_ASSERT_EQUAL_FATAL(nk_resize_nearest(&p, in, out), NK_OK);
    CU_ASSERT(out[0] == 10 && out[1] == 30 && out[2] == 40);
    p.out_w = 0;
    CU_ASSERT_EQUAL(nk_resize_nearest(&p, in, out), NK_ERR_PARAMS);
}

static void test_bilinear_float(void)
{
    /* [1,1,2,1] = {0, 10} -> width 4: positions 0, .5, 1, 1.5 (clamped) */
    const float in[2] = {0.0f, 10.0f};
    float out[4];
    nk_resize_params p = {.batches = 1, .in_h = 1, .in_w = 2, .channels = 1, .out_h = 1,
                          .out_w = 4};
    CU_ASSERT_EQUAL_FATAL(nk_resize_bilinear_f32(&p, in, out), NK_OK);
    CU_ASSERT_DOUBLE_EQUAL(out[0], 0.0, 1e-6);
    CU_ASSERT_DOUBLE_EQUAL(out[1], 5.0, 1e-6);
    CU_ASSERT_DOUBLE_EQUAL(out[2], 10.0, 1e-6);
    CU_ASSERT_DOUBLE_EQUAL(out[3], 10.0, 1e-6);
    p.align_corners = 1; /* scale 1/3: 0, 3.33, 6.67, 10 */
    CU_ASSERT_EQUAL_FATAL(nk_resize_bilinear_f32(&p, in, out), NK_OK);
    CU_ASSERT_DOUBLE_EQUAL(out[1], 10.0 / 3.0, 1e-5);
    CU_ASSERT_DOUBLE_EQUAL(out[3], 10.0, 1e-5);
    p.half_pixel_centers = 1; /* both flags: refused, as TFLite */
    CU_ASSERT_EQUAL(nk_resize_bilinear_f32(&p, in, out), NK_ERR_PARAMS);
}

/* TFLite's integer source position, bounds and weight for one axis. */
static void ref_pos(int v, int in, int out, int align, int half, int *lo, int *hi, int *frac)
{
    int s10 = (align && out > 1) ? ((1 << 10) * (in - 1) + (out - 1) / 2) / (out - 1)
                                 : ((1 << 10) * in + out / 2) / out;
    int pos = half ? v * s10 + s10 / 2 - 512 : v * s10;
    *lo = pos / 1024 < 0 ? 0 : pos / 1024;
    *hi = (pos + 1023) / 1024 > in - 1 ? in - 1 : (pos + 1023) / 1024;
    *frac = pos - 1024 * *lo;
}

static void test_bilinear_int_random(void)
{
    uint32_t seed = 17u;
    int bad = 0;
    static int8_t in8[2048], out8[8192];
    static int16_t in16[2048], out16[8192];
    for (int t = 0; t < 300; ++t) {
        nk_resize_params p = {.batches = 1 + (int32_t)(ref_rand(&seed) % 2),
                              .in_h = 1 + (int32_t)(ref_rand(&seed) % 5),
                              .in_w = 1 + (int32_t)(ref_rand(&seed) % 5),
                              .channels = 1 + (int32_t)(ref_rand(&seed) % 3),
                              .out_h = 1 + (int32_t)(ref_rand(&seed) % 9),
                              .out_w = 1 + (int32_t)(ref_rand(&seed) % 9)};
        int mode = (int)(ref_rand(&seed) % 3);
        p.align_corners = mode == 1;
        p.half_pixel_centers = mode == 2;
        int n = p.batches * p.in_h * p.in_w * p.channels;
        for (int i = 0; i < n; ++i) {
            in8[i] = ref_rand_s8(&seed);
            in16[i] = (int16_t)ref_rand(&seed);
        }
        CU_ASSERT_EQUAL_FATAL(nk_resize_bilinear_s8(&p, in8, out8), NK_OK);
        CU_ASSERT_EQUAL_FATAL(nk_resize_bilinear_s16(&p, in16, out16), NK_OK);
        int o = 0;
        for (int b = 0; b < p.batches; ++b)
            for (int y = 0; y < p.out_h; ++y)
                for (int x = 0; x < p.out_w; ++x)
                    for (int c = 0; c < p.channels; ++c, ++o) {
                        int y0, y1, fy, x0, x1, fx;
                        ref_pos(y, p.in_h, p.out_h, p.align_corners, p.half_pixel_centers, &y0,
                                &y1, &fy);
                        ref_pos(x, p.in_w, p.out_w, p.align_corners, p.half_pixel_centers, &x0,
                                &x1, &fx);
#define AT(a, yy, xx) ((int64_t)(a)[((b * p.in_h + (yy)) * p.in_w + (xx)) * p.channels + c])
#define MIX(a)                                                                                \
    (AT(a, y0, x0) * (1024 - fy) * (1024 - fx) + AT(a, y1, x0) * fy * (1024 - fx) +           \
     AT(a, y0, x1) * (1024 - fy) * fx + AT(a, y1, x1) * fy * fx)
                        bad += out8[o] != (int8_t)ref_div_half_away(MIX(in8), 1 << 20);
                        bad += out16[o] != (int16_t)ref_div_half_away(MIX(in16), 1 << 20);
                    }
    }
    CU_ASSERT_EQUAL(bad, 0);
}

int neurio_register_tests(void)
{
    CU_pSuite s = CU_add_suite("nk_resize", NULL, NULL);
    if (!s)
        return -1;
    CU_add_test(s, "nearest: plain, align_corners, half_pixel_centers", test_nearest_modes);
    CU_add_test(s, "bilinear float by hand", test_bilinear_float);
    CU_add_test(s, "bilinear int8/int16 on 300 random shapes", test_bilinear_int_random);
    return 0;
}

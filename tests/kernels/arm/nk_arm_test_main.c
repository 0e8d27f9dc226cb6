/* tests/kernels/arm/nk_arm_test_main.c — runs on an emulated Cortex-M: the
 * fast kernels must produce exactly the bytes of the portable kernels
 * (built here with NK_PORTABLE_ONLY) on random shapes, zero points at the
 * int8 extremes, odd channel counts, strides, dilations and SAME/VALID
 * padding.  Built twice:
 *   - Cortex-M4 (QEMU mps2-an386): the DSP-extension kernels of
 *     firmware/kernels/arm/ (test_nk_arm_dsp_qemu);
 *   - Cortex-M55 with -DNK_TEST_MVE (QEMU mps3-an547): the Helium kernels
 *     of firmware/kernels/mve/ (test_nk_mve_qemu), plus their own cases
 *     (requantization lanes, batched FULLY_CONNECTED, general depthwise,
 *     MAX_POOL_2D).
 * A fast kernel either computes the portable kernel's bytes or, for a case
 * it documents as not handled (*_refused() below), returns NK_ERR_PARAMS
 * without writing anything. */
#include "nk_arm_test.h"

/* ---- the kernels under test and the cases each documents as refused ---- */
#if defined(NK_TEST_MVE)

int shifts_outside(const int32_t *sh, int32_t n, int32_t per_channel, int32_t lo, int32_t hi)
{
    for (int32_t i = 0; i < (per_channel ? n : 1); ++i)
        if (sh[i] < lo || sh[i] > hi)
            return 1;
    return 0;
}

int conv_refused(const nk_conv_params *p)
{
    const int32_t k = p->filter_h * p->filter_w * p->in_c;
    return k < 16 || k > NK_MVE_MAX_K || p->out_c > 256 ||
           shifts_outside(p->out_shift, p->out_c, p->per_channel, -31, -1);
}

int dw_refused(const nk_conv_params *p)
{
    const int32_t wp = (p->out_w - 1) * p->stride_w + (p->filter_w - 1) * p->dilation_w + 4;
    const int32_t taps = p->filter_h * p->filter_w;
    return p->depth_multiplier != 1 || taps > 1024 ||
           (p->filter_h * wp + taps) * 16 + NK_MVE_DW_GROUP_BYTES > 6144 ||
           shifts_outside(p->out_shift, p->out_c, p->per_channel, -31, 31);
}

int fc_refused(const nk_fc_params *p)
{
    return p->filter_zp != 0 || shifts_outside(p->out_shift, p->out_depth, p->per_channel, -31, 31);
}

int add_refused(const nk_binary_params *p)
{
    return p->flat_size < 64 || p->in1_shift < -31 || p->in2_shift < -31 || p->out_shift < -31 ||
           p->in1_shift > 31 || p->in2_shift > 31 || p->out_shift > 31;
}
#else

int conv_refused(const nk_conv_params *p)
{
    (void)p;
    return 0;
}

int dw_refused(const nk_conv_params *p)
{
    return p->filter_h * p->filter_w > 64;
}

int fc_refused(const nk_fc_params *p)
{
    (void)p;
    return 0;
}

int add_refused(const nk_binary_params *p)
{
    return p->flat_size < 512;
}
#endif

int avgpool_refused(const nk_pool_params *p)
{
    return p->filter_h * p->filter_w > 256;
}

int nk_test_main(void)
{
    int failures = 0;
    for (int i = 0; i < 400; ++i)
        failures += test_conv(i, 0);
    for (int i = 0; i < 400; ++i)
        failures += test_conv(i, 1);
    for (int i = 0; i < 300; ++i)
        failures += test_fc(i);
    for (int i = 0; i < 300; ++i)
        failures += test_conv_overlap(i, i < 10 ? 1 + i / 2 : 0);
    for (int i = 0; i < 300; ++i)
        failures += test_conv_split(i);
    for (int i = 0; i < 300; ++i)
        failures += test_add(i);
    for (int i = 0; i < 400; ++i)
        failures += test_dw3(i);
    for (int i = 0; i < 400; ++i)
        failures += test_dw3_s2(i);
    for (int i = 0; i < 300; ++i)
        failures += test_avgpool(i);
    for (int i = 0; i < 600; ++i)
        failures += test_conv_requant(i);
    for (int i = 0; i < 500; ++i)
        failures += test_conv_wide(i);
    for (int i = 0; i < 300; ++i)
        failures += test_conv_band(i);
    for (int i = 0; i < 1000; ++i)
        failures += test_conv1x1(i);
    for (int i = 0; i < 1000; ++i)
        failures += test_fc_gemm(i);
    for (int i = 0; i < 400; ++i)
        failures += test_pw_rows(i);
    for (int i = 0; i < 300; ++i)
        failures += test_dw_overlap(i);
#if !defined(NK_TEST_MVE)
    for (int i = 0; i < 600; ++i)
        failures += test_fc_packed(i);
    for (int i = 0; i < 600; ++i)
        failures += test_conv_packed(i);
    for (int i = 0; i < 600; ++i)
        failures += test_conv_packed_fl(i);
#endif
#if defined(NK_TEST_MVE)
    for (int i = 0; i < 20000; ++i)
        failures += test_requant_lanes(i);
    for (int i = 0; i < 400; ++i)
        failures += test_fc_batched(i);
    for (int i = 0; i < 500; ++i)
        failures += test_dw_general(i);
    for (int i = 0; i < 300; ++i)
        failures += test_maxpool(i);
#endif
    printed = 0;
    put_num("nk arm " FAST_NAME " equality: random cases handled by the fast kernels = ", handled);
    put_num("  refused (served by the portable loop, checked unwritten) = ", refused);
    put_num("  failures = ", failures);
    return failures ? 1 : 0;
}

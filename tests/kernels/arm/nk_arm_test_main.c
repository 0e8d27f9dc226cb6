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

static uint32_t seed = 0x1234567u;

uint32_t rnd(void)
{
    seed ^= seed << 13;
    seed ^= seed >> 17;
    seed ^= seed << 5;
    return seed;
}

int32_t rnd_in(int32_t lo, int32_t hi)
{
    return lo + (int32_t)(rnd() % (uint32_t)(hi - lo + 1));
}

int8_t in_buf[16384], w_buf[32768], out_a[16384], out_b[16384];
int32_t bias[256], mult[256], shift[256];

void fill(int8_t *b, size_t n)
{
    for (size_t i = 0; i < n; ++i)
        b[i] = (int8_t)(rnd() & 0xff);
}

void fill_quant(int32_t n)
{
    for (int32_t i = 0; i < n; ++i) {
        bias[i] = rnd_in(-40000, 40000);
        mult[i] = rnd_in(1 << 30, 0x7fffffff);
        shift[i] = rnd_in(-14, -6);
    }
}

int8_t pick_zp(void)
{
    switch (rnd() % 4) {
    case 0: return -128;
    case 1: return 127;
    case 2: return 0;
    default: return (int8_t)(rnd() & 0xff);
    }
}

/* Output size and SAME padding of p from its input, filter, stride and
 * dilation; 0 when a VALID convolution has no output. */
int conv_shape(nk_conv_params *p, int same)
{
    const int32_t eh = (p->filter_h - 1) * p->dilation_h + 1;
    const int32_t ew = (p->filter_w - 1) * p->dilation_w + 1;
    if (!same && (eh > p->in_h || ew > p->in_w))
        return 0;
    p->out_h = same ? (p->in_h + p->stride_h - 1) / p->stride_h : (p->in_h - eh) / p->stride_h + 1;
    p->out_w = same ? (p->in_w + p->stride_w - 1) / p->stride_w : (p->in_w - ew) / p->stride_w + 1;
    if (same) {
        const int32_t th = (p->out_h - 1) * p->stride_h + eh - p->in_h;
        const int32_t tw = (p->out_w - 1) * p->stride_w + ew - p->in_w;
        p->pad_top = th > 0 ? th / 2 : 0;
        p->pad_left = tw > 0 ? tw / 2 : 0;
    }
    return 1;
}

int printed;

void put_num(const char *label, long v)
{
    char buf[48];
    char *p = buf + sizeof buf - 1;
    int neg = v < 0;
    unsigned long u = neg ? (unsigned long)-v : (unsigned long)v;
    *p = 0;
    do {
        *--p = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (neg)
        *--p = '-';
    nk_test_puts(label);
    nk_test_puts(p);
    nk_test_puts("\n");
}

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

/* Cases the fast kernel handled / refused, printed at the end. */
long handled, refused;

/* 0 when the fast kernel's answer (rb, out_b) is right for the portable
 * one's (ra, out_a): refused cases return NK_ERR_PARAMS and leave out_b
 * (filled with `fillb`) untouched; handled cases give the same bytes. */
int expect(int is_refused, int ra, int rb, const int8_t *b, const int8_t *a, size_t n,
                  int8_t fillb)
{
    if (is_refused) {
        refused++;
        if (rb != NK_ERR_PARAMS)
            return 1;
        for (size_t i = 0; i < n; ++i)
            if (b[i] != fillb)
                return 1;
        return 0;
    }
    handled++;
    return ra != NK_OK || rb != NK_OK || memcmp(a, b, n) != 0;
}

void prime_outputs(size_t n)
{
    memset(out_a, 0x55, n);
    memset(out_b, 0x66, n);
}

int verdict(int is_refused, int ra, int rb, size_t n, const char *what, int iter)
{
    if (!expect(is_refused, ra, rb, out_b, out_a, n, 0x66))
        return 0;
    if (printed++ < 5)
        put_num(what, iter);
    return 1;
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

/* tests/kernels/arm/nk_arm_test_main.c — runs on an emulated Cortex-M4
 * (QEMU mps2-an386): the DSP kernels of firmware/kernels/arm/ must produce
 * exactly the bytes of the portable kernels (built here with
 * NK_PORTABLE_ONLY) on random shapes, zero points at the int8 extremes,
 * odd channel counts, strides, dilations and SAME/VALID padding. */
#include <stdint.h>
#include <string.h>

#include "arm/nk_arm.h"
#include "nk.h"

void nk_test_puts(const char *s);
int nk_test_main(void);

static uint32_t seed = 0x1234567u;

static uint32_t rnd(void)
{
    seed ^= seed << 13;
    seed ^= seed >> 17;
    seed ^= seed << 5;
    return seed;
}

static int32_t rnd_in(int32_t lo, int32_t hi)
{
    return lo + (int32_t)(rnd() % (uint32_t)(hi - lo + 1));
}

static int8_t in_buf[16384], w_buf[32768], out_a[16384], out_b[16384];
static int32_t bias[256], mult[256], shift[256];

static void fill(int8_t *b, size_t n)
{
    for (size_t i = 0; i < n; ++i)
        b[i] = (int8_t)(rnd() & 0xff);
}

static void fill_quant(int32_t n)
{
    for (int32_t i = 0; i < n; ++i) {
        bias[i] = rnd_in(-40000, 40000);
        mult[i] = rnd_in(1 << 30, 0x7fffffff);
        shift[i] = rnd_in(-14, -6);
    }
}

static int8_t pick_zp(void)
{
    switch (rnd() % 4) {
    case 0: return -128;
    case 1: return 127;
    case 2: return 0;
    default: return (int8_t)(rnd() & 0xff);
    }
}

static int printed;

static void put_num(const char *label, long v)
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

static int test_conv(int iter, int depthwise)
{
    nk_conv_params p;
    memset(&p, 0, sizeof p);
    p.batches = rnd_in(1, 2);
    p.in_h = rnd_in(1, 9);
    p.in_w = rnd_in(1, 9);
    p.in_c = rnd_in(1, 19);
    p.out_c = rnd_in(1, 9);
    if (!depthwise && rnd() % 4 == 0) {
        /* patch larger than NK_ARM_PATCH_MAX: the run-by-run path */
        p.in_c = rnd_in(57, 80);
        p.filter_h = 3;
        p.filter_w = 3;
    }
    if (depthwise) {
        p.in_c = rnd_in(1, 40);
        if (rnd() % 8 == 0) {
            /* more taps than NK_ARM_DW_MAX_TAPS: portable fallback */
            p.filter_h = 9;
            p.filter_w = 8;
        }
        p.depth_multiplier = 1;
        p.out_c = p.in_c;
    }
    p.filter_h = rnd_in(1, 4);
    p.filter_w = rnd_in(1, 4);
    p.stride_h = rnd_in(1, 3);
    p.stride_w = rnd_in(1, 3);
    p.dilation_h = rnd_in(1, 2);
    p.dilation_w = (rnd() % 4 == 0) ? 2 : 1;
    const int same = (int)(rnd() & 1);
    const int32_t eh = (p.filter_h - 1) * p.dilation_h + 1, ew = (p.filter_w - 1) * p.dilation_w + 1;
    if (!same && (eh > p.in_h || ew > p.in_w))
        return 0; /* empty VALID output: skip this draw */
    p.out_h = same ? (p.in_h + p.stride_h - 1) / p.stride_h : (p.in_h - eh) / p.stride_h + 1;
    p.out_w = same ? (p.in_w + p.stride_w - 1) / p.stride_w : (p.in_w - ew) / p.stride_w + 1;
    if (same) {
        int32_t th = (p.out_h - 1) * p.stride_h + eh - p.in_h;
        int32_t tw = (p.out_w - 1) * p.stride_w + ew - p.in_w;
        p.pad_top = th > 0 ? th / 2 : 0;
        p.pad_left = tw > 0 ? tw / 2 : 0;
    }
    p.in_zp = pick_zp();
    p.out_zp = pick_zp();
    p.per_channel = (int32_t)(rnd() & 1);
    p.out_mult = mult;
    p.out_shift = shift;
    p.act_min = -128;
    p.act_max = 127;
    if (rnd() % 4 == 0)
        p.act_min = p.out_zp; /* fused relu */
    const size_t n_in = (size_t)p.batches * p.in_h * p.in_w * p.in_c;
    const size_t n_w = depthwise ? (size_t)p.filter_h * p.filter_w * p.out_c
                                 : (size_t)p.out_c * p.filter_h * p.filter_w * p.in_c;
    const size_t n_out = (size_t)p.batches * p.out_h * p.out_w * p.out_c;
    fill(in_buf, n_in);
    fill(w_buf, n_w);
    fill_quant(p.out_c);
    const int32_t *b = (rnd() % 5) ? bias : 0;
    memset(out_a, 0x55, n_out);
    memset(out_b, 0x66, n_out);
    int ra, rb;
    if (depthwise) {
        ra = nk_depthwise_conv2d_s8(&p, in_buf, w_buf, b, out_a);
        rb = nk_depthwise_conv2d_s8_dsp(&p, in_buf, w_buf, b, out_b);
        if (p.filter_h * p.filter_w > 64) {
            /* refused without writing; the portable loop served the call */
            if (rb != NK_ERR_PARAMS || out_b[0] != 0x66)
                return 1;
            return 0;
        }
    } else {
        ra = nk_conv2d_s8(&p, in_buf, w_buf, b, out_a);
        rb = nk_conv2d_s8_dsp(&p, in_buf, w_buf, b, out_b);
    }
    if (ra != NK_OK || rb != NK_OK || memcmp(out_a, out_b, n_out)) {
        if (printed++ < 5)
            put_num(depthwise ? "depthwise mismatch at iteration " : "conv2d mismatch at iteration ",
                    iter);
        return 1;
    }
    return 0;
}

static int test_fc(int iter)
{
    nk_fc_params p;
    memset(&p, 0, sizeof p);
    p.batches = rnd_in(1, 3);
    p.in_depth = rnd_in(1, 700);
    p.out_depth = rnd_in(1, 37);
    p.in_zp = pick_zp();
    p.out_zp = pick_zp();
    p.per_channel = (int32_t)(rnd() & 1);
    p.out_mult = mult;
    p.out_shift = shift;
    p.act_min = -128;
    p.act_max = 127;
    fill(in_buf, (size_t)p.batches * p.in_depth);
    fill(w_buf, (size_t)p.out_depth * p.in_depth);
    fill_quant(p.out_depth);
    const int32_t *b = (rnd() % 5) ? bias : 0;
    const size_t n_out = (size_t)p.batches * p.out_depth;
    /* unaligned input pointer on purpose: the DSP loads must not care */
    const int8_t *in = in_buf + (iter & 3);
    if (nk_fully_connected_s8(&p, in, w_buf, b, out_a) != NK_OK ||
        nk_fully_connected_s8_dsp(&p, in, w_buf, b, out_b) != NK_OK ||
        memcmp(out_a, out_b, n_out)) {
        if (printed++ < 5)
            put_num("fully_connected mismatch at iteration ", iter);
        return 1;
    }
    return 0;
}

/* ---- GEMM core (nk_arm_gemm.c): 1x1 CONV_2D and FULLY_CONNECTED ---- */

/* Requantization parameters hitting every path of nk_arm_gemm.c: the fused
 * SMMULR path (right shifts 1..20, |bias| < 2^29), shifts outside it (0,
 * left shifts, -21..-31), biases at and beyond 2^29, multipliers 0 and
 * 2^30, and the clamp range full, relu or narrow. */
static void gemm_fill_quant(int32_t n, int32_t *act_min, int32_t *act_max, int32_t out_zp)
{
    const uint32_t mode = rnd() % 8;
    for (int32_t i = 0; i < n; ++i) {
        bias[i] = rnd_in(-40000, 40000);
        mult[i] = rnd_in(1 << 30, 0x7fffffff);
        shift[i] = rnd_in(-14, -1);
        switch (mode) {
        case 1: shift[i] = rnd_in(-31, 3); break;
        case 2: bias[i] = (rnd() & 1) ? rnd_in((1 << 29) - 3, (1 << 29) + 3)
                                      : -rnd_in((1 << 29) - 3, (1 << 29) + 3); break;
        case 3: mult[i] = (rnd() & 1) ? (1 << 30) : 0; break;
        case 4: shift[i] = (rnd() & 1) ? -20 : -21; break;
        default: break;
        }
    }
    *act_min = -128;
    *act_max = 127;
    switch (rnd() % 4) {
    case 0: *act_min = out_zp; break;
    case 1: *act_min = rnd_in(-128, 0); *act_max = rnd_in(1, 127); break;
    default: break;
    }
}

static int32_t gemm_depth(void)
{
    switch (rnd() % 6) {
    case 0: return 16 * rnd_in(1, 8);
    case 1: return 8 * rnd_in(1, 16);
    case 2: return rnd_in(120, 140);
    default: return rnd_in(1, 40);
    }
}

static int test_conv1x1(int iter)
{
    nk_conv_params p;
    memset(&p, 0, sizeof p);
    p.batches = rnd_in(1, 2);
    p.in_c = gemm_depth();
    p.out_c = rnd_in(1, 70);
    p.in_h = rnd_in(1, 12);
    p.in_w = rnd_in(1, 12);
    while ((size_t)p.batches * p.in_h * p.in_w * p.in_c > sizeof in_buf ||
           (size_t)p.batches * p.in_h * p.in_w * p.out_c > sizeof out_a) {
        p.in_h = (p.in_h + 1) / 2;
        p.in_w = (p.in_w + 1) / 2;
        p.batches = 1;
    }
    p.filter_h = p.filter_w = 1;
    p.stride_h = rnd_in(1, 3);
    p.stride_w = rnd_in(1, 3);
    p.dilation_h = rnd_in(1, 2);
    p.dilation_w = rnd_in(1, 2);
    p.out_h = (p.in_h - 1) / p.stride_h + 1;
    p.out_w = (p.in_w - 1) / p.stride_w + 1;
    p.depth_multiplier = 1;
    p.in_zp = pick_zp();
    p.out_zp = pick_zp();
    p.per_channel = (int32_t)(rnd() & 1);
    p.out_mult = mult;
    p.out_shift = shift;
    gemm_fill_quant(p.out_c, &p.act_min, &p.act_max, p.out_zp);
    const size_t n_in = (size_t)p.batches * p.in_h * p.in_w * p.in_c;
    const size_t n_out = (size_t)p.batches * p.out_h * p.out_w * p.out_c;
    fill(in_buf, n_in);
    fill(w_buf, (size_t)p.out_c * p.in_c);
    const int32_t *b = (rnd() % 5) ? bias : 0;
    memset(out_a, 0x55, n_out);
    memset(out_b, 0x66, n_out);
    const int ra = nk_conv2d_s8(&p, in_buf, w_buf, b, out_a);
    const int rb = nk_conv2d_s8_dsp(&p, in_buf, w_buf, b, out_b);
    if (ra != NK_OK || rb != NK_OK || memcmp(out_a, out_b, n_out)) {
        if (printed++ < 5)
            put_num("conv2d 1x1 mismatch at iteration ", iter);
        return 1;
    }
    return 0;
}

static int test_fc_gemm(int iter)
{
    nk_fc_params p;
    memset(&p, 0, sizeof p);
    p.batches = rnd_in(1, 9);
    p.in_depth = (rnd() % 8 == 0) ? rnd_in(1020, 1100) : gemm_depth();
    p.out_depth = rnd_in(1, 70);
    if (p.in_depth > 1000)
        p.batches = rnd_in(1, 3);
    p.in_zp = pick_zp();
    p.out_zp = pick_zp();
    p.per_channel = (int32_t)(rnd() & 1);
    p.out_mult = mult;
    p.out_shift = shift;
    gemm_fill_quant(p.out_depth, &p.act_min, &p.act_max, p.out_zp);
    fill(in_buf, (size_t)p.batches * p.in_depth + 4);
    fill(w_buf, (size_t)p.out_depth * p.in_depth);
    const int32_t *b = (rnd() % 5) ? bias : 0;
    const size_t n_out = (size_t)p.batches * p.out_depth;
    const int8_t *in = in_buf + (iter & 3);
    /* weights at any alignment too */
    const int8_t *w = w_buf + ((rnd() & 1) && p.out_depth * p.in_depth + 3 <= (int32_t)sizeof w_buf
                                   ? (int32_t)(rnd() & 3) : 0);
    memset(out_a, 0x55, n_out);
    memset(out_b, 0x66, n_out);
    if (nk_fully_connected_s8(&p, in, w, b, out_a) != NK_OK ||
        nk_fully_connected_s8_dsp(&p, in, w, b, out_b) != NK_OK ||
        memcmp(out_a, out_b, n_out)) {
        if (printed++ < 5)
            put_num("fully_connected (gemm) mismatch at iteration ", iter);
        return 1;
    }
    return 0;
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
    for (int i = 0; i < 1000; ++i)
        failures += test_conv1x1(i);
    for (int i = 0; i < 1000; ++i)
        failures += test_fc_gemm(i);
    printed = 0;
    put_num("nk arm DSP equality (1100 random cases + 2000 GEMM cases): failures = ", failures);
    return failures ? 1 : 0;
}

/* bench/arm/nk_arm_bench_main.c — benchmark program (not a test):
 * instructions per call of the portable and the fast int8 kernels on layer
 * shapes of the shared models (kws DS-CNN, ResNet-8, ad01, hello_world,
 * micro_speech) and of MobileNet-style depthwise layers,
 * under `-icount shift=0` (one instruction per virtual ns).  Built twice:
 *   - nk_arm_bench.elf, Cortex-M4 DSP kernels on QEMU mps2-an386 (the
 *     SysTick counts the 25 MHz clock: one tick = 40 instructions):
 *     qemu-system-arm -M mps2-an386 -nographic -monitor none -icount shift=0
 *       -semihosting-config enable=on,target=native -kernel nk_arm_bench.elf
 *   - nk_mve_bench.elf (-DNK_TEST_MVE), Cortex-M55 Helium kernels on QEMU
 *     mps3-an547 (the FPGA counter runs at 20 MHz: one tick = 50
 *     instructions): the same command with -M mps3-an547 and that file. */
#include <stdint.h>
#include <string.h>

#include "arm/nk_arm.h"
#include "mve/nk_mve.h"
#include "nk.h"

#if defined(NK_TEST_MVE)
#define FAST "mve"
#define fast_conv nk_conv2d_s8_mve
#define fast_dw nk_depthwise_conv2d_s8_mve
#define fast_fc nk_fully_connected_s8_mve
#define fast_add nk_add_s8_mve
#define fast_avgpool nk_avg_pool2d_s8_mve
#define INSNS_PER_TICK 50
#else
#define FAST "dsp"
#define fast_conv nk_conv2d_s8_dsp
#define fast_dw nk_depthwise_conv2d_s8_dsp
#define fast_fc nk_fully_connected_s8_dsp
#define fast_add nk_add_s8_dsp
#define fast_avgpool nk_avg_pool2d_s8_dsp
#define INSNS_PER_TICK 40
#endif

void nk_test_puts(const char *s);
int nk_test_main(void);

#define SYST_CSR (*(volatile uint32_t *)0xE000E010u)
#define SYST_RVR (*(volatile uint32_t *)0xE000E014u)
#define SYST_CVR (*(volatile uint32_t *)0xE000E018u)

static int8_t in_buf[96 * 96 * 8], w_buf[640 * 128 + 64], out_buf[48 * 48 * 16];
static int32_t bias[128], mult[128], shift[128];

static void put(const char *s) { nk_test_puts(s); }

static void put_num(long long v)
{
    char buf[24];
    char *p = buf + sizeof buf - 1;
    unsigned long long u = v < 0 ? (unsigned long long)-v : (unsigned long long)v;
    *p = 0;
    do {
        *--p = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0)
        *--p = '-';
    put(p);
}

#if defined(NK_TEST_MVE)
#define FPGAIO_COUNTER (*(volatile uint32_t *)0x49302018u)

static uint32_t ticks_start(void)
{
    return FPGAIO_COUNTER;
}

static long insns_since(uint32_t start)
{
    return (long)(FPGAIO_COUNTER - start) * INSNS_PER_TICK;
}
#else
static uint32_t ticks_start(void)
{
    SYST_RVR = 0x00ffffffu;
    SYST_CVR = 0;
    SYST_CSR = 5u; /* enable, processor clock, no interrupt */
    return SYST_CVR;
}

static long insns_since(uint32_t start)
{
    const uint32_t now = SYST_CVR;
    SYST_CSR = 0;
    return (long)((start - now) & 0x00ffffffu) * INSNS_PER_TICK;
}
#endif

typedef struct conv_case {
    const char *name;
    int32_t h, w, c, oc, fh, fw, s, dw;
    int32_t band; /* > 0: one middle band of that many output rows (banded
                   * execution: pad_top 0, the rows the filter reaches) */
} conv_case;

static nk_conv_params conv_params_of(const conv_case *k)
{
    nk_conv_params p;
    memset(&p, 0, sizeof p);
    p.batches = 1;
    p.in_h = k->h;
    p.in_w = k->w;
    p.in_c = k->c;
    p.filter_h = k->fh;
    p.filter_w = k->fw;
    p.stride_h = p.stride_w = k->s;
    p.dilation_h = p.dilation_w = 1;
    p.out_h = (k->h + k->s - 1) / k->s;
    p.out_w = (k->w + k->s - 1) / k->s;
    int32_t th = (p.out_h - 1) * k->s + k->fh - k->h, tw = (p.out_w - 1) * k->s + k->fw - k->w;
    p.pad_top = th > 0 ? th / 2 : 0;
    p.pad_left = tw > 0 ? tw / 2 : 0;
    if (k->band > 0) {
        p.out_h = k->band;
        p.in_h = k->band + k->fh - 1;
        p.pad_top = 0;
    }
    p.depth_multiplier = 1;
    p.out_c = k->dw ? k->c : k->oc;
    p.in_zp = -3;
    p.out_zp = 5;
    p.per_channel = 1;
    p.out_mult = mult;
    p.out_shift = shift;
    p.act_min = -128;
    p.act_max = 127;
    return p;
}

static void bench_conv(const conv_case *k)
{
    const nk_conv_params p = conv_params_of(k);
    const long macs = (long)p.out_h * p.out_w * p.out_c * k->fh * k->fw * (k->dw ? 1 : k->c);
    uint32_t t = ticks_start();
    if (k->dw)
        nk_depthwise_conv2d_s8(&p, in_buf, w_buf, bias, out_buf);
    else
        nk_conv2d_s8(&p, in_buf, w_buf, bias, out_buf);
    const long portable = insns_since(t);
    t = ticks_start();
    if (k->dw)
        fast_dw(&p, in_buf, w_buf, bias, out_buf);
    else
        fast_conv(&p, in_buf, w_buf, bias, out_buf);
    const long dsp = insns_since(t);
    put(k->name);
    put("  MACs ");
    put_num(macs);
    put("  portable ");
    put_num(portable);
    put("  " FAST " ");
    put_num(dsp);
    put("  MACs/insn x1000: portable ");
    put_num(portable ? (long long)macs * 1000 / portable : 0);
    put(" " FAST " ");
    put_num(dsp ? (long long)macs * 1000 / dsp : 0);
    put("\n");
}

#if !defined(NK_TEST_MVE)
static int16_t pk_w[NK_CONV_PACK_MAX_LEN * 64];
static int32_t pk_k[4 * 64], pk_fl[64 / 2 * (10 + 4 * NK_CONV_PACK_FL_MAX_GROUPS)];

static void put_rate(const char *what, long macs, long insns)
{
    put(what);
    if (insns < 0) {
        put(" -");
        return;
    }
    put_num(insns);
    put(" (x1000 ");
    put_num(insns ? (long long)macs * 1000 / insns : 0);
    put(")");
}

/* CONV_2D on the layouts packed at code generation (nk.h, nk_conv_pack):
 * the 4-pixel patch layout and the 2 x 2 one, where they take the
 * layer ("-": refused). */
static void bench_conv_packed(const conv_case *k)
{
    const nk_conv_params p = conv_params_of(k);
    const long macs = (long)p.out_h * p.out_w * p.out_c * k->fh * k->fw * k->c;
    long std = -1, fl = -1;
    if (p.out_c <= 64 && nk_conv_pack_s8(&p, w_buf, bias, pk_w, pk_k) == NK_OK) {
        const nk_conv_pack pk = {pk_w, pk_k, NULL};
        const uint32_t t = ticks_start();
        nk_conv2d_s8_packed_dsp(&p, &pk, in_buf, out_buf);
        std = insns_since(t);
    }
    if (p.out_c <= 64 && nk_conv_pack_s8_fl(&p, w_buf, bias, pk_fl) == NK_OK) {
        const uint32_t t = ticks_start();
        nk_conv2d_s8_fl_dsp(&p, pk_fl, in_buf, out_buf);
        fl = insns_since(t);
    }
    put(k->name);
    put("  packed: MACs ");
    put_num(macs);
    put_rate("  patch ", macs, std);
    put_rate("  2x2 ", macs, fl);
    put("\n");
}
#endif

static void bench_fc(const char *name, int32_t depth, int32_t outs)
{
    nk_fc_params p;
    memset(&p, 0, sizeof p);
    p.batches = 1;
    p.in_depth = depth;
    p.out_depth = outs;
    p.in_zp = 89;
    p.out_zp = 96;
    p.out_mult = mult;
    p.out_shift = shift;
    p.act_min = -128;
    p.act_max = 127;
    uint32_t t = ticks_start();
    nk_fully_connected_s8(&p, in_buf, w_buf, bias, out_buf);
    const long portable = insns_since(t);
    t = ticks_start();
    fast_fc(&p, in_buf, w_buf, bias, out_buf);
    const long dsp = insns_since(t);
    const long macs = (long)depth * outs;
    put(name);
    put("  MACs ");
    put_num(macs);
    put("  portable ");
    put_num(portable);
    put("  " FAST " ");
    put_num(dsp);
    put("  MACs/insn x1000: portable ");
    put_num((long long)macs * 1000 / (portable ? portable : 1));
    put(" " FAST " ");
    put_num((long long)macs * 1000 / (dsp ? dsp : 1));
    put("\n");
}

/* ADD int8 with the ResNet's first ADD parameters (no broadcast). */
static void bench_add(const char *name, int32_t n)
{
    nk_binary_params p;
    memset(&p, 0, sizeof p);
    p.flat_size = n;
    p.rank = 1;
    p.out_dims[0] = n;
    p.left_shift = 20;
    p.in1_mult = 1623821475;
    p.in1_shift = -2;
    p.in2_mult = 1073741824;
    p.in2_shift = 0;
    p.in1_zp = -128;
    p.in2_zp = 4;
    p.out_zp = -128;
    p.out_mult = 1098017566;
    p.out_shift = -17;
    p.act_min = -128;
    p.act_max = 127;
    uint32_t t = ticks_start();
    nk_add_s8(&p, in_buf, w_buf, out_buf);
    const long portable = insns_since(t);
    t = ticks_start();
    fast_add(&p, in_buf, w_buf, out_buf);
    const long dsp = insns_since(t);
    put(name);
    put("  elements ");
    put_num(n);
    put("  portable ");
    put_num(portable);
    put("  " FAST " ");
    put_num(dsp);
    put("  insns/element x10: portable ");
    put_num((long long)portable * 10 / n);
    put(" " FAST " ");
    put_num((long long)dsp * 10 / n);
    put("\n");
}

/* AVERAGE_POOL_2D int8, the kws global pool 25x5x64 -> 1x1. */
static void bench_avgpool(void)
{
    nk_pool_params p;
    memset(&p, 0, sizeof p);
    p.batches = 1;
    p.in_h = p.filter_h = p.stride_h = 25;
    p.in_w = p.filter_w = p.stride_w = 5;
    p.channels = 64;
    p.out_h = p.out_w = 1;
    p.act_min = -128;
    p.act_max = 127;
    uint32_t t = ticks_start();
    nk_avg_pool2d_s8(&p, in_buf, out_buf);
    const long portable = insns_since(t);
    t = ticks_start();
    fast_avgpool(&p, in_buf, out_buf);
    const long dsp = insns_since(t);
    put("kws avg pool 25x5x64 -> 1x1        portable ");
    put_num(portable);
    put("  " FAST " ");
    put_num(dsp);
    put("\n");
}

int nk_test_main(void)
{
    for (size_t i = 0; i < sizeof in_buf; ++i)
        in_buf[i] = (int8_t)(i * 37u + 11u);
    for (size_t i = 0; i < sizeof w_buf; ++i)
        w_buf[i] = (int8_t)(i * 53u + 7u);
    for (int i = 0; i < 128; ++i) {
        bias[i] = i * 100 - 6000;
        mult[i] = 1500000000 + i * 1000;
        shift[i] = -9;
    }
    static const conv_case cases[] = {
        {"kws conv1 49x10x1 -> 64, 10x4 s2", 49, 10, 1, 64, 10, 4, 2, 0, 0},
        {"micro_speech conv 49x40x1 -> 8, 10x8 s2", 49, 40, 1, 8, 10, 8, 2, 0, 0},
        {"kws depthwise 25x5x64, 3x3      ", 25, 5, 64, 64, 3, 3, 1, 1, 0},
        {"kws pointwise 25x5x64 -> 64, 1x1", 25, 5, 64, 64, 1, 1, 1, 0, 0},
        {"resnet conv 32x32x16 -> 16, 3x3 ", 32, 32, 16, 16, 3, 3, 1, 0, 0},
        {"resnet conv 16x16x32 -> 32, 3x3 ", 16, 16, 32, 32, 3, 3, 1, 0, 0},
        {"resnet conv 8x8x64 -> 64, 3x3   ", 8, 8, 64, 64, 3, 3, 1, 0, 0},
        {"resnet conv0 32x32x3 -> 16, 3x3  ", 32, 32, 3, 16, 3, 3, 1, 0, 0},
        {"resnet conv 32x32x16 -> 32, 3x3 s2", 32, 32, 16, 32, 3, 3, 2, 0, 0},
        {"resnet conv 16x16x32 -> 64, 3x3 s2", 16, 16, 32, 64, 3, 3, 2, 0, 0},
        {"resnet conv 32x32x16 -> 32, 1x1 s2", 32, 32, 16, 32, 1, 1, 2, 0, 0},
        {"resnet conv 16x16x32 -> 64, 1x1 s2", 16, 16, 32, 64, 1, 1, 2, 0, 0},
        {"mobilenet depthwise 48x48x16, 3x3 ", 48, 48, 16, 16, 3, 3, 1, 1, 0},
        {"mobilenet depthwise 48x48x16, 3x3 s2", 48, 48, 16, 16, 3, 3, 2, 1, 0},
        {"mobilenet depthwise 24x24x64, 3x3 ", 24, 24, 64, 64, 3, 3, 1, 1, 0},
        {"mobilenet depthwise 24x24x64, 3x3 s2", 24, 24, 64, 64, 3, 3, 2, 1, 0},
        {"mobilenet depthwise 96x96x8, 3x3 s2", 96, 96, 8, 8, 3, 3, 2, 1, 0},
        {"kws depthwise band of 8 rows of 25x5x64", 25, 5, 64, 64, 3, 3, 1, 1, 8},
        {"kws pointwise band of 8 rows of 25x5x64", 25, 5, 64, 64, 1, 1, 1, 0, 8},
        {"resnet conv band of 8 rows of 32x32x16", 32, 32, 16, 16, 3, 3, 1, 0, 8},
    };
    put("kernel                              (instructions, -icount shift=0)\n");
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; ++i)
        bench_conv(&cases[i]);
#if !defined(NK_TEST_MVE)
    static const conv_case packed[] = {
        {"kws conv1 49x10x1 -> 64, 10x4 s2", 49, 10, 1, 64, 10, 4, 2, 0, 0},
        {"micro_speech conv 49x40x1 -> 8, 10x8 s2", 49, 40, 1, 8, 10, 8, 2, 0, 0},
        {"resnet conv0 32x32x3 -> 16, 3x3  ", 32, 32, 3, 16, 3, 3, 1, 0, 0},
        {"resnet conv 32x32x16 -> 16, 3x3 ", 32, 32, 16, 16, 3, 3, 1, 0, 0},
        {"resnet conv 16x16x32 -> 32, 3x3 ", 16, 16, 32, 32, 3, 3, 1, 0, 0},
        {"resnet conv 32x32x16 -> 32, 3x3 s2", 32, 32, 16, 32, 3, 3, 2, 0, 0},
        {"resnet conv 16x16x32 -> 64, 3x3 s2", 16, 16, 32, 64, 3, 3, 2, 0, 0},
        {"mobilenet conv0 96x96x3 -> 16, 3x3 s2", 96, 96, 3, 16, 3, 3, 2, 0, 0},
        {"mobilenet conv0 96x96x3 -> 8, 3x3 s2", 96, 96, 3, 8, 3, 3, 2, 0, 0},
    };
    for (size_t i = 0; i < sizeof packed / sizeof packed[0]; ++i)
        bench_conv_packed(&packed[i]);
#endif
    bench_fc("kws fc 64 -> 12                  ", 64, 12);
    bench_fc("ad01 fc 640 -> 128               ", 640, 128);
    bench_add("resnet add 32x32x16              ", 32 * 32 * 16);
    bench_add("resnet add 16x16x32              ", 16 * 16 * 32);
    bench_add("resnet add 8x8x64                ", 8 * 8 * 64);
    bench_avgpool();
    bench_fc("ad01 fc 128 -> 128               ", 128, 128);
    bench_fc("ad01 fc 128 -> 8                 ", 128, 8);
    bench_fc("ad01 fc 8 -> 128                 ", 8, 128);
    bench_fc("hello fc 1 -> 16                 ", 1, 16);
    bench_fc("hello fc 16 -> 16                ", 16, 16);
    bench_fc("hello fc 16 -> 1                 ", 16, 1);
    return 0;
}

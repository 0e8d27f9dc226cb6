/* firmware/kernels/arm/nk_arm_dw3_s2.c — 3x3 depthwise, stride 2 in both
 * directions (MobileNet-style downsampling layers), straight from the NHWC
 * input: no planes.  With stride 2 each input value serves only ~2.25
 * outputs, so building the int16 planes of nk_arm_depthwise_conv2d.c
 * (SXTB16, PKHBT/PKHTB and two stores per value) costs more than it saves.
 * Here one pass per output pixel computes its four channels c..c+3: per
 * tap, one word of the window (four channels) is split by SXTB16 into
 * lanes (0,2) and (1,3), and SMLABB/SMLATT multiply each lane by its
 * channel's tap: 8 instructions per tap for 4 MACs, no pairing step
 * (pairing two taps of one channel for SMLAD costs a PKH per pair, the
 * instruction it saves).  The taps, doubled for nk_arm_requant_x2, the
 * biases and the requantization constants are laid out once per group of
 * four channels in the order the pass reads them (dw3s2_k), so the pass
 * walks them with LDM.  The input zero point leaves the loop as in the
 * planes (bias' = bias - zp * sum of the taps); output pixels whose window
 * leaves the image run the same pass over a 3x3 patch filled with the zero
 * point.  Activation range [-128, 127] and multipliers/shifts that
 * nk_arm_requant_x2 takes only: otherwise NK_ERR_PARAMS (the planes take
 * the layer).  Bit-exact with ../nk_depthwise_conv2d.c. */
#include "nk_arm.h"

#if defined(__ARM_FEATURE_DSP) && __ARM_FEATURE_DSP && defined(__GNUC__) && defined(__thumb2__)

#include <stddef.h>
#include <string.h>

#include "../nk_fixedpoint.h"
#include "nk_arm_dot.h"
#include "nk_arm_dw3.h"
#include "nk_arm_requant.h"

/* One group of four channels, in the order the pass reads it: the doubled
 * biases; per filter row, per tap, (2 f of channel c, of c + 2) and (2 f of
 * c + 1, of c + 3); per channel nk_arm_requant_x2's mult, c0, e; then the
 * bytes between input rows and between columns (read once per call). */
typedef struct dw3s2_k {
    int32_t b[4];
    uint32_t f[3][6];
    int32_t q[4][3];
    int32_t os;     /* offset 136: bytes from one output pixel to the next (read with q[3]) */
    int32_t rs, cs; /* offsets 140, 144 */
} dw3s2_k;

typedef char dw3s2_layout_check[(offsetof(dw3s2_k, f) == 16 && offsetof(dw3s2_k, q) == 88 &&
                                 offsetof(dw3s2_k, os) == 136 && offsetof(dw3s2_k, rs) == 140 &&
                                 offsetof(dw3s2_k, cs) == 144)
                                    ? 1
                                    : -1];

#define DW3S2_I(x) x "\n\t"
/* one tap: the window word at ADDR (four channels) into lanes (0,2) r9
 * and (1,3) r8, times the doubled taps of the four channels */
#define DW3S2_TAP(ADDR)                                                                           \
    DW3S2_I("ldr    r8, " ADDR) DW3S2_I("sxtb16 r9, r8") DW3S2_I("sxtb16 r8, r8, ror #8")         \
    DW3S2_I("ldm    r0!, {r10, r11}") DW3S2_I("smlabb r4, r9, r10, r4")                          \
    DW3S2_I("smlatt r6, r9, r10, r6") DW3S2_I("smlabb r5, r8, r11, r5")                          \
    DW3S2_I("smlatt r7, r8, r11, r7")
#define DW3S2_ROW DW3S2_TAP("[r1]") DW3S2_TAP("[r1, r3]") DW3S2_TAP("[r1, r3, lsl #1]")
/* nk_arm_requant_x2 of A with the next channel's constants (LDM: REGS),
 * then SSAT */
#define DW3S2_REQ(A, REGS)                                                                        \
    DW3S2_I("ldm    r0!, " REGS) DW3S2_I("add    r9, r9, " A ", asr #31")                         \
    DW3S2_I("smmlar " A ", " A ", r8, r9") DW3S2_I("asr    " A ", " A ", r10")                   \
    DW3S2_I("ssat   " A ", #8, " A)

/* n output pixels of one row (channels c..c+3 at o, o + os, ...), the
 * first window's top-left word at x; r0 walks k, r1 the window, r2 the
 * output, r3 = cs, r12 = rs, lr = pixels left; r4-r7 the sums of
 * channels c, c + 1, c + 2, c + 3. */
__attribute__((naked, noinline)) static void dw3s2_pass(const dw3s2_k *k __attribute__((unused)),
                                                        const int8_t *x __attribute__((unused)),
                                                        int8_t *o __attribute__((unused)),
                                                        int32_t n __attribute__((unused)))
{
    __asm__ volatile(DW3S2_I("push   {r4-r11, lr}") DW3S2_I("mov    lr, r3")
                     DW3S2_I("ldr    r3, [r0, #144]") DW3S2_I("ldr    r12, [r0, #140]")
                     DW3S2_I("1:") DW3S2_I("ldm    r0!, {r4-r7}") DW3S2_ROW
                     DW3S2_I("add    r1, r1, r12") DW3S2_ROW DW3S2_I("add    r1, r1, r12")
                     DW3S2_ROW DW3S2_I("sub    r1, r1, r12, lsl #1")
                     DW3S2_I("add    r1, r1, r3, lsl #1") DW3S2_REQ("r4", "{r8, r9, r10}")
                     DW3S2_REQ("r5", "{r8, r9, r10}") DW3S2_REQ("r6", "{r8, r9, r10}")
                     DW3S2_REQ("r7", "{r8, r9, r10, r11}") DW3S2_I("strb   r4, [r2]")
                     DW3S2_I("strb   r5, [r2, #1]") DW3S2_I("strb   r6, [r2, #2]")
                     DW3S2_I("strb   r7, [r2, #3]") DW3S2_I("add    r2, r2, r11")
                     DW3S2_I("sub    r0, r0, #140") DW3S2_I("subs   lr, lr, #1")
                     DW3S2_I("bne    1b") DW3S2_I("pop    {r4-r11, pc}"));
}

static inline uint32_t dw3s2_pair(int32_t lo, int32_t hi)
{
    return ((uint32_t)lo & 0xffffu) | ((uint32_t)hi << 16);
}

/* Channels c..c+3 into k; 0 when one of them cannot take nk_arm_requant_x2
 * with a doubled sum. */
static int dw3s2_setup(const nk_conv_params *p, const int8_t *filter, const int32_t *bias,
                       int32_t c, dw3s2_k *k)
{
    const int32_t c_n = p->in_c;
    for (int32_t i = 0; i < 4; ++i) {
        const int32_t oc = c + i, q = p->per_channel ? oc : 0;
        const int32_t mult = p->out_mult[q], shift = p->out_shift[q];
        int32_t fsum = 0;
        for (int32_t t = 0; t < 9; ++t)
            fsum += filter[(size_t)t * c_n + oc];
        const int32_t b = (int32_t)((uint32_t)(bias ? bias[oc] : 0) -
                                    (uint32_t)p->in_zp * (uint32_t)fsum);
        const uint32_t ub = b < 0 ? 0u - (uint32_t)b : (uint32_t)b;
        /* |bias'| + 9 * 128 * 128 < 2^30: the doubled sum fits an int32 */
        if (!nk_arm_requant_x2_ok(mult, shift, p->out_zp) || ub >= (1u << 30) - 1152u * 128u)
            return 0;
        k->b[i] = (int32_t)((uint32_t)b << 1);
        k->q[i][0] = mult;
        k->q[i][1] = nk_arm_requant_x2_c0(shift, p->out_zp);
        k->q[i][2] = -shift;
    }
    for (int32_t r = 0; r < 3; ++r)
        for (int32_t s = 0; s < 3; ++s) {
            const int8_t *const f = filter + (size_t)(3 * r + s) * c_n + c;
            k->f[r][2 * s] = dw3s2_pair(2 * f[0], 2 * f[2]);
            k->f[r][2 * s + 1] = dw3s2_pair(2 * f[1], 2 * f[3]);
        }
    return 1;
}

#ifndef NK_ARM_DW3S2_STRIP_WORDS
#define NK_ARM_DW3S2_STRIP_WORDS 600 /* 2400 bytes: the strip of an output row up to 99 wide */
#endif

/* The words of input row iy (four channels at `in`) for input columns
 * ix0 .. ix0 + n - 1 into d, the zero point word zw outside the image. */
static void dw3s2_fill(const nk_conv_params *p, const int8_t *in, int32_t iy, int32_t ix0,
                       int32_t n, uint32_t zw, uint32_t *d)
{
    int32_t i = 0;
    if (iy >= 0 && iy < p->in_h) {
        const int8_t *src = in + ((ptrdiff_t)iy * p->in_w + ix0) * p->in_c;
        for (; i < n && ix0 + i < 0; ++i, src += p->in_c)
            d[i] = zw;
        for (; i < n && ix0 + i < p->in_w; ++i, src += p->in_c)
            d[i] = nk_arm_load32(src);
    }
    for (; i < n; ++i)
        d[i] = zw;
}

/* Output pixels [ox0, ox1) of output row oy whose windows leave the image:
 * their windows' words (the zero point outside) copied into a strip of
 * three rows, then the pass over the strip: one strip for a whole row
 * (top and bottom rows), a 3x3 patch per pixel otherwise. */
static __attribute__((noinline)) void dw3s2_edges(const nk_conv_params *p, const int8_t *in,
                                                  int32_t oy, int32_t ox0, int32_t ox1,
                                                  dw3s2_k *k, int8_t *o)
{
    uint32_t strip[NK_ARM_DW3S2_STRIP_WORDS];
    const uint32_t zw = (uint32_t)(uint8_t)p->in_zp * 0x01010101u;
    const int32_t rs = k->rs, cs = k->cs, os = k->os, iy0 = 2 * oy - p->pad_top;
    int32_t nw = 2 * (ox1 - ox0) + 1; /* strip columns */
    int32_t step = 1;                 /* pixels per pass */
    if (3 * nw > NK_ARM_DW3S2_STRIP_WORDS || (ox1 - ox0 > 1 && iy0 >= 0 && iy0 + 2 < p->in_h)) {
        nw = 3;
        step = 0;
    }
    k->rs = 4 * nw;
    k->cs = 4;
    for (int32_t ox = ox0; ox < ox1; ox += step ? ox1 - ox0 : 1) {
        const int32_t n = step ? ox1 - ox0 : 1, ix0 = 2 * ox - p->pad_left;
        for (int32_t r = 0; r < 3; ++r)
            dw3s2_fill(p, in, iy0 + r, ix0, nw, zw, strip + r * nw);
        dw3s2_pass(k, (const int8_t *)strip, o + (ptrdiff_t)(ox - ox0) * os, n);
    }
    k->rs = rs;
    k->cs = cs;
}

int nk_arm_dw3_s2_direct(const nk_conv_params *p, const int8_t *input, const int8_t *filter,
                         const int32_t *bias, int8_t *output)
{
    const int32_t c_n = p->in_c;
    if (p->filter_h != 3 || p->filter_w != 3 || p->dilation_h != 1 || p->dilation_w != 1 ||
        p->stride_h != 2 || p->stride_w != 2 || p->pad_top < 0 || p->pad_left < 0 ||
        (c_n & 3) || c_n < 4 || p->in_w < 1 || p->in_h < 1 || p->out_h < 1 || p->out_w < 1 ||
        p->act_min != -128 || p->act_max != 127 || p->in_zp < -128 || p->in_zp > 127)
        return NK_ERR_PARAMS;
    dw3s2_k k;
    for (int32_t c = 0; c < c_n; c += 4)
        if (!dw3s2_setup(p, filter, bias, c, &k))
            return NK_ERR_PARAMS; /* nothing written yet: the planes take it */
    k.rs = p->in_w * c_n;
    k.cs = c_n;
    k.os = c_n;
    /* columns [xa, xb) have their windows inside the image's width */
    const int32_t last = p->in_w - 3 + p->pad_left; /* 2 ox <= last */
    int32_t xa = (p->pad_left + 1) / 2, xb = last < 0 ? 0 : last / 2 + 1;
    xb = xb > p->out_w ? p->out_w : xb;
    xa = xa > xb ? xb : xa;
    for (int32_t b = 0; b < p->batches; ++b) {
        const int8_t *in_b = input + (size_t)b * p->in_h * p->in_w * c_n;
        int8_t *out_b = output + (size_t)b * p->out_h * p->out_w * c_n;
        for (int32_t c = 0; c < c_n; c += 4) {
            dw3s2_setup(p, filter, bias, c, &k);
            for (int32_t oy = 0; oy < p->out_h; ++oy) {
                const int32_t iy0 = 2 * oy - p->pad_top;
                int8_t *const o = out_b + (size_t)oy * p->out_w * c_n + c;
                if (iy0 < 0 || iy0 + 2 >= p->in_h || xa == xb) {
                    dw3s2_edges(p, in_b + c, oy, 0, p->out_w, &k, o);
                    continue;
                }
                if (xa > 0)
                    dw3s2_edges(p, in_b + c, oy, 0, xa, &k, o);
                dw3s2_pass(&k, in_b + c + (ptrdiff_t)iy0 * k.rs + (ptrdiff_t)(2 * xa - p->pad_left) * c_n,
                           o + (size_t)xa * c_n, xb - xa);
                if (xb < p->out_w)
                    dw3s2_edges(p, in_b + c, oy, xb, p->out_w, &k, o + (size_t)xb * c_n);
            }
        }
    }
    return NK_OK;
}
#else
typedef int nk_arm_dw3_s2_unused; /* ISO C: no empty translation unit */
#endif

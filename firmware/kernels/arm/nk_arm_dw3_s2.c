/* firmware/kernels/arm/nk_arm_dw3_s2.c — 3x3 depthwise, stride 2 in both
 * directions (MobileNet-style downsampling layers), straight from the NHWC
 * input: no planes.  With stride 2 each input value serves only ~2.25
 * outputs, so building the int16 planes of nk_arm_depthwise_conv2d.c
 * (SXTB16, PKHBT/PKHTB and two stores per value) costs more than it saves.
 * Here one pass per output pixel computes its four channels c..c+3: per
 * window row, the words of columns 0 and 1 (four channels each) become
 * the halfword pairs of each channel for SMLAD (PKHBT/PKHTB, then SXTB16:
 * two PKH for four pairs), and column 2's word is split by SXTB16 into
 * lanes (0,2) and (1,3) for SMLABB/SMLATT: 23 instructions per row for 12
 * MACs, 97 per pixel (docs/depthwise-m4.md).  The taps, doubled for
 * nk_arm_requant_x2, the
 * biases and the requantization constants are laid out once per group of
 * four channels in the order the pass reads them (dw3s2_k), so the pass
 * walks them with LDM.  The input zero point leaves the loop as in the
 * planes (bias' = bias - zp * sum of the taps).  A window that leaves the
 * image reads the three rows and columns inside it nearest to it instead,
 * with a block whose taps are shifted to match, zero where the window's
 * values are padding, and whose bias drops only the taps left
 * (dw3s2_block): the edges cost the same pass as the inside, one block set
 * up per kind of edge (left, right, top, bottom, corners) and group.
 * Images under 3x3, activation ranges other than [-128, 127] and
 * multipliers/shifts/biases nk_arm_requant_x2 does not take (dw3s2_fits):
 * NK_ERR_PARAMS, writing nothing (the planes take the layer).
 * Bit-exact with ../nk_depthwise_conv2d.c. */
#include "nk_arm.h"

#if defined(__ARM_FEATURE_DSP) && __ARM_FEATURE_DSP && defined(__GNUC__) && defined(__thumb2__)

#include <stddef.h>
#include <string.h>

#include "../nk_fixedpoint.h"
#include "nk_arm_dot.h"
#include "nk_arm_dw3.h"
#include "nk_arm_requant.h"

/* One group of four channels, in the order the pass reads it: the doubled
 * biases; per filter row r, (2 f0, 2 f1) of channels c, c + 1, c + 2,
 * c + 3 (taps 0 and 1 of the row as halfword pairs, for SMLAD), (2 f2 of
 * c, of c + 2) and (2 f2 of c + 1, of c + 3) (tap 2 as SXTB16 splits the
 * input word), then the bytes to the next row's window (the next pixel's
 * first row after row 2); per channel nk_arm_requant_x2's mult, c0, e;
 * then the bytes from one output pixel to the next and between columns. */
typedef struct dw3s2_k {
    int32_t b[4];
    uint32_t f[3][7];
    int32_t q[4][3];
    int32_t cs; /* offset 148: bytes between input columns */
    int32_t os; /* offset 152: bytes from one output pixel to the next */
} dw3s2_k;

typedef char dw3s2_layout_check[(offsetof(dw3s2_k, f) == 16 && offsetof(dw3s2_k, q) == 100 &&
                                 offsetof(dw3s2_k, cs) == 148 && offsetof(dw3s2_k, os) == 152)
                                    ? 1
                                    : -1];

#define DW3S2_I(x) x "\n\t"
/* One window row: columns 0 and 1 (words A, B) as the halfword pairs
 * (A_c, B_c) of each channel: PKHBT/PKHTB put bytes (A0 A1 B0 B1) and
 * (A2 A3 B2 B3) in one word each, and SXTB16 (ror 0, 8) of those gives
 * (A0, B0), (A1, B1), (A2, B2), (A3, B3), for SMLAD with (f0, f1); column
 * 2 (word C) into lanes (0, 2) and (1, 3) for SMLABB/SMLATT with f2; then
 * the step to the next row (r12 from the block). */
#define DW3S2_ROW                                                                                 \
    DW3S2_I("ldr    r8, [r1]") DW3S2_I("ldr    r9, [r1, r3]")                                     \
    DW3S2_I("pkhbt  r10, r8, r9, lsl #16") DW3S2_I("pkhtb  r9, r9, r8, asr #16")                  \
    DW3S2_I("ldm    r0!, {r11, r12}") DW3S2_I("sxtb16 r8, r10")                                   \
    DW3S2_I("smlad  r4, r8, r11, r4") DW3S2_I("sxtb16 r8, r10, ror #8")                           \
    DW3S2_I("smlad  r5, r8, r12, r5") DW3S2_I("ldm    r0!, {r11, r12}")                           \
    DW3S2_I("sxtb16 r8, r9") DW3S2_I("smlad  r6, r8, r11, r6")                                    \
    DW3S2_I("sxtb16 r8, r9, ror #8") DW3S2_I("smlad  r7, r8, r12, r7")                            \
    DW3S2_I("ldr    r8, [r1, r3, lsl #1]") DW3S2_I("sxtb16 r9, r8")                               \
    DW3S2_I("sxtb16 r8, r8, ror #8") DW3S2_I("ldm    r0!, {r10, r11, r12}")                       \
    DW3S2_I("smlabb r4, r9, r10, r4") DW3S2_I("smlatt r6, r9, r10, r6")                          \
    DW3S2_I("smlabb r5, r8, r11, r5") DW3S2_I("smlatt r7, r8, r11, r7")                          \
    DW3S2_I("add    r1, r1, r12")
/* nk_arm_requant_x2 of the sums A (constants r3 mult, r8 c0, r9 e) and B
 * (r10, r11, r12), then SSAT; one LDM loads both channels' constants */
#define DW3S2_REQ2(A, B)                                                                          \
    DW3S2_I("ldm    r0!, {r3, r8, r9, r10, r11, r12}")                                            \
    DW3S2_I("add    r8, r8, " A ", asr #31") DW3S2_I("smmlar " A ", " A ", r3, r8")              \
    DW3S2_I("asr    " A ", " A ", r9") DW3S2_I("ssat   " A ", #8, " A)                           \
    DW3S2_I("add    r11, r11, " B ", asr #31") DW3S2_I("smmlar " B ", " B ", r10, r11")          \
    DW3S2_I("asr    " B ", " B ", r12") DW3S2_I("ssat   " B ", #8, " B)

/* n output pixels of one row (channels c..c+3 at o, o + os, ...), the
 * first window's top-left word at x; then, when k2 is not null, one more
 * pixel (the next output) with the block k2 and its window at x2 (a
 * window leaving the image on the right: dw3s2_block).  r0 walks the
 * block, r1 the window, r2 the output, r3 = cs (but during the
 * requantization), lr = pixels left; r4-r7 the sums of channels c, c + 1,
 * c + 2, c + 3.  97 instructions per pixel (four outputs). */
__attribute__((naked, noinline)) static void dw3s2_pass(const dw3s2_k *k __attribute__((unused)),
                                                        const int8_t *x __attribute__((unused)),
                                                        int8_t *o __attribute__((unused)),
                                                        int32_t n __attribute__((unused)),
                                                        const dw3s2_k *k2 __attribute__((unused)),
                                                        const int8_t *x2 __attribute__((unused)))
{
    __asm__ volatile(DW3S2_I("push   {r4-r11, lr}") DW3S2_I("mov    lr, r3")
                     DW3S2_I("ldr    r3, [r0, #148]") DW3S2_I("1:")
                     DW3S2_I("ldm    r0!, {r4-r7}") DW3S2_ROW DW3S2_ROW DW3S2_ROW
                     DW3S2_REQ2("r4", "r5") DW3S2_REQ2("r6", "r7")
                     DW3S2_I("ldm    r0!, {r3, r11}") DW3S2_I("strb   r4, [r2]")
                     DW3S2_I("strb   r5, [r2, #1]") DW3S2_I("strb   r6, [r2, #2]")
                     DW3S2_I("strb   r7, [r2, #3]") DW3S2_I("add    r2, r2, r11")
                     DW3S2_I("sub    r0, r0, #156") DW3S2_I("subs   lr, lr, #1")
                     DW3S2_I("bne    1b")
                     /* the extra pixel: k2, x2 are the stack arguments */
                     DW3S2_I("ldr    r0, [sp, #36]") DW3S2_I("cbz    r0, 9f")
                     DW3S2_I("ldr    r1, [sp, #40]") DW3S2_I("str    lr, [sp, #36]")
                     DW3S2_I("ldr    r3, [r0, #148]") DW3S2_I("movs   lr, #1")
                     DW3S2_I("b      1b") DW3S2_I("9:") DW3S2_I("pop    {r4-r11, pc}"));
}

/* The first of three rows (or columns) inside [0, n) nearest to i0, the
 * window's first: sy = i0 - ky (n >= 3). */
static inline int32_t dw3s2_clamp(int32_t i0, int32_t n)
{
    return i0 < 0 ? 0 : i0 > n - 3 ? n - 3 : i0;
}

/* The state of one call: the group's taps, doubled and split into lanes
 * (c, c + 2) (g02) and (c + 1, c + 3) (g13), at [3 + r][3 + t] of grids
 * of zeros (set once per call), so that the taps of any offsets up to 3
 * are three consecutive words; the doubled biases; the group's block base
 * (kx = ky = 0) and the blocks of the windows leaving the image on the
 * left (slot 0), on neither side (1: above or below) and on the right
 * (2), each for the offsets it was last set up for. */
typedef struct dw3s2_state {
    uint32_t g02[9][9], g13[9][9];
    int32_t b2[4];
    dw3s2_k base, k[3];
    int32_t kx[3], ky[3];
} dw3s2_state;

/* The block of the group for windows whose top-left corner (iy0, ix0)
 * lies (ky, kx) rows/columns before the corner (sy, sx) the pass reads
 * (|kx|, |ky| <= 3): the pass's tap (tr, tc) is the filter's tap
 * (tr - ky, tc - kx), zero outside the filter, and the bias drops the zero
 * point times the taps left only (the input values outside the image
 * contribute f * (zp - zp) = 0). */
static void dw3s2_block(const dw3s2_state *st, int32_t zp, int32_t rs, int32_t kx, int32_t ky,
                        dw3s2_k *k)
{
    uint32_t s02 = 0, s13 = 0; /* the doubled taps kept: |sum| <= 9 * 256 */
    for (int32_t tr = 0; tr < 3; ++tr) {
        const uint32_t *const a = &st->g02[3 + tr - ky][3 - kx];
        const uint32_t *const b = &st->g13[3 + tr - ky][3 - kx];
        const uint32_t a0 = a[0], a1 = a[1], a2 = a[2], b0 = b[0], b1 = b[1], b2 = b[2];
        uint32_t *const f = k->f[tr];
        f[0] = nk_arm_pkhbt(a0, a1);
        f[1] = nk_arm_pkhbt(b0, b1);
        f[2] = nk_arm_pkhtb(a1, a0);
        f[3] = nk_arm_pkhtb(b1, b0);
        f[4] = a2;
        f[5] = b2;
        s02 = (uint32_t)__sadd16(s02, __sadd16(a0, __sadd16(a1, a2)));
        s13 = (uint32_t)__sadd16(s13, __sadd16(b0, __sadd16(b1, b2)));
    }
    k->f[0][6] = k->f[1][6] = (uint32_t)rs;
    k->f[2][6] = (uint32_t)(2 * k->cs - 2 * rs);
    /* 2 (bias - zp * taps); |bias| < 2^30 - 2 * 1152 * 128 (dw3s2_fits) */
    k->b[0] = st->b2[0] - zp * (int16_t)s02;
    k->b[1] = st->b2[1] - zp * (int16_t)s13;
    k->b[2] = st->b2[2] - zp * (int16_t)(s02 >> 16);
    k->b[3] = st->b2[3] - zp * (int16_t)(s13 >> 16);
}

/* Channels c..c+3: the taps into the grids, the doubled biases, and the
 * block base with the requantization constants (dw3s2_fits has checked
 * that they and every bias take nk_arm_requant_x2 with a doubled sum). */
static __attribute__((noinline)) void dw3s2_group(const nk_conv_params *p, const int8_t *filter,
                                                  const int32_t *bias, int32_t c,
                                                  dw3s2_state *st)
{
    const int32_t c_n = p->in_c;
    for (int32_t t = 0; t < 9; ++t) {
        const uint32_t w = nk_arm_load32(filter + (size_t)t * c_n + c);
        const uint32_t a = (uint32_t)__sxtb16(w), b = (uint32_t)nk_arm_sxtb16_ror8(w);
        st->g02[3 + t / 3][3 + t % 3] = (uint32_t)__sadd16(a, a); /* |2 f| <= 256 */
        st->g13[3 + t / 3][3 + t % 3] = (uint32_t)__sadd16(b, b);
    }
    dw3s2_k *const k = &st->base;
    for (int32_t i = 0; i < 4; ++i) {
        const int32_t q = p->per_channel ? c + i : 0, shift = p->out_shift[q];
        st->b2[i] = bias ? 2 * bias[c + i] : 0;
        k->q[i][0] = p->out_mult[q];
        k->q[i][1] = nk_arm_requant_x2_c0(shift, p->out_zp);
        k->q[i][2] = -shift;
    }
    k->os = c_n;
    k->cs = c_n;
    dw3s2_block(st, p->in_zp, p->in_w * c_n, 0, 0, k);
    st->kx[0] = st->kx[1] = st->kx[2] = 0; /* none set up */
    st->ky[0] = st->ky[1] = st->ky[2] = 0;
}

static inline int32_t dw3s2_lim3(int32_t v)
{
    return v < -3 ? -3 : v > 3 ? 3 : v; /* 3: no tap left, as any larger offset */
}

static inline const dw3s2_k *dw3s2_slot(dw3s2_state *st, int32_t zp, int32_t rs, int32_t kx,
                                        int32_t ky)
{
    if (!(kx | ky))
        return &st->base;
    const int i = kx < 0 ? 0 : kx > 0 ? 2 : 1;
    if (st->kx[i] != kx || st->ky[i] != ky) {
        dw3s2_k *const k = &st->k[i];
        memcpy(k->q, st->base.q, sizeof k->q);
        k->os = st->base.os;
        k->cs = st->base.cs;
        dw3s2_block(st, zp, rs, dw3s2_lim3(kx), dw3s2_lim3(ky), k);
        st->kx[i] = kx;
        st->ky[i] = ky;
    }
    return &st->k[i];
}

/* Whether every window of the layer takes nk_arm_requant_x2 with a doubled
 * sum, for every (kx, ky) the edges use: the bias without the zero-point
 * term within 2^30 - 2 * 1152 * 128 covers them all. */
static int dw3s2_fits(const nk_conv_params *p, const int32_t *bias)
{
    for (int32_t oc = 0; oc < p->in_c; ++oc) {
        const int32_t q = p->per_channel ? oc : 0;
        const int32_t b = bias ? bias[oc] : 0;
        const uint32_t ub = b < 0 ? 0u - (uint32_t)b : (uint32_t)b;
        if (!nk_arm_requant_x2_ok(p->out_mult[q], p->out_shift[q], p->out_zp) ||
            ub >= (1u << 30) - 2u * 1152u * 128u)
            return 0;
    }
    return 1;
}

int nk_arm_dw3_s2_direct(const nk_conv_params *p, const int8_t *input, const int8_t *filter,
                         const int32_t *bias, int8_t *output)
{
    const int32_t c_n = p->in_c;
    if (p->filter_h != 3 || p->filter_w != 3 || p->dilation_h != 1 || p->dilation_w != 1 ||
        p->stride_h != 2 || p->stride_w != 2 || p->pad_top < 0 || p->pad_left < 0 ||
        (c_n & 3) || c_n < 4 || p->in_w < 3 || p->in_h < 3 || p->out_h < 1 || p->out_w < 1 ||
        p->act_min != -128 || p->act_max != 127 || p->in_zp < -128 || p->in_zp > 127 ||
        !dw3s2_fits(p, bias))
        return NK_ERR_PARAMS; /* nothing written: the planes take it */
    const int32_t rs = p->in_w * c_n, in_w = p->in_w, in_h = p->in_h;
    /* columns [xa, xb) have their windows inside the image's width */
    int32_t xa = (p->pad_left + 1) / 2, xb = (in_w - 3 + p->pad_left) / 2 + 1;
    xb = xb > p->out_w ? p->out_w : xb;
    xa = xa > xb ? xb : xa;
    const int32_t zp = p->in_zp;
    dw3s2_state st;
    memset(st.g02, 0, sizeof st.g02); /* the taps' zero surround */
    memset(st.g13, 0, sizeof st.g13);
    for (int32_t b = 0; b < p->batches; ++b) {
        const int8_t *in_b = input + (size_t)b * in_h * rs;
        int8_t *out_b = output + (size_t)b * p->out_h * p->out_w * c_n;
        for (int32_t c = 0; c < c_n; c += 4) {
            dw3s2_group(p, filter, bias, c, &st);
            for (int32_t oy = 0; oy < p->out_h; ++oy) {
                const int32_t iy0 = 2 * oy - p->pad_top, sy = dw3s2_clamp(iy0, in_h);
                const int8_t *const x = in_b + c + (ptrdiff_t)sy * rs;
                int8_t *const o = out_b + (size_t)oy * p->out_w * c_n + c;
                const int32_t ky = iy0 - sy;
                for (int32_t ox = 0; ox < p->out_w;) {
                    if (ox == xa && xa < xb) {
                        /* the windows inside the image's width, and in the
                         * same call the first one leaving it on the right */
                        const dw3s2_k *const kc = dw3s2_slot(&st, zp, rs, 0, ky);
                        const dw3s2_k *kr = 0;
                        const int8_t *xr = 0;
                        if (xb < p->out_w) {
                            const int32_t ix0 = 2 * xb - p->pad_left;
                            const int32_t sx = dw3s2_clamp(ix0, in_w);
                            kr = dw3s2_slot(&st, zp, rs, ix0 - sx, ky); /* slot 2, not kc */
                            xr = x + (ptrdiff_t)sx * c_n;
                        }
                        dw3s2_pass(kc, x + (ptrdiff_t)(2 * xa - p->pad_left) * c_n,
                                   o + (size_t)xa * c_n, xb - xa, kr, xr);
                        ox = kr ? xb + 1 : xb;
                        continue;
                    }
                    const int32_t ix0 = 2 * ox - p->pad_left, sx = dw3s2_clamp(ix0, in_w);
                    dw3s2_pass(dw3s2_slot(&st, zp, rs, ix0 - sx, ky), x + (ptrdiff_t)sx * c_n,
                               o + (size_t)ox * c_n, 1, 0, 0);
                    ++ox;
                }
            }
        }
    }
    return NK_OK;
}
#else
typedef int nk_arm_dw3_s2_unused; /* ISO C: no empty translation unit */
#endif

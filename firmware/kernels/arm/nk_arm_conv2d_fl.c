/* firmware/kernels/arm/nk_arm_conv2d_fl.c — CONV_2D int8 on the 2 x 2
 * packed layout (nk.h, nk_conv_pack.fl): first layers with in_c % 4 != 0,
 * such as ResNet-8's 32x32x3 3x3, whose 27-tap patches left the 4-pixel
 * patch kernel mostly gathering, and 3x3 layers over a multiple of 4
 * channels.
 *  - in_c % 4 != 0: the input rows a block reads are copied once into a
 *    zero-point padded band (stack buffer), so every pixel, border ones
 *    included, reads its filter rows as plain runs of bytes; in_c % 4 ==
 *    0: interior pixels read their rows straight from the input, border
 *    pixels get the zero point for the taps outside.  The zero point,
 *    folded into the bias by the packer, needs no subtraction: a pixel's
 *    patch is one LDR and two SXTB16 per four taps (ResNet's first layer:
 *    6 words and one group of the rows' ninth bytes).
 *  - Blocks of 2 output pixels x 2 output channels: one LDM fetches a
 *    group of four taps of both pixels, one LDM the group's doubled int16
 *    weights of both channels (the stream holds them in that order), eight
 *    SMLAD: 10 instructions per 16 MACs, unrolled over all groups (a
 *    computed entry, no loop counter: the 14 registers hold pointers, data
 *    and the four sums); the bias and the requantization constants
 *    (nk_arm_requant_x2) come from the same stream.
 * Pixel-block contract of nk.h: blocks of 2 consecutive pixels in raster
 * order, input rows read from the block's first row on.  Bit-exact with
 * ../conv/nk_conv_pack_fl.c and ../conv/nk_conv2d.c. */
#include "nk_arm.h"

#if defined(__ARM_FEATURE_DSP) && __ARM_FEATURE_DSP

#include "../nk_fixedpoint.h"
#include "nk_arm_dot.h"
#include "nk_arm_requant.h"
#include "nk_arm_conv2d_mac.h"

/* the block buffer: the groups of two pixels (4 words each), then the
 * band (in_c % 4 != 0) */
#define FL_WORDS (NK_CONV_PACK_FL_BUF / 4)

/* the arguments of nk_arm_conv_fl2, copied to its stack frame */
typedef struct conv_fl2 {
    const uint32_t *x;      /* 0: the two pixels' groups */
    uint32_t entry;         /* 4: entry into the unrolled groups, Thumb bit set */
    int8_t *out0, *out1;    /* 8, 12: the two pixels' outputs */
    const int32_t *end;     /* 16: the stream's end */
} conv_fl2;

#if CONV_ASM
void nk_arm_conv_fl2(const int32_t *s, const conv_fl2 *a);
extern const char nk_arm_conv_fl2_g0[], nk_arm_conv_fl2_done[];

#define FL2_UNUSED __attribute__((unused))

/* one group: both pixels' four taps (r2-r5), both channels' weights
 * (r6-r9), sums px0 ch0 r10, px1 ch0 r11, px0 ch1 r12, px1 ch1 lr; 40
 * bytes (every instruction 32-bit) */
#define FL2_G                                                                                  \
    "ldm.w r0!, {r2-r5}\n\t"                                                                   \
    "ldm.w r1!, {r6-r9}\n\t"                                                                   \
    "smlad r10, r2, r6, r10\n\t"                                                               \
    "smlad r10, r3, r7, r10\n\t"                                                               \
    "smlad r11, r4, r6, r11\n\t"                                                               \
    "smlad r11, r5, r7, r11\n\t"                                                               \
    "smlad r12, r2, r8, r12\n\t"                                                               \
    "smlad r12, r3, r9, r12\n\t"                                                               \
    "smlad lr, r4, r8, lr\n\t"                                                                 \
    "smlad lr, r5, r9, lr\n\t"
#define FL2_G4 FL2_G FL2_G FL2_G FL2_G
/* nk_arm_requant_x2 of one doubled sum, stored with post-increment */
#define FL2_OUT(ACC, M, C, E, P)                                                               \
    "add r0, " C ", " ACC ", asr #31\n\t"                                                      \
    "smmlar r0, " ACC ", " M ", r0\n\t"                                                        \
    "asr r0, r0, " E "\n\t"                                                                    \
    "ssat r0, #8, r0\n\t"                                                                      \
    "strb r0, [" P "], #1\n\t"

__attribute__((naked, noinline)) void nk_arm_conv_fl2(FL2_UNUSED const int32_t *s,
                                                      FL2_UNUSED const conv_fl2 *a)
{
    __asm__ volatile("push {r4-r11, lr}\n\t"
                     "ldm r1, {r2-r6}\n\t"
                     "push {r2-r6}\n\t"
                     "mov r1, r0\n"
                     "1:\n\t"
                     "ldm r1!, {r10, r11, r12, lr}\n\t"
                     "ldr r0, [sp]\n\t"
                     "ldr pc, [sp, #4]\n\t"
                     ".p2align 2\n"
                     ".global nk_arm_conv_fl2_g0\n"
                     "nk_arm_conv_fl2_g0:\n\t"
                     FL2_G4 FL2_G4 FL2_G4 FL2_G4 FL2_G4 FL2_G4 FL2_G4 FL2_G4 FL2_G4
                     FL2_G4 FL2_G4 FL2_G4 FL2_G4 FL2_G4 FL2_G4 FL2_G4 FL2_G4 FL2_G4
                     ".global nk_arm_conv_fl2_done\n"
                     "nk_arm_conv_fl2_done:\n\t"
                     "ldm r1!, {r2-r7}\n\t"
                     "ldrd r8, r9, [sp, #8]\n\t"
                     FL2_OUT("r10", "r2", "r3", "r4", "r8")
                     FL2_OUT("r12", "r5", "r6", "r7", "r8")
                     FL2_OUT("r11", "r2", "r3", "r4", "r9")
                     FL2_OUT("lr", "r5", "r6", "r7", "r9")
                     "strd r8, r9, [sp, #8]\n\t"
                     "ldr r0, [sp, #16]\n\t"
                     "cmp r1, r0\n\t"
                     "bne 1b\n\t"
                     "add sp, sp, #20\n\t"
                     "pop {r4-r11, pc}\n\t");
}

typedef char nk_arm_conv_fl2_unroll[NK_CONV_PACK_FL_MAX_GROUPS == 72 ? 1 : -1];

/* the entry for ng groups: the last ng of the 72 unrolled ones; 0 when the
 * code is not laid out as expected (the C loop runs instead) */
static uint32_t fl2_entry(int32_t ng)
{
    const uintptr_t g0 = (uintptr_t)nk_arm_conv_fl2_g0 & ~(uintptr_t)1;
    const uintptr_t done = (uintptr_t)nk_arm_conv_fl2_done & ~(uintptr_t)1;
    if (done - g0 != 40u * 72u)
        return 0;
    return (uint32_t)(done - 40u * (uint32_t)ng) | 1u;
}
#else
static uint32_t fl2_entry(int32_t ng)
{
    (void)ng;
    return 0;
}
#endif

/* The same in C (no Thumb-2 assembler, or an unexpected layout). */
static void fl2_c(const int32_t *s, const conv_fl2 *a, int32_t ng)
{
    int8_t *o0 = a->out0, *o1 = a->out1;
    while (s != a->end) {
        int32_t a00 = s[0], a10 = s[1], a01 = s[2], a11 = s[3];
        const uint32_t *x = a->x;
        s += 4;
        for (int32_t g = 0; g < ng; ++g, x += 4, s += 4) {
            a00 = __smlad((int32_t)x[0], s[0], a00);
            a00 = __smlad((int32_t)x[1], s[1], a00);
            a10 = __smlad((int32_t)x[2], s[0], a10);
            a10 = __smlad((int32_t)x[3], s[1], a10);
            a01 = __smlad((int32_t)x[0], s[2], a01);
            a01 = __smlad((int32_t)x[1], s[3], a01);
            a11 = __smlad((int32_t)x[2], s[2], a11);
            a11 = __smlad((int32_t)x[3], s[3], a11);
        }
        *o0++ = (int8_t)__ssat(nk_arm_requant_x2(a00, s[0], s[1], s[2]), 8);
        *o0++ = (int8_t)__ssat(nk_arm_requant_x2(a01, s[3], s[4], s[5]), 8);
        *o1++ = (int8_t)__ssat(nk_arm_requant_x2(a10, s[0], s[1], s[2]), 8);
        *o1++ = (int8_t)__ssat(nk_arm_requant_x2(a11, s[3], s[4], s[5]), 8);
        s += 6;
    }
}

/* the band: h rows of prow bytes whose first row is input row y0 */
typedef struct fl_band {
    int8_t *img;
    int32_t y0, h, w, prow, valid;
} fl_band;

static inline void fl_fill8(int8_t *d, uint32_t v4, int32_t n)
{
    int32_t i = 0;
    for (; i + 4 <= n; i += 4)
        memcpy(d + i, &v4, 4);
    for (; i < n; ++i)
        d[i] = (int8_t)v4;
}

static inline void fl_copy8(int8_t *d, const int8_t *s, int32_t n)
{
    int32_t i = 0;
    for (; i + 4 <= n; i += 4) {
        const uint32_t v = nk_arm_load32(s + i);
        memcpy(d + i, &v, 4);
    }
    for (; i < n; ++i)
        d[i] = s[i];
}

/* Fills the band from input row y0 on: columns from -pad_left, the zero
 * point outside the image. */
static __attribute__((noinline)) void fl_fill(fl_band *bd, const nk_conv_params *p,
                                              const int8_t *in_b, int32_t y0)
{
    const int32_t c = p->in_c, x0 = -p->pad_left;
    const uint32_t zp4 = (uint32_t)(uint8_t)p->in_zp * 0x01010101u;
    int32_t lx = -x0, rx = p->in_w - x0; /* band columns [lx, rx) inside the image */
    lx = lx > bd->w ? bd->w : lx;
    rx = rx > bd->w ? bd->w : rx < lx ? lx : rx;
    int8_t *d = bd->img;
    bd->y0 = y0;
    bd->valid = 1;
    for (int32_t r = 0; r < bd->h; ++r, d += bd->prow) {
        const int32_t iy = y0 + r;
        if (iy < 0 || iy >= p->in_h || rx == lx) {
            fl_fill8(d, zp4, bd->prow);
            continue;
        }
        fl_fill8(d, zp4, lx * c);
        fl_copy8(d + lx * c, in_b + ((size_t)iy * p->in_w + x0 + lx) * c, (rx - lx) * c);
        fl_fill8(d + rx * c, zp4, (bd->w - rx) * c);
    }
    memcpy(d, &zp4, 4); /* the words read past the last run */
}

/* one word of four taps -> lanes (0, 2) and (1, 3) */
static inline uint32_t *fl_put(uint32_t *x, const int8_t *src)
{
    const uint32_t v = nk_arm_load32(src);
    x[0] = __sxtb16(v);
    x[1] = (uint32_t)nk_arm_sxtb16_ror8(v);
    return x + 4;
}

static inline uint32_t fl_pk(int32_t lo, int32_t hi)
{
    return ((uint32_t)lo & 0xffffu) | ((uint32_t)hi << 16);
}

/* One pixel's groups (x: its first group, groups 4 words apart) from the
 * band at its top-left tap; the layout of nk_conv_pack_fl.c.  k3x9: 3x3
 * over 3 channels (two words per row, then the rows' ninth bytes). */
static inline __attribute__((always_inline)) void
fl_gather(uint32_t *x, const int8_t *src, int32_t prow, int32_t fh, int32_t nw, int32_t rem,
          const int k3x9)
{
    if (k3x9) {
        x = fl_put(x, src);
        x = fl_put(x, src + 4);
        x = fl_put(x, src + prow);
        x = fl_put(x, src + prow + 4);
        x = fl_put(x, src + 2 * prow);
        x = fl_put(x, src + 2 * prow + 4);
        x[0] = fl_pk(src[8], src[prow + 8]);
        x[1] = (uint32_t)(int32_t)src[2 * prow + 8]; /* lane 3 weighted 0 */
        return;
    }
    const int32_t nwr = nw + (rem == 3);
    const int8_t *r = src;
    for (int32_t fy = 0; fy < fh; ++fy, r += prow)
        for (int32_t k = 0; k < nwr; ++k)
            x = fl_put(x, r + 4 * k);
    r = src + 4 * nw;
    if (rem == 1) {
        for (int32_t q = 0; q < fh; q += 4, r += 4 * prow, x += 4) {
            x[0] = fl_pk(r[0], q + 1 < fh ? r[prow] : 0);
            x[1] = fl_pk(q + 2 < fh ? r[2 * prow] : 0, q + 3 < fh ? r[3 * prow] : 0);
        }
    } else if (rem == 2) {
        for (int32_t q = 0; q < fh; q += 2, r += 2 * prow, x += 4) {
            const uint32_t va = nk_arm_load32(r), vb = q + 1 < fh ? nk_arm_load32(r + prow) : 0;
            x[0] = fl_pk((int32_t)__sxtb16(va), (int32_t)__sxtb16(vb));
            x[1] = fl_pk(nk_arm_sxtb16_ror8(va), nk_arm_sxtb16_ror8(vb));
        }
    }
}

/* fl_gather for the other shapes, out of line (few pixels: kws 125) */
static __attribute__((noinline)) void fl_gather_any(uint32_t *x, const int8_t *src,
                                                    int32_t prow, int32_t fh, int32_t nw,
                                                    int32_t rem)
{
    fl_gather(x, src, prow, fh, nw, rem, 0);
}

/* one pixel: the 3x9 gather inline, the others out of line */
static inline __attribute__((always_inline)) void fl_pixel(uint32_t *x, const int8_t *src,
                                                           int32_t prow, int32_t fh, int32_t nw,
                                                           int32_t rem, const int k3x9)
{
    if (k3x9)
        fl_gather(x, src, prow, fh, nw, rem, 1);
    else
        fl_gather_any(x, src, prow, fh, nw, rem);
}

/* the channel loop of one block (asm when laid out as expected) */
static inline __attribute__((always_inline)) void fl_block(const int32_t *fl, conv_fl2 *a,
                                                           int8_t *o0, int8_t *o1, int32_t ng)
{
    a->out0 = o0;
    a->out1 = o1;
#if CONV_ASM
    if (a->entry) {
        nk_arm_conv_fl2(fl, a);
        return;
    }
#endif
    fl2_c(fl, a, ng);
}

/* The image of one batch, output row by output row: pairs of pixels in a
 * row, a row's odd last pixel paired with the next row's first. */
static inline __attribute__((always_inline)) void
fl_image(const nk_conv_params *p, const int32_t *fl, conv_fl2 *a, fl_band *bd, uint32_t *buf,
         const int8_t *in_b, int8_t *out_b, const int k3x9)
{
    const int32_t run = p->filter_w * p->in_c, nw = run / 4, rem = run % 4, fh = p->filter_h;
    const int32_t ng = NK_CONV_PACK_FL_GROUPS(p), out_w = p->out_w, out_h = p->out_h;
    const int32_t out_c = p->out_c, sh = p->stride_h, step = p->stride_w * p->in_c;
    const int32_t prow = bd->prow;
    int32_t ox0 = 0; /* the row's first pixel not done yet */
    bd->valid = 0;
    for (int32_t oy = 0; oy < out_h; ++oy) {
        const int32_t lo = oy * sh - p->pad_top, hi = lo + fh + (oy + 1 < out_h ? sh : 0);
        if (!bd->valid || lo < bd->y0 || hi > bd->y0 + bd->h)
            fl_fill(bd, p, in_b, lo);
        const int8_t *const row = bd->img + (size_t)(lo - bd->y0) * prow;
        const int8_t *src = row + (size_t)ox0 * step;
        int8_t *o = out_b + ((size_t)oy * out_w + ox0) * out_c;
        int32_t ox = ox0;
        for (; ox + 1 < out_w; ox += 2, src += 2 * step, o += 2 * out_c) {
            fl_pixel(buf, src, prow, fh, nw, rem, k3x9);
            fl_pixel(buf + 2, src + step, prow, fh, nw, rem, k3x9);
            fl_block(fl, a, o, o + out_c, ng);
        }
        ox0 = 0;
        if (ox < out_w) {
            fl_pixel(buf, src, prow, fh, nw, rem, k3x9);
            if (oy + 1 < out_h) {
                /* with the next row's first pixel (the next output pixel) */
                fl_pixel(buf + 2, row + (size_t)sh * prow, prow, fh, nw, rem, k3x9);
                fl_block(fl, a, o, o + out_c, ng);
                ox0 = 1;
            } else {
                fl_pixel(buf + 2, src, prow, fh, nw, rem, k3x9);
                fl_block(fl, a, o, o, ng);
            }
        }
    }
}

#if CONV_ASM
/* fl_put of two words (one LDR each, then the SXTB16 pairs) */
#define FL_PUT2                                                                                \
    "ldr %[v], [%[s]], #4\n\t"                                                                 \
    "ldr %[c], [%[s]], #4\n\t"                                                                 \
    "sxtb16 %[a], %[v]\n\t"                                                                    \
    "sxtb16 %[b], %[v], ror #8\n\t"                                                            \
    "strd %[a], %[b], [%[x]], #16\n\t"                                                         \
    "sxtb16 %[a], %[c]\n\t"                                                                    \
    "sxtb16 %[b], %[c], ror #8\n\t"                                                            \
    "strd %[a], %[b], [%[x]], #16\n\t"

/* n trips of fl_put over `per` words (2 or 4), n >= 1, from s to *x
 * (advanced).  The loop stays in assembly: as a C loop around the words
 * the compiler spills the row loop's registers (4 more instructions a
 * row, kernel bench). */
static inline __attribute__((always_inline)) void fl_put_run(uint32_t **x, const int8_t *s,
                                                             int32_t n, const int per)
{
    uint32_t v_, a_, b_, c_;
    if (per == 4)
        __asm__ volatile("1:\n\t" FL_PUT2 FL_PUT2 "subs %[n], %[n], #1\n\t"
                         "bne 1b\n\t"
                         : [v] "=&r"(v_), [a] "=&r"(a_), [b] "=&r"(b_), [c] "=&r"(c_),
                           [s] "+r"(s), [x] "+r"(*x), [n] "+r"(n)
                         :
                         : "cc", "memory");
    else
        __asm__ volatile("1:\n\t" FL_PUT2 "subs %[n], %[n], #1\n\t"
                         "bne 1b\n\t"
                         : [v] "=&r"(v_), [a] "=&r"(a_), [b] "=&r"(b_), [c] "=&r"(c_),
                           [s] "+r"(s), [x] "+r"(*x), [n] "+r"(n)
                         :
                         : "cc", "memory");
}
#endif

/* in_c % 4 == 0: the rows of one pixel straight from the input (nw words
 * each, rows prow bytes apart; unaligned LDRs) */
static inline __attribute__((always_inline)) void fl_rows(uint32_t *x, const int8_t *src,
                                                          int32_t prow, int32_t fh, int32_t nw)
{
#if CONV_ASM
    if ((nw & 3) == 0) {
        /* four words per trip (3x3 over 16 and 32 channels: 12, 24 words) */
        for (int32_t fy = 0; fy < fh; ++fy, src += prow)
            fl_put_run(&x, src, nw >> 2, 4);
        return;
    }
    for (int32_t fy = 0; fy < fh; ++fy, src += prow) {
        const int8_t *s_ = src;
        if (nw & 1) {
            uint32_t v_, a_, b_;
            __asm__ volatile("ldr %[v], [%[s]], #4\n\t"
                             "sxtb16 %[a], %[v]\n\t"
                             "sxtb16 %[b], %[v], ror #8\n\t"
                             "strd %[a], %[b], [%[x]], #16\n\t"
                             : [v] "=&r"(v_), [a] "=&r"(a_), [b] "=&r"(b_), [s] "+r"(s_),
                               [x] "+r"(x)
                             :
                             : "memory");
        }
        if (nw >> 1)
            fl_put_run(&x, s_, nw >> 1, 2);
    }
#else
    for (int32_t fy = 0; fy < fh; ++fy, src += prow)
        for (int32_t k = 0; k < nw; ++k)
            x = fl_put(x, src + 4 * k);
#endif
}

/* in_c % 4 == 0, a pixel whose taps leave the image: the zero point
 * (za, zb: its lanes) for the taps outside */
static __attribute__((noinline)) void fl_border(uint32_t *x, const nk_conv_params *p,
                                                const int8_t *in_b, int32_t y0, int32_t x0,
                                                uint32_t za, uint32_t zb)
{
    const int32_t cw = p->in_c / 4;
    for (int32_t fy = 0; fy < p->filter_h; ++fy) {
        const int32_t iy = y0 + fy;
        for (int32_t fx = 0; fx < p->filter_w; ++fx) {
            const int32_t ix = x0 + fx;
            if (iy < 0 || iy >= p->in_h || ix < 0 || ix >= p->in_w) {
                for (int32_t k = 0; k < cw; ++k, x += 4) {
                    x[0] = za;
                    x[1] = zb;
                }
                continue;
            }
            const int8_t *src = in_b + ((size_t)iy * p->in_w + ix) * p->in_c;
            for (int32_t k = 0; k < cw; ++k)
                x = fl_put(x, src + 4 * k);
        }
    }
}

/* in_c % 4 == 0: one pixel from the input, interior or border */
static inline __attribute__((always_inline)) void
fl_direct(uint32_t *x, const nk_conv_params *p, const int8_t *in_b, int32_t oy, int32_t ox,
          int32_t nw, uint32_t za, uint32_t zb)
{
    const int32_t y0 = oy * p->stride_h - p->pad_top, x0 = ox * p->stride_w - p->pad_left;
    if (y0 >= 0 && y0 + p->filter_h <= p->in_h && x0 >= 0 && x0 + p->filter_w <= p->in_w)
        fl_rows(x, in_b + ((size_t)y0 * p->in_w + x0) * p->in_c, p->in_w * p->in_c,
                p->filter_h, nw);
    else
        fl_border(x, p, in_b, y0, x0, za, zb);
}

#if CONV_ASM
/* Two neighbouring pixels (stride 1) of a 3-wide filter over in_c = 4 CW
 * channels, both inside the image: each input word of a filter row is
 * converted once and stored for each pixel that reads it (words 0 .. CW - 1
 * pixel 0 only, CW .. 3 CW - 1 both, the last CW pixel 1 only), straight-
 * line. */
#define FLW_LD(K)                                                                              \
    "ldr %[v], [%[s], #(4*" #K ")]\n\t"                                                       \
    "sxtb16 %[a], %[v]\n\t"                                                                   \
    "sxtb16 %[b], %[v], ror #8\n\t"
#define FLW_P0(K) FLW_LD(K) "strd %[a], %[b], [%[x], #(16*" #K ")]\n\t"
#define FLW_P1(K, CW) FLW_LD(K) "strd %[a], %[b], [%[x], #(16*(" #K "-" #CW ")+8)]\n\t"
#define FLW_B(K, CW) FLW_P0(K) "strd %[a], %[b], [%[x], #(16*(" #K "-" #CW ")+8)]\n\t"
#define FLW_ROW_ASM(SEQ)                                                                       \
    do {                                                                                       \
        uint32_t v_, a_, b_;                                                                   \
        __asm__ volatile(SEQ                                                                   \
                         : [v] "=&r"(v_), [a] "=&r"(a_), [b] "=&r"(b_)                         \
                         : [s] "r"(src), [x] "r"(x)                                            \
                         : "memory");                                                          \
    } while (0)
#define FLW_C16                                                                                \
    FLW_P0(0) FLW_P0(1) FLW_P0(2) FLW_P0(3) FLW_B(4, 4) FLW_B(5, 4) FLW_B(6, 4) FLW_B(7, 4)   \
    FLW_B(8, 4) FLW_B(9, 4) FLW_B(10, 4) FLW_B(11, 4) FLW_P1(12, 4) FLW_P1(13, 4)            \
    FLW_P1(14, 4) FLW_P1(15, 4)
#define FLW_C32                                                                                \
    FLW_P0(0) FLW_P0(1) FLW_P0(2) FLW_P0(3) FLW_P0(4) FLW_P0(5) FLW_P0(6) FLW_P0(7)           \
    FLW_B(8, 8) FLW_B(9, 8) FLW_B(10, 8) FLW_B(11, 8) FLW_B(12, 8) FLW_B(13, 8)              \
    FLW_B(14, 8) FLW_B(15, 8) FLW_B(16, 8) FLW_B(17, 8) FLW_B(18, 8) FLW_B(19, 8)            \
    FLW_B(20, 8) FLW_B(21, 8) FLW_B(22, 8) FLW_B(23, 8) FLW_P1(24, 8) FLW_P1(25, 8)          \
    FLW_P1(26, 8) FLW_P1(27, 8) FLW_P1(28, 8) FLW_P1(29, 8) FLW_P1(30, 8) FLW_P1(31, 8)

static __attribute__((noinline)) void fl_pair3_c16(uint32_t *x, const int8_t *src, int32_t prow)
{
    for (int32_t fy = 0; fy < 3; ++fy, src += prow, x += 4 * 12)
        FLW_ROW_ASM(FLW_C16);
}

static __attribute__((noinline)) void fl_pair3_c32(uint32_t *x, const int8_t *src, int32_t prow)
{
    for (int32_t fy = 0; fy < 3; ++fy, src += prow, x += 4 * 24)
        FLW_ROW_ASM(FLW_C32);
}
#endif

/* in_c % 4 == 0: the pair of pixels (oy, ox), (oy, ox + 1); 1 when done
 * by the shared conversions above */
static inline __attribute__((always_inline)) int fl_pair(uint32_t *x, const nk_conv_params *p,
                                                         const int8_t *in_b, int32_t oy,
                                                         int32_t ox, int pair3)
{
#if CONV_ASM
    const int32_t y0 = oy - p->pad_top, x0 = ox - p->pad_left;
    if (!pair3 || y0 < 0 || y0 + 3 > p->in_h || x0 < 0 || x0 + 4 > p->in_w)
        return 0;
    const int8_t *src = in_b + ((size_t)y0 * p->in_w + x0) * p->in_c;
    if (p->in_c == 16)
        fl_pair3_c16(x, src, p->in_w * 16);
    else
        fl_pair3_c32(x, src, p->in_w * 32);
    return 1;
#else
    (void)x, (void)p, (void)in_b, (void)oy, (void)ox, (void)pair3;
    return 0;
#endif
}

/* in_c % 4 == 0: the image of one batch, pixels in pairs (a row's odd last
 * pixel with the next row's first); input rows read from the block's
 * first pixel's on */
static void fl_image_direct(const nk_conv_params *p, const int32_t *fl, conv_fl2 *a,
                            uint32_t *buf, const int8_t *in_b, int8_t *out_b)
{
    const int32_t ng = NK_CONV_PACK_FL_GROUPS(p), out_w = p->out_w, out_h = p->out_h;
    const int32_t out_c = p->out_c, nw = p->filter_w * p->in_c / 4;
    const uint32_t zp4 = (uint32_t)(uint8_t)p->in_zp * 0x01010101u;
    const uint32_t za = __sxtb16(zp4), zb = (uint32_t)nk_arm_sxtb16_ror8(zp4);
    /* 3x3 stride 1 over 16 or 32 channels: pairs share their conversions */
    const int pair3 = p->filter_h == 3 && p->filter_w == 3 && p->stride_h == 1 &&
                      p->stride_w == 1 && (p->in_c == 16 || p->in_c == 32);
    int32_t ox0 = 0;
    for (int32_t oy = 0; oy < out_h; ++oy) {
        int8_t *o = out_b + ((size_t)oy * out_w + ox0) * out_c;
        int32_t ox = ox0;
        for (; ox + 1 < out_w; ox += 2, o += 2 * out_c) {
            if (!fl_pair(buf, p, in_b, oy, ox, pair3)) {
                fl_direct(buf, p, in_b, oy, ox, nw, za, zb);
                fl_direct(buf + 2, p, in_b, oy, ox + 1, nw, za, zb);
            }
            fl_block(fl, a, o, o + out_c, ng);
        }
        ox0 = 0;
        if (ox < out_w) {
            fl_direct(buf, p, in_b, oy, ox, nw, za, zb);
            if (oy + 1 < out_h) {
                fl_direct(buf + 2, p, in_b, oy + 1, 0, nw, za, zb);
                fl_block(fl, a, o, o + out_c, ng);
                ox0 = 1;
            } else {
                fl_direct(buf + 2, p, in_b, oy, ox, nw, za, zb);
                fl_block(fl, a, o, o, ng);
            }
        }
    }
}

int nk_conv2d_s8_fl_dsp(const nk_conv_params *p, const int32_t *fl, const int8_t *input,
                        int8_t *output)
{
    uint32_t buf[FL_WORDS]; /* word aligned for LDM */
    const int32_t ng = NK_CONV_PACK_FL_GROUPS(p), c = p->in_c;
    const int32_t npix = p->out_h * p->out_w;
    fl_band bd = {(int8_t *)(buf + 4 * ng), 0, 0, (p->out_w - 1) * p->stride_w + p->filter_w,
                  0, 0};
    bd.prow = bd.w * c;
    const int32_t all_h = (p->out_h - 1) * p->stride_h + p->filter_h;
    const int32_t cap = (NK_CONV_PACK_FL_BUF - 16 * ng - 4) / bd.prow;
    bd.h = cap < all_h ? cap : all_h;
    conv_fl2 a = {buf, fl2_entry(ng), NULL, NULL, fl + NK_CONV_PACK_FL_WORDS(p)};
    const int k3x9 = p->filter_h == 3 && p->filter_w * c == 9;
    for (int32_t b = 0; b < p->batches; ++b) {
        const int8_t *in_b = input + (size_t)b * p->in_h * p->in_w * c;
        int8_t *out_b = output + (size_t)b * npix * p->out_c;
        if ((c & 3) == 0)
            fl_image_direct(p, fl, &a, buf, in_b, out_b);
        else if (k3x9)
            fl_image(p, fl, &a, &bd, buf, in_b, out_b, 1);
        else
            fl_image(p, fl, &a, &bd, buf, in_b, out_b, 0);
    }
    return NK_OK;
}

#else
typedef int nk_arm_conv2d_fl_unused; /* ISO C: no empty translation unit */
#endif

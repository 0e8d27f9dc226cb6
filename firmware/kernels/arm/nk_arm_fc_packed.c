/* firmware/kernels/arm/nk_arm_fc_packed.c — FULLY_CONNECTED int8 with the
 * DSP extension on weights packed at code generation (nk_fc_pack, ../nk.h;
 * packers and portable twin ../conv/nk_fc_pack.c).  Per step of four inputs
 * and four rows: one LDRD of the prepared input, then
 *   - int8 layout: one LDM of four weight words, four SXTB16 and eight
 *     SMLAD (16 MACs in 14 instructions), sums in chunks of 128 inputs;
 *   - int16 layout (nk_fc_pack.wide): two LDM of four words and eight
 *     SMLAD (16 MACs in 11 instructions), one sum per row;
 * requantization once per row after the loop (nk_arm_requant_x2 when the
 * packer found every row suits it).  The group loops and the layer frame
 * are one assembly text each (FCP_CHUNKS, FCP16_STEPS, FCP_LAYER_ENTRY/
 * EXIT), shared by the group and layer functions.
 * Bit-exact with ../conv/nk_fully_connected.c. */
#include "nk_arm.h"

#if defined(__ARM_FEATURE_DSP) && __ARM_FEATURE_DSP

#include <arm_acle.h>
#include <stddef.h>
#include <string.h>

#include "../nk_fixedpoint.h"
#include "nk_arm_dot.h"
#include "nk_arm_requant.h"

/* The prepared input (layout in ../conv/nk_fc_pack.c, fcp_prep): four
 * inputs per two words, SIMD for whole words, the tail and padding in C. */
static void fcp_prep_dsp(const int8_t *in, int32_t depth, int32_t dp, uint32_t *xb)
{
    int32_t d = 0;
    for (; d + 4 <= depth; d += 4) {
        const uint32_t v = nk_arm_load32(in + d);
        const int32_t xo = nk_arm_sxtb16_ror8(v);                   /* x1, x3 */
        const uint32_t e256 = (v << 8) & 0xff00ff00u;                /* 256 x0, 256 x2 */
        xb[d / 2] = (uint32_t)__sadd16(xo, 0x00810081);              /* x + 129 */
        xb[d / 2 + 1] = (uint32_t)__ssub16((int32_t)e256, __sadd16(xo, (int32_t)0xff81ff81u));
    }
    for (; d < dp; d += 2) {
        /* past depth as x = 0 (the weights there are 0; x_odd + 129 >= 1
         * keeps the even lane inside int16) */
        const int32_t xe = (d < depth ? in[d] : 0) + 1;
        const int32_t xo = (d + 1 < depth ? in[d + 1] : 0) + 129;
        const uint32_t lo = (uint32_t)(uint16_t)(int16_t)xo;
        const uint32_t hi = (uint32_t)(uint16_t)(int16_t)(256 * xe - xo);
        const int32_t s = d / 4;
        if (d % 4) {
            xb[2 * s] |= lo << 16;
            xb[2 * s + 1] |= hi << 16;
        } else {
            xb[2 * s] = lo;
            xb[2 * s + 1] = hi;
        }
    }
}

/* The int16 layout's prepared input (nk_fc_pack_s8_w16 in ../nk.h): per
 * four inputs the pairs (x0, x2) and (x1, x3); zeros past depth. */
static void fcp_prep16_dsp(const int8_t *in, int32_t depth, int32_t dp, uint32_t *xb)
{
    int32_t d = 0;
    for (; d + 4 <= depth; d += 4) {
        const uint32_t v = nk_arm_load32(in + d);
        xb[d / 2] = (uint32_t)__sxtb16(v);
        xb[d / 2 + 1] = (uint32_t)nk_arm_sxtb16_ror8(v);
    }
    for (; d < dp; d += 4) {
        int8_t t[4] = {0, 0, 0, 0};
        for (int32_t j = 0; j < 4 && d + j < depth; ++j)
            t[j] = in[d + j];
        const uint32_t v = nk_arm_load32(t);
        xb[d / 2] = (uint32_t)__sxtb16(v);
        xb[d / 2 + 1] = (uint32_t)nk_arm_sxtb16_ror8(v);
    }
}

#if defined(__GNUC__) && defined(__thumb2__)
/* int8 layout, one step: four inputs (LDRD of the prepared pair) times four
 * rows (LDM of their words), 16 MACs in 14 instructions. */
#define FCP_STEP                                                                           \
    "ldrd   r8, r9, [r0], #8\n\t"                                                          \
    "ldmia  r1!, {r4-r7}\n\t"                                                              \
    "smlad  r10, r4, r8, r10\n\t"                                                          \
    "smlad  r11, r5, r8, r11\n\t"                                                          \
    "smlad  r12, r6, r8, r12\n\t"                                                          \
    "smlad  lr, r7, r8, lr\n\t"                                                            \
    "sxtb16 r4, r4\n\t"                                                                    \
    "sxtb16 r5, r5\n\t"                                                                    \
    "sxtb16 r6, r6\n\t"                                                                    \
    "sxtb16 r7, r7\n\t"                                                                    \
    "smlad  r10, r4, r9, r10\n\t"                                                          \
    "smlad  r11, r5, r9, r11\n\t"                                                          \
    "smlad  r12, r6, r9, r12\n\t"                                                          \
    "smlad  lr, r7, r9, lr\n\t"

/* int8 layout, the four sums of one group of rows at [SUMS] (an
 * instruction that sets r3 to their address): acc[r] += dot / 256 per
 * chunk of at most 32 steps (128 inputs: |256 dot| < 2^31, so the shift is
 * exact).  r0 = prepared input, r1 = the group's words, r2 = steps (even,
 * >= 2); r3 holds the chunk's end.  Four steps per trip (58 instructions
 * per 64 MACs), two first when the chunk has 4k + 2.  The sums are in
 * r4-r7 after each chunk; NEXT stores them and branches to 1b while r2 > 0
 * (flags: r2 - 0).  Labels 1-3. */
#define FCP_CHUNKS(SUMS, NEXT)                                                             \
    "1:\n\t"                                                                               \
    "mov    r3, r2\n\t"                                                                    \
    "cmp    r2, #32\n\t"                                                                   \
    "it     gt\n\t"                                                                        \
    "movgt  r3, #32\n\t"                                                                   \
    "sub    r2, r2, r3\n\t"                                                                \
    "mov    r10, #0\n\t"                                                                   \
    "mov    r11, #0\n\t"                                                                   \
    "mov    r12, #0\n\t"                                                                   \
    "mov    lr, #0\n\t"                                                                    \
    "tst    r3, #2\n\t"                                                                    \
    "add    r3, r0, r3, lsl #3\n\t"                                                        \
    "beq    2f\n\t"                                                                        \
    FCP_STEP FCP_STEP                                                                      \
    "cmp    r0, r3\n\t"                                                                    \
    "beq    3f\n\t"                                                                        \
    "2:\n\t"                                                                               \
    FCP_STEP FCP_STEP FCP_STEP FCP_STEP                                                    \
    "cmp    r0, r3\n\t"                                                                    \
    "bne    2b\n\t"                                                                        \
    "3:\n\t"                                                                               \
    SUMS                                                                                   \
    "ldm    r3, {r4-r7}\n\t"                                                               \
    "add    r4, r4, r10, asr #8\n\t"                                                       \
    "add    r5, r5, r11, asr #8\n\t"                                                       \
    "add    r6, r6, r12, asr #8\n\t"                                                       \
    "add    r7, r7, lr, asr #8\n\t"                                                        \
    "cmp    r2, #0\n\t"                                                                    \
    NEXT

/* int16 layout, one step: four inputs (LDRD of the pairs (x0, x2), (x1,
 * x3)) times four rows (two LDM of their words), 16 MACs in 11
 * instructions; the sums are r4-r7. */
#define FCP16_STEP                                                                         \
    "ldrd   r8, r9, [r0], #8\n\t"                                                          \
    "ldmia  r1!, {r10, r11, r12, lr}\n\t"                                                  \
    "smlad  r4, r10, r8, r4\n\t"                                                           \
    "smlad  r5, r11, r8, r5\n\t"                                                           \
    "smlad  r6, r12, r8, r6\n\t"                                                           \
    "smlad  r7, lr, r8, r7\n\t"                                                            \
    "ldmia  r1!, {r10, r11, r12, lr}\n\t"                                                  \
    "smlad  r4, r10, r9, r4\n\t"                                                           \
    "smlad  r5, r11, r9, r5\n\t"                                                           \
    "smlad  r6, r12, r9, r6\n\t"                                                           \
    "smlad  r7, lr, r9, r7\n\t"

/* int16 layout, one group: r0 = prepared input, r1 = the group's words, r2
 * = steps (even, >= 2), sums in r4-r7 (no chunks: one int32 sum per row as
 * the portable kernel's); r3 = the end.  Four steps per trip (46
 * instructions per 64 MACs).  Labels 2-3. */
#define FCP16_STEPS                                                                        \
    "tst    r2, #2\n\t"                                                                    \
    "add    r3, r0, r2, lsl #3\n\t"                                                        \
    "beq    2f\n\t"                                                                        \
    FCP16_STEP FCP16_STEP                                                                  \
    "cmp    r0, r3\n\t"                                                                    \
    "beq    3f\n\t"                                                                        \
    "2:\n\t"                                                                               \
    FCP16_STEP FCP16_STEP FCP16_STEP FCP16_STEP                                            \
    "cmp    r0, r3\n\t"                                                                    \
    "bne    2b\n\t"                                                                        \
    "3:\n\t"

#define FCP_HAVE_LAYER 1
/* int8 layout, the four sums acc[0..3] of one group (r3 = acc, kept at
 * [sp]). */
__attribute__((naked, noinline)) static void fcp_group(const uint32_t *xb __attribute__((unused)),
                                                       const int32_t *w __attribute__((unused)),
                                                       int32_t steps __attribute__((unused)),
                                                       int32_t *acc __attribute__((unused)))
{
    __asm__ volatile("push   {r3-r11, lr}\n\t"
                     FCP_CHUNKS("ldr    r3, [sp]\n\t",
                                "stm    r3, {r4-r7}\n\t"
                                "bne    1b\n\t")
                     "pop    {r3-r11, pc}\n\t");
}

/* int16 layout, the same. */
__attribute__((naked, noinline)) static void
fcp_group16(const uint32_t *xb __attribute__((unused)), const int32_t *w __attribute__((unused)),
            int32_t steps __attribute__((unused)), int32_t *acc __attribute__((unused)))
{
    __asm__ volatile("push   {r3-r11, lr}\n\t"
                     "ldm    r3, {r4-r7}\n\t"
                     FCP16_STEPS
                     "ldr    r3, [sp]\n\t"
                     "stm    r3, {r4-r7}\n\t"
                     "pop    {r3-r11, pc}\n\t");
}

/* Row R's output: R = 2 R, then nk_arm_requant_x2 (r8 = mult, r9 = c0,
 * r10 = e; lr scratch), SSAT to int8 (FCP_QS); FCP_Q clamps to the
 * activation bounds r11, r12 too; STRB to [r2], r2 += 1. */
#define FCP_QS(R)                                                                          \
    "lsl    " #R ", " #R ", #1\n\t"                                                         \
    "add    lr, r9, " #R ", asr #31\n\t"                                                    \
    "smmlar " #R ", " #R ", r8, lr\n\t"                                                     \
    "asr    " #R ", " #R ", r10\n\t"                                                        \
    "ssat   " #R ", #8, " #R "\n\t"
#define FCP_QF(R) FCP_QS(R) "strb   " #R ", [r2], #1\n\t"
#define FCP_Q(R)                                                                           \
    FCP_QS(R)                                                                              \
    "cmp    " #R ", r11\n\t"                                                                \
    "it     lt\n\t"                                                                         \
    "movlt  " #R ", r11\n\t"                                                                \
    "cmp    " #R ", r12\n\t"                                                                \
    "it     gt\n\t"                                                                         \
    "movgt  " #R ", r12\n\t"                                                                \
    "strb   " #R ", [r2], #1\n\t"

/* What fcp_layer reads (offsets fixed: the assembly names them). */
typedef struct fcp_run {
    const uint32_t *xb;  /* 0: prepared input */
    const int32_t *w;    /* 4: packed words */
    const int32_t *k;    /* 8: folded constants */
    int8_t *out;         /* 12 */
    int32_t steps;       /* 16: depth_pad / 4 (even) */
    int32_t groups;      /* 20: full groups of four rows (>= 1) */
    int32_t mult, c0, e; /* 24, 28, 32: nk_arm_requant_x2 */
    int32_t lo, hi;      /* 36, 40: activation bounds */
    int32_t full;        /* 44: 1 = bounds are -128, 127 (SSAT alone) */
} fcp_run;
typedef char fcp_run_layout_check[(offsetof(fcp_run, steps) == 16 &&
                                   offsetof(fcp_run, mult) == 24 &&
                                   offsetof(fcp_run, full) == 44)
                                      ? 1
                                      : -1];

/* Both layers' frame: r0 = run; [sp] run, [sp, #4] groups left, [sp, #8]
 * next k, [sp, #12] next output, [sp, #16..31] the int8 layout's running
 * sums; r1 = the packed words (kept across groups).  Label 4 = a group. */
#define FCP_LAYER_ENTRY                                                                    \
    "push   {r4-r11, lr}\n\t"                                                              \
    "sub    sp, sp, #32\n\t"                                                               \
    "str    r0, [sp]\n\t"                                                                  \
    "ldr    r1, [r0, #20]\n\t"                                                             \
    "str    r1, [sp, #4]\n\t"                                                              \
    "ldr    r1, [r0, #8]\n\t"                                                              \
    "str    r1, [sp, #8]\n\t"                                                              \
    "ldr    r1, [r0, #12]\n\t"                                                             \
    "str    r1, [sp, #12]\n\t"                                                             \
    "ldr    r1, [r0, #4]\n\t"                                                              \
    "4:\n\t"

/* The group's four sums r4-r7 doubled, requantized (ADD, SMMLAR, ASR),
 * saturated (SSAT, then the activation bounds unless run->full) and stored;
 * the next group, or return.  Labels 6-7. */
#define FCP_LAYER_EXIT                                                                     \
    "ldr    r3, [sp]\n\t"                                                                  \
    "add    r0, r3, #24\n\t"                                                               \
    "ldm    r0, {r8-r12}\n\t" /* mult, c0, e, lo, hi */                                    \
    "ldr    r0, [r3, #44]\n\t" /* full */                                                  \
    "ldr    r2, [sp, #12]\n\t"                                                             \
    "cmp    r0, #0\n\t"                                                                    \
    "bne    6f\n\t"                                                                        \
    FCP_Q(r4) FCP_Q(r5) FCP_Q(r6) FCP_Q(r7)                                                \
    "b      7f\n\t"                                                                        \
    "6:\n\t"                                                                               \
    FCP_QF(r4) FCP_QF(r5) FCP_QF(r6) FCP_QF(r7)                                            \
    "7:\n\t"                                                                               \
    "str    r2, [sp, #12]\n\t"                                                             \
    "ldr    r2, [sp, #4]\n\t"                                                              \
    "subs   r2, r2, #1\n\t"                                                                \
    "str    r2, [sp, #4]\n\t"                                                              \
    "bne    4b\n\t"                                                                        \
    "add    sp, sp, #32\n\t"                                                               \
    "pop    {r4-r11, pc}\n\t"

/* One layer's full groups of four rows, per-tensor requantization through
 * nk_arm_requant_x2 (the packer's x2 flag), the whole group loop in
 * registers.  int8 layout: the sums start at k and gather the chunks at
 * [sp, #16]. */
__attribute__((naked, noinline)) static void fcp_layer(const fcp_run *r __attribute__((unused)))
{
    __asm__ volatile(FCP_LAYER_ENTRY
                     "ldr    r3, [sp, #8]\n\t"
                     "ldm    r3!, {r4-r7}\n\t"
                     "str    r3, [sp, #8]\n\t"
                     "add    r3, sp, #16\n\t"
                     "stm    r3, {r4-r7}\n\t"
                     "ldr    r3, [sp]\n\t"
                     "ldr    r0, [r3]\n\t"
                     "ldr    r2, [r3, #16]\n\t"
                     FCP_CHUNKS("add    r3, sp, #16\n\t",
                                "beq    5f\n\t"
                                "stm    r3, {r4-r7}\n\t"
                                "b      1b\n\t"
                                "5:\n\t")
                     FCP_LAYER_EXIT);
}

/* int16 layout: the sums start at k in r4-r7 and stay there. */
__attribute__((naked, noinline)) static void fcp_layer16(const fcp_run *r __attribute__((unused)))
{
    __asm__ volatile(FCP_LAYER_ENTRY
                     "ldr    r3, [sp, #8]\n\t"
                     "ldm    r3!, {r4-r7}\n\t"
                     "str    r3, [sp, #8]\n\t"
                     "ldr    r3, [sp]\n\t"
                     "ldr    r0, [r3]\n\t"
                     "ldr    r2, [r3, #16]\n\t"
                     FCP16_STEPS
                     FCP_LAYER_EXIT);
}

#else
#define FCP_HAVE_LAYER 0
static void fcp_group(const uint32_t *xb, const int32_t *w, int32_t steps, int32_t acc[4])
{
    const uint32_t *xp = xb;
    const int32_t *wp = w;
    int32_t left = steps;
    do {
        const int32_t n = left < 32 ? left : 32;
        left -= n;
        const uint32_t *const xend = xp + 2 * n;
        int32_t s[4] = {0, 0, 0, 0};
        do {
            const int32_t xo = (int32_t)xp[0], xe = (int32_t)xp[1];
            for (int r = 0; r < 4; ++r)
                s[r] = __smlad(__sxtb16(wp[r]), xe, __smlad(wp[r], xo, s[r]));
            xp += 2;
            wp += 4;
        } while (xp != xend);
        for (int r = 0; r < 4; ++r)
            acc[r] += s[r] >> 8;
    } while (left > 0);
}

static void fcp_group16(const uint32_t *xb, const int32_t *w, int32_t steps, int32_t acc[4])
{
    for (int32_t s = 0; s < steps; ++s, w += 8)
        for (int r = 0; r < 4; ++r)
            acc[r] = __smlad(w[4 + r], (int32_t)xb[2 * s + 1],
                             __smlad(w[r], (int32_t)xb[2 * s], acc[r]));
}
#endif

/* nk_arm_requant_x2's c0 for shift -e: (2 zp + 1) 2^(e - 1) */
static inline int32_t fcp_c0(int32_t zp, int32_t e)
{
    return (int32_t)((uint32_t)(2 * zp + 1) << ((e - 1) & 31));
}

/* The int8 output of sum acc (|acc| < 2^30, packer's x2 flag): the
 * full int8 range is one SSAT. */
static inline int8_t fcp_q(int32_t acc, int32_t mult, int32_t c0, int32_t e, int32_t lo,
                           int32_t hi)
{
    int32_t v = __ssat(nk_arm_requant_x2(acc * 2, mult, c0, e), 8);
    if (v < lo)
        v = lo;
    if (v > hi)
        v = hi;
    return (int8_t)v;
}

/* Any layer in layout `wide` (a constant: one copy per layout): rows left
 * over from groups of four, per-channel or general requantization. */
static inline __attribute__((always_inline)) void
fcp_general(const nk_fc_params *p, const nk_fc_pack *k, const int8_t *input, int8_t *output,
            const int32_t wide)
{
    const int32_t depth = p->in_depth, out_depth = p->out_depth, steps = k->depth_pad / 4;
    const int32_t zp = p->out_zp, lo = p->act_min, hi = p->act_max;
    const int32_t *const mult = p->out_mult, *const shift = p->out_shift;
    const int32_t q_step = p->per_channel ? 1 : 0;
    uint32_t *const xb = k->xbuf;
    const int32_t m0 = mult[0], e0 = -shift[0], c00 = fcp_c0(zp, e0);
    /* words per row and step: 1 (int8 layout), 2 (int16) */
    const int32_t wps = 1 + wide;
    for (int32_t b = 0; b < p->batches; ++b) {
        if (wide)
            fcp_prep16_dsp(input + (size_t)b * depth, depth, k->depth_pad, xb);
        else
            fcp_prep_dsp(input + (size_t)b * depth, depth, k->depth_pad, xb);
        int8_t *out = output + (size_t)b * out_depth;
        const int32_t *w = k->w;
        int32_t o = 0;
#if FCP_HAVE_LAYER
        if (k->x2 && !p->per_channel && out_depth >= 4) {
            /* per tensor: the whole group loop in fcp_layer(16) */
            const fcp_run run = {xb, w, k->k, out, steps, out_depth / 4, m0, c00, e0, lo, hi,
                                 lo == -128 && hi == 127};
            if (wide)
                fcp_layer16(&run);
            else
                fcp_layer(&run);
            o = out_depth / 4 * 4;
            w += (size_t)o * steps * wps;
        }
#endif
        for (; o < out_depth; o += 4, w += 4 * steps * wps) {
            int32_t acc[4];
            memcpy(acc, k->k + o, sizeof acc);
            if (wide)
                fcp_group16(xb, w, steps, acc);
            else
                fcp_group(xb, w, steps, acc);
            const int32_t n = out_depth - o < 4 ? out_depth - o : 4;
            if (k->x2) {
                for (int32_t r = 0; r < n; ++r) {
                    const int32_t qi = (o + r) * q_step, e = -shift[qi];
                    out[o + r] = fcp_q(acc[r], mult[qi], fcp_c0(zp, e), e, lo, hi);
                }
            } else {
                for (int32_t r = 0; r < n; ++r) {
                    const int32_t qi = (o + r) * q_step;
                    const int32_t v = nk_arm_requant(acc[r], mult[qi], shift[qi]) + zp;
                    out[o + r] = (int8_t)nk_clamp(v, lo, hi);
                }
            }
        }
    }
}

/* Out of line, so that the common case below stays short. */
__attribute__((noinline)) static void fcp_general8(const nk_fc_params *p, const nk_fc_pack *k,
                                                   const int8_t *input, int8_t *output)
{
    fcp_general(p, k, input, output, 0);
}

__attribute__((noinline)) static void fcp_general16(const nk_fc_params *p, const nk_fc_pack *k,
                                                    const int8_t *input, int8_t *output)
{
    fcp_general(p, k, input, output, 1);
}

/* The common case: per tensor, whole groups (the models' layers), prepare
 * then the group loop in fcp_layer(16), with little work per call; 0 =
 * not that case. */
static inline __attribute__((always_inline)) int
fcp_fast(const nk_fc_params *p, const nk_fc_pack *k, const int8_t *input, int8_t *output,
         const int32_t wide)
{
#if FCP_HAVE_LAYER
    const int32_t out_depth = p->out_depth;
    if (!k->x2 || p->per_channel || (out_depth & 3))
        return 0;
    const int32_t depth = p->in_depth, zp = p->out_zp, lo = p->act_min, hi = p->act_max;
    const int32_t e0 = -p->out_shift[0];
    fcp_run run = {k->xbuf, k->w, k->k, output, k->depth_pad / 4, out_depth / 4,
                   p->out_mult[0], fcp_c0(zp, e0), e0, lo, hi, lo == -128 && hi == 127};
    for (int32_t b = 0; b < p->batches; ++b, input += depth, run.out += out_depth) {
        if (wide) {
            fcp_prep16_dsp(input, depth, k->depth_pad, k->xbuf);
            fcp_layer16(&run);
        } else {
            fcp_prep_dsp(input, depth, k->depth_pad, k->xbuf);
            fcp_layer(&run);
        }
    }
    return 1;
#else
    (void)p, (void)k, (void)input, (void)output, (void)wide;
    return 0;
#endif
}

int nk_fully_connected_s8_packed_dsp(const nk_fc_params *p, const nk_fc_pack *k,
                                     const int8_t *input, int8_t *output)
{
    if (!fcp_fast(p, k, input, output, 0))
        fcp_general8(p, k, input, output);
    return NK_OK;
}

int nk_fully_connected_s8_packed16_dsp(const nk_fc_params *p, const nk_fc_pack *k,
                                       const int8_t *input, int8_t *output)
{
    if (!fcp_fast(p, k, input, output, 1))
        fcp_general16(p, k, input, output);
    return NK_OK;
}

#else
typedef int nk_arm_fc_packed_unused; /* ISO C: no empty translation unit */
#endif

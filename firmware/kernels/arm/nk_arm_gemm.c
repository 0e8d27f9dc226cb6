/* firmware/kernels/arm/nk_arm_gemm.c — int8 matrix product for
 * FULLY_CONNECTED and 1x1 CONV_2D with the DSP extension (see
 * nk_arm_gemm.h).  Four paths, chosen per call by nk_arm_gemm_s8:
 *
 *  - gemm_2x2 (two rows or more, depth <= 128): a chunk of weight columns
 *    is widened once to int16 in SXTB16 lane order ((0,2) and (1,3) per
 *    group of four depth steps, zero padded to a multiple of 8) into a
 *    2 kB stack buffer; then for every pair of rows, the rows are widened
 *    with the input zero point subtracted (nk_arm_widen2: LDR, SXTAB16,
 *    STM) and multiplied by the whole chunk in hand-scheduled Thumb-2
 *    (nk_arm_mm2x2qu: two rows x two columns, per group of four depth steps
 *    one LDM of the column pair, two LDRD of the row pair and 8 SMLAD =
 *    11 instructions for 16 MACs), requantized in the same asm.
 *  - gemm_rows (one row, e.g. FULLY_CONNECTED with one batch, depth <=
 *    1024): each weight is used once, so only the row is widened; weights
 *    are sign-extended in registers (nk_arm_mv1x2q/qd: per 8 depth steps
 *    and two columns 1 LDM + 2 LDRD (or 4 LDR when not word aligned) +
 *    8 SXTB16 + 8 SMLAD), requantized in the same asm.
 *  - gemm_small (depth < 8, or one column of depth <= 32): plain loops,
 *    per-call costs dominate.
 *  - otherwise NK_ERR_PARAMS (the caller keeps its own loop).
 * Fused requantization (nk_arm_mm2x2qu, nk_arm_mv1x2q, gemm_small): when
 * 2 acc fits int32 (|acc| < 2^30) and the shift is a right shift e >= 1,
 * SRDHM(acc, m) = SMMULR(2 acc, m) exactly (SMMULR computes
 * floor((2 acc m + 2^31) / 2^32) = floor((acc m + 2^30) / 2^31), which
 * nk_arm_requant.h shows equal to SRDHM), and RoundingDivideByPOT(r, e) =
 * (r + 2^(e-1) - (r < 0)) >> e (r = q 2^e + rem: the sum adds one to q
 * exactly when rem > 2^(e-1) - 1 + (r < 0), TFLite's threshold); adding
 * out_zp << e first (K = (2 out_zp + 1) << (e - 1)) adds out_zp exactly;
 * |r| <= 2^30 and e <= 20 keep the sums inside int32; SSAT #8 is the clamp
 * when the activation range is [-128, 127].  The asm paths are taken only
 * when every column qualifies (gemm_fused_ok, checked once per call);
 * every other case uses nk_arm_requant per output (gemm_rq).
 * Stack: gemm_2x2 about 3.0 kB, gemm_rows 0.5 kB + 2 bytes per depth step
 * (never both). */
#include "nk_arm_gemm.h"

#if defined(__ARM_FEATURE_DSP) && __ARM_FEATURE_DSP

#include "../nk.h"
#include "../nk_fixedpoint.h"
#include "nk_arm_dot.h"
#include "nk_arm_requant.h"

/* Stack buffers (bytes). */
#define GEMM_XBUF 2048 /* gemm_rows: one widened row, depth <= 1024 */
#define GEMM_WBUF 2048 /* gemm_2x2: widened chunk of weight columns */
#define GEMM_XBUF2 512 /* gemm_2x2: one widened row pair, depth <= 128 */

void nk_arm_mm2x2(const int32_t *x, const int32_t *w, int32_t n8, int32_t *acc);
void nk_arm_mv1x2(const int32_t *x, const int8_t *w0, int32_t n8, int32_t *acc,
                  const int8_t *w1);

/* x: row pair, per group of 4 depth steps {r0 (0,2), r0 (1,3), r1 (0,2),
 * r1 (1,3)}; w: column pair, same layout; acc[4] = {r0c0, r0c1, r1c0,
 * r1c1} in/out; n8 >= 1 iterations of 8 depth steps. */
__asm__(
    "  .pushsection .text.nk_arm_mm2x2,\"ax\",%progbits\n"
    "  .syntax unified\n"
    "  .thumb\n"
    "  .align 2\n"
    "  .global nk_arm_mm2x2\n"
    "  .thumb_func\n"
    "  .type nk_arm_mm2x2, %function\n"
    "nk_arm_mm2x2:\n"
    "  push {r4-r11, lr}\n"
    "  ldm r3, {r4-r7}\n"
    "1:\n"
    "  ldm r1!, {r8-r11}\n"
    "  ldrd r12, lr, [r0], #8\n"
    "  smlad r4, r12, r8, r4\n"
    "  smlad r4, lr, r9, r4\n"
    "  smlad r5, r12, r10, r5\n"
    "  smlad r5, lr, r11, r5\n"
    "  ldrd r12, lr, [r0], #8\n"
    "  smlad r6, r12, r8, r6\n"
    "  smlad r6, lr, r9, r6\n"
    "  smlad r7, r12, r10, r7\n"
    "  smlad r7, lr, r11, r7\n"
    "  ldm r1!, {r8-r11}\n"
    "  ldrd r12, lr, [r0], #8\n"
    "  smlad r4, r12, r8, r4\n"
    "  smlad r4, lr, r9, r4\n"
    "  smlad r5, r12, r10, r5\n"
    "  smlad r5, lr, r11, r5\n"
    "  ldrd r12, lr, [r0], #8\n"
    "  smlad r6, r12, r8, r6\n"
    "  smlad r6, lr, r9, r6\n"
    "  smlad r7, r12, r10, r7\n"
    "  smlad r7, lr, r11, r7\n"
    "  subs r2, r2, #1\n"
    "  bne 1b\n"
    "  stm r3, {r4-r7}\n"
    "  pop {r4-r11, pc}\n"
    "  .size nk_arm_mm2x2, .-nk_arm_mm2x2\n"
    "  .popsection\n");

/* x: one row, per group {(0,2), (1,3)}; w0, w1: raw int8 columns (any
 * alignment); acc[2] in/out; n8 >= 1 iterations of 8 depth steps. */
__asm__(
    "  .pushsection .text.nk_arm_mv1x2,\"ax\",%progbits\n"
    "  .syntax unified\n"
    "  .thumb\n"
    "  .align 2\n"
    "  .global nk_arm_mv1x2\n"
    "  .thumb_func\n"
    "  .type nk_arm_mv1x2, %function\n"
    "nk_arm_mv1x2:\n"
    "  push {r4-r11, lr}\n"
    "  ldr r12, [sp, #36]\n"
    "  ldrd r8, r9, [r3]\n"
    "1:\n"
    "  ldm r0!, {r4-r7}\n"
    "  ldr r10, [r1], #4\n"
    "  sxtb16 r11, r10\n"
    "  sxtb16 r10, r10, ror #8\n"
    "  smlad r8, r4, r11, r8\n"
    "  smlad r8, r5, r10, r8\n"
    "  ldr r10, [r12], #4\n"
    "  sxtb16 r11, r10\n"
    "  sxtb16 r10, r10, ror #8\n"
    "  smlad r9, r4, r11, r9\n"
    "  smlad r9, r5, r10, r9\n"
    "  ldr r10, [r1], #4\n"
    "  sxtb16 r11, r10\n"
    "  sxtb16 r10, r10, ror #8\n"
    "  smlad r8, r6, r11, r8\n"
    "  smlad r8, r7, r10, r8\n"
    "  ldr r10, [r12], #4\n"
    "  sxtb16 r11, r10\n"
    "  sxtb16 r10, r10, ror #8\n"
    "  smlad r9, r6, r11, r9\n"
    "  smlad r9, r7, r10, r9\n"
    "  subs r2, r2, #1\n"
    "  bne 1b\n"
    "  strd r8, r9, [r3]\n"
    "  pop {r4-r11, pc}\n"
    "  .size nk_arm_mv1x2, .-nk_arm_mv1x2\n"
    "  .popsection\n");

/* nk_arm_mm2x2qu: nk_arm_mm2x2 for one row pair against ncp column pairs
 * (contiguous in w), with requantization: r0 x, r1 w, r2 skip (below), r3
 * tbl (per column pair
 * {2 b0, 2 b1, m0, K0, e0, m1, K1, e1}); stack: out (row 0, first
 * column), ncp >= 1, out row stride.  w holds 2 w (widened doubled), so the
 * accumulators are 2 acc and SMMULR(2 acc, m) = SRDHM(acc, m); then
 * (r + K - (r < 0)) >> e with K = 2^(e-1) + (out_zp << e), SSAT to int8. */
#define GEMM_MM_GROUP                                                                     \
    "  ldm r1!, {r8-r11}\n"                                                               \
    "  ldrd r12, lr, [r0], #8\n"                                                          \
    "  smlad r4, r12, r8, r4\n"                                                           \
    "  smlad r4, lr, r9, r4\n"                                                            \
    "  smlad r5, r12, r10, r5\n"                                                          \
    "  smlad r5, lr, r11, r5\n"                                                           \
    "  ldrd r12, lr, [r0], #8\n"                                                          \
    "  smlad r6, r12, r8, r6\n"                                                           \
    "  smlad r6, lr, r9, r6\n"                                                            \
    "  smlad r7, r12, r10, r7\n"                                                          \
    "  smlad r7, lr, r11, r7\n"

/* The depth loop is unrolled: 32 groups of four depth steps (44 bytes of
 * code each), entered by a computed jump that skips 32 - G of them
 * (skip = (32 - G) * 44; ADD PC reads its own address + 4, past the NOP);
 * with no loop counter the output pointer stays in r2. */
__asm__(
    "  .pushsection .text.nk_arm_mm2x2qu,\"ax\",%progbits\n"
    "  .syntax unified\n"
    "  .thumb\n"
    "  .align 2\n"
    "  .global nk_arm_mm2x2qu\n"
    "  .thumb_func\n"
    "  .type nk_arm_mm2x2qu, %function\n"
    "nk_arm_mm2x2qu:\n"
    "  push {r4-r11, lr}\n"
    "  sub sp, sp, #8\n"
    "  strd r0, r2, [sp]\n"
    "  ldr r2, [sp, #44]\n"
    "2:\n"
    "  ldrd r4, r5, [r3], #8\n"
    "  mov r6, r4\n"
    "  mov r7, r5\n"
    "  ldrd r0, r12, [sp]\n"
    "  add pc, r12\n"
    "  nop\n"
    GEMM_MM_GROUP
    GEMM_MM_GROUP
    GEMM_MM_GROUP
    GEMM_MM_GROUP
    GEMM_MM_GROUP
    GEMM_MM_GROUP
    GEMM_MM_GROUP
    GEMM_MM_GROUP
    GEMM_MM_GROUP
    GEMM_MM_GROUP
    GEMM_MM_GROUP
    GEMM_MM_GROUP
    GEMM_MM_GROUP
    GEMM_MM_GROUP
    GEMM_MM_GROUP
    GEMM_MM_GROUP
    GEMM_MM_GROUP
    GEMM_MM_GROUP
    GEMM_MM_GROUP
    GEMM_MM_GROUP
    GEMM_MM_GROUP
    GEMM_MM_GROUP
    GEMM_MM_GROUP
    GEMM_MM_GROUP
    GEMM_MM_GROUP
    GEMM_MM_GROUP
    GEMM_MM_GROUP
    GEMM_MM_GROUP
    GEMM_MM_GROUP
    GEMM_MM_GROUP
    GEMM_MM_GROUP
    GEMM_MM_GROUP
    "  ldm r3!, {r8-r10}\n"
    "  ldr lr, [sp, #52]\n"
    "  smmulr r4, r4, r8\n"
    "  add r11, r4, r9\n"
    "  sub r11, r11, r4, lsr #31\n"
    "  asr r11, r11, r10\n"
    "  ssat r11, #8, r11\n"
    "  strb r11, [r2]\n"
    "  smmulr r6, r6, r8\n"
    "  add r11, r6, r9\n"
    "  sub r11, r11, r6, lsr #31\n"
    "  asr r11, r11, r10\n"
    "  ssat r11, #8, r11\n"
    "  strb r11, [r2, lr]\n"
    "  ldm r3!, {r8-r10}\n"
    "  smmulr r5, r5, r8\n"
    "  add r11, r5, r9\n"
    "  sub r11, r11, r5, lsr #31\n"
    "  asr r11, r11, r10\n"
    "  ssat r11, #8, r11\n"
    "  strb r11, [r2, #1]\n"
    "  smmulr r7, r7, r8\n"
    "  add r11, r7, r9\n"
    "  sub r11, r11, r7, lsr #31\n"
    "  asr r11, r11, r10\n"
    "  ssat r11, #8, r11\n"
    "  add r2, r2, #1\n"
    "  strb r11, [r2, lr]\n"
    "  add r2, r2, #1\n"
    "  ldr r12, [sp, #48]\n"
    "  subs r12, r12, #1\n"
    "  str r12, [sp, #48]\n"
    "  bne 2b\n"
    "  add sp, sp, #8\n"
    "  pop {r4-r11, pc}\n"
    "  .size nk_arm_mm2x2qu, .-nk_arm_mm2x2qu\n"
    "  .popsection\n");

/* One row (x: 2 words per group of 4, x - zp) times ncp column pairs of
 * raw int8 weights (columns depth apart, depth % 8 == 0, w0 = first
 * column), requantized like nk_arm_mm2x2qu (SMMULR(2 acc, m)).  The state
 * block is updated in place.  The depth loop is unrolled four times (32
 * steps) and entered Duff-style by a computed jump past the blocks of 8
 * steps that depth % 32 does not need (84 bytes of code per block, 76 with
 * LDRD). */
typedef struct gemm_mv {
    const int32_t *x;     /* 0 */
    int32_t n8;           /* 4: iterations of 32 depth steps, ceil(depth / 32) */
    const int32_t *bias;  /* 8: two entries per pair, advanced by bstep */
    int32_t bstep;        /* 12: 8, or 0 (zeros) */
    const int32_t *q;     /* 16: {m, K, e} per column, advanced by qstep */
    int32_t qstep;        /* 20: 12, or 0 (per tensor) */
    int8_t *out;          /* 24 */
    int32_t ncp;          /* 28: >= 1 */
    int32_t depth;        /* 32 */
    int32_t skip;         /* 36: code bytes skipped on entry (below) */
} gemm_mv;

/* One step of the unrolled one-row loops (nk_arm_mv1x2q: word loads;
 * nk_arm_mv1x2qd: LDRD when the weights are word-aligned). */
#define GEMM_MV_STEP \
    "  ldmia.w r0!, {r4-r7}\n"     \
    "  ldr r10, [r1], #4\n"        \
    "  sxtb16 r11, r10\n"          \
    "  sxtb16 r10, r10, ror #8\n"  \
    "  smlad r8, r4, r11, r8\n"    \
    "  smlad r8, r5, r10, r8\n"    \
    "  ldr r10, [r12], #4\n"       \
    "  sxtb16 r11, r10\n"          \
    "  sxtb16 r10, r10, ror #8\n"  \
    "  smlad r9, r4, r11, r9\n"    \
    "  smlad r9, r5, r10, r9\n"    \
    "  ldr r10, [r1], #4\n"        \
    "  sxtb16 r11, r10\n"          \
    "  sxtb16 r10, r10, ror #8\n"  \
    "  smlad r8, r6, r11, r8\n"    \
    "  smlad r8, r7, r10, r8\n"    \
    "  ldr r10, [r12], #4\n"       \
    "  sxtb16 r11, r10\n"          \
    "  sxtb16 r10, r10, ror #8\n"  \
    "  smlad r9, r6, r11, r9\n"    \
    "  smlad r9, r7, r10, r9\n"

#define GEMM_MVD_STEP \
    "  ldmia.w r0!, {r4-r7}\n"      \
    "  ldrd r10, r11, [r1], #8\n"   \
    "  sxtb16 r3, r10\n"            \
    "  sxtb16 r10, r10, ror #8\n"   \
    "  smlad r8, r4, r3, r8\n"      \
    "  smlad r8, r5, r10, r8\n"     \
    "  sxtb16 r3, r11\n"            \
    "  sxtb16 r11, r11, ror #8\n"   \
    "  smlad r8, r6, r3, r8\n"      \
    "  smlad r8, r7, r11, r8\n"     \
    "  ldrd r10, r11, [r12], #8\n"  \
    "  sxtb16 r3, r10\n"            \
    "  sxtb16 r10, r10, ror #8\n"   \
    "  smlad r9, r4, r3, r9\n"      \
    "  smlad r9, r5, r10, r9\n"     \
    "  sxtb16 r3, r11\n"            \
    "  sxtb16 r11, r11, ror #8\n"   \
    "  smlad r9, r6, r3, r9\n"      \
    "  smlad r9, r7, r11, r9\n"

void nk_arm_mv1x2q(gemm_mv *s, const int8_t *w0);
void nk_arm_mv1x2qd(gemm_mv *s, const int8_t *w0);

__asm__(
    "  .pushsection .text.nk_arm_mv1x2q,\"ax\",%progbits\n"
    "  .syntax unified\n"
    "  .thumb\n"
    "  .align 2\n"
    "  .global nk_arm_mv1x2q\n"
    "  .thumb_func\n"
    "  .type nk_arm_mv1x2q, %function\n"
    "nk_arm_mv1x2q:\n"
    "  push {r4-r11, lr}\n"
    "  sub sp, sp, #4\n"
    "  str r0, [sp]\n"
    "  ldr lr, [r0, #32]\n"
    "  add r12, r1, lr\n"
    "2:\n"
    "  ldr r3, [sp]\n"
    "  ldr r0, [r3, #8]\n"
    "  ldrd r8, r9, [r0]\n"
    "  ldr r2, [r3, #12]\n"
    "  add r0, r0, r2\n"
    "  str r0, [r3, #8]\n"
    "  ldrd r0, r2, [r3]\n"
    "  ldr r10, [r3, #36]\n"
    "  add pc, r10\n"
    "  nop\n"
    "1:\n"
    GEMM_MV_STEP
    GEMM_MV_STEP
    GEMM_MV_STEP
    GEMM_MV_STEP
    "  subs r2, r2, #1\n"
    "  bne 1b\n"
    "  ldr r3, [sp]\n"
    "  ldr r0, [r3, #16]\n"
    "  ldm r0, {r4-r6}\n"
    "  ldr r2, [r3, #20]\n"
    "  add r0, r0, r2\n"
    "  lsl r8, r8, #1\n"
    "  smmulr r8, r8, r4\n"
    "  add r7, r8, r5\n"
    "  sub r7, r7, r8, lsr #31\n"
    "  asr r7, r7, r6\n"
    "  ssat r8, #8, r7\n"
    "  ldm r0, {r4-r6}\n"
    "  add r0, r0, r2\n"
    "  str r0, [r3, #16]\n"
    "  lsl r9, r9, #1\n"
    "  smmulr r9, r9, r4\n"
    "  add r7, r9, r5\n"
    "  sub r7, r7, r9, lsr #31\n"
    "  asr r7, r7, r6\n"
    "  ssat r9, #8, r7\n"
    "  ldr r0, [r3, #24]\n"
    "  strb r8, [r0], #1\n"
    "  strb r9, [r0], #1\n"
    "  str r0, [r3, #24]\n"
    "  mov r1, r12\n"
    "  add r12, r12, lr\n"
    "  ldr r2, [r3, #28]\n"
    "  subs r2, r2, #1\n"
    "  str r2, [r3, #28]\n"
    "  bne 2b\n"
    "  add sp, sp, #4\n"
    "  pop {r4-r11, pc}\n"
    "  .size nk_arm_mv1x2q, .-nk_arm_mv1x2q\n"
    "  .popsection\n");

/* The same with LDRD weight loads: w0 word aligned. */
__asm__(
    "  .pushsection .text.nk_arm_mv1x2qd,\"ax\",%progbits\n"
    "  .syntax unified\n"
    "  .thumb\n"
    "  .align 2\n"
    "  .global nk_arm_mv1x2qd\n"
    "  .thumb_func\n"
    "  .type nk_arm_mv1x2qd, %function\n"
    "nk_arm_mv1x2qd:\n"
    "  push {r4-r11, lr}\n"
    "  sub sp, sp, #4\n"
    "  str r0, [sp]\n"
    "  ldr lr, [r0, #32]\n"
    "  add r12, r1, lr\n"
    "2:\n"
    "  ldr r3, [sp]\n"
    "  ldr r0, [r3, #8]\n"
    "  ldrd r8, r9, [r0]\n"
    "  ldr r2, [r3, #12]\n"
    "  add r0, r0, r2\n"
    "  str r0, [r3, #8]\n"
    "  ldrd r0, r2, [r3]\n"
    "  ldr r10, [r3, #36]\n"
    "  add pc, r10\n"
    "  nop\n"
    "1:\n"
    GEMM_MVD_STEP
    GEMM_MVD_STEP
    GEMM_MVD_STEP
    GEMM_MVD_STEP
    "  subs r2, r2, #1\n"
    "  bne 1b\n"
    "  ldr r3, [sp]\n"
    "  ldr r0, [r3, #16]\n"
    "  ldm r0, {r4-r6}\n"
    "  ldr r2, [r3, #20]\n"
    "  add r0, r0, r2\n"
    "  lsl r8, r8, #1\n"
    "  smmulr r8, r8, r4\n"
    "  add r7, r8, r5\n"
    "  sub r7, r7, r8, lsr #31\n"
    "  asr r7, r7, r6\n"
    "  ssat r8, #8, r7\n"
    "  ldm r0, {r4-r6}\n"
    "  add r0, r0, r2\n"
    "  str r0, [r3, #16]\n"
    "  lsl r9, r9, #1\n"
    "  smmulr r9, r9, r4\n"
    "  add r7, r9, r5\n"
    "  sub r7, r7, r9, lsr #31\n"
    "  asr r7, r7, r6\n"
    "  ssat r9, #8, r7\n"
    "  ldr r0, [r3, #24]\n"
    "  strb r8, [r0], #1\n"
    "  strb r9, [r0], #1\n"
    "  str r0, [r3, #24]\n"
    "  mov r1, r12\n"
    "  add r12, r12, lr\n"
    "  ldr r2, [r3, #28]\n"
    "  subs r2, r2, #1\n"
    "  str r2, [r3, #28]\n"
    "  bne 2b\n"
    "  add sp, sp, #4\n"
    "  pop {r4-r11, pc}\n"
    "  .size nk_arm_mv1x2qd, .-nk_arm_mv1x2qd\n"
    "  .popsection\n");

/* Widens rows x0, x1 (n >= 1 groups of four, any alignment) minus the
 * zero point (off2 = -zp in both halfwords) into the interleaved pair
 * layout of nk_arm_mm2x2: one STM of four words per group (declared in
 * nk_arm_gemm.h). */
__asm__(
    "  .pushsection .text.nk_arm_widen2,\"ax\",%progbits\n"
    "  .syntax unified\n"
    "  .thumb\n"
    "  .align 2\n"
    "  .global nk_arm_widen2\n"
    "  .thumb_func\n"
    "  .type nk_arm_widen2, %function\n"
    "nk_arm_widen2:\n"
    "  push {r4-r7, lr}\n"
    "  ldr r12, [sp, #20]\n"
    "1:\n"
    "  ldr r4, [r0], #4\n"
    "  ldr r6, [r1], #4\n"
    "  sxtab16 r5, r12, r4, ror #8\n"
    "  sxtab16 r4, r12, r4\n"
    "  sxtab16 r7, r12, r6, ror #8\n"
    "  sxtab16 r6, r12, r6\n"
    "  stm r3!, {r4-r7}\n"
    "  subs r2, r2, #1\n"
    "  bne 1b\n"
    "  pop {r4-r7, pc}\n"
    "  .size nk_arm_widen2, .-nk_arm_widen2\n"
    "  .popsection\n");

/* Per-column requantization constants. */
typedef struct gemm_col {
    int32_t bias, mult, shift, e; /* e = -shift when in [1, 31], else 0 (general path) */
} gemm_col;

static inline gemm_col gemm_col_of(const nk_arm_gemm *g, int32_t c)
{
    const int32_t k = g->per_channel ? c : 0;
    gemm_col q;
    q.bias = g->bias ? g->bias[c] : 0;
    q.mult = g->mult[k];
    q.shift = g->shift[k];
    q.e = (q.shift <= -1 && q.shift >= -31) ? -q.shift : 0;
    return q;
}

static inline int32_t gemm_smmulr(int32_t a, int32_t b)
{
    int32_t r;
    __asm__("smmulr %0, %1, %2" : "=r"(r) : "r"(a), "r"(b));
    return r;
}

/* acc already includes the bias. */
static inline int8_t gemm_rq(int32_t acc, const gemm_col *q, int32_t zp, int32_t lo, int32_t hi)
{
    int32_t v;
    if (q->e && (uint32_t)acc + 0x40000000u < 0x80000000u) {
        const int32_t r = gemm_smmulr(acc * 2, q->mult);
        v = (r + (1 << (q->e - 1)) - (int32_t)((uint32_t)r >> 31)) >> q->e;
    } else {
        v = nk_arm_requant(acc, q->mult, q->shift);
    }
    v += zp;
    return (int8_t)nk_clamp(v, lo, hi);
}

static inline uint32_t gemm_sxtab16_ror8(uint32_t a, uint32_t v)
{
    uint32_t r;
    __asm__("sxtab16 %0, %1, %2, ror #8" : "=r"(r) : "r"(a), "r"(v));
    return r;
}

/* Widens x[0..depth) - zp (times 2 when dbl) into two lane-ordered words
 * per group of four, zero padded to G groups; dst advances by step words
 * per group (2 for one row, 4 for an interleaved pair). */
static void gemm_widen(const int8_t *x, int32_t depth, int32_t G, int32_t zp, int32_t *dst,
                       int32_t step, int dbl)
{
    const uint32_t off2 = nk_arm_offset2(zp);
    const int32_t d4 = depth >> 2;
    int32_t g = 0;
    if (dbl) {
        for (; g < d4; ++g, dst += step) {
            const uint32_t v = nk_arm_load32(x + 4 * g);
            const uint32_t lo = __sxtab16(off2, v), hi = gemm_sxtab16_ror8(off2, v);
            dst[0] = (int32_t)__sadd16(lo, lo);
            dst[1] = (int32_t)__sadd16(hi, hi);
        }
    } else {
        for (; g < d4; ++g, dst += step) {
            const uint32_t v = nk_arm_load32(x + 4 * g);
            dst[0] = (int32_t)__sxtab16(off2, v);
            dst[1] = (int32_t)gemm_sxtab16_ror8(off2, v);
        }
    }
    for (; g < G; ++g, dst += step) {
        int32_t e[4];
        for (int32_t k = 0; k < 4; ++k) {
            const int32_t d = 4 * g + k;
            e[k] = d < depth ? ((int32_t)x[d] - zp) << dbl : 0;
        }
        dst[0] = (int32_t)(((uint32_t)e[0] & 0xffffu) | ((uint32_t)e[2] << 16));
        dst[1] = (int32_t)(((uint32_t)e[1] & 0xffffu) | ((uint32_t)e[3] << 16));
    }
}

static inline const int8_t *gemm_row(const nk_arm_gemm *g, int32_t r)
{
    return g->a + (ptrdiff_t)(r / g->row_n) * g->row_outer +
           (ptrdiff_t)(r % g->row_n) * g->row_inner;
}

/* nk_arm_mm2x2qu / nk_arm_mv1x2q apply (see above): full int8 activation
 * range, out_zp int8, every column a right shift of 1..20 and |bias| < 2^29
 * (with depth <= 1024, |acc| < 2^29 + 1024 * 255 * 128 < 2^30, so 2 acc
 * fits int32 and the rounding sums cannot overflow). */
static int gemm_fused_ok(const nk_arm_gemm *g)
{
    if (g->act_min != -128 || g->act_max != 127 || g->out_zp < -128 || g->out_zp > 127)
        return 0;
    const int32_t nq = g->per_channel ? g->cols : 1;
    for (int32_t c = 0; c < nq; ++c)
        if (g->shift[c] > -1 || g->shift[c] < -20)
            return 0;
    if (g->bias) {
        /* -2^29 <= b < 2^29 iff b + 2^29 < 2^30 as unsigned: OR them all */
        const int32_t *b = g->bias;
        uint32_t any = 0;
        int32_t c = 0;
        for (; c + 4 <= g->cols; c += 4)
            any |= ((uint32_t)b[c] + (1u << 29)) | ((uint32_t)b[c + 1] + (1u << 29)) |
                   ((uint32_t)b[c + 2] + (1u << 29)) | ((uint32_t)b[c + 3] + (1u << 29));
        for (; c < g->cols; ++c)
            any |= (uint32_t)b[c] + (1u << 29);
        if (any >> 30)
            return 0;
    }
    return 1;
}

#define GEMM_TBL_PAIRS 8
#define GEMM_MV_CHUNK 32 /* columns per nk_arm_mv1x2q call (per-channel table) */

/* Two rows x two columns per pass: for each chunk of columns (widened once
 * into wbuf), every row pair is widened into xbuf and multiplied by the
 * whole chunk. */
static void gemm_2x2(const nk_arm_gemm *g, int32_t G)
{
    int32_t xbuf[GEMM_XBUF2 / 4], wbuf[GEMM_WBUF / 4], tbl[GEMM_TBL_PAIRS * 8];
    const int32_t pair_words = 4 * G; /* words per row pair / column pair */
    int32_t cb = 2 * (GEMM_WBUF / 4 / pair_words);
    const int32_t rows = g->rows, cols = g->cols, depth = g->depth;
    const int32_t zp = g->out_zp, lo = g->act_min, hi = g->act_max;
    const int fused = gemm_fused_ok(g);
    const int32_t d4 = depth >> 2;
    const uint32_t off2 = nk_arm_offset2(g->in_zp);
    if (cb > 2 * GEMM_TBL_PAIRS)
        cb = 2 * GEMM_TBL_PAIRS;
    for (int32_t c0 = 0; c0 < cols; c0 += cb) {
        const int32_t nc = cols - c0 < cb ? cols - c0 : cb;
        const int32_t npc = (nc + 1) >> 1;
        const int32_t k0 = fused ? nc >> 1 : 0; /* column pairs done by nk_arm_mm2x2qu */
        for (int32_t k = 0; k < npc; ++k) {
            const int32_t c = c0 + 2 * k;
            gemm_widen(g->w + (size_t)c * depth, depth, G, 0, wbuf + k * pair_words, 4, fused);
            gemm_widen(g->w + (size_t)(c + 1 < cols ? c + 1 : c) * depth, depth, G, 0,
                       wbuf + k * pair_words + 2, 4, fused);
        }
        for (int32_t k = 0; k < k0; ++k) {
            int32_t *t = tbl + 8 * k;
            for (int32_t i = 0; i < 2; ++i) {
                const gemm_col q = gemm_col_of(g, c0 + 2 * k + i);
                t[i] = 2 * q.bias;
                t[2 + 3 * i] = q.mult;
                t[3 + 3 * i] = (1 << (q.e - 1)) + (int32_t)((uint32_t)zp << q.e);
                t[4 + 3 * i] = q.e;
            }
        }
        for (int32_t r = 0; r < rows; r += 2) {
            const int two_r = r + 1 < rows;
            const int8_t *x0 = gemm_row(g, r), *x1 = gemm_row(g, two_r ? r + 1 : r);
            if (d4)
                nk_arm_widen2(x0, x1, d4, xbuf, off2);
            if (d4 < G) {
                gemm_widen(x0 + 4 * d4, depth - 4 * d4, G - d4, g->in_zp, xbuf + 4 * d4, 4, 0);
                gemm_widen(x1 + 4 * d4, depth - 4 * d4, G - d4, g->in_zp, xbuf + 4 * d4 + 2, 4,
                           0);
            }
            int8_t *o = g->out + (size_t)r * cols + c0;
            int32_t k = 0;
            if (two_r && k0) {
                nk_arm_mm2x2qu(xbuf, wbuf, (32 - G) * 44, tbl, o, k0, cols);
                k = k0;
            }
            for (; k < npc; ++k) {
                const int32_t c = c0 + 2 * k;
                const int two = c + 1 < cols;
                const gemm_col q0 = gemm_col_of(g, c);
                const gemm_col q1 = two ? gemm_col_of(g, c + 1) : q0;
                int32_t acc[4] = {q0.bias << fused, q1.bias << fused, q0.bias << fused,
                                  q1.bias << fused};
                nk_arm_mm2x2(xbuf, wbuf + k * pair_words, G >> 1, acc);
                int8_t *ok = o + 2 * k;
                ok[0] = gemm_rq(acc[0] >> fused, &q0, zp, lo, hi);
                if (two)
                    ok[1] = gemm_rq(acc[1] >> fused, &q1, zp, lo, hi);
                if (two_r) {
                    ok[cols] = gemm_rq(acc[2] >> fused, &q0, zp, lo, hi);
                    if (two)
                        ok[cols + 1] = gemm_rq(acc[3] >> fused, &q1, zp, lo, hi);
                }
            }
        }
    }
}

/* One row at a time, weights widened in registers. */
static void gemm_rows(const nk_arm_gemm *g)
{
    const int32_t cols = g->cols, depth = g->depth, in_zp = g->in_zp;
    const int32_t n8 = depth >> 3, d8 = n8 << 3;
    int32_t xbuf[(d8 >> 1) + 1]; /* depth <= 1024 (GEMM_XBUF): at most 2 kB */
    const int32_t zp = g->out_zp, lo = g->act_min, hi = g->act_max;
    const int32_t ncp = cols >> 1;
    const int fused = n8 && d8 == depth && ncp && gemm_fused_ok(g);
    int32_t qt[3 * GEMM_MV_CHUNK], zero2[2] = {0, 0};
    for (int32_t r = 0; r < g->rows; ++r) {
        const int8_t *x = gemm_row(g, r);
        int8_t *o = g->out + (size_t)r * cols;
        if (n8)
            gemm_widen(x, d8, d8 >> 2, in_zp, xbuf, 2, 0);
        int32_t c = 0;
        if (fused) {
            gemm_mv st;
            st.x = xbuf;
            st.n8 = (n8 + 3) >> 2;
            st.bias = g->bias ? g->bias : zero2;
            st.bstep = g->bias ? 8 : 0;
            st.q = qt;
            st.qstep = g->per_channel ? 12 : 0;
            st.out = o;
            st.depth = depth;
            const int ldrd = (((uintptr_t)g->w) & 3) == 0;
            st.skip = ((4 - (n8 & 3)) & 3) * (ldrd ? 76 : 84);
            for (; c + 1 < cols;) {
                const int32_t npc = ncp - (c >> 1) < GEMM_MV_CHUNK / 2 ? ncp - (c >> 1)
                                                                       : GEMM_MV_CHUNK / 2;
                const int32_t nq = g->per_channel ? 2 * npc : 1;
                for (int32_t i = 0; i < nq; ++i) {
                    const int32_t k = g->per_channel ? c + i : 0;
                    const int32_t e = -g->shift[k];
                    qt[3 * i] = g->mult[k];
                    qt[3 * i + 1] = (int32_t)((uint32_t)(2 * zp + 1) << (e - 1));
                    qt[3 * i + 2] = e;
                }
                st.q = qt;
                st.ncp = npc;
                if (ldrd)
                    nk_arm_mv1x2qd(&st, g->w + (size_t)c * depth);
                else
                    nk_arm_mv1x2q(&st, g->w + (size_t)c * depth);
                c += 2 * npc;
            }
        }
        for (; c < cols; c += 2) {
            const int two = c + 1 < cols;
            const gemm_col q0 = gemm_col_of(g, c);
            const gemm_col q1 = two ? gemm_col_of(g, c + 1) : q0;
            const int8_t *w0 = g->w + (size_t)c * depth;
            const int8_t *w1 = two ? w0 + depth : w0;
            int32_t acc[2] = {q0.bias, q1.bias};
            if (n8)
                nk_arm_mv1x2(xbuf, w0, n8, acc, w1);
            for (int32_t d = d8; d < depth; ++d) {
                const int32_t xv = (int32_t)x[d] - in_zp;
                acc[0] += (int32_t)w0[d] * xv;
                acc[1] += (int32_t)w1[d] * xv;
            }
            o[c] = gemm_rq(acc[0], &q0, zp, lo, hi);
            if (two)
                o[c + 1] = gemm_rq(acc[1], &q1, zp, lo, hi);
        }
    }
}

static __attribute__((noinline)) int8_t gemm_rq_col(const nk_arm_gemm *g, int32_t c,
                                                    int32_t acc)
{
    const gemm_col q = gemm_col_of(g, c);
    return gemm_rq(acc, &q, g->out_zp, g->act_min, g->act_max);
}

/* Plain loops for tiny products (depth < 8, or one column of depth <= 32):
 * the per-call and per-output costs dominate there.  Per tensor with a
 * right shift of 1..20 and int8 out_zp, the constants of the SMMULR
 * requantization are hoisted (K as in nk_arm_mm2x2qu); other outputs go
 * through gemm_rq_col. */
static void gemm_small(const nk_arm_gemm *g)
{
    const int32_t cols = g->cols, depth = g->depth, in_zp = g->in_zp;
    const int32_t zp = g->out_zp, lo = g->act_min, hi = g->act_max;
    static const int32_t zero = 0;
    const int32_t *b = g->bias ? g->bias : &zero;
    const int32_t bstep = g->bias ? 1 : 0;
    int8_t *o = g->out;
    const int32_t m = g->mult[0], e = -g->shift[0];
    const int hoist = !g->per_channel && e >= 1 && e <= 20 && zp >= -128 && zp <= 127;
    const int32_t K = hoist ? (int32_t)((uint32_t)(2 * zp + 1) << (e - 1)) : 0;
    if (hoist && lo == -128 && hi == 127 && depth == 1) {
        /* one input value per row (e.g. hello_world's first layer) */
        for (int32_t r = 0; r < g->rows; ++r) {
            const int32_t xz = (int32_t)*gemm_row(g, r) - in_zp;
            const int8_t *w = g->w;
            const int32_t *bc = b;
            for (int32_t c = 0; c < cols; ++c, bc += bstep) {
                const int32_t acc = *bc + (int32_t)w[c] * xz;
                if ((uint32_t)acc + 0x40000000u < 0x80000000u) {
                    const int32_t rr = gemm_smmulr(acc * 2, m);
                    *o++ = (int8_t)__ssat((rr + K - (int32_t)((uint32_t)rr >> 31)) >> e, 8);
                } else {
                    *o++ = gemm_rq_col(g, c, acc);
                }
            }
        }
        return;
    }
    for (int32_t r = 0; r < g->rows; ++r) {
        const int8_t *x = gemm_row(g, r), *w = g->w;
        const int32_t *bc = b;
        for (int32_t c = 0; c < cols; ++c, w += depth, bc += bstep) {
            int32_t acc = *bc;
            for (int32_t d = 0; d < depth; ++d)
                acc += (int32_t)w[d] * ((int32_t)x[d] - in_zp);
            if (hoist && (uint32_t)acc + 0x40000000u < 0x80000000u) {
                const int32_t rr = gemm_smmulr(acc * 2, m);
                *o++ = (int8_t)nk_clamp((rr + K - (int32_t)((uint32_t)rr >> 31)) >> e, lo, hi);
            } else {
                *o++ = gemm_rq_col(g, c, acc);
            }
        }
    }
}

int nk_arm_gemm_s8(const nk_arm_gemm *g)
{
    if (g->depth < 8 || (g->cols == 1 && g->depth <= 32)) {
        gemm_small(g);
        return NK_OK;
    }
    const int32_t G = ((g->depth + 7) >> 3) << 1; /* groups of 4, padded to 8 steps */
    if (g->rows >= 2 && 16 * G <= GEMM_XBUF2)
        gemm_2x2(g, G);
    else if (2 * G * 4 <= GEMM_XBUF)
        gemm_rows(g);
    else
        return NK_ERR_PARAMS;
    return NK_OK;
}

#else
typedef int nk_arm_gemm_unused; /* ISO C: no empty translation unit */
#endif

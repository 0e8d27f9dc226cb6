/* firmware/kernels/arm/nk_arm_conv2d_mac.c — the hand-scheduled Thumb-2
 * multiply-accumulate kernels declared in nk_arm_conv2d_mac.h (naked
 * functions: the register use is spelled out below). */
#include "nk_arm.h"

#if defined(__ARM_FEATURE_DSP) && __ARM_FEATURE_DSP && defined(__thumb2__) && defined(__GNUC__)

#include "nk_arm_conv2d_mac.h"

#define CONV_K4_GROUP                                                                          \
    "ldr r12, [r1], #4\n\t"                                                                    \
    "ldm r0!, {r4-r7}\n\t"                                                                     \
    "sxtb16 lr, r12, ror #8\n\t"                                                               \
    "sxtb16 r12, r12\n\t"                                                                      \
    "smlad r8, r4, r12, r8\n\t"                                                                \
    "smlad r8, r5, lr, r8\n\t"                                                                 \
    "smlad r9, r6, r12, r9\n\t"                                                                \
    "smlad r9, r7, lr, r9\n\t"                                                                 \
    "ldm r0!, {r4-r7}\n\t"                                                                     \
    "smlad r10, r4, r12, r10\n\t"                                                              \
    "smlad r10, r5, lr, r10\n\t"                                                               \
    "smlad r11, r6, r12, r11\n\t"                                                              \
    "smlad r11, r7, lr, r11\n\t"

/* ng groups of G: one, two, then four per loop trip (labels 1, 2, 3, 6) */
#define CONV_LOOP4(G)                                                                          \
    "lsrs r2, r2, #1\n\t"                                                                      \
    "bcc 1f\n\t" G "1:\n\t"                                                                    \
    "lsrs r2, r2, #1\n\t"                                                                      \
    "bcc 6f\n\t" G G "6:\n\t"                                                                  \
    "cmp r2, #0\n\t"                                                                           \
    "beq 3f\n"                                                                                 \
    "2:\n\t" G G G G "subs r2, r2, #1\n\t"                                                     \
    "bne 2b\n"                                                                                 \
    "3:\n\t"

/* The first group of a channel: SMUAD starts the four sums (no zeroing). */
#define CONV_K4_GROUP0                                                                         \
    "ldr r12, [r1], #4\n\t"                                                                    \
    "ldm r0!, {r4-r7}\n\t"                                                                     \
    "sxtb16 lr, r12, ror #8\n\t"                                                               \
    "sxtb16 r12, r12\n\t"                                                                      \
    "smuad r8, r4, r12\n\t"                                                                    \
    "smlad r8, r5, lr, r8\n\t"                                                                 \
    "smuad r9, r6, r12\n\t"                                                                    \
    "smlad r9, r7, lr, r9\n\t"                                                                 \
    "ldm r0!, {r4-r7}\n\t"                                                                     \
    "smuad r10, r4, r12\n\t"                                                                   \
    "smlad r10, r5, lr, r10\n\t"                                                               \
    "smuad r11, r6, r12\n\t"                                                                   \
    "smlad r11, r7, lr, r11\n\t"

/* r2 (>= 0) groups of G: one, two, four, then eight per loop trip */
#define CONV_LOOP8(G)                                                                          \
    "lsrs r2, r2, #1\n\t"                                                                      \
    "bcc 1f\n\t" G "1:\n\t"                                                                    \
    "lsrs r2, r2, #1\n\t"                                                                      \
    "bcc 6f\n\t" G G "6:\n\t"                                                                  \
    "lsrs r2, r2, #1\n\t"                                                                      \
    "bcc 7f\n\t" G G G G "7:\n\t"                                                              \
    "cmp r2, #0\n\t"                                                                           \
    "beq 3f\n"                                                                                 \
    "2:\n\t" G G G G G G G G "subs r2, r2, #1\n\t"                                             \
    "bne 2b\n"                                                                                 \
    "3:\n\t"

#define CONV_UNUSED __attribute__((unused))
__attribute__((naked, noinline)) void nk_arm_conv_k4(CONV_UNUSED const int16_t *x,
                                                     CONV_UNUSED const int8_t *w,
                                                     CONV_UNUSED int32_t ng,
                                                     CONV_UNUSED int32_t *a)
{
    __asm__ volatile("push {r4-r11, lr}\n\t"
                     "ldm r3, {r8-r11}\n\t"
                     CONV_LOOP8(CONV_K4_GROUP)
                     "stm r3, {r8-r11}\n\t"
                     "pop {r4-r11, pc}\n\t");
}

#define CONV_K4Q_OUT(ACC)                                                                      \
    "add " ACC ", " ACC ", r0\n\t"                                                             \
    "mov r3, #0x40000000\n\t"                                                                  \
    "mov lr, r2\n\t"                                                                           \
    "smlal r3, lr, " ACC ", r1\n\t"                                                            \
    "lsrs " ACC ", " ACC ", #31\n\t"                                                           \
    "subs r3, r3, " ACC ", lsl #31\n\t"                                                        \
    "sbc lr, lr, #0\n\t"                                                                       \
    "asr lr, lr, r4\n\t"                                                                       \
    "cmp lr, r5\n\t"                                                                           \
    "it lt\n\t"                                                                                \
    "movlt lr, r5\n\t"                                                                         \
    "cmp lr, r6\n\t"                                                                           \
    "it gt\n\t"                                                                                \
    "movgt lr, r6\n\t"                                                                         \
    "strb lr, [r7]\n\t"                                                                        \
    "add r7, r7, r12\n\t"

/* the same when the activation range is the whole int8 range: SSAT */
#define CONV_K4Q_OUT_SAT(ACC)                                                                  \
    "add " ACC ", " ACC ", r0\n\t"                                                             \
    "mov r3, #0x40000000\n\t"                                                                  \
    "mov lr, r2\n\t"                                                                           \
    "smlal r3, lr, " ACC ", r1\n\t"                                                            \
    "lsrs " ACC ", " ACC ", #31\n\t"                                                           \
    "subs r3, r3, " ACC ", lsl #31\n\t"                                                        \
    "sbc lr, lr, #0\n\t"                                                                       \
    "asr lr, lr, r4\n\t"                                                                       \
    "ssat lr, #8, lr\n\t"                                                                      \
    "strb lr, [r7]\n\t"                                                                        \
    "add r7, r7, r12\n\t"

__attribute__((naked, noinline)) void nk_arm_conv_k4q(CONV_UNUSED const int16_t *x,
                                                      CONV_UNUSED const int8_t *w,
                                                      CONV_UNUSED int32_t ng,
                                                      CONV_UNUSED const conv_k4q *q)
{
    __asm__ volatile("push {r4-r11, lr}\n\t"
                     "mov r8, #0\n\t"
                     "mov r9, #0\n\t"
                     "mov r10, #0\n\t"
                     "mov r11, #0\n\t"
                     CONV_LOOP4(CONV_K4_GROUP)
                     "ldm r3, {r0, r1, r2, r4, r5, r6, r7, r12}\n\t"
                     CONV_K4Q_OUT("r8") CONV_K4Q_OUT("r9") CONV_K4Q_OUT("r10")
                     CONV_K4Q_OUT("r11")
                     "pop {r4-r11, pc}\n\t");
}

/* nk_arm_requant_x2 on 2 (sum + bias): r0 = 2 bias, r1 = m, r2 = c0,
 * r4 = e; c0 + [x < 0] as SMMLAR's accumulator, then ASR and SSAT */
#define CONV_K4X2_OUT(ACC)                                                                     \
    "add " ACC ", r0, " ACC ", lsl #1\n\t"                                                      \
    "add r3, r2, " ACC ", asr #31\n\t"                                                        \
    "smmlar lr, " ACC ", r1, r3\n\t"                                                           \
    "asr lr, lr, r4\n\t"                                                                      \
    "ssat lr, #8, lr\n\t"                                                                     \
    "strb lr, [r7]\n\t"                                                                       \
    "add r7, r7, r12\n\t"

__attribute__((naked, noinline)) void nk_arm_conv_k4q_x2(CONV_UNUSED const int16_t *x,
                                                         CONV_UNUSED const int8_t *w,
                                                         CONV_UNUSED int32_t ng,
                                                         CONV_UNUSED const conv_k4q *q)
{
    __asm__ volatile("push {r4-r11, lr}\n\t"
                     CONV_K4_GROUP0
                     "subs r2, r2, #1\n\t"
                     CONV_LOOP8(CONV_K4_GROUP)
                     "ldm r3, {r0, r1, r2, r4, r5, r6, r7, r12}\n\t"
                     CONV_K4X2_OUT("r8") CONV_K4X2_OUT("r9") CONV_K4X2_OUT("r10")
                     CONV_K4X2_OUT("r11")
                     "pop {r4-r11, pc}\n\t");
}

#define CONV_K4ALL_FN(NAME, OUTM)                                                              \
__attribute__((naked, noinline)) void NAME(CONV_UNUSED const int8_t *w,                        \
                                                        CONV_UNUSED conv_k4all *a)             \
{                                                                                              \
    __asm__ volatile("push {r4-r11, lr}\n\t"                                                   \
                     "mov r3, r1\n\t"                                                          \
                     "mov r1, r0\n"                                                            \
                     "4:\n\t"                                                                  \
                     "ldrd r0, r2, [r3]\n\t"                                                   \
                     "mov r8, #0\n\t"                                                          \
                     "mov r9, #0\n\t"                                                          \
                     "mov r10, #0\n\t"                                                         \
                     "mov r11, #0\n\t"                                                         \
                     CONV_LOOP4(CONV_K4_GROUP)                                                 \
                     "ldr r12, [r3, #8]\n\t"                                                   \
                     "add r1, r1, r12\n\t"                                                     \
                     "push {r1, r3}\n\t"                                                       \
                     "ldr r12, [r3, #12]\n\t"                                                  \
                     "ldm r12!, {r0, r1, r2, r4}\n\t"                                          \
                     "str r12, [r3, #12]\n\t"                                                  \
                     "add lr, r3, #20\n\t"                                                     \
                     "ldm lr, {r5, r6, r7, r12}\n\t"                                           \
                     "add lr, r7, #1\n\t"                                                      \
                     "str lr, [r3, #28]\n\t"                                                   \
                     OUTM("r8") OUTM("r9") OUTM("r10")                                         \
                     OUTM("r11")                                                               \
                     "pop {r1, r3}\n\t"                                                        \
                     "ldr r2, [r3, #16]\n\t"                                                   \
                     "subs r2, r2, #1\n\t"                                                     \
                     "str r2, [r3, #16]\n\t"                                                   \
                     "bne 4b\n\t"                                                              \
                     "pop {r4-r11, pc}\n\t");                                                  \
}

CONV_K4ALL_FN(nk_arm_conv_k4all, CONV_K4Q_OUT)
CONV_K4ALL_FN(nk_arm_conv_k4all_sat, CONV_K4Q_OUT_SAT)

/* nk_arm_requant_x2 of 2 (sum + bias) for the whole-channel loop below:
 * r0 = 2 bias, r2 = m, r4 = c0, r5 = e; stores at [ADDR] */
#define CONV_K4ALLX2_OUT(ACC, ADDR)                                                            \
    "add " ACC ", r0, " ACC ", lsl #1\n\t"                                                      \
    "add r6, r4, " ACC ", asr #31\n\t"                                                        \
    "smmlar r6, " ACC ", r2, r6\n\t"                                                           \
    "asr r6, r6, r5\n\t"                                                                      \
    "ssat r6, #8, r6\n\t"                                                                     \
    "strb r6, " ADDR "\n\t"

/* nk_arm_conv_k4all for the activation range [-128, 127] with
 * nk_arm_requant_x2: the first group starts the sums, eight groups per
 * loop trip, the requantization constants and the output pointers in
 * registers the sums leave free (no spills), the loop ending at
 * a->tab_end: about 20 instructions fewer per channel than the generic
 * loop.  LOADQ leaves r0 = 2 bias, r2 = m, r4 = c0, r5 = e and lr = the
 * pointer compared with the end (offset 36).  r1 = w, r3 = a. */
#define CONV_K4ALLX2_FN(NAME, TYPE, LOADQ)                                                     \
__attribute__((naked, noinline)) void NAME(CONV_UNUSED const int8_t *w, CONV_UNUSED TYPE *a)   \
{                                                                                              \
    __asm__ volatile("push {r4-r11, lr}\n\t"                                                   \
                     "mov r3, r1\n\t"                                                          \
                     "mov r1, r0\n"                                                            \
                     "4:\n\t"                                                                  \
                     "ldrd r0, r2, [r3]\n\t"                                                   \
                     CONV_K4_GROUP0                                                            \
                     "subs r2, r2, #1\n\t"                                                     \
                     CONV_LOOP8(CONV_K4_GROUP)                                                 \
                     "ldr r12, [r3, #8]\n\t"                                                   \
                     "add r1, r1, r12\n\t"                                                     \
                     LOADQ                                                                     \
                     "ldrd r7, r12, [r3, #28]\n\t"                                             \
                     "add r6, r7, #1\n\t"                                                      \
                     "str r6, [r3, #28]\n\t"                                                   \
                     CONV_K4ALLX2_OUT("r8", "[r7]")                                            \
                     CONV_K4ALLX2_OUT("r9", "[r7, r12]")                                       \
                     "add r7, r7, r12, lsl #1\n\t"                                             \
                     CONV_K4ALLX2_OUT("r10", "[r7]")                                           \
                     CONV_K4ALLX2_OUT("r11", "[r7, r12]")                                      \
                     "ldr r6, [r3, #36]\n\t"                                                   \
                     "cmp lr, r6\n\t"                                                          \
                     "bne 4b\n\t"                                                              \
                     "pop {r4-r11, pc}\n\t");                                                  \
}

/* the table {2 bias, m, c0, e} per channel */
CONV_K4ALLX2_FN(nk_arm_conv_k4all_x2, conv_k4all,
                "ldr lr, [r3, #12]\n\t"
                "ldm lr!, {r0, r2, r4, r5}\n\t"
                "str lr, [r3, #12]\n\t")

/* the layer's own arrays (bias, mult, shift pointers at offsets 12, 16,
 * 20, stepped here; zp1 = 1 + 2 out_zp at 24): c0 = zp1 << (e - 1) */
CONV_K4ALLX2_FN(nk_arm_conv_k4all_x2r, conv_k4raw,
                "add r6, r3, #12\n\t"
                "ldm r6, {r0, r4, r5}\n\t"
                "ldr r2, [r4], #4\n\t"
                "ldr r12, [r0], #4\n\t"
                "ldr lr, [r5], #4\n\t"
                "stm r6, {r0, r4, r5}\n\t"
                "lsl r0, r12, #1\n\t"
                "rsb r5, lr, #0\n\t"
                "ldr r6, [r3, #24]\n\t"
                "sub lr, r5, #1\n\t"
                "lsl r4, r6, lr\n\t"
                "ldr lr, [r3, #16]\n\t")

/* ---- nk_arm_conv_k4w: packed int16 weights (nk_conv_pack) ----
 * r0 = patch, r1 = weights (doubled), r2 r3 r12 lr = two groups' weight
 * pairs, r4-r7 = patch words, r8-r11 = the four doubled sums, started at
 * 2 bias; [sp] = a, [sp, #4] = a->x_end.  The pair entry labels are
 * global so that the caller can enter the unrolled loop part way
 * (pairs % 8). */
#define CONV_K4W_PAIR                                                                          \
    "ldm.w r1!, {r2, r3, r12, lr}\n\t"                                                         \
    "ldm.w r0!, {r4-r7}\n\t"                                                                   \
    "smlad r8, r4, r2, r8\n\t"                                                                 \
    "smlad r8, r5, r3, r8\n\t"                                                                 \
    "smlad r9, r6, r2, r9\n\t"                                                                 \
    "smlad r9, r7, r3, r9\n\t"                                                                 \
    "ldm.w r0!, {r4-r7}\n\t"                                                                   \
    "smlad r10, r4, r2, r10\n\t"                                                               \
    "smlad r10, r5, r3, r10\n\t"                                                               \
    "smlad r11, r6, r2, r11\n\t"                                                               \
    "smlad r11, r7, r3, r11\n\t"                                                               \
    "ldm.w r0!, {r4-r7}\n\t"                                                                   \
    "smlad r8, r4, r12, r8\n\t"                                                                \
    "smlad r8, r5, lr, r8\n\t"                                                                 \
    "smlad r9, r6, r12, r9\n\t"                                                                \
    "smlad r9, r7, lr, r9\n\t"                                                                 \
    "ldm.w r0!, {r4-r7}\n\t"                                                                   \
    "smlad r10, r4, r12, r10\n\t"                                                              \
    "smlad r10, r5, lr, r10\n\t"                                                               \
    "smlad r11, r6, r12, r11\n\t"                                                              \
    "smlad r11, r7, lr, r11\n\t"

/* the requantization of one doubled sum (bias included): r2 = m, r4 = c0,
 * r5 = e; stores at [ADDR] */
#define CONV_K4W_OUT(ACC, ADDR)                                                                \
    "add r6, r4, " ACC ", asr #31\n\t"                                                        \
    "smmlar r6, " ACC ", r2, r6\n\t"                                                           \
    "asr r6, r6, r5\n\t"                                                                      \
    "ssat r6, #8, r6\n\t"                                                                     \
    "strb r6, " ADDR "\n\t"

__attribute__((naked, noinline)) void nk_arm_conv_k4w(CONV_UNUSED const int16_t *w,
                                                      CONV_UNUSED conv_k4w *a)
{
    __asm__ volatile("push {r4-r11, lr}\n\t"
                     "ldr r2, [r1, #24]\n\t"
                     "push {r1, r2}\n\t"
                     "mov r1, r0\n"
                     "4:\n\t"
                     "ldr r12, [sp]\n\t"
                     "ldr r8, [r12, #8]\n\t"
                     "ldr r0, [r12]\n\t"
                     "ldr r8, [r8]\n\t"
                     "ldr r2, [r12, #28]\n\t"
                     "mov r9, r8\n\t"
                     "mov r10, r8\n\t"
                     "mov r11, r8\n\t"
                     "cbz r2, 5f\n\t"
                     "ldm.w r1!, {r2, r3}\n\t"
                     "ldm.w r0!, {r4-r7}\n\t"
                     "smlad r8, r4, r2, r8\n\t"
                     "smlad r8, r5, r3, r8\n\t"
                     "smlad r9, r6, r2, r9\n\t"
                     "smlad r9, r7, r3, r9\n\t"
                     "ldm.w r0!, {r4-r7}\n\t"
                     "smlad r10, r4, r2, r10\n\t"
                     "smlad r10, r5, r3, r10\n\t"
                     "smlad r11, r6, r2, r11\n\t"
                     "smlad r11, r7, r3, r11\n"
                     "5:\n\t"
                     "ldr r2, [r12, #4]\n\t"
                     "bx r2\n"
                     ".global nk_arm_conv_k4w_e0\n"
                     "nk_arm_conv_k4w_e0:\n"
                     "6:\n\t"
                     CONV_K4W_PAIR
                     ".global nk_arm_conv_k4w_e1\n"
                     "nk_arm_conv_k4w_e1:\n\t"
                     CONV_K4W_PAIR
                     ".global nk_arm_conv_k4w_e2\n"
                     "nk_arm_conv_k4w_e2:\n\t"
                     CONV_K4W_PAIR
                     ".global nk_arm_conv_k4w_e3\n"
                     "nk_arm_conv_k4w_e3:\n\t"
                     CONV_K4W_PAIR
                     ".global nk_arm_conv_k4w_e4\n"
                     "nk_arm_conv_k4w_e4:\n\t"
                     CONV_K4W_PAIR
                     ".global nk_arm_conv_k4w_e5\n"
                     "nk_arm_conv_k4w_e5:\n\t"
                     CONV_K4W_PAIR
                     ".global nk_arm_conv_k4w_e6\n"
                     "nk_arm_conv_k4w_e6:\n\t"
                     CONV_K4W_PAIR
                     ".global nk_arm_conv_k4w_e7\n"
                     "nk_arm_conv_k4w_e7:\n\t"
                     CONV_K4W_PAIR
                     "ldr r4, [sp, #4]\n\t"
                     "cmp r0, r4\n\t"
                     "bne 6b\n"
                     ".global nk_arm_conv_k4w_done\n"
                     "nk_arm_conv_k4w_done:\n\t"
                     "ldr r12, [sp]\n\t"
                     "ldr lr, [r12, #8]\n\t"
                     "ldm lr!, {r0, r2, r4, r5}\n\t"
                     "str lr, [r12, #8]\n\t"
                     "ldrd r7, r3, [r12, #16]\n\t"
                     "add r6, r7, #1\n\t"
                     "str r6, [r12, #16]\n\t"
                     CONV_K4W_OUT("r8", "[r7]")
                     CONV_K4W_OUT("r9", "[r7, r3]")
                     "add r7, r7, r3, lsl #1\n\t"
                     CONV_K4W_OUT("r10", "[r7]")
                     CONV_K4W_OUT("r11", "[r7, r3]")
                     "ldr r6, [r12, #12]\n\t"
                     "cmp lr, r6\n\t"
                     "bne 4b\n\t"
                     "add sp, sp, #8\n\t"
                     "pop {r4-r11, pc}\n\t");
}

#define CONV_K2_GROUP                                                                          \
    "ldr r12, [r1], #4\n\t"                                                                    \
    "ldm r0!, {r4-r7}\n\t"                                                                     \
    "sxtb16 lr, r12, ror #8\n\t"                                                               \
    "sxtb16 r12, r12\n\t"                                                                      \
    "smlad r8, r4, r12, r8\n\t"                                                                \
    "smlad r8, r5, lr, r8\n\t"                                                                 \
    "smlad r9, r6, r12, r9\n\t"                                                                \
    "smlad r9, r7, lr, r9\n\t"

__attribute__((naked, noinline)) void nk_arm_conv_k2(CONV_UNUSED const int16_t *x,
                                                     CONV_UNUSED const int8_t *w,
                                                     CONV_UNUSED int32_t ng,
                                                     CONV_UNUSED int32_t *a)
{
    __asm__ volatile("push {r4-r9, lr}\n\t"
                     "ldm r3, {r8-r9}\n\t"
                     CONV_LOOP4(CONV_K2_GROUP)
                     "stm r3, {r8-r9}\n\t"
                     "pop {r4-r9, pc}\n\t");
}

#else
typedef int nk_arm_conv2d_mac_unused; /* ISO C: no empty translation unit */
#endif

/* firmware/kernels/arm/nk_arm_dw3_sweep.c — the hand-scheduled Thumb-2
 * sweeps of the 3x3 depthwise planes declared in nk_arm_dw3.h (naked
 * functions: r0 = the sweep block, the register use is spelled out
 * below).  The planes, their entries and the formulas are described in
 * nk_arm_depthwise_conv2d.c. */
#include "nk_arm.h"

#if defined(__ARM_FEATURE_DSP) && __ARM_FEATURE_DSP && defined(__GNUC__) && defined(__thumb2__)

#include "nk_arm_dw3.h"

/* the assembly's view of dw3_sweep (a negative array size fails to build) */
typedef char dw3_layout_check[(offsetof(dw3_sweep, bias) == 8 && offsetof(dw3_sweep, f01b) == 12 &&
                               offsetof(dw3_sweep, mult) == 28 && offsetof(dw3_sweep, q) == 40 &&
                               offsetof(dw3_sweep, o) == 44 && offsetof(dw3_sweep, n) == 48 &&
                               offsetof(dw3_sweep, c_n) == 52 &&
                               offsetof(dw3_sweep, ostride) == 56 &&
                               offsetof(dw3_sweep, qstep) == 72 &&
                               offsetof(dw3_sweep, q2) == 76)
                                  ? 1
                                  : -1];
/* Outputs 2j and 2j+1 of rows y and y + 1 per trip (n / 2 trips, from
 * entry row 0): each entry row is loaded once for both output rows and
 * each filter row once per trip; 58 instructions per four outputs instead
 * of 64; an odd last row ends the call alone.  r9, r10 =
 * row y, r11, r12 = row y + 1.  r0 = s. */
__attribute__((naked, noinline)) void nk_arm_dw3_pair2(const dw3_sweep *s __attribute__((unused)))
{
    __asm__ volatile(
        "push   {r4-r11, lr}\n\t"
        "ldr    r1, [r0, #40]\n\t"
        "ldr    r2, [r0, #44]\n\t"
        "ldr    r3, [r0, #48]\n\t"
        "ldr    lr, [r0, #56]\n\t"
        "lsrs   r3, r3, #1\n\t"
        "beq    2f\n\t"
        "1:\n\t"
        "ldm    r0, {r4, r5, r6}\n\t"
        "ldrd   r7, r8, [r1], #64\n\t"
        "smlad  r9, r7, r4, r6\n\t"
        "smlatb r10, r7, r4, r6\n\t"
        "smlabt r9, r8, r5, r9\n\t"
        "smlad  r10, r8, r5, r10\n\t"
        "ldrd   r7, r8, [r1, #-32]\n\t"
        "smlad  r11, r7, r4, r6\n\t"
        "smlatb r12, r7, r4, r6\n\t"
        "smlabt r11, r8, r5, r11\n\t"
        "smlad  r12, r8, r5, r12\n\t"
        "ldrd   r4, r5, [r0, #12]\n\t"
        "smlad  r9, r7, r4, r9\n\t"
        "smlatb r10, r7, r4, r10\n\t"
        "smlabt r9, r8, r5, r9\n\t"
        "smlad  r10, r8, r5, r10\n\t"
        "ldrd   r7, r8, [r1]\n\t"
        "smlad  r11, r7, r4, r11\n\t"
        "smlatb r12, r7, r4, r12\n\t"
        "smlabt r11, r8, r5, r11\n\t"
        "smlad  r12, r8, r5, r12\n\t"
        "ldrd   r4, r5, [r0, #20]\n\t"
        "smlad  r9, r7, r4, r9\n\t"
        "smlatb r10, r7, r4, r10\n\t"
        "smlabt r9, r8, r5, r9\n\t"
        "smlad  r10, r8, r5, r10\n\t"
        "ldrd   r7, r8, [r1, #32]\n\t"
        "smlad  r11, r7, r4, r11\n\t"
        "smlatb r12, r7, r4, r12\n\t"
        "smlabt r11, r8, r5, r11\n\t"
        "smlad  r12, r8, r5, r12\n\t"
        "ldr    r4, [r0, #28]\n\t"
        "ldrd   r5, r6, [r0, #32]\n\t"
        "add    r7, r5, r9, asr #31\n\t"
        "smmlar r8, r9, r4, r7\n\t"
        "asr    r8, r8, r6\n\t"
        "ssat   r8, #8, r8\n\t"
        "strb   r8, [r2]\n\t"
        "add    r7, r5, r10, asr #31\n\t"
        "smmlar r8, r10, r4, r7\n\t"
        "asr    r8, r8, r6\n\t"
        "ssat   r8, #8, r8\n\t"
        "ldr    r7, [r0, #52]\n\t"
        "strb   r8, [r2, r7]\n\t"
        "add    r2, r2, lr\n\t"
        "add    r9, r5, r11, asr #31\n\t"
        "smmlar r8, r11, r4, r9\n\t"
        "asr    r8, r8, r6\n\t"
        "ssat   r8, #8, r8\n\t"
        "strb   r8, [r2]\n\t"
        "add    r9, r5, r12, asr #31\n\t"
        "smmlar r8, r12, r4, r9\n\t"
        "asr    r8, r8, r6\n\t"
        "ssat   r8, #8, r8\n\t"
        "strb   r8, [r2, r7]\n\t"
        "add    r2, r2, lr\n\t"
        "subs   r3, r3, #1\n\t"
        "bne    1b\n\t"
        "2:\n\t"
        /* an odd last row alone */
        "ldr    r3, [r0, #48]\n\t"
        "tst    r3, #1\n\t"
        "beq    9f\n\t"
        "ldr    r11, [r0, #52]\n\t"
        "add    r12, r0, #28\n\t"
        "ldm    r0, {r4, r5, r6}\n\t"
        "ldrd   r7, r8, [r1]\n\t"
        "smlad  r9, r7, r4, r6\n\t"
        "smlatb r10, r7, r4, r6\n\t"
        "smlabt r9, r8, r5, r9\n\t"
        "smlad  r10, r8, r5, r10\n\t"
        "ldrd   r4, r5, [r0, #12]\n\t"
        "ldrd   r7, r8, [r1, #32]\n\t"
        "smlad  r9, r7, r4, r9\n\t"
        "smlatb r10, r7, r4, r10\n\t"
        "smlabt r9, r8, r5, r9\n\t"
        "smlad  r10, r8, r5, r10\n\t"
        "ldrd   r4, r5, [r0, #20]\n\t"
        "ldrd   r7, r8, [r1, #64]\n\t"
        "smlad  r9, r7, r4, r9\n\t"
        "smlatb r10, r7, r4, r10\n\t"
        "smlabt r9, r8, r5, r9\n\t"
        "smlad  r10, r8, r5, r10\n\t"
        "ldm    r12, {r4, r5, r6}\n\t"
        "add    r7, r5, r9, asr #31\n\t"
        "smmlar r8, r9, r4, r7\n\t"
        "asr    r8, r8, r6\n\t"
        "ssat   r8, #8, r8\n\t"
        "strb   r8, [r2]\n\t"
        "add    r7, r5, r10, asr #31\n\t"
        "smmlar r8, r10, r4, r7\n\t"
        "asr    r8, r8, r6\n\t"
        "ssat   r8, #8, r8\n\t"
        "strb   r8, [r2, r11]\n\t"
        "9:\n\t"
        "pop    {r4-r11, pc}\n\t");
}

/* One output per row, stride_h 2: output j for stride_w 2 (or 2j, the
 * last column of an odd width, for stride_w 1); STEP bytes from one output row's entries to
 * the next (32: stride_h 1, 64: stride_h 2), R1 and R2 the offsets of
 * entry rows 1 and 2 after the post-increment.  r0 = s. */
#define DW3_SWEEP_ONE_ASM(STEP, R1, R2)                                                   \
    __asm__ volatile("push   {r4-r11, lr}\n\t"                                            \
                     "ldr    r1, [r0, #40]\n\t"                                           \
                     "ldr    r2, [r0, #44]\n\t"                                           \
                     "ldr    r3, [r0, #48]\n\t"                                           \
                     "ldr    lr, [r0, #56]\n\t"                                           \
                     "add    r12, r0, #28\n\t"                                            \
                     "1:\n\t"                                                             \
                     "ldm    r0, {r4, r5, r6}\n\t"                                        \
                     "ldrd   r7, r8, [r1], #" STEP "\n\t"                                 \
                     "smlad  r9, r7, r4, r6\n\t"                                          \
                     "smlabt r9, r8, r5, r9\n\t"                                          \
                     "ldrd   r4, r5, [r0, #12]\n\t"                                       \
                     "ldrd   r7, r8, [r1, #" R1 "]\n\t"                                   \
                     "smlad  r9, r7, r4, r9\n\t"                                          \
                     "smlabt r9, r8, r5, r9\n\t"                                          \
                     "ldrd   r4, r5, [r0, #20]\n\t"                                       \
                     "ldrd   r7, r8, [r1, #" R2 "]\n\t"                                   \
                     "smlad  r9, r7, r4, r9\n\t"                                          \
                     "smlabt r9, r8, r5, r9\n\t"                                          \
                     "ldm    r12, {r4, r5, r6}\n\t"                                       \
                     "add    r7, r5, r9, asr #31\n\t"                                     \
                     "smmlar r8, r9, r4, r7\n\t"                                          \
                     "asr    r8, r8, r6\n\t"                                              \
                     "ssat   r8, #8, r8\n\t"                                              \
                     "strb   r8, [r2]\n\t"                                                \
                     "add    r2, r2, lr\n\t"                                              \
                     "subs   r3, r3, #1\n\t"                                              \
                     "bne    1b\n\t"                                                      \
                     "pop    {r4-r11, pc}\n\t")

__attribute__((naked, noinline)) void nk_arm_dw3_one2(const dw3_sweep *s __attribute__((unused)))
{
    DW3_SWEEP_ONE_ASM("64", "-32", "0");
}

/* One output per row (output 2j alone, stride 1), rows y and y + 1 per
 * trip (n / 2 trips, from entry row 0, then an odd last row alone):
 * each entry row loaded once for both output rows, each filter row once
 * per trip; 34 instructions per two outputs instead of 42.  r9 = row y,
 * r11 = row y + 1.  r0 = s. */
__attribute__((naked, noinline)) void nk_arm_dw3_one_r2(const dw3_sweep *s __attribute__((unused)))
{
    __asm__ volatile(
        "push   {r4-r11, lr}\n\t"
        "ldr    r1, [r0, #40]\n\t"
        "ldr    r2, [r0, #44]\n\t"
        "ldr    r3, [r0, #48]\n\t"
        "ldr    lr, [r0, #56]\n\t"
        "lsrs   r3, r3, #1\n\t"
        "beq    2f\n\t"
        "1:\n\t"
        "ldm    r0, {r4, r5, r6}\n\t"
        "ldrd   r7, r8, [r1], #64\n\t"
        "smlad  r9, r7, r4, r6\n\t"
        "smlabt r9, r8, r5, r9\n\t"
        "ldrd   r7, r8, [r1, #-32]\n\t"
        "smlad  r11, r7, r4, r6\n\t"
        "smlabt r11, r8, r5, r11\n\t"
        "ldrd   r4, r5, [r0, #12]\n\t"
        "smlad  r9, r7, r4, r9\n\t"
        "smlabt r9, r8, r5, r9\n\t"
        "ldrd   r7, r8, [r1]\n\t"
        "smlad  r11, r7, r4, r11\n\t"
        "smlabt r11, r8, r5, r11\n\t"
        "ldrd   r4, r5, [r0, #20]\n\t"
        "smlad  r9, r7, r4, r9\n\t"
        "smlabt r9, r8, r5, r9\n\t"
        "ldrd   r7, r8, [r1, #32]\n\t"
        "smlad  r11, r7, r4, r11\n\t"
        "smlabt r11, r8, r5, r11\n\t"
        "ldr    r4, [r0, #28]\n\t"
        "ldrd   r5, r6, [r0, #32]\n\t"
        "add    r7, r5, r9, asr #31\n\t"
        "smmlar r8, r9, r4, r7\n\t"
        "asr    r8, r8, r6\n\t"
        "ssat   r8, #8, r8\n\t"
        "strb   r8, [r2]\n\t"
        "add    r7, r5, r11, asr #31\n\t"
        "smmlar r8, r11, r4, r7\n\t"
        "asr    r8, r8, r6\n\t"
        "ssat   r8, #8, r8\n\t"
        "strb   r8, [r2, lr]\n\t"
        "add    r2, r2, lr, lsl #1\n\t"
        "subs   r3, r3, #1\n\t"
        "bne    1b\n\t"
        "2:\n\t"
        /* an odd last row alone */
        "ldr    r3, [r0, #48]\n\t"
        "tst    r3, #1\n\t"
        "beq    9f\n\t"
        "ldm    r0, {r4, r5, r6}\n\t"
        "ldrd   r7, r8, [r1]\n\t"
        "smlad  r9, r7, r4, r6\n\t"
        "smlabt r9, r8, r5, r9\n\t"
        "ldrd   r4, r5, [r0, #12]\n\t"
        "ldrd   r7, r8, [r1, #32]\n\t"
        "smlad  r9, r7, r4, r9\n\t"
        "smlabt r9, r8, r5, r9\n\t"
        "ldrd   r4, r5, [r0, #20]\n\t"
        "ldrd   r7, r8, [r1, #64]\n\t"
        "smlad  r9, r7, r4, r9\n\t"
        "smlabt r9, r8, r5, r9\n\t"
        "ldr    r4, [r0, #28]\n\t"
        "ldrd   r5, r6, [r0, #32]\n\t"
        "add    r7, r5, r9, asr #31\n\t"
        "smmlar r8, r9, r4, r7\n\t"
        "asr    r8, r8, r6\n\t"
        "ssat   r8, #8, r8\n\t"
        "strb   r8, [r2]\n\t"
        "9:\n\t"
        "pop    {r4-r11, pc}\n\t");
}

/* stride_w 2: outputs j and j + 1 of every row from entry j (E_j, E_j+1,
 * post-incremented r1) and the second word of entry j + 1 (E_j+2, r11 from
 * s->q2): out j = SMLAD(E_j, F01) + SMLABT(E_j+1, F12), out j + 1 =
 * SMLAD(E_j+1, F01) + SMLABT(E_j+2, F12); 37 instructions per two outputs
 * instead of 40.  STEP, R1, R2 as above.  r0 = s. */
#define DW3_SWEEP_S2PAIR_ASM(STEP, R1, R2)                                                \
    __asm__ volatile("push   {r4-r11, lr}\n\t"                                            \
                     "ldr    r1, [r0, #40]\n\t"                                           \
                     "ldr    r2, [r0, #44]\n\t"                                           \
                     "ldr    r3, [r0, #48]\n\t"                                           \
                     "ldr    lr, [r0, #56]\n\t"                                           \
                     "ldr    r11, [r0, #76]\n\t"                                          \
                     "1:\n\t"                                                             \
                     "ldm    r0, {r4, r5, r6}\n\t"                                        \
                     "ldrd   r7, r8, [r1], #" STEP "\n\t"                                 \
                     "ldr    r12, [r11], #" STEP "\n\t"                                   \
                     "smlad  r9, r7, r4, r6\n\t"                                          \
                     "smlabt r9, r8, r5, r9\n\t"                                          \
                     "smlad  r10, r8, r4, r6\n\t"                                         \
                     "smlabt r10, r12, r5, r10\n\t"                                       \
                     "ldrd   r4, r5, [r0, #12]\n\t"                                       \
                     "ldrd   r7, r8, [r1, #" R1 "]\n\t"                                   \
                     "ldr    r12, [r11, #" R1 "]\n\t"                                     \
                     "smlad  r9, r7, r4, r9\n\t"                                          \
                     "smlabt r9, r8, r5, r9\n\t"                                          \
                     "smlad  r10, r8, r4, r10\n\t"                                        \
                     "smlabt r10, r12, r5, r10\n\t"                                       \
                     "ldrd   r4, r5, [r0, #20]\n\t"                                       \
                     "ldrd   r7, r8, [r1, #" R2 "]\n\t"                                   \
                     "ldr    r12, [r11, #" R2 "]\n\t"                                     \
                     "smlad  r9, r7, r4, r9\n\t"                                          \
                     "smlabt r9, r8, r5, r9\n\t"                                          \
                     "smlad  r10, r8, r4, r10\n\t"                                        \
                     "smlabt r10, r12, r5, r10\n\t"                                       \
                     "ldr    r4, [r0, #28]\n\t"                                           \
                     "ldrd   r5, r6, [r0, #32]\n\t"                                       \
                     "add    r7, r5, r9, asr #31\n\t"                                     \
                     "smmlar r8, r9, r4, r7\n\t"                                          \
                     "asr    r8, r8, r6\n\t"                                              \
                     "ssat   r8, #8, r8\n\t"                                              \
                     "strb   r8, [r2]\n\t"                                                \
                     "ldr    r12, [r0, #52]\n\t"                                          \
                     "add    r7, r5, r10, asr #31\n\t"                                    \
                     "smmlar r8, r10, r4, r7\n\t"                                         \
                     "asr    r8, r8, r6\n\t"                                              \
                     "ssat   r8, #8, r8\n\t"                                              \
                     "strb   r8, [r2, r12]\n\t"                                           \
                     "add    r2, r2, lr\n\t"                                              \
                     "subs   r3, r3, #1\n\t"                                              \
                     "bne    1b\n\t"                                                      \
                     "pop    {r4-r11, pc}\n\t")

__attribute__((naked, noinline)) void nk_arm_dw3_s2pair(const dw3_sweep *s __attribute__((unused)))
{
    DW3_SWEEP_S2PAIR_ASM("32", "0", "32");
}

__attribute__((naked, noinline)) void nk_arm_dw3_s2pair2(const dw3_sweep *s __attribute__((unused)))
{
    DW3_SWEEP_S2PAIR_ASM("64", "-32", "0");
}
#else
typedef int nk_arm_dw3_sweep_unused; /* ISO C: no empty translation unit */
#endif

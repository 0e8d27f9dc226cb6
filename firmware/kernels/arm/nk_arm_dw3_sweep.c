/* firmware/kernels/arm/nk_arm_dw3_sweep.c — the hand-scheduled Thumb-2
 * sweeps of the 3x3 depthwise planes declared in nk_arm_dw3.h (naked
 * functions, r0 = the sweep block).  The planes, their entries and the
 * formulas are described in nk_arm_depthwise_conv2d.c.
 *
 * Every sweep is one trip body repeated down the rows, built from the
 * pieces below (one copy of each instruction pattern):
 *   r0 = &s->mult: LDMDB r0 loads filter row a and the bias, LDRD
 *        [r0, #-28] / [r0, #-20] rows b and c, LDM r0 the requantization
 *        constants and c_n (r4 mult, r5 c0, r6 e, r7 c_n);
 *   r1 = the entry of the trip's first padded row, r2 = the output,
 *   r3 = trips left, lr = bytes per output row, r7, r8 = an entry
 *   (E_j, E_j+1) (r12 = E_j+2 for stride_w 2, read through r11),
 *   r9, r10 = the outputs of the first row, r11, r12 of the second. */
#include "nk_arm.h"

#if defined(__ARM_FEATURE_DSP) && __ARM_FEATURE_DSP && defined(__GNUC__) && defined(__thumb2__)

#include "nk_arm_dw3.h"

/* the assembly's view of dw3_sweep (a negative array size fails to build) */
typedef char dw3_layout_check[(offsetof(dw3_sweep, f01b) == 0 && offsetof(dw3_sweep, f01c) == 8 &&
                               offsetof(dw3_sweep, f01a) == 16 &&
                               offsetof(dw3_sweep, bias) == 24 &&
                               offsetof(dw3_sweep, mult) == 28 && offsetof(dw3_sweep, sh) == 36 &&
                               offsetof(dw3_sweep, c_n) == 40 && offsetof(dw3_sweep, q) == 44 &&
                               offsetof(dw3_sweep, o) == 48 && offsetof(dw3_sweep, n) == 52 &&
                               offsetof(dw3_sweep, ostride) == 56 &&
                               offsetof(dw3_sweep, q2) == 64)
                                  ? 1
                                  : -1];

#define DW3_I(x) x "\n\t"

/* filter rows into r4 (F01), r5 (F12); row a also loads the bias (r6) */
#define DW3_FA DW3_I("ldmdb  r0, {r4, r5, r6}")
#define DW3_FB DW3_I("ldrd   r4, r5, [r0, #-28]")
#define DW3_FC DW3_I("ldrd   r4, r5, [r0, #-20]")

/* one entry (E_j, E_j+1) of a padded row into r7, r8 */
#define DW3_LD(ADDR) DW3_I("ldrd   r7, r8, " ADDR)
/* stride_w 2: the entry and the first word of entry j + 1 (E_j+2) */
#define DW3_LD_S2(ADDR, ADDR2) DW3_LD(ADDR) DW3_I("ldr    r12, " ADDR2)

/* one filter row into the outputs A0 (column 2j) and A1 (2j+1), started
 * from I0, I1 (the bias or the running sums):
 *   A0 += SMLAD(E_j, F01) + SMLABT(E_j+1, F12), A1 += SMLATB(E_j, F01) + SMLAD(E_j+1, F12) */
#define DW3_MAC2(A0, A1, I0, I1)                                                                  \
    DW3_I("smlad  " A0 ", r7, r4, " I0) DW3_I("smlatb " A1 ", r7, r4, " I1)                      \
    DW3_I("smlabt " A0 ", r8, r5, " A0) DW3_I("smlad  " A1 ", r8, r5, " A1)
/* column 2j alone (A1, I1 unused) */
#define DW3_MAC1(A0, A1, I0, I1) DW3_I("smlad  " A0 ", r7, r4, " I0) DW3_I("smlabt " A0 ", r8, r5, " A0)
/* stride_w 2: outputs j (A0, from E_j, E_j+1) and j + 1 (A1, from E_j+1, E_j+2) */
#define DW3_MACS2(A0, A1, I0, I1)                                                                 \
    DW3_MAC1(A0, A1, I0, I1) DW3_I("smlad  " A1 ", r8, r4, " I1) DW3_I("smlabt " A1 ", r12, r5, " A1)

/* requantize A (nk_arm_requant_x2, constants in r4-r6) and store it at DST */
#define DW3_REQ(A, DST)                                                                           \
    DW3_I("add    r8, r5, " A ", asr #31") DW3_I("smmlar r8, " A ", r4, r8")                     \
    DW3_I("asr    r8, r8, r6") DW3_I("ssat   r8, #8, r8") DW3_I("strb   r8, " DST)
#define DW3_OUT2(A0, A1) DW3_REQ(A0, "[r2]") DW3_REQ(A1, "[r2, r7]")
#define DW3_OUT1(A0, A1) DW3_REQ(A0, "[r2]")

/* One output row: padded rows through LD0, LD1, LD2 (LD0 post-increments r1
 * to the next trip), then the outputs. */
#define DW3_TRIP1(MAC, OUT, LD0, LD1, LD2)                                                        \
    DW3_FA LD0 MAC("r9", "r10", "r6", "r6") DW3_FB LD1 MAC("r9", "r10", "r9", "r10")             \
    DW3_FC LD2 MAC("r9", "r10", "r9", "r10") DW3_I("ldm    r0, {r4, r5, r6, r7}")                 \
    OUT("r9", "r10") DW3_I("add    r2, r2, lr")

/* Two output rows y, y + 1 of stride_h 1: each padded row loaded once for
 * both, each filter row once per trip (four entry loads instead of six). */
#define DW3_TRIP2(MAC, OUT)                                                                       \
    DW3_FA DW3_LD("[r1], #64") MAC("r9", "r10", "r6", "r6") DW3_LD("[r1, #-32]")                 \
    MAC("r11", "r12", "r6", "r6") DW3_FB MAC("r9", "r10", "r9", "r10") DW3_LD("[r1]")            \
    MAC("r11", "r12", "r11", "r12") DW3_FC MAC("r9", "r10", "r9", "r10") DW3_LD("[r1, #32]")     \
    MAC("r11", "r12", "r11", "r12") DW3_I("ldm    r0, {r4, r5, r6, r7}")                          \
    OUT("r9", "r10") DW3_I("add    r2, r2, lr") OUT("r11", "r12") DW3_I("add    r2, r2, lr")

#define DW3_ENTER(EXTRA)                                                                          \
    DW3_I("push   {r4-r11, lr}") DW3_I("add    r0, r0, #28") DW3_I("ldr    r1, [r0, #16]")       \
    DW3_I("ldr    r2, [r0, #20]") DW3_I("ldr    r3, [r0, #24]") DW3_I("ldr    lr, [r0, #28]") EXTRA
#define DW3_LOOP(BODY) DW3_I("1:") BODY DW3_I("subs   r3, r3, #1") DW3_I("bne    1b")
#define DW3_LEAVE DW3_I("pop    {r4-r11, pc}")

/* stride_h 1: n / 2 trips of two rows, then an odd last row alone */
#define DW3_SWEEP_R2(MAC, OUT)                                                                    \
    __asm__ volatile(DW3_ENTER(DW3_I("lsrs   r3, r3, #1") DW3_I("beq    2f"))                    \
                     DW3_LOOP(DW3_TRIP2(MAC, OUT)) DW3_I("2:") DW3_I("ldr    r3, [r0, #24]")      \
                     DW3_I("tst    r3, #1") DW3_I("beq    9f")                                    \
                     DW3_TRIP1(MAC, OUT, DW3_LD("[r1]"), DW3_LD("[r1, #32]"),                     \
                               DW3_LD("[r1, #64]")) DW3_I("9:") DW3_LEAVE)

/* one row per trip, STEP bytes from one output row's entries to the next
 * (32: stride_h 1, 64: stride_h 2); R1, R2 the offsets of padded rows 1 and
 * 2 after the post-increment */
#define DW3_SWEEP_R1(MAC, OUT, LDX, EXTRA, STEP, R1, R2)                                          \
    __asm__ volatile(DW3_ENTER(EXTRA) DW3_LOOP(DW3_TRIP1(MAC, OUT,                                \
                                                         LDX("[r1], #" STEP, "[r11], #" STEP),     \
                                                         LDX("[r1, #" R1 "]", "[r11, #" R1 "]"),   \
                                                         LDX("[r1, #" R2 "]", "[r11, #" R2 "]"))) \
                         DW3_LEAVE)
#define DW3_LD1(ADDR, ADDR2) DW3_LD(ADDR)
#define DW3_Q2 DW3_I("ldr    r11, [r0, #36]")

__attribute__((naked, noinline)) void nk_arm_dw3_pair2(const dw3_sweep *s __attribute__((unused)))
{
    DW3_SWEEP_R2(DW3_MAC2, DW3_OUT2);
}

__attribute__((naked, noinline)) void nk_arm_dw3_one_r2(const dw3_sweep *s __attribute__((unused)))
{
    DW3_SWEEP_R2(DW3_MAC1, DW3_OUT1);
}

__attribute__((naked, noinline)) void nk_arm_dw3_one2(const dw3_sweep *s __attribute__((unused)))
{
    DW3_SWEEP_R1(DW3_MAC1, DW3_OUT1, DW3_LD1, "", "64", "-32", "0");
}

__attribute__((naked, noinline)) void nk_arm_dw3_s2pair(const dw3_sweep *s __attribute__((unused)))
{
    DW3_SWEEP_R1(DW3_MACS2, DW3_OUT2, DW3_LD_S2, DW3_Q2, "32", "0", "32");
}

__attribute__((naked, noinline)) void nk_arm_dw3_s2pair2(const dw3_sweep *s __attribute__((unused)))
{
    DW3_SWEEP_R1(DW3_MACS2, DW3_OUT2, DW3_LD_S2, DW3_Q2, "64", "-32", "0");
}
#else
typedef int nk_arm_dw3_sweep_unused; /* ISO C: no empty translation unit */
#endif

/* firmware/kernels/mve/nk_mve_fully_connected.c — FULLY_CONNECTED int8 on
 * Helium.  Four or more batch rows: the matrix core (nk_mve_gemm.c), four
 * rows at a time.  Otherwise one row at a time: four output neurons per
 * pass share each 16-byte input load (VMLADAVA, in a naked routine), the
 * weights' sums for the input zero point come from VADDVA on the same
 * loads, and the four neurons are requantized together with per-lane
 * multipliers and shifts.
 * Bit-exact with ../conv/nk_fully_connected.c (weights zero point 0). */
#include "nk_mve.h"

#if defined(__ARM_FEATURE_MVE) && (__ARM_FEATURE_MVE & 1)

#include <arm_mve.h>

#include "nk_mve_gemm.h"
#include "nk_mve_requant.h"

/* What nk_mve_dot4 reads (offsets fixed below). */
typedef struct fc_dot {
    const int8_t *x;   /*  0: input row                                      */
    const int8_t *w0;  /*  4: first neuron's weights                          */
    const int8_t *w1;  /*  8: the others' (may repeat w0 past the last one)   */
    const int8_t *w2;  /* 12                                                  */
    const int8_t *w3;  /* 16                                                  */
    int32_t k16;       /* 20: full 16-byte chunks                             */
    int32_t ktail;     /* 24: bytes of the partial last chunk (0..15)         */
    int32_t zp;        /* 28: input zero point                                */
    int32_t *acc;      /* 32: the four sums of w * (x - zp)                   */
} fc_dot;

/* Four neurons against one input row: per 16-byte chunk one input load,
 * four weight loads, four VMLADAVA (sums of w * x) and four VADDVA (sums
 * of w, for the zero point: w * (x - zp) = w * x - zp * w); the tail chunk
 * predicated.  acc[i] = sum_i(w * x) - zp * sum_i(w). */
__attribute__((naked, noinline)) static void nk_mve_dot4(__attribute__((unused)) const fc_dot *d)
{
    __asm__ volatile(
        "push {r4-r11, lr}\n\t"
        "push {r0}\n\t"
        "ldrd r1, r3, [r0, #0]\n\t"
        "ldrd r5, r7, [r0, #8]\n\t"
        "ldrd r9, r11, [r0, #16]\n\t"
        "movs r0, #0\n\t"
        "movs r2, #0\n\t"
        "movs r4, #0\n\t"
        "movs r6, #0\n\t"
        "mov r8, #0\n\t"
        "mov r10, #0\n\t"
        "mov r12, #0\n\t"
        "mov lr, #0\n\t"
        "cmp r11, #0\n\t"
        "beq 2f\n\t"
        "1:\n\t"
        "vldrb.8 q0, [r1], #16\n\t"
        "vldrb.8 q1, [r3], #16\n\t"
        "vmladava.s8 r0, q0, q1\n\t"
        "vaddva.s8 r8, q1\n\t"
        "vldrb.8 q1, [r5], #16\n\t"
        "vmladava.s8 r2, q0, q1\n\t"
        "vaddva.s8 r10, q1\n\t"
        "vldrb.8 q1, [r7], #16\n\t"
        "vmladava.s8 r4, q0, q1\n\t"
        "vaddva.s8 r12, q1\n\t"
        "vldrb.8 q1, [r9], #16\n\t"
        "vmladava.s8 r6, q0, q1\n\t"
        "vaddva.s8 lr, q1\n\t"
        "subs r11, r11, #1\n\t"
        "bne 1b\n\t"
        "2:\n\t"
        "ldr r11, [sp]\n\t"
        "ldr r11, [r11, #24]\n\t"
        "cmp r11, #0\n\t"
        "beq 3f\n\t"
        "vctp.8 r11\n\t"
        "vpstt\n\t"
        "vldrbt.8 q0, [r1]\n\t"
        "vldrbt.8 q1, [r3]\n\t"
        "vmladava.s8 r0, q0, q1\n\t"
        "vaddva.s8 r8, q1\n\t"
        "vpst\n\t"
        "vldrbt.8 q1, [r5]\n\t"
        "vmladava.s8 r2, q0, q1\n\t"
        "vaddva.s8 r10, q1\n\t"
        "vpst\n\t"
        "vldrbt.8 q1, [r7]\n\t"
        "vmladava.s8 r4, q0, q1\n\t"
        "vaddva.s8 r12, q1\n\t"
        "vpst\n\t"
        "vldrbt.8 q1, [r9]\n\t"
        "vmladava.s8 r6, q0, q1\n\t"
        "vaddva.s8 lr, q1\n\t"
        "3:\n\t"
        "pop {r11}\n\t"
        "ldrd r1, r3, [r11, #28]\n\t" /* zp, acc */
        "mls r0, r1, r8, r0\n\t"
        "mls r2, r1, r10, r2\n\t"
        "mls r4, r1, r12, r4\n\t"
        "mls r6, r1, lr, r6\n\t"
        "stmia r3, {r0, r2, r4, r6}\n\t"
        "pop {r4-r11, pc}\n\t");
}

/* One batch row: four neurons per pass, requantized together. */
static void fc_row(const nk_fc_params *p, const int8_t *x, const int8_t *weights,
                   const int32_t *bias, int8_t *out)
{
    const int32_t depth = p->in_depth, n_out = p->out_depth;
    const int32x4_t lo = vdupq_n_s32(p->act_min), hi = vdupq_n_s32(p->act_max);
    int32_t acc[4];
    fc_dot d = {.x = x, .k16 = depth / 16, .ktail = depth % 16, .zp = p->in_zp, .acc = acc};
    for (int32_t o = 0; o < n_out; o += 4) {
        const int32_t left = n_out - o;
        d.w0 = weights + (size_t)o * depth;
        d.w1 = left > 1 ? d.w0 + depth : d.w0;
        d.w2 = left > 2 ? d.w1 + depth : d.w0;
        d.w3 = left > 3 ? d.w2 + depth : d.w0;
        d.x = x;
        nk_mve_dot4(&d);
        const mve_pred16_t pr = vctp32q((uint32_t)left);
        int32x4_t v = vld1q_s32(acc);
        if (bias)
            v = vaddq_s32(v, vldrwq_z_s32(bias + o, pr));
        if (p->per_channel) {
            const int32x4_t sh = vldrwq_z_s32(p->out_shift + o, pr);
            const int32x4_t right = vminq_s32(sh, vdupq_n_s32(0));
            v = vshlq_s32(v, vmaxq_s32(sh, vdupq_n_s32(0)));
            v = nk_mve_mbqm_v(v, vldrwq_z_s32(p->out_mult + o, pr), right,
                              vshrq_n_s32(right, 31));
        } else {
            v = nk_mve_mbqm(v, p->out_mult[0], p->out_shift[0]);
        }
        nk_mve_store4(out + o, v, p->out_zp, lo, hi, pr);
    }
}

int nk_fully_connected_s8_mve(const nk_fc_params *p, const int8_t *input,
                              const int8_t *weights, const int32_t *bias, int8_t *output)
{
    const int32_t depth = p->in_depth;
    if (p->filter_zp != 0 || depth > 65535)
        return NK_ERR_PARAMS;
    for (int32_t o = 0; o < (p->per_channel ? p->out_depth : 1); ++o)
        if (p->out_shift[o] < -31 || p->out_shift[o] > 31)
            return NK_ERR_PARAMS;
    if (p->batches >= 4 && depth >= 16 && depth <= NK_MVE_MAX_K && p->out_depth <= 256) {
        int32_t tab[3 * p->out_depth];
        if (nk_mve_gemm_table(tab, weights, depth, p->out_depth, bias, p->in_zp, p->out_mult,
                              p->out_shift, p->per_channel)) {
            int8_t a[NK_MVE_GEMM_ABUF(depth)];
            const nk_mve_gemm g = {.w = weights, .k = depth, .cols = p->out_depth, .tab = tab,
                                   .out_zp = p->out_zp, .act_min = p->act_min,
                                   .act_max = p->act_max, .out_stride = p->out_depth};
            for (int32_t b = 0; b < p->batches; b += 4) {
                const int32_t rows = p->batches - b < 4 ? p->batches - b : 4;
                nk_mve_gemm_interleave(a, input + (size_t)b * depth, depth, depth, rows);
                nk_mve_gemm_rows4(&g, a, rows, output + (size_t)b * p->out_depth);
            }
            return NK_OK;
        }
    }
    for (int32_t b = 0; b < p->batches; ++b)
        fc_row(p, input + (size_t)b * depth, weights, bias, output + (size_t)b * p->out_depth);
    return NK_OK;
}

#else
typedef int nk_mve_fully_connected_unused; /* ISO C: no empty translation unit */
#endif

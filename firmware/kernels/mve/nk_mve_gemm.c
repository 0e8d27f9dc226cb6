/* firmware/kernels/mve/nk_mve_gemm.c — the int8 matrix core (see
 * nk_mve_gemm.h): four rows x two columns per pass in a naked Helium
 * routine (eight VMLADAVA accumulators: 128 multiply-accumulates for six
 * loads and eight VMLADAVA), requantization of both columns on four lanes
 * (VQRDMULH, fix-up, VRSHL, see nk_mve_requant.h) and scatter stores of
 * the four rows' bytes; an odd last column in C with intrinsics. */
#include "nk_mve.h"

#if defined(__ARM_FEATURE_MVE) && (__ARM_FEATURE_MVE & 1)

#include <arm_mve.h>

#include "nk_mve_gemm.h"
#include "nk_mve_requant.h"

/* The block descriptor the assembly reads (offsets fixed below). */
typedef struct nk_mve_blk {
    const int8_t *a;     /*  0: interleaved rows                               */
    const int8_t *w;     /*  4: current column pair's weights; advanced       */
    int32_t k;           /*  8: weights per column                            */
    int32_t k16;         /* 12: full 16-byte chunks (>= 1)                     */
    int32_t ktail;       /* 16: bytes in the partial last chunk (0..15)        */
    const int32_t *tab;  /* 20: {bias', mult, shift} per column; advanced      */
    int8_t *out;         /* 24: row 0's output of the current pair; advanced   */
    int32_t pairs;       /* 28: column pairs left (>= 1); counts down          */
    int32_t out_zp;      /* 32                                                 */
    uint32_t pred;       /* 36: P0 value for the stores (rows valid)           */
    int32_t offs[4];     /* 40: output offsets of rows 0..3                    */
    int32_t lo[4];       /* 56: act_min                                        */
    int32_t hi[4];       /* 72: act_max                                        */
} nk_mve_blk;

/* One chunk of four rows (r1 walks the interleaved buffer) against two
 * columns (q0, q1 loaded by the caller): accumulators r0/r2/r4/r6 (column
 * 0, rows 0..3) and r8/r10/r12/lr (column 1).  OP is vmladav (first
 * chunk: no accumulation, no initialisation needed) or vmladava. */
#define NK_MVE_CHUNK(OP)                                                                      \
    "vldrb.8 q2, [r1], #64\n\t"                                                               \
    "vldrb.8 q3, [r1, #-48]\n\t" OP ".s8 r0, q2, q0\n\t" OP ".s8 r8, q2, q1\n\t"             \
    "vldrb.8 q2, [r1, #-32]\n\t" OP ".s8 r2, q3, q0\n\t" OP ".s8 r10, q3, q1\n\t"            \
    "vldrb.8 q3, [r1, #-16]\n\t" OP ".s8 r4, q2, q0\n\t" OP ".s8 r12, q2, q1\n\t" OP         \
    ".s8 r6, q3, q0\n\t" OP ".s8 lr, q3, q1\n\t"

/* For each column pair of the block: the multiply-accumulate loop, the
 * tail chunk with the weights' lanes past k loaded as zero, then both
 * columns requantized and stored.  r11 = the descriptor, r9 = table. */
__attribute__((naked, noinline)) static void nk_mve_gemm4x2(__attribute__((unused)) nk_mve_blk *d)
{
    __asm__ volatile(
        "push {r4-r11, lr}\n\t"
        "vpush {d8-d13}\n\t"
        "mov r11, r0\n\t"
        "add r0, r11, #40\n\t"
        "vldrw.32 q4, [r0]\n\t"
        "vldrw.32 q5, [r0, #16]\n\t"
        "vldrw.32 q6, [r0, #32]\n\t"
        "ldr r9, [r11, #20]\n\t"
        "1:\n\t"
        "ldrd r1, r3, [r11, #0]\n\t" /* a, w */
        "ldr r7, [r11, #8]\n\t"
        "add r5, r3, r7\n\t"
        "add r7, r5, r7\n\t"
        "str r7, [r11, #4]\n\t"
        "ldr r7, [r11, #12]\n\t"
        "vldrb.8 q0, [r3], #16\n\t"
        "vldrb.8 q1, [r5], #16\n\t" NK_MVE_CHUNK("vmladav")
        "subs r7, r7, #1\n\t"
        "beq 3f\n\t"
        "2:\n\t"
        "vldrb.8 q0, [r3], #16\n\t"
        "vldrb.8 q1, [r5], #16\n\t" NK_MVE_CHUNK("vmladava")
        "subs r7, r7, #1\n\t"
        "bne 2b\n\t"
        "3:\n\t"
        "ldr r7, [r11, #16]\n\t"
        "cbz r7, 4f\n\t"
        "vctp.8 r7\n\t"
        "vpstt\n\t"
        "vldrbt.8 q0, [r3]\n\t"
        "vldrbt.8 q1, [r5]\n\t" NK_MVE_CHUNK("vmladava")
        "4:\n\t"
        "vmov q0[2], q0[0], r0, r4\n\t" /* lane 0 = r0, lane 2 = r4 */
        "vmov q0[3], q0[1], r2, r6\n\t"
        "vmov q1[2], q1[0], r8, r12\n\t"
        "vmov q1[3], q1[1], r10, lr\n\t"
        "ldmia r9!, {r0-r5}\n\t"
        "vadd.i32 q0, q0, r0\n\t"
        "vadd.i32 q1, q1, r3\n\t"
        "vqrdmulh.s32 q0, q0, r1\n\t"
        "vqrdmulh.s32 q1, q1, r4\n\t"
        "vshr.s32 q2, q0, #31\n\t"
        "vshr.s32 q3, q1, #31\n\t"
        "vqadd.s32 q0, q0, q2\n\t"
        "vqadd.s32 q1, q1, q3\n\t"
        "vrshl.s32 q0, r2\n\t"
        "vrshl.s32 q1, r5\n\t"
        "ldrd r6, r8, [r11, #32]\n\t" /* out_zp, pred */
        "vadd.i32 q0, q0, r6\n\t"
        "vadd.i32 q1, q1, r6\n\t"
        "vmax.s32 q0, q0, q5\n\t"
        "vmax.s32 q1, q1, q5\n\t"
        "vmin.s32 q0, q0, q6\n\t"
        "vmin.s32 q1, q1, q6\n\t"
        "ldr r7, [r11, #24]\n\t"
        "adds r10, r7, #1\n\t"
        "vmsr p0, r8\n\t"
        "vpstt\n\t"
        "vstrbt.32 q0, [r7, q4]\n\t"
        "vstrbt.32 q1, [r10, q4]\n\t"
        "adds r7, r7, #2\n\t"
        "str r7, [r11, #24]\n\t"
        "ldr r7, [r11, #28]\n\t"
        "subs r7, r7, #1\n\t"
        "str r7, [r11, #28]\n\t"
        "bne 1b\n\t"
        "str r9, [r11, #20]\n\t"
        "vpop {d8-d13}\n\t"
        "pop {r4-r11, pc}\n\t");
}

int nk_mve_gemm_table(int32_t *tab, const int8_t *w, int32_t k, int32_t cols,
                      const int32_t *bias, int32_t in_zp, const int32_t *mult,
                      const int32_t *shift, int32_t per_channel)
{
    for (int32_t c = 0; c < cols; ++c) {
        const int32_t q = per_channel ? c : 0;
        if (shift[q] < -31 || shift[q] > -1)
            return 0;
        const int8_t *wc = w + (size_t)c * k;
        int32_t sum = 0;
        for (int32_t n = k; n > 0; n -= 16, wc += 16)
            sum = vaddvaq_p_s8(sum, vldrbq_z_s8(wc, vctp8q((uint32_t)n)), vctp8q((uint32_t)n));
        tab[3 * c] = (int32_t)((uint32_t)(bias ? bias[c] : 0) - (uint32_t)in_zp * (uint32_t)sum);
        tab[3 * c + 1] = mult[q];
        tab[3 * c + 2] = shift[q];
    }
    return 1;
}

/* Four rows x one column (the odd last column), table entry t. */
static void gemm_rows4_col(const nk_mve_gemm *g, const int8_t *a, const int8_t *w,
                           const int32_t *t, int8_t *out, mve_pred16_t pred)
{
    int32_t s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    for (int32_t n = g->k; n > 0; n -= 16, w += 16, a += 64) {
        const int8x16_t wv = vldrbq_z_s8(w, vctp8q((uint32_t)n));
        s0 = vmladavaq_s8(s0, vld1q_s8(a), wv);
        s1 = vmladavaq_s8(s1, vld1q_s8(a + 16), wv);
        s2 = vmladavaq_s8(s2, vld1q_s8(a + 32), wv);
        s3 = vmladavaq_s8(s3, vld1q_s8(a + 48), wv);
    }
    int32x4_t x = vdupq_n_s32(s0);
    x = vsetq_lane_s32(s1, x, 1);
    x = vsetq_lane_s32(s2, x, 2);
    x = vsetq_lane_s32(s3, x, 3);
    x = nk_mve_mbqm(vaddq_n_s32(x, t[0]), t[1], t[2]);
    x = vminq_s32(vmaxq_s32(vaddq_n_s32(x, g->out_zp), vdupq_n_s32(g->act_min)),
                  vdupq_n_s32(g->act_max));
    const uint32x4_t offs = vmulq_n_u32(vidupq_n_u32(0, 1), (uint32_t)g->out_stride);
    vstrbq_scatter_offset_p_s32(out, offs, x, pred);
}

void nk_mve_gemm_rows4(const nk_mve_gemm *g, const int8_t *a, int32_t rows, int8_t *out)
{
    const mve_pred16_t pred = vctp32q((uint32_t)rows);
    nk_mve_blk d = {
        .a = a,
        .w = g->w,
        .k = g->k,
        .k16 = g->k / 16,
        .ktail = g->k % 16,
        .tab = g->tab,
        .out = out,
        .pairs = g->cols / 2,
        .out_zp = g->out_zp,
        .pred = pred,
        .offs = {0, g->out_stride, 2 * g->out_stride, 3 * g->out_stride},
        .lo = {g->act_min, g->act_min, g->act_min, g->act_min},
        .hi = {g->act_max, g->act_max, g->act_max, g->act_max},
    };
    if (d.pairs > 0)
        nk_mve_gemm4x2(&d);
    if (g->cols & 1)
        gemm_rows4_col(g, a, d.w, d.tab, d.out, pred);
}

void nk_mve_gemm_interleave(int8_t *a, const int8_t *src, int32_t src_stride, int32_t k,
                            int32_t rows)
{
    for (int32_t r = 0; r < rows; ++r) {
        const int8_t *s = src + (size_t)r * src_stride;
        int8_t *d = a + 16 * r;
        int32_t n = k;
        for (; n >= 16; n -= 16, s += 16, d += 64)
            vst1q_s8(d, vld1q_s8(s));
        if (n > 0)
            vst1q_s8(d, vldrbq_z_s8(s, vctp8q((uint32_t)n)));
    }
}

#else
typedef int nk_mve_gemm_unused; /* ISO C: no empty translation unit */
#endif

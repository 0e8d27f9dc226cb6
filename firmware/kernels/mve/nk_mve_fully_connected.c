/* firmware/kernels/mve/nk_mve_fully_connected.c — FULLY_CONNECTED int8 on
 * Helium.  Four or more batch rows: the matrix core (nk_mve_gemm.c), four
 * rows at a time.  Otherwise one row at a time: two output neurons per
 * pass share each 16-byte input load (VMLADAVA), the weights' sums for the
 * input zero point come from VADDVA on the same loads, and four neurons
 * are requantized together with per-lane multipliers and shifts.
 * Bit-exact with ../conv/nk_fully_connected.c (weights zero point 0). */
#include "nk_mve.h"

#if defined(__ARM_FEATURE_MVE) && (__ARM_FEATURE_MVE & 1)

#include <arm_mve.h>

#include "nk_mve_gemm.h"
#include "nk_mve_requant.h"

/* Sums of w0 * x and w1 * x over depth (w1 may equal w0) and the sums of
 * w0 and w1, 16 bytes per step, the last step predicated. */
static void dot2(const int8_t *x, const int8_t *w0, const int8_t *w1, int32_t depth,
                 int32_t s[4])
{
    int32_t s0 = 0, s1 = 0, z0 = 0, z1 = 0;
    int32_t n = depth;
    for (; n >= 16; n -= 16, x += 16, w0 += 16, w1 += 16) {
        const int8x16_t xv = vld1q_s8(x), a = vld1q_s8(w0), b = vld1q_s8(w1);
        s0 = vmladavaq_s8(s0, xv, a);
        z0 = vaddvaq_s8(z0, a);
        s1 = vmladavaq_s8(s1, xv, b);
        z1 = vaddvaq_s8(z1, b);
    }
    if (n > 0) {
        const mve_pred16_t pr = vctp8q((uint32_t)n);
        const int8x16_t xv = vldrbq_z_s8(x, pr), a = vldrbq_z_s8(w0, pr),
                        b = vldrbq_z_s8(w1, pr);
        s0 = vmladavaq_s8(s0, xv, a);
        z0 = vaddvaq_s8(z0, a);
        s1 = vmladavaq_s8(s1, xv, b);
        z1 = vaddvaq_s8(z1, b);
    }
    s[0] = s0;
    s[1] = z0;
    s[2] = s1;
    s[3] = z1;
}

/* One batch row: outputs o..o+3 requantized together. */
static void fc_row(const nk_fc_params *p, const int8_t *x, const int8_t *weights,
                   const int32_t *bias, int8_t *out)
{
    const int32_t depth = p->in_depth, n_out = p->out_depth;
    const int32x4_t lo = vdupq_n_s32(p->act_min), hi = vdupq_n_s32(p->act_max);
    const uint32_t zp = (uint32_t)p->in_zp;
    for (int32_t o = 0; o < n_out; o += 4) {
        int32_t acc[4] = {0, 0, 0, 0};
        for (int32_t j = 0; j < 4 && o + j < n_out; j += 2) {
            const int8_t *w0 = weights + (size_t)(o + j) * depth;
            const int8_t *w1 = o + j + 1 < n_out ? w0 + depth : w0;
            int32_t s[4];
            dot2(x, w0, w1, depth, s);
            acc[j] = (int32_t)((uint32_t)s[0] - zp * (uint32_t)s[1]);
            acc[j + 1] = (int32_t)((uint32_t)s[2] - zp * (uint32_t)s[3]);
        }
        const int32_t left = n_out - o;
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

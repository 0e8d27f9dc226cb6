/* firmware/kernels/arm/nk_arm_gemm.h — int8 matrix product shared by
 * FULLY_CONNECTED and 1x1 CONV_2D on cores with the DSP extension
 * (internal).
 *
 * out[r][c] = requant(bias[c] + sum_d w[c][d] * (a_r[d] - in_zp)), clamped
 * to [act_min, act_max], for r < rows, c < cols; weights zero point 0.
 * Row r of the left operand starts at
 *   a + (r / row_n) * row_outer + (r % row_n) * row_inner
 * (FULLY_CONNECTED: row_n = rows, row_inner = depth; 1x1 convolution: one
 * row per output pixel of a batch, row_n = out_w).  out is rows x cols,
 * contiguous.  Bit-exact with the portable FULLY_CONNECTED / CONV_2D loops. */
#ifndef NEURIO_NK_ARM_GEMM_H
#define NEURIO_NK_ARM_GEMM_H

#include <stddef.h>
#include <stdint.h>

typedef struct nk_arm_gemm {
    const int8_t *a;
    int32_t rows, row_n;
    ptrdiff_t row_inner, row_outer;
    int32_t depth, cols;
    int32_t in_zp;
    const int8_t *w;       /* cols x depth (OHWI / FC weights) */
    const int32_t *bias;   /* cols entries or NULL */
    const int32_t *mult, *shift;
    int32_t per_channel;   /* 1: cols entries in mult/shift, 0: one */
    int32_t out_zp, act_min, act_max;
    int8_t *out;
} nk_arm_gemm;

#if defined(__ARM_FEATURE_DSP) && __ARM_FEATURE_DSP
/* The assembly cores of nk_arm_gemm.c that nk_arm_conv2d_1x1.c shares:
 * nk_arm_widen2 widens rows x0, x1 (n >= 1 groups of four) minus the zero
 * point (off2 = -zp in both halfwords), per group {x0 (0,2), x0 (1,3),
 * x1 (0,2), x1 (1,3)}; nk_arm_mm2x2qu multiplies such a row pair by ncp
 * column pairs of doubled widened weights (G groups each, skip = (32 - G)
 * * 44, G <= 32) and requantizes through tbl (8 words per column pair),
 * writing row 0 at out and row 1 at out + stride. */
void nk_arm_widen2(const int8_t *x0, const int8_t *x1, int32_t n, int32_t *dst, uint32_t off2);
void nk_arm_mm2x2qu(const int32_t *x, const int32_t *w, int32_t skip, const int32_t *tbl,
                    int8_t *out, int32_t ncp, int32_t stride);
/* Returns 0 (NK_OK), or NK_ERR_PARAMS (nothing written) when depth > 1024.
 * Stack: about 3 kB. */
int nk_arm_gemm_s8(const nk_arm_gemm *g);
#endif

#endif /* NEURIO_NK_ARM_GEMM_H */

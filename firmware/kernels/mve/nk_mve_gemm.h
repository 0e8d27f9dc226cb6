/* firmware/kernels/mve/nk_mve_gemm.h — the int8 matrix core shared by
 * CONV_2D (patches), 1x1 CONV_2D and FULLY_CONNECTED on Helium.  Internal
 * to mve/.
 *
 * out[r][c] = clamp(out_zp + mbqm(sum_k a[r][k] * w[c][k] + bias'[c],
 *                                 mult[c], shift[c]), act_min, act_max)
 * with bias'[c] = bias[c] - in_zp * sum_k w[c][k], which equals TFLite's
 * sum_k w * (a - in_zp) + bias modulo 2^32 (the arithmetic every kernel
 * wraps in), so rows padded with the input zero point (taps outside the
 * image) contribute exactly nothing.
 *
 * Rows come four at a time in an interleaved buffer: 16-byte chunk j of
 * row r at a + 64 j + 16 r, ceil(k / 16) chunks (bytes past k in the last
 * chunk may hold anything: the weights' tail lanes are loaded as zero). */
#ifndef NEURIO_NK_MVE_GEMM_H
#define NEURIO_NK_MVE_GEMM_H

#include <stdint.h>

/* One matrix product: columns (weights rows) and the output side. */
typedef struct nk_mve_gemm {
    const int8_t *w;          /* column c's k weights at w + c * k           */
    int32_t k;                /* depth, 16..NK_MVE_MAX_K                     */
    int32_t cols;             /* output channels, >= 1                       */
    const int32_t *tab;       /* per column {bias', mult, shift} (3 words)   */
    int32_t out_zp, act_min, act_max;
    int32_t out_stride;       /* bytes from one row's outputs to the next's  */
} nk_mve_gemm;

/* Fills tab[3 c .. 3 c + 2] = {bias' (see above), mult, shift} for every
 * column (bias may be NULL; per_channel 0: mult[0]/shift[0] for all).
 * Returns 1 when every shift is in -31..-1 (what nk_mve_gemm_rows4 takes),
 * 0 otherwise (the table is then incomplete: do not use it). */
int nk_mve_gemm_table(int32_t *tab, const int8_t *w, int32_t k, int32_t cols,
                      const int32_t *bias, int32_t in_zp, const int32_t *mult,
                      const int32_t *shift, int32_t per_channel);

/* Rows 0..rows-1 (1..4) of the interleaved buffer `a` times every column;
 * row r's outputs go to out + r * out_stride (channel c at + c). */
void nk_mve_gemm_rows4(const nk_mve_gemm *g, const int8_t *a, int32_t rows, int8_t *out);

/* Copies `rows` (1..4) rows of k bytes, row r at src + r * src_stride,
 * into the interleaved layout at a. */
void nk_mve_gemm_interleave(int8_t *a, const int8_t *src, int32_t src_stride, int32_t k,
                            int32_t rows);

/* Bytes of the interleaved buffer for depth k. */
#define NK_MVE_GEMM_ABUF(k) ((((k) + 15) / 16) * 64)

#endif /* NEURIO_NK_MVE_GEMM_H */

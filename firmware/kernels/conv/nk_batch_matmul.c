/* firmware/kernels/conv/nk_batch_matmul.c — BATCH_MATMUL of two activations
 * with broadcast batch axes and adj_x/adj_y (TFLM batch_matmul.cc, which
 * calls the reference BatchMatMul with the operands swapped and RHS
 * transposed: out[m][n] = sum over k in order of A[m][k] * B[k][n]).
 * int8: int32 sum of (a - lhs_zp)(b - rhs_zp), MBQM, + out_zp, clamp.
 * int16: int64 sum, TFLite's 64-bit MultiplyByQuantizedMultiplier. */
#include "nk.h"
#include "nk_fixedpoint.h"
#include "nk_fixedpoint_math.h"

typedef struct bm_walk {
    int32_t n_batches;
    int32_t idx[4];
    int32_t lhs, rhs;                /* matrix offsets (in matrices) */
} bm_walk;

static int check(const nk_batch_matmul_params *p, const void *a, const void *b, const void *o)
{
    if (!p || !a || !b || !o || p->batch_rank < 0 || p->batch_rank > 4 || p->rows < 1 ||
        p->depth < 1 || p->cols < 1 || p->act_min > p->act_max)
        return NK_ERR_PARAMS;
    for (int32_t d = 0; d < p->batch_rank; ++d)
        if (p->out_bdims[d] < 1 || p->lhs_bstrides[d] < 0 || p->rhs_bstrides[d] < 0)
            return NK_ERR_PARAMS;
    return NK_OK;
}

static void walk_init(const nk_batch_matmul_params *p, bm_walk *w)
{
    w->n_batches = 1;
    for (int32_t d = 0; d < p->batch_rank; ++d) {
        w->n_batches *= p->out_bdims[d];
        w->idx[d] = 0;
    }
    w->lhs = w->rhs = 0;
}

static void walk_next(const nk_batch_matmul_params *p, bm_walk *w)
{
    for (int32_t d = p->batch_rank - 1; d >= 0; --d) {
        w->idx[d]++;
        w->lhs += p->lhs_bstrides[d];
        w->rhs += p->rhs_bstrides[d];
        if (w->idx[d] < p->out_bdims[d])
            return;
        w->lhs -= p->lhs_bstrides[d] * p->out_bdims[d];
        w->rhs -= p->rhs_bstrides[d] * p->out_bdims[d];
        w->idx[d] = 0;
    }
}

/* Element strides of A[m][k] (lhs) and B[k][n] (rhs) in their matrices. */
#define BM_STRIDES(p)                                                                         \
    const int32_t a_m = (p)->adj_x ? 1 : (p)->depth, a_k = (p)->adj_x ? (p)->rows : 1;        \
    const int32_t b_k = (p)->adj_y ? 1 : (p)->cols, b_n = (p)->adj_y ? (p)->depth : 1;        \
    const size_t a_size = (size_t)(p)->rows * (size_t)(p)->depth;                             \
    const size_t b_size = (size_t)(p)->depth * (size_t)(p)->cols

int nk_batch_matmul_s8(const nk_batch_matmul_params *p, const int8_t *lhs, const int8_t *rhs,
                       int8_t *output)
{
    if (check(p, lhs, rhs, output) || p->out_shift > 30 || p->out_shift < -31)
        return NK_ERR_PARAMS;
    BM_STRIDES(p);
    bm_walk w;
    walk_init(p, &w);
    for (int32_t b = 0; b < w.n_batches; ++b, walk_next(p, &w)) {
        const int8_t *A = lhs + (size_t)w.lhs * a_size, *B = rhs + (size_t)w.rhs * b_size;
        for (int32_t m = 0; m < p->rows; ++m)
            for (int32_t n = 0; n < p->cols; ++n) {
                int32_t acc = 0;
                for (int32_t k = 0; k < p->depth; ++k)
                    acc = nk_wrap_add(acc, ((int32_t)A[m * a_m + k * a_k] - p->lhs_zp) *
                                               ((int32_t)B[k * b_k + n * b_n] - p->rhs_zp));
                const int32_t r = nk_mbqm(acc, p->out_mult, p->out_shift) + p->out_zp;
                *output++ = (int8_t)nk_clamp(r, p->act_min, p->act_max);
            }
    }
    return NK_OK;
}

int nk_batch_matmul_s16(const nk_batch_matmul_params *p, const int16_t *lhs,
                        const int16_t *rhs, int16_t *output)
{
    if (check(p, lhs, rhs, output) || p->out_shift > 7 || p->out_shift < -31)
        return NK_ERR_PARAMS;
    BM_STRIDES(p);
    bm_walk w;
    walk_init(p, &w);
    for (int32_t b = 0; b < w.n_batches; ++b, walk_next(p, &w)) {
        const int16_t *A = lhs + (size_t)w.lhs * a_size, *B = rhs + (size_t)w.rhs * b_size;
        for (int32_t m = 0; m < p->rows; ++m)
            for (int32_t n = 0; n < p->cols; ++n) {
                int64_t acc = 0;
                for (int32_t k = 0; k < p->depth; ++k)
                    acc += ((int64_t)A[m * a_m + k * a_k] - p->lhs_zp) *
                           ((int64_t)B[k * b_k + n * b_n] - p->rhs_zp);
                const int32_t r = nk_mbqm64(acc, p->out_mult, p->out_shift) + p->out_zp;
                *output++ = (int16_t)nk_clamp(r, p->act_min, p->act_max);
            }
    }
    return NK_OK;
}

int nk_batch_matmul_f32(const nk_batch_matmul_params *p, const float *lhs, const float *rhs,
                        float *output)
{
    if (check(p, lhs, rhs, output))
        return NK_ERR_PARAMS;
    BM_STRIDES(p);
    bm_walk w;
    walk_init(p, &w);
    for (int32_t b = 0; b < w.n_batches; ++b, walk_next(p, &w)) {
        const float *A = lhs + (size_t)w.lhs * a_size, *B = rhs + (size_t)w.rhs * b_size;
        for (int32_t m = 0; m < p->rows; ++m)
            for (int32_t n = 0; n < p->cols; ++n) {
                float acc = 0.0f;
                for (int32_t k = 0; k < p->depth; ++k)
                    acc += B[k * b_k + n * b_n] * A[m * a_m + k * a_k];
                *output++ = acc;
            }
    }
    return NK_OK;
}

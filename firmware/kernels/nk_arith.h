/* firmware/kernels/nk_arith.h — the arithmetic kernels of the extended
 * operator set (activations, element-wise binary and unary ops, CAST,
 * reductions, BATCH_MATMUL); included by nk.h, whose conventions hold.
 * Integer arithmetic follows TFLite Micro's reference kernels
 * (tensorflow/lite/kernels/internal/reference, tensorflow/lite/micro/kernels);
 * where TFLM has no integer kernel for an op, the comment says which
 * arithmetic neurio defines instead. */
#ifndef NEURIO_NK_ARITH_H
#define NEURIO_NK_ARITH_H

#include <stddef.h>
#include <stdint.h>

#include "nk.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Element types of the type-generic kernels (CAST). */
#define NK_DT_BOOL 0    /* uint8_t 0/1 */
#define NK_DT_S8 1
#define NK_DT_U8 2
#define NK_DT_S16 3
#define NK_DT_U16 4
#define NK_DT_S32 5
#define NK_DT_U32 6
#define NK_DT_S64 7
#define NK_DT_U64 8
#define NK_DT_F32 9


/* ---------------------------------------------------------- activations */

/* HARD_SWISH int8 (TFLM hard_swish_common.cc + reference HardSwish): 16-bit
 * multipliers from neurio_hard_swish_params_s8().  float: x*min(6,max(0,x+3))/6. */
typedef struct nk_hard_swish_params {
    int32_t size;
    int32_t in_zp, out_zp;
    int32_t reluish_mult;            /* int16 fixed point */
    int32_t reluish_exp;
    int32_t out_mult;                /* int16 fixed point */
    int32_t out_exp;                 /* <= 0 */
} nk_hard_swish_params;

int nk_hard_swish_s8(const nk_hard_swish_params *p, const int8_t *input, int8_t *output);
int nk_hard_swish_f32(int32_t size, const float *input, float *output);

/* PRELU, with broadcasting as nk_binary_params (in1 = x, in2 = alpha).
 * Quantized (TFLM prelu): in1_zp/in2_zp/out_zp; x - zp >= 0 scales by
 * in1_mult/in1_shift (x_scale / out_scale), otherwise (x - zp)(a - zp_a)
 * by out_mult/out_shift (x_scale * a_scale / out_scale); clamped to
 * act_min..act_max (the output type's range).  int16 takes int8 alpha. */
int nk_prelu_s8(const nk_binary_params *p, const int8_t *x, const int8_t *alpha, int8_t *output);
int nk_prelu_s16(const nk_binary_params *p, const int16_t *x, const int8_t *alpha,
                 int16_t *output);
int nk_prelu_f32(const nk_binary_params *p, const float *x, const float *alpha, float *output);

/* LOG_SOFTMAX over the last dimension (TFLM log_softmax.cc).  int8 output
 * has scale 16/256 and zero point 127; constants from
 * neurio_log_softmax_params_s8(). */
typedef struct nk_log_softmax_params {
    int32_t rows, depth;
    int32_t input_multiplier, input_left_shift;
    int32_t reverse_scaling_divisor;
    int32_t reverse_scaling_shift;   /* <= 0 (TFLite's left shift) */
    int32_t diff_min;
} nk_log_softmax_params;

int nk_log_softmax_s8(const nk_log_softmax_params *p, const int8_t *input, int8_t *output);
int nk_log_softmax_f32(const nk_log_softmax_params *p, const float *input, float *output);

/* L2_NORMALIZATION over the last dimension (TFLM l2norm.cc).  int8 output
 * has scale 1/128 and zero point 0; float uses epsilon 1e-6 on the norm. */
typedef struct nk_l2norm_params {
    int32_t rows, depth;
    int32_t in_zp;
} nk_l2norm_params;

int nk_l2norm_s8(const nk_l2norm_params *p, const int8_t *input, int8_t *output);
int nk_l2norm_f32(const nk_l2norm_params *p, const float *input, float *output);

/* --------------------------------------------- element-wise binary, more */

/* All take nk_binary_params (broadcast strides as ADD).
 *
 * DIV int8 (TFLM div.cc): (q1 - zp1) / (q2 - zp2) by reciprocal, scaled by
 * out_mult/out_shift (QuantizeMultiplier of s1 / (s2 * s_out) computed in
 * float), plus out_zp, clamped to act_min..act_max; a zero divisor
 * (q2 == zp2) makes the kernel return NK_ERR_PARAMS before writing.  Where
 * TFLite's final rounding shift exceeds 31 bits (C++ undefined behaviour,
 * e.g. a dividend equal to its zero point) the rounded quotient is used
 * (out_zp for a zero dividend).  out_shift must be <= 23.
 * DIV int32: C division truncating toward zero, clamped to act_min..act_max;
 * a zero divisor is NK_ERR_PARAMS as above, INT32_MIN / -1 wraps to
 * INT32_MIN.  DIV float: a / b clamped to act_min_f..act_max_f. */
int nk_div_s8(const nk_binary_params *p, const int8_t *in1, const int8_t *in2, int8_t *output);
int nk_div_s32(const nk_binary_params *p, const int32_t *in1, const int32_t *in2,
               int32_t *output);
int nk_div_f32(const nk_binary_params *p, const float *in1, const float *in2, float *output);

/* ADD, SUB, MUL on int32 tensors (TFLite's non-quantized int32 kernels):
 * plain two's-complement arithmetic (wrapping), clamped to act_min..act_max
 * (INT32_MIN..INT32_MAX for no fused activation). */
int nk_add_s32(const nk_binary_params *p, const int32_t *in1, const int32_t *in2,
               int32_t *output);
int nk_sub_s32(const nk_binary_params *p, const int32_t *in1, const int32_t *in2,
               int32_t *output);
int nk_mul_s32(const nk_binary_params *p, const int32_t *in1, const int32_t *in2,
               int32_t *output);

/* SQUARED_DIFFERENCE (TFLM squared_difference.cc).  int8/int16: inputs
 * shifted left by left_shift (7 / 0), scaled by in*_mult/in*_shift, the
 * squared difference scaled by out_mult/out_shift, plus out_zp, clamped to
 * act_min..act_max.  int32/float: (a - b)^2 (int32 wrapping). */
int nk_squared_difference_s8(const nk_binary_params *p, const int8_t *in1, const int8_t *in2,
                             int8_t *output);
int nk_squared_difference_s16(const nk_binary_params *p, const int16_t *in1,
                              const int16_t *in2, int16_t *output);
int nk_squared_difference_s32(const nk_binary_params *p, const int32_t *in1,
                              const int32_t *in2, int32_t *output);
int nk_squared_difference_f32(const nk_binary_params *p, const float *in1, const float *in2,
                              float *output);

/* MAXIMUM / MINIMUM (TFLM maximum_minimum.cc): raw values compared
 * (quantized inputs share the output's quantization), a > b ? a : b and
 * a < b ? a : b. */
int nk_maximum_s8(const nk_binary_params *p, const int8_t *in1, const int8_t *in2,
                  int8_t *output);
int nk_maximum_s16(const nk_binary_params *p, const int16_t *in1, const int16_t *in2,
                   int16_t *output);
int nk_maximum_s32(const nk_binary_params *p, const int32_t *in1, const int32_t *in2,
                   int32_t *output);
int nk_maximum_f32(const nk_binary_params *p, const float *in1, const float *in2,
                   float *output);
int nk_minimum_s8(const nk_binary_params *p, const int8_t *in1, const int8_t *in2,
                  int8_t *output);
int nk_minimum_s16(const nk_binary_params *p, const int16_t *in1, const int16_t *in2,
                   int16_t *output);
int nk_minimum_s32(const nk_binary_params *p, const int32_t *in1, const int32_t *in2,
                   int32_t *output);
int nk_minimum_f32(const nk_binary_params *p, const float *in1, const float *in2,
                   float *output);

/* EQUAL .. GREATER_EQUAL, bool output (one byte 0/1).  int8/int16 (TFLM
 * comparisons.cc): both sides (q - zp) << left_shift (8) scaled by
 * in*_mult/in*_shift (QuantizeMultiplierSmallerThanOneExp of each input
 * scale), then compared; int32, float and bool compare raw values. */
#define NK_CMP_EQUAL 0
#define NK_CMP_NOT_EQUAL 1
#define NK_CMP_LESS 2
#define NK_CMP_LESS_EQUAL 3
#define NK_CMP_GREATER 4
#define NK_CMP_GREATER_EQUAL 5

int nk_compare_s8(const nk_binary_params *p, int32_t op, const int8_t *in1, const int8_t *in2,
                  uint8_t *output);
int nk_compare_s16(const nk_binary_params *p, int32_t op, const int16_t *in1,
                   const int16_t *in2, uint8_t *output);
int nk_compare_s32(const nk_binary_params *p, int32_t op, const int32_t *in1,
                   const int32_t *in2, uint8_t *output);
int nk_compare_f32(const nk_binary_params *p, int32_t op, const float *in1, const float *in2,
                   uint8_t *output);
int nk_compare_b(const nk_binary_params *p, int32_t op, const uint8_t *in1,
                 const uint8_t *in2, uint8_t *output);

/* LOGICAL_AND / LOGICAL_OR (broadcast) and LOGICAL_NOT on bool bytes. */
int nk_logical_and(const nk_binary_params *p, const uint8_t *in1, const uint8_t *in2,
                   uint8_t *output);
int nk_logical_or(const nk_binary_params *p, const uint8_t *in1, const uint8_t *in2,
                  uint8_t *output);
int nk_logical_not(int32_t size, const uint8_t *input, uint8_t *output);

/* ---------------------------------------------------------- unary math */

/* ABS int8/int16 (TFLM elementwise.cc): |q - in_zp|, rescaled by mult/shift
 * when mult != 0 (scales differ), plus out_zp, clamped to the type. */
int nk_abs_s8(const nk_requant_params *p, const int8_t *input, int8_t *output);
int nk_abs_s16(const nk_requant_params *p, const int16_t *input, int16_t *output);

/* RSQRT int8 (TFLM elementwise.cc): 1/sqrt(q - in_zp) by the fixed-point
 * inverse square root, scaled by mult/shift (1 / (sqrt(in_scale) *
 * out_scale)), plus out_zp; q == in_zp gives 127; q < in_zp is
 * NK_ERR_PARAMS (checked before writing). */
int nk_rsqrt_s8(const nk_requant_params *p, const int8_t *input, int8_t *output);

/* Float unary functions, one per NK_UNARY_* (TFLite's reference: std::
 * functions in float; ROUND is round-half-to-even).  In-place allowed. */
#define NK_UNARY_ABS 0
#define NK_UNARY_NEG 1
#define NK_UNARY_SQRT 2
#define NK_UNARY_RSQRT 3
#define NK_UNARY_EXP 4
#define NK_UNARY_LOG 5
#define NK_UNARY_FLOOR 6
#define NK_UNARY_CEIL 7
#define NK_UNARY_ROUND 8
#define NK_UNARY_SQUARE 9
#define NK_UNARY_SIN 10
#define NK_UNARY_COS 11

int nk_unary_f32(int32_t kind, int32_t size, const float *input, float *output);

/* NEG on int32 (wrapping) and int8/uint8 table lookup: out[i] =
 * lut[(uint8_t)in[i]], with the table built at generation time from the
 * float function (TFLite's LUTPopulate: dequantize, f, round, add zp,
 * clamp); neurio's integer form of the ops TFLM has only in float (EXP,
 * LOG, SQRT, NEG, ...).  In-place allowed. */
int nk_neg_s32(int32_t size, const int32_t *input, int32_t *output);
/* NEG on int8 with nk_requant_params: clamp(out_zp + MBQM(in_zp - q,
 * mult, shift)), not rescaled when mult == 0 (equal scales). */
int nk_neg_s8(const nk_requant_params *p, const int8_t *input, int8_t *output);
int nk_lut_s8(int32_t size, const int8_t *lut, const int8_t *input, int8_t *output);

/* CAST between NK_DT_* types (static_cast semantics: integers wrap modulo
 * the target width; float -> integer truncates toward zero and saturates,
 * NaN -> 0; anything -> bool is != 0).  Overlap not allowed. */
typedef struct nk_cast_params {
    int32_t size;
    int32_t from, to;                /* NK_DT_* */
} nk_cast_params;

int nk_cast(const nk_cast_params *p, const void *input, void *output);

/* ---------------------------------------------------------- reductions */

/* SUM, REDUCE_MAX, REDUCE_MIN, REDUCE_PROD over the axes with
 * reduce[axis] == 1, with nk_mean_params.  int8/int16 SUM (TFLM
 * QuantizedMeanOrSum, compute_sum): the sum of (q - in_zp) scaled by
 * mult/shift (QuantizeMultiplier(in_scale / out_scale)), plus out_zp,
 * clamped.  MAX/MIN compare raw values (input and output share their
 * quantization, as TFLM requires).  float: in input order from 0 (sum),
 * 1 (prod), the lowest/highest float (max/min). */
int nk_reduce_sum_s8(const nk_mean_params *p, const int8_t *input, int8_t *output);
int nk_reduce_sum_s16(const nk_mean_params *p, const int16_t *input, int16_t *output);
int nk_reduce_sum_f32(const nk_mean_params *p, const float *input, float *output);
int nk_reduce_max_s8(const nk_mean_params *p, const int8_t *input, int8_t *output);
int nk_reduce_max_s16(const nk_mean_params *p, const int16_t *input, int16_t *output);
int nk_reduce_max_f32(const nk_mean_params *p, const float *input, float *output);
int nk_reduce_min_s8(const nk_mean_params *p, const int8_t *input, int8_t *output);
int nk_reduce_min_s16(const nk_mean_params *p, const int16_t *input, int16_t *output);
int nk_reduce_min_f32(const nk_mean_params *p, const float *input, float *output);
int nk_reduce_prod_f32(const nk_mean_params *p, const float *input, float *output);

/* ------------------------------------------------------- batch matmul */

/* BATCH_MATMUL (TFLM batch_matmul.cc): for each output batch, out[m][n] =
 * sum_k A[m][k] * B[k][n] with A = lhs (rows x depth, or depth x rows when
 * adj_x) and B = rhs (depth x cols, or cols x depth when adj_y).  Batch
 * axes broadcast: batch index i along batch axis d advances lhs by
 * lhs_bstrides[d] matrices (0 = broadcast), rhs likewise.
 * int8: int32 sum of (a - lhs_zp)(b - rhs_zp), MBQM(out_mult, out_shift) +
 * out_zp, clamped to act_min..act_max.  int16 (zero points 0): int64 sum
 * and TFLite's 64-bit MultiplyByQuantizedMultiplier.  float: sum over k
 * in order from 0. */
typedef struct nk_batch_matmul_params {
    int32_t batch_rank;              /* 0..4 */
    int32_t out_bdims[4];
    int32_t lhs_bstrides[4];
    int32_t rhs_bstrides[4];
    int32_t rows, depth, cols;
    int32_t adj_x, adj_y;
    int32_t lhs_zp, rhs_zp, out_zp;
    int32_t out_mult, out_shift;
    int32_t act_min, act_max;
} nk_batch_matmul_params;

int nk_batch_matmul_s8(const nk_batch_matmul_params *p, const int8_t *lhs, const int8_t *rhs,
                       int8_t *output);
int nk_batch_matmul_s16(const nk_batch_matmul_params *p, const int16_t *lhs,
                        const int16_t *rhs, int16_t *output);
int nk_batch_matmul_f32(const nk_batch_matmul_params *p, const float *lhs, const float *rhs,
                        float *output);

#ifdef __cplusplus
}
#endif
#endif /* NEURIO_NK_ARITH_H */

/* firmware/kernels/nk.h — neurio's portable kernels (C99, freestanding).
 *
 * Every kernel takes a parameter struct of plain integers and pointers that
 * the code generator fills at generation time (emitted as `static const`),
 * so an int8 model needs no float math on the device.  The host-side
 * derivation of every fixed-point constant is in libneurio's
 * neurio/requant.h.  No allocation, no libc beyond <string.h>/<stdint.h>;
 * the float kernels that need exp/tanh also use <math.h> (libm).
 *
 * Conventions (all kernels):
 *  - Layout is NHWC for rank-4 activations, C order otherwise.
 *  - Weights: CONV_2D [out_c][kh][kw][in_c] (OHWI); DEPTHWISE_CONV_2D
 *    [1][kh][kw][in_c * depth_multiplier]; FULLY_CONNECTED [out][in].
 *    int8 kernels take int32 biases, float kernels float biases; a NULL
 *    bias means zero.
 *  - Zero points are stored as zero points (real = scale * (q - zp)); the
 *    kernels do the subtraction.  Multipliers/shifts follow TFLite's
 *    QuantizeMultiplier convention: mult in [2^30, 2^31) (or 0), shift > 0
 *    is a left shift, shift < 0 a right shift.
 *  - Padding is already resolved into pad_top/pad_left (SAME/VALID/explicit
 *    all become offsets; see neurio_compute_padding() in requant.h).
 *  - int8 arithmetic is bit-exact with TFLite (Micro)'s reference kernels.
 *  - act_min/act_max: int8 kernels clamp to [act_min, act_max] (the
 *    quantized fused-activation range, -128..127 when none); float kernels
 *    clamp to [act_min_f, act_max_f] (-INFINITY..INFINITY when none; use
 *    -FLT_MAX/FLT_MAX in generated code).
 *  - Every kernel returns NK_OK, or NK_ERR_PARAMS when its parameters are
 *    inconsistent (zero/negative sizes, stride < 1, NULL pointer, ...); it
 *    then writes nothing.  Input and output buffers must not overlap unless
 *    the kernel's comment says in-place is allowed.
 */
#ifndef NEURIO_NK_H
#define NEURIO_NK_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define NK_OK 0
#define NK_ERR_PARAMS (-1)

/* Highest rank for the N-d kernels (binary broadcast, pad, mean). */
#define NK_MAX_DIMS 6

/* ---------------------------------------------------------------- conv */

/* CONV_2D and DEPTHWISE_CONV_2D. */
typedef struct nk_conv_params {
    int32_t batches;
    int32_t in_h, in_w, in_c;
    int32_t out_h, out_w, out_c;     /* depthwise: out_c = in_c * depth_multiplier */
    int32_t filter_h, filter_w;
    int32_t stride_h, stride_w;      /* >= 1 */
    int32_t dilation_h, dilation_w;  /* >= 1 */
    int32_t pad_top, pad_left;       /* resolved offsets, >= 0 */
    int32_t depth_multiplier;        /* depthwise only (>= 1); ignored by conv */
    /* int8 */
    int32_t in_zp;                   /* input zero point (weights are symmetric) */
    int32_t out_zp;
    int32_t per_channel;             /* 1: out_mult/out_shift have out_c entries;
                                        0: one entry for all channels */
    const int32_t *out_mult;
    const int32_t *out_shift;
    int32_t act_min, act_max;
    /* float */
    float act_min_f, act_max_f;
} nk_conv_params;

int nk_conv2d_s8(const nk_conv_params *p, const int8_t *input, const int8_t *filter,
                 const int32_t *bias, int8_t *output);
int nk_conv2d_f32(const nk_conv_params *p, const float *input, const float *filter,
                  const float *bias, float *output);
int nk_depthwise_conv2d_s8(const nk_conv_params *p, const int8_t *input,
                           const int8_t *filter, const int32_t *bias, int8_t *output);
int nk_depthwise_conv2d_f32(const nk_conv_params *p, const float *input,
                            const float *filter, const float *bias, float *output);

/* Pixel-block contract (CONV_2D with more than one filter tap, int8 and
 * float, portable and firmware/kernels/arm/ versions): per batch the output
 * pixels are produced in increasing raster order, all channels of a pixel
 * together, in blocks of at most max(8, 2 * out_w) consecutive pixels;
 * while working on a block that starts at output pixel (oy, ox) a kernel
 * writes only that block's pixels (and earlier ones) and reads only input
 * rows from oy * stride_h - pad_top on.  The memory planner relies on it
 * to place such a conv's output a computed gap below its dying input,
 * overlapping it (sdk/src/plan/planner.c pl_overlap_gap): a kernel that went
 * over the image once per channel group, or columns first, would silently
 * corrupt those plans.  (DEPTHWISE_CONV_2D and 1x1 CONV_2D are not bound by
 * it: the planner never overlaps their buffers.)  Checked on random shapes
 * by tests/planner (portable) and test_nk_arm_dsp_qemu (DSP). */

/* ------------------------------------------------------ fully connected */

/* FULLY_CONNECTED: output[b][o] = sum_d input[b][d] * weights[o][d] + bias[o]. */
typedef struct nk_fc_params {
    int32_t batches;                 /* rows of input (product of leading dims) */
    int32_t in_depth;                /* accumulation depth */
    int32_t out_depth;
    /* int8 */
    int32_t in_zp;
    int32_t filter_zp;               /* weights zero point (0 for int8 symmetric) */
    int32_t out_zp;
    int32_t per_channel;             /* 1: out_depth entries in out_mult/out_shift */
    const int32_t *out_mult;
    const int32_t *out_shift;
    int32_t act_min, act_max;
    /* float */
    float act_min_f, act_max_f;
} nk_fc_params;

int nk_fully_connected_s8(const nk_fc_params *p, const int8_t *input,
                          const int8_t *weights, const int32_t *bias, int8_t *output);
int nk_fully_connected_f32(const nk_fc_params *p, const float *input,
                           const float *weights, const float *bias, float *output);

/* ---------------------------------------------------------------- pool */

/* AVERAGE_POOL_2D and MAX_POOL_2D (int8: input and output share scale/zp,
 * as TFLite requires). */
typedef struct nk_pool_params {
    int32_t batches;
    int32_t in_h, in_w, channels;
    int32_t out_h, out_w;
    int32_t filter_h, filter_w;
    int32_t stride_h, stride_w;
    int32_t pad_top, pad_left;
    int32_t act_min, act_max;        /* int8 */
    float act_min_f, act_max_f;      /* float */
} nk_pool_params;

int nk_avg_pool2d_s8(const nk_pool_params *p, const int8_t *input, int8_t *output);
int nk_avg_pool2d_f32(const nk_pool_params *p, const float *input, float *output);
int nk_max_pool2d_s8(const nk_pool_params *p, const int8_t *input, int8_t *output);
int nk_max_pool2d_f32(const nk_pool_params *p, const float *input, float *output);

/* ------------------------------------------------- element-wise binary */

/* ADD, SUB, MUL with numpy broadcasting.  When broadcast == 0 both inputs
 * and the output have flat_size elements (same shape).  Otherwise the
 * output has shape out_dims[0..rank) and in1/in2 are addressed with element
 * strides in1_strides/in2_strides (0 on a broadcast dimension); shapes of
 * lower rank are left-padded with 1 by the code generator.
 *
 * int8 ADD/SUB (TFLite): each input is (q - zp) << left_shift (20), scaled
 * by in_mult/in_shift; the sum/difference is scaled by out_mult/out_shift,
 * plus out_zp, clamped.  int8 MUL: (q1 - zp1) * (q2 - zp2) scaled by
 * out_mult/out_shift, plus out_zp, clamped (in*_mult/left_shift unused).
 * In-place (output == in1 or in2) is allowed when broadcast == 0. */
typedef struct nk_binary_params {
    int32_t broadcast;
    int32_t flat_size;
    int32_t rank;
    int32_t out_dims[NK_MAX_DIMS];
    int32_t in1_strides[NK_MAX_DIMS];
    int32_t in2_strides[NK_MAX_DIMS];
    /* int8 */
    int32_t left_shift;
    int32_t in1_zp, in1_mult, in1_shift;
    int32_t in2_zp, in2_mult, in2_shift;
    int32_t out_zp, out_mult, out_shift;
    int32_t act_min, act_max;
    /* float */
    float act_min_f, act_max_f;
} nk_binary_params;

int nk_add_s8(const nk_binary_params *p, const int8_t *in1, const int8_t *in2, int8_t *output);
int nk_add_f32(const nk_binary_params *p, const float *in1, const float *in2, float *output);
int nk_sub_s8(const nk_binary_params *p, const int8_t *in1, const int8_t *in2, int8_t *output);
int nk_sub_f32(const nk_binary_params *p, const float *in1, const float *in2, float *output);
int nk_mul_s8(const nk_binary_params *p, const int8_t *in1, const int8_t *in2, int8_t *output);
int nk_mul_f32(const nk_binary_params *p, const float *in1, const float *in2, float *output);

/* ------------------------------------------------------------- softmax */

/* SOFTMAX over the last dimension: `rows` rows of `depth` elements.
 * int8: output scale 1/256, zero point -128 (TFLite's requirement);
 * input_multiplier/input_left_shift/diff_min from
 * neurio_softmax_params_s8().  float: beta.
 * int8 rows are processed in order; a row whose fixed-point sum of
 * exponentials reaches 2^28 (needs depth >= 512) makes the kernel return
 * NK_ERR_PARAMS there (TFLite aborts in that case). */
typedef struct nk_softmax_params {
    int32_t rows;
    int32_t depth;
    int32_t input_multiplier;
    int32_t input_left_shift;
    int32_t diff_min;
    float beta;
} nk_softmax_params;

int nk_softmax_s8(const nk_softmax_params *p, const int8_t *input, int8_t *output);
int nk_softmax_f32(const nk_softmax_params *p, const float *input, float *output);

/* --------------------------------------------------- logistic and tanh */

/* LOGISTIC (int8 output: scale 1/256, zp -128) and TANH (int8 output:
 * scale 1/128, zp 0).  Parameters from neurio_logistic_params_s8() /
 * neurio_tanh_params_s8().  In-place allowed. */
typedef struct nk_sigmoid_params {
    int32_t size;
    int32_t in_zp;
    int32_t in_range_radius;
    int32_t in_mult;
    int32_t in_left_shift;
} nk_sigmoid_params;

int nk_logistic_s8(const nk_sigmoid_params *p, const int8_t *input, int8_t *output);
int nk_logistic_f32(int32_t size, const float *input, float *output);
int nk_tanh_s8(const nk_sigmoid_params *p, const int8_t *input, int8_t *output);
int nk_tanh_f32(int32_t size, const float *input, float *output);

/* ------------------------------------ quantize, requantize, relu family */

/* QUANTIZE float -> int8: q = round_half_away(x / scale) + zp, saturated
 * (TFLite computes x / scale in float). */
typedef struct nk_quantize_params {
    int32_t size;
    float scale;
    int32_t zp;
} nk_quantize_params;

int nk_quantize_f32_s8(const nk_quantize_params *p, const float *input, int8_t *output);

/* DEQUANTIZE int8 -> float: x = (float)((double)scale * (q - zp)). */
int nk_dequantize_s8_f32(const nk_quantize_params *p, const int8_t *input, float *output);

/* QUANTIZE int8 -> int8 (requantize) and standalone int8 RELU/RELU6/
 * RELU_N1_TO_1/CLIP: out = clamp(out_zp + MBQM(q - in_zp, mult, shift),
 * act_min, act_max), with mult/shift = QuantizeMultiplier(in_scale /
 * out_scale).  For a plain requantize act_min/act_max are -128/127.
 * In-place allowed. */
typedef struct nk_requant_params {
    int32_t size;
    int32_t in_zp, out_zp;
    int32_t mult, shift;
    int32_t act_min, act_max;
} nk_requant_params;

int nk_requantize_s8(const nk_requant_params *p, const int8_t *input, int8_t *output);
int nk_relu_s8(const nk_requant_params *p, const int8_t *input, int8_t *output);

/* float RELU/RELU6/RELU_N1_TO_1/CLIP: out = min(max(x, lo), hi).
 * In-place allowed. */
int nk_relu_f32(int32_t size, float lo, float hi, const float *input, float *output);

/* ------------------------------------------------------------- layout */

/* RESHAPE when the planner cannot alias: copies `bytes` (overlap allowed). */
int nk_copy(const void *input, void *output, size_t bytes);

/* PAD (constant): output dims = pad_before + in_dims + pad_after per axis.
 * int8 pads with pad_value (the output zero point for zeros); float with
 * pad_value_f. */
typedef struct nk_pad_params {
    int32_t rank;                    /* 1..NK_MAX_DIMS */
    int32_t in_dims[NK_MAX_DIMS];
    int32_t pad_before[NK_MAX_DIMS];
    int32_t pad_after[NK_MAX_DIMS];
    int32_t pad_value;
    float pad_value_f;
} nk_pad_params;

int nk_pad_s8(const nk_pad_params *p, const int8_t *input, int8_t *output);
int nk_pad_f32(const nk_pad_params *p, const float *input, float *output);

/* CONCATENATION along one axis, for any element type.  outer = product of
 * the dims before the axis; input i contributes in_inner[i] =
 * dims[axis] * product(dims after axis) elements per outer step.  All
 * inputs must share the output's scale/zero point (the code generator
 * inserts a requantize otherwise). */
typedef struct nk_concat_params {
    int32_t n_inputs;
    int32_t outer;
    int32_t elem_size;               /* bytes per element */
    const int32_t *in_inner;         /* [n_inputs] */
} nk_concat_params;

int nk_concat(const nk_concat_params *p, const void *const *inputs, void *output);

/* ---------------------------------------------------------------- mean */

/* MEAN over the axes with reduce[axis] == 1 (output keeps those axes as 1;
 * keep_dims only changes the output's shape, not its data).
 * int8: in_zp/out_zp and mult/shift from neurio_mean_params_s8(): the sum
 * of (q - in_zp) over `count` elements is scaled by mult/shift (which
 * include 1/count and in_scale/out_scale), plus out_zp, clamped, as
 * TFLite (Micro)'s QuantizedMeanOrSum.  If mult == 0 (input and output
 * share scale and zero point) the int8 result is TFLite's plain integer
 * mean instead: sum(q) / count with C truncation. */
typedef struct nk_mean_params {
    int32_t rank;                    /* 1..NK_MAX_DIMS */
    int32_t in_dims[NK_MAX_DIMS];
    int32_t reduce[NK_MAX_DIMS];     /* 1 = reduce this axis */
    int32_t in_zp, out_zp;
    int32_t mult, shift;
} nk_mean_params;

int nk_mean_s8(const nk_mean_params *p, const int8_t *input, int8_t *output);
int nk_mean_f32(const nk_mean_params *p, const float *input, float *output);

/* ==================================================================
 * The extended operator set (issue 13).  Integer arithmetic follows TFLite
 * Micro's reference kernels (tensorflow/lite/kernels/internal/reference and
 * tensorflow/lite/micro/kernels); where TFLM has no integer kernel for an
 * op the comment says which arithmetic neurio defines instead.
 * ================================================================== */

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

/* ------------------------------------------------------ layout (any type) */

/* SLICE (and any per-axis strided window): output index o along axis d
 * reads input index begin[d] + o * step[d]; step may be negative, every
 * index read must lie inside in_dims (checked).  elem_size bytes/element. */
typedef struct nk_slice_params {
    int32_t rank;                    /* 1..NK_MAX_DIMS */
    int32_t in_dims[NK_MAX_DIMS];
    int32_t begin[NK_MAX_DIMS];
    int32_t step[NK_MAX_DIMS];       /* 1 for SLICE */
    int32_t out_dims[NK_MAX_DIMS];
    int32_t elem_size;
} nk_slice_params;

int nk_slice(const nk_slice_params *p, const void *input, void *output);

/* TRANSPOSE: out dims[i] = in_dims[perm[i]] (perm a permutation of 0..rank). */
typedef struct nk_transpose_params {
    int32_t rank;
    int32_t in_dims[NK_MAX_DIMS];
    int32_t perm[NK_MAX_DIMS];
    int32_t elem_size;
} nk_transpose_params;

int nk_transpose(const nk_transpose_params *p, const void *input, void *output);

/* SPLIT, SPLIT_V and UNPACK: the inverse of nk_concat.  For each of `outer`
 * steps, output i receives out_inner[i] consecutive elements in turn. */
typedef struct nk_split_params {
    int32_t n_outputs;
    int32_t outer;
    int32_t elem_size;
    const int32_t *out_inner;        /* [n_outputs] */
} nk_split_params;

int nk_split(const nk_split_params *p, const void *input, void *const *outputs);

/* CONCATENATION of int8 inputs whose quantization differs from the
 * output's: input i with rq[i].mult == 0 is copied; otherwise each value
 * becomes clamp(out_zp + MBQM(q - rq[i].in_zp, mult, shift)) (TFLite's
 * int8 requantize).  TFLite requires equal quantization for int8 concat and
 * TFLM copies raw bytes; this is neurio's arithmetic for mixed inputs
 * (e.g. from ONNX QDQ graphs), equal to a QUANTIZE before the concat. */
typedef struct nk_concat_requant {
    int32_t in_zp, mult, shift;
} nk_concat_requant;

int nk_concat_s8_requant(const nk_concat_params *p, const nk_concat_requant *rq, int32_t out_zp,
                         const int8_t *const *inputs, int8_t *output);

/* GATHER (TFLM gather.cc): for b < batches, o < outer, c < coords:
 * out[((b*outer + o)*coords + c)*inner ..] = in[((b*outer + o)*axis_size +
 * idx[b*coords + c])*inner ..].  Indices are int32 (index_size 4) or int64
 * (8); one outside [0, axis_size) makes the kernel return NK_ERR_PARAMS
 * (TFLM fails the same way) before anything is written. */
typedef struct nk_gather_params {
    int32_t batches, outer, axis_size, coords, inner;
    int32_t elem_size;
    int32_t index_size;
} nk_gather_params;

int nk_gather(const nk_gather_params *p, const void *input, const void *indices, void *output);

/* DEPTH_TO_SPACE / SPACE_TO_DEPTH (NHWC, TFLite's DCR order).  Dimensions
 * are the input's; depth_to_space needs in_c % (block*block) == 0,
 * space_to_depth in_h and in_w multiples of block. */
typedef struct nk_space_depth_params {
    int32_t batches, in_h, in_w, in_c;
    int32_t block;
    int32_t elem_size;
} nk_space_depth_params;

int nk_depth_to_space(const nk_space_depth_params *p, const void *input, void *output);
int nk_space_to_depth(const nk_space_depth_params *p, const void *input, void *output);

/* SELECT / SELECT_V2: out = cond ? x : y with broadcasting through element
 * strides (0 on a broadcast axis; SELECT's rank-1 condition is a stride on
 * axis 0 only).  cond is bool (one byte, non-zero = true). */
typedef struct nk_select_params {
    int32_t rank;                    /* 1..NK_MAX_DIMS */
    int32_t out_dims[NK_MAX_DIMS];
    int32_t cond_strides[NK_MAX_DIMS];
    int32_t x_strides[NK_MAX_DIMS];
    int32_t y_strides[NK_MAX_DIMS];
    int32_t elem_size;
} nk_select_params;

int nk_select(const nk_select_params *p, const uint8_t *cond, const void *x, const void *y,
              void *output);

/* -------------------------------------------------------------- resize */

/* RESIZE_NEAREST_NEIGHBOR (any type) and RESIZE_BILINEAR, NHWC, TFLite's
 * index arithmetic (float scale for nearest and float bilinear, the 10-bit
 * fixed-point scale of ResizeBilinearInteger for int8/int16). */
typedef struct nk_resize_params {
    int32_t batches, in_h, in_w, channels;
    int32_t out_h, out_w;
    int32_t align_corners, half_pixel_centers;
    int32_t elem_size;               /* nearest only */
} nk_resize_params;

int nk_resize_nearest(const nk_resize_params *p, const void *input, void *output);
int nk_resize_bilinear_s8(const nk_resize_params *p, const int8_t *input, int8_t *output);
int nk_resize_bilinear_s16(const nk_resize_params *p, const int16_t *input, int16_t *output);
int nk_resize_bilinear_f32(const nk_resize_params *p, const float *input, float *output);

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
/* Stateful sequence kernels (SVDF, LSTM) and TFLite Micro's Signal ops. */
#include "nk_seq.h"
#include "nk_signal.h"

#endif /* NEURIO_NK_H */

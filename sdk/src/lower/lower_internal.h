/* sdk/src/lower/lower_internal.h — what the lowering functions of one op
 * family (lower_conv.c, lower_eltwise.c, lower_layout.c) share. */
#ifndef NEURIO_SRC_LOWER_INTERNAL_H
#define NEURIO_SRC_LOWER_INTERNAL_H

#include "lower/lower.h"
#include "neurio/requant.h"

typedef struct lw_ctx {
    const neurio_model *m;
    int32_t oi;            /* op index                                    */
    const neurio_op *op;
    lw_op *out;
    neurio_errbuf *err;
} lw_ctx;

/* Fail with "op 3 (CONV_2D) 'name': <msg>"; returns status. */
int lw_fail(lw_ctx *c, int status, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Turns a failed requant.h call (rc != 0, message in e) into an op message. */
int lw_rq(lw_ctx *c, int rc, const neurio_errbuf *e);

static inline const neurio_tensor *lw_t(const lw_ctx *c, int32_t t)
{
    return &c->m->tensors[t];
}

/* Input k, which must exist: its tensor index, or -1 after failing (*rc). */
int32_t lw_in(lw_ctx *c, int32_t k, int *rc);
/* Inputs 0..n-1, which must exist, into in[]; the output into *y; when dt
 * is not NULL, the dtype input 0 and the output share (lw_same_dtype). */
int lw_operands(lw_ctx *c, int32_t n, int32_t *in, int32_t *y, neurio_dtype *dt);
/* The ops over the last axis (softmaxes, L2 norm): tensor t as `rows`
 * rows of `depth` values; NEURIO_ERR_INVALID "bad input shape" when its
 * elements are not a whole number of rows. */
int lw_last_axis(lw_ctx *c, int32_t t, int32_t *rows, int32_t *depth);
/* Their common start: one input and one output of a dtype with kernels
 * (lw_operands), the input as rows of depth values (lw_last_axis). */
int lw_rows_op(lw_ctx *c, int32_t *x, int32_t *y, neurio_dtype *dt, int32_t *rows,
               int32_t *depth);
/* int8 ops whose output quantization TFLite fixes (softmaxes, L2 norm,
 * logistic, tanh): input x's scale and zero point into *xs, *xz; output
 * y's must be exactly scale 1/den (num = 1) or num/den, and zero point zp. */
int lw_fixed_out_s8(lw_ctx *c, int32_t x, int32_t y, int num, int den, int32_t zp, float *xs,
                    int32_t *xz);
/* Input k if present, else -1 (optional inputs: bias, pad value). */
int32_t lw_opt_in(const lw_ctx *c, int32_t k);
/* Input 0 and output 0 share a dtype that has kernels (int8 or float32). */
int lw_same_dtype(lw_ctx *c, neurio_dtype *dt);
/* Tensor t has rank 4 (NHWC); `what` names it in the message. */
int lw_rank4(lw_ctx *c, int32_t t, const char *what);
/* One positive per-tensor scale and its zero point (int8 activations). */
int lw_q1(lw_ctx *c, int32_t t, float *scale, int32_t *zp);
/* Quantized fused-activation range of an int8 output (requant.h). */
void lw_act_s8(neurio_activation a, float scale, int32_t zp, int32_t *lo, int32_t *hi);

/* int32 fused-activation range (TFLite's CalculateActivationRange on
 * int32: RELU -> [0, max], RELU6 -> [0, 6], RELU_N1_TO_1 -> [-1, 1]). */
void lw_act_s32(neurio_activation a, int32_t *lo, int32_t *hi);
/* Same per-tensor quantization (or none) on tensors a and b, else fails
 * (UNSUPPORTED) naming both. */
int lw_same_quant(lw_ctx *c, int32_t a, int32_t b);

/* Sets the kernel and its n tensor operands (in call order, output last;
 * -1 = NULL).  NEURIO_OK or NOMEM. */
int lw_set(lw_ctx *c, lw_kernel k, int32_t n, const int32_t *args);
/* A new zeroed int32 array k (< LW_MAX_ARRAYS) of n entries owned by the
 * lowered op, or NULL after failing (NOMEM). */
int32_t *lw_array_new(lw_ctx *c, int k, const char *tag, int32_t n);
/* Element i of an int32/int64 constant tensor. */
int64_t lw_const_int(const neurio_tensor *t, size_t i);

/* Shared by the conv-family lowerings (lower_conv.c, lower_tconv.c). */
/* Input x and output y share a dtype with conv kernels: int8, int16 (int16x8)
 * or float32. */
int lw_conv_dtype(lw_ctx *c, int32_t x, int32_t y, neurio_dtype *dt);
/* 0 int8, 1 int16, 2 float32: the column of a kernel table. */
int lw_dt_index(neurio_dtype dt);
/* The bias dtype of a conv/fc with activations dt: int32, int64, float32. */
neurio_dtype lw_bias_dtype(neurio_dtype dt);
/* The bias of a conv/fc with activations dt: absent, of lw_bias_dtype(dt),
 * or (int16x8 only) of dtype alt, which sets *use_alt. */
int lw_bias16(lw_ctx *c, int32_t b, neurio_dtype dt, neurio_dtype alt, int *use_alt);
/* The bias of a conv/fc: absent, or of dtype `want`. */
int lw_bias(lw_ctx *c, int32_t b, neurio_dtype want);
/* 1 when a bias-less (b < 0) int16x8 CONV_2D / FULLY_CONNECTED takes the
 * int32 accumulator: its options' quantized_bias_type is INT32 (TFLite
 * Micro's rule, lower_conv.c). */
int lw_biasless_acc32(neurio_dtype dt, int32_t b, neurio_dtype quantized_bias_type);
/* Weights of the activations' dtype (int8 for int16x8; no hybrid layers). */
int lw_weights_dtype(lw_ctx *c, int32_t w, neurio_dtype dt);
/* An int16 tensor's zero point must be 0 (int16x8). */
int lw_zp0_s16(lw_ctx *c, neurio_dtype dt, int32_t t, int32_t zp);
/* Quantized fused-activation range of an int8 or int16 output. */
void lw_act_q(lw_ctx *c, neurio_dtype dt, neurio_activation a, float scale, int32_t zp,
              int32_t *lo, int32_t *hi);
/* Per-output-channel multipliers for conv/fc (requant.h) into arrays 0
 * ("m") and 1 ("s"); *per_channel tells whether there is one per channel. */
int lw_channel_mults(lw_ctx *c, float in_s, int32_t w, float out_s, int32_t n_ch,
                     int is_fc, int32_t *per_channel);
/* The quantization of a conv-like op into p (zero points, multipliers,
 * activation range; float: the float range). */
int lw_conv_quant(lw_ctx *c, neurio_dtype dt, int32_t x, int32_t w, int32_t y, int32_t n_ch,
                  neurio_activation act, nk_conv_params *p);

/* One lowering function per op family; each fills c->out. */
int lw_conv(lw_ctx *c, int depthwise);
int lw_fc(lw_ctx *c);
int lw_pool(lw_ctx *c, int is_max);
int lw_binary(lw_ctx *c);
int lw_softmax(lw_ctx *c);
int lw_sigmoid(lw_ctx *c, int is_tanh);
int lw_quantize(lw_ctx *c);
int lw_relu(lw_ctx *c);
int lw_reshape(lw_ctx *c);
int lw_pad(lw_ctx *c);
int lw_concat(lw_ctx *c);
int lw_mean(lw_ctx *c);
int lw_transpose_conv(lw_ctx *c);
/* Broadcast geometry of a binary op (a, b -> y) into p (flat size, or
 * rank, output dims and both inputs' strides); the inputs share a dtype. */
int lw_binary_shape(lw_ctx *c, int32_t a, int32_t b, int32_t y, nk_binary_params *p);
/* int16 activations and LEAKY_RELU (lower_wide.c): ADD/SUB/PAD on int16,
 * QUANTIZE/DEQUANTIZE between int8, int16, int32 and float32. */
int lw_wide(lw_ctx *c);
/* int16 LOGISTIC/TANH and SOFTMAX int16 -> int16 (lower_act16.c). */
int lw_sigmoid_s16(lw_ctx *c, int is_tanh);
int lw_softmax_s16(lw_ctx *c);
int lw_leaky_relu(lw_ctx *c);
/* STRIDED_SLICE (lower_slice.c). */
int lw_strided_slice(lw_ctx *c);
/* The extended operator set (issue 13): lower_move.c */
int lw_slice(lw_ctx *c);
int lw_transpose(lw_ctx *c);
int lw_split(lw_ctx *c);
int lw_pack(lw_ctx *c);
int lw_gather(lw_ctx *c);
int lw_space_depth(lw_ctx *c);
int lw_select(lw_ctx *c);
int lw_resize(lw_ctx *c);
int lw_cast(lw_ctx *c);
/* lower_math.c */
int lw_binary_ext(lw_ctx *c);
int lw_unary_ext(lw_ctx *c);
int lw_hard_swish(lw_ctx *c);
int lw_log_softmax(lw_ctx *c);
int lw_l2norm(lw_ctx *c);
int lw_bmm(lw_ctx *c);
/* SVDF, LSTM and the Signal ops (lower_state.c derives their parameters). */
int lw_state(lw_ctx *c);

#endif /* NEURIO_SRC_LOWER_INTERNAL_H */

/* sdk/include/neurio/model.h — neurio's graph IR.
 *
 * Every importer (TFLite, ONNX) produces a neurio_model; every plugin's
 * prepare/codegen consumes one.  Conventions:
 *   - Activations are NHWC for rank-4 tensors (TFLite's layout).  The ONNX
 *     importer converts NCHW graphs to this layout.
 *   - Weights: CONV_2D [out_c, kh, kw, in_c] (OHWI); DEPTHWISE_CONV_2D
 *     [1, kh, kw, in_c * depth_multiplier]; FULLY_CONNECTED [out, in].
 *     Biases are int32 for int8 ops, float32 for float ops.
 *   - Tensors and ops are referred to by index (int32_t); -1 means "absent"
 *     (e.g. no bias).  Constant tensors carry their data; activations do not.
 *   - Graph rewriting: passes mark ops as removed (op->removed = 1) and/or add
 *     new tensors/ops at the end, then call neurio_model_compact(), which
 *     drops removed ops and unreferenced tensors and renumbers everything in
 *     topological order.  Indices held across a compact() are invalid.
 *
 * Ownership: a neurio_model owns every string, array and data buffer it
 * points to; neurio_model_free() releases them all.  Pointers into a model
 * (tensors, ops, data) stay valid until the next call that adds tensors or
 * ops, compact(), or free().
 */
#ifndef NEURIO_MODEL_H
#define NEURIO_MODEL_H

#include "neurio/api.h"

#include <stddef.h>
#include <stdint.h>

#include "neurio/status.h"

#ifdef __cplusplus
extern "C" {
#endif

#define NEURIO_MAX_RANK 6

typedef enum neurio_dtype {
    NEURIO_DT_UNKNOWN = 0,
    NEURIO_DT_FLOAT32,
    NEURIO_DT_INT8,
    NEURIO_DT_UINT8,
    NEURIO_DT_INT16,
    NEURIO_DT_INT32,
    NEURIO_DT_INT64,
    NEURIO_DT_BOOL,
    NEURIO_DT_FLOAT64,    /* .npy data only; never a model tensor dtype */
    NEURIO_DT_UINT32,     /* TFLite Micro's Signal ops (energies, filter banks) */
    NEURIO_DT_UINT64
} neurio_dtype;

/* Bytes per element (0 for UNKNOWN) and the lower-case name ("int8"). */
NEURIO_API size_t neurio_dtype_size(neurio_dtype dt);
NEURIO_API const char *neurio_dtype_name(neurio_dtype dt);

/* Quantization: real = scale * (q - zero_point).
 * count == 0: not quantized; 1: per-tensor; > 1: per-channel along `axis`
 * (count must equal dims[axis]). */
typedef struct neurio_quant {
    int32_t count;
    int32_t axis;
    float *scale;        /* [count], owned by the model */
    int32_t *zero_point; /* [count], owned by the model */
} neurio_quant;

typedef struct neurio_tensor {
    char *name;                    /* never NULL; may be ""               */
    neurio_dtype dtype;
    int32_t rank;                  /* 0..NEURIO_MAX_RANK                  */
    int32_t dims[NEURIO_MAX_RANK];
    neurio_quant quant;
    void *data;                    /* constant contents, C order, or NULL */
    size_t data_bytes;
    int32_t producer;              /* op index or -1 (input or constant); kept
                                      up to date by add_op and compact     */
    int32_t is_variable;           /* 1: state an op reads and updates in
                                      place, kept across inferences (TFLite
                                      variable tensors: SVDF's activation
                                      state, LSTM's hidden and cell state;
                                      the Signal ops' noise estimate).  No
                                      producer, no data; planned in the
                                      arena's state prefix and reset to
                                      zero (int8: its zero point) before
                                      each sample unless the run is
                                      stateful. */
} neurio_tensor;

typedef enum neurio_op_kind {
    NEURIO_OP_CONV_2D = 0,
    NEURIO_OP_DEPTHWISE_CONV_2D,
    NEURIO_OP_FULLY_CONNECTED,
    NEURIO_OP_AVERAGE_POOL_2D,
    NEURIO_OP_MAX_POOL_2D,
    NEURIO_OP_ADD,
    NEURIO_OP_SUB,
    NEURIO_OP_MUL,
    NEURIO_OP_SOFTMAX,
    NEURIO_OP_RESHAPE,
    NEURIO_OP_PAD,
    NEURIO_OP_CONCATENATION,
    NEURIO_OP_MEAN,
    NEURIO_OP_QUANTIZE,
    NEURIO_OP_DEQUANTIZE,
    NEURIO_OP_LOGISTIC,
    NEURIO_OP_TANH,
    NEURIO_OP_RELU,
    NEURIO_OP_RELU6,
    NEURIO_OP_CLIP,          /* min/max in attr.clip (ONNX Clip)             */
    NEURIO_OP_TRANSPOSE,     /* attr.transpose.perm                          */
    NEURIO_OP_BATCH_NORM,    /* inputs: x, scale, bias, mean, var (ONNX);
                                folded away by the optimizer                 */
    NEURIO_OP_MATMUL,        /* general A x B, both may be activations       */
    /* Stateful sequence ops (inputs as TFLite's; the state inputs are
     * variable tensors).  SVDF: x, weights_feature, weights_time, bias (-1
     * when absent), activation_state.  LSTM (UNIDIRECTIONAL_SEQUENCE_LSTM):
     * TFLite's 24 inputs (x; input-to-{input,forget,cell,output} weights;
     * recurrent-to-... weights; 3 peephole; 4 gate biases; projection
     * weights and bias; output_state; cell_state; 4 layer norms). */
    NEURIO_OP_SVDF,          /* attr.svdf                                    */
    NEURIO_OP_LSTM,          /* attr.lstm                                    */
    /* TFLite Micro's Signal library custom ops (attr.signal).  Inputs and
     * outputs as TFLite Micro's kernels, except
     * SIGNAL_FILTER_BANK_SPECTRAL_SUBTRACTION, whose noise estimate (an op
     * buffer in TFLite Micro) the importer adds as a variable input 1. */
    NEURIO_OP_SIGNAL_WINDOW,
    NEURIO_OP_SIGNAL_RFFT,
    NEURIO_OP_SIGNAL_FFT_AUTO_SCALE,
    NEURIO_OP_SIGNAL_ENERGY,
    NEURIO_OP_SIGNAL_FILTER_BANK,
    NEURIO_OP_SIGNAL_FILTER_BANK_SQRT,
    NEURIO_OP_SIGNAL_SPECTRAL_SUBTRACTION,
    NEURIO_OP_SIGNAL_FILTER_BANK_LOG,
    NEURIO_OP_SIGNAL_PCAN,
    /* TRANSPOSE_CONV (attr.conv: strides, padding, activation; no
     * dilation): inputs x, weights [out_c][kh][kw][in_c], bias (-1 when
     * absent), output_shape (int32 [4], -1 when absent; not read: the
     * output tensor's shape rules).  The TFLite importer reorders TFLite's
     * (output_shape, weights, x, bias) into this order. */
    NEURIO_OP_TRANSPOSE_CONV,
    NEURIO_OP_LEAKY_RELU,    /* attr.leaky_relu.alpha: x >= 0 ? x : alpha * x */
    /* STRIDED_SLICE: inputs x, begin, end, strides (constant int32 vectors
     * of one length <= rank + new axes), masks in attr.strided_slice, with
     * TFLite's meaning (bit i refers to entry i of begin/end/strides). */
    NEURIO_OP_STRIDED_SLICE,
    /* The extended operator set (issue 13).  Inputs as TFLite's unless
     * said; attributes in attr.ext unless said.  SPLIT's inputs are
     * reordered by the importer to (x) with attr.ext.axis; SPLIT_V: x
     * (sizes from the outputs' shapes); SLICE: x, begin, size (constant);
     * RESIZE_*: x, size (output shape authoritative); SELECT: cond, x, y
     * (TFLite's SELECT and SELECT_V2). */
    NEURIO_OP_SLICE,
    NEURIO_OP_SPLIT,         /* attr.ext.axis                                */
    NEURIO_OP_SPLIT_V,       /* attr.ext.axis                                */
    NEURIO_OP_UNPACK,        /* attr.ext.axis                                */
    NEURIO_OP_PACK,          /* attr.ext.axis                                */
    NEURIO_OP_GATHER,        /* x, indices; attr.ext.axis, batch_dims        */
    NEURIO_OP_DEPTH_TO_SPACE, /* attr.ext.block                              */
    NEURIO_OP_SPACE_TO_DEPTH, /* attr.ext.block                              */
    NEURIO_OP_SELECT,
    NEURIO_OP_RESIZE_NEAREST, /* attr.ext.align_corners, half_pixel_centers  */
    NEURIO_OP_RESIZE_BILINEAR,
    NEURIO_OP_HARD_SWISH,
    NEURIO_OP_PRELU,         /* x, alpha                                     */
    NEURIO_OP_LOG_SOFTMAX,
    NEURIO_OP_L2_NORMALIZATION,
    NEURIO_OP_DIV,           /* attr.eltwise.activation                      */
    NEURIO_OP_SQUARED_DIFFERENCE,
    NEURIO_OP_MAXIMUM,
    NEURIO_OP_MINIMUM,
    NEURIO_OP_EQUAL,
    NEURIO_OP_NOT_EQUAL,
    NEURIO_OP_LESS,
    NEURIO_OP_LESS_EQUAL,
    NEURIO_OP_GREATER,
    NEURIO_OP_GREATER_EQUAL,
    NEURIO_OP_LOGICAL_AND,
    NEURIO_OP_LOGICAL_OR,
    NEURIO_OP_LOGICAL_NOT,
    NEURIO_OP_ABS,
    NEURIO_OP_NEG,
    NEURIO_OP_RSQRT,
    NEURIO_OP_SQRT,
    NEURIO_OP_EXP,
    NEURIO_OP_LOG,
    NEURIO_OP_CAST,          /* dtypes from the tensors                      */
    NEURIO_OP_SUM,           /* attr.mean (axes, keep_dims)                  */
    NEURIO_OP_REDUCE_MAX,    /* attr.mean                                    */
    NEURIO_OP_REDUCE_MIN,    /* attr.mean                                    */
    NEURIO_OP_BATCH_MATMUL,  /* attr.ext.adj_x, adj_y                        */
    NEURIO_OP_SQUEEZE,       /* output shape authoritative (as RESHAPE)      */
    NEURIO_OP_EXPAND_DIMS,   /* output shape authoritative (as RESHAPE)      */
    NEURIO_OP_COUNT
} neurio_op_kind;

/* Upper-case TFLite-style name ("CONV_2D"); "UNKNOWN" if out of range. */
NEURIO_API const char *neurio_op_name(neurio_op_kind kind);

typedef enum neurio_activation {
    NEURIO_ACT_NONE = 0,
    NEURIO_ACT_RELU,
    NEURIO_ACT_RELU6,
    NEURIO_ACT_RELU_N1_TO_1
} neurio_activation;

typedef enum neurio_padding {
    NEURIO_PAD_VALID = 0,
    NEURIO_PAD_SAME,
    NEURIO_PAD_EXPLICIT      /* attr.*.pad = {top, left, bottom, right}      */
} neurio_padding;

typedef struct neurio_conv_attr {      /* CONV_2D, DEPTHWISE_CONV_2D        */
    int32_t stride_h, stride_w;
    int32_t dilation_h, dilation_w;
    neurio_padding padding;
    int32_t pad[4];                    /* top, left, bottom, right          */
    int32_t depth_multiplier;          /* depthwise only, >= 1              */
    neurio_activation activation;
    /* TFLite's Conv2DOptions.quantized_bias_type (CONV_2D): INT32 or INT64
     * when the file says, UNKNOWN otherwise; picks the int16x8 accumulator
     * of a bias-less layer (lower/lower_conv.c) */
    neurio_dtype quantized_bias_type;
} neurio_conv_attr;

typedef struct neurio_pool_attr {      /* AVERAGE_POOL_2D, MAX_POOL_2D      */
    int32_t filter_h, filter_w;
    int32_t stride_h, stride_w;
    neurio_padding padding;
    int32_t pad[4];
    neurio_activation activation;
} neurio_pool_attr;

typedef struct neurio_op {
    neurio_op_kind kind;
    int32_t n_inputs;
    int32_t *inputs;    /* [n_inputs] tensor indices, -1 = absent optional  */
    int32_t n_outputs;
    int32_t *outputs;   /* [n_outputs] tensor indices                       */
    int32_t removed;    /* set by rewrite passes; dropped by compact()      */
    char *name;         /* source node name or "" (for messages)            */
    union {
        neurio_conv_attr conv;
        neurio_pool_attr pool;
        struct {
            neurio_activation activation;
            int32_t keep_num_dims;
            neurio_dtype quantized_bias_type; /* as conv.quantized_bias_type */
        } fc;
        struct { neurio_activation activation; } eltwise;  /* ADD SUB MUL   */
        struct { int32_t axis; neurio_activation activation; } concat;
        struct { float beta; } softmax;
        struct { int32_t keep_dims; int32_t n_axes; int32_t axes[NEURIO_MAX_RANK]; } mean;
        struct { float min, max; } clip;
        struct { int32_t perm[NEURIO_MAX_RANK]; } transpose;
        struct { float epsilon; } batch_norm;
        struct { int32_t rank; neurio_activation activation; } svdf;
        struct { int32_t time_major; float cell_clip; float proj_clip; } lstm;
        struct { float alpha; } leaky_relu;
        struct {
            int32_t begin_mask, end_mask, ellipsis_mask, new_axis_mask, shrink_axis_mask;
            int32_t offset;          /* 1: end is begin + end (TFLite's offset) */
        } strided_slice;
        struct {                     /* custom options of the Signal ops */
            int32_t shift;           /* WINDOW                              */
            int32_t fft_length;      /* RFFT                                */
            int32_t start_index, end_index;   /* ENERGY                     */
            int32_t num_channels;    /* FILTER_BANK, SPECTRAL_SUBTRACTION   */
            int32_t smoothing, one_minus_smoothing;       /* SPECTRAL_...    */
            int32_t alternate_smoothing, alternate_one_minus_smoothing;
            int32_t min_signal_remaining, smoothing_bits;
            int32_t spectral_subtraction_bits, clamping;
            int32_t input_correction_bits, output_scale;  /* FILTER_BANK_LOG */
            int32_t snr_shift;       /* PCAN                                */
        } signal;
        struct {                     /* the extended ops (issue 13)          */
            int32_t axis;            /* SPLIT, SPLIT_V, PACK, UNPACK, GATHER */
            int32_t batch_dims;      /* GATHER                               */
            int32_t block;           /* DEPTH_TO_SPACE, SPACE_TO_DEPTH       */
            int32_t align_corners, half_pixel_centers;    /* RESIZE_*         */
            int32_t adj_x, adj_y;    /* BATCH_MATMUL                         */
        } ext;
        /* PAD: paddings come from the constant input tensor 1 ([rank, 2]).
         * RESHAPE: the target shape is the output tensor's shape. */
    } attr;
} neurio_op;

typedef struct neurio_model {
    char *name;          /* C-identifier-safe, from the file name ("kws")  */
    char *source;        /* path the model was imported from, or ""        */
    char *format;        /* "tflite", "onnx", or "" for built graphs       */
    char *description;   /* free text from the file, or ""                 */
    neurio_tensor *tensors;
    int32_t n_tensors;
    neurio_op *ops;      /* in execution (topological) order               */
    int32_t n_ops;
    int32_t *inputs;     /* graph inputs (tensor indices)                  */
    int32_t n_inputs;
    int32_t *outputs;    /* graph outputs                                  */
    int32_t n_outputs;
    void *priv;          /* libneurio-internal bookkeeping; do not touch   */
} neurio_model;

/* --- construction ------------------------------------------------------ */

/* New empty model.  name is sanitized into a C identifier.  NULL on ENOMEM. */
NEURIO_API neurio_model *neurio_model_new(const char *name);
NEURIO_API void neurio_model_free(neurio_model *m);

/* Append a tensor; returns its index, or -1 on ENOMEM / bad rank.  dims may be
 * NULL for rank 0.  name is copied (NULL → ""). */
NEURIO_API int32_t neurio_model_add_tensor(neurio_model *m, const char *name,
                                neurio_dtype dtype, int32_t rank,
                                const int32_t *dims);
/* Copy `bytes` bytes of constant data into tensor t (replacing any). */
NEURIO_API int neurio_tensor_set_data(neurio_model *m, int32_t t, const void *data,
                           size_t bytes);
/* Copy quantization parameters (count 0 clears). */
NEURIO_API int neurio_tensor_set_quant(neurio_model *m, int32_t t, int32_t count,
                            int32_t axis, const float *scale,
                            const int32_t *zero_point);

/* Append an op; inputs/outputs are copied; sets outputs' producer.  Returns
 * the op index or -1 on ENOMEM.  Attributes are set through the returned
 * index: m->ops[i].attr.conv = ...  (zeroed initially, with stride/dilation/
 * depth_multiplier defaulted to 1). */
NEURIO_API int32_t neurio_model_add_op(neurio_model *m, neurio_op_kind kind,
                            int32_t n_inputs, const int32_t *inputs,
                            int32_t n_outputs, const int32_t *outputs);
NEURIO_API int neurio_model_set_io(neurio_model *m, int32_t n_inputs,
                        const int32_t *inputs, int32_t n_outputs,
                        const int32_t *outputs);

/* Drop removed ops and unreferenced tensors, sort ops topologically,
 * renumber, recompute producers.  Fails (NEURIO_ERR_INVALID) on a cycle. */
NEURIO_API int neurio_model_compact(neurio_model *m, neurio_errbuf *err);

/* Deep copy; NULL on ENOMEM. */
NEURIO_API neurio_model *neurio_model_clone(const neurio_model *m);

/* --- queries ----------------------------------------------------------- */

NEURIO_API size_t neurio_tensor_elements(const neurio_tensor *t);
NEURIO_API size_t neurio_tensor_bytes(const neurio_tensor *t);
static inline int neurio_tensor_is_const(const neurio_tensor *t)
{
    return t->data != NULL;
}
/* Ops (not removed) that read tensor t, written to out[0..max); returns the
 * total count (may exceed max). */
NEURIO_API int32_t neurio_model_consumers(const neurio_model *m, int32_t t, int32_t *out,
                               int32_t max);
/* Multiply-accumulates of one op: one per weight use in CONV_2D,
 * DEPTHWISE_CONV_2D, FULLY_CONNECTED (and MATMUL); 0 for other ops. */
NEURIO_API uint64_t neurio_op_macs(const neurio_model *m, const neurio_op *op);

/* Structural checks: indices in range, shapes/dtypes consistent per op,
 * quantization present on int8/uint8/int16 activations and weights, no
 * dangling tensors, inputs/outputs set, no cycle.  On failure writes e.g.
 * "op 3 (CONV_2D): weights tensor 7 'conv1/w' is float32, expected int8". */
NEURIO_API int neurio_model_validate(const neurio_model *m, neurio_errbuf *err);

/* SHA-256 over a canonical serialization of the model (tensors, constants,
 * quantization, ops, attributes, io).  Equal graphs give equal hashes. */
NEURIO_API int neurio_model_sha256(const neurio_model *m, uint8_t digest[32]);

/* The same hash as 64 lower-case hex digits and a NUL in hex[65] (the form
 * the link's hello, the generated code and the result store carry).  On
 * failure hex is "" and the status of neurio_model_sha256 is returned.
 * Hashing walks every constant: compute it once per prepared model and hand
 * the text on (a plugin gets it from host->model_sha256). */
NEURIO_API int neurio_model_sha256_hex(const neurio_model *m, char hex[65]);

/* --- import ------------------------------------------------------------ */

/* Every float32 constant (weights, biases) finite.  NEURIO_OK, or
 * NEURIO_ERR_INVALID naming the tensor, the element and the value. */
NEURIO_API int neurio_model_check_finite(const neurio_model *m, neurio_errbuf *err);

/* Names and descriptions come from the file: rewrite every control
 * character (ESC, CR, LF, ...) in the model's name, description, tensor and
 * op names as "\xNN" so none reaches a terminal, a log, a report or a
 * generated comment.  neurio_model_load() does it; call it after the
 * format-specific loaders.  NEURIO_OK or NEURIO_ERR_NOMEM. */
NEURIO_API int neurio_model_escape_strings(neurio_model *m);

/* Load a model file, choosing the importer by content (TFLite identifier
 * "TFL3", else ONNX protobuf) and falling back to the extension.  On success
 * *out is a validated model owned by the caller. */
NEURIO_API int neurio_model_load(const char *path, neurio_model **out, neurio_errbuf *err);

#ifdef __cplusplus
}
#endif
#endif /* NEURIO_MODEL_H */

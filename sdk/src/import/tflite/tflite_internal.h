/* sdk/src/import/tflite/tflite_internal.h — libneurio-internal pieces shared by the TFLite
 * importer (tflite.c) and its operator conversion (tflite_options.c). */
#ifndef NEURIO_SDK_TFLITE_INTERNAL_H
#define NEURIO_SDK_TFLITE_INTERNAL_H

#include <stdint.h>

#include "flatbuf.h"
#include "neurio/model.h"

/* BuiltinOperator codes neurio imports. */
enum {
    TFL_ADD = 0, TFL_AVERAGE_POOL_2D = 1, TFL_CONCATENATION = 2, TFL_CONV_2D = 3,
    TFL_DEPTHWISE_CONV_2D = 4, TFL_DEQUANTIZE = 6, TFL_FULLY_CONNECTED = 9,
    TFL_LOGISTIC = 14, TFL_MAX_POOL_2D = 17, TFL_MUL = 18, TFL_RELU = 19,
    TFL_RELU_N1_TO_1 = 20, TFL_RELU6 = 21, TFL_RESHAPE = 22, TFL_SOFTMAX = 25,
    TFL_TANH = 28, TFL_CUSTOM = 32, TFL_PAD = 34, TFL_TRANSPOSE = 39, TFL_MEAN = 40,
    TFL_SUB = 41, TFL_QUANTIZE = 114, TFL_SVDF = 27, TFL_UNIDIRECTIONAL_SEQUENCE_LSTM = 44,
    TFL_TRANSPOSE_CONV = 67, TFL_STRIDED_SLICE = 45, TFL_LEAKY_RELU = 98
};

/* BuiltinOptions union type ids (position in the union, NONE = 0). */
enum {
    OPT_CONV = 1, OPT_DEPTHWISE = 2, OPT_POOL = 5, OPT_FC = 8, OPT_SOFTMAX = 9,
    OPT_CONCAT = 10, OPT_ADD = 11, OPT_MUL = 21, OPT_REDUCER = 27, OPT_SUB = 28,
    OPT_SVDF = 6, OPT_UNI_LSTM = 71, OPT_TRANSPOSE_CONV = 49, OPT_STRIDED_SLICE = 32,
    OPT_LEAKY_RELU = 75
};

typedef struct tfl_code {
    int32_t builtin;
    const char *custom;
} tfl_code;

typedef struct tfl {
    nfb_buf b;
    neurio_errbuf *err;
    neurio_model *m;
    tfl_code *codes;
    uint32_t n_codes;
    nfb_vec buffers;
    int32_t n_tensors;
    uint64_t copied;       /* constant bytes copied so far (bounded) */
    size_t at;             /* byte offset of the table being read, for
                              messages about its contents (0: none)    */
} tfl;

/* One operator being converted. */
typedef struct ntfl_opctx {
    tfl *t;
    int32_t index;          /* TFLite operator index                 */
    int32_t code;
    nfb_table opt;          /* builtin options table, if present     */
    int has_opt;
} ntfl_opctx;

/* "operator I (KIND): msg" (FORMAT errors are prefixed "malformed TFLite file"). */
int ntfl_op_fail(ntfl_opctx *o, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Builtin name or "an unknown builtin". */
const char *ntfl_code_name(int32_t code);
/* The neurio op for a TFLite builtin code, and the BuiltinOptions union type
 * its options table must have (0: none read).  0 if unsupported. */
int ntfl_map_kind(int32_t code, neurio_op_kind *k, uint8_t *opt_type);
/* Fill op->attr from the operator's options (and constant inputs). */
int ntfl_convert_options(ntfl_opctx *o, neurio_op *op);
/* The Signal op a custom code names (1), or 0 (tflite_state_ops.c). */
int ntfl_map_custom(const char *name, neurio_op_kind *k);
/* SVDF and UNIDIRECTIONAL_SEQUENCE_LSTM options into op->attr. */
int ntfl_state_options(ntfl_opctx *o, neurio_op *op);
/* A Signal op's FlexBuffers custom_options into op->attr.signal. */
int ntfl_custom_options(ntfl_opctx *o, neurio_op *op, const uint8_t *buf, size_t len);
/* Constant int32/int64 vector input k of op (axes, perm): *n values into
 * out (at most max); fails naming `what` when absent, computed or too long. */
int ntfl_const_ints(ntfl_opctx *o, neurio_op *op, int k, const char *what, int32_t *out,
                    int32_t max, int32_t *n);
/* The extended operator set (tflite_ext_ops.c): kind and options type of
 * a builtin code (1) or 0; its options into op->attr (may reorder inputs). */
int ntfl_map_ext_kind(int32_t code, neurio_op_kind *k, uint8_t *opt_type);
int ntfl_ext_options(ntfl_opctx *o, neurio_op *op);
/* Comma-separated list of the builtins neurio imports. */
extern const char ntfl_supported_list[];

#endif /* NEURIO_SDK_TFLITE_INTERNAL_H */

/* sdk/src/import/onnx/onnx_internal.h — shared state of the ONNX importer (onnx.c reads
 * the protobuf and manages values/tensors; onnx_ops.c converts nodes). */
#ifndef NEURIO_ONNX_INTERNAL_H
#define NEURIO_ONNX_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "neurio/model.h"
#include "neurio/status.h"
#include "onnx.pb-c.h"

/* One ONNX value name bound to an IR tensor.  nhwc: the ONNX value is a
 * rank-4 NCHW tensor whose IR tensor holds it transposed to NHWC. */
typedef struct ox_value {
    char *name;
    int32_t t;
    int nhwc;
} ox_value;

typedef struct ox_ctx {
    neurio_model *m;
    neurio_errbuf *err;
    int64_t opset;
    ox_value **vals;             /* each entry separately allocated: stable */
    int32_t n_vals, cap_vals;
    const Onnx__GraphProto *graph;
    const Onnx__NodeProto *node; /* node being converted (for messages)   */
    int32_t node_index;
} ox_ctx;

/* --- onnx.c ----------------------------------------------------------- */
const ox_value *ox_find(const ox_ctx *c, const char *name);
int ox_bind(ox_ctx *c, const char *name, int32_t t, int nhwc);
/* Input i of the current node, or NULL if absent/empty (optional input). */
const ox_value *ox_input(ox_ctx *c, int i);
/* Fail naming the current node: "node 3 'conv1' (Conv): <msg>". */
int ox_fail(ox_ctx *c, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* New activation tensor named after output i of the current node. */
int32_t ox_new_output(ox_ctx *c, int i, neurio_dtype dt, int32_t rank,
                      const int32_t *dims);
/* New constant tensor with data copied. */
int32_t ox_new_const(ox_ctx *c, const char *name, neurio_dtype dt,
                     int32_t rank, const int32_t *dims, const void *data);
/* Add an op to the model and name it after the current node. */
int32_t ox_add_op(ox_ctx *c, neurio_op_kind k, int32_t n_in,
                  const int32_t *in, int32_t n_out, const int32_t *out);
/* IR tensor holding value v in plain ONNX layout / NHWC layout (inserts a
 * TRANSPOSE or a RESHAPE when the layouts differ; constants are permuted). */
int32_t ox_plain(ox_ctx *c, const ox_value *v);
int32_t ox_nhwc(ox_ctx *c, const ox_value *v);
/* ONNX-order dims of a value. */
void ox_onnx_dims(const ox_ctx *c, const ox_value *v, int32_t *rank,
                  int32_t dims[NEURIO_MAX_RANK]);
/* Read a constant integer tensor (int32/int64) value into out[0..max);
 * returns the element count or -1 (with error) when not constant. */
int32_t ox_const_ints(ox_ctx *c, const ox_value *v, int64_t *out, int32_t max);
/* Constant float tensor data pointer (NULL if not a float32 constant). */
const float *ox_const_floats(const ox_ctx *c, const ox_value *v, size_t *n);

/* Attributes of the current node. */
const Onnx__AttributeProto *ox_attr(const ox_ctx *c, const char *name);
int64_t ox_attr_int(const ox_ctx *c, const char *name, int64_t dflt);
float ox_attr_float(const ox_ctx *c, const char *name, float dflt);
/* Copies up to max ints; returns the count (-1 when absent). */
int32_t ox_attr_ints(const ox_ctx *c, const char *name, int64_t *out,
                     int32_t max);
/* String attribute as a NUL-terminated copy in buf ("" when absent). */
const char *ox_attr_str(const ox_ctx *c, const char *name, char *buf,
                        size_t cap);
int32_t ox_tensor_from_proto(ox_ctx *c, const Onnx__TensorProto *tp,
                             const char *name);

/* Uses of a value name by nodes after the current one plus graph outputs. */
int32_t ox_use_count(const ox_ctx *c, const char *name);
int ox_is_graph_output(const ox_ctx *c, const char *name);

/* --- onnx_ops.c -------------------------------------------------------- */
int ox_convert_node(ox_ctx *c);
/* Required input i (fails naming `what` when absent). */
const ox_value *ox_need(ox_ctx *c, int i, const char *what);
/* Per-tensor quantization of src copied onto dst (layout-only ops). */
void ox_copy_quant(ox_ctx *c, int32_t dst, int32_t src);
/* The node's output 0 as a new tensor (dtype dt, rank, dims) computed by
 * op k on in[0..n_in), bound with layout nhwc; quant_src >= 0 copies that
 * tensor's per-tensor quantization onto it.  Returns the op index (its
 * attributes are the caller's to set), -1 when out of memory. */
int32_t ox_emit(ox_ctx *c, neurio_op_kind k, int32_t n_in, const int32_t *in, neurio_dtype dt,
                int32_t rank, const int32_t *dims, int32_t quant_src, int nhwc);
/* Unary op keeping shape and layout; binds output 0; *op_out = op index. */
int ox_unary(ox_ctx *c, neurio_op_kind k, int32_t *op_out);
/* RESHAPE of IR tensor `in` (plain layout) to dims; binds output 0. */
int ox_reshape_to(ox_ctx *c, int32_t in, int32_t rank, const int32_t *dims);
/* Refuses non-quantized integer / non-numeric activations for compute ops. */
int ox_check_numeric(ox_ctx *c, int32_t t);
/* Output dtype of a compute op on tensor `in` (float for QDQ int8 inputs). */
int32_t ox_out_dtype(const ox_ctx *c, int32_t in);

/* Binary op k with ONNX broadcasting and layout (onnx_ops.c). */
int ox_binary(ox_ctx *c, neurio_op_kind k);

/* --- onnx_ops_ext.c / onnx_ops_move.c --------------------------------- */
/* Runs converter fn as if the current node had inputs (i0, i1 or NULL) and
 * output `out` (attributes stay the node's): decompositions chain IR ops
 * through named intermediate values. */
int ox_with_io(ox_ctx *c, int (*fn)(ox_ctx *, int), int arg, const char *i0, const char *i1,
               const char *out);
/* A private value name derived from the node ("<out>\x02<tag><index>"). */
const char *ox_tmp_name(ox_ctx *c, const char *tag, char *buf, size_t cap);
/* Name of a bound constant [1] of dt holding v (created once per node). */
const char *ox_scalar(ox_ctx *c, neurio_dtype dt, double v, char *buf, size_t cap);
int ox_unary_any(ox_ctx *c, int k);
int ox_reciprocal(ox_ctx *c, int a);
int ox_variadic(ox_ctx *c, int k);
int ox_leaky_relu(ox_ctx *c, int a);
int ox_hard_sigmoid(ox_ctx *c, int a);
int ox_cast(ox_ctx *c, int a);
int ox_expand(ox_ctx *c, int a);
int ox_reduce(ox_ctx *c, int k);
int ox_layer_norm(ox_ctx *c, int a);
int ox_where(ox_ctx *c, int a);
int ox_gather(ox_ctx *c, int a);
int ox_split(ox_ctx *c, int a);
int ox_slice(ox_ctx *c, int a);
int ox_space_depth(ox_ctx *c, int to_space);
int ox_reduce_composite(ox_ctx *c, int kind);
int ox_xor(ox_ctx *c, int a);
int ox_resize(ox_ctx *c, int upsample);
int ox_softmax(ox_ctx *c, neurio_op_kind k);
int ox_conv_transpose(ox_ctx *c, int a);
int ox_activation(ox_ctx *c, int kind);

/* --- onnx_rnn.c ---------------------------------------------------------- */
/* ONNX RNN (kind 0), GRU (1), LSTM (2) unrolled into FULLY_CONNECTED,
 * ADD/MUL/SUB, the gate activations, SLICE, RESHAPE and CONCATENATION. */
int ox_rnn(ox_ctx *c, int kind);

/* --- onnx_fold.c ------------------------------------------------------- */
/* Evaluates the current node at import time when it is shape arithmetic
 * on constants (Shape, Size, ConstantOfShape, Cast, Slice, Concat, Gather,
 * integer Add/Sub/Mul/Div, ...): 1 = folded (output 0 bound to a constant),
 * 0 = not foldable (convert normally), < 0 = error (message set). */
int ox_fold(ox_ctx *c);

/* --- onnx_ops_layout.c / onnx_ops_misc.c ------------------------------ */
int ox_flatten(ox_ctx *c);
int ox_reshape(ox_ctx *c);
int ox_squeeze(ox_ctx *c, int unsq);
int ox_transpose(ox_ctx *c);
int ox_concat(ox_ctx *c);
int ox_pad(ox_ctx *c);
int ox_batchnorm(ox_ctx *c);
int ox_constant(ox_ctx *c);
int ox_qdq(ox_ctx *c, int dequant);
int ox_alias(ox_ctx *c);

#endif

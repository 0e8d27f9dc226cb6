/* sdk/src/ir/model_validate_internal.h — shared by the parts of
 * neurio_model_validate(): model_validate.c (graph structure and wiring),
 * model_validate_ops.c (per-op rules) and model_validate_state.c (the
 * stateful and Signal ops).  Internal names nir_*. */
#ifndef NEURIO_MODEL_VALIDATE_INTERNAL_H
#define NEURIO_MODEL_VALIDATE_INTERNAL_H

#include "neurio/model.h"

typedef struct vctx {
    const neurio_model *m;
    neurio_errbuf *err;
    int32_t op_index;
    const neurio_op *op;
    const int32_t *prod; /* producer of each tensor among live ops, or -1 */
} vctx;

/* Fail with "op I (KIND 'name'): <message>"; returns status. */
int nir_op_fail(vctx *c, int status, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* int8, uint8 and int16 need quantization parameters. */
int nir_is_quant_dtype(neurio_dtype dt);

/* The rules of c->op's kind (counts, ranks, dtypes, shapes, attributes). */
int nir_check_op(vctx *c);

/* Shapes, dtypes and attributes of op i (SVDF, LSTM, Signal ops); the
 * message names the op and the tensor. */
int nir_check_state_op(const neurio_model *m, int32_t i, neurio_errbuf *err);

/* 1 when the op reads int8/int16 tensors as plain integers (the Signal
 * ops), so they need no quantization parameters. */
int nir_op_takes_raw_integers(neurio_op_kind k);

/* The extended operator set (model_validate_ext.c): 1 when k is one of
 * its kinds; its rules (counts, constants, dtypes, element counts). */
int nir_is_ext_op(neurio_op_kind k);
int nir_check_ext_op(vctx *c);

/* 1 when the op only moves or converts values (RESHAPE, TRANSPOSE, CAST,
 * SLICE, ...), so integer tensors it reads or writes need no quantization
 * parameters (the int16/int32 plumbing of TFLite Micro's audio front end). */
int nir_op_moves_raw_values(neurio_op_kind k);

#endif

/* sdk/src/ir/ir_internal.h — shared by the two halves of
 * neurio_model_validate(): model_validate.c (graph structure) and
 * model_validate_ops.c (per-op rules).  Internal names nir_*. */
#ifndef NEURIO_SRC_IR_INTERNAL_H
#define NEURIO_SRC_IR_INTERNAL_H

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

#endif /* NEURIO_SRC_IR_INTERNAL_H */

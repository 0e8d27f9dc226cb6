/* sdk/src/ir/model_internal.h — what the IR's own files share (model.c,
 * model_compact.c).  Private to sdk/src/ir/. */
#ifndef NEURIO_IR_MODEL_INTERNAL_H
#define NEURIO_IR_MODEL_INTERNAL_H

#include "neurio/model.h"

/* Free what a tensor / an op owns and zero it. */
void nir_tensor_release(neurio_tensor *t);
void nir_op_release(neurio_op *op);

/* Record the capacities of m->tensors and m->ops after they were replaced
 * by arrays of exactly that many elements. */
void nir_model_set_capacity(neurio_model *m, int32_t cap_tensors, int32_t cap_ops);

#endif /* NEURIO_IR_MODEL_INTERNAL_H */

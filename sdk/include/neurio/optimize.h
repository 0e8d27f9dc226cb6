/* sdk/include/neurio/optimize.h — graph optimization passes on the IR.
 *
 * Each pass rewrites the model in place and leaves it compacted and valid.
 * neurio_optimize() runs all of them in a sensible order until nothing
 * changes.  Every pass returns NEURIO_OK or a negative status with a message
 * in err; on failure the model may be partially rewritten but stays valid
 * to free.
 */
#ifndef NEURIO_OPTIMIZE_H
#define NEURIO_OPTIMIZE_H

#include "neurio/api.h"

#include "neurio/model.h"
#include "neurio/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Evaluate ops whose inputs are all constant and replace their outputs by
 * constant tensors (float32/int32/int64 ops the interpreter can run). */
NEURIO_API int neurio_opt_fold_constants(neurio_model *m, neurio_errbuf *err);

/* Fold BATCH_NORM that follows a CONV_2D / DEPTHWISE_CONV_2D /
 * FULLY_CONNECTED with constant float weights into the weights and bias;
 * a remaining BATCH_NORM becomes a MUL+ADD pair with constant operands. */
NEURIO_API int neurio_opt_fold_batch_norm(neurio_model *m, neurio_errbuf *err);

/* Fuse RELU / RELU6 / CLIP(0,6) / CLIP(-1,1) that are the only consumer of
 * a CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED, ADD, SUB, MUL or pooling
 * output into the producer's fused activation. */
NEURIO_API int neurio_opt_fuse_activations(neurio_model *m, neurio_errbuf *err);

/* Remove RESHAPE whose output shape equals its input shape and TRANSPOSE
 * with an identity permutation (or acting only on size-1 dims, rewritten
 * as RESHAPE, then removed if a no-op). */
NEURIO_API int neurio_opt_remove_identity(neurio_model *m, neurio_errbuf *err);

/* Drop ops whose outputs nobody reads (and that are not graph outputs) and
 * tensors no op or graph io references. */
NEURIO_API int neurio_opt_remove_dead(neurio_model *m, neurio_errbuf *err);

/* Rewrite DEPTHWISE_CONV_2D whose input has one channel (and a constant
 * filter) as CONV_2D with the filter in OHWI order: the same integer sums,
 * computed by the convolution kernels (blocked over output channels). */
NEURIO_API int neurio_opt_depthwise_to_conv(neurio_model *m, neurio_errbuf *err);

/* Op order for less memory: when a tensor t is read by exactly two ops, A
 * first, and the op right after A reads A's output (A starts a chain),
 * while B could run before A and writes less than t, B moves to just
 * before A, so t dies at A (ResNet's 1x1 shortcut runs before the strided
 * 3x3 convolution, which then writes over its dying input).  Same kernels,
 * same parameters, another order. */
NEURIO_API int neurio_opt_schedule_memory(neurio_model *m, neurio_errbuf *err);

/* Run every pass above; the model is validated at the end. */
NEURIO_API int neurio_optimize(neurio_model *m, neurio_errbuf *err);

#ifdef __cplusplus
}
#endif
#endif /* NEURIO_OPTIMIZE_H */

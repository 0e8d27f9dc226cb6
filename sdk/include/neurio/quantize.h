/* sdk/include/neurio/quantize.h — post-training quantization of float models.
 *
 * "none": no-op (the model keeps its dtypes; an already int8 model stays so).
 * "int8": TFLite's full-integer scheme so the same int8 kernels run:
 *   - weights of CONV_2D / DEPTHWISE_CONV_2D / FULLY_CONNECTED: int8,
 *     per-channel symmetric (zero point 0) along the output channel axis;
 *   - activations (incl. graph inputs/outputs): int8, per-tensor asymmetric,
 *     ranges from running the float model (neurio/interp.h) on
 *     args->calibration (a .npy shaped [N] + input shape);
 *   - biases: int32, scale = input_scale * weight_scale[c], zero point 0;
 *   - SOFTMAX output fixed to scale 1/256, zero point -128; LOGISTIC to
 *     1/256, -128; TANH to 1/128, 0 (TFLite's constraints).
 * "int16x8": TFLite's 16x8 scheme, calibrated like "int8": weights as
 *   above; activations int16, per-tensor symmetric (zero point 0, the
 *   larger of |min| and |max| at 32767); biases int64; float constants of
 *   ADD/SUB/MUL/CONCATENATION int16 symmetric, PRELU's alpha int8 (as
 *   TFLite's 16x8 PRELU, and in "int8"); SOFTMAX, LOGISTIC and TANH
 *   outputs 1/32768, 0.  Ops without an int16 kernel are refused when the
 *   model is lowered (neurio check / codegen name each op x dtype).
 * calibration_method: "minmax" (default), "percentile" (99.99th percentile
 * of |x| per side), "mse" (clip range minimizing the quantization MSE).
 */
#ifndef NEURIO_QUANTIZE_H
#define NEURIO_QUANTIZE_H

#include "neurio/api.h"

#include "neurio/model.h"
#include "neurio/plugin.h"
#include "neurio/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Quantize m in place as args->quantize says.  Returns NEURIO_OK, or
 * NEURIO_ERR_CONFIG for a bad option (naming it), NEURIO_ERR_IO/FORMAT for
 * an unreadable calibration file, NEURIO_ERR_UNSUPPORTED for an op that has
 * no int8 form.  args is read during the call only. */
NEURIO_API int neurio_quantize(neurio_model *m, const neurio_prepare_args *args,
                    neurio_errbuf *err);

/* The SDK's default prepare recipe, which the core runs for a plugin
 * without a prepare hook (plugin ABI 1.1) and a plugin may call from its
 * own: neurio_optimize(m), then neurio_quantize(m, args) unless
 * args->quantize is NULL or "none".  Same returns as those two. */
NEURIO_API int neurio_prepare_default(neurio_model *m, const neurio_prepare_args *args,
                           neurio_errbuf *err);

#ifdef __cplusplus
}
#endif
#endif /* NEURIO_QUANTIZE_H */

/* sdk/include/neurio/interp.h — reference interpreter of the IR on the host.
 *
 * Runs a neurio_model op by op with the portable kernels of
 * firmware/kernels/, each op lowered by the same lowering the code
 * generator uses (sdk/src/lower/): the same kernel with the same parameters
 * and requant.h constants, so integer results are bit-exact with the
 * devices (and with TFLite Micro's reference kernels).  TRANSPOSE and float
 * BATCH_NORM and MATMUL, which have no device kernel, are plain loops.
 * Used for calibration (activation ranges), for constant folding, as the
 * float reference of a run (core/quant_cost.c) and by the conformance
 * tests.
 */
#ifndef NEURIO_INTERP_H
#define NEURIO_INTERP_H

#include "neurio/api.h"

#include <stddef.h>
#include <stdint.h>

#include "neurio/model.h"
#include "neurio/status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct neurio_interp neurio_interp;

/* Create an interpreter for m.  m is borrowed and must outlive the
 * interpreter and stay unmodified.  Allocates one buffer per activation
 * tensor and lowers every op.  Fails (NEURIO_ERR_UNSUPPORTED, or
 * NEURIO_ERR_INVALID for inconsistent shapes or quantization) naming the
 * first op that cannot be run and why. */
NEURIO_API int neurio_interp_new(const neurio_model *m, neurio_interp **out,
                      neurio_errbuf *err);
NEURIO_API void neurio_interp_free(neurio_interp *it);

/* Run one inference: inputs[i] points at model input i's data (the tensor's
 * dtype and size), outputs[i] receives output i.  Returns NEURIO_OK or an
 * error naming the op.  The model's state (variable tensors: SVDF, LSTM,
 * the Signal ops' noise estimate) is reset before the run unless the
 * interpreter is stateful (neurio_interp_set_stateful). */
NEURIO_API int neurio_interp_run(neurio_interp *it, const void *const *inputs,
                      void *const *outputs, neurio_errbuf *err);

/* After a run: the data of any tensor (activations and constants), valid
 * until the next run or free.  NULL for an out-of-range index. */
NEURIO_API const void *neurio_interp_tensor(const neurio_interp *it, int32_t t);

/* Optional per-op callback after each op during run (for calibration):
 * called with the op index; return non-zero to abort the run. */
typedef int (*neurio_interp_hook)(void *user, const neurio_interp *it,
                                  int32_t op_index);
NEURIO_API void neurio_interp_set_hook(neurio_interp *it, neurio_interp_hook fn,
                            void *user);

/* stateful = 1: keep the variable tensors from one run to the next (a
 * streaming model fed one window per sample); 0 (default): reset them
 * before every run, as TFLite Micro's goldens are made. */
NEURIO_API void neurio_interp_set_stateful(neurio_interp *it, int stateful);

/* Reset the variable tensors now (zero; int8: their zero point). */
NEURIO_API void neurio_interp_reset_state(neurio_interp *it);

#ifdef __cplusplus
}
#endif
#endif /* NEURIO_INTERP_H */

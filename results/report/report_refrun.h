/* results/report/report_refrun.h — the reference run for fidelity KPIs
 * (task.reference_run = "host"): the model file as imported, before the
 * plugin prepared/quantized it, run on the host reference interpreter
 * (neurio/interp.h) on exactly the inputs the device received. */
#ifndef NEURIO_CORE_REPORT_REFRUN_H
#define NEURIO_CORE_REPORT_REFRUN_H

#include <stddef.h>

#include "neurio/model.h"
#include "neurio/status.h"

typedef struct nr_refrun nr_refrun;

/* Import model_path and build its interpreter.  The prepared model (what
 * the device runs, borrowed until free) must have the same number of inputs
 * and outputs with the same element counts.  Returns 0, or an error naming
 * task.reference_run and the mismatch or the op the interpreter cannot run. */
int nr_refrun_new(const char *model_path, const neurio_model *prepared, nr_refrun **out,
                  neurio_errbuf *err);

/* Run one sample: inputs[i] is the sample as sent to the device (prepared
 * model input i's dtype); it is converted to real values and then to the
 * reference model's input dtype (quantized with its parameters when that
 * is an integer type).  Output 0 is written to out as float (dequantized).
 * Returns 0 or an error naming the op. */
int nr_refrun_sample(nr_refrun *r, const void *const *inputs, float *out, neurio_errbuf *err);

void nr_refrun_free(nr_refrun *r);

#endif /* NEURIO_CORE_REPORT_REFRUN_H */

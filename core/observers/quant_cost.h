/* core/observers/quant_cost.h — the cost of quantization, per run: when the rig
 * quantizes (model.quantize = "int8"), the float model runs as a host
 * reference on the same samples the device runs (the run's one host
 * reference, core/hostref.h, shared with the report's fidelity KPIs), and
 * the device's int8 outputs are compared with it.
 *
 *     nr_observer obs;
 *     if (nr_quant_cost_observer_new(rig, &obs, &err)) -> error
 *     nr_pipeline_add_observer(p, &obs);
 *
 * Prints "quantization cost" lines at the end of the run (float reference
 * accuracy vs device accuracy when labels are given, argmax agreement,
 * relative L2 of the dequantized outputs) and writes them to
 * <run_dir>/quant_cost.json.  Does nothing when the rig does not quantize.
 */
#ifndef NEURIO_CORE_QUANT_COST_H
#define NEURIO_CORE_QUANT_COST_H

#include "neurio/status.h"
#include "pipeline.h"
#include "rig.h"

/* Fills *out (user/destroy owned by the pipeline once added).  The rig is
 * borrowed and must outlive the observer. */
int nr_quant_cost_observer_new(const nr_rig *rig, nr_observer *out, neurio_errbuf *err);

#endif

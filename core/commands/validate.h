/* core/commands/validate.h — the one validation `neurio check` and `neurio run` share.
 *
 * Everything `run` would reject is rejected here, before any model is
 * prepared, any directory created or any firmware built:
 *   - the plugin's options: the plugin is opened and closed once (a plugin's
 *     `open` checks its options' ranges and plausibility and touches no
 *     device, see neurio/plugin.h);
 *   - the output paths: output.dir creatable, output.predictions and
 *     output.report writable and distinct from each other, from every other
 *     artefact of the run (profile.json, inferences.csv, gen/, work/, the
 *     SQLite store) and from every input (rig, model, data, labels,
 *     calibration, reference); a SQLite store's directory must exist;
 *   - the model: imported, its constant tensors finite;
 *   - the data: data.inputs (one array per model input) and
 *     model.calibration read and checked against the model's inputs (shape,
 *     dtype, every value finite and within the quantized input's range),
 *     naming the array, the input, the index and the value; task.output an
 *     output of the model; data.stateful only for a plugin that can be told
 *     (ABI >= 1.2 or no codegen hook).
 */
#ifndef NEURIO_CORE_VALIDATE_H
#define NEURIO_CORE_VALIDATE_H

#include "loader.h"
#include "neurio/status.h"
#include "options.h"
#include "rig.h"

enum {
    NR_VALIDATE_VERBOSE = 1,  /* print "model: ...", "data: ..." lines (check) */
    NR_VALIDATE_INFER = 2     /* a full run follows: data.inputs is required  */
};

/* Validate `rig` for plugin `e` with its checked options (`flags`: the
 * NR_VALIDATE_* bits).  Returns NEURIO_OK,
 * or the failing status with the message in err and the launcher exit code
 * (NR_EXIT_CONFIG, NR_EXIT_PLUGIN, NR_EXIT_MODEL) in *exit_code. */
int nr_validate(const nr_rig *rig, const nr_plugin_entry *e, const nr_options *opts,
                int flags, int *exit_code, neurio_errbuf *err);

/* The paths part alone (used by nr_validate once the model's output count
 * is known): n_outputs prediction files pred.npy, pred_1.npy, ... */
int nr_validate_outputs(const nr_rig *rig, int n_outputs, neurio_errbuf *err);

#endif /* NEURIO_CORE_VALIDATE_H */

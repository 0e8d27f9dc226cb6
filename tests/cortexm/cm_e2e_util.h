/* tests/cortexm/cm_e2e_util.h — helpers for the cortex-m end-to-end tests,
 * which drive the real launcher (`neurio run`) with rigs written to a
 * private temp dir and read back the predictions it wrote. */
#ifndef CM_E2E_UTIL_H
#define CM_E2E_UTIL_H

#include <stddef.h>

#include "neurio/npy.h"

/* Skip (exit 77) unless the launcher, arm-none-eabi-gcc and qemu-system-arm
 * are all available. */
void cm_e2e_require_tools(void);

/* Write `rig_text` to <tmp>/<name>.cfg and run `neurio run` on it with the
 * extra arguments `args` (may be ""); output.dir must be set by the rig
 * (use cm_e2e_outdir(name)).  Returns the launcher's exit code; *log gets
 * its stdout+stderr (caller frees; may be NULL). */
int cm_e2e_run(const char *name, const char *rig_text, const char *args, char **log);

/* A rig for `neurio run` on the cortex-m device: `device` the device keys
 * after plugin = "cortex-m" (board, ...), the model at `model` (.tflite,
 * quantize = "none"), the data keys `data` (inputs, batch_size, ...),
 * task none, predictions pred.npy in cm_e2e_outdir(name), no store.
 * Static buffer, valid until the next call. */
const char *cm_e2e_rig(const char *name, const char *device, const char *model,
                       const char *data);

/* cm_e2e_run(name, rig_text, "") (its log printed when it fails), then the
 * predictions it wrote read into *pred.  0, or -1 (the run failed or wrote
 * no predictions). */
int cm_e2e_run_pred(const char *name, const char *rig_text, neurio_npy *pred);

/* <tmp>/<name>-runs (static buffer per call index 0..3, rotating). */
const char *cm_e2e_outdir(const char *name);

/* Read <outdir>/<the single run id>/<file> into *a.  0 on success. */
int cm_e2e_read_pred(const char *outdir, const char *file, neurio_npy *a);

/* Number of live qemu-system-arm processes whose command line mentions
 * `needle` (e.g. the test's temp dir). */
int cm_e2e_count_qemu(const char *needle);

/* The golden models of ../shared/golden the cortex-m conformance tests run
 * (NULL-terminated). */
extern const char *const cm_e2e_golden_models[];

/* A CUnit suite `name` with one test per golden model (named after it),
 * each calling run(model), in the order of cm_e2e_golden_models.  0, or -1
 * when CUnit could not add them. */
int cm_e2e_add_golden_suite(const char *name, void (*run)(const char *model));

/* Absolute path of the golden dir of `model` in ../shared, or NULL. */
const char *cm_e2e_golden(const char *model);

#endif

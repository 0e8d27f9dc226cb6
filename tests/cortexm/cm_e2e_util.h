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

/* <tmp>/<name>-runs (static buffer per call index 0..3, rotating). */
const char *cm_e2e_outdir(const char *name);

/* Read <outdir>/<the single run id>/<file> into *a.  0 on success. */
int cm_e2e_read_pred(const char *outdir, const char *file, neurio_npy *a);

/* Number of live qemu-system-arm processes whose command line mentions
 * `needle` (e.g. the test's temp dir). */
int cm_e2e_count_qemu(const char *needle);

/* Absolute path of the golden dir of `model` in ../shared, or NULL. */
const char *cm_e2e_golden(const char *model);

#endif

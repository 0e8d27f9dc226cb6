/* core/host.h — the neurio_host services table and per-instance contexts.
 *
 * One neurio_ctx per plugin instance (or per probe/listing call): it holds
 * the plugin's name (log prefix), its validated options (typed getters), the
 * last set_error message, the work directory and the progress-bar state.
 */
#ifndef NEURIO_CORE_HOST_H
#define NEURIO_CORE_HOST_H

#include "neurio/plugin.h"
#include "options.h"

/* The static services table (valid for the life of the process). */
const neurio_host *nr_host(void);

/* New context.  plugin_name and opts are borrowed (must outlive the ctx);
 * opts may be NULL (getters then log an error); work_dir may be NULL.
 * Returns NULL on ENOMEM. */
neurio_ctx *nr_ctx_new(const char *plugin_name, const nr_options *opts,
                       const char *work_dir);
void nr_ctx_free(neurio_ctx *ctx);

/* The message of the last set_error since the last clear, or NULL.  Owned
 * by the ctx, valid until the next set_error/clear/free. */
const char *nr_ctx_error(const neurio_ctx *ctx);
void nr_ctx_clear_error(neurio_ctx *ctx);

/* Record the prepared model's hash (64 hex digits, copied) that
 * host->model_sha256 hands to the plugin; NULL or "" clears it. */
void nr_ctx_set_model_sha256(neurio_ctx *ctx, const char *hex);
/* data.stateful of the run, which host->run_stateful (ABI 1.2) hands to
 * the plugin. */
void nr_ctx_set_stateful(neurio_ctx *ctx, int on);
/* The stall deadline of the current batch: `ms` from now (0 = none).  Once
 * it passed, host->cancelled() answers 1, so a plugin waiting on a device
 * that stopped answering gives up; nr_ctx_deadline_passed() tells the core
 * that it was a stall and not the user. */
void nr_ctx_set_deadline(neurio_ctx *ctx, int64_t ms);
int nr_ctx_deadline_passed(const neurio_ctx *ctx);

/* probe --rig (ABI 1.1): mark the ctx as probing for the rig, so the
 * plugin's probe hook sees host->probe_rig() != 0 and may read its options
 * and call host->probe_designate(); nr_ctx_designation() then gives what it
 * designated (1) or 0 when it said nothing (a 1.0 plugin).  The strings are
 * owned by the ctx. */
void nr_ctx_set_probe_rig(neurio_ctx *ctx, int on);
int nr_ctx_designation(const neurio_ctx *ctx, const char **link, const char **board);

/* ABI 1.2: host->layer_capture() answers `on` (the run reads layer outputs
 * back: the plugin builds its debug firmware). */
void nr_ctx_set_layer_capture(neurio_ctx *ctx, int on);

/* Terminate a progress bar line on a TTY (no-op otherwise). */
void nr_ctx_progress_done(neurio_ctx *ctx);

/* Core-side logging with the "[neurio]" prefix. */
void nr_log(neurio_log_level level, const char *fmt, ...) NEURIO_PRINTF(2, 3);
/* Messages above `level` are dropped (default INFO; NEURIO_LOG=debug|info|
 * warn|error in the environment overrides). */
void nr_log_set_level(neurio_log_level level);

/* Install the handler for SIGINT, SIGTERM and SIGHUP (and ignore SIGPIPE):
 * the first signal sets the cancellation flag (hooks see it through
 * host->cancelled; the pipeline stops after the current batch and writes
 * everything received), a second one terminates the process. */
void nr_cancel_install(void);
int nr_cancel_requested(void);
/* The exit code for a cancelled run: 130 (SIGINT), 143 (SIGTERM), 129 (SIGHUP). */
int nr_cancel_exit_code(void);
/* "cancelled by the user", "stopped by SIGTERM", ... for messages. */
const char *nr_cancel_reason(void);
/* For tests: set/clear the flag as if Ctrl-C was pressed. */
void nr_cancel_set(int on);

#endif /* NEURIO_CORE_HOST_H */

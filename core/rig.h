/* core/rig.h — a parsed rig (.cfg, libconfig syntax).
 *
 * A rig names the device (plugin + its options), the model, the data, the
 * task and where results go.  nr_rig_load() parses the file, applies
 * `--set dotted.key=value` overrides, checks every core key against the
 * table in core/rig.c (unknown keys and wrong types are errors with
 * file:line, or naming the --set argument), fills defaults, and resolves
 * relative paths (against the rig file's directory; for --set values,
 * against the current directory).  It does NOT check the `device` section
 * beyond `device.plugin`: that is validated against the plugin's declared
 * options by nr_options_validate() (core/options.h) once the plugin is
 * loaded.
 *
 * To add a core key: append a field at the end of nr_rig and one entry to
 * the key table in core/rig.c (targeted edits).
 */
#ifndef NEURIO_CORE_RIG_H
#define NEURIO_CORE_RIG_H

#include <libconfig.h>
#include <stddef.h>
#include <stdint.h>

#include "neurio/status.h"

/* One `--set key=value` argument as given on the command line. */
typedef struct nr_override {
    const char *arg;   /* the whole argument "device.board=mps2-an500"     */
} nr_override;

/* All strings are owned by the rig; NULL means "not given, no default".
 * Paths are absolute after loading. */
typedef struct nr_rig {
    char *path;              /* the rig file, absolute                       */
    char *dir;               /* its directory, absolute                      */

    char **plugin_path;      /* plugin_path = [ ... ], absolute; may be empty */
    size_t n_plugin_path;

    /* device = { plugin = "..."; <plugin options> } */
    char *device_plugin;
    const config_setting_t *device; /* the section (inside `cfg`)           */

    /* model = { ... } */
    char *model_path;               /* required                              */
    char *model_quantize;           /* "none" (default) | "int8" | "int16x8" */
    char *model_calibration;        /* .npy, or NULL                         */
    char *model_calibration_method; /* "minmax" (default) | "percentile" | "mse" */

    /* data = { ... } */
    char *data_inputs;       /* .npy, required for `run` past flash; with a
                                list, its first path (see data_input_list)  */
    char *data_labels;       /* .npy or NULL                                 */
    int64_t data_batch_size; /* default 16                                   */
    int64_t data_limit;      /* 0 = all samples                              */

    /* task = { ... } */
    char *task_kind;         /* "classification" (default) | "regression" | "anomaly" | "none" */
    int64_t task_top_k;      /* default 5                                    */
    char *task_reference;    /* reference outputs .npy or NULL               */

    /* output = { ... } */
    char *output_dir;        /* default "runs" next to the rig               */
    char *output_predictions;/* file name inside the run dir, default "pred.npy";
                                an absolute path is used as is               */
    char *output_store;      /* "sqlite:<path>", "postgresql:<conninfo>", or NULL */

    /* --- internal ----------------------------------------------------- */
    config_t cfg;            /* the parsed tree, overrides applied          */
    /* The --set arguments that target device.* : validated and applied by
     * nr_options_validate() because only the plugin knows their types. */
    const char **device_sets;
    size_t n_device_sets;

    /* report team (appended): task.score = "mse" (default) | "output" |
     * "output:K" — the per-sample anomaly score for task.kind = "anomaly";
     * output.report = HTML report file name in the run dir (default
     * "report.html"; an absolute path is used as is).  output.store
     * "none" disables the result store; unset means
     * "sqlite:<output.dir>/results.db". */
    char *task_score;
    char *output_report;
    /* task.reference_run = "none" (default) | "host": fidelity against the
     * model file as imported (before prepare/quantize), run on the same
     * inputs by the host reference interpreter (neurio/interp.h).  Not
     * together with task.reference. */
    char *task_reference_run;
    /* data.stall_timeout_ms: how long one batch (transfer + infer) may go
     * without an answer (restarted by every progress report of the plugin,
     * e.g. each sample's result) before the run stops it as a stall
     * (default 300000; 0 = no limit).  Stalls are reported as stalls,
     * never as latency. */
    int64_t data_stall_timeout_ms;
    /* data.inputs as given: one path (string) or a list of paths, one per
     * model input in the model's input order.  data_input_list[i] are
     * absolute; n_data_inputs = 0 when data.inputs is unset, 1 for a
     * string (then data_input_list[0] == data_inputs' value). */
    char **data_input_list;
    size_t n_data_inputs;
    /* task.output: which model output the accuracy and fidelity KPIs use
     * (default 0). */
    int64_t task_output;
    /* data.stateful: 0 (default) = the model's state (variable tensors:
     * SVDF, LSTM) is reset before every sample; 1 = it carries from one
     * sample to the next over the whole run (streaming), starting from
     * the reset state.  Handed to plugins by host->run_stateful (ABI 1.2). */
    int data_stateful;
    /* model.calibration as given (one path, or one per model input in the
     * model's input order), like data_input_list; model_calibration is
     * the first. */
    char **model_calibration_list;
    size_t n_model_calibrations;
    /* task.debug = "none" (default) | "layers": after the run, the first
     * task.debug_samples (default 4) samples run again with every layer's
     * output read back from the device (its debug firmware build) and
     * compared with the host reference interpreter on the prepared model
     * (core/observers/layer_readback.c); results in the terminal and the
     * store. */
    char *task_debug;
    int64_t task_debug_samples;
    /* output.profile_inferences: "auto" (default: per-inference arrays in
     * profile.json up to NR_PROFILE_AUTO_MAX inferences, a summary beyond),
     * "all" or "summary" (results/report/profile_json.h). */
    char *output_profile_inferences;
} nr_rig;

/* The most settings (key = value, in the file and its @includes) a rig may
 * hold; more is refused before parsing, with file:line (libconfig's parse
 * is quadratic in a group's size). */
#define NR_RIG_MAX_KEYS 4096

/* Parse and check `path` with `n_sets` overrides.  On success returns
 * NEURIO_OK and *out (free with nr_rig_free).  On failure returns
 * NEURIO_ERR_CONFIG (or NEURIO_ERR_IO / NOMEM) with a one-line message in
 * err such as "rig.cfg:12: data.batch_size: expected an integer, got a
 * string; write batch_size = 16;" and *out == NULL.  `sets` strings must
 * outlive the rig (argv does). */
int nr_rig_load(const char *path, const char *const *sets, size_t n_sets,
                nr_rig **out, neurio_errbuf *err);

void nr_rig_free(nr_rig *rig);

/* Where a setting came from, for messages: "rig.cfg:12" or
 * "--set device.board=x".  Writes into buf and returns it. */
const char *nr_rig_where(const nr_rig *rig, const config_setting_t *s,
                         char *buf, size_t len);

/* Resolve `p` against `base_dir` unless it is absolute.  Returns a new
 * string (caller frees) or NULL on ENOMEM. */
char *nr_path_resolve(const char *base_dir, const char *p);

/* "${CWD}/x" (or "${CWD}") as x in the current directory: a new string
 * (caller frees); NULL when p does not start with the variable or the
 * current directory cannot be read. */
char *nr_rig_cwd_path(const char *p);

/* 1 when v is one of the '|'-separated words of choices ("a|b|c"), compared
 * whole and case-sensitively; 0 otherwise.  The one check behind rig keys
 * with choices and plugin options declared with choices (core/options.c). */
int nr_choice_ok(const char *choices, const char *v);

/* The store spec the rig resolves to, written into buf: output.store with a
 * relative sqlite path resolved against the rig's directory, the default
 * "sqlite:<output.dir>/results.db" when unset, or NULL for "none". */
const char *nr_rig_store_spec(const nr_rig *rig, char *buf, size_t cap);

#endif /* NEURIO_CORE_RIG_H */

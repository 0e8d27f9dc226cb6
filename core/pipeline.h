/* core/pipeline.h — one `neurio run`: rig → plugin → model → device → results.
 *
 * Stages, in order (each a plugin hook, see neurio/plugin.h):
 *   prepare  : neurio_model_load(model.path) then plugin->prepare
 *   codegen  : plugin->codegen into <output.dir>/<run-id>/gen
 *   flash    : plugin->flash (fills neurio_device_info)
 *   infer    : batches of min(data.batch_size, info.max_batch) samples
 *              (the last partial batch is never dropped, data.limit
 *              honoured), each read from data.inputs and converted to the
 *              model's input dtype, then transfer/infer; its outputs are
 *              appended to output.predictions (pred.npy, pred_1.npy, ...,
 *              whose header always states the rows written).  Memory holds
 *              one batch, whatever the number of samples.
 * A failed hook stops the run with the plugin's message wrapped in context;
 * results already received are kept, written and passed to observers.
 *
 * Observers (reporting, stores) plug in without touching the pipeline: the
 * report team attaches theirs in core/cmd_run.c at the marked line.
 */
#ifndef NEURIO_CORE_PIPELINE_H
#define NEURIO_CORE_PIPELINE_H

#include <stddef.h>
#include <stdint.h>

#include "neurio/model.h"
#include "neurio/plugin.h"
#include "neurio/status.h"
#include "reference/layer_debug.h"
#include "report/predictions.h" /* nr_pred_path, nr_report_path */
#include "report/report_file.h" /* nr_mkdirs */
#include "rig.h"

typedef enum nr_stage {
    NR_STAGE_PREPARE = 0,
    NR_STAGE_CODEGEN,
    NR_STAGE_FLASH,
    NR_STAGE_INFER,   /* the full run (transfer/infer of every batch) */
    NR_STAGE_COUNT
} nr_stage;

/* Lower-case stage name ("prepare"); "?" out of range. */
const char *nr_stage_name(nr_stage s);

/* Everything an observer may read about the run.  Owned by the pipeline;
 * valid during the callbacks only (copy what you keep).  Arrays grow as
 * batches arrive: entries [0, n_done) are valid. */
typedef struct nr_run {
    const nr_rig *rig;              /* parsed rig                            */
    const char *rig_path;           /* absolute                              */
    const neurio_plugin *plugin;    /* descriptor (core's full-size copy)    */
    const char *plugin_path;        /* the .so it came from                  */
    const neurio_model *model;      /* prepared model (after prepare)        */
    char model_sha256[65];          /* hex of neurio_model_sha256, "" before */
    neurio_device_info info;        /* filled by flash (zero before)         */
    size_t n_samples;               /* samples to run (after data.limit)     */
    uint32_t batch_size;            /* effective batch size                  */
    char run_id[64];                /* "20261126-054412-echo-3f2a"           */
    const char *run_dir;            /* <output.dir>/<run-id>, absolute       */
    const char *gen_dir;            /* <run_dir>/gen                         */
    int64_t start_unix_ms;          /* wall clock at start                   */

    /* Bytes of one sample of each input / output in the model's dtype.
     * The samples themselves are in each batch (neurio_batch inputs,
     * outputs and measures, rows [0, done) = samples first..): the run
     * holds one batch at a time, never the whole data, so memory does not
     * grow with the number of samples.  Outputs are also in
     * output.predictions, written batch by batch. */
    uint32_t n_inputs;
    const size_t *input_sample_bytes;
    uint32_t n_outputs;
    const size_t *output_sample_bytes;
    /* Per-layer counts of the CURRENT batch only ([batch_size * n_layers],
     * valid in on_batch; memory does not grow with the run), and their
     * sums per layer over the n_done samples ([n_layers], valid always);
     * layers_filled = how many layers the device measured (0 = none). */
    const uint64_t *layer_cycles;
    uint32_t n_layers;
    uint32_t layers_filled;
    const double *layer_sum;
    size_t n_done;                  /* samples completed so far              */

    nr_stage stage;                 /* stage running / reached               */
    nr_stage until;                 /* last stage requested                  */
    const char *error;              /* failure message in on_finish, or NULL */

    /* The host reference (core/hostref.h), built once before on_start when
     * an observer set needs_hostref, shared by all of them; NULL when none
     * asked or it could not be built (hostref_error says why). */
    struct nr_hostref *hostref;
    const char *hostref_error;

    /* task.debug = "layers" (reference/layer_debug.h, run by the pipeline
     * after the batches): the per-layer comparison (debug_rows rows, one
     * per output of every op) of the first debug_samples samples, NULL
     * when not asked or it failed (the run's error says why);
     * debug_first_diff = first differing row, -1 = every layer matches. */
    const nr_layer_debug *debug_layers;
    uint32_t debug_rows;
    uint32_t debug_samples;
    int32_t debug_first_diff;
} nr_run;

/* A listener.  Every callback may be NULL.  A non-zero return from on_start
 * or on_batch stops the run (status NEURIO_ERR_INTERNAL unless a negative
 * neurio_status is returned); on_finish's return is logged only.
 * Observers are only called for a full run (until == NR_STAGE_INFER).
 * on_start: after flash, before the first batch.
 * on_batch: after each batch with its results (batch->done rows).
 * on_finish: exactly once per full run, also on failure/cancel and also
 *            when the run failed before on_start (run->stage says where,
 *            run->error says why), with status NEURIO_OK or the failing
 *            neurio_status. */
typedef struct nr_observer {
    void *user;
    int (*on_start)(void *user, const nr_run *run);
    int (*on_batch)(void *user, const nr_run *run, const neurio_batch *batch);
    int (*on_finish)(void *user, const nr_run *run, int status);
    void (*destroy)(void *user); /* optional: called by nr_pipeline_free */
    /* Non-zero: this observer reads run->hostref (the pipeline then keeps
     * a copy of the imported model and the user's data for it). */
    int needs_hostref;
} nr_observer;

/* An observer's on_start/on_batch says why it stops the run: the message
 * becomes the run's one error line (instead of a generic "observer N
 * failed").  Call it right before returning non-zero. */
void nr_observer_error(const char *fmt, ...) NEURIO_PRINTF(1, 2);

/* task.debug = "layers", run by the pipeline after the batches (in
 * core/observers/layer_readback.c): every layer of the first samples read
 * back from the device and compared; fills run->debug_*, *rows owned by
 * the caller.  NEURIO_OK or a status with the message in err. */
typedef struct nr_readback_io {
    const neurio_plugin *plugin;
    void *self;
    neurio_ctx *ctx;
    const void *const *inputs;   /* run inputs, as in nr_run */
    const size_t *input_bytes;
    void *const *outputs;        /* the run's output buffers */
    const size_t *output_bytes;
} nr_readback_io;
int nr_layer_readback(const nr_readback_io *io, const nr_rig *rig, nr_run *run,
                      nr_layer_debug **rows, neurio_errbuf *err);

typedef struct nr_pipeline nr_pipeline;

/* Create a pipeline for a loaded rig (borrowed: must outlive the pipeline).
 * Finds and loads the plugin and validates its device options (nothing is
 * opened).  Returns NEURIO_OK, or an error with the message in err and the
 * launcher exit code (NR_EXIT_CONFIG / NR_EXIT_PLUGIN ...) in *exit_code
 * (may be NULL). */
int nr_pipeline_new(const nr_rig *rig, nr_pipeline **out, int *exit_code,
                    neurio_errbuf *err);

/* The plugin entry chosen (descriptor, file), valid until free. */
const struct nr_plugin_entry *nr_pipeline_plugin(const nr_pipeline *p);

/* The validated device options (for `neurio check`), valid until free. */
const struct nr_options *nr_pipeline_options(const nr_pipeline *p);

/* Register an observer (copied).  Up to 8.  Returns NEURIO_OK or
 * NEURIO_ERR_INVALID when full. */
int nr_pipeline_add_observer(nr_pipeline *p, const nr_observer *obs);

/* Run the stages up to and including `until`.  Prints the minimal summary
 * for a full run.  Returns NEURIO_OK or the failing status with a one-line
 * message in err ("flash failed: [cortex-m] qemu exited: ..."). */
int nr_pipeline_run(nr_pipeline *p, nr_stage until, neurio_errbuf *err);

/* The launcher exit code (NR_EXIT_*) for the last failure. */
int nr_pipeline_exit_code(const nr_pipeline *p, int status);

/* The run state (valid until nr_pipeline_free). */
const nr_run *nr_pipeline_state(const nr_pipeline *p);

void nr_pipeline_free(nr_pipeline *p);

/* The prepare step `run` and `check` share: the plugin `d`'s prepare hook
 * (or, hook NULL, the SDK's default recipe) on m with the rig's model.*
 * keys, then every op x dtype of the prepared m checked for a kernel,
 * nothing generated or built.  Returns NEURIO_OK, or the status with
 * *hook_failed = 1 (the message in ctx: nr_ctx_error) when prepare failed,
 * 0 (the message, naming the missing op x dtype, in err) when a kernel is
 * missing. */
int nr_prepare_for_device(const neurio_plugin *d, void *self, neurio_ctx *ctx,
                          const nr_rig *rig, neurio_model *m, int *hook_failed,
                          neurio_errbuf *err);

#endif /* NEURIO_CORE_PIPELINE_H */

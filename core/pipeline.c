/* core/pipeline.c — run a rig through the plugin's hooks, in order. */
#include "pipeline.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "host.h"
#include "reference/hostref.h"
#include "loader.h"
#include "neurio/codegen.h"
#include "neurio/dataprep.h"
#include "neurio/link_host.h"
#include "neurio/npy.h"
#include "neurio/quantize.h"
#include "report/predictions.h"
#include "report/run_latency.h"
#include "options.h"

#define PIPE_MAX_OBSERVERS 8

struct nr_pipeline {
    const nr_rig *rig;
    nr_plugin_set plugins;
    const nr_plugin_entry *entry;
    nr_options opts;
    neurio_ctx *ctx;
    void *self;
    int opened;
    int ran;
    neurio_model *model;
    neurio_model *imported;    /* copy before prepare, for the host reference */
    nr_hostref *hostref;
    char hostref_error[1024];
    nr_observer obs[PIPE_MAX_OBSERVERS];
    size_t n_obs;
    nr_run run;
    char run_dir[PATH_MAX];
    char gen_dir[PATH_MAX];
    char work_dir[PATH_MAX];
    /* One batch at a time (memory independent of the number of samples):
     * the input rows are read from data.inputs per batch, the outputs
     * appended to the predictions per batch, the measures spilled to the
     * summary's series (run_dir/work, unlinked files). */
    neurio_input_stream in_st;
    void **inputs;           /* [n_inputs_alloc]: one batch each, in the
                                model's input dtypes                      */
    uint32_t n_inputs_alloc;
    size_t *input_sample_bytes;
    void **outputs;          /* [n_outputs]: one batch each                 */
    size_t *output_sample_bytes;
    nr_predictions pred;     /* output.predictions, one batch at a time    */
    neurio_measure *measures;/* one batch                                    */
    nr_run_latency lat;      /* the summary's latency series             */
    uint64_t *layer_cycles;  /* one batch: [batch_size * n_layers]          */
    double *layer_sum;       /* [n_layers], over the samples done            */
    int exit_code;
    char error[1024];
    nr_layer_debug *debug_rows;  /* task.debug = "layers" */
};

#define pipe_debug_on(p) ((p)->run.until == NR_STAGE_INFER && (p)->rig->task_debug && \
                          !strcmp((p)->rig->task_debug, "layers"))



static const char *const pipe_stage_names[NR_STAGE_COUNT] = { "prepare", "codegen", "flash",
                                                               "infer" };

const char *nr_stage_name(nr_stage s)
{
    return s >= 0 && s < NR_STAGE_COUNT ? pipe_stage_names[s] : "?";
}

/* Record a failure: message into p->error and err, exit code kept. */
static int pipe_fail(nr_pipeline *p, neurio_errbuf *err, int status, int exit_code,
                     const char *fmt, ...) NEURIO_PRINTF(5, 6);

static int pipe_fail(nr_pipeline *p, neurio_errbuf *err, int status, int exit_code,
                     const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->error, sizeof p->error, fmt, ap);
    va_end(ap);
    if (status == NEURIO_ERR_CANCELLED)
        exit_code = nr_cancel_exit_code();
    else if (status == NEURIO_ERR_CONFIG)
        exit_code = NR_EXIT_CONFIG;
    p->exit_code = exit_code;
    p->run.error = p->error;
    if (err) {
        size_t l = strlen(p->error);
        if (l >= sizeof err->msg)
            l = sizeof err->msg - 1;
        memcpy(err->msg, p->error, l);
        err->msg[l] = '\0';
    }
    return status;
}

/* The failing hook's message wrapped with the stage and the plugin. */
static int pipe_hook_fail(nr_pipeline *p, neurio_errbuf *err, int status, const char *stage,
                          int exit_code)
{
    const char *msg = nr_ctx_error(p->ctx);
    if (status >= 0)
        status = NEURIO_ERR_INTERNAL; /* a hook must return a negative code */
    if (nr_cancel_requested()) /* a tool killed by the same Ctrl-C: interrupted */
        return pipe_fail(p, err, NEURIO_ERR_CANCELLED, NR_EXIT_CANCELLED,
                         "%s interrupted (%s); the results received so far are kept "
                         "[%s: %s]", stage, nr_cancel_reason(), p->entry->desc.name,
                         msg ? msg : neurio_status_str(status));
    return pipe_fail(p, err, status, exit_code, "%s failed: [%s] %s%s", stage,
                     p->entry->desc.name, msg ? msg : neurio_status_str(status),
                     msg ? "" : " (the plugin gave no message)");
}

int nr_prepare_for_device(const neurio_plugin *d, void *self, neurio_ctx *ctx,
                          const nr_rig *rig, neurio_model *m, int *hook_failed,
                          neurio_errbuf *err)
{
    neurio_prepare_args args = {
        .size = (uint32_t)sizeof args,
        .model_path = rig->model_path,
        .quantize = rig->model_quantize,
        .calibration = rig->model_calibration,
        .calibration_method = rig->model_calibration_method,
        .calibrations = (const char *const *)rig->model_calibration_list,
        .n_calibrations = (uint32_t)rig->n_model_calibrations,
    };
    neurio_errbuf e = {{0}};
    int rc;
    *hook_failed = 1;
    nr_ctx_clear_error(ctx);
    if (d->prepare)
        rc = d->prepare(self, m, &args);
    else if ((rc = neurio_prepare_default(m, &args, &e)) != 0)
        nr_host()->set_error(ctx, "%s (the SDK's default prepare)", e.msg);
    if (rc)
        return rc;
    *hook_failed = 0;
    if ((rc = neurio_codegen_check_all(m, &e)) != 0)
        return neurio_fail(err, rc, "model '%s' cannot run on device '%s' (model.quantize = "
                           "\"%s\"): %s", m->name, d->name,
                           rig->model_quantize ? rig->model_quantize : "none", e.msg);
    return NEURIO_OK;
}

/* codegen: the plugin's hook, or (ABI 1.1, hook NULL) the SDK's default
 * recipe, whose message goes where a hook's would. */

static int pipe_codegen(nr_pipeline *p)
{
    const neurio_plugin *d = &p->entry->desc;
    if (d->codegen)
        return d->codegen(p->self, p->model, p->gen_dir);
    neurio_errbuf e = {{0}};
    neurio_codegen_options opts = {.model_sha256 = p->run.model_sha256,
                                   .stateful = p->rig->data_stateful};
    int rc = neurio_codegen(p->model, p->gen_dir, &opts, NULL, &e);
    if (rc)
        nr_host()->set_error(p->ctx, "%s (the SDK's default codegen)", e.msg);
    return rc;
}

/* Between stages: a signal received during the last one stops the run here. */
static int pipe_cancel_point(nr_pipeline *p, neurio_errbuf *err)
{
    if (!nr_cancel_requested())
        return NEURIO_OK;
    return pipe_fail(p, err, NEURIO_ERR_CANCELLED, NR_EXIT_CANCELLED, "%s after %s; nothing "
                     "was run on the device", nr_cancel_reason(), nr_stage_name(p->run.stage));
}

int nr_pipeline_new(const nr_rig *rig, nr_pipeline **out, int *exit_code, neurio_errbuf *err)
{
    int rc;
    *out = NULL;
    if (exit_code)
        *exit_code = NR_EXIT_OK;
    nr_pipeline *p = calloc(1, sizeof *p);
    if (!p) {
        if (exit_code)
            *exit_code = NR_EXIT_FAILURE;
        return neurio_fail(err, NEURIO_ERR_NOMEM, "out of memory");
    }
    p->rig = rig;
    p->exit_code = NR_EXIT_FAILURE;
    rc = nr_loader_scan_for((const char *const *)rig->plugin_path, rig->n_plugin_path, 0,
                            rig->device_plugin, &p->plugins, err);
    if (rc) {
        p->exit_code = rc == NEURIO_ERR_CONFIG ? NR_EXIT_CONFIG : NR_EXIT_PLUGIN;
        goto fail;
    }
    p->entry = nr_loader_find(&p->plugins, rig->device_plugin, err);
    if (!p->entry) {
        rc = NEURIO_ERR_UNSUPPORTED;
        p->exit_code = NR_EXIT_PLUGIN;
        goto fail;
    }
    rc = nr_options_validate(rig, &p->entry->desc, &p->opts, err);
    if (rc) {
        p->exit_code = rc == NEURIO_ERR_CONFIG ? NR_EXIT_CONFIG : NR_EXIT_PLUGIN;
        goto fail;
    }
    p->run.rig = rig;
    p->run.rig_path = rig->path;
    p->run.plugin = &p->entry->desc;
    p->run.plugin_path = p->entry->path;
    *out = p;
    return NEURIO_OK;
fail:
    if (exit_code)
        *exit_code = p->exit_code;
    nr_pipeline_free(p);
    return rc;
}

int nr_pipeline_add_observer(nr_pipeline *p, const nr_observer *obs)
{
    if (!p || !obs || p->n_obs >= PIPE_MAX_OBSERVERS)
        return NEURIO_ERR_INVALID;
    p->obs[p->n_obs++] = *obs;
    return NEURIO_OK;
}

const nr_plugin_entry *nr_pipeline_plugin(const nr_pipeline *p)
{
    return p->entry;
}

const nr_options *nr_pipeline_options(const nr_pipeline *p)
{
    return &p->opts;
}

const nr_run *nr_pipeline_state(const nr_pipeline *p)
{
    return p ? &p->run : NULL;
}

int nr_pipeline_exit_code(const nr_pipeline *p, int status)
{
    if (status == NEURIO_OK)
        return NR_EXIT_OK;
    return p ? p->exit_code : NR_EXIT_FAILURE;
}

static int pipe_make_dirs(nr_pipeline *p, neurio_errbuf *err)
{
    struct timespec ts;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &ts);
    localtime_r(&ts.tv_sec, &tm);
    p->run.start_unix_ms = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
    unsigned tag = (unsigned)(ts.tv_nsec ^ ((unsigned)getpid() << 8)) & 0xffffu;
    char stamp[32];
    strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tm);
    snprintf(p->run.run_id, sizeof p->run.run_id, "%s-%.24s-%04x", stamp,
             p->entry->desc.name, tag);
    if (snprintf(p->run_dir, sizeof p->run_dir, "%s/%s", p->rig->output_dir, p->run.run_id) >=
        (int)sizeof p->run_dir)
        return pipe_fail(p, err, NEURIO_ERR_CONFIG, NR_EXIT_CONFIG,
                         "output.dir %s: path too long", p->rig->output_dir);
    if (snprintf(p->gen_dir, sizeof p->gen_dir, "%s/gen", p->run_dir) >= (int)sizeof p->gen_dir ||
        snprintf(p->work_dir, sizeof p->work_dir, "%s/work", p->run_dir) >=
            (int)sizeof p->work_dir)
        return pipe_fail(p, err, NEURIO_ERR_CONFIG, NR_EXIT_CONFIG,
                         "output.dir %s: path too long", p->rig->output_dir);
    const char *dirs[] = { p->run_dir, p->gen_dir, p->work_dir };
    for (size_t i = 0; i < 3; i++)
        if (nr_mkdirs(dirs[i]) != 0)
            return pipe_fail(p, err, NEURIO_ERR_IO, NR_EXIT_CONFIG,
                             "cannot create %s: %s; check output.dir (%s) is writable",
                             dirs[i], strerror(errno), p->rig->output_dir);
    p->run.run_dir = p->run_dir;
    p->run.gen_dir = p->gen_dir;
    return NEURIO_OK;
}

/* Open data.inputs (one array per graph input) and check it against the
 * model: its rows are read and converted one batch at a time
 * (pipe_read_batch), never held whole. */
static int pipe_load_inputs(nr_pipeline *p, neurio_errbuf *err)
{
    const neurio_model *m = p->model;
    neurio_errbuf e2;
    if (!p->rig->n_data_inputs)
        return pipe_fail(p, err, NEURIO_ERR_CONFIG, NR_EXIT_CONFIG,
                         "%s: data.inputs is required to run inferences; add data = { "
                         "inputs = \"x.npy\"; }; or stop earlier with --until flash",
                         p->rig->path);
    int rc = neurio_input_stream_open(m, (const char *const *)p->rig->data_input_list,
                                      p->rig->n_data_inputs, "data.inputs", 0, &p->in_st, &e2);
    if (rc)
        return pipe_fail(p, err, rc, rc == NEURIO_ERR_CONFIG ? NR_EXIT_CONFIG : NR_EXIT_MODEL,
                         "%s%s%s", rc == NEURIO_ERR_CONFIG ? p->rig->path : "",
                         rc == NEURIO_ERR_CONFIG ? ": " : "", e2.msg);
    uint32_t ni = p->in_st.n;
    p->inputs = calloc(ni, sizeof *p->inputs);
    p->input_sample_bytes = calloc(ni, sizeof *p->input_sample_bytes);
    if (!p->inputs || !p->input_sample_bytes)
        return pipe_fail(p, err, NEURIO_ERR_NOMEM, NR_EXIT_FAILURE, "out of memory");
    p->n_inputs_alloc = ni;
    for (uint32_t i = 0; i < ni; i++)
        p->input_sample_bytes[i] = p->in_st.sample_bytes[i];
    size_t n = p->in_st.n_samples;
    if (p->rig->data_limit > 0 && (size_t)p->rig->data_limit < n)
        n = (size_t)p->rig->data_limit;
    if (n > UINT32_MAX)
        return pipe_fail(p, err, NEURIO_ERR_UNSUPPORTED, NR_EXIT_MODEL,
                         "data.inputs %s: %zu samples; at most %u per run, use data.limit",
                         p->rig->data_inputs, n, UINT32_MAX);
    p->run.n_samples = n;
    p->run.n_inputs = ni;
    p->run.input_sample_bytes = p->input_sample_bytes;
    if (p->imported) { /* the user's data, read once for the host reference */
        neurio_model *imp = p->imported;
        neurio_errbuf re = { { 0 } };
        p->imported = NULL; /* taken over */
        rc = nr_hostref_for_run(imp, p->model, (const char *const *)p->rig->data_input_list,
                                p->rig->n_data_inputs, p->run.n_samples,
                                (int32_t)p->rig->task_output, p->rig->data_stateful,
                                &p->hostref, &re, &e2);
        if (rc)
            return pipe_fail(p, err, rc, NR_EXIT_MODEL, "%s", e2.msg);
        if (!p->hostref) {
            snprintf(p->hostref_error, sizeof p->hostref_error, "%s", re.msg);
            p->run.hostref_error = p->hostref_error;
        }
        p->run.hostref = p->hostref;
    }
    return NEURIO_OK;
}

/* Rows [first, first + count) of every data.inputs array into p->inputs,
 * in the model's input dtypes. */
static int pipe_read_batch(nr_pipeline *p, size_t first, uint32_t count, neurio_errbuf *err)
{
    neurio_errbuf e2;
    int rc = neurio_input_stream_read(&p->in_st, first, count, p->inputs, &e2);
    if (rc)
        return pipe_fail(p, err, rc, NR_EXIT_MODEL, "%s; the %zu result(s) received so far "
                         "are kept", e2.msg, p->run.n_done);
    return NEURIO_OK;
}

/* One batch of buffers (inputs, outputs, measures, per-layer counts), the
 * predictions files (written batch by batch, their header always giving
 * the rows so far) and the summary's spilled series. */
static int pipe_alloc_outputs(nr_pipeline *p, neurio_errbuf *err)
{
    const neurio_model *m = p->model;
    size_t n = p->run.n_samples, no = (size_t)m->n_outputs;
    size_t bs = p->rig->data_batch_size > 0 && (size_t)p->rig->data_batch_size < n
                    ? (size_t)p->rig->data_batch_size : n;
    p->outputs = calloc(no ? no : 1, sizeof *p->outputs);
    p->output_sample_bytes = calloc(no ? no : 1, sizeof *p->output_sample_bytes);
    p->measures = calloc(bs, sizeof *p->measures);
    p->run.n_layers = (uint32_t)m->n_ops;
    p->layer_cycles = calloc(bs * (m->n_ops ? (size_t)m->n_ops : 1), sizeof *p->layer_cycles);
    p->layer_sum = calloc(m->n_ops ? (size_t)m->n_ops : 1, sizeof *p->layer_sum);
    if (!p->outputs || !p->output_sample_bytes || !p->measures ||
        !p->layer_cycles || !p->layer_sum)
        return pipe_fail(p, err, NEURIO_ERR_NOMEM, NR_EXIT_FAILURE, "out of memory");
    for (uint32_t i = 0; i < p->n_inputs_alloc; i++)
        if (!(p->inputs[i] = malloc(bs * (p->input_sample_bytes[i] ? p->input_sample_bytes[i]
                                                                    : 1))))
            return pipe_fail(p, err, NEURIO_ERR_NOMEM, NR_EXIT_FAILURE, "out of memory");
    p->run.n_outputs = (uint32_t)no;
    for (size_t i = 0; i < no; i++) {
        p->output_sample_bytes[i] = neurio_tensor_bytes(&m->tensors[m->outputs[i]]);
        p->outputs[i] = calloc(bs, p->output_sample_bytes[i] ? p->output_sample_bytes[i] : 1);
        if (!p->outputs[i])
            return pipe_fail(p, err, NEURIO_ERR_NOMEM, NR_EXIT_FAILURE, "out of memory");
    }
    neurio_errbuf e2;
    int rc = nr_predictions_open(&p->pred, m, p->run_dir, p->rig->output_predictions, n, &e2);
    if (rc)
        return pipe_fail(p, err, rc, NR_EXIT_FAILURE, "%s", e2.msg);
    if (nr_run_latency_init(&p->lat, p->work_dir))
        return pipe_fail(p, err, NEURIO_ERR_IO, NR_EXIT_FAILURE,
                         "cannot create a temporary file in %s: %s", p->work_dir,
                         strerror(errno));
    p->run.output_sample_bytes = p->output_sample_bytes;
    p->run.layer_cycles = p->layer_cycles;
    p->run.layer_sum = p->layer_sum;
    return NEURIO_OK;
}

/* The `done` rows of batch b: outputs appended to the predictions, measures
 * to the summary's series.  A write failure (disk full) stops the run; the
 * rows written before stay valid. */
static int pipe_keep_batch(nr_pipeline *p, const neurio_batch *b, uint32_t done,
                           neurio_errbuf *err)
{
    neurio_errbuf e2;
    int rc = nr_predictions_append(&p->pred, p->outputs, done, &e2);
    if (rc)
        return pipe_fail(p, err, rc, NR_EXIT_FAILURE, "%s", e2.msg);
    nr_run_latency_add(&p->lat, b->measures, done);
    return NEURIO_OK;
}

/* Close the predictions (on disk, fsync'ed) and name them; a run that
 * completed no sample leaves none. */
static int pipe_close_predictions(nr_pipeline *p, neurio_errbuf *err)
{
    neurio_errbuf e2;
    int rc = nr_predictions_close(&p->pred, &e2);
    return rc ? pipe_fail(p, err, rc, NR_EXIT_FAILURE, "%s", e2.msg) : NEURIO_OK;
}

static void pipe_summary(nr_pipeline *p)
{
    size_t n = p->run.n_done;
    printf("run %s: %zu of %zu samples on '%s' (%s), batches of %u\n", p->run.run_id, n,
           p->run.n_samples, p->entry->desc.name,
           p->run.info.board ? p->run.info.board : "device", p->run.batch_size);
    if (n)
        nr_run_latency_print(&p->lat, &p->run.info, p->work_dir, stdout);
}

static char pipe_obs_error[1024];

void nr_observer_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(pipe_obs_error, sizeof pipe_obs_error, fmt, ap);
    va_end(ap);
}

/* Notify observers; the first failure stops the run. */
static int pipe_notify(nr_pipeline *p, int which, const neurio_batch *b, neurio_errbuf *err)
{
    for (size_t i = 0; i < p->n_obs; i++) {
        const nr_observer *o = &p->obs[i];
        int r = 0;
        if (which == 0 && o->on_start)
            r = o->on_start(o->user, &p->run);
        else if (which == 1 && o->on_batch)
            r = o->on_batch(o->user, &p->run, b);
        if (r && pipe_obs_error[0]) {
            int code = r == NEURIO_ERR_CONFIG ? NR_EXIT_CONFIG
                       : r == NEURIO_ERR_NOMEM ? NR_EXIT_FAILURE
                       : which == 0 ? NR_EXIT_MODEL : NR_EXIT_FAILURE;
            int st = pipe_fail(p, err, r < 0 ? r : NEURIO_ERR_INTERNAL, code, "%s",
                               pipe_obs_error);
            pipe_obs_error[0] = '\0';
            return st;
        }
        if (r)
            return pipe_fail(p, err, r < 0 ? r : NEURIO_ERR_INTERNAL, NR_EXIT_FAILURE,
                             "observer %zu failed %s (status %d: %s) without saying why", i,
                             which == 0 ? "at start" : "after a batch", r,
                             neurio_status_str(r < 0 ? r : NEURIO_ERR_INTERNAL));
    }
    return NEURIO_OK;
}

/* The batch's stall deadline passed while the plugin waited on the
 * device: a stall, reported as such (never as a latency); the samples
 * before it are kept. */
static int pipe_stall(nr_pipeline *p, neurio_errbuf *err, const neurio_batch *b,
                      uint32_t done)
{
    const char *msg = nr_ctx_error(p->ctx);
    return pipe_fail(p, err, NEURIO_ERR_TIMEOUT, NR_EXIT_DEVICE,
                     "stall: the batch of samples %u..%u got no answer for sample %u within "
                     "data.stall_timeout_ms = %lld ms; the device stopped answering (not "
                     "counted as latency); the %zu result(s) received so far are kept [%s: %s]",
                     b->first, b->first + b->count - 1, b->first + done,
                     (long long)p->rig->data_stall_timeout_ms, p->run.n_done,
                     p->entry->desc.name, msg ? msg : "no message");
}

static int pipe_batches(nr_pipeline *p, neurio_errbuf *err)
{
    const neurio_plugin *d = &p->entry->desc;
    size_t n = p->run.n_samples;
    uint32_t bs = p->rig->data_batch_size < (int64_t)n ? (uint32_t)p->rig->data_batch_size
                                                        : (uint32_t)n; /* n <= UINT32_MAX */
    if (p->run.info.max_batch && p->run.info.max_batch < bs)
        bs = p->run.info.max_batch;
    p->run.batch_size = bs;
    int rc = pipe_notify(p, 0, NULL, err);
    if (rc)
        return rc;
    const void *in_ptr[NEURIO_DATAPREP_MAX_INPUTS];
    void **out_ptr = calloc(p->run.n_outputs ? p->run.n_outputs : 1, sizeof *out_ptr);
    if (!out_ptr)
        return pipe_fail(p, err, NEURIO_ERR_NOMEM, NR_EXIT_FAILURE, "out of memory");
    for (size_t first = 0; first < n; first += bs) {
        if (nr_cancel_requested()) {
            rc = pipe_fail(p, err, NEURIO_ERR_CANCELLED, NR_EXIT_CANCELLED,
                           "%s after %zu of %zu samples; the results received so far are "
                           "kept", nr_cancel_reason(), p->run.n_done, n);
            goto out;
        }
        uint32_t count = (uint32_t)(n - first < bs ? n - first : bs);
        if ((rc = pipe_read_batch(p, first, count, err)) != 0)
            goto out;
        for (uint32_t k = 0; k < p->run.n_inputs; k++)
            in_ptr[k] = p->inputs[k];
        for (uint32_t k = 0; k < p->run.n_outputs; k++)
            out_ptr[k] = p->outputs[k];
        neurio_batch b = {
            .first = (uint32_t)first,
            .count = count,
            .n_inputs = p->run.n_inputs,
            .n_outputs = p->run.n_outputs,
            .inputs = in_ptr,
            .outputs = (void *const *)out_ptr,
            .measures = p->measures,
            .layer_cycles = p->layer_cycles, /* one batch, summed below */
            .n_layers = p->run.n_layers,
            .size = (uint32_t)sizeof(neurio_batch),
        };
        nr_ctx_clear_error(p->ctx);
        nr_ctx_set_deadline(p->ctx, p->rig->data_stall_timeout_ms);
        rc = d->transfer(p->self, &b);
        if (rc && nr_ctx_deadline_passed(p->ctx) && !nr_cancel_requested()) {
            nr_ctx_set_deadline(p->ctx, 0);
            rc = pipe_stall(p, err, &b, 0);
            goto out;
        }
        if (rc) {
            rc = pipe_hook_fail(p, err, rc, "transfer", NR_EXIT_DEVICE);
            goto out;
        }
        rc = d->infer(p->self, &b);
        int stalled = rc && nr_ctx_deadline_passed(p->ctx) && !nr_cancel_requested();
        nr_ctx_set_deadline(p->ctx, 0);
        uint32_t done = b.done > count ? count : b.done;
        if (!rc && done != count) {
            nr_ctx_clear_error(p->ctx);
            nr_host()->set_error(p->ctx, "infer returned success but completed %u of %u "
                                         "samples", done, count);
            rc = NEURIO_ERR_DEVICE;
        }
        p->run.n_done = first + done;
        if (b.layers_filled > p->run.layers_filled)
            p->run.layers_filled = b.layers_filled > b.n_layers ? b.n_layers : b.layers_filled;
        for (uint32_t k = 0; b.layers_filled && k < done; k++)
            for (uint32_t l = 0; l < p->run.n_layers; l++)
                p->layer_sum[l] += (double)p->layer_cycles[(size_t)k * p->run.n_layers + l];
        b.done = done;
        int krc = pipe_keep_batch(p, &b, done, rc ? NULL : err);
        if (krc && !rc) {
            rc = krc;
            goto out;
        }
        if (stalled) {
            int r2 = pipe_stall(p, err, &b, done);
            if (done)
                pipe_notify(p, 1, &b, NULL);
            rc = r2;
            goto out;
        }
        if (rc) {
            int r2 = pipe_hook_fail(p, err, rc, "infer", NR_EXIT_DEVICE);
            if (done)
                pipe_notify(p, 1, &b, NULL);
            rc = r2;
            goto out;
        }
        if ((rc = pipe_notify(p, 1, &b, err)) != 0)
            goto out;
        nr_host()->progress(p->ctx, "inference", p->run.n_done, n);
    }
out:
    nr_ctx_progress_done(p->ctx);
    free(out_ptr);
    return rc;
}

/* on_finish for every observer.  A run that succeeded but whose results
 * could not all be written or stored fails with the observer's message. */
static int pipe_finish(nr_pipeline *p, int status, neurio_errbuf *err)
{
    int first = NEURIO_OK;
    for (size_t i = 0; i < p->n_obs; i++) {
        int r = p->obs[i].on_finish ? p->obs[i].on_finish(p->obs[i].user, &p->run, status) : 0;
        if (!r)
            continue;
        if (status == NEURIO_OK && first == NEURIO_OK) {
            first = pipe_fail(p, err, r < 0 ? r : NEURIO_ERR_INTERNAL, NR_EXIT_FAILURE, "%s",
                              pipe_obs_error[0] ? pipe_obs_error
                                                : "an observer failed while finishing the run");
        } else if (pipe_obs_error[0]) {
            nr_log(NEURIO_LOG_ERROR, "%s", pipe_obs_error);
        } else {
            nr_log(NEURIO_LOG_WARN, "observer %zu failed while finishing the run", i);
        }
        pipe_obs_error[0] = '\0';
    }
    return first;
}

/* task.debug = "layers", after a good run (observers/layer_readback.c). */
static int pipe_debug(nr_pipeline *p, neurio_errbuf *err)
{
    /* The run keeps one batch: the debug samples (the first ones) are read
     * again into buffers of their own. */
    size_t n = (size_t)p->rig->task_debug_samples < p->run.n_done
                   ? (size_t)p->rig->task_debug_samples : p->run.n_done;
    void *in[NEURIO_DATAPREP_MAX_INPUTS] = { 0 }, *out[NEURIO_DATAPREP_MAX_INPUTS] = { 0 };
    neurio_errbuf e;
    int rc = p->run.n_outputs > NEURIO_DATAPREP_MAX_INPUTS ? NEURIO_ERR_UNSUPPORTED : 0;
    for (uint32_t k = 0; !rc && k < p->run.n_inputs; k++)
        if (!(in[k] = malloc((n ? n : 1) * (p->input_sample_bytes[k] + 1))))
            rc = NEURIO_ERR_NOMEM;
    for (uint32_t k = 0; !rc && k < p->run.n_outputs; k++)
        if (!(out[k] = calloc(n ? n : 1, p->output_sample_bytes[k] + 1)))
            rc = NEURIO_ERR_NOMEM;
    if (rc)
        snprintf(e.msg, sizeof e.msg, "layer readback: out of memory or too many outputs");
    if (!rc)
        rc = neurio_input_stream_read(&p->in_st, 0, n, in, &e);
    nr_readback_io io = { &p->entry->desc, p->self, p->ctx, (const void *const *)in,
                          p->input_sample_bytes, out, p->output_sample_bytes };
    if (!rc)
        rc = nr_layer_readback(&io, p->rig, &p->run, &p->debug_rows, &e);
    for (uint32_t k = 0; k < NEURIO_DATAPREP_MAX_INPUTS; k++) {
        free(in[k]);
        free(out[k]);
    }
    return rc ? pipe_fail(p, err, rc, rc == NEURIO_ERR_CANCELLED ? NR_EXIT_CANCELLED
                          : rc == NEURIO_ERR_CONFIG ? NR_EXIT_CONFIG : NR_EXIT_DEVICE,
                          "%s", e.msg) : NEURIO_OK;
}

int nr_pipeline_run(nr_pipeline *p, nr_stage until, neurio_errbuf *err)
{
    const neurio_plugin *d = &p->entry->desc;
    const nr_rig *rig = p->rig;
    neurio_errbuf e2;
    int rc;
    if (p->ran)
        return pipe_fail(p, err, NEURIO_ERR_INVALID, NR_EXIT_FAILURE,
                         "a pipeline runs only once");
    p->ran = 1;
    p->run.until = until;
    p->run.stage = NR_STAGE_PREPARE;
    if ((rc = pipe_make_dirs(p, err)) != 0)
        goto done;
    p->ctx = nr_ctx_new(d->name, &p->opts, p->work_dir);
    if (!p->ctx) {
        rc = pipe_fail(p, err, NEURIO_ERR_NOMEM, NR_EXIT_FAILURE, "out of memory");
        goto done;
    }
    nr_ctx_set_stateful(p->ctx, p->rig->data_stateful);
    p->run.debug_first_diff = -1;
    nr_ctx_set_layer_capture(p->ctx, pipe_debug_on(p));
    rc = d->open(p->ctx, nr_host(), &p->self);
    if (rc) {
        rc = pipe_hook_fail(p, err, rc, "open", NR_EXIT_PLUGIN);
        goto done;
    }
    p->opened = 1;

    /* prepare */
    if ((rc = neurio_model_load(rig->model_path, &p->model, &e2)) != 0) {
        rc = pipe_fail(p, err, rc, NR_EXIT_MODEL, "model.path: %s", e2.msg);
        goto done;
    }
    for (size_t i = 0; i < p->n_obs && until == NR_STAGE_INFER && !p->imported; i++)
        if (p->obs[i].needs_hostref && !(p->imported = neurio_model_clone(p->model))) {
            rc = pipe_fail(p, err, NEURIO_ERR_NOMEM, NR_EXIT_FAILURE, "out of memory");
            goto done;
        }
    /* Every op x dtype needs a kernel: said here, before anything is
     * generated or built (the same step as `neurio check`). */
    int hook_failed = 0;
    if ((rc = nr_prepare_for_device(d, p->self, p->ctx, rig, p->model, &hook_failed, &e2))) {
        rc = hook_failed ? pipe_hook_fail(p, err, rc, "prepare", NR_EXIT_MODEL)
                         : pipe_fail(p, err, rc, NR_EXIT_MODEL, "%s", e2.msg);
        goto done;
    }
    p->run.model = p->model;
    /* The one hash of the prepared model: handed to the plugin
     * (host->model_sha256), the observers and the store. */
    neurio_model_sha256_hex(p->model, p->run.model_sha256);
    nr_ctx_set_model_sha256(p->ctx, p->run.model_sha256);
    printf("prepared model '%s': %d ops, %d tensors, sha256 %s\n", p->model->name,
           (int)p->model->n_ops, (int)p->model->n_tensors, p->run.model_sha256);
    if (until == NR_STAGE_PREPARE)
        goto done;
    if ((rc = pipe_cancel_point(p, err)) != 0)
        goto done;

    p->run.stage = NR_STAGE_CODEGEN;
    nr_ctx_clear_error(p->ctx);
    if ((rc = pipe_codegen(p)) != 0) {
        rc = pipe_hook_fail(p, err, rc, "codegen", NR_EXIT_DEVICE);
        goto done;
    }
    printf("generated code: %s\n", p->gen_dir);
    if (until == NR_STAGE_CODEGEN)
        goto done;
    if ((rc = pipe_cancel_point(p, err)) != 0)
        goto done;

    p->run.stage = NR_STAGE_FLASH;
    memset(&p->run.info, 0, sizeof p->run.info);
    p->run.info.size = (uint32_t)sizeof p->run.info;
    nr_ctx_clear_error(p->ctx);
    if ((rc = d->flash(p->self, p->model, p->gen_dir, &p->run.info)) != 0) {
        rc = pipe_hook_fail(p, err, rc, "flash", NR_EXIT_DEVICE);
        goto done;
    }
    printf("flashed: %s%s%s\n", p->run.info.board ? p->run.info.board : "device",
           p->run.info.firmware ? ", " : "", p->run.info.firmware ? p->run.info.firmware : "");
    if (until == NR_STAGE_FLASH)
        goto done;
    if ((rc = pipe_cancel_point(p, err)) != 0)
        goto done;

    p->run.stage = NR_STAGE_INFER;
    if ((rc = pipe_load_inputs(p, err)) != 0)
        goto done;
    if ((rc = pipe_alloc_outputs(p, err)) != 0)
        goto done;
    rc = pipe_batches(p, err);
    if (!rc && pipe_debug_on(p) && p->run.n_done > 0)
        rc = pipe_debug(p, err);
done:
    if (until == NR_STAGE_INFER) {
        neurio_errbuf e3;
        int wrc = pipe_close_predictions(p, rc ? &e3 : err);
        if (wrc && !rc)
            rc = wrc;
        else if (wrc)
            nr_log(NEURIO_LOG_ERROR, "%s", e3.msg);
    }
    if (until == NR_STAGE_INFER && p->run.n_samples)
        pipe_summary(p);
    if (until == NR_STAGE_INFER) {
        int frc = pipe_finish(p, rc, err);
        if (!rc)
            rc = frc;
    }
    if (p->opened) {
        d->close(p->self);
        p->opened = 0;
    }
    return rc;
}

void nr_pipeline_free(nr_pipeline *p)
{
    if (!p)
        return;
    if (p->opened)
        p->entry->desc.close(p->self);
    for (size_t i = 0; i < p->n_obs; i++)
        if (p->obs[i].destroy)
            p->obs[i].destroy(p->obs[i].user);
    nr_hostref_free(p->hostref);
    nr_predictions_free(&p->pred); /* before the model its writers borrow */
    neurio_model_free(p->imported);
    neurio_model_free(p->model);
    nr_ctx_free(p->ctx);
    for (uint32_t i = 0; p->inputs && i < p->n_inputs_alloc; i++)
        free(p->inputs[i]);
    free(p->inputs);
    neurio_input_stream_close(&p->in_st);
    nr_run_latency_free(&p->lat);
    free(p->input_sample_bytes);
    for (uint32_t k = 0; p->outputs && k < p->run.n_outputs; k++)
        free(p->outputs[k]);
    free(p->outputs);
    free(p->output_sample_bytes);
    free(p->measures);
    free(p->layer_cycles);
    free(p->layer_sum);
    free(p->debug_rows);
    nr_options_free(&p->opts);
    nr_plugin_set_free(&p->plugins);
    free(p);
}

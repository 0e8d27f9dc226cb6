/* core/observers/report.c — the reporting observer: KPIs, summary, profile, CSV, HTML
 * and the result store, fed by the pipeline (see report.h). */
#include "report.h"
#include "report_store.h"

#include "host.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "reference/hostref.h"
#include "kpi/kpi_anomaly.h"
#include "kpi/kpi_classification.h"
#include "kpi/kpi_cost.h"
#include "kpi/kpi_fidelity.h"
#include "kpi/kpi_regression.h"
#include "neurio/npy.h"
#include "neurio/version.h"
#include "report/debug_files.h"
#include "report/profile_json.h"
#include "report/report_csv.h"
#include "report/report_data.h"
#include "report/report_html.h"
#include "report/report_inputs.h"
#include "report/report_rows.h"
#include "store/store.h"
#include "report/summary.h"

#ifndef NEURIO_GIT_REVISION
#define NEURIO_GIT_REVISION NULL
#endif

typedef enum rp_task { RP_NONE, RP_CLASSIFICATION, RP_REGRESSION, RP_ANOMALY } rp_task;

typedef struct rp_state {
    const nr_rig *rig;
    rp_task task;
    nr_score_spec score;
    nr_store *store;
    char store_spec[1200];
    int started;              /* on_start ran: run recorded, arrays sized   */
    int run_recorded;         /* a run row exists in the store              */
    /* Rows not yet in the store (it was locked by another process): kept
     * and written with the next batch, or at the end, waiting as long as
     * it takes.  A store that failed otherwise is `store_broken`, with its
     * message: the run goes on (its files have every result). */
    nr_store_row *pending;
    size_t n_pending, cap_pending;
    int busy_noted, store_broken;
    char store_error[sizeof(neurio_errbuf)];
    int64_t start_ms;         /* wall clock at on_start                      */
    char started_at[32];
    /* data.labels and task.reference, read one batch of rows at a time. */
    neurio_npy_reader labels, ref;
    int have_labels, have_ref;
    int want_refrun;          /* task.reference_run = "host": the run's
                                 host reference (core/hostref.h)          */
    char ref_source[160];     /* source of the fidelity figures            */

    /* One batch of scratch, sized at on_start for run->batch_size: memory
     * does not grow with the number of samples. */
    size_t n, per_sample, cap;
    const neurio_tensor *out_t, *in_t;
    float *y;                 /* output out_k as float [cap * per_sample]   */
    uint32_t out_k;           /* task.output: the output the KPIs use       */
    float *ref_b;             /* reference rows as float, or NULL           */
    float *tgt_b;             /* regression targets as float, or NULL       */
    int64_t *lab_b;           /* class / 0-1 label per sample, or NULL      */
    void *raw;                /* rows as read from labels / reference       */
    float *in_f;              /* scratch: one input sample as float         */
    size_t in_elems;
    /* Per-inference rows for the profile, CSV and HTML, spilled to an
     * unlinked file in the run directory. */
    nr_report_rows *rows;
    int rows_broken;
    /* KPIs accumulated batch by batch (figures identical to the
     * whole-array computation). */
    nr_kpi_cost_acc cost;
    int cost_on;
    nr_kpi_classification cls;
    int cls_on;               /* 1 adding, -1 failed (note kept)            */
    nr_kpi_regression reg;
    int reg_on;
    nr_kpi_fidelity fid;
    int fid_on;
    /* Anomaly ROC AUC: every score is ranked, spilled to unlinked files
     * in the run directory (task.kind = "anomaly" only; memory bounded). */
    nr_kpi_auc_acc *auc;

    char notes[8][256];
    int n_notes;
    char host[256];
    /* Membership (nr_report_member), "" = none. */
    char sweep_id[64], job_id[64];
    int sweep_point, attempt;
} rp_state;

static void rp_note(rp_state *s, const char *fmt, ...) NEURIO_PRINTF(2, 3);
static void rp_note(rp_state *s, const char *fmt, ...)
{
    if (s->n_notes >= 8)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(s->notes[s->n_notes++], sizeof s->notes[0], fmt, ap);
    va_end(ap);
}

/* The file name part of a path, for figure sources ("output.npy"). */
static const char *base_name(const char *p)
{
    const char *b = p ? strrchr(p, '/') : NULL;
    return b ? b + 1 : p;
}

/* UTC with milliseconds ("2026-11-26T09:55:01.123Z"): runs are ordered by
 * this string, so two runs in the same second must still sort by start. */
static void iso_time(int64_t unix_ms, char out[32])
{
    time_t t = (time_t)(unix_ms / 1000);
    struct tm tm;
    gmtime_r(&t, &tm);
    char sec[24];
    strftime(sec, sizeof sec, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(out, 32, "%s.%03dZ", sec, (int)(unix_ms % 1000));
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void rp_free_arrays(rp_state *s)
{
    free(s->y);
    free(s->ref_b);
    free(s->tgt_b);
    free(s->lab_b);
    free(s->raw);
    free(s->in_f);
    nr_kpi_auc_acc_free(s->auc);
    s->y = s->ref_b = s->tgt_b = s->in_f = NULL;
    s->lab_b = NULL;
    s->raw = NULL;
    s->auc = NULL;
}

static void rp_destroy(void *user)
{
    rp_state *s = user;
    if (!s)
        return;
    rp_free_arrays(s);
    neurio_npy_close(&s->labels);
    neurio_npy_close(&s->ref);
    nr_report_rows_free(s->rows);
    nr_kpi_cost_acc_free(&s->cost);
    nr_kpi_classification_free(&s->cls);
    nr_store_close(s->store);
    free(s->pending);
    free(s);
}

/* ---- recording the run in the store -------------------------------------- */

static int rp_record_run(rp_state *s, const nr_run *run, neurio_errbuf *err)
{
    if (!s->store || s->run_recorded)
        return 0;
    const neurio_model *m = run->model;
    nr_store_run r = {
        .run_id = run->run_id,
        .started_at = s->started_at,
        .task = s->rig->task_kind,
        .rig_path = run->rig_path,
        .plugin = run->plugin ? run->plugin->name : NULL,
        .plugin_version = run->plugin ? run->plugin->version : NULL,
        .plugin_path = run->plugin_path,
        .model_sha256 = run->model_sha256[0] ? run->model_sha256 : NULL,
        .model_name = m ? m->name : NULL,
        .model_path = s->rig->model_path,
        .model_format = m ? m->format : NULL,
        .board = run->info.board,
        .cpu = run->info.cpu,
        .firmware = run->info.firmware,
        .toolchain = run->info.toolchain,
        .cycle_source = run->info.cycle_source,
        .cycle_unit = run->info.cycle_unit,
        .clock_hz = run->info.clock_hz,
        .neurio_version = neurio_version(),
        .git_revision = NEURIO_GIT_REVISION,
        .host = s->host,
        .n_planned = run->n_samples,
        .batch_size = run->batch_size,
        .sweep_id = s->sweep_id[0] ? s->sweep_id : NULL,
        .sweep_point = s->sweep_point,
        .job_id = s->job_id[0] ? s->job_id : NULL,
        .attempt = s->attempt,
    };
    int rc = nr_store_begin_run(s->store, &r, err);
    if (!rc)
        s->run_recorded = 1;
    return rc;
}

/* Write the run record and the pending rows.  A locked store keeps them
 * pending (NEURIO_ERR_TIMEOUT); any other failure breaks the store for
 * the rest of the run, said once.  Never stops the run. */
static void rp_flush(rp_state *s, const nr_run *run, int wait_ms)
{
    neurio_errbuf err = { { 0 } };
    int rc = 0;
    if (!s->store || s->store_broken)
        goto drop;
    nr_store_set_busy_wait(s->store, wait_ms);
    rc = rp_record_run(s, run, &err);
    if (!rc && s->n_pending) {
        rc = nr_store_add_rows(s->store, run->run_id, s->pending, s->n_pending, &err);
        if (!rc)
            s->n_pending = 0;
    }
    if (rc == NEURIO_ERR_TIMEOUT) {
        if (!s->busy_noted)
            nr_log(NEURIO_LOG_WARN, "result store %s is locked by another process: %zu "
                   "row(s) kept in memory, written when it is free", s->store_spec,
                   s->n_pending);
        s->busy_noted = 1;
        return;
    }
    if (!rc)
        return;
    s->store_broken = 1;
    snprintf(s->store_error, sizeof s->store_error, "%s", err.msg);
    fprintf(stderr, "neurio run: result store %s: %s; the run goes on, its files keep every "
                    "result\n", s->store_spec, err.msg);
drop:
    s->n_pending = 0;
}

static int rp_keep_rows(rp_state *s, const nr_store_row *rows, size_t n)
{
    if (!s->store || s->store_broken)
        return 0;
    if (s->n_pending + n > s->cap_pending) {
        size_t cap = s->cap_pending ? s->cap_pending * 2 : 256;
        while (cap < s->n_pending + n)
            cap *= 2;
        nr_store_row *v = realloc(s->pending, cap * sizeof *v);
        if (!v)
            return NEURIO_ERR_NOMEM;
        s->pending = v;
        s->cap_pending = cap;
    }
    memcpy(s->pending + s->n_pending, rows, n * sizeof *rows);
    s->n_pending += n;
    return 0;
}

/* ---- on_start: size everything, check labels/reference against the model -- */

static int rp_alloc(rp_state *s)
{
    size_t cap = s->cap ? s->cap : 1, per = s->per_sample ? s->per_sample : 1;
    size_t raw = s->labels.row_bytes > s->ref.row_bytes ? s->labels.row_bytes
                                                         : s->ref.row_bytes;
    if (!(s->y = calloc(cap * per, sizeof *s->y)) ||
        !(s->raw = malloc(cap * (raw ? raw : 1))))
        return NEURIO_ERR_NOMEM;
    if (s->task == RP_ANOMALY) {
        if (!(s->in_f = calloc(s->in_elems ? s->in_elems : 1, sizeof *s->in_f)))
            return NEURIO_ERR_NOMEM;
    }
    if (s->have_ref && !(s->ref_b = calloc(cap * per, sizeof *s->ref_b)))
        return NEURIO_ERR_NOMEM;
    return 0;
}

/* Rows [first, first + count) of data.labels into s->lab_b (class
 * indices) or s->tgt_b (regression targets); of task.reference into
 * s->ref_b. */
static int rp_read_labels(rp_state *s, size_t first, size_t count, neurio_errbuf *err)
{
    const char *lp = s->rig->data_labels;
    /* the shape first (count 0 checks it alone), then the rows */
    int rc = s->lab_b ? nr_report_labels_classes_rows(&s->labels.hdr, s->raw, lp, s->n, first,
                                                      0, s->task == RP_ANOMALY ? 2
                                                         : (int32_t)s->per_sample, s->lab_b,
                                                      err)
                      : nr_report_rows_float_at(&s->labels.hdr, s->raw, "data.labels", lp,
                                                s->n, first, 0, s->out_t, s->per_sample,
                                                s->tgt_b, err);
    if (!rc)
        rc = neurio_npy_read_rows(&s->labels, first, count, s->raw, err);
    if (rc)
        return rc;
    if (s->lab_b)
        return nr_report_labels_classes_rows(&s->labels.hdr, s->raw, lp, s->n, first, count,
                                             s->task == RP_ANOMALY ? 2 : (int32_t)s->per_sample,
                                             s->lab_b, err);
    return nr_report_rows_float_at(&s->labels.hdr, s->raw, "data.labels", lp, s->n, first,
                                   count, s->out_t, s->per_sample, s->tgt_b, err);
}

static int rp_read_ref(rp_state *s, size_t first, size_t count, neurio_errbuf *err)
{
    int rc = nr_report_rows_float_at(&s->ref.hdr, s->raw, "task.reference",
                                     s->rig->task_reference, s->n, first, 0, s->out_t,
                                     s->per_sample, s->ref_b, err);
    if (!rc)
        rc = neurio_npy_read_rows(&s->ref, first, count, s->raw, err);
    if (rc)
        return rc;
    return nr_report_rows_float_at(&s->ref.hdr, s->raw, "task.reference",
                                   s->rig->task_reference, s->n, first, count, s->out_t,
                                   s->per_sample, s->ref_b, err);
}

/* Every label and reference row checked before the first batch (the
 * messages of a bad value come before the run, not in the middle), one
 * batch of rows at a time. */
static int rp_check_inputs(rp_state *s, neurio_errbuf *err)
{
    int rc = 0;
    for (size_t first = 0; first < s->n && !rc; first += s->cap) {
        size_t count = s->n - first < s->cap ? s->n - first : s->cap;
        if (s->lab_b || s->tgt_b)
            rc = rp_read_labels(s, first, count, err);
        if (!rc && s->have_ref)
            rc = rp_read_ref(s, first, count, err);
    }
    return rc;
}

static int rp_on_start(void *user, const nr_run *run)
{
    rp_state *s = user;
    neurio_errbuf err = { { 0 } };
    int rc = 0;
    s->start_ms = now_ms();
    iso_time(run->start_unix_ms, s->started_at);
    s->n = run->n_samples;
    s->cap = run->batch_size ? run->batch_size : 1;
    const neurio_model *m = run->model;
    if (!m || m->n_outputs < 1 || run->n_outputs < 1) {
        nr_observer_error("report: the prepared model has no output to evaluate");
        return NEURIO_ERR_INVALID;
    }
    s->out_k = (uint32_t)s->rig->task_output;
    if (s->out_k >= run->n_outputs || (int32_t)s->out_k >= m->n_outputs) {
        nr_observer_error("task.output = %u, but model '%s' has %u output%s (0 to %u)",
                          s->out_k, m->name, run->n_outputs, run->n_outputs == 1 ? "" : "s",
                          run->n_outputs - 1);
        return NEURIO_ERR_CONFIG;
    }
    s->out_t = &m->tensors[m->outputs[s->out_k]];
    size_t esz = neurio_dtype_size(s->out_t->dtype);
    s->per_sample = esz ? run->output_sample_bytes[s->out_k] / esz : 0;
    if (run->n_outputs > 1)
        rp_note(s, "the model has %u outputs; KPIs use output %u ('%s', task.output)",
                run->n_outputs, s->out_k, s->out_t->name);
    if (m->n_inputs >= 1 && run->n_inputs >= 1) {
        s->in_t = &m->tensors[m->inputs[0]];
        size_t isz = neurio_dtype_size(s->in_t->dtype);
        s->in_elems = isz ? run->input_sample_bytes[0] / isz : 0;
    }
    if ((rc = rp_alloc(s)))
        goto nomem;

    if (s->have_labels) {
        if ((s->task == RP_CLASSIFICATION && s->per_sample >= 2) || s->task == RP_ANOMALY) {
            /* anomaly labels: 0 = normal, 1 = anomaly, i.e. two "classes" */
            if (!(s->lab_b = calloc(s->cap, sizeof *s->lab_b)))
                goto nomem;
        } else if (s->task == RP_REGRESSION) {
            if (!(s->tgt_b = calloc(s->cap * (s->per_sample ? s->per_sample : 1),
                                    sizeof *s->tgt_b)))
                goto nomem;
        }
    }
    if ((rc = rp_check_inputs(s, &err)))
        goto fail;
    if (s->want_refrun && !run->hostref) {
        rc = neurio_fail(&err, NEURIO_ERR_CONFIG, "task.reference_run = \"host\": %s",
                         run->hostref_error ? run->hostref_error : "no host reference");
        goto fail;
    }
    unsigned fields = (s->lab_b ? NR_ROW_LABEL : 0u) |
                      (s->task == RP_CLASSIFICATION && s->per_sample > 1 ? NR_ROW_PREDICTION
                                                                         : 0u) |
                      (s->task == RP_ANOMALY ? NR_ROW_SCORE : 0u) |
                      (s->have_ref || s->want_refrun ? NR_ROW_ERROR : 0u);
    const char *dir = run->run_dir ? run->run_dir : NULL;
    if (nr_report_rows_new(dir, fields, &s->rows) ||
        nr_kpi_cost_acc_init(&s->cost, dir, &err)) {
        nr_observer_error("report: cannot create a temporary file in %s",
                          dir ? dir : "$TMPDIR");
        return NEURIO_ERR_IO;
    }
    s->cost_on = 1;
    if (s->task == RP_ANOMALY && nr_kpi_auc_acc_new(dir, &s->auc, &err)) {
        nr_observer_error("report: %s", err.msg);
        return NEURIO_ERR_IO;
    }
    if (s->task == RP_CLASSIFICATION && s->per_sample >= 2 && s->lab_b)
        s->cls_on = nr_kpi_classification_begin((int32_t)s->per_sample,
                                                (int32_t)s->rig->task_top_k, &s->cls, &err)
                        ? -1 : 1;
    if (s->cls_on < 0)
        rp_note(s, "%s", err.msg);
    s->reg_on = s->task == RP_REGRESSION && s->tgt_b;
    s->fid_on = s->have_ref || s->want_refrun;
    s->started = 1;
    rp_flush(s, run, 200);
    return 0;
nomem:
    nr_observer_error("report: out of memory for batches of %zu samples", s->cap);
    return NEURIO_ERR_NOMEM;
fail:
    nr_observer_error("%s", err.msg);
    return rc < 0 ? rc : NEURIO_ERR_CONFIG;
}

/* ---- on_batch: per-sample values, rows into the store ------------------- */

/* A KPI that cannot take a batch stops accumulating, with a note. */
static void rp_kpi_failed(rp_state *s, int *on, const char *msg)
{
    *on = -1;
    rp_note(s, "%s", msg);
}

/* The KPI accumulators take the batch's `done` rows. */
static void rp_accumulate(rp_state *s, size_t first, size_t done, const float *ref_rows)
{
    neurio_errbuf err = { { 0 } };
    if (s->cls_on > 0 &&
        nr_kpi_classification_add(&s->cls, s->y, done, s->lab_b, first, &err))
        rp_kpi_failed(s, &s->cls_on, err.msg);
    if (s->reg_on > 0 &&
        nr_kpi_regression_add(&s->reg, s->y, s->tgt_b, done * s->per_sample, &err))
        rp_kpi_failed(s, &s->reg_on, err.msg);
    if (s->fid_on > 0 && ref_rows &&
        nr_kpi_fidelity_add(&s->fid, s->y, ref_rows, done, s->per_sample, &err))
        rp_kpi_failed(s, &s->fid_on, err.msg);
}

static int rp_on_batch(void *user, const nr_run *run, const neurio_batch *b)
{
    rp_state *s = user;
    if (!s->started || !b->done)
        return 0;
    size_t first = b->first, done = b->done;
    if (first + done > s->n)
        done = first < s->n ? s->n - first : 0;
    if (done > s->cap)
        done = s->cap;
    nr_store_row *rows = calloc(done ? done : 1, sizeof *rows);
    if (!rows)
        return NEURIO_ERR_NOMEM;
    neurio_errbuf err = { { 0 } };
    const float *ref_rows = NULL;
    if (s->want_refrun && !(ref_rows = nr_hostref_rows(run->hostref, first, done, &err))) {
        free(rows);
        nr_observer_error("task.reference_run = \"host\": %s", err.msg);
        return NEURIO_ERR_UNSUPPORTED;
    }
    int rc = 0;
    if ((s->lab_b || s->tgt_b) && done)
        rc = rp_read_labels(s, first, done, &err);
    if (!rc && s->have_ref && done && !(rc = rp_read_ref(s, first, done, &err)))
        ref_rows = s->ref_b;
    if (rc) {
        free(rows);
        nr_observer_error("report: %s", err.msg);
        return rc < 0 ? rc : NEURIO_ERR_IO;
    }
    size_t in_bytes = run->n_inputs ? run->input_sample_bytes[0] : 0;
    for (size_t k = 0; k < done; k++) {
        size_t i = first + k;
        float *y = s->y + k * s->per_sample;
        nr_report_to_float((const char *)b->outputs[s->out_k] +
                               k * run->output_sample_bytes[s->out_k],
                           s->out_t, s->per_sample, y);
        nr_store_row *w = &rows[k];
        nr_report_row r = { .m = b->measures[k], .score = NAN, .sample_error = NAN };
        w->index = i;
        w->host_ns = r.m.host_ns;
        w->cycles = r.m.cycles;
        w->stack_bytes = r.m.stack_bytes;
        w->score = NAN;
        if (s->lab_b) {
            w->has_label = 1;
            w->label = r.label = s->lab_b[k];
        }
        if (s->task == RP_CLASSIFICATION && s->per_sample > 1) {
            w->has_prediction = 1;
            w->prediction = r.prediction = nr_kpi_argmax(y, (int32_t)s->per_sample);
        }
        if (s->auc) {
            if (s->in_t && b->n_inputs)
                nr_report_to_float((const char *)b->inputs[0] + k * in_bytes, s->in_t,
                                   s->in_elems, s->in_f);
            double sc = NAN;
            if (nr_score_sample(&s->score, y, s->per_sample, s->in_f, s->in_elems, &sc, &err)) {
                free(rows);
                nr_observer_error("%s", err.msg);
                return NEURIO_ERR_CONFIG;
            }
            w->score = r.score = sc;
            if (nr_kpi_auc_acc_count(s->auc) < s->n &&
                nr_kpi_auc_acc_add(s->auc, sc, s->lab_b ? s->lab_b[k] : 0))
                s->rows_broken = 1;
        }
        if (ref_rows) {
            double mx = 0;
            const float *rr = ref_rows + k * s->per_sample;
            for (size_t e = 0; e < s->per_sample; e++) {
                double d = fabs((double)y[e] - (double)rr[e]);
                mx = d > mx ? d : mx;
            }
            r.sample_error = mx;
        }
        if (!s->rows_broken && nr_report_rows_add(s->rows, &r))
            s->rows_broken = 1;
    }
    if (s->cost_on && nr_kpi_cost_acc_add(&s->cost, b->measures, done))
        s->rows_broken = 1;
    rp_accumulate(s, first, done, ref_rows);
    rc = rp_keep_rows(s, rows, done);
    free(rows);
    if (rc) {
        nr_observer_error("report: out of memory keeping %zu rows for the store", done);
        return rc;
    }
    if (s->rows_broken) {
        nr_observer_error("report: cannot write the per-inference rows to a temporary file "
                          "in %s (disk full?); the predictions keep the results so far",
                          run->run_dir ? run->run_dir : "$TMPDIR");
        return NEURIO_ERR_IO;
    }
    rp_flush(s, run, 200);
    return 0;
}

/* ---- on_finish: KPIs and every output ------------------------------------ */

static void rp_kpis(rp_state *s, const nr_run *run, size_t n, nr_metrics *m,
                    nr_kpi_classification *cls, int *have_cls, nr_kpi_cost *cost,
                    int *have_cost, nr_kpi_fidelity *fid, int *have_fid)
{
    neurio_errbuf err = { { 0 } };
    const char *lp = base_name(s->rig->data_labels);
    if (!n) {
        rp_note(s, "no inference completed: no KPIs");
        return;
    }
    if (s->task == RP_CLASSIFICATION) {
        if (s->per_sample < 2)
            rp_note(s, "classification KPIs need >= 2 output classes, the output has %zu "
                       "value(s); set task.kind = \"regression\"", s->per_sample);
        else if (!s->lab_b)
            rp_note(s, "no data.labels: accuracy not computed");
        else if (s->cls_on > 0 && nr_kpi_classification_end(&s->cls, &err) == 0) {
            *cls = s->cls; /* the arrays move to the caller */
            memset(&s->cls, 0, sizeof s->cls);
            *have_cls = 1;
            nr_kpi_classification_metrics(cls, lp, m);
        } else if (s->cls_on > 0)
            rp_note(s, "%s", err.msg);
    } else if (s->task == RP_REGRESSION) {
        if (!s->tgt_b)
            rp_note(s, "no data.labels: regression errors not computed");
        else if (s->reg_on > 0 && nr_kpi_regression_end(&s->reg, &err) == 0)
            nr_kpi_regression_metrics(&s->reg, lp, m);
        else if (s->reg_on > 0)
            rp_note(s, "%s", err.msg);
    } else if (s->task == RP_ANOMALY) {
        double auc;
        char src[160];
        snprintf(src, sizeof src, "%s, score %s", lp ? lp : "labels",
                 s->rig->task_score ? s->rig->task_score : "mse");
        if (!s->lab_b)
            rp_note(s, "no data.labels: ROC AUC not computed");
        else if (s->auc && nr_kpi_auc_acc_end(s->auc, &auc, &err) == 0)
            nr_metrics_add(m, "accuracy", "roc_auc", auc, "1", src);
        else
            rp_note(s, "%s", err.msg);
    }
    if (s->fid_on > 0) {
        if (nr_kpi_fidelity_end(&s->fid, &err) == 0) {
            *fid = s->fid;
            *have_fid = 1;
            nr_kpi_fidelity_metrics(fid, s->ref_source, m);
        } else
            rp_note(s, "%s", err.msg);
    }
    if (s->cost_on && nr_kpi_cost_acc_compute(&s->cost, &run->info, cost, &err) == 0) {
        *have_cost = 1;
        nr_kpi_cost_metrics(cost, &run->info, m);
        if (cost->energy_note[0])
            rp_note(s, "energy %s", cost->energy_note);
        if (cost->device_estimated)
            rp_note(s, "the device counts instructions (%s), not cycles: device latency and "
                       "energy are estimates", run->info.cycle_source ? run->info.cycle_source
                                                                       : "emulator");
    } else
        rp_note(s, "%s", s->cost_on ? err.msg : "cost KPIs: no inference was measured");
}

static int rp_on_finish(void *user, const nr_run *run, int status)
{
    rp_state *s = user;
    neurio_errbuf err = { { 0 } };
    char finished[32];
    iso_time(now_ms(), finished);
    if (!s->started_at[0])
        iso_time(run->start_unix_ms, s->started_at);
    size_t n = s->started ? (run->n_done < s->n ? run->n_done : s->n) : 0;
    const char *st = status == NEURIO_OK ? "ok"
                     : status == NEURIO_ERR_CANCELLED ? "cancelled" : "failed";
    int complete = status == NEURIO_OK && n == run->n_samples;

    nr_metrics m = { 0 };
    nr_kpi_classification cls;
    nr_kpi_cost cost;
    nr_kpi_fidelity fid;
    int have_cls = 0, have_cost = 0, have_fid = 0;
    memset(&cls, 0, sizeof cls);
    rp_kpis(s, run, n, &m, &cls, &have_cls, &cost, &have_cost, &fid, &have_fid);

    double *layer_mean = NULL;
    uint32_t n_layers = 0;
    if (n && run->layer_sum && run->layers_filled && run->n_layers &&
        (layer_mean = calloc(run->n_layers, sizeof *layer_mean)) != NULL) {
        for (uint32_t l = 0; l < run->n_layers; l++)
            layer_mean[l] = run->layer_sum[l] / (double)run->n_done;
        n_layers = run->layers_filled < run->n_layers ? run->layers_filled : run->n_layers;
    }

    const char *pmode = s->rig->output_profile_inferences;
    if (nr_profile_summarise(pmode, n) && !(pmode && !strcmp(pmode, "summary")))
        rp_note(s, "profile.json: the %zu per-inference rows are in inferences.csv and the "
                   "store, not in the profile (more than %d; output.profile_inferences = "
                   "\"all\" keeps them)", n, NR_PROFILE_AUTO_MAX);
    nr_report_data d = {
        .run_id = run->run_id,
        .rig_path = run->rig_path,
        .run_dir = run->run_dir,
        .started_at = s->started_at,
        .finished_at = finished,
        .status = st,
        .complete = complete,
        .error = run->error,
        .task = s->rig->task_kind,
        .labels_path = s->rig->data_labels,
        .reference_path = s->have_ref ? s->rig->task_reference
                          : s->want_refrun ? s->ref_source : NULL,
        .inputs_path = s->rig->data_inputs,
        .plugin_name = run->plugin ? run->plugin->name : NULL,
        .plugin_version = run->plugin ? run->plugin->version : NULL,
        .plugin_path = run->plugin_path,
        .model = run->model,
        .model_path = s->rig->model_path,
        .model_sha256 = run->model_sha256[0] ? run->model_sha256 : NULL,
        .neurio_version = neurio_version(),
        .git_revision = NEURIO_GIT_REVISION,
        .host = s->host,
        .device = run->info,
        .batch_size = run->batch_size,
        .n_planned = run->n_samples,
        .n_done = n,
        .model_load_time_s = s->started ? (double)(s->start_ms - run->start_unix_ms) / 1e3 : -1,
        .rows = n && s->rows ? s->rows : NULL,
        .metrics = &m,
        .cls = have_cls ? &cls : NULL,
        .cost = have_cost ? &cost : NULL,
        .fidelity = have_fid ? &fid : NULL,
        .n_layers = n_layers,
        .layer_mean = layer_mean,
        .profile_summary = nr_profile_summarise(pmode, n),
    };
    for (int i = 0; i < s->n_notes; i++)
        d.notes[d.n_notes++] = s->notes[i];

    int rc = 0;
    char profile[1400] = "", html[1400] = "", csv[1400] = "";
    if (run->run_dir) {
        snprintf(profile, sizeof profile, "%s/profile.json", run->run_dir);
        snprintf(csv, sizeof csv, "%s/inferences.csv", run->run_dir);
        const char *rep = s->rig->output_report ? s->rig->output_report : "report.html";
        nr_report_path(run->run_dir, rep, html, sizeof html);
        if (nr_profile_write(&d, profile, &err) || nr_report_csv_write(&d, csv, &err) ||
            nr_report_html_write(&d, html, &err)) {
            nr_observer_error("report: %s; the predictions and the store keep the results",
                              err.msg);
            rc = NEURIO_ERR_IO;
        }
    }
    char dj[1400] = "", dh[1400] = "";
    if (run->run_dir && run->debug_layers && run->model) {
        nr_debug_files df = { .run_id = run->run_id, .rows = run->debug_layers,
                              .n = run->debug_rows, .samples = run->debug_samples,
                              .first_diff = run->debug_first_diff };
        snprintf(dj, sizeof dj, "%s/layer_debug.json", run->run_dir);
        snprintf(dh, sizeof dh, "%s/layer_debug.html", run->run_dir);
        if (nr_debug_files_write(&df, dj, dh, &err)) {
            nr_observer_error("report: %s; the store keeps the per-layer rows", err.msg);
            rc = NEURIO_ERR_IO;
            dj[0] = '\0';
        }
    }
    if (n || s->started)
        nr_summary_print(stdout, &d, -1);
    if (s->store && !s->store_broken) {
        rp_flush(s, run, -1); /* the end: wait for a locked store as long as it takes */
        int src = s->store_broken ? NEURIO_ERR_IO : 0;
        if (src)
            memcpy(err.msg, s->store_error, sizeof err.msg);
        else
            src = s->run_recorded ? nr_report_store_layers(s->store, run, layer_mean,
                                                          n_layers, &err) : 0;
        if (!src)
            src = s->run_recorded ? nr_report_store_debug(s->store, run, &err) : 0;
        if (!src)
            src = nr_store_finish_run(s->store, run->run_id, st, complete, run->error, finished,
                                      &m, profile[0] ? profile : NULL, html[0] ? html : NULL,
                                      &err);
        if (src) {
            nr_observer_error("result store %s: %s; this run is NOT stored (its files are in "
                              "%s)", s->store_spec, err.msg,
                              run->run_dir ? run->run_dir : "the run directory");
            rc = src;
        } else {
            printf("stored as run %s in %s\n", run->run_id, s->store_spec);
        }
    }
    if (s->store && s->store_broken && !rc) {
        nr_observer_error("result store %s: %s; this run is NOT stored (its files are in %s)",
                          s->store_spec, s->store_error,
                          run->run_dir ? run->run_dir : "the run directory");
        rc = NEURIO_ERR_IO;
    }
    if (html[0] && !rc)
        printf("report: %s\nprofile: %s\n", html, profile);
    if (dj[0] && !rc)
        printf("layer readback: %s, %s\n", dj, dh);
    fflush(stdout);
    free(layer_mean);
    nr_kpi_classification_free(&cls);
    nr_metrics_free(&m);
    return rc;
}

/* ---- construction --------------------------------------------------------- */

int nr_report_observer_new(const nr_rig *rig, nr_observer *out, neurio_errbuf *err)
{
    return nr_report_observer_new_member(rig, NULL, out, err);
}

int nr_report_observer_new_member(const nr_rig *rig, const nr_report_member *mem,
                                  nr_observer *out, neurio_errbuf *err)
{
    memset(out, 0, sizeof *out);
    rp_state *s = calloc(1, sizeof *s);
    if (!s)
        return neurio_fail(err, NEURIO_ERR_NOMEM, "out of memory");
    s->rig = rig;
    if (mem && mem->sweep_id) {
        snprintf(s->sweep_id, sizeof s->sweep_id, "%s", mem->sweep_id);
        s->sweep_point = mem->sweep_point;
    }
    if (mem && mem->job_id) {
        snprintf(s->job_id, sizeof s->job_id, "%s", mem->job_id);
        s->attempt = mem->attempt;
    }
    if (gethostname(s->host, sizeof s->host - 1) != 0)
        snprintf(s->host, sizeof s->host, "unknown");
    const char *k = rig->task_kind ? rig->task_kind : "classification";
    s->task = !strcmp(k, "classification") ? RP_CLASSIFICATION
              : !strcmp(k, "regression")   ? RP_REGRESSION
              : !strcmp(k, "anomaly")      ? RP_ANOMALY
                                           : RP_NONE;
    int rc = 0;
    neurio_errbuf e2 = { { 0 } };
    if (s->task == RP_ANOMALY && (rc = nr_score_parse(rig->task_score, &s->score, &e2))) {
        rc = neurio_fail(err, NEURIO_ERR_CONFIG, "%s: %s", rig->path, e2.msg);
        goto fail;
    }
    if (rig->data_labels && s->task != RP_NONE) {
        if ((rc = neurio_npy_open(rig->data_labels, &s->labels, &e2))) {
            rc = neurio_fail(err, NEURIO_ERR_CONFIG, "data.labels: %s", e2.msg);
            goto fail;
        }
        s->have_labels = 1;
    }
    if (rig->task_reference_run && !strcmp(rig->task_reference_run, "host")) {
        if (rig->task_reference) {
            rc = neurio_fail(err, NEURIO_ERR_CONFIG,
                             "%s: task.reference and task.reference_run = \"host\" both give "
                             "the reference; keep one", rig->path);
            goto fail;
        }
        s->want_refrun = 1;
        snprintf(s->ref_source, sizeof s->ref_source, "host reference run of %s",
                 base_name(rig->model_path));
    }
    if (rig->task_reference) {
        snprintf(s->ref_source, sizeof s->ref_source, "%s", base_name(rig->task_reference));
        if ((rc = neurio_npy_open(rig->task_reference, &s->ref, &e2))) {
            rc = neurio_fail(err, NEURIO_ERR_CONFIG, "task.reference: %s", e2.msg);
            goto fail;
        }
        s->have_ref = 1;
    }
    const char *spec = nr_rig_store_spec(rig, s->store_spec, sizeof s->store_spec);
    if (spec && (rc = nr_store_open(spec, NR_STORE_WRITE, &s->store, &e2))) {
        rc = neurio_fail(err, rc, "output.store: %s", e2.msg);
        goto fail;
    }
    *out = (nr_observer){
        .user = s,
        .on_start = rp_on_start,
        .on_batch = rp_on_batch,
        .on_finish = rp_on_finish,
        .destroy = rp_destroy,
        .needs_hostref = s->want_refrun,
    };
    return 0;
fail:
    rp_destroy(s);
    return rc;
}

/* core/profile_json.c — the NeurIO-compatible run profile, built with cJSON. */
#include "report/profile_json.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/report_file.h"
#include "report/report_rows.h"

/* Add helpers: a NULL string or a non-finite number becomes JSON null. */
static void add_str(cJSON *o, const char *k, const char *v)
{
    if (v)
        cJSON_AddStringToObject(o, k, v);
    else
        cJSON_AddNullToObject(o, k);
}

static void add_num(cJSON *o, const char *k, double v)
{
    if (isfinite(v))
        cJSON_AddNumberToObject(o, k, v);
    else
        cJSON_AddNullToObject(o, k);
}

static cJSON *num_or_null(double v)
{
    return isfinite(v) ? cJSON_CreateNumber(v) : cJSON_CreateNull();
}

static cJSON *tensor_json(const neurio_model *m, int32_t t)
{
    const neurio_tensor *x = &m->tensors[t];
    cJSON *o = cJSON_CreateObject();
    add_str(o, "name", x->name);
    add_str(o, "dtype", neurio_dtype_name(x->dtype));
    cJSON *shape = cJSON_AddArrayToObject(o, "shape");
    for (int32_t i = 0; i < x->rank; i++)
        cJSON_AddItemToArray(shape, cJSON_CreateNumber(x->dims[i]));
    if (x->quant.count == 1) {
        add_num(o, "scale", x->quant.scale[0]);
        cJSON_AddNumberToObject(o, "zero_point", x->quant.zero_point[0]);
    } else {
        cJSON_AddNullToObject(o, "scale");
        cJSON_AddNullToObject(o, "zero_point");
    }
    return o;
}

static void add_model(cJSON *root, const nr_report_data *d)
{
    cJSON *o = cJSON_AddObjectToObject(root, "model");
    const neurio_model *m = d->model;
    add_str(o, "name", m ? m->name : NULL);
    add_str(o, "path", d->model_path);
    add_str(o, "format", m ? m->format : NULL);
    add_str(o, "sha256", d->model_sha256);
    if (!m)
        return;
    uint64_t macs = 0;
    for (int32_t i = 0; i < m->n_ops; i++)
        macs += neurio_op_macs(m, &m->ops[i]);
    cJSON_AddNumberToObject(o, "n_layers", m->n_ops);
    cJSON_AddNumberToObject(o, "macs", (double)macs);
    cJSON *in = cJSON_AddArrayToObject(o, "inputs");
    for (int32_t i = 0; i < m->n_inputs; i++)
        cJSON_AddItemToArray(in, tensor_json(m, m->inputs[i]));
    cJSON *out = cJSON_AddArrayToObject(o, "outputs");
    for (int32_t i = 0; i < m->n_outputs; i++)
        cJSON_AddItemToArray(out, tensor_json(m, m->outputs[i]));
}

/* device.weights: how the plugin chose the weight layouts, and on what. */
static void add_weights_choice(cJSON *dev, const neurio_weights_choice *c)
{
    cJSON *o = cJSON_AddObjectToObject(dev, "weights");
    add_str(o, "setting", c->setting);
    add_str(o, "decision", c->decision);
    const struct { const char *k; double v; } num[] = {
        { "flash_bytes", (double)c->flash_bytes },  { "code_bytes", (double)c->code_bytes },
        { "budget_bytes", (double)c->budget_bytes }, { "const_bytes", (double)c->const_bytes },
        { "int8_layers", c->int8_layers },           { "int16_layers", c->int16_layers },
        { "added_bytes", (double)c->added_bytes },   { "builds", c->builds },
    };
    for (size_t i = 0; i < sizeof num / sizeof num[0]; i++)
        cJSON_AddNumberToObject(o, num[i].k, num[i].v);
    add_str(o, "code_source", c->code_source);
}

static void add_device(cJSON *root, const nr_report_data *d)
{
    const neurio_device_info *v = &d->device;
    cJSON *o = cJSON_AddObjectToObject(root, "device");
    add_str(o, "plugin", d->plugin_name);
    add_str(o, "plugin_version", d->plugin_version);
    add_str(o, "board", v->board);
    add_str(o, "cpu", v->cpu);
    add_num(o, "clock_hz", v->clock_hz > 0 ? v->clock_hz : NAN);
    add_str(o, "cycle_source", v->cycle_source);
    add_str(o, "cycle_unit", v->cycle_unit);
    add_str(o, "firmware", v->firmware);
    add_str(o, "toolchain", v->toolchain);
    cJSON_AddNumberToObject(o, "max_batch", v->max_batch);
    cJSON *mem = cJSON_AddObjectToObject(o, "memory");
    cJSON_AddNumberToObject(mem, "flash_text", (double)v->flash_text);
    cJSON_AddNumberToObject(mem, "flash_rodata", (double)v->flash_rodata);
    cJSON_AddNumberToObject(mem, "flash_data", (double)v->flash_data);
    cJSON_AddNumberToObject(mem, "weights_bytes", (double)v->weights_bytes);
    cJSON_AddNumberToObject(mem, "arena_bytes", (double)v->arena_bytes);
    cJSON_AddNumberToObject(mem, "ram_bytes", (double)v->ram_bytes);
    /* the parts of ram_bytes and the stack's peak use beside its region
     * (left out when the plugin or the device did not report them) */
    const struct { const char *k; uint64_t v; } part[] = {
        { "ram_data_bytes", v->ram_data }, { "ram_bss_bytes", v->ram_bss },
        { "stack_region_bytes", v->stack_region },
        { "stack_peak_bytes", d->cost ? d->cost->stack_max : 0 },
    };
    for (size_t i = 0; i < sizeof part / sizeof part[0]; i++)
        if (part[i].v)
            cJSON_AddNumberToObject(mem, part[i].k, (double)part[i].v);
    if (v->weights_choice)
        add_weights_choice(o, v->weights_choice);
    cJSON *en = cJSON_AddObjectToObject(o, "energy_profile");
    add_num(en, "active_current_a", v->active_current_a > 0 ? v->active_current_a : NAN);
    add_num(en, "supply_voltage_v", v->supply_voltage_v > 0 ? v->supply_voltage_v : NAN);
}

static void add_runtime(cJSON *root, const nr_report_data *d)
{
    cJSON *o = cJSON_AddObjectToObject(root, "runtime");
    cJSON_AddStringToObject(o, "name", "neurio");
    add_str(o, "version", d->neurio_version);
    add_str(o, "run_id", d->run_id);
    add_str(o, "task", d->task);
    add_str(o, "status", d->status);
    cJSON_AddBoolToObject(o, "complete", d->complete);
    add_str(o, "error", d->error);
    cJSON_AddNumberToObject(o, "n_planned", (double)d->n_planned);
    cJSON_AddNumberToObject(o, "n_done", (double)d->n_done);
    add_str(o, "started_at", d->started_at);
    add_str(o, "finished_at", d->finished_at);
    add_str(o, "run_dir", d->run_dir);
}

/* Per-inference arrays are O(N): when writing a file they are streamed
 * into the printed tree where these placeholders stand (the control
 * character makes cJSON print them as "\u0001...", which no escaped user
 * string can be). */
#define PJ_STREAM_TIMES "\001neurio-stream:inference_time"
#define PJ_STREAM_ROWS "\001neurio-stream:measurements"

static double pj_time(const nr_report_data *d, const neurio_measure *m, int device)
{
    return device ? (double)m->cycles / d->device.clock_hz
                  : m->host_ns ? (double)m->host_ns / 1e9 : NAN;
}

/* The per-inference arrays (key: "inference_time", "measurements") in
 * object o: with output.profile_inferences off, an empty array and a note
 * (key_note) that the `what` of n_done inferences are `where`; when streamed
 * into a file, the placeholder.  1 if so, 0 when the caller fills the array. */
static int pj_left_out(cJSON *o, const char *key, const char *placeholder, const char *what,
                       const char *where, const nr_report_data *d, int stream)
{
    char note[320], note_key[64];
    if (d->profile_summary) {
        snprintf(note, sizeof note, "%zu per-inference %s left out of the profile "
                 "(output.profile_inferences): they are in %s", d->n_done, what, where);
        snprintf(note_key, sizeof note_key, "%s_note", key);
        cJSON_AddArrayToObject(o, key);
        cJSON_AddStringToObject(o, note_key, note);
        return 1;
    }
    if (stream)
        cJSON_AddStringToObject(o, key, placeholder);
    return stream;
}

static void add_inference(cJSON *root, const nr_report_data *d, int stream)
{
    cJSON *o = cJSON_AddObjectToObject(root, "inference");
    cJSON_AddNumberToObject(o, "batch_size", d->batch_size);
    add_num(o, "model_load_time", d->model_load_time_s >= 0 ? d->model_load_time_s : NAN);
    cJSON_AddStringToObject(o, "model_load_time_source",
                            "run start to first batch: prepare + codegen + flash");
    cJSON_AddStringToObject(o, "time_unit", "s");
    /* The pipeline reads and converts each batch's inputs before sending
     * it; it does not time preprocessing per inference. */
    cJSON_AddArrayToObject(o, "preprocess_time");
    cJSON_AddStringToObject(o, "preprocess_time_note",
                            "not measured per inference (each batch's inputs are read and "
                            "converted before the batch is sent)");
    int device = d->cost && d->cost->have_device && d->device.clock_hz > 0;
    if (!pj_left_out(o, "inference_time", PJ_STREAM_TIMES, "times",
                     "inferences.csv and the store's rows; kpis[] holds their statistics", d,
                     stream)) {
        cJSON *it = cJSON_AddArrayToObject(o, "inference_time");
        nr_report_iter ri;
        nr_report_row r;
        nr_report_iter_begin(d, &ri);
        while (nr_report_iter_next(&ri, &r))
            cJSON_AddItemToArray(it, num_or_null(pj_time(d, &r.m, device)));
    }
    add_str(o, "inference_time_source",
            device ? (d->cost->device_estimated ? "device counter / clock (estimated from "
                                                  "instruction counts)"
                                                : "device cycle counter / clock")
                   : "host wall clock (includes the link)");
}

static void add_kpis(cJSON *root, const nr_report_data *d)
{
    cJSON *a = cJSON_AddArrayToObject(root, "kpis");
    for (size_t i = 0; i < d->metrics->n; i++) {
        const nr_metric *m = &d->metrics->v[i];
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "group", m->group);
        cJSON_AddStringToObject(o, "name", m->name);
        cJSON_AddNumberToObject(o, "value", m->value);
        cJSON_AddStringToObject(o, "unit", m->unit);
        cJSON_AddStringToObject(o, "source", m->source);
        cJSON_AddItemToArray(a, o);
    }
}

static void add_classification(cJSON *root, const nr_kpi_classification *c)
{
    cJSON *o = cJSON_AddObjectToObject(root, "classification");
    cJSON_AddNumberToObject(o, "n_classes", c->n_classes);
    cJSON_AddNumberToObject(o, "top_k", c->top_k);
    cJSON *pc = cJSON_AddArrayToObject(o, "per_class");
    for (int32_t k = 0; k < c->n_classes; k++) {
        cJSON *e = cJSON_CreateObject();
        cJSON_AddNumberToObject(e, "class", k);
        add_num(e, "precision", c->precision[k]);
        add_num(e, "recall", c->recall[k]);
        add_num(e, "f1", c->f1[k]);
        cJSON_AddNumberToObject(e, "support", (double)c->support[k]);
        cJSON_AddNumberToObject(e, "predicted", (double)c->predicted[k]);
        cJSON_AddItemToArray(pc, e);
    }
    cJSON *cm = cJSON_AddArrayToObject(o, "confusion_matrix");
    for (int32_t r = 0; r < c->n_classes; r++) {
        cJSON *row = cJSON_CreateArray();
        for (int32_t k = 0; k < c->n_classes; k++)
            cJSON_AddItemToArray(row, cJSON_CreateNumber(
                (double)c->confusion[(size_t)r * (size_t)c->n_classes + (size_t)k]));
        cJSON_AddItemToArray(cm, row);
    }
    cJSON_AddStringToObject(o, "confusion_matrix_layout", "rows = true label, columns = prediction");
}

static void add_layers(cJSON *root, const nr_report_data *d)
{
    cJSON *a = cJSON_AddArrayToObject(root, "layers");
    /* a layer's count (when the device measured them) and its weight
     * layout (when the plugin reported them) */
    const uint32_t n_mean = d->layer_mean ? d->n_layers : 0;
    const uint32_t n_lay = d->device.layouts ? d->device.n_layouts : 0;
    for (uint32_t i = 0; i < (n_mean > n_lay ? n_mean : n_lay); i++) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddNumberToObject(o, "index", i);
        const neurio_op *op = d->model && (int32_t)i < d->model->n_ops ? &d->model->ops[i] : NULL;
        add_str(o, "op", op ? neurio_op_name(op->kind) : NULL);
        add_str(o, "name", op ? op->name : NULL);
        add_num(o, "mean", i < n_mean ? d->layer_mean[i] : NAN);
        add_str(o, "unit", d->device.cycle_unit ? d->device.cycle_unit : "cycles");
        const neurio_layer_layout *w = i < n_lay ? &d->device.layouts[i] : NULL;
        if (w && w->layout) {
            cJSON_AddStringToObject(o, "weights_layout", w->layout);
            cJSON_AddNumberToObject(o, "weights_layout_bytes", (double)w->bytes);
            cJSON_AddNumberToObject(o, "weights_added_bytes", (double)w->added_bytes);
        }
        cJSON_AddItemToArray(a, o);
    }
}

static void add_measurements(cJSON *root, const nr_report_data *d, int stream)
{
    if (pj_left_out(root, "measurements", PJ_STREAM_ROWS, "rows",
                    "inferences.csv, the predictions and the store's rows", d, stream))
        return;
    cJSON *a = cJSON_AddArrayToObject(root, "measurements");
    unsigned fl = nr_report_fields(d);
    nr_report_iter ri;
    nr_report_row r;
    nr_report_iter_begin(d, &ri);
    for (size_t i = 0; nr_report_iter_next(&ri, &r); i++) {
        const neurio_measure *m = &r.m;
        cJSON *o = cJSON_CreateObject();
        cJSON_AddNumberToObject(o, "index", (double)i);
        add_num(o, "host_ns", m->host_ns ? (double)m->host_ns : NAN);
        add_num(o, "cycles", m->cycles ? (double)m->cycles : NAN);
        add_num(o, "stack_bytes", m->stack_bytes ? (double)m->stack_bytes : NAN);
        add_num(o, "label", fl & NR_ROW_LABEL ? (double)r.label : NAN);
        add_num(o, "prediction", fl & NR_ROW_PREDICTION ? (double)r.prediction : NAN);
        add_num(o, "score", fl & NR_ROW_SCORE ? r.score : NAN);
        add_num(o, "ref_max_abs_error", fl & NR_ROW_ERROR ? r.sample_error : NAN);
        cJSON_AddItemToArray(a, o);
    }
}

static void add_provenance(cJSON *root, const nr_report_data *d)
{
    cJSON *o = cJSON_AddObjectToObject(root, "provenance");
    add_str(o, "model_sha256", d->model_sha256);
    add_str(o, "model_path", d->model_path);
    add_str(o, "rig_file", d->rig_path);
    add_str(o, "inputs", d->inputs_path);
    add_str(o, "labels", d->labels_path);
    add_str(o, "reference", d->reference_path);
    add_str(o, "plugin", d->plugin_name);
    add_str(o, "plugin_version", d->plugin_version);
    add_str(o, "plugin_path", d->plugin_path);
    add_str(o, "firmware", d->device.firmware);
    add_str(o, "toolchain", d->device.toolchain);
    add_str(o, "neurio_version", d->neurio_version);
    add_str(o, "git_revision", d->git_revision);
    add_str(o, "host", d->host);
    add_str(o, "date", d->finished_at ? d->finished_at : d->started_at);
}

static cJSON *pj_build(const nr_report_data *d, int stream)
{
    cJSON *root = cJSON_CreateObject();
    if (!root)
        return NULL;
    cJSON_AddStringToObject(root, "profiler_version", "neurio-" NR_PROFILE_VERSION);
    add_model(root, d);
    add_device(root, d);
    add_runtime(root, d);
    add_inference(root, d, stream);
    add_kpis(root, d);
    if (d->cls)
        add_classification(root, d->cls);
    if (d->fidelity) {
        cJSON *f = cJSON_AddObjectToObject(root, "fidelity");
        add_num(f, "argmax_agreement", d->fidelity->argmax_agreement);
        add_num(f, "max_abs_error", d->fidelity->max_abs_error);
        add_num(f, "mean_abs_error", d->fidelity->mean_abs_error);
        add_num(f, "cosine_similarity", d->fidelity->cosine_similarity);
        add_num(f, "relative_l2", d->fidelity->relative_l2);
    }
    add_layers(root, d);
    add_measurements(root, d, stream);
    cJSON *notes = cJSON_AddArrayToObject(root, "notes");
    for (int i = 0; i < d->n_notes; i++)
        cJSON_AddItemToArray(notes, cJSON_CreateString(d->notes[i]));
    add_provenance(root, d);
    return root;
}

int nr_profile_summarise(const char *mode, size_t n)
{
    if (mode && !strcmp(mode, "all"))
        return 0;
    if (mode && !strcmp(mode, "summary"))
        return 1;
    return n > NR_PROFILE_AUTO_MAX;
}

cJSON *nr_profile_build(const nr_report_data *d)
{
    return pj_build(d, 0);
}

/* A JSON number as cJSON prints it, or null. */
static void pj_num(FILE *f, double v)
{
    if (isnan(v) || isinf(v))
        fputs("null", f);
    else if (v == (double)(int64_t)v && fabs(v) < 1e15)
        fprintf(f, "%lld", (long long)v);
    else
        fprintf(f, "%.17g", v);
}

static int pj_stream_times(FILE *f, const nr_report_data *d)
{
    int device = d->cost && d->cost->have_device && d->device.clock_hz > 0;
    fputc('[', f);
    nr_report_iter ri;
    nr_report_row r;
    nr_report_iter_begin(d, &ri);
    for (size_t i = 0; nr_report_iter_next(&ri, &r); i++) {
        if (i)
            fputs(", ", f);
        pj_num(f, pj_time(d, &r.m, device));
    }
    fputc(']', f);
    return ri.error;
}

static int pj_stream_rows(FILE *f, const nr_report_data *d)
{
    unsigned fl = nr_report_fields(d);
    nr_report_iter ri;
    nr_report_row r;
    nr_report_iter_begin(d, &ri);
    fputc('[', f);
    for (size_t i = 0; nr_report_iter_next(&ri, &r); i++) {
        const neurio_measure *m = &r.m;
        fputs(i ? ", {\"index\": " : "{\"index\": ", f);
        pj_num(f, (double)i);
        fputs(", \"host_ns\": ", f);
        pj_num(f, m->host_ns ? (double)m->host_ns : NAN);
        fputs(", \"cycles\": ", f);
        pj_num(f, m->cycles ? (double)m->cycles : NAN);
        fputs(", \"stack_bytes\": ", f);
        pj_num(f, m->stack_bytes ? (double)m->stack_bytes : NAN);
        fputs(", \"label\": ", f);
        pj_num(f, fl & NR_ROW_LABEL ? (double)r.label : NAN);
        fputs(", \"prediction\": ", f);
        pj_num(f, fl & NR_ROW_PREDICTION ? (double)r.prediction : NAN);
        fputs(", \"score\": ", f);
        pj_num(f, fl & NR_ROW_SCORE ? r.score : NAN);
        fputs(", \"ref_max_abs_error\": ", f);
        pj_num(f, fl & NR_ROW_ERROR ? r.sample_error : NAN);
        fputc('}', f);
    }
    fputc(']', f);
    return ri.error;
}

/* cJSON drops a node whose allocation failed without telling anyone: its
 * allocations go through here so that a profile missing a node is an error,
 * never a silently incomplete file. */
static int pj_oom;

static void *pj_malloc(size_t n)
{
    void *p = malloc(n);
    if (!p)
        pj_oom = 1;
    return p;
}

int nr_profile_write(const nr_report_data *d, const char *path, neurio_errbuf *err)
{
    static cJSON_Hooks hooks = { .malloc_fn = pj_malloc, .free_fn = free };
    cJSON_InitHooks(&hooks);
    pj_oom = 0;
    /* The tree without the per-inference arrays (bounded), printed, then
     * written with the arrays streamed in at their placeholders: no O(N)
     * tree or text in memory. */
    cJSON *root = pj_build(d, 1);
    char *text = root && !pj_oom ? cJSON_Print(root) : NULL;
    cJSON_Delete(root);
    if (text && pj_oom) {
        cJSON_free(text);
        text = NULL;
    }
    if (!text)
        return neurio_fail(err, NEURIO_ERR_NOMEM, "cannot build the profile %s: out of memory",
                           path);
    nr_report_file rf;
    int rc = nr_report_file_open(&rf, path, err);
    int short_rows = 0;
    if (!rc) {
        static const char times[] = "\"\\u0001neurio-stream:inference_time\"";
        static const char rows[] = "\"\\u0001neurio-stream:measurements\"";
        const char *p = text;
        for (;;) {
            const char *a = strstr(p, times), *b = strstr(p, rows);
            const char *next = a && (!b || a < b) ? a : b;
            if (!next) {
                fputs(p, rf.f);
                break;
            }
            fwrite(p, 1, (size_t)(next - p), rf.f);
            if (next == a) {
                short_rows |= pj_stream_times(rf.f, d);
                p = next + sizeof times - 1;
            } else {
                short_rows |= pj_stream_rows(rf.f, d);
                p = next + sizeof rows - 1;
            }
        }
        fputc('\n', rf.f);
        if (short_rows) {
            nr_report_file_abort(&rf);
            rc = neurio_fail(err, NEURIO_ERR_IO, "cannot write the profile %s: the run's "
                             "per-inference rows could not be read back", path);
        } else {
            rc = nr_report_file_commit(&rf, err);
        }
    }
    cJSON_free(text);
    return rc;
}

/* core/report_html.c — the self-contained HTML report. */
#include "report/report_html.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "report/report_file.h"
#include "report/summary.h"
#include "report/report_rows.h"
#include "report/svg.h"

static const char css[] =
    "body{font-family:system-ui,sans-serif;margin:24px;color:#222;max-width:1100px}"
    "h1{font-size:22px}h2{font-size:17px;margin-top:28px;border-bottom:1px solid #ddd}"
    "table{border-collapse:collapse;font-size:13px}td,th{padding:3px 10px;text-align:left;"
    "border-bottom:1px solid #eee}th{background:#f4f4f8}td.num{text-align:right;"
    "font-variant-numeric:tabular-nums}.src{color:#777}.bad{color:#b00020;font-weight:600}"
    "svg.chart{display:block;margin:8px 0;background:#fcfcff;border:1px solid #e4e4ee}"
    "svg .bar{fill:#4f6fd8}svg .axis{stroke:#444}svg .tick{font-size:11px;fill:#333}"
    "svg .label{font-size:12px;fill:#333}svg .ctitle{font-size:13px;font-weight:600}"
    "svg .cell{stroke:#fff}svg .cnum{font-size:10px;fill:#111}";

static void esc(FILE *f, const char *s)
{
    nr_html_escape(f, s ? s : "—");
}

static void prov_row(FILE *f, const char *k, const char *v)
{
    fprintf(f, "<tr><th>%s</th><td>", k);
    esc(f, v);
    fputs("</td></tr>\n", f);
}

static void write_provenance(FILE *f, const nr_report_data *d)
{
    fputs("<section id=\"provenance\"><h2>Run</h2><table>\n", f);
    prov_row(f, "run", d->run_id);
    fprintf(f, "<tr><th>status</th><td class=\"%s\">", d->complete ? "" : "bad");
    esc(f, d->status);
    fprintf(f, "%s, %zu of %zu samples</td></tr>\n", d->complete ? "" : " (incomplete)",
            d->n_done, d->n_planned);
    if (d->error)
        prov_row(f, "error", d->error);
    prov_row(f, "task", d->task);
    prov_row(f, "model", d->model ? d->model->name : d->model_path);
    prov_row(f, "model file", d->model_path);
    prov_row(f, "model sha256", d->model_sha256);
    prov_row(f, "rig", d->rig_path);
    prov_row(f, "inputs", d->inputs_path);
    prov_row(f, "labels", d->labels_path);
    prov_row(f, "reference", d->reference_path);
    prov_row(f, "device", d->device.board);
    prov_row(f, "cpu", d->device.cpu);
    prov_row(f, "cycles counted by", d->device.cycle_source);
    prov_row(f, "plugin", d->plugin_name);
    prov_row(f, "plugin version", d->plugin_version);
    prov_row(f, "firmware", d->device.firmware);
    prov_row(f, "toolchain", d->device.toolchain);
    prov_row(f, "neurio", d->neurio_version);
    prov_row(f, "git revision", d->git_revision);
    prov_row(f, "host", d->host);
    prov_row(f, "started", d->started_at);
    prov_row(f, "finished", d->finished_at);
    fputs("</table></section>\n", f);
}

static const char *const stat_suffix[] = { "_mean", "_ci95_lo", "_ci95_hi", "_std", "_min",
                                           "_p50", "_p90", "_p99", "_max" };
enum { N_STAT = sizeof stat_suffix / sizeof stat_suffix[0] };

/* Non-zero when `name` is one statistic of a series that has a _mean. */
static int series_of(const nr_metrics *m, const char *name, char *base, size_t cap)
{
    size_t n = strlen(name);
    for (int k = 0; k < N_STAT; k++) {
        size_t sl = strlen(stat_suffix[k]);
        if (n > sl && !strcmp(name + n - sl, stat_suffix[k])) {
            snprintf(base, cap, "%.*s", (int)(n - sl), name);
            char mean[128];
            snprintf(mean, sizeof mean, "%s_mean", base);
            return nr_metrics_find(m, mean) != NULL;
        }
    }
    return 0;
}

static void stat_cell(char *buf, size_t cap, double v, int whole)
{
    if (whole)
        snprintf(buf, cap, "%.0f", v);
    else
        snprintf(buf, cap, "%.4g", v);
}

static void write_kpis(FILE *f, const nr_report_data *d)
{
    const nr_metrics *m = d->metrics;
    fputs("<section id=\"summary\"><h2>Summary</h2>\n<table class=\"kpis\">"
          "<tr><th>group</th><th>figure</th><th>value</th><th>unit</th><th>source</th></tr>\n", f);
    for (size_t i = 0; i < m->n; i++) {
        const nr_metric *x = &m->v[i];
        char val[64], base[96];
        if (series_of(m, x->name, base, sizeof base))
            continue; /* in the statistics table below */
        if (!strcmp(x->unit, "ratio"))
            nr_summary_format(val, sizeof val, x->value, x->unit);
        else
            snprintf(val, sizeof val, "%.6g", x->value);
        fputs("<tr><td>", f);
        esc(f, x->group);
        fputs("</td><td>", f);
        esc(f, x->name);
        fprintf(f, "</td><td class=\"num\">%s</td><td>", val);
        esc(f, strcmp(x->unit, "ratio") && strcmp(x->unit, "1") ? x->unit : "");
        fputs("</td><td class=\"src\">", f);
        esc(f, x->source);
        fputs("</td></tr>\n", f);
    }
    fputs("</table>\n", f);
    /* One row per series: mean, its 95% CI, std and the percentiles. */
    int header = 0;
    for (size_t i = 0; i < m->n; i++) {
        const nr_metric *x = &m->v[i];
        char base[96];
        size_t n = strlen(x->name);
        if (n < 5 || strcmp(x->name + n - 5, "_mean") || !series_of(m, x->name, base, sizeof base))
            continue;
        if (!header++)
            fputs("<table class=\"stats\"><tr><th>series</th><th>mean</th><th>95% CI of the "
                  "mean</th><th>std</th><th>min</th><th>p50</th><th>p90</th><th>p99</th>"
                  "<th>max</th><th>unit</th><th>source</th></tr>\n", f);
        double v[N_STAT];
        for (int k = 0; k < N_STAT; k++) {
            char name[128];
            snprintf(name, sizeof name, "%s%s", base, stat_suffix[k]);
            const nr_metric *y = nr_metrics_find(m, name);
            v[k] = y ? y->value : NAN;
        }
        /* counts as integers, times with 4 significant digits */
        int whole = !strcmp(x->unit, "cycles") || !strcmp(x->unit, "instructions");
        char cell[64];
        fputs("<tr><td>", f);
        esc(f, base);
        stat_cell(cell, sizeof cell, v[0], whole);
        fprintf(f, "</td><td class=\"num\">%s</td>", cell);
        if (isfinite(v[1]) && isfinite(v[2])) {
            char lo[32], hi[32];
            stat_cell(lo, sizeof lo, v[1], whole);
            stat_cell(hi, sizeof hi, v[2], whole);
            fprintf(f, "<td class=\"num\">[%s, %s]</td>", lo, hi);
        } else {
            fputs("<td class=\"num\">n/a</td>", f);
        }
        for (int k = 3; k < N_STAT; k++) {
            stat_cell(cell, sizeof cell, v[k], whole);
            fprintf(f, "<td class=\"num\">%s</td>", cell);
        }
        fputs("<td>", f);
        esc(f, x->unit);
        fputs("</td><td class=\"src\">", f);
        esc(f, x->source);
        fputs("</td></tr>\n", f);
    }
    if (header)
        fputs("</table>\n", f);
    fputs("</section>\n", f);
}

/* One per-inference value of d's rows, for a histogram read in passes
 * (the rows may be a spill file: nothing is held). */
typedef enum hv_kind { HV_DEVICE_MS, HV_HOST_MS, HV_ERROR } hv_kind;
typedef struct hv_src {
    const nr_report_data *d;
    hv_kind kind;
} hv_src;

static int hv_each(void *ctx, void (*fn)(void *acc, double v), void *acc)
{
    const hv_src *s = ctx;
    nr_report_iter it;
    nr_report_row r;
    nr_report_iter_begin(s->d, &it);
    while (nr_report_iter_next(&it, &r))
        fn(acc, s->kind == HV_DEVICE_MS ? (double)r.m.cycles / s->d->device.clock_hz * 1e3
                : s->kind == HV_HOST_MS ? (double)r.m.host_ns / 1e6
                                        : r.sample_error);
    return it.error;
}

static void write_latency(FILE *f, const nr_report_data *d)
{
    if (!d->cost || (!d->measures && !d->rows) || !d->n_done)
        return;
    int device = d->cost->have_device;
    if (device || d->cost->have_host) {
        fputs("<section id=\"latency\"><h2>Latency</h2>\n", f);
        char title[160];
        snprintf(title, sizeof title, "Latency per inference, %s (%zu inferences)",
                 device ? (d->cost->device_estimated ? "device, estimated from instruction counts"
                                                     : "device cycles / clock")
                        : "host wall clock",
                 d->n_done);
        hv_src src = { d, device ? HV_DEVICE_MS : HV_HOST_MS };
        nr_svg_histogram_each(f, "latency-histogram", title, hv_each, &src, 0, "latency (ms)");
        if (device && d->cost->have_host) {
            src.kind = HV_HOST_MS;
            nr_svg_histogram_each(f, "host-latency-histogram",
                                  "Host wall clock per inference (includes the link)", hv_each,
                                  &src, 0, "latency (ms)");
        }
        fputs("</section>\n", f);
    }
}

static void write_layers(FILE *f, const nr_report_data *d)
{
    if (!d->n_layers || !d->layer_mean)
        return;
    char **labels = calloc(d->n_layers, sizeof *labels);
    if (!labels)
        return;
    for (uint32_t i = 0; i < d->n_layers; i++) {
        /* full names: the chart shortens long ones and keeps them as tooltips */
        labels[i] = malloc(256);
        if (!labels[i])
            goto out;
        const neurio_op *op = d->model && (int32_t)i < d->model->n_ops ? &d->model->ops[i] : NULL;
        snprintf(labels[i], 256, "%u %s%s%.200s", i, op ? neurio_op_name(op->kind) : "layer",
                 op && op->name && *op->name ? " " : "", op && op->name ? op->name : "");
    }
    fputs("<section id=\"layers\"><h2>Per-layer cost</h2>\n", f);
    nr_svg_hbars(f, "layer-bars", "Mean count per layer", (const char *const *)labels,
                 d->layer_mean, d->n_layers,
                 d->device.cycle_unit ? d->device.cycle_unit : "cycles");
    fputs("</section>\n", f);
out:
    for (uint32_t i = 0; i < d->n_layers; i++)
        free(labels[i]);
    free(labels);
}

/* A byte count as a table cell ("12 345 B"). */
static void bytes_cell(FILE *f, uint64_t v)
{
    char buf[64];
    fprintf(f, "<td class=\"num\">%s</td>", nr_summary_format(buf, sizeof buf, (double)v,
                                                               "bytes"));
}

/* Static RAM by part with the stack's peak beside its region, and each
 * layer's weight layout with the choice behind it (when reported). */
static void write_memory(FILE *f, const nr_report_data *d)
{
    const neurio_device_info *v = &d->device;
    const neurio_weights_choice *c = v->weights_choice;
    uint32_t n_lay = 0;
    for (uint32_t i = 0; v->layouts && i < v->n_layouts; i++)
        n_lay += v->layouts[i].layout != NULL;
    if (!v->stack_region && !c && !n_lay)
        return;
    fputs("<section id=\"memory\"><h2>Memory and weight layouts</h2>\n", f);
    if (v->stack_region) {
        fputs("<table class=\"ram\"><tr><th>static RAM</th><th>data</th><th>bss (arena "
              "included)</th><th>arena</th><th>stack region</th><th>stack peak</th></tr>\n"
              "<tr>", f);
        bytes_cell(f, v->ram_bytes);
        bytes_cell(f, v->ram_data);
        bytes_cell(f, v->ram_bss);
        bytes_cell(f, v->arena_bytes);
        bytes_cell(f, v->stack_region);
        if (d->cost && d->cost->stack_max)
            bytes_cell(f, d->cost->stack_max);
        else
            fputs("<td class=\"num\">n/a</td>", f);
        fputs("</tr></table>\n", f);
    }
    if (c) {
        fputs("<p class=\"weights\">Weight layouts (", f);
        esc(f, c->setting);
        fputs("): ", f);
        esc(f, c->decision);
        fputs("</p>\n<table class=\"weights\"><tr><th>flash</th><th>code</th><th>budget for "
              "constants</th><th>constants</th><th>int8 layers</th><th>int16 layers</th>"
              "<th>int16 adds</th><th>builds</th></tr>\n<tr>", f);
        bytes_cell(f, c->flash_bytes);
        bytes_cell(f, c->code_bytes);
        bytes_cell(f, c->budget_bytes);
        bytes_cell(f, c->const_bytes);
        fprintf(f, "<td class=\"num\">%u</td><td class=\"num\">%u</td>", c->int8_layers,
                c->int16_layers);
        bytes_cell(f, c->added_bytes);
        fprintf(f, "<td class=\"num\">%u</td></tr></table>\n<p class=\"src\">code: ",
                c->builds);
        esc(f, c->code_source);
        fputs("</p>\n", f);
    }
    if (n_lay) {
        fputs("<table class=\"layouts\"><tr><th>layer</th><th>op</th><th>name</th>"
              "<th>weights layout</th><th>bytes</th><th>added</th></tr>\n", f);
        for (uint32_t i = 0; i < v->n_layouts; i++) {
            const neurio_layer_layout *w = &v->layouts[i];
            if (!w->layout)
                continue;
            const neurio_op *op = d->model && (int32_t)i < d->model->n_ops ? &d->model->ops[i]
                                                                         : NULL;
            fprintf(f, "<tr><td class=\"num\">%u</td><td>", i);
            esc(f, op ? neurio_op_name(op->kind) : NULL);
            fputs("</td><td>", f);
            esc(f, op ? op->name : NULL);
            fputs("</td><td>", f);
            esc(f, w->layout);
            fputs("</td>", f);
            bytes_cell(f, w->bytes);
            bytes_cell(f, w->added_bytes);
            fputs("</tr>\n", f);
        }
        fputs("</table>\n", f);
    }
    fputs("</section>\n", f);
}

static void pct_cell(FILE *f, double v)
{
    if (isfinite(v))
        fprintf(f, "<td class=\"num\">%.2f %%</td>", v * 100);
    else
        fputs("<td class=\"num\">n/a</td>", f);
}

static void write_confusion(FILE *f, const nr_report_data *d)
{
    const nr_kpi_classification *c = d->cls;
    if (!c)
        return;
    fputs("<section id=\"confusion\"><h2>Classification</h2>\n", f);
    nr_svg_heatmap(f, "confusion-matrix", "Confusion matrix (shade = share of the true class)",
                   c->confusion, c->n_classes);
    fputs("<table class=\"per-class\"><tr><th>class</th><th>precision</th><th>recall</th>"
          "<th>F1</th><th>support</th><th>predicted</th></tr>\n", f);
    for (int32_t k = 0; k < c->n_classes; k++) {
        fprintf(f, "<tr><td>%d</td>", (int)k);
        pct_cell(f, c->precision[k]);
        pct_cell(f, c->recall[k]);
        pct_cell(f, c->f1[k]);
        fprintf(f, "<td class=\"num\">%llu</td><td class=\"num\">%llu</td></tr>\n",
                (unsigned long long)c->support[k], (unsigned long long)c->predicted[k]);
    }
    fputs("</table><p class=\"src\">n/a: undefined (class never predicted, or absent from the "
          "labels).</p></section>\n", f);
}

static void write_fidelity(FILE *f, const nr_report_data *d)
{
    const nr_kpi_fidelity *x = d->fidelity;
    if (!x)
        return;
    fputs("<section id=\"fidelity\"><h2>Fidelity against the reference</h2>\n"
          "<table class=\"fidelity\">", f);
    fputs("<tr><th>argmax agreement</th>", f);
    pct_cell(f, x->argmax_agreement);
    fprintf(f, "</tr>\n<tr><th>max abs error</th><td class=\"num\">%.6g</td></tr>\n"
               "<tr><th>mean abs error</th><td class=\"num\">%.6g</td></tr>\n"
               "<tr><th>cosine similarity</th><td class=\"num\">%.6f</td></tr>\n",
            x->max_abs_error, x->mean_abs_error, x->cosine_similarity);
    if (isfinite(x->relative_l2))
        fprintf(f, "<tr><th>relative L2 error</th><td class=\"num\">%.6g</td></tr>\n",
                x->relative_l2);
    fputs("</table>\n", f);
    if (nr_report_fields(d) & NR_ROW_ERROR) {
        hv_src src = { d, HV_ERROR };
        nr_svg_histogram_each(f, "fidelity-errors", "Max |output - reference| per sample",
                              hv_each, &src, 0, "max abs error");
    }
    fputs("</section>\n", f);
}

int nr_report_html_fwrite(const nr_report_data *d, FILE *f)
{
    fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>neurio "
          "report ", f);
    esc(f, d->run_id);
    fprintf(f, "</title>\n<style>%s</style></head>\n<body>\n<h1>neurio report — ", css);
    esc(f, d->model ? d->model->name : d->model_path);
    fputs(" on ", f);
    esc(f, d->device.board);
    fputs("</h1>\n", f);
    write_provenance(f, d);
    write_kpis(f, d);
    write_latency(f, d);
    write_layers(f, d);
    write_memory(f, d);
    write_confusion(f, d);
    write_fidelity(f, d);
    if (d->n_notes) {
        fputs("<section id=\"notes\"><h2>Notes</h2><ul>\n", f);
        for (int i = 0; i < d->n_notes; i++) {
            fputs("<li>", f);
            esc(f, d->notes[i]);
            fputs("</li>\n", f);
        }
        fputs("</ul></section>\n", f);
    }
    fputs("</body></html>\n", f);
    return ferror(f) ? NEURIO_ERR_IO : 0;
}

int nr_report_html_write(const nr_report_data *d, const char *path, neurio_errbuf *err)
{
    nr_report_file rf;
    int rc = nr_report_file_open(&rf, path, err);
    if (rc)
        return rc;
    nr_report_html_fwrite(d, rf.f);
    return nr_report_file_commit(&rf, err);
}

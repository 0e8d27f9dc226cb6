/* results/report/debug_files.c — the per-layer readback's files (see
 * debug_files.h): layer_debug.json and layer_debug.html in the run dir. */
#include "report/debug_files.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/report_file.h"
#include "report/svg.h"

static int write_json(const char *path, const nr_debug_files *d, neurio_errbuf *err)
{
    cJSON *root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "compared", "device layer outputs read back vs the host "
                                              "reference interpreter on the prepared model");
    cJSON_AddStringToObject(root, "run_id", d->run_id ? d->run_id : "");
    cJSON_AddNumberToObject(root, "samples", d->samples);
    if (d->first_diff >= 0) {
        cJSON_AddNumberToObject(root, "first_differing_layer", d->rows[d->first_diff].op);
        cJSON_AddNumberToObject(root, "first_differing_output", d->rows[d->first_diff].output);
    } else {
        cJSON_AddNullToObject(root, "first_differing_layer");
        cJSON_AddNullToObject(root, "first_differing_output");
    }
    cJSON *a = cJSON_AddArrayToObject(root, "layers");
    for (uint32_t i = 0; i < d->n; i++) {
        const nr_layer_debug *l = &d->rows[i];
        cJSON *o = cJSON_CreateObject();
        cJSON_AddNumberToObject(o, "index", l->op);
        cJSON_AddNumberToObject(o, "output", l->output);
        cJSON_AddStringToObject(o, "op", l->op_name ? l->op_name : "");
        cJSON_AddStringToObject(o, "tensor", l->tensor ? l->tensor : "");
        cJSON_AddStringToObject(o, "dtype", l->dtype ? l->dtype : "");
        cJSON_AddBoolToObject(o, "compared", l->compared);
        if (l->compared) {
            double snr = nr_layer_debug_snr_db(l), rel = nr_layer_debug_rel_l2(l);
            cJSON_AddNumberToObject(o, "elements", (double)l->elements);
            cJSON_AddNumberToObject(o, "mismatches", (double)l->mismatches);
            cJSON_AddNumberToObject(o, "max_abs_error", l->max_abs);
            if (isfinite(rel))
                cJSON_AddNumberToObject(o, "relative_l2", rel);
            else
                cJSON_AddStringToObject(o, "relative_l2", "inf");
            if (isfinite(snr))
                cJSON_AddNumberToObject(o, "snr_db", snr);
            else
                cJSON_AddStringToObject(o, "snr_db", snr > 0 ? "inf" : "-inf");
            cJSON_AddBoolToObject(o, "differs", nr_layer_debug_differs(l));
        }
        cJSON_AddItemToArray(a, o);
    }
    char *text = cJSON_Print(root);
    cJSON_Delete(root);
    if (!text)
        return neurio_fail(err, NEURIO_ERR_NOMEM, "out of memory writing %s", path);
    nr_report_file rf;
    int rc = nr_report_file_open(&rf, path, err);
    if (!rc) {
        fputs(text, rf.f);
        fputc('\n', rf.f);
        rc = nr_report_file_commit(&rf, err);
    }
    free(text);
    return rc;
}

static void html_rows(FILE *f, const nr_debug_files *d)
{
    fputs("<table id=\"layers\"><tr><th>#</th><th>op</th><th>output tensor</th><th>dtype</th>"
          "<th>mismatches / elements</th><th>max abs error</th><th>relative L2</th>"
          "<th>SNR (dB)</th></tr>\n", f);
    for (uint32_t i = 0; i < d->n; i++) {
        const nr_layer_debug *l = &d->rows[i];
        int bad = nr_layer_debug_differs(l);
        char id[32];
        fprintf(f, "<tr class=\"%s\"><td>%s</td><td>%s</td><td>", bad ? "bad" : "",
                nr_layer_debug_row_id(l, id), l->op_name ? l->op_name : "");
        nr_html_escape(f, l->tensor ? l->tensor : "");
        fprintf(f, "</td><td>%s</td>", l->dtype ? l->dtype : "");
        if (!l->compared) {
            fputs("<td colspan=\"4\">not read back</td></tr>\n", f);
            continue;
        }
        double snr = nr_layer_debug_snr_db(l);
        fprintf(f, "<td class=\"num\">%llu / %llu</td><td class=\"num\">%.6g</td><td "
                   "class=\"num\">%.4g</td><td class=\"num\">", (unsigned long long)l->mismatches,
                (unsigned long long)l->elements, l->max_abs, nr_layer_debug_rel_l2(l));
        if (isinf(snr) && snr > 0)
            fputs("exact", f);
        else
            fprintf(f, "%.2f", snr);
        fputs("</td></tr>\n", f);
    }
    fputs("</table>\n", f);
}

static int write_html(const char *path, const nr_debug_files *d, neurio_errbuf *err)
{
    nr_report_file rf;
    int rc = nr_report_file_open(&rf, path, err);
    if (rc)
        return rc;
    FILE *f = rf.f;
    fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>neurio "
          "layer readback</title><style>body{font-family:system-ui,sans-serif;margin:24px;"
          "color:#222}table{border-collapse:collapse;font-size:13px}td,th{padding:3px 10px;"
          "border-bottom:1px solid #eee;text-align:left}td.num{text-align:right}.bad{color:"
          "#b00020;font-weight:600}svg .bar{fill:#4f6fd8}svg .tick,svg .label{font-size:11px}"
          "</style></head><body>\n<h1>neurio debug: device layers against the host "
          "reference</h1>\n<p>run ", f);
    nr_html_escape(f, d->run_id ? d->run_id : "");
    fprintf(f, ": every layer's output read back from the device (its debug firmware) for "
               "%u sample%s and compared with the host reference interpreter on the prepared "
               "model (\"3:1\" = layer 3's second output); integer layers must match bit for "
               "bit.</p>\n", d->samples,
            d->samples == 1 ? "" : "s");
    if (d->first_diff >= 0) {
        const nr_layer_debug *l = &d->rows[d->first_diff];
        char id[32];
        fprintf(f, "<p class=\"bad\" id=\"first-diff\">first layer that differs: #%s %s ",
                nr_layer_debug_row_id(l, id), l->op_name ? l->op_name : "");
        nr_html_escape(f, l->tensor ? l->tensor : "");
        fputs("</p>\n", f);
    } else {
        fputs("<p id=\"all-match\">every layer read back matches the host reference</p>\n", f);
    }
    const char **labels = calloc((size_t)d->n + 1, sizeof *labels);
    double *v = calloc((size_t)d->n + 1, sizeof *v);
    char (*lab)[64] = calloc((size_t)d->n + 1, sizeof *lab);
    if (labels && v && lab) {
        for (uint32_t i = 0; i < d->n; i++) {
            const nr_layer_debug *l = &d->rows[i];
            double snr = l->compared ? nr_layer_debug_snr_db(l) : 0;
            v[i] = isinf(snr) && snr > 0 ? 120 : snr < 0 || isnan(snr) ? 0 : snr;
            char id[32];
            snprintf(lab[i], sizeof lab[i], "%s %s", nr_layer_debug_row_id(l, id),
                     l->op_name ? l->op_name : "");
            labels[i] = lab[i];
        }
        nr_svg_hbars(f, "layer-snr", "SNR per layer (dB; 120 = identical)", labels, v, d->n,
                     "dB");
    }
    free(labels);
    free(v);
    free(lab);
    html_rows(f, d);
    fputs("</body></html>\n", f);
    return nr_report_file_commit(&rf, err);
}

int nr_debug_files_write(const nr_debug_files *d, const char *json_path, const char *html_path,
                         neurio_errbuf *err)
{
    int rc = json_path ? write_json(json_path, d, err) : 0;
    if (!rc && html_path)
        rc = write_html(html_path, d, err);
    return rc;
}

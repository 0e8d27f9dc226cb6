/* core/commands/cmd_debug.c — `neurio debug RIG`: where quantization loses
 * precision, layer by layer, on the host reference interpreter: the model
 * prepared as the rig says (optimized, quantized) against the same model
 * optimized but left in float, on the first samples of data.inputs (only
 * those rows are read).  Every output of every op is matched by tensor
 * name, dequantized and compared by the results library
 * (reference/layer_debug.h, nr_layer_float_run: the comparison the device
 * readback uses too): max abs error, relative L2 and SNR (dB); the first
 * layer under the SNR tolerance is named.  Terminal table, JSON, HTML, and
 * the store (ref "float", with the device run's id).
 *
 * Before that (unless --host-only), the rig runs on its device with
 * task.debug = "layers" (run_one.c, observers/layer_readback.c): the plugin builds
 * its debug firmware, every output of every layer of the first samples is
 * read back and compared with the host reference on the prepared model (int
 * layers bit-exact), stored with the run and shown by `neurio show`. */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands/commands.h"
#include "commands/run_one.h"
#include "neurio/dataprep.h"
#include "neurio/npy.h"
#include "neurio/optimize.h"
#include "neurio/quantize.h"
#include "reference/layer_debug.h"
#include "report/report_file.h"
#include "report/svg.h"
#include "rig.h"
#include "store/store.h"

typedef struct dbg_args {
    const char *rig, *json, *html;
    const char **sets;
    size_t n_sets;
    long samples;
    double tolerance_db;
    int help, host_only;
} dbg_args;

static void dbg_help(void)
{
    printf("usage: neurio debug RIG [--samples N] [--tolerance DB] [--json FILE]\n"
           "                        [--html FILE] [--host-only] [--set key=value]...\n\n"
           "Which layer goes wrong on the device?  Runs the rig on its device with\n"
           "task.debug = \"layers\" on the first N samples: the plugin builds its debug\n"
           "firmware, every output of every layer is read back over the link\n"
           "(cortex-m, riscv, host and any plugin of ABI 1.3; one of ABI 1.2 reads\n"
           "first outputs only) and compared with the host reference interpreter on\n"
           "the prepared model: mismatching elements, max abs error, relative L2 and\n"
           "SNR per layer output (\"3:1\" = layer 3's second); integer layers must be\n"
           "bit-exact.  The first layer that differs is named (exit 7); the rows are\n"
           "stored with the run (`neurio show RUN`).\n\n"
           "Then, where does quantization lose precision?  Runs the first N samples of\n"
           "data.inputs (one .npy, or a list with one per model input in the model's\n"
           "input order, as `run` takes it) through the model prepared as the rig says\n"
           "(model.quantize, model.calibration) and through the same model optimized\n"
           "but kept in float, both on the host reference interpreter (the devices' kernels),\n"
           "and compares every output of every layer (matched by tensor name,\n"
           "dequantized; \"3:1\" = layer 3's second output): max abs error, relative\n"
           "L2 and SNR in dB.  The first layer whose SNR is below --tolerance is named\n"
           "(exit 7).  These rows are stored with the device run too.\n\n"
           "Options:\n"
           "  --samples N      samples to compare (default 4)\n"
           "  --tolerance DB   lowest acceptable per-layer SNR (default 20 dB)\n"
           "  --json FILE      write the per-layer figures as JSON\n"
           "  --html FILE      write them as a self-contained HTML page (table and\n"
           "                   per-layer SNR bars)\n"
           "  --host-only      skip the device readback (host reference only)\n"
           "  --set key=value  override a rig key\n\n%s", nr_exit_codes_help);
}

static int dbg_parse(int argc, char **argv, dbg_args *a)
{
    memset(a, 0, sizeof *a);
    a->samples = 4;
    a->tolerance_db = 20;
    a->sets = calloc((size_t)argc, sizeof *a->sets);
    if (!a->sets)
        return NR_EXIT_FAILURE;
    for (int i = 1; i < argc; i++) {
        const char *s = argv[i];
        if (!strcmp(s, "-h") || !strcmp(s, "--help")) {
            a->help = 1;
        } else if (!strcmp(s, "--host-only")) {
            a->host_only = 1;
        } else if (!strcmp(s, "--samples") || !strcmp(s, "--tolerance") ||
                   !strcmp(s, "--json") || !strcmp(s, "--html") || !strcmp(s, "--set")) {
            if (i + 1 >= argc) {
                fprintf(stderr, "neurio debug: %s needs a value\n", s);
                return NR_EXIT_USAGE;
            }
            const char *v = argv[++i];
            char *end;
            if (!strcmp(s, "--json")) {
                a->json = v;
            } else if (!strcmp(s, "--html")) {
                a->html = v;
            } else if (!strcmp(s, "--set")) {
                a->sets[a->n_sets++] = v;
            } else if (!strcmp(s, "--samples")) {
                a->samples = strtol(v, &end, 10);
                if (*end || a->samples < 1 || a->samples > 100000) {
                    fprintf(stderr, "neurio debug: --samples %s: expected 1 to 100000\n", v);
                    return NR_EXIT_USAGE;
                }
            } else {
                a->tolerance_db = strtod(v, &end);
                if (end == v || *end || !isfinite(a->tolerance_db)) {
                    fprintf(stderr, "neurio debug: --tolerance %s: expected dB such as 20\n", v);
                    return NR_EXIT_USAGE;
                }
            }
        } else if (s[0] == '-' && s[1]) {
            fprintf(stderr, "neurio debug: unknown option '%s'; see `neurio debug --help`\n", s);
            return NR_EXIT_USAGE;
        } else if (!a->rig) {
            a->rig = s;
        } else {
            fprintf(stderr, "neurio debug: unexpected argument '%s'\n", s);
            return NR_EXIT_USAGE;
        }
    }
    if (!a->help && !a->rig) {
        fprintf(stderr, "neurio debug: expected a rig (see `neurio debug --help`)\n");
        return NR_EXIT_USAGE;
    }
    return 0;
}

/* SNR of a row as the table, JSON and tolerance use it (dB; INFINITY =
 * identical). */
static double snr_db(const nr_layer_debug *l)
{
    return nr_layer_debug_snr_db(l);
}

/* "3" or "3:1" (layer 3, its second output). */
static const char *row_id(const nr_layer_debug *l, char buf[32])
{
    if (l->output)
        snprintf(buf, 32, "%d:%d", (int)l->op, (int)l->output);
    else
        snprintf(buf, 32, "%d", (int)l->op);
    return buf;
}

/* The two models: F (float, optimized) and P (prepared as the rig says). */
static int dbg_models(const nr_rig *rig, neurio_model **f, neurio_model **p, neurio_errbuf *err)
{
    int rc = neurio_model_load(rig->model_path, f, err);
    if (!rc)
        rc = neurio_optimize(*f, err);
    if (!rc)
        rc = neurio_model_load(rig->model_path, p, err);
    if (!rc) {
        neurio_prepare_args args = { .size = sizeof args, .model_path = rig->model_path,
                                     .quantize = rig->model_quantize,
                                     .calibration = rig->model_calibration,
                                     .calibration_method = rig->model_calibration_method,
                                     .calibrations =
                                         (const char *const *)rig->model_calibration_list,
                                     .n_calibrations = (uint32_t)rig->n_model_calibrations };
        rc = neurio_prepare_default(*p, &args, err);
    }
    return rc;
}

static int dbg_json(const char *path, const nr_layer_debug *l, size_t nl, double tol,
                    long first, size_t n)
{
    cJSON *root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "compared", "prepared model vs float model, host reference "
                                              "interpreter");
    cJSON_AddNumberToObject(root, "samples", (double)n);
    cJSON_AddNumberToObject(root, "tolerance_snr_db", tol);
    if (first >= 0) {
        cJSON_AddNumberToObject(root, "first_layer_over_tolerance", l[first].op);
        cJSON_AddNumberToObject(root, "first_output_over_tolerance", l[first].output);
    } else {
        cJSON_AddNullToObject(root, "first_layer_over_tolerance");
    }
    cJSON *a = cJSON_AddArrayToObject(root, "layers");
    for (size_t i = 0; i < nl; i++) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddNumberToObject(o, "index", l[i].op);
        cJSON_AddNumberToObject(o, "output", l[i].output);
        cJSON_AddStringToObject(o, "op", l[i].op_name);
        cJSON_AddStringToObject(o, "tensor", l[i].tensor ? l[i].tensor : "");
        cJSON_AddBoolToObject(o, "compared", l[i].compared);
        if (l[i].compared) {
            double snr = snr_db(&l[i]);
            cJSON_AddNumberToObject(o, "max_abs_error", l[i].max_abs);
            cJSON_AddNumberToObject(o, "relative_l2", nr_layer_debug_rel_l2(&l[i]));
            if (isinf(snr))
                cJSON_AddStringToObject(o, "snr_db", snr > 0 ? "inf" : "-inf");
            else
                cJSON_AddNumberToObject(o, "snr_db", snr);
        }
        cJSON_AddItemToArray(a, o);
    }
    char *text = cJSON_Print(root);
    cJSON_Delete(root);
    FILE *fp = text ? fopen(path, "w") : NULL;
    int ok = fp && fputs(text, fp) >= 0;
    ok = fp && fclose(fp) == 0 && ok;
    free(text);
    return ok ? 0 : -1;
}

static void dbg_html_bars(FILE *f, const nr_layer_debug *l, size_t nl)
{
    const char **labels = calloc(nl + 1, sizeof *labels);
    double *snr = calloc(nl + 1, sizeof *snr);
    char (*lab)[64] = calloc(nl + 1, sizeof *lab);
    if (labels && snr && lab) {
        for (size_t i = 0; i < nl; i++) {
            double v = l[i].compared ? snr_db(&l[i]) : 0;
            snr[i] = isinf(v) ? (v > 0 ? 120 : 0) : v < 0 ? 0 : v;
            char id[32];
            snprintf(lab[i], sizeof lab[i], "%s %s", row_id(&l[i], id), l[i].op_name);
            labels[i] = lab[i];
        }
        nr_svg_hbars(f, "layer-snr", "SNR per layer (dB; 120 = identical)", labels, snr, nl,
                     "dB");
    }
    free(labels);
    free(snr);
    free(lab);
}

static int dbg_html(const char *path, const char *rig, const nr_layer_debug *l, size_t nl,
                    double tol, long first, size_t n, neurio_errbuf *err)
{
    nr_report_file rf;
    int rc = nr_report_file_open(&rf, path, err);
    if (rc)
        return rc;
    FILE *f = rf.f;
    char id[32];
    fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>neurio "
          "debug</title><style>body{font-family:system-ui,sans-serif;margin:24px;color:#222}"
          "table{border-collapse:collapse;font-size:13px}td,th{padding:3px 10px;border-bottom:"
          "1px solid #eee;text-align:left}td.num{text-align:right}.bad{color:#b00020;"
          "font-weight:600}svg .bar{fill:#4f6fd8}svg .tick,svg .label{font-size:11px}"
          "</style></head><body>\n<h1>neurio debug: per-layer error</h1>\n<p>", f);
    nr_html_escape(f, rig);
    fprintf(f, ": prepared model against the float model, %zu sample%s, host reference "
               "interpreter; tolerance %.4g dB SNR.</p>\n", n, n == 1 ? "" : "s", tol);
    if (first >= 0) {
        fprintf(f, "<p class=\"bad\" id=\"first-bad\">first layer over tolerance: #%s %s ",
                row_id(&l[first], id), l[first].op_name);
        nr_html_escape(f, l[first].tensor ? l[first].tensor : "");
        fputs("</p>\n", f);
    }
    dbg_html_bars(f, l, nl);
    fputs("<table id=\"layers\"><tr><th>#</th><th>op</th><th>output tensor</th><th>max abs "
          "error</th><th>relative L2</th><th>SNR (dB)</th></tr>\n", f);
    for (size_t i = 0; i < nl; i++) {
        double v = snr_db(&l[i]);
        int bad = l[i].compared && v < tol;
        fprintf(f, "<tr class=\"%s\"><td>%s</td><td>%s</td><td>", bad ? "bad" : "",
                row_id(&l[i], id), l[i].op_name);
        nr_html_escape(f, l[i].tensor ? l[i].tensor : "");
        if (!l[i].compared)
            fputs("</td><td colspan=\"3\">no float twin</td></tr>\n", f);
        else
            fprintf(f, "</td><td class=\"num\">%.6g</td><td class=\"num\">%.4g</td><td "
                       "class=\"num\">%s%.2f</td></tr>\n", l[i].max_abs,
                    nr_layer_debug_rel_l2(&l[i]), isinf(v) && v > 0 ? "&ge;" : "",
                    isinf(v) ? (v > 0 ? 120.0 : -120.0) : v);
    }
    fputs("</table></body></html>\n", f);
    return nr_report_file_commit(&rf, err);
}

/* The table; *first = the first compared row under the tolerance, or -1. */
static void dbg_print(const nr_layer_debug *l, size_t nl, double tol, long *first)
{
    printf("  %-4s %-20s %-28s %14s %12s %10s\n", "#", "op", "output tensor", "max_abs_err",
           "rel_l2", "snr_db");
    *first = -1;
    for (size_t i = 0; i < nl; i++) {
        char id[32];
        const char *name = l[i].tensor ? l[i].tensor : "";
        if (!l[i].compared) {
            printf("  %-4s %-20s %-28.28s %14s %12s %10s  (no float twin)\n", row_id(&l[i], id),
                   l[i].op_name, name, "-", "-", "-");
            continue;
        }
        double snr = snr_db(&l[i]);
        int bad = snr < tol;
        if (bad && *first < 0)
            *first = (long)i;
        printf("  %-4s %-20s %-28.28s %14.6g %12.4g %10.2f%s\n", row_id(&l[i], id),
               l[i].op_name, name, l[i].max_abs, nr_layer_debug_rel_l2(&l[i]),
               isinf(snr) ? (snr > 0 ? 999.99 : -999.99) : snr, bad ? "  < tolerance" : "");
    }
}

/* The device part: the rig's run with task.debug = "layers" on the first
 * samples (the pipeline prints the per-layer table). */
static int dbg_device(const dbg_args *a, char *run_id, size_t cap)
{
    const char **sets = calloc(a->n_sets + 4, sizeof *sets);
    if (!sets)
        return NR_EXIT_FAILURE;
    char lim[64], smp[64];
    snprintf(lim, sizeof lim, "data.limit=%ld", a->samples);
    snprintf(smp, sizeof smp, "task.debug_samples=%ld", a->samples);
    for (size_t i = 0; i < a->n_sets; i++)
        sets[i] = a->sets[i];
    sets[a->n_sets] = "task.debug=layers";
    sets[a->n_sets + 1] = lim;
    sets[a->n_sets + 2] = smp;
    nr_run_req req = { .cmd = "debug", .rig_path = a->rig, .sets = sets,
                       .n_sets = a->n_sets + 3, .until = NR_STAGE_INFER,
                       .run_id_out = run_id, .run_id_cap = cap };
    printf("== device: every layer read back and compared with the host reference ==\n");
    fflush(stdout);
    int code = nr_run_one(&req);
    free(sets);
    printf("== host: prepared model against the float model ==\n");
    fflush(stdout);
    return code;
}

/* data.inputs converted for both models: one array per model input (a
 * list in the model's input order, as `run` takes it); only the first
 * `count` samples are read. */
typedef struct dbg_in {
    int32_t n;                                  /* model inputs             */
    void *f[NEURIO_DATAPREP_MAX_INPUTS];        /* rows for the float model */
    void *p[NEURIO_DATAPREP_MAX_INPUTS];        /* rows for the prepared one */
    size_t count;                               /* samples in every array   */
} dbg_in;

/* The first `want` samples (fewer when the array is shorter) of input k. */
static int dbg_input(const char *path, const neurio_model *f, const neurio_model *p, int32_t k,
                     size_t want, dbg_in *in, neurio_errbuf *err)
{
    neurio_npy_reader rd;
    size_t nf = 0, np = 0;
    int rc = neurio_npy_open(path, &rd, err);
    if (rc)
        return rc;
    if (!(rc = neurio_dataprep_input_shape(f, k, &rd.hdr, &nf, err)))
        rc = neurio_dataprep_input_shape(p, k, &rd.hdr, &np, err);
    size_t n = nf < np ? nf : np;
    n = n < want ? n : want;
    n = n < in->count ? n : in->count;
    void *raw = rc ? NULL : malloc(n * (rd.row_bytes ? rd.row_bytes : 1) + 1); /* row = sample */
    in->f[k] = rc ? NULL : malloc(n * neurio_tensor_bytes(&f->tensors[f->inputs[k]]) + 1);
    in->p[k] = rc ? NULL : malloc(n * neurio_tensor_bytes(&p->tensors[p->inputs[k]]) + 1);
    if (!rc && (!raw || !in->f[k] || !in->p[k]))
        rc = neurio_fail(err, NEURIO_ERR_NOMEM, "out of memory for %zu samples", n);
    if (!rc)
        rc = neurio_npy_read_rows(&rd, 0, n, raw, err);
    if (!rc)
        rc = neurio_dataprep_input_rows(f, k, &rd.hdr, raw, 0, n, in->f[k], err);
    if (!rc)
        rc = neurio_dataprep_input_rows(p, k, &rd.hdr, raw, 0, n, in->p[k], err);
    free(raw);
    neurio_npy_close(&rd);
    in->count = n;
    return rc;
}

static int dbg_inputs(const nr_rig *rig, const neurio_model *f, const neurio_model *p,
                      size_t want, dbg_in *in, neurio_errbuf *err)
{
    if (p->n_inputs != f->n_inputs || rig->n_data_inputs != (size_t)p->n_inputs ||
        p->n_inputs > NEURIO_DATAPREP_MAX_INPUTS)
        return neurio_fail(err, NEURIO_ERR_CONFIG, "data.inputs has %zu array%s but model '%s' "
                           "has %d input%s; give one .npy per input in the model's input order "
                           "(data.inputs = [ \"in0.npy\", \"in1.npy\" ])", rig->n_data_inputs,
                           rig->n_data_inputs == 1 ? "" : "s", rig->model_path,
                           (int)p->n_inputs, p->n_inputs == 1 ? "" : "s");
    in->n = p->n_inputs;
    in->count = want;
    for (int32_t k = 0; k < in->n; k++) {
        int rc = dbg_input(rig->data_input_list[k], f, p, k, want, in, err);
        if (rc)
            return rc;
    }
    return NEURIO_OK;
}

static void dbg_inputs_free(dbg_in *in)
{
    for (int32_t k = 0; k < NEURIO_DATAPREP_MAX_INPUTS; k++) {
        free(in->f[k]);
        free(in->p[k]);
    }
}

/* The float rows into the store, with the device run they explain. */
static void dbg_store(const nr_rig *rig, const char *run_id, const nr_layer_debug *l, size_t nl,
                      size_t n)
{
    char spec[1200];
    if (!run_id[0]) {
        printf("(prepared-against-float rows not stored: no device run to store them with)\n");
        return;
    }
    if (!nr_rig_store_spec(rig, spec, sizeof spec))
        return; /* output.store = "none" */
    nr_store_layer_debug *o = calloc(nl + 1, sizeof *o);
    nr_store *s = NULL;
    neurio_errbuf err = { { 0 } };
    int rc = o ? nr_store_open(spec, NR_STORE_WRITE, &s, &err)
               : neurio_fail(&err, NEURIO_ERR_NOMEM, "out of memory");
    size_t k = 0;
    for (size_t i = 0; !rc && i < nl; i++) {
        if (!l[i].compared)
            continue;
        nr_store_layer_debug *d = &o[k++];
        snprintf(d->ref, sizeof d->ref, "float");
        d->index = (uint32_t)l[i].op;
        d->output = (uint32_t)l[i].output;
        snprintf(d->op, sizeof d->op, "%s", l[i].op_name ? l[i].op_name : "");
        snprintf(d->tensor, sizeof d->tensor, "%s", l[i].tensor ? l[i].tensor : "");
        snprintf(d->dtype, sizeof d->dtype, "%s", l[i].dtype ? l[i].dtype : "");
        d->samples = (uint32_t)n;
        d->elements = l[i].elements;
        d->mismatches = l[i].mismatches;
        d->max_abs = l[i].max_abs;
        d->rel_l2 = nr_layer_debug_rel_l2(&l[i]);
        d->snr_db = nr_layer_debug_snr_db(&l[i]);
    }
    if (!rc)
        rc = nr_store_set_layer_debug(s, run_id, o, k, &err);
    if (rc)
        fprintf(stderr, "neurio debug: prepared-against-float rows not stored: %s\n", err.msg);
    else
        printf("prepared-against-float rows stored with run %s (`neurio show %s`)\n", run_id,
               run_id);
    nr_store_close(s);
    free(o);
}

int nr_cmd_debug(int argc, char **argv)
{
    dbg_args a;
    int code = dbg_parse(argc, argv, &a);
    nr_rig *rig = NULL;
    neurio_model *f = NULL, *p = NULL;
    dbg_in in = { 0 };
    nr_layer_debug *l = NULL;
    size_t nl = 0, n = 0;
    char run_id[64] = "";
    neurio_errbuf err;
    if (code || a.help) {
        if (a.help)
            dbg_help();
        goto out;
    }
    int dev_code = a.host_only ? 0 : dbg_device(&a, run_id, sizeof run_id);
    if (dev_code && dev_code != NR_EXIT_REGRESSION) {
        code = dev_code;
        goto out;
    }
    if (nr_rig_load(a.rig, a.sets, a.n_sets, &rig, &err) != NEURIO_OK) {
        fprintf(stderr, "neurio debug: %s\n", err.msg);
        code = NR_EXIT_CONFIG;
        goto out;
    }
    if (!rig->data_inputs) {
        fprintf(stderr, "neurio debug: %s sets no data.inputs: nothing to run\n", a.rig);
        code = NR_EXIT_CONFIG;
        goto out;
    }
    int rc = dbg_models(rig, &f, &p, &err);
    if (rc || (rc = dbg_inputs(rig, f, p, (size_t)a.samples, &in, &err)) ||
        (rc = nr_layer_float_run(f, p, (const void *const *)in.f, (const void *const *)in.p,
                                 n = in.count, &l, &nl, &err))) {
        fprintf(stderr, "neurio debug: %s\n", err.msg);
        code = rc == NEURIO_ERR_CONFIG ? NR_EXIT_CONFIG : NR_EXIT_MODEL;
        goto out;
    }
    size_t matched = 0;
    for (size_t i = 0; i < nl; i++)
        matched += l[i].compared != 0;
    printf("%s: %s (%s) against the float model, %zu sample%s, host reference interpreter; "
           "%zu of %zu layer%s matched by name\n", a.rig, rig->model_path,
           rig->model_quantize ? rig->model_quantize : "none", n, n == 1 ? "" : "s", matched,
           nl, nl == (size_t)p->n_ops ? "s" : " outputs");
    long first = -1;
    dbg_print(l, nl, a.tolerance_db, &first);
    if (first >= 0) {
        char id[32];
        printf("first layer over tolerance: #%s %s (%s), SNR %.2f dB < %.4g dB\n",
               row_id(&l[first], id), l[first].op_name, l[first].tensor ? l[first].tensor : "",
               snr_db(&l[first]), a.tolerance_db);
        code = NR_EXIT_REGRESSION;
    } else {
        printf("every compared layer within tolerance (SNR >= %.4g dB)\n", a.tolerance_db);
    }
    if (a.json && dbg_json(a.json, l, nl, a.tolerance_db, first, n)) {
        fprintf(stderr, "neurio debug: cannot write %s\n", a.json);
        code = NR_EXIT_FAILURE;
    } else if (a.json) {
        printf("per-layer figures: %s\n", a.json);
    }
    if (a.html && dbg_html(a.html, a.rig, l, nl, a.tolerance_db, first, n, &err)) {
        fprintf(stderr, "neurio debug: %s\n", err.msg);
        code = NR_EXIT_FAILURE;
    } else if (a.html) {
        printf("per-layer page: %s\n", a.html);
    }
    dbg_store(rig, run_id, l, nl, n);
    if (!code && dev_code)
        code = dev_code;
out:
    free(l);
    dbg_inputs_free(&in);
    neurio_model_free(f);
    neurio_model_free(p);
    nr_rig_free(rig);
    free(a.sets);
    return code;
}

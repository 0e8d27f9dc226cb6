/* core/commands/cmd_debug.c — `neurio debug RIG`: where quantization loses
 * precision, layer by layer, on the host reference interpreter: the model
 * prepared as the rig says (optimized, quantized) against the same model
 * optimized but left in float, on the first samples of data.inputs.  Each
 * op's output is matched by tensor name, dequantized and compared: max abs
 * error, relative L2 and SNR (dB); the first layer under the SNR tolerance
 * is named.  Terminal table, JSON and HTML.
 *
 * Before that (unless --host-only), the rig runs on its device with
 * task.debug = "layers" (run_one.c, observers/layer_readback.c): the plugin builds
 * its debug firmware, every layer's output of the first samples is read
 * back and compared with the host reference on the prepared model (int
 * layers bit-exact), stored with the run and shown by `neurio show`. */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands/commands.h"
#include "commands/run_one.h"
#include "neurio/dataprep.h"
#include "neurio/interp.h"
#include "neurio/npy.h"
#include "neurio/optimize.h"
#include "neurio/quantize.h"
#include "report/report_file.h"
#include "report/svg.h"
#include "rig.h"

typedef struct dbg_args {
    const char *rig, *json, *html;
    const char **sets;
    size_t n_sets;
    long samples;
    double tolerance_db;
    int help, host_only;
} dbg_args;

typedef struct dbg_layer {
    int32_t op, p_tensor, f_tensor; /* f_tensor -1 = no float twin */
    double max_abs, err2, ref2;
} dbg_layer;

static void dbg_help(void)
{
    printf("usage: neurio debug RIG [--samples N] [--tolerance DB] [--json FILE]\n"
           "                        [--html FILE] [--host-only] [--set key=value]...\n\n"
           "Which layer goes wrong on the device?  Runs the rig on its device with\n"
           "task.debug = \"layers\" on the first N samples: the plugin builds its debug\n"
           "firmware, every layer's output is read back over the link (cortex-m, host\n"
           "and any plugin of ABI 1.2) and compared with the host reference\n"
           "interpreter on the prepared model: mismatching elements, max abs error,\n"
           "relative L2 and SNR per layer; integer layers must be bit-exact.  The\n"
           "first layer that differs is named (exit 7); the rows are stored with the\n"
           "run (`neurio show RUN`).\n\n"
           "Then, where does quantization lose precision?  Runs the first N samples of\n"
           "data.inputs (one .npy, or a list with one per model input in the model's\n"
           "input order, as `run` takes it) through the model prepared as the rig says\n"
           "(model.quantize, model.calibration) and through the same model optimized\n"
           "but kept in float, both on the host reference interpreter (the devices' kernels),\n"
           "and compares every layer's output (matched by tensor name, dequantized):\n"
           "max abs error, relative L2 and SNR in dB.  The first layer whose SNR is\n"
           "below --tolerance is named (exit 7).\n\n"
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

/* Element e of tensor t after a run, as a real value; NAN if unsupported. */
static double real_at(const neurio_model *m, const neurio_interp *it, int32_t t, size_t e)
{
    const neurio_tensor *x = &m->tensors[t];
    const void *d = neurio_interp_tensor(it, t);
    if (!d)
        return NAN;
    double scale = x->quant.count > 0 ? x->quant.scale[0] : 1.0;
    double zp = x->quant.count > 0 ? x->quant.zero_point[0] : 0.0;
    if (x->quant.count > 1 && x->rank > 0 && x->quant.axis == x->rank - 1) {
        size_t ch = e % (size_t)x->dims[x->rank - 1];
        if ((int32_t)ch < x->quant.count) {
            scale = x->quant.scale[ch];
            zp = x->quant.zero_point[ch];
        }
    }
    switch (x->dtype) {
    case NEURIO_DT_FLOAT32: return ((const float *)d)[e];
    case NEURIO_DT_INT8: return (((const int8_t *)d)[e] - zp) * scale;
    case NEURIO_DT_UINT8: return (((const uint8_t *)d)[e] - zp) * scale;
    case NEURIO_DT_INT16: return (((const int16_t *)d)[e] - zp) * scale;
    case NEURIO_DT_INT32: return (((const int32_t *)d)[e] - zp) * scale;
    default: return NAN;
    }
}

static int32_t find_tensor(const neurio_model *m, const char *name, size_t elems)
{
    if (!name[0])
        return -1;
    for (int32_t t = 0; t < m->n_tensors; t++)
        if (!strcmp(m->tensors[t].name, name) &&
            neurio_tensor_elements(&m->tensors[t]) == elems)
            return t;
    return -1;
}

static double snr_db(const dbg_layer *l)
{
    if (l->err2 == 0)
        return INFINITY;
    return 10.0 * log10(l->ref2 / l->err2);
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

/* data.inputs converted for both models: one array per model input (a
 * list in the model's input order, as `run` takes it). */
typedef struct dbg_in {
    int32_t n;                                  /* model inputs             */
    void *f[NEURIO_DATAPREP_MAX_INPUTS];        /* rows for the float model */
    void *p[NEURIO_DATAPREP_MAX_INPUTS];        /* rows for the prepared one */
    size_t count;                               /* samples in every array   */
} dbg_in;

static int dbg_inputs(const nr_rig *rig, const neurio_model *f, const neurio_model *p,
                      dbg_in *in, neurio_errbuf *err)
{
    if (p->n_inputs != f->n_inputs || rig->n_data_inputs != (size_t)p->n_inputs ||
        p->n_inputs > NEURIO_DATAPREP_MAX_INPUTS)
        return neurio_fail(err, NEURIO_ERR_CONFIG, "data.inputs has %zu array%s but model '%s' "
                           "has %d input%s; give one .npy per input in the model's input order "
                           "(data.inputs = [ \"in0.npy\", \"in1.npy\" ])", rig->n_data_inputs,
                           rig->n_data_inputs == 1 ? "" : "s", rig->model_path,
                           (int)p->n_inputs, p->n_inputs == 1 ? "" : "s");
    in->n = p->n_inputs;
    in->count = SIZE_MAX;
    for (int32_t k = 0; k < in->n; k++) {
        neurio_npy arr = { 0 };
        size_t nf = 0, np = 0;
        int rc = neurio_npy_read(rig->data_input_list[k], &arr, err);
        if (!rc)
            rc = neurio_dataprep_input(f, k, &arr, &in->f[k], &nf, err);
        if (!rc)
            rc = neurio_dataprep_input(p, k, &arr, &in->p[k], &np, err);
        neurio_npy_free(&arr);
        if (rc)
            return rc;
        in->count = nf < in->count ? nf : in->count;
        in->count = np < in->count ? np : in->count;
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

/* Run both on n samples and accumulate the per-layer errors. */
static int dbg_compare(const neurio_model *f, const neurio_model *p, const dbg_in *in, size_t n,
                       dbg_layer *l, neurio_errbuf *err)
{
    neurio_interp *fi = NULL, *pi = NULL;
    int rc = neurio_interp_new(f, &fi, err);
    if (!rc)
        rc = neurio_interp_new(p, &pi, err);
    const void *xf[NEURIO_DATAPREP_MAX_INPUTS], *xp[NEURIO_DATAPREP_MAX_INPUTS];
    void **fo = calloc((size_t)f->n_outputs + 1, sizeof *fo);
    void **po = calloc((size_t)p->n_outputs + 1, sizeof *po);
    for (int32_t k = 0; !rc && fo && k < f->n_outputs; k++)
        if (!(fo[k] = malloc(neurio_tensor_bytes(&f->tensors[f->outputs[k]]) + 1)))
            rc = NEURIO_ERR_NOMEM;
    for (int32_t k = 0; !rc && po && k < p->n_outputs; k++)
        if (!(po[k] = malloc(neurio_tensor_bytes(&p->tensors[p->outputs[k]]) + 1)))
            rc = NEURIO_ERR_NOMEM;
    if (!fo || !po)
        rc = neurio_fail(err, NEURIO_ERR_NOMEM, "out of memory");
    for (size_t s = 0; !rc && s < n; s++) {
        for (int32_t k = 0; k < in->n; k++) {
            xf[k] = (const char *)in->f[k] + s * neurio_tensor_bytes(&f->tensors[f->inputs[k]]);
            xp[k] = (const char *)in->p[k] + s * neurio_tensor_bytes(&p->tensors[p->inputs[k]]);
        }
        if ((rc = neurio_interp_run(fi, xf, fo, err)) || (rc = neurio_interp_run(pi, xp, po, err)))
            break;
        for (int32_t i = 0; i < p->n_ops; i++) {
            dbg_layer *y = &l[i];
            if (y->f_tensor < 0)
                continue;
            size_t ne = neurio_tensor_elements(&p->tensors[y->p_tensor]);
            for (size_t e = 0; e < ne; e++) {
                double r = real_at(f, fi, y->f_tensor, e), q = real_at(p, pi, y->p_tensor, e);
                double d = fabs(q - r);
                if (isnan(d))
                    continue;
                y->max_abs = fmax(y->max_abs, d);
                y->err2 += d * d;
                y->ref2 += r * r;
            }
        }
    }
    for (int32_t k = 0; fo && k < f->n_outputs; k++)
        free(fo[k]);
    for (int32_t k = 0; po && k < p->n_outputs; k++)
        free(po[k]);
    free(fo);
    free(po);
    neurio_interp_free(fi);
    neurio_interp_free(pi);
    return rc;
}

static int dbg_json(const char *path, const neurio_model *p, const dbg_layer *l, double tol,
                    int32_t first, size_t n)
{
    cJSON *root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "compared", "prepared model vs float model, host reference "
                                              "interpreter");
    cJSON_AddNumberToObject(root, "samples", (double)n);
    cJSON_AddNumberToObject(root, "tolerance_snr_db", tol);
    if (first >= 0)
        cJSON_AddNumberToObject(root, "first_layer_over_tolerance", first);
    else
        cJSON_AddNullToObject(root, "first_layer_over_tolerance");
    cJSON *a = cJSON_AddArrayToObject(root, "layers");
    for (int32_t i = 0; i < p->n_ops; i++) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddNumberToObject(o, "index", i);
        cJSON_AddStringToObject(o, "op", neurio_op_name(p->ops[i].kind));
        cJSON_AddStringToObject(o, "tensor", p->tensors[l[i].p_tensor].name);
        cJSON_AddBoolToObject(o, "compared", l[i].f_tensor >= 0);
        if (l[i].f_tensor >= 0) {
            double snr = snr_db(&l[i]);
            cJSON_AddNumberToObject(o, "max_abs_error", l[i].max_abs);
            cJSON_AddNumberToObject(o, "relative_l2",
                                    l[i].ref2 > 0 ? sqrt(l[i].err2 / l[i].ref2) : 0);
            if (isinf(snr))
                cJSON_AddStringToObject(o, "snr_db", "inf");
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

static int dbg_html(const char *path, const char *rig, const neurio_model *p,
                    const dbg_layer *l, double tol, int32_t first, size_t n, neurio_errbuf *err)
{
    nr_report_file rf;
    int rc = nr_report_file_open(&rf, path, err);
    if (rc)
        return rc;
    FILE *f = rf.f;
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
        fprintf(f, "<p class=\"bad\" id=\"first-bad\">first layer over tolerance: #%d %s ",
                (int)first, neurio_op_name(p->ops[first].kind));
        nr_html_escape(f, p->tensors[l[first].p_tensor].name);
        fputs("</p>\n", f);
    }
    const char **labels = calloc((size_t)p->n_ops + 1, sizeof *labels);
    double *snr = calloc((size_t)p->n_ops + 1, sizeof *snr);
    char (*lab)[64] = calloc((size_t)p->n_ops + 1, sizeof *lab);
    if (labels && snr && lab) {
        for (int32_t i = 0; i < p->n_ops; i++) {
            double v = l[i].f_tensor >= 0 ? snr_db(&l[i]) : 0;
            snr[i] = isinf(v) ? 120 : v < 0 ? 0 : v;
            snprintf(lab[i], sizeof lab[i], "%d %s", (int)i, neurio_op_name(p->ops[i].kind));
            labels[i] = lab[i];
        }
        nr_svg_hbars(f, "layer-snr", "SNR per layer (dB; 120 = identical)", labels, snr,
                     (size_t)p->n_ops, "dB");
    }
    free(labels);
    free(snr);
    free(lab);
    fputs("<table id=\"layers\"><tr><th>#</th><th>op</th><th>output tensor</th><th>max abs "
          "error</th><th>relative L2</th><th>SNR (dB)</th></tr>\n", f);
    for (int32_t i = 0; i < p->n_ops; i++) {
        double v = snr_db(&l[i]);
        int bad = l[i].f_tensor >= 0 && v < tol;
        fprintf(f, "<tr class=\"%s\"><td>%d</td><td>%s</td><td>", bad ? "bad" : "", (int)i,
                neurio_op_name(p->ops[i].kind));
        nr_html_escape(f, p->tensors[l[i].p_tensor].name);
        if (l[i].f_tensor < 0)
            fputs("</td><td colspan=\"3\">no float twin</td></tr>\n", f);
        else
            fprintf(f, "</td><td class=\"num\">%.6g</td><td class=\"num\">%.4g</td><td "
                       "class=\"num\">%s%.2f</td></tr>\n", l[i].max_abs,
                    l[i].ref2 > 0 ? sqrt(l[i].err2 / l[i].ref2) : 0.0, isinf(v) ? "&ge;" : "",
                    isinf(v) ? 120.0 : v);
    }
    fputs("</table></body></html>\n", f);
    return nr_report_file_commit(&rf, err);
}

static void dbg_print(const neurio_model *p, const dbg_layer *l, double tol, int32_t *first)
{
    printf("  %-4s %-20s %-28s %14s %12s %10s\n", "#", "op", "output tensor", "max_abs_err",
           "rel_l2", "snr_db");
    *first = -1;
    for (int32_t i = 0; i < p->n_ops; i++) {
        const char *name = p->tensors[l[i].p_tensor].name;
        if (l[i].f_tensor < 0) {
            printf("  %-4d %-20s %-28.28s %14s %12s %10s  (no float twin)\n", (int)i,
                   neurio_op_name(p->ops[i].kind), name, "-", "-", "-");
            continue;
        }
        double snr = snr_db(&l[i]);
        int bad = snr < tol;
        if (bad && *first < 0)
            *first = i;
        printf("  %-4d %-20s %-28.28s %14.6g %12.4g %10.2f%s\n", (int)i,
               neurio_op_name(p->ops[i].kind), name, l[i].max_abs,
               l[i].ref2 > 0 ? sqrt(l[i].err2 / l[i].ref2) : 0.0, isinf(snr) ? 999.99 : snr,
               bad ? "  < tolerance" : "");
    }
}

/* The device part: the rig's run with task.debug = "layers" on the first
 * samples (the pipeline prints the per-layer table). */
static int dbg_device(const dbg_args *a)
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
                       .n_sets = a->n_sets + 3, .until = NR_STAGE_INFER };
    printf("== device: every layer read back and compared with the host reference ==\n");
    fflush(stdout);
    int code = nr_run_one(&req);
    free(sets);
    printf("== host: prepared model against the float model ==\n");
    fflush(stdout);
    return code;
}

int nr_cmd_debug(int argc, char **argv)
{
    dbg_args a;
    int code = dbg_parse(argc, argv, &a);
    nr_rig *rig = NULL;
    neurio_model *f = NULL, *p = NULL;
    dbg_in in = { 0 };
    dbg_layer *l = NULL;
    neurio_errbuf err;
    if (code || a.help) {
        if (a.help)
            dbg_help();
        goto out;
    }
    int dev_code = a.host_only ? 0 : dbg_device(&a);
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
    if (rc || (rc = dbg_inputs(rig, f, p, &in, &err))) {
        fprintf(stderr, "neurio debug: %s\n", err.msg);
        code = rc == NEURIO_ERR_CONFIG ? NR_EXIT_CONFIG : NR_EXIT_MODEL;
        goto out;
    }
    size_t n = in.count;
    if ((size_t)a.samples < n)
        n = (size_t)a.samples;
    if (!(l = calloc((size_t)p->n_ops + 1, sizeof *l))) {
        code = NR_EXIT_FAILURE;
        goto out;
    }
    size_t matched = 0;
    for (int32_t i = 0; i < p->n_ops; i++) {
        l[i].op = i;
        l[i].p_tensor = p->ops[i].outputs[0];
        const neurio_tensor *t = &p->tensors[l[i].p_tensor];
        l[i].f_tensor = find_tensor(f, t->name, neurio_tensor_elements(t));
        matched += l[i].f_tensor >= 0;
    }
    if (dbg_compare(f, p, &in, n, l, &err)) {
        fprintf(stderr, "neurio debug: %s\n", err.msg);
        code = NR_EXIT_MODEL;
        goto out;
    }
    printf("%s: %s (%s) against the float model, %zu sample%s, host reference interpreter; "
           "%zu of %d layers matched by name\n", a.rig, rig->model_path,
           rig->model_quantize ? rig->model_quantize : "none", n, n == 1 ? "" : "s", matched,
           (int)p->n_ops);
    int32_t first = -1;
    dbg_print(p, l, a.tolerance_db, &first);
    if (first >= 0) {
        printf("first layer over tolerance: #%d %s (%s), SNR %.2f dB < %.4g dB\n", (int)first,
               neurio_op_name(p->ops[first].kind), p->tensors[l[first].p_tensor].name,
               snr_db(&l[first]), a.tolerance_db);
        code = NR_EXIT_REGRESSION;
    } else {
        printf("every compared layer within tolerance (SNR >= %.4g dB)\n", a.tolerance_db);
    }
    if (a.json && dbg_json(a.json, p, l, a.tolerance_db, first, n)) {
        fprintf(stderr, "neurio debug: cannot write %s\n", a.json);
        code = NR_EXIT_FAILURE;
    } else if (a.json) {
        printf("per-layer figures: %s\n", a.json);
    }
    if (a.html && dbg_html(a.html, a.rig, p, l, a.tolerance_db, first, n, &err)) {
        fprintf(stderr, "neurio debug: %s\n", err.msg);
        code = NR_EXIT_FAILURE;
    } else if (a.html) {
        printf("per-layer page: %s\n", a.html);
    }
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

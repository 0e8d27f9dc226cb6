/* core/commands/validate.c — the one validation `check` and `run` share (validate.h). */
#include "commands/validate.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "host.h"
#include "neurio/dataprep.h"
#include "neurio/npy.h"
#include "pipeline.h"

#define VAL_MAX_ARTEFACTS 48

typedef struct val_path {
    const char *what; /* "output.predictions", "profile.json", "data.inputs" ... */
    char path[PATH_MAX];
    int written;      /* the run writes it (else: an input it must not touch) */
} val_path;

/* "/a/b/../c" -> "/a/c" without touching the file system (the run dir does
 * not exist yet); symlinks of existing parents are resolved. */
static void val_canon(const char *in, char *out, size_t cap)
{
    char dir[PATH_MAX], real[PATH_MAX];
    snprintf(out, cap, "%s", in);
    snprintf(dir, sizeof dir, "%s", in);
    char *slash = strrchr(dir, '/');
    if (!slash || slash == dir)
        return;
    *slash = '\0';
    if (realpath(dir, real) && snprintf(out, cap, "%s/%s", real, slash + 1) >= (int)cap)
        snprintf(out, cap, "%s", in);
}

static int val_add(val_path *v, int *n, const char *what, const char *path, int written)
{
    if (!path || *n >= VAL_MAX_ARTEFACTS)
        return 0;
    v[*n].what = what;
    v[*n].written = written;
    val_canon(path, v[*n].path, sizeof v[*n].path);
    (*n)++;
    return 0;
}

/* An absolute artefact path outside the run dir: its directory must exist
 * and be writable, and it must not be a directory itself. */
static int val_writable(const char *what, const char *path, neurio_errbuf *err)
{
    char dir[PATH_MAX];
    struct stat st;
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (slash == dir)
        slash[1] = '\0';
    else if (slash)
        *slash = '\0';
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
        return neurio_fail(err, NEURIO_ERR_CONFIG,
                           "%s = \"%s\": the directory %s does not exist; create it or give "
                           "a file name (written inside the run directory)",
                           what, path, dir);
    if (access(dir, W_OK | X_OK) != 0)
        return neurio_fail(err, NEURIO_ERR_CONFIG, "%s = \"%s\": cannot write in %s: %s",
                           what, path, dir, strerror(errno));
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
        return neurio_fail(err, NEURIO_ERR_CONFIG,
                           "%s = \"%s\" is a directory; give a file name", what, path);
    return NEURIO_OK;
}

/* The nearest existing ancestor of output.dir must be a writable directory
 * (the run creates output.dir/<run-id> below it). */
static int val_output_dir(const char *dir, neurio_errbuf *err)
{
    char buf[PATH_MAX];
    struct stat st;
    snprintf(buf, sizeof buf, "%s", dir);
    for (;;) {
        if (stat(buf, &st) == 0) {
            if (!S_ISDIR(st.st_mode))
                return neurio_fail(err, NEURIO_ERR_CONFIG,
                                   "output.dir = \"%s\": %s is not a directory", dir, buf);
            if (access(buf, W_OK | X_OK) != 0)
                return neurio_fail(err, NEURIO_ERR_CONFIG,
                                   "output.dir = \"%s\": cannot create directories in %s: %s",
                                   dir, buf, strerror(errno));
            return NEURIO_OK;
        }
        char *slash = strrchr(buf, '/');
        if (!slash || slash == buf)
            return NEURIO_OK;
        *slash = '\0';
    }
}

/* A relative artefact name lives in the run dir: a plain file name. */
static int val_name(const char *what, const char *name, neurio_errbuf *err)
{
    if (name[0] == '/')
        return NEURIO_OK;
    if (strchr(name, '/') || !strcmp(name, ".") || !strcmp(name, ".."))
        return neurio_fail(err, NEURIO_ERR_CONFIG,
                           "%s = \"%s\": give a plain file name (written inside the run "
                           "directory) or an absolute path", what, name);
    return NEURIO_OK;
}

int nr_validate_outputs(const nr_rig *rig, int n_outputs, neurio_errbuf *err)
{
    static const char run_tag[] = "<run-id>";
    char run_dir[PATH_MAX], buf[PATH_MAX], store[1400];
    char pred_what[VAL_MAX_ARTEFACTS][40];
    val_path v[VAL_MAX_ARTEFACTS];
    int n = 0, rc;
    const char *rep = rig->output_report ? rig->output_report : "report.html";
    const char *pred = rig->output_predictions ? rig->output_predictions : "pred.npy";
    if ((rc = val_output_dir(rig->output_dir, err)) != 0)
        return rc;
    if ((rc = val_name("output.predictions", pred, err)) != 0 ||
        (rc = val_name("output.report", rep, err)) != 0)
        return rc;
    if (snprintf(run_dir, sizeof run_dir, "%s/%s", rig->output_dir, run_tag) >=
        (int)sizeof run_dir - 64)
        return neurio_fail(err, NEURIO_ERR_CONFIG, "output.dir %s: path too long",
                           rig->output_dir);
    /* What the run writes. */
    const char *fixed[][2] = { { "the generated code gen/", "gen" },
                               { "the work directory work/", "work" },
                               { "profile.json", "profile.json" },
                               { "inferences.csv", "inferences.csv" } };
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++) {
        if (snprintf(buf, sizeof buf, "%s/%s", run_dir, fixed[i][1]) >= (int)sizeof buf)
            continue;
        val_add(v, &n, fixed[i][0], buf, 1);
    }
    nr_report_path(run_dir, rep, buf, sizeof buf);
    val_add(v, &n, "output.report", buf, 1);
    if (rep[0] == '/' && (rc = val_writable("output.report", rep, err)) != 0)
        return rc;
    for (int k = 0; k < n_outputs && n < VAL_MAX_ARTEFACTS - 10; k++) {
        nr_pred_path(run_dir, pred, (uint32_t)k, buf, sizeof buf);
        if (k == 0)
            snprintf(pred_what[k], sizeof pred_what[k], "output.predictions");
        else
            snprintf(pred_what[k], sizeof pred_what[k], "output.predictions (output %d)", k);
        val_add(v, &n, pred_what[k], buf, 1);
        if (buf[0] && strncmp(buf, run_dir, strlen(run_dir)) != 0 &&
            (rc = val_writable("output.predictions", buf, err)) != 0)
            return rc;
    }
    const char *spec = nr_rig_store_spec(rig, store, sizeof store);
    if (spec && !strncmp(spec, "sqlite:", 7))
        val_add(v, &n, "output.store", spec + 7, 1);
    /* What the run reads and must never overwrite. */
    val_add(v, &n, "the rig", rig->path, 0);
    val_add(v, &n, "model.path", rig->model_path, 0);
    for (size_t i = 0; i < rig->n_model_calibrations; i++)
        val_add(v, &n, "model.calibration", rig->model_calibration_list[i], 0);
    char in_what[NEURIO_DATAPREP_MAX_INPUTS][24];
    for (size_t i = 0; i < rig->n_data_inputs && i < NEURIO_DATAPREP_MAX_INPUTS; i++) {
        if (rig->n_data_inputs > 1)
            snprintf(in_what[i], sizeof in_what[i], "data.inputs[%zu]", i);
        else
            snprintf(in_what[i], sizeof in_what[i], "data.inputs");
        val_add(v, &n, in_what[i], rig->data_input_list[i], 0);
    }
    val_add(v, &n, "data.labels", rig->data_labels, 0);
    val_add(v, &n, "task.reference", rig->task_reference, 0);
    for (int i = 0; i < n; i++)
        for (int j = i + 1; j < n; j++) {
            if (strcmp(v[i].path, v[j].path) != 0 || (!v[i].written && !v[j].written))
                continue;
            const val_path *w = v[i].written && !strncmp(v[i].what, "output.", 7) ? &v[i]
                                                                                   : &v[j];
            const val_path *o = w == &v[i] ? &v[j] : &v[i];
            return neurio_fail(err, NEURIO_ERR_CONFIG,
                               "%s and %s are the same file (%s): the run would %s; give "
                               "%s another name", w->what, o->what, w->path,
                               o->written ? "write one over the other"
                                          : "overwrite an input it reads",
                               w->what);
        }
    return NEURIO_OK;
}

/* Open and close the plugin once: `open` checks the options' ranges and
 * plausibility (it touches no device). */
static int val_plugin(const nr_plugin_entry *e, const nr_options *opts, int *exit_code,
                      neurio_errbuf *err)
{
    void *self = NULL;
    neurio_ctx *ctx = nr_ctx_new(e->desc.name, opts, NULL);
    if (!ctx)
        return neurio_fail(err, NEURIO_ERR_NOMEM, "out of memory");
    int rc = e->desc.open(ctx, nr_host(), &self);
    if (rc) {
        const char *msg = nr_ctx_error(ctx);
        *exit_code = rc == NEURIO_ERR_CONFIG ? NR_EXIT_CONFIG : NR_EXIT_PLUGIN;
        neurio_fail(err, rc < 0 ? rc : NEURIO_ERR_INTERNAL, "open failed: [%s] %s",
                    e->desc.name, msg ? msg : neurio_status_str(rc));
        nr_ctx_free(ctx);
        return rc < 0 ? rc : NEURIO_ERR_INTERNAL;
    }
    e->desc.close(self);
    nr_ctx_free(ctx);
    return NEURIO_OK;
}

/* data.inputs or model.calibration (`what`), one array per graph input
 * (neurio_dataprep_inputs); a float32 input the rig quantizes
 * (model.quantize) wants real values. */
static int val_inputs(const nr_rig *rig, const neurio_model *m, const char *what,
                      char *const *paths, size_t n_paths, int verbose, int *exit_code,
                      neurio_errbuf *err)
{
    int quantizing = rig->model_quantize && strcmp(rig->model_quantize, "none") != 0;
    char w[200];
    neurio_input_stream in;
    neurio_errbuf e2;
    /* every value checked as the run converts it, 256 kB of rows at a
     * time (memory independent of the arrays' size) */
    int rc = neurio_input_stream_open(m, (const char *const *)paths, n_paths, what,
                                      quantizing ? NEURIO_INPUTS_REAL_FOR_FLOAT : 0, &in, &e2);
    if (!rc)
        rc = neurio_input_stream_check(&in, 1u << 18, &e2);
    if (rc == NEURIO_ERR_CONFIG)
        *exit_code = NR_EXIT_CONFIG;
    if (rc)
        neurio_fail(err, rc, "%s%s%s", rc == NEURIO_ERR_CONFIG ? rig->path : "",
                    rc == NEURIO_ERR_CONFIG ? ": " : "", e2.msg);
    for (uint32_t i = 0; !rc && verbose && i < in.n; i++) {
        if (in.n > 1)
            printf("%s: %s %s (%zu samples)\n", strcmp(what, "data.inputs") ? what : "data",
                   neurio_dataprep_input_what(m, in.n, i, what, w, sizeof w), paths[i],
                   in.n_samples);
        else
            printf("%s: %s (%zu samples)\n", strcmp(what, "data.inputs") ? what : "data",
                   paths[i], in.n_samples);
    }
    neurio_input_stream_close(&in);
    return rc;
}

int nr_validate(const nr_rig *rig, const nr_plugin_entry *e, const nr_options *opts,
                int flags, int *exit_code, neurio_errbuf *err)
{
    neurio_model *m = NULL;
    neurio_errbuf e2;
    int rc, verbose = (flags & NR_VALIDATE_VERBOSE) != 0;
    *exit_code = NR_EXIT_CONFIG;
    if ((flags & NR_VALIDATE_INFER) && !rig->data_inputs)
        return neurio_fail(err, NEURIO_ERR_CONFIG,
                           "%s: data.inputs is required to run inferences; add data = { "
                           "inputs = \"x.npy\"; }; or stop earlier with --until flash",
                           rig->path);
    if ((rc = val_plugin(e, opts, exit_code, err)) != 0)
        return rc;
    if (rig->data_stateful && e->desc.codegen && e->desc.abi_minor < 2)
        return neurio_fail(err, NEURIO_ERR_CONFIG,
                           "%s: data.stateful = true, but device plugin '%s' (%s) was built "
                           "for plugin ABI %u.%u, which cannot be told to keep the model's "
                           "state (host->run_stateful came with ABI 1.2): rebuild the plugin "
                           "against this neurio, or remove data.stateful", rig->path,
                           e->desc.name, e->path, e->desc.abi_major, e->desc.abi_minor);
    *exit_code = NR_EXIT_CONFIG;
    if (rig->task_reference && rig->task_reference_run &&
        !strcmp(rig->task_reference_run, "host"))
        return neurio_fail(err, NEURIO_ERR_CONFIG,
                           "%s: task.reference and task.reference_run = \"host\" both give "
                           "the reference; keep one", rig->path);
    /* Paths that do not depend on the model first: no model import for a
     * typo in output.report. */
    if ((rc = nr_validate_outputs(rig, 1, err)) != 0)
        return rc;
    *exit_code = NR_EXIT_MODEL;
    if ((rc = neurio_model_load(rig->model_path, &m, &e2)) != 0)
        return neurio_fail(err, rc, "model.path: %s", e2.msg);
    if (verbose)
        printf("model: %s (%s, %d ops, %d inputs, %d outputs)\n", rig->model_path, m->format,
               (int)m->n_ops, (int)m->n_inputs, (int)m->n_outputs);
    if ((rc = neurio_model_check_finite(m, &e2)) != 0) {
        rc = neurio_fail(err, rc, "model.path %s: %s", rig->model_path, e2.msg);
        goto out;
    }
    if (rig->task_output >= m->n_outputs) {
        *exit_code = NR_EXIT_CONFIG;
        rc = neurio_fail(err, NEURIO_ERR_CONFIG,
                         "%s: task.output = %lld, but model '%s' has %d output%s (0 to %d); "
                         "task.output names the output the KPIs use", rig->path,
                         (long long)rig->task_output, m->name, (int)m->n_outputs,
                         m->n_outputs == 1 ? "" : "s", (int)m->n_outputs - 1);
        goto out;
    }
    if (m->n_outputs > 1) {
        *exit_code = NR_EXIT_CONFIG;
        if ((rc = nr_validate_outputs(rig, (int)m->n_outputs, err)) != 0)
            goto out;
        *exit_code = NR_EXIT_MODEL;
    }
    if (rig->n_model_calibrations &&
        (rc = val_inputs(rig, m, "model.calibration", rig->model_calibration_list,
                         rig->n_model_calibrations, verbose, exit_code, err)))
        goto out;
    if (rig->n_data_inputs && (rc = val_inputs(rig, m, "data.inputs", rig->data_input_list,
                                               rig->n_data_inputs, verbose, exit_code, err)))
        goto out;
    *exit_code = NR_EXIT_OK;
out:
    neurio_model_free(m);
    return rc;
}

/* core/observers/quant_cost.c — float host reference vs quantized device, per run
 * (see quant_cost.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "reference/hostref.h"
#include "report/report_inputs.h"
#include "neurio/dataprep.h"
#include "neurio/npy.h"
#include "quant_cost.h"

typedef struct qc_state {
    const nr_rig *rig;
    int active;
    char note[1024];          /* why the reference is unavailable, or ""  */
    size_t out_elems;
    neurio_npy_reader lab;    /* data.labels, read batch by batch          */
    int has_labels;
    int64_t *labels;          /* the current batch's class indices         */
    size_t lab_cap;
    void *lab_raw;            /* the batch's rows, as in the file          */
    size_t lab_raw_cap;
    size_t n_run;             /* samples the run has (labels needed)       */
    float *dev;               /* one sample's outputs                      */
    size_t n, agree, ok_ref, ok_dev;
    double sq_diff, sq_ref;
} qc_state;

static size_t qc_argmax(const float *v, size_t k)
{
    size_t b = 0;
    for (size_t i = 1; i < k; i++)
        if (v[i] > v[b])
            b = i;
    return b;
}

static void qc_disable(qc_state *s, const char *what, const char *msg)
{
    s->active = 0;
    snprintf(s->note, sizeof s->note, "%s: %s", what, msg);
}

/* Open data.labels and check its shape against the run as the accuracy
 * KPI does (report/report_inputs.h): [N] or [N, 1] class indices, or
 * [N, C] / [N, 1, C] one-hot rows (or scores) taken by argmax, N >= the
 * samples run.  Read batch by batch (qc_labels). */
static int qc_open_labels(qc_state *s, const nr_run *run, neurio_errbuf *err)
{
    int rc = neurio_npy_open(s->rig->data_labels, &s->lab, err);
    if (rc)
        return rc;
    s->n_run = run->n_samples;
    /* count 0: the shape alone */
    rc = nr_report_labels_classes_rows(&s->lab.hdr, NULL, s->rig->data_labels, s->n_run, 0, 0,
                                       (int32_t)s->out_elems, NULL, err);
    if (rc) {
        neurio_npy_close(&s->lab);
        return rc;
    }
    s->has_labels = 1;
    return NEURIO_OK;
}

/* Class indices of samples [first, first + count) into s->labels[0..). */
static int qc_labels(qc_state *s, size_t first, size_t count, neurio_errbuf *err)
{
    size_t nb = count * (s->lab.row_bytes ? s->lab.row_bytes : 1);
    if (!count)
        return NEURIO_OK;
    if (nb > s->lab_raw_cap) {
        void *b = realloc(s->lab_raw, nb);
        if (!b)
            return neurio_fail(err, NEURIO_ERR_NOMEM, "out of memory");
        s->lab_raw = b;
        s->lab_raw_cap = nb;
    }
    if (count > s->lab_cap) {
        int64_t *b = realloc(s->labels, count * sizeof *b);
        if (!b)
            return neurio_fail(err, NEURIO_ERR_NOMEM, "out of memory");
        s->labels = b;
        s->lab_cap = count;
    }
    int rc = neurio_npy_read_rows(&s->lab, first, count, s->lab_raw, err);
    if (!rc)
        rc = nr_report_labels_classes_rows(&s->lab.hdr, s->lab_raw, s->rig->data_labels,
                                           s->n_run, first, count, (int32_t)s->out_elems,
                                           s->labels, err);
    return rc;
}

static int qc_on_start(void *user, const nr_run *run)
{
    qc_state *s = user;
    neurio_errbuf err = { { 0 } };
    if (!s->active)
        return 0;
    if (!run->hostref) { /* the run's one host reference (core/hostref.h) */
        qc_disable(s, "float reference", run->hostref_error ? run->hostref_error : "not built");
        return 0;
    }
    s->out_elems = nr_hostref_out_elems(run->hostref);
    s->dev = malloc((s->out_elems ? s->out_elems : 1) * sizeof *s->dev);
    if (!s->dev) {
        qc_disable(s, "float reference", "out of memory");
        return 0;
    }
    if (s->rig->data_labels && qc_open_labels(s, run, &err))
        snprintf(s->note, sizeof s->note, "labels ignored: %s", err.msg);
    return 0;
}

static int qc_on_batch(void *user, const nr_run *run, const neurio_batch *b)
{
    qc_state *s = user;
    if (!s->active)
        return 0;
    neurio_errbuf err = { { 0 } };
    const float *rows = nr_hostref_rows(run->hostref, b->first, b->done, &err);
    if (!rows) {
        qc_disable(s, "float reference run", err.msg);
        return 0;
    }
    if (s->has_labels && qc_labels(s, b->first, b->done, &err)) {
        s->has_labels = 0; /* as when the labels cannot be read at start */
        snprintf(s->note, sizeof s->note, "labels ignored: %s", err.msg);
    }
    for (uint32_t k = 0; k < b->done; k++) {
        const float *ref = rows + (size_t)k * s->out_elems;
        uint32_t ko = (uint32_t)s->rig->task_output;
        if (ko >= run->n_outputs) {
            qc_disable(s, "device outputs", "task.output is not an output of the model");
            return 0;
        }
        const char *d = (const char *)b->outputs[ko] + (size_t)k * run->output_sample_bytes[ko];
        if (neurio_dataprep_dequantize(run->model, (int32_t)ko, d, 1, s->dev)) {
            qc_disable(s, "device outputs", "cannot dequantize");
            return 0;
        }
        for (size_t e = 0; e < s->out_elems; e++) {
            double diff = (double)s->dev[e] - (double)ref[e];
            s->sq_diff += diff * diff;
            s->sq_ref += (double)ref[e] * (double)ref[e];
        }
        size_t ar = qc_argmax(ref, s->out_elems), ad = qc_argmax(s->dev, s->out_elems);
        s->agree += ar == ad;
        if (s->has_labels) {
            s->ok_ref += (int64_t)ar == s->labels[k];
            s->ok_dev += (int64_t)ad == s->labels[k];
        }
        s->n++;
    }
    return 0;
}

static int qc_on_finish(void *user, const nr_run *run, int status)
{
    qc_state *s = user;
    (void)status;
    if (!s->active && !s->note[0])
        return 0;
    if (!s->active || s->n == 0) {
        if (s->note[0])
            printf("quantization cost: not measured (%s)\n", s->note);
        return 0;
    }
    double l2 = s->sq_ref > 0 ? sqrt(s->sq_diff / s->sq_ref) : sqrt(s->sq_diff);
    double agree = (double)s->agree / (double)s->n;
    int has_acc = s->has_labels && !strcmp(s->rig->task_kind ? s->rig->task_kind : "classification",
                                       "classification");
    double acc_ref = (double)s->ok_ref / (double)s->n, acc_dev = (double)s->ok_dev / (double)s->n;
    printf("quantization cost (float host reference vs %s device, %zu samples)\n",
           s->rig->model_quantize, s->n);
    if (s->note[0]) /* the labels could not be used */
        printf("  %s\n", s->note);
    if (has_acc)
        printf("  top1 accuracy      float %.2f %%  device %.2f %%  (%+.2f points)\n",
               acc_ref * 100, acc_dev * 100, (acc_dev - acc_ref) * 100);
    if (s->out_elems > 1)
        printf("  argmax agreement   %.2f %%\n", agree * 100);
    printf("  relative L2        %.4f   (||device - float|| / ||float||, dequantized)\n", l2);
    cJSON *o = cJSON_CreateObject();
    if (o && run->run_dir) {
        cJSON_AddStringToObject(o, "reference", "float model, neurio reference interpreter (host)");
        cJSON_AddStringToObject(o, "device_quantize", s->rig->model_quantize);
        cJSON_AddNumberToObject(o, "samples", (double)s->n);
        if (has_acc) {
            cJSON_AddNumberToObject(o, "float_top1_accuracy", acc_ref);
            cJSON_AddNumberToObject(o, "device_top1_accuracy", acc_dev);
        }
        if (s->out_elems > 1)
            cJSON_AddNumberToObject(o, "argmax_agreement", agree);
        cJSON_AddNumberToObject(o, "relative_l2", l2);
        char *txt = cJSON_Print(o);
        char path[4096];
        snprintf(path, sizeof path, "%s/quant_cost.json", run->run_dir);
        FILE *f = txt ? fopen(path, "w") : NULL;
        if (f) {
            fputs(txt, f);
            fputc('\n', f);
            fclose(f);
        }
        free(txt);
    }
    cJSON_Delete(o);
    return 0;
}

static void qc_destroy(void *user)
{
    qc_state *s = user;
    if (!s)
        return;
    free(s->labels);
    free(s->lab_raw);
    neurio_npy_close(&s->lab);
    free(s->dev);
    free(s);
}

int nr_quant_cost_observer_new(const nr_rig *rig, nr_observer *out, neurio_errbuf *err)
{
    qc_state *s = calloc(1, sizeof *s);
    if (!s)
        return neurio_fail(err, NEURIO_ERR_NOMEM, "out of memory");
    s->rig = rig;
    s->active = rig->model_quantize && strcmp(rig->model_quantize, "none") != 0 &&
                rig->data_inputs != NULL;
    *out = (nr_observer){ .user = s, .on_start = qc_on_start, .on_batch = qc_on_batch,
                          .on_finish = qc_on_finish, .destroy = qc_destroy,
                          .needs_hostref = s->active };
    return NEURIO_OK;
}

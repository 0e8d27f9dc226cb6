/* results/report/predictions.c — see predictions.h. */
#include "report/predictions.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void nr_pred_path(const char *run_dir, const char *name, uint32_t k, char *buf, size_t cap)
{
    int n;
    if (name[0] == '/')
        n = snprintf(buf, cap, "%s", name);
    else
        n = snprintf(buf, cap, "%s/%s", run_dir, name);
    if (n < 0 || (size_t)n >= cap || k == 0)
        return;
    char suffix[16];
    size_t l = strlen(buf);
    int has_ext = l > 4 && !strcmp(buf + l - 4, ".npy");
    snprintf(suffix, sizeof suffix, "_%u%s", k, has_ext ? ".npy" : "");
    if (has_ext)
        l -= 4;
    if (l + strlen(suffix) < cap)
        memcpy(buf + l, suffix, strlen(suffix) + 1);
}

void nr_report_path(const char *run_dir, const char *name, char *buf, size_t cap)
{
    if (name[0] == '/')
        snprintf(buf, cap, "%s", name);
    else
        snprintf(buf, cap, "%s/%s", run_dir, name);
}

int nr_predictions_open(nr_predictions *pr, const neurio_model *m, const char *run_dir,
                        const char *name, size_t n_samples, neurio_errbuf *err)
{
    memset(pr, 0, sizeof *pr);
    pr->model = m;
    pr->name = name;
    snprintf(pr->run_dir, sizeof pr->run_dir, "%s", run_dir);
    pr->w = calloc(m->n_outputs ? (size_t)m->n_outputs : 1, sizeof *pr->w);
    if (!pr->w)
        return neurio_fail(err, NEURIO_ERR_NOMEM, "out of memory");
    pr->n_w = (uint32_t)m->n_outputs;
    for (uint32_t k = 0; k < (uint32_t)m->n_outputs; k++) {
        const neurio_tensor *t = &m->tensors[m->outputs[k]];
        int64_t dims[NEURIO_NPY_MAX_RANK];
        int32_t rank = t->rank + 1;
        if (rank > NEURIO_NPY_MAX_RANK)
            return neurio_fail(err, NEURIO_ERR_UNSUPPORTED,
                               "output %u has rank %d; .npy output is limited to rank %d", k,
                               (int)t->rank, NEURIO_NPY_MAX_RANK - 1);
        dims[0] = (int64_t)n_samples;
        for (int32_t d = 0; d < t->rank; d++)
            dims[d + 1] = t->dims[d];
        char path[4200];
        neurio_errbuf e2;
        nr_pred_path(pr->run_dir, name, k, path, sizeof path);
        int rc = neurio_npy_create(path, t->dtype, rank, dims, &pr->w[k], &e2);
        if (rc)
            return neurio_fail(err, rc, "writing predictions: %s", e2.msg);
    }
    return NEURIO_OK;
}

int nr_predictions_append(nr_predictions *pr, void *const *outputs, uint32_t rows,
                          neurio_errbuf *err)
{
    for (uint32_t k = 0; pr->w && k < (uint32_t)pr->model->n_outputs && rows; k++) {
        neurio_errbuf e2;
        int rc = neurio_npy_append(&pr->w[k], outputs[k], rows, &e2);
        if (rc)
            return neurio_fail(err, rc, "writing predictions: %s", e2.msg);
    }
    return NEURIO_OK;
}

int nr_predictions_close(nr_predictions *pr, neurio_errbuf *err)
{
    int first = NEURIO_OK;
    for (uint32_t k = 0; pr->w && k < (uint32_t)pr->model->n_outputs; k++) {
        neurio_errbuf e2;
        char path[4200];
        if (!pr->w[k].file)
            continue;
        nr_pred_path(pr->run_dir, pr->name, k, path, sizeof path);
        size_t rows = pr->w[k].rows;
        int rc = neurio_npy_close_writer(&pr->w[k], &e2);
        if (!rows) {
            unlink(path);
            continue;
        }
        if (rc && !first)
            first = neurio_fail(err, rc, "writing predictions: %s", e2.msg);
        if (rc)
            continue;
        const neurio_tensor *t = &pr->model->tensors[pr->model->outputs[k]];
        printf("predictions: %s [%zu", path, rows);
        for (int32_t d = 0; d < t->rank; d++)
            printf(", %d", (int)t->dims[d]);
        printf("] %s\n", neurio_dtype_name(t->dtype));
    }
    return first;
}

void nr_predictions_free(nr_predictions *pr)
{
    for (uint32_t k = 0; pr->w && k < pr->n_w; k++)
        neurio_npy_close_writer(&pr->w[k], NULL);
    free(pr->w);
    pr->w = NULL;
    pr->n_w = 0;
}

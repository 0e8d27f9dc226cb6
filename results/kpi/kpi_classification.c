/* core/kpi_classification.c — top-1/top-k, balanced accuracy, per-class
 * precision/recall/F1 and the confusion matrix. */
#include "kpi/kpi_classification.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int32_t nr_kpi_argmax(const float *scores, int32_t n)
{
    int32_t best = 0;
    for (int32_t i = 1; i < n; i++)
        if (scores[i] > scores[best])
            best = i;
    return best;
}

/* Rank of class `c` in `row` when sorted by score descending, ties by lower
 * index first: classes strictly better, plus equal ones with a lower index. */
static int32_t class_rank(const float *row, int32_t n, int32_t c)
{
    int32_t rank = 0;
    for (int32_t i = 0; i < n; i++)
        if (row[i] > row[c] || (row[i] == row[c] && i < c))
            rank++;
    return rank;
}

void nr_kpi_classification_free(nr_kpi_classification *c)
{
    free(c->precision);
    free(c->recall);
    free(c->f1);
    free(c->support);
    free(c->predicted);
    free(c->confusion);
    memset(c, 0, sizeof *c);
}

int nr_kpi_classification_begin(int32_t n_classes, int32_t top_k,
                                nr_kpi_classification *out, neurio_errbuf *err)
{
    memset(out, 0, sizeof *out);
    if (n_classes < 2)
        return neurio_fail(err, NEURIO_ERR_INVALID,
                           "classification KPIs: the model output has %d class(es); "
                           "use task.kind = \"regression\" for a single output",
                           (int)n_classes);
    size_t nc = (size_t)n_classes;
    out->precision = malloc(nc * sizeof(double));
    out->recall = malloc(nc * sizeof(double));
    out->f1 = malloc(nc * sizeof(double));
    out->support = calloc(nc, sizeof(uint64_t));
    out->predicted = calloc(nc, sizeof(uint64_t));
    out->confusion = calloc(nc * nc, sizeof(uint64_t));
    if (!out->precision || !out->recall || !out->f1 || !out->support ||
        !out->predicted || !out->confusion) {
        nr_kpi_classification_free(out);
        return neurio_fail(err, NEURIO_ERR_NOMEM, "classification KPIs: out of memory");
    }
    out->n_classes = n_classes;
    out->top_k = top_k < 1 ? 1 : (top_k > n_classes ? n_classes : top_k);
    return 0;
}

int nr_kpi_classification_add(nr_kpi_classification *out, const float *scores, size_t count,
                              const int64_t *labels, size_t first, neurio_errbuf *err)
{
    int32_t n_classes = out->n_classes;
    size_t nc = (size_t)n_classes;
    for (size_t i = 0; i < count; i++)
        if (labels[i] < 0 || labels[i] >= n_classes)
            return neurio_fail(err, NEURIO_ERR_INVALID,
                               "label %" PRId64 " of sample %zu is outside the model's "
                               "%d classes (0..%d); check data.labels matches data.inputs",
                               labels[i], first + i, (int)n_classes, (int)n_classes - 1);
    for (size_t i = 0; i < count; i++) {
        const float *row = scores + i * nc;
        int32_t pred = nr_kpi_argmax(row, n_classes);
        int32_t lab = (int32_t)labels[i];
        out->confusion[(size_t)lab * nc + (size_t)pred]++;
        out->support[lab]++;
        out->predicted[pred]++;
        out->hit1 += pred == lab;
        out->hitk += class_rank(row, n_classes, lab) < out->top_k;
    }
    out->n_samples += count;
    return 0;
}

int nr_kpi_classification_end(nr_kpi_classification *out, neurio_errbuf *err)
{
    size_t n_samples = out->n_samples, nc = (size_t)out->n_classes;
    if (n_samples == 0)
        return neurio_fail(err, NEURIO_ERR_INVALID,
                           "classification KPIs: no samples were completed");
    out->top1 = (double)out->hit1 / (double)n_samples;
    out->topk = (double)out->hitk / (double)n_samples;

    double rsum = 0, fsum = 0;
    int rn = 0, fn = 0;
    for (size_t c = 0; c < nc; c++) {
        double tp = (double)out->confusion[c * nc + c];
        double fp = (double)out->predicted[c] - tp;
        double fneg = (double)out->support[c] - tp;
        out->precision[c] = out->predicted[c] ? tp / (double)out->predicted[c] : NAN;
        out->recall[c] = out->support[c] ? tp / (double)out->support[c] : NAN;
        double den = 2 * tp + fp + fneg;
        out->f1[c] = den > 0 ? 2 * tp / den : NAN;
        if (out->support[c]) {
            rsum += out->recall[c];
            rn++;
        }
        if (!isnan(out->f1[c])) {
            fsum += out->f1[c];
            fn++;
        }
    }
    out->balanced_accuracy = rn ? rsum / rn : NAN;
    out->macro_f1 = fn ? fsum / fn : NAN;
    return 0;
}

int nr_kpi_classification_compute(const float *scores, size_t n_samples,
                                  int32_t n_classes, const int64_t *labels,
                                  int32_t top_k, nr_kpi_classification *out,
                                  neurio_errbuf *err)
{
    memset(out, 0, sizeof *out);
    if (n_samples == 0)
        return neurio_fail(err, NEURIO_ERR_INVALID,
                           "classification KPIs: no samples were completed");
    int rc = nr_kpi_classification_begin(n_classes, top_k, out, err);
    if (!rc)
        rc = nr_kpi_classification_add(out, scores, n_samples, labels, 0, err);
    if (!rc)
        rc = nr_kpi_classification_end(out, err);
    if (rc)
        nr_kpi_classification_free(out);
    return rc;
}

int nr_kpi_classification_metrics(const nr_kpi_classification *c,
                                  const char *source, nr_metrics *m)
{
    char name[48];
    snprintf(name, sizeof name, "top%d_accuracy", (int)c->top_k);
    int rc = nr_metrics_add(m, "accuracy", "top1_accuracy", c->top1, "ratio", source);
    if (!rc && c->top_k > 1)
        rc = nr_metrics_add(m, "accuracy", name, c->topk, "ratio", source);
    if (!rc)
        rc = nr_metrics_add(m, "accuracy", "balanced_accuracy", c->balanced_accuracy,
                            "ratio", source);
    if (!rc)
        rc = nr_metrics_add(m, "accuracy", "macro_f1", c->macro_f1, "ratio", source);
    return rc;
}

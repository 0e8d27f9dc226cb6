/* core/kpi_anomaly.c — per-sample anomaly scores and ROC AUC. */
#include "kpi/kpi_anomaly.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

int nr_score_parse(const char *text, nr_score_spec *out, neurio_errbuf *err)
{
    memset(out, 0, sizeof *out);
    if (!text || !*text || !strcmp(text, "mse")) {
        out->kind = NR_SCORE_MSE;
        return 0;
    }
    if (!strcmp(text, "output")) {
        out->kind = NR_SCORE_OUTPUT;
        return 0;
    }
    if (!strncmp(text, "output:", 7) && text[7] >= '0' && text[7] <= '9') {
        char *end;
        errno = 0;
        unsigned long long k = strtoull(text + 7, &end, 10);
        if (!*end && !errno) {
            out->kind = NR_SCORE_OUTPUT;
            out->element = (size_t)k;
            return 0;
        }
    }
    return neurio_fail(err, NEURIO_ERR_CONFIG,
                       "task.score: unknown score '%s'; use \"mse\" (reconstruction error "
                       "vs the input), \"output\" or \"output:K\" (output element K)", text);
}

int nr_score_sample(const nr_score_spec *s, const float *output, size_t n_out,
                    const float *input, size_t n_in, double *score,
                    neurio_errbuf *err)
{
    if (s->kind == NR_SCORE_OUTPUT) {
        if (s->element >= n_out)
            return neurio_fail(err, NEURIO_ERR_INVALID,
                               "task.score: output element %zu does not exist, the output "
                               "has %zu elements", s->element, n_out);
        *score = output[s->element];
        return 0;
    }
    if (n_in != n_out || n_out == 0)
        return neurio_fail(err, NEURIO_ERR_INVALID,
                           "task.score = \"mse\" needs the output to match the input "
                           "element for element, but the input has %zu elements and the "
                           "output %zu; use task.score = \"output:K\"", n_in, n_out);
    double ss = 0;
    for (size_t i = 0; i < n_out; i++) {
        double d = (double)output[i] - (double)input[i];
        ss += d * d;
    }
    *score = ss / (double)n_out;
    return 0;
}

typedef struct scored {
    double s;
    int64_t label;
} scored;

static int cmp_scored(const void *a, const void *b)
{
    double x = ((const scored *)a)->s, y = ((const scored *)b)->s;
    return (x > y) - (x < y);
}

int nr_kpi_roc_auc(const double *score, const int64_t *labels, size_t n,
                   double *auc, neurio_errbuf *err)
{
    size_t npos = 0, nneg = 0;
    for (size_t i = 0; i < n; i++) {
        if (labels[i] != 0 && labels[i] != 1)
            return neurio_fail(err, NEURIO_ERR_INVALID,
                               "anomaly labels must be 0 (normal) or 1 (anomaly), sample %zu "
                               "has %" PRId64, i, labels[i]);
        if (!isfinite(score[i]))
            return neurio_fail(err, NEURIO_ERR_INVALID,
                               "anomaly score of sample %zu is not finite", i);
        if (labels[i])
            npos++;
        else
            nneg++;
    }
    if (!npos || !nneg)
        return neurio_fail(err, NEURIO_ERR_INVALID,
                           "ROC AUC is undefined: the labels hold only %s samples (%zu); "
                           "include both normal (0) and anomalous (1) samples",
                           npos ? "anomalous" : "normal", n);
    scored *v = malloc(n * sizeof *v);
    if (!v)
        return neurio_fail(err, NEURIO_ERR_NOMEM, "ROC AUC: out of memory");
    for (size_t i = 0; i < n; i++)
        v[i] = (scored){ .s = score[i], .label = labels[i] };
    qsort(v, n, sizeof *v, cmp_scored);
    /* Sum of the (1-based, tie-averaged) ranks of the anomalous samples. */
    double rank_sum = 0;
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j < n && v[j].s == v[i].s)
            j++;
        double avg = ((double)(i + 1) + (double)j) / 2.0;
        for (size_t k = i; k < j; k++)
            if (v[k].label)
                rank_sum += avg;
        i = j;
    }
    free(v);
    double u = rank_sum - (double)npos * ((double)npos + 1) / 2.0;
    *auc = u / ((double)npos * (double)nneg);
    return 0;
}

/* core/kpi_anomaly.c — per-sample anomaly scores and ROC AUC. */
#include "kpi/kpi_anomaly.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "kpi/kpi_stats_stream.h"

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

static int auc_bad_label(neurio_errbuf *err, size_t i, int64_t label)
{
    return neurio_fail(err, NEURIO_ERR_INVALID,
                       "anomaly labels must be 0 (normal) or 1 (anomaly), sample %zu "
                       "has %" PRId64, i, label);
}

static int auc_bad_score(neurio_errbuf *err, size_t i)
{
    return neurio_fail(err, NEURIO_ERR_INVALID, "anomaly score of sample %zu is not finite", i);
}

static int auc_one_class(neurio_errbuf *err, size_t npos, size_t n)
{
    return neurio_fail(err, NEURIO_ERR_INVALID,
                       "ROC AUC is undefined: the labels hold only %s samples (%zu); "
                       "include both normal (0) and anomalous (1) samples",
                       npos ? "anomalous" : "normal", n);
}

int nr_kpi_roc_auc(const double *score, const int64_t *labels, size_t n,
                   double *auc, neurio_errbuf *err)
{
    size_t npos = 0, nneg = 0;
    for (size_t i = 0; i < n; i++) {
        if (labels[i] != 0 && labels[i] != 1)
            return auc_bad_label(err, i, labels[i]);
        if (!isfinite(score[i]))
            return auc_bad_score(err, i);
        if (labels[i])
            npos++;
        else
            nneg++;
    }
    if (!npos || !nneg)
        return auc_one_class(err, npos, n);
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

struct nr_kpi_auc_acc {
    nr_stats_stream *pos, *neg;  /* scores of anomalous / normal samples */
    size_t n;
    int bad;                     /* 1 label, 2 score: first bad sample   */
    size_t bad_at;
    int64_t bad_label;
    int io;
};

int nr_kpi_auc_acc_new(const char *dir, nr_kpi_auc_acc **out, neurio_errbuf *err)
{
    *out = NULL;
    nr_kpi_auc_acc *a = calloc(1, sizeof *a);
    if (!a)
        return neurio_fail(err, NEURIO_ERR_NOMEM, "ROC AUC: out of memory");
    int rc = nr_stats_stream_new(dir, &a->pos);
    if (!rc)
        rc = nr_stats_stream_new(dir, &a->neg);
    if (rc) {
        nr_kpi_auc_acc_free(a);
        return neurio_fail(err, rc, "ROC AUC: cannot create a temporary file in %s",
                           dir && *dir ? dir : "$TMPDIR");
    }
    *out = a;
    return 0;
}

int nr_kpi_auc_acc_add(nr_kpi_auc_acc *a, double score, int64_t label)
{
    size_t i = a->n++;
    if (a->bad)
        return 0;
    if (label != 0 && label != 1) {
        a->bad = 1;
        a->bad_at = i;
        a->bad_label = label;
        return 0;
    }
    if (!isfinite(score)) {
        a->bad = 2;
        a->bad_at = i;
        return 0;
    }
    if (nr_stats_stream_add(label ? a->pos : a->neg, score)) {
        a->io = 1;
        return NEURIO_ERR_IO;
    }
    return 0;
}

size_t nr_kpi_auc_acc_count(const nr_kpi_auc_acc *a)
{
    return a ? a->n : 0;
}

void nr_kpi_auc_acc_set_chunk(nr_kpi_auc_acc *a, size_t values)
{
    nr_stats_stream_set_chunk(a->pos, values);
    nr_stats_stream_set_chunk(a->neg, values);
}

/* The walk of nr_kpi_roc_auc over the merge of the two sorted series: the
 * same groups of equal scores in the same order, so the same sum. */
static int auc_walk(nr_stats_sorted *p, nr_stats_sorted *q, size_t n, double *rank_sum)
{
    double hp = 0, hq = 0;
    int ep = nr_stats_sorted_next(p, &hp), eq = nr_stats_sorted_next(q, &hq);
    size_t i = 0;
    *rank_sum = 0;
    while (ep == 1 || eq == 1) {
        double v = ep == 1 && (eq != 1 || hp <= hq) ? hp : hq;
        size_t cp = 0, cq = 0;
        while (ep == 1 && hp == v) {
            cp++;
            ep = nr_stats_sorted_next(p, &hp);
        }
        while (eq == 1 && hq == v) {
            cq++;
            eq = nr_stats_sorted_next(q, &hq);
        }
        size_t j = i + cp + cq;
        double avg = ((double)(i + 1) + (double)j) / 2.0;
        for (size_t k = 0; k < cp; k++)
            *rank_sum += avg;
        i = j;
    }
    return ep < 0 || eq < 0 || i != n ? NEURIO_ERR_IO : 0;
}

int nr_kpi_auc_acc_end(nr_kpi_auc_acc *a, double *auc, neurio_errbuf *err)
{
    if (a->bad == 1)
        return auc_bad_label(err, a->bad_at, a->bad_label);
    if (a->bad == 2)
        return auc_bad_score(err, a->bad_at);
    if (a->io)
        return neurio_fail(err, NEURIO_ERR_IO,
                           "ROC AUC: cannot write the scores to a temporary file (disk full?)");
    size_t npos = nr_stats_stream_count(a->pos), nneg = nr_stats_stream_count(a->neg);
    if (!npos || !nneg)
        return auc_one_class(err, npos, a->n);
    nr_stats_sorted *p = NULL, *q = NULL;
    double rank_sum = 0;
    int rc = nr_stats_stream_sorted(a->pos, &p);
    if (!rc)
        rc = nr_stats_stream_sorted(a->neg, &q);
    if (!rc)
        rc = auc_walk(p, q, a->n, &rank_sum);
    nr_stats_sorted_free(p);
    nr_stats_sorted_free(q);
    if (rc)
        return neurio_fail(err, rc, "ROC AUC: cannot read the scores back from the "
                                    "temporary file");
    double u = rank_sum - (double)npos * ((double)npos + 1) / 2.0;
    *auc = u / ((double)npos * (double)nneg);
    return 0;
}

void nr_kpi_auc_acc_free(nr_kpi_auc_acc *a)
{
    if (!a)
        return;
    nr_stats_stream_free(a->pos);
    nr_stats_stream_free(a->neg);
    free(a);
}

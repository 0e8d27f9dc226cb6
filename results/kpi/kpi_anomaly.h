/* core/kpi_anomaly.h — anomaly detection KPIs: ROC AUC of a per-sample
 * anomaly score against binary labels (0 = normal, 1 = anomaly).
 *
 * The score is chosen by the rig (`task.score`):
 *   "mse"        mean squared error between the output and the input
 *                (autoencoders: reconstruction error), both as floats;
 *   "output"     output element 0 (a model that emits a score itself);
 *   "output:K"   output element K.
 * Higher score = more anomalous.
 */
#ifndef NEURIO_CORE_KPI_ANOMALY_H
#define NEURIO_CORE_KPI_ANOMALY_H

#include <stddef.h>
#include <stdint.h>

#include "kpi/kpi_metrics.h"
#include "neurio/status.h"

typedef enum nr_score_kind { NR_SCORE_MSE = 0, NR_SCORE_OUTPUT = 1 } nr_score_kind;

typedef struct nr_score_spec {
    nr_score_kind kind;
    size_t element;          /* NR_SCORE_OUTPUT: the element index          */
} nr_score_spec;

/* Parse a task.score string (NULL or "" = "mse").  Returns 0 or
 * NEURIO_ERR_CONFIG with a message listing the accepted forms. */
int nr_score_parse(const char *text, nr_score_spec *out, neurio_errbuf *err);

/* Score of one sample from its float output[n_out] and float input[n_in].
 * "mse" needs n_in == n_out; "output:K" needs K < n_out.  Returns 0 or
 * NEURIO_ERR_INVALID naming both sizes. */
int nr_score_sample(const nr_score_spec *s, const float *output, size_t n_out,
                    const float *input, size_t n_in, double *score,
                    neurio_errbuf *err);

/* ROC AUC of score[0..n) against labels (0 or 1), computed as the
 * Mann-Whitney U statistic with tied scores given their average rank (a tie
 * between a normal and an anomalous sample counts 1/2).  Returns 0, or
 * NEURIO_ERR_INVALID when a label is not 0/1 (naming the sample) or when
 * only one class is present (AUC undefined). */
int nr_kpi_roc_auc(const double *score, const int64_t *labels, size_t n,
                   double *auc, neurio_errbuf *err);

/* The same ROC AUC, bit for bit, over a series too long to hold: scores
 * are appended to two spill files (anomalous, normal) in `dir` (NULL:
 * $TMPDIR or /tmp) and walked in sorted order by the external merge sort of
 * kpi_stats_stream.h.  Memory: two 8 kB append buffers while adding, about
 * 1 MB while computing, whatever the number of samples.  The first bad
 * label or non-finite score is remembered (sample index as added) and
 * reported by _end with nr_kpi_roc_auc's message. */
typedef struct nr_kpi_auc_acc nr_kpi_auc_acc;
int nr_kpi_auc_acc_new(const char *dir, nr_kpi_auc_acc **out, neurio_errbuf *err);
/* 0, or NEURIO_ERR_IO when the spill file cannot be written (disk full). */
int nr_kpi_auc_acc_add(nr_kpi_auc_acc *a, double score, int64_t label);
size_t nr_kpi_auc_acc_count(const nr_kpi_auc_acc *a);
/* Test hook: values per sorted chunk (forces the external merge). */
void nr_kpi_auc_acc_set_chunk(nr_kpi_auc_acc *a, size_t values);
int nr_kpi_auc_acc_end(nr_kpi_auc_acc *a, double *auc, neurio_errbuf *err);
void nr_kpi_auc_acc_free(nr_kpi_auc_acc *a);

#endif /* NEURIO_CORE_KPI_ANOMALY_H */

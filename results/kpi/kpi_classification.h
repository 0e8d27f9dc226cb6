/* core/kpi_classification.h — accuracy KPIs of a classifier against labels:
 * top-1 and top-k accuracy, balanced accuracy, per-class precision, recall
 * and F1, macro F1 and the confusion matrix.
 *
 * Conventions (documented because they decide ties and empty classes):
 *   - The prediction is the argmax of the scores; ties go to the LOWEST class
 *     index (numpy.argmax).
 *   - Top-k: classes are ranked by score, ties broken by lower index first;
 *     a sample counts when its label is among the first k.
 *   - Precision of a class never predicted, and recall of a class absent from
 *     the labels, are undefined (NAN), never 0.  F1 = 2TP / (2TP+FP+FN), NAN
 *     when the class is absent from both labels and predictions.
 *   - Balanced accuracy = mean recall over the classes PRESENT in the labels;
 *     macro F1 = mean F1 over classes with a defined F1.
 */
#ifndef NEURIO_CORE_KPI_CLASSIFICATION_H
#define NEURIO_CORE_KPI_CLASSIFICATION_H

#include <stddef.h>
#include <stdint.h>

#include "kpi/kpi_metrics.h"
#include "neurio/status.h"

typedef struct nr_kpi_classification {
    size_t n_samples;
    int32_t n_classes;
    int32_t top_k;            /* k actually used (min(rig top_k, n_classes)) */
    double top1;              /* ratio 0..1                                  */
    double topk;
    double balanced_accuracy; /* NAN if no class is present in the labels    */
    double macro_f1;
    /* [n_classes] each, owned (nr_kpi_classification_free). */
    double *precision;
    double *recall;
    double *f1;
    uint64_t *support;        /* labels per class                            */
    uint64_t *predicted;      /* predictions per class                       */
    /* [n_classes * n_classes], row = true label, column = prediction. */
    uint64_t *confusion;
    size_t hit1, hitk;        /* running counts (the _add form)              */
} nr_kpi_classification;

/* Argmax of scores[0..n) with ties to the lowest index. */
int32_t nr_kpi_argmax(const float *scores, int32_t n);

/* Compute every classification KPI of scores [n_samples x n_classes] (float,
 * e.g. dequantized outputs) against labels[n_samples] (class indices).
 * top_k < 1 is taken as 1.  Returns 0; NEURIO_ERR_INVALID with a message
 * naming the sample when a label is outside [0, n_classes) ("label 12 of
 * sample 7 is outside the model's 10 classes (0..9)") or when there are no
 * samples or n_classes < 2; NEURIO_ERR_NOMEM.  On success *out owns arrays
 * released by nr_kpi_classification_free. */
int nr_kpi_classification_compute(const float *scores, size_t n_samples,
                                  int32_t n_classes, const int64_t *labels,
                                  int32_t top_k, nr_kpi_classification *out,
                                  neurio_errbuf *err);

/* The same KPIs fed one batch at a time (memory independent of the number
 * of samples, the figures identical): begin (n_classes < 2 refused, NOMEM),
 * add `count` rows of scores with their labels (`first` = the batch's
 * first sample, for messages), end (computes the ratios; no sample
 * refused).  Free with nr_kpi_classification_free in every case. */
int nr_kpi_classification_begin(int32_t n_classes, int32_t top_k,
                                nr_kpi_classification *out, neurio_errbuf *err);
int nr_kpi_classification_add(nr_kpi_classification *out, const float *scores, size_t count,
                              const int64_t *labels, size_t first, neurio_errbuf *err);
int nr_kpi_classification_end(nr_kpi_classification *out, neurio_errbuf *err);

/* Append the headline figures (top1/topk/balanced accuracy, macro F1) to m,
 * with source `source` (e.g. the labels file name).  Returns 0 or NOMEM. */
int nr_kpi_classification_metrics(const nr_kpi_classification *c,
                                  const char *source, nr_metrics *m);

void nr_kpi_classification_free(nr_kpi_classification *c);

#endif /* NEURIO_CORE_KPI_CLASSIFICATION_H */

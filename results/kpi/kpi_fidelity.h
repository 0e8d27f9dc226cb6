/* core/kpi_fidelity.h — how close the device's outputs are to a reference
 * run of the same inputs (the float model on the host, golden outputs):
 * what users check after quantization.
 *
 *   argmax_agreement  share of samples whose argmax matches (ties to the
 *                     lowest index); only when a sample has > 1 element
 *   max_abs_error     max |y - ref| over every element
 *   mean_abs_error    mean |y - ref|
 *   cosine_similarity mean over samples of y.ref / (|y| |ref|); a sample
 *                     where both are all-zero counts 1, one all-zero 0
 *   relative_l2       ||y - ref|| / ||ref|| over the whole array (NAN when
 *                     ref is all zero)
 */
#ifndef NEURIO_CORE_KPI_FIDELITY_H
#define NEURIO_CORE_KPI_FIDELITY_H

#include <stddef.h>

#include "kpi/kpi_metrics.h"
#include "neurio/status.h"

typedef struct nr_kpi_fidelity {
    size_t n_samples, per_sample;
    double argmax_agreement;   /* NAN when per_sample == 1 */
    double max_abs_error, mean_abs_error;
    double cosine_similarity;
    double relative_l2;
    /* running sums (the _add form) */
    size_t agree;
    double sum_abs, cos_sum, diff2, ref2;
} nr_kpi_fidelity;

/* The same figures fed one batch at a time: start from a zeroed struct,
 * add `count` samples per batch (messages count samples from the first),
 * end computes the ratios (no sample: NEURIO_ERR_INVALID). */
int nr_kpi_fidelity_add(nr_kpi_fidelity *acc, const float *y, const float *ref, size_t count,
                        size_t per_sample, neurio_errbuf *err);
int nr_kpi_fidelity_end(nr_kpi_fidelity *acc, neurio_errbuf *err);

/* y and ref: n_samples x per_sample floats.  Returns 0 or
 * NEURIO_ERR_INVALID (no data, or a non-finite value named by index). */
int nr_kpi_fidelity_compute(const float *y, const float *ref, size_t n_samples,
                            size_t per_sample, nr_kpi_fidelity *out,
                            neurio_errbuf *err);

int nr_kpi_fidelity_metrics(const nr_kpi_fidelity *f, const char *source,
                            nr_metrics *m);

#endif /* NEURIO_CORE_KPI_FIDELITY_H */

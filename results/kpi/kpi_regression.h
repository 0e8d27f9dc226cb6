/* core/kpi_regression.h — regression KPIs against targets: MAE, RMSE and
 * maximum absolute error over every output element. */
#ifndef NEURIO_CORE_KPI_REGRESSION_H
#define NEURIO_CORE_KPI_REGRESSION_H

#include <stddef.h>

#include "kpi/kpi_metrics.h"
#include "neurio/status.h"

typedef struct nr_kpi_regression {
    size_t n_values;
    double mae, rmse, max_error;
    double sum_abs, sum_sq;   /* running sums (the _add form)   */
} nr_kpi_regression;

/* The same figures fed one batch at a time: start from a zeroed struct,
 * add n_values pairs per batch (messages count values from the first
 * batch), end computes mae and rmse (no value: NEURIO_ERR_INVALID). */
int nr_kpi_regression_add(nr_kpi_regression *acc, const float *pred, const float *target,
                          size_t n_values, neurio_errbuf *err);
int nr_kpi_regression_end(nr_kpi_regression *acc, neurio_errbuf *err);

/* pred and target both hold n_values floats (samples x elements, same
 * layout).  Returns 0, or NEURIO_ERR_INVALID ("no values", or "target value
 * 3 is not finite").  */
int nr_kpi_regression_compute(const float *pred, const float *target,
                              size_t n_values, nr_kpi_regression *out,
                              neurio_errbuf *err);

/* Append mae, rmse, max_error (unit `unit`, e.g. "output units"). */
int nr_kpi_regression_metrics(const nr_kpi_regression *r, const char *source,
                              nr_metrics *m);

#endif /* NEURIO_CORE_KPI_REGRESSION_H */

/* core/kpi_regression.c — MAE, RMSE and max error. */
#include "kpi/kpi_regression.h"

#include <math.h>
#include <string.h>

int nr_kpi_regression_add(nr_kpi_regression *acc, const float *pred, const float *target,
                          size_t n_values, neurio_errbuf *err)
{
    size_t base = acc->n_values;
    for (size_t i = 0; i < n_values; i++) {
        if (!isfinite(target[i]))
            return neurio_fail(err, NEURIO_ERR_INVALID,
                               "regression KPIs: target value %zu is not finite; "
                               "check data.labels", base + i);
        double d = fabs((double)pred[i] - (double)target[i]);
        if (!isfinite(d))
            return neurio_fail(err, NEURIO_ERR_INVALID,
                               "regression KPIs: output value %zu is not finite", base + i);
        acc->sum_abs += d;
        acc->sum_sq += d * d;
        if (d > acc->max_error)
            acc->max_error = d;
    }
    acc->n_values += n_values;
    return 0;
}

int nr_kpi_regression_end(nr_kpi_regression *acc, neurio_errbuf *err)
{
    if (acc->n_values == 0)
        return neurio_fail(err, NEURIO_ERR_INVALID, "regression KPIs: no values to compare");
    acc->mae = acc->sum_abs / (double)acc->n_values;
    acc->rmse = sqrt(acc->sum_sq / (double)acc->n_values);
    return 0;
}

int nr_kpi_regression_compute(const float *pred, const float *target,
                              size_t n_values, nr_kpi_regression *out,
                              neurio_errbuf *err)
{
    memset(out, 0, sizeof *out);
    if (n_values == 0)
        return neurio_fail(err, NEURIO_ERR_INVALID, "regression KPIs: no values to compare");
    int rc = nr_kpi_regression_add(out, pred, target, n_values, err);
    if (!rc)
        rc = nr_kpi_regression_end(out, err);
    if (rc)
        memset(out, 0, sizeof *out);
    return rc;
}

int nr_kpi_regression_metrics(const nr_kpi_regression *r, const char *source,
                              nr_metrics *m)
{
    int rc = nr_metrics_add(m, "accuracy", "mae", r->mae, "output units", source);
    if (!rc)
        rc = nr_metrics_add(m, "accuracy", "rmse", r->rmse, "output units", source);
    if (!rc)
        rc = nr_metrics_add(m, "accuracy", "max_error", r->max_error, "output units", source);
    return rc;
}

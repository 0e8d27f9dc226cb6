/* core/kpi_regression.c — MAE, RMSE and max error. */
#include "kpi/kpi_regression.h"

#include <math.h>
#include <string.h>

int nr_kpi_regression_compute(const float *pred, const float *target,
                              size_t n_values, nr_kpi_regression *out,
                              neurio_errbuf *err)
{
    memset(out, 0, sizeof *out);
    if (n_values == 0)
        return neurio_fail(err, NEURIO_ERR_INVALID, "regression KPIs: no values to compare");
    double sa = 0, ss = 0, mx = 0;
    for (size_t i = 0; i < n_values; i++) {
        if (!isfinite(target[i]))
            return neurio_fail(err, NEURIO_ERR_INVALID,
                               "regression KPIs: target value %zu is not finite; "
                               "check data.labels", i);
        double d = fabs((double)pred[i] - (double)target[i]);
        if (!isfinite(d))
            return neurio_fail(err, NEURIO_ERR_INVALID,
                               "regression KPIs: output value %zu is not finite", i);
        sa += d;
        ss += d * d;
        if (d > mx)
            mx = d;
    }
    out->n_values = n_values;
    out->mae = sa / (double)n_values;
    out->rmse = sqrt(ss / (double)n_values);
    out->max_error = mx;
    return 0;
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

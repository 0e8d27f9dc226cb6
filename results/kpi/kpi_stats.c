/* core/kpi_stats.c — mean, std, percentiles and the 95% CI of the mean. */
#include "kpi/kpi_stats.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "neurio/status.h"

/* t(0.975, df) for df = 1..30 (standard statistical tables). */
static const double t975_table[30] = {
    12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
    2.201,  2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
    2.080,  2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042,
};
/* Beyond the table: (df, t) anchors, last = infinity (normal 1.95996). */
static const double t975_far_df[] = { 30, 40, 60, 120 };
static const double t975_far_t[] = { 2.042, 2.021, 2.000, 1.980 };
static const double z975 = 1.959964;

double nr_stats_t975(size_t df)
{
    if (df == 0)
        return NAN;
    if (df <= 30)
        return t975_table[df - 1];
    double inv = 1.0 / (double)df;
    for (size_t i = 0; i + 1 < sizeof t975_far_df / sizeof t975_far_df[0]; i++) {
        double a = 1.0 / t975_far_df[i], b = 1.0 / t975_far_df[i + 1];
        if (inv <= a && inv >= b)
            return t975_far_t[i + 1] +
                   (t975_far_t[i] - t975_far_t[i + 1]) * (inv - b) / (a - b);
    }
    /* df > 120: between 1/120 and 0 (normal). */
    double a = 1.0 / 120.0;
    return z975 + (t975_far_t[3] - z975) * inv / a;
}

double nr_stats_percentile_sorted(const double *sorted, size_t n, double p)
{
    if (n == 1)
        return sorted[0];
    double pos = p / 100.0 * (double)(n - 1);
    size_t lo = (size_t)floor(pos);
    if (lo >= n - 1)
        return sorted[n - 1];
    double frac = pos - (double)lo;
    return sorted[lo] + (sorted[lo + 1] - sorted[lo]) * frac;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int nr_stats_compute(const double *x, size_t n, nr_stats *out)
{
    memset(out, 0, sizeof *out);
    if (n == 0)
        return NEURIO_ERR_INVALID;
    double *s = malloc(n * sizeof *s);
    if (!s)
        return NEURIO_ERR_NOMEM;
    double sum = 0;
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(x[i])) {
            free(s);
            return NEURIO_ERR_INVALID;
        }
        s[i] = x[i];
        sum += x[i];
    }
    qsort(s, n, sizeof *s, cmp_double);
    out->n = n;
    out->mean = sum / (double)n;
    double ss = 0;
    for (size_t i = 0; i < n; i++)
        ss += (x[i] - out->mean) * (x[i] - out->mean);
    out->std = n > 1 ? sqrt(ss / (double)(n - 1)) : 0.0;
    out->min = s[0];
    out->max = s[n - 1];
    out->p50 = nr_stats_percentile_sorted(s, n, 50);
    out->p90 = nr_stats_percentile_sorted(s, n, 90);
    out->p99 = nr_stats_percentile_sorted(s, n, 99);
    if (n > 1) {
        double h = nr_stats_t975(n - 1) * out->std / sqrt((double)n);
        out->ci95_lo = out->mean - h;
        out->ci95_hi = out->mean + h;
    } else {
        out->ci95_lo = out->ci95_hi = NAN;
    }
    free(s);
    return 0;
}

/* results/kpi/kpi_stats.h — descriptive statistics of one series (latency, cycles):
 * mean, sample standard deviation, min, percentiles, max and a 95%
 * confidence interval of the mean (Student's t).
 */
#ifndef NEURIO_CORE_KPI_STATS_H
#define NEURIO_CORE_KPI_STATS_H

#include <stddef.h>

typedef struct nr_stats {
    size_t n;
    double mean;
    double std;                /* sample std (n - 1); 0 when n == 1          */
    double min, p50, p90, p99, max;
    double ci95_lo, ci95_hi;   /* mean -/+ t(0.975, n-1) * std / sqrt(n);
                                  NAN when n < 2 (undefined)                 */
} nr_stats;

/* Compute the statistics of x[0..n).  Percentiles use linear interpolation
 * between closest ranks (numpy's default: index p/100 * (n-1)).  Returns 0,
 * NEURIO_ERR_INVALID when n == 0 or a value is not finite, or
 * NEURIO_ERR_NOMEM.  x is not modified. */
int nr_stats_compute(const double *x, size_t n, nr_stats *out);

/* Percentile p (0..100) of sorted[0..n) by linear interpolation; n >= 1. */
double nr_stats_percentile_sorted(const double *sorted, size_t n, double p);

/* Two-sided 95% critical value of Student's t with df degrees of freedom
 * (df >= 1): exact table to df 30, interpolated in 1/df beyond. */
double nr_stats_t975(size_t df);

#endif /* NEURIO_CORE_KPI_STATS_H */

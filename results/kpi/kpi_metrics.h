/* results/kpi/kpi_metrics.h — a flat list of named figures, each with its unit and
 * its source ("top1_accuracy = 0.93 ratio from labels", "latency_p50 =
 * 1.2 ms from host clock").  Every KPI module appends to one of these; the
 * summary, the profile JSON, the HTML report, the stores and `neurio
 * compare` all read it, so a figure is named once and means one thing.
 */
#ifndef NEURIO_CORE_KPI_METRICS_H
#define NEURIO_CORE_KPI_METRICS_H

#include <stddef.h>

typedef struct nr_metric {
    char group[16];   /* "accuracy", "fidelity", "latency", "cycles",
                         "throughput", "energy", "memory"                   */
    char name[48];    /* unique within a list: "latency_p50"                */
    double value;     /* always finite (undefined figures are not added)    */
    char unit[24];    /* "ratio" (0..1), "1" (dimensionless), "ms",
                         "cycles", "instructions", "uJ", "bytes", "1/s" */
    char source[96];  /* where it came from: "labels", "host clock", "dwt",
                         "estimated: 0.012 A x 3.3 V x device latency"     */
} nr_metric;

typedef struct nr_metrics {
    nr_metric *v;     /* [n], owned */
    size_t n, cap;
} nr_metrics;

/* Append a figure (strings truncated to their field).  A non-finite value is
 * silently skipped (an undefined figure is absent, never printed as nan).
 * A name already present is replaced.  Returns 0 or NEURIO_ERR_NOMEM. */
int nr_metrics_add(nr_metrics *m, const char *group, const char *name,
                   double value, const char *unit, const char *source);

/* The figure called `name`, or NULL.  Pointer valid until the next add. */
const nr_metric *nr_metrics_find(const nr_metrics *m, const char *name);

/* Free the storage and zero the list (a zeroed list is empty and valid). */
void nr_metrics_free(nr_metrics *m);

#endif /* NEURIO_CORE_KPI_METRICS_H */

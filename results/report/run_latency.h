/* results/report/run_latency.h — the latency lines `neurio run` prints after
 * every run (host wall clock, stalls, link, device counts), from series fed
 * one batch of measures at a time and spilled to unlinked files (exact
 * percentiles, kpi/kpi_stats_stream.h): memory independent of the number
 * of samples. */
#ifndef NEURIO_CORE_RUN_LATENCY_H
#define NEURIO_CORE_RUN_LATENCY_H

#include <stddef.h>
#include <stdio.h>

#include "neurio/plugin.h"

typedef struct nr_run_latency {
    struct nr_stats_stream *host, *cyc;
    int have_ns, have_cyc, broken;
    size_t stalls;
} nr_run_latency;

/* Zeroes *l and creates its series in dir: 0 or NEURIO_ERR_IO/NOMEM. */
int nr_run_latency_init(nr_run_latency *l, const char *dir);
/* Measures of n samples (a stalled one counts as a stall, not a latency). */
void nr_run_latency_add(nr_run_latency *l, const neurio_measure *m, size_t n);
/* The lines: "latency (host wall clock): mean, p50, p99", "stalls: ...",
 * "link (...)" when the plugin reports link figures, device counts and
 * their latency at the clock (percentiles by linear interpolation between
 * closest ranks, numpy's default, as the report's KPIs).  `dir` is named
 * when a spill file could not be written. */
void nr_run_latency_print(nr_run_latency *l, const neurio_device_info *di, const char *dir,
                          FILE *f);
void nr_run_latency_free(nr_run_latency *l);

#endif /* NEURIO_CORE_RUN_LATENCY_H */

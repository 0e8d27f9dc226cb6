/* core/summary.h — the KPIs as a compact, aligned terminal table, grouped
 * (accuracy, fidelity, latency, cycles, throughput, energy, memory), each
 * figure with its unit and source.  A series of statistics (mean, std,
 * percentiles, CI) is folded into one line.  Colours only when `f` is a
 * TTY and NO_COLOR is unset. */
#ifndef NEURIO_CORE_SUMMARY_H
#define NEURIO_CORE_SUMMARY_H

#include <stdio.h>

#include "kpi/kpi_metrics.h"
#include "report/report_data.h"

/* Print the table of `m` to f; `color` < 0 = decide from isatty(f). */
void nr_summary_print_metrics(FILE *f, const nr_metrics *m, int color);

/* Print the run header (run id, model, device, samples), the table and the
 * notes. */
void nr_summary_print(FILE *f, const nr_report_data *d, int color);

/* Format a value for humans with 4 significant digits, ratios as
 * percentages ("93.75 %"), bytes with thousands grouping ("12 288 B").
 * Writes into buf and returns it. */
const char *nr_summary_format(char *buf, size_t cap, double value, const char *unit);

#endif /* NEURIO_CORE_SUMMARY_H */

/* results/report/sweep_report.h — a sweep's results: one row per point
 * (its run's headline figures), the Pareto fronts of accuracy (or fidelity)
 * against device latency, RAM and flash, the terminal table (`neurio show
 * SWEEP`, the end of `neurio sweep`) and the self-contained HTML page with
 * the three Pareto plots (sweep.html).  The rows are read from the store by
 * the launcher (core/commands/sweep_rows.c). */
#ifndef NEURIO_RESULTS_SWEEP_REPORT_H
#define NEURIO_RESULTS_SWEEP_REPORT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "neurio/status.h"

enum { NR_SW_LAT = 0, NR_SW_RAM, NR_SW_FLASH, NR_SW_N_COST };
enum { NR_SW_N_ACC = 4 };

typedef struct nr_sweep_row {
    int point;
    char label[512];
    char run_id[64];          /* "" = never ran                            */
    char status[16];          /* "ok", "failed", "cancelled", "incomplete",
                                 "pending"                                 */
    int complete;
    int n_runs;               /* runs stored for this point (reruns too)   */
    uint64_t n_done, n_planned; /* the row's run: samples back / planned
                                   (progress of a point still running)     */
    char acc_name[48];        /* top1_accuracy, roc_auc, argmax_agreement... */
    double acc;               /* NAN = none                                */
    double accs[NR_SW_N_ACC]; /* each accuracy/fidelity figure the run has,
                                 in nr_sweep_row_figures' order; NAN = none */
    double cost[NR_SW_N_COST];/* latency p50 ms, RAM bytes, flash bytes; NAN = none */
    char lat_name[48];        /* device_latency_p50 or host_latency_p50    */
    int front[NR_SW_N_COST];  /* on the Pareto front of acc vs that cost   */
} nr_sweep_row;

/* What the page and the table say about the sweep itself. */
typedef struct nr_sweep_info {
    const char *id, *created_at, *cfg_path, *base_rig;
} nr_sweep_info;

/* Fill a row's figures from a run's KPIs (accuracy or fidelity headline,
 * latency p50, RAM, flash); absent figures are NAN. */
struct nr_metrics;
void nr_sweep_row_figures(nr_sweep_row *r, const struct nr_metrics *m);

/* First the one accuracy figure of the sweep: the first of top1_accuracy,
 * roc_auc, argmax_agreement, cosine_similarity that every row with a
 * figure has becomes each row's acc (points of different models may
 * otherwise head with different figures); when none is common, rows keep
 * their own.  Then mark front[c] on every row: no other row with the same
 * figure has accuracy >= and cost <= with one of them strictly better.
 * Incomplete rows and rows without both figures are off every front (and
 * do not push others off). */
void nr_sweep_pareto(nr_sweep_row *rows, size_t n);

/* The table, one line per point ('*' marks the latency front). */
void nr_sweep_print_table(FILE *f, const nr_sweep_info *sw, const nr_sweep_row *rows,
                          size_t n);

/* The HTML page (atomic write). */
int nr_sweep_html_write(const char *path, const nr_sweep_info *sw, const nr_sweep_row *rows,
                        size_t n, neurio_errbuf *err);

#endif /* NEURIO_RESULTS_SWEEP_REPORT_H */

/* results/report/sweep_report.c — see sweep_report.h (rows, fronts, table). */
#include "report/sweep_report.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "kpi/kpi_metrics.h"

static const char *const acc_names[NR_SW_N_ACC] = { "top1_accuracy", "roc_auc",
                                                     "argmax_agreement",
                                                     "cosine_similarity" };

void nr_sweep_row_figures(nr_sweep_row *r, const struct nr_metrics *m)
{
    r->acc = NAN;
    r->acc_name[0] = '\0';
    for (size_t i = 0; i < NR_SW_N_ACC; i++) {
        const nr_metric *x = nr_metrics_find(m, acc_names[i]);
        r->accs[i] = x && !isnan(x->value) ? x->value : NAN;
        if (x && !r->acc_name[0]) {
            r->acc = x->value;
            snprintf(r->acc_name, sizeof r->acc_name, "%s", x->name);
        }
    }
    const nr_metric *lat = nr_metrics_find(m, "device_latency_p50");
    if (!lat)
        lat = nr_metrics_find(m, "host_latency_p50");
    r->cost[NR_SW_LAT] = lat ? lat->value : NAN;
    snprintf(r->lat_name, sizeof r->lat_name, "%s", lat ? lat->name : "");
    const nr_metric *ram = nr_metrics_find(m, "ram_bytes");
    if (!ram)
        ram = nr_metrics_find(m, "arena_bytes");
    r->cost[NR_SW_RAM] = ram ? ram->value : NAN;
    const nr_metric *fl = nr_metrics_find(m, "flash_total");
    r->cost[NR_SW_FLASH] = fl ? fl->value : NAN;
}

/* The first figure every row with one has, or -1. */
static int common_figure(const nr_sweep_row *rows, size_t n)
{
    for (int a = 0; a < NR_SW_N_ACC; a++) {
        int all = 1, any = 0;
        for (size_t i = 0; i < n && all; i++) {
            if (!rows[i].acc_name[0])
                continue;
            any = 1;
            all = !isnan(rows[i].accs[a]);
        }
        if (any && all)
            return a;
    }
    return -1;
}

void nr_sweep_pareto(nr_sweep_row *rows, size_t n)
{
    int fig = common_figure(rows, n);
    for (size_t i = 0; fig >= 0 && i < n; i++)
        if (rows[i].acc_name[0]) {
            rows[i].acc = rows[i].accs[fig];
            snprintf(rows[i].acc_name, sizeof rows[i].acc_name, "%s", acc_names[fig]);
        }
    for (int k = 0; k < NR_SW_N_COST; k++)
        for (size_t i = 0; i < n; i++) {
            nr_sweep_row *a = &rows[i];
            a->front[k] = 0;
            if (!a->complete || isnan(a->acc) || isnan(a->cost[k]))
                continue;
            int dominated = 0;
            for (size_t j = 0; j < n && !dominated; j++) {
                const nr_sweep_row *b = &rows[j];
                if (j == i || !b->complete || isnan(b->acc) || isnan(b->cost[k]) ||
                    strcmp(a->acc_name, b->acc_name))
                    continue; /* another figure: not comparable */
                dominated = b->acc >= a->acc && b->cost[k] <= a->cost[k] &&
                            (b->acc > a->acc || b->cost[k] < a->cost[k]);
            }
            a->front[k] = !dominated;
        }
}

static const char *num(char *buf, size_t cap, double v, const char *fmt)
{
    if (isnan(v))
        snprintf(buf, cap, "-");
    else
        snprintf(buf, cap, fmt, v);
    return buf;
}

void nr_sweep_print_table(FILE *f, const nr_sweep_info *sw, const nr_sweep_row *rows,
                          size_t n)
{
    size_t ok = 0;
    for (size_t i = 0; i < n; i++)
        ok += rows[i].complete;
    fprintf(f, "sweep %s: %zu of %zu points complete (%s)\n", sw->id, ok, n, sw->cfg_path);
    fprintf(f, "%-5s %-10s %-32s %15s %-30s %12s %10s %10s  %s\n", "POINT", "STATUS", "RUN",
            "SAMPLES", "ACCURACY", "LATENCY_MS", "RAM", "FLASH", "SETTINGS");
    for (size_t i = 0; i < n; i++) {
        const nr_sweep_row *r = &rows[i];
        char a[32], l[32], ram[32], fl[32], sm[48] = "-";
        if (r->run_id[0])
            snprintf(sm, sizeof sm, "%llu/%llu", (unsigned long long)r->n_done,
                     (unsigned long long)r->n_planned);
        fprintf(f, "%-5d %-10s %-32s %15s %-20s %9s %11s%s %10s %10s  %s\n", r->point,
                r->status, r->run_id[0] ? r->run_id : "-", sm,
                r->acc_name[0] ? r->acc_name : "-",
                num(a, sizeof a, r->acc, "%.4f"), num(l, sizeof l, r->cost[NR_SW_LAT], "%.4g"),
                r->front[NR_SW_LAT] ? "*" : " ", num(ram, sizeof ram, r->cost[NR_SW_RAM], "%.0f"),
                num(fl, sizeof fl, r->cost[NR_SW_FLASH], "%.0f"), r->label);
    }
    fprintf(f, "* = on the Pareto front of accuracy against latency\n");
}

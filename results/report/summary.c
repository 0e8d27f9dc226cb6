/* core/summary.c — aligned terminal table of the KPIs. */
#include "report/summary.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *const group_order[] = { "accuracy", "fidelity", "latency", "cycles",
                                           "throughput", "energy", "memory" };
static const char *const series_suffix[] = { "_mean", "_std", "_min", "_p50", "_p90",
                                             "_p99", "_max", "_ci95_lo", "_ci95_hi" };
enum { N_SUFFIX = sizeof series_suffix / sizeof series_suffix[0] };

typedef struct colors {
    const char *bold, *dim, *reset;
} colors;

static colors pick_colors(FILE *f, int color)
{
    if (color < 0)
        color = isatty(fileno(f)) && !getenv("NO_COLOR");
    if (color)
        return (colors){ "\033[1m", "\033[2m", "\033[0m" };
    return (colors){ "", "", "" };
}

const char *nr_summary_format(char *buf, size_t cap, double value, const char *unit)
{
    if (!strcmp(unit, "ratio")) {
        snprintf(buf, cap, "%.2f %%", value * 100.0);
    } else if (!strcmp(unit, "bytes")) {
        char digits[32], out[48];
        snprintf(digits, sizeof digits, "%.0f", value);
        size_t n = strlen(digits), j = 0;
        for (size_t i = 0; i < n && j + 2 < sizeof out; i++) {
            if (i && (n - i) % 3 == 0)
                out[j++] = ' ';
            out[j++] = digits[i];
        }
        out[j] = '\0';
        snprintf(buf, cap, "%s B", out);
    } else if (!strcmp(unit, "1")) {
        snprintf(buf, cap, "%.6g", value);
    } else if (!strcmp(unit, "cycles") || !strcmp(unit, "instructions")) {
        snprintf(buf, cap, "%.0f %s", value, unit);
    } else {
        snprintf(buf, cap, "%.4g %s", value, unit);
    }
    return buf;
}

/* Name without a series suffix, when `name` ends with one. */
static int series_base(const char *name, char *base, size_t cap, int *which)
{
    size_t n = strlen(name);
    for (int k = 0; k < N_SUFFIX; k++) {
        size_t s = strlen(series_suffix[k]);
        if (n > s && !strcmp(name + n - s, series_suffix[k])) {
            snprintf(base, cap, "%.*s", (int)(n - s), name);
            *which = k;
            return 1;
        }
    }
    return 0;
}

static const nr_metric *find_suffixed(const nr_metrics *m, const char *base, int k)
{
    char name[128];
    snprintf(name, sizeof name, "%s%s", base, series_suffix[k]);
    return nr_metrics_find(m, name);
}

static void print_series(FILE *f, const nr_metrics *m, const char *base, colors c)
{
    const nr_metric *mean = find_suffixed(m, base, 0);
    const nr_metric *lo = find_suffixed(m, base, 7), *hi = find_suffixed(m, base, 8);
    const char *unit = mean->unit;
    int integral = !strcmp(unit, "cycles") || !strcmp(unit, "instructions");
    const char *fmt = integral ? "%.0f" : "%.4g";
    char label[64];
    snprintf(label, sizeof label, "%s", base);
    for (char *p = label; *p; p++)
        if (*p == '_')
            *p = ' ';
    fprintf(f, "  %-24s mean ", label);
    fprintf(f, fmt, mean->value);
    if (lo && hi) {
        fputs(" [", f);
        fprintf(f, fmt, lo->value);
        fputs(", ", f);
        fprintf(f, fmt, hi->value);
        fputs("]", f);
    }
    static const char *const shown[] = { "min", "p50", "p90", "p99", "max" };
    static const int idx[] = { 2, 3, 4, 5, 6 };
    for (int i = 0; i < 5; i++) {
        const nr_metric *v = find_suffixed(m, base, idx[i]);
        if (!v)
            continue;
        fprintf(f, "  %s ", shown[i]);
        fprintf(f, fmt, v->value);
    }
    fprintf(f, " %s  %s(%s)%s\n", unit, c.dim, mean->source, c.reset);
}

void nr_summary_print_metrics(FILE *f, const nr_metrics *m, int color)
{
    colors c = pick_colors(f, color);
    for (size_t g = 0; g < sizeof group_order / sizeof group_order[0]; g++) {
        int header = 0;
        for (size_t i = 0; i < m->n; i++) {
            const nr_metric *x = &m->v[i];
            if (strcmp(x->group, group_order[g]))
                continue;
            char base[64];
            int which = -1;
            int is_series = series_base(x->name, base, sizeof base, &which) &&
                            find_suffixed(m, base, 0) != NULL;
            if (is_series && which != 0)
                continue; /* folded into the _mean line */
            if (!header) {
                fprintf(f, "%s%s%s\n", c.bold, group_order[g], c.reset);
                header = 1;
            }
            if (is_series) {
                print_series(f, m, base, c);
                continue;
            }
            char val[64];
            fprintf(f, "  %-24s %-16s %s(%s)%s\n", x->name,
                    nr_summary_format(val, sizeof val, x->value, x->unit), c.dim, x->source,
                    c.reset);
        }
    }
}

void nr_summary_print(FILE *f, const nr_report_data *d, int color)
{
    colors c = pick_colors(f, color);
    fprintf(f, "%sneurio report%s  run %s  (%s%s)\n", c.bold, c.reset,
            d->run_id ? d->run_id : "?", d->status ? d->status : "?",
            d->complete ? "" : ", incomplete");
    fprintf(f, "  model   %s  sha256 %.16s\n",
            d->model && d->model->name ? d->model->name : (d->model_path ? d->model_path : "?"),
            d->model_sha256 ? d->model_sha256 : "?");
    fprintf(f, "  device  %s via %s %s\n", d->device.board ? d->device.board : "?",
            d->plugin_name ? d->plugin_name : "?", d->plugin_version ? d->plugin_version : "");
    fprintf(f, "  samples %zu of %zu, batches of %u, task %s\n", d->n_done, d->n_planned,
            d->batch_size, d->task ? d->task : "none");
    nr_summary_print_metrics(f, d->metrics, color);
    for (int i = 0; i < d->n_notes; i++)
        fprintf(f, "%snote:%s %s\n", c.dim, c.reset, d->notes[i]);
}

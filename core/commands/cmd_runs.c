/* core/commands/cmd_runs.c — `neurio runs`, `neurio show RUN|SWEEP`: reading
 * the result store (compare: cmd_compare.c). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands/commands.h"
#include "commands/store_cli.h"
#include "observers/report.h"
#include "rig.h"
#include "store/store.h"
#include "report/summary.h"

typedef struct runs_args {
    const char *store;     /* --store S                        */
    const char *rig;       /* --rig R: that rig's output.store */
    size_t limit;          /* --limit N (runs)                 */
    int all;               /* --all (compare: every statistic) */
    const char *html;      /* --html FILE (show: a sweep's page) */
    int help;
    const char *pos[2];
    int n_pos;
} runs_args;

static int runs_parse(const char *cmd, int argc, char **argv, int want_pos, runs_args *a)
{
    memset(a, 0, sizeof *a);
    a->limit = 50;
    for (int i = 1; i < argc; i++) {
        const char *s = argv[i];
        if (!strcmp(s, "-h") || !strcmp(s, "--help")) {
            a->help = 1;
        } else if (!strcmp(s, "--store") || !strcmp(s, "--rig") || !strcmp(s, "--limit") ||
                   (!strcmp(s, "--html") && !strcmp(cmd, "show"))) {
            if (i + 1 >= argc) {
                fprintf(stderr, "neurio %s: %s needs a value\n", cmd, s);
                return NR_EXIT_USAGE;
            }
            const char *v = argv[++i];
            if (!strcmp(s, "--store"))
                a->store = v;
            else if (!strcmp(s, "--rig"))
                a->rig = v;
            else if (!strcmp(s, "--html"))
                a->html = v;
            else {
                char *end;
                long long n = strtoll(v, &end, 10);
                if (*end || n < 0) {
                    fprintf(stderr, "neurio %s: --limit %s: expected a number >= 0 "
                                    "(0 = all)\n", cmd, v);
                    return NR_EXIT_USAGE;
                }
                a->limit = (size_t)n;
            }
        } else if (!strcmp(s, "--all")) {
            a->all = 1;
        } else if (s[0] == '-' && s[1]) {
            fprintf(stderr, "neurio %s: unknown option '%s'; see `neurio %s --help`\n", cmd, s,
                    cmd);
            return NR_EXIT_USAGE;
        } else if (a->n_pos < 2 && a->n_pos < want_pos) {
            a->pos[a->n_pos++] = s;
        } else {
            fprintf(stderr, "neurio %s: unexpected argument '%s'\n", cmd, s);
            return NR_EXIT_USAGE;
        }
    }
    if (!a->help && a->n_pos != want_pos) {
        fprintf(stderr, "neurio %s: expected %d run id%s (see `neurio %s --help`)\n", cmd,
                want_pos, want_pos > 1 ? "s" : "", cmd);
        return NR_EXIT_USAGE;
    }
    return 0;
}

const char nr_store_help[] =
    "  --store S   the store: sqlite:FILE, postgresql://user@host/db, or\n"
    "              postgresql:CONNINFO (default: $NEURIO_STORE, else\n"
    "              sqlite:runs/results.db in the current directory)\n"
    "  --rig R     use the store rig R writes to (its output.store)\n";

int nr_store_open_cli(const char *cmd, const char *store, const char *rig_path,
                      nr_store_mode mode, nr_store **s, char *spec, size_t cap)
{
    neurio_errbuf err = { { 0 } };
    const char *env = getenv("NEURIO_STORE");
    if (store) {
        snprintf(spec, cap, "%s", store);
    } else if (rig_path) {
        nr_rig *rig = NULL;
        if (nr_rig_load(rig_path, NULL, 0, &rig, &err) != NEURIO_OK) {
            fprintf(stderr, "neurio %s: %s\n", cmd, err.msg);
            return NR_EXIT_CONFIG;
        }
        const char *sp = nr_rig_store_spec(rig, spec, cap);
        nr_rig_free(rig);
        if (!sp) {
            fprintf(stderr, "neurio %s: %s sets output.store = \"none\": nothing is stored\n",
                    cmd, rig_path);
            return NR_EXIT_CONFIG;
        }
    } else if (env && *env) {
        snprintf(spec, cap, "%s", env);
    } else {
        snprintf(spec, cap, "sqlite:runs/results.db");
    }
    int rc = nr_store_open(spec, mode, s, &err);
    if (rc) {
        fprintf(stderr, "neurio %s: %s\n", cmd, err.msg);
        return rc == NEURIO_ERR_CONFIG ? NR_EXIT_USAGE : NR_EXIT_FAILURE;
    }
    return 0;
}

const char *nr_run_status_word(const nr_store_run_info *r)
{
    if (r->complete)
        return "ok";
    if (!strcmp(r->status, "running"))
        return "incomplete";
    return r->status;
}

/* The figure shown in the listing: the first accuracy figure present. */
static const nr_metric *headline(const nr_metrics *m)
{
    static const char *const names[] = { "top1_accuracy", "roc_auc", "mae", "argmax_agreement",
                                         "relative_l2" };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        const nr_metric *x = nr_metrics_find(m, names[i]);
        if (x)
            return x;
    }
    return NULL;
}

static const nr_metric *latency_headline(const nr_metrics *m)
{
    const nr_metric *x = nr_metrics_find(m, "device_latency_p50");
    return x ? x : nr_metrics_find(m, "host_latency_p50");
}

typedef struct list_ctx {
    nr_store *s;
    int n;
} list_ctx;

static int list_one(void *user, const nr_store_run_info *r)
{
    list_ctx *c = user;
    nr_metrics m = { 0 };
    neurio_errbuf err;
    nr_store_get_metrics(c->s, r->run_id, &m, &err);
    char acc[128] = "", lat[64] = "", samples[48];
    const nr_metric *h = headline(&m), *l = latency_headline(&m);
    if (h) {
        char v[40];
        snprintf(acc, sizeof acc, "%s %s", h->name, nr_summary_format(v, sizeof v, h->value, h->unit));
    }
    if (l)
        snprintf(lat, sizeof lat, "p50 %.4g %s", l->value, l->unit);
    snprintf(samples, sizeof samples, "%llu/%llu", (unsigned long long)r->n_done,
             (unsigned long long)r->n_planned);
    if (c->n++ == 0)
        printf("%-34s %-24s %-10s %-9s %-20s %-16s %-24s %s\n", "RUN", "STARTED", "STATUS",
               "SAMPLES", "MODEL", "DEVICE", "ACCURACY", "LATENCY");
    printf("%-34s %-24s %-10s %-9s %-20.20s %-16.16s %-24s %s\n", r->run_id, r->started_at,
           nr_run_status_word(r), samples, r->model_name[0] ? r->model_name : "?",
           r->board[0] ? r->board : r->plugin, acc, lat);
    nr_metrics_free(&m);
    return 0;
}

int nr_cmd_runs(int argc, char **argv)
{
    runs_args a;
    int code = runs_parse("runs", argc, argv, 0, &a);
    if (code)
        return code;
    if (a.help) {
        printf("usage: neurio runs [--store S | --rig R] [--limit N]\n\n"
               "List the runs in a result store, newest first (default: the last 50;\n"
               "--limit 0 for all).  A run killed or stopped midway is listed as\n"
               "\"incomplete\" with the samples it stored.\n\nOptions:\n%s"
               "  --limit N   at most N runs\n\n%s", nr_store_help, nr_exit_codes_help);
        return NR_EXIT_OK;
    }
    nr_store *s = NULL;
    char spec[1200];
    if ((code = nr_store_open_cli("runs", a.store, a.rig, NR_STORE_READ, &s, spec, sizeof spec)))
        return code;
    list_ctx c = { .s = s };
    neurio_errbuf err = { { 0 } };
    int rc = nr_store_list_runs(s, a.limit, list_one, &c, &err);
    if (rc) {
        fprintf(stderr, "neurio runs: %s\n", err.msg);
        code = NR_EXIT_FAILURE;
    } else if (!c.n) {
        printf("no runs in %s\n", spec);
    }
    nr_store_close(s);
    return code;
}

static void print_run(const nr_store_run_info *r)
{
    printf("run       %s  (%s%s)\n", r->run_id, nr_run_status_word(r),
           r->complete ? "" : ", results kept as received");
    printf("samples   %llu of %llu\n", (unsigned long long)r->n_done,
           (unsigned long long)r->n_planned);
    printf("task      %s\n", r->task);
    printf("model     %s  sha256 %s\n", r->model_name, r->model_sha256);
    printf("          %s\n", r->model_path);
    printf("device    %s (%s) via %s %s\n", r->board, r->cpu, r->plugin, r->plugin_version);
    printf("firmware  %s\ntoolchain %s\ncycles    %s\n", r->firmware, r->toolchain,
           r->cycle_source);
    printf("rig       %s\nstarted   %s\nfinished  %s\n", r->rig_path, r->started_at,
           r->finished_at[0] ? r->finished_at : "(never: killed or still running)");
    printf("neurio    %s  git %s  on %s\n", r->neurio_version,
           r->git_revision[0] ? r->git_revision : "-", r->host);
    if (r->error[0])
        printf("error     %s\n", r->error);
}

/* The run's layers: mean count per inference and the weight layout the
 * plugin reported ("-" where not measured / none). */
static void print_layers(nr_store *s, const char *run_id)
{
    nr_store_layer *l = NULL;
    size_t n = 0, lay = 0;
    neurio_errbuf err;
    if (nr_store_get_layers(s, run_id, &l, &n, &err)) {
        fprintf(stderr, "neurio show: per-layer rows: %s\n", err.msg);
        return;
    }
    for (size_t i = 0; i < n; i++)
        lay += l[i].layout[0] != 0;
    if (n)
        printf("layers (%s, mean per inference%s)\n  %-4s %-20s %-24s %14s", l[0].unit,
               lay ? "; weight layout, bytes, added over int8" : "", "#", "op", "name", "mean");
    if (n && lay)
        printf("  %-16s %10s %10s", "layout", "bytes", "added");
    if (n)
        printf("\n");
    for (size_t i = 0; i < n; i++) {
        char mean[32] = "-", bytes[24] = "-", added[24] = "-";
        if (!isnan(l[i].mean))
            snprintf(mean, sizeof mean, "%.6g", l[i].mean);
        if (l[i].layout[0]) {
            snprintf(bytes, sizeof bytes, "%llu", (unsigned long long)l[i].layout_bytes);
            snprintf(added, sizeof added, "%llu", (unsigned long long)l[i].added_bytes);
        }
        printf("  %-4u %-20.20s %-24.24s %14s", l[i].index, l[i].op,
               l[i].name[0] ? l[i].name : "-", mean);
        if (lay)
            printf("  %-16.16s %10s %10s", l[i].layout[0] ? l[i].layout : "-", bytes, added);
        printf("\n");
    }
    free(l);
}

/* The run's per-layer debug rows (neurio debug, task.debug = "layers"). */
static void print_debug(nr_store *s, const char *run_id)
{
    nr_store_layer_debug *d = NULL;
    size_t n = 0;
    neurio_errbuf err;
    if (nr_store_get_layer_debug(s, run_id, &d, &n, &err)) {
        fprintf(stderr, "neurio show: per-layer debug rows: %s\n", err.msg);
        return;
    }
    long first = -1;
    for (size_t i = 0; i < n; i++) {
        if (i == 0 || strcmp(d[i].ref, d[i - 1].ref))
            printf("per-layer debug (%s: %s, %u sample%s)\n  %-4s %-18s %-26s %-8s %21s %12s "
                   "%10s %9s\n", d[i].ref, !strcmp(d[i].ref, "device")
                       ? "device against the host reference" : "prepared against float",
                   d[i].samples, d[i].samples == 1 ? "" : "s", "#", "op", "output tensor",
                   "dtype", "mismatches/elements", "max_abs_err", "rel_l2", "snr_db");
        char me[48], snr[24];
        snprintf(me, sizeof me, "%llu/%llu", (unsigned long long)d[i].mismatches,
                 (unsigned long long)d[i].elements);
        if (isinf(d[i].snr_db) && d[i].snr_db > 0)
            snprintf(snr, sizeof snr, "exact");
        else
            snprintf(snr, sizeof snr, "%.2f", d[i].snr_db);
        char id[32];
        if (d[i].output)
            snprintf(id, sizeof id, "%u:%u", d[i].index, d[i].output);
        else
            snprintf(id, sizeof id, "%u", d[i].index);
        printf("  %-4s %-18s %-26.26s %-8s %21s %12.6g %10.4g %9s\n", id, d[i].op,
               d[i].tensor, d[i].dtype, me, d[i].max_abs, d[i].rel_l2, snr);
        if (first < 0 && !strcmp(d[i].ref, "device") && d[i].mismatches > 0)
            first = (long)i;
    }
    if (first >= 0) {
        char id[32];
        if (d[first].output)
            snprintf(id, sizeof id, "%u:%u", d[first].index, d[first].output);
        else
            snprintf(id, sizeof id, "%u", d[first].index);
        printf("first layer that differs from the host reference: #%s %s (%s)\n", id,
               d[first].op, d[first].tensor);
    }
    free(d);
}

int nr_cmd_show(int argc, char **argv)
{
    runs_args a;
    int code = runs_parse("show", argc, argv, 1, &a);
    if (code)
        return code;
    if (a.help) {
        printf("usage: neurio show RUN|SWEEP [--store S | --rig R]\n\n"
               "Print one stored run: provenance and every KPI with its unit and\n"
               "source, then its layers: mean count per inference and weight layout.\n"
               "RUN is a run id, a unique prefix of one, or \"last\".  Given a\n"
               "sweep id (or a unique prefix), print the sweep's table: every point,\n"
               "its run, accuracy, latency, RAM and flash, the Pareto front marked.\n"
               "A run made with task.debug = \"layers\" (or `neurio debug`) also shows\n"
               "its per-layer comparison with the host reference.\n\n"
               "Options:\n%s"
               "  --html FILE write a sweep's page (table and Pareto plots, as\n"
               "              `neurio sweep` writes sweep.html) from the store: for a\n"
               "              sweep run by the farm (`neurio submit SWEEP`) too\n\n%s",
               nr_store_help, nr_exit_codes_help);
        return NR_EXIT_OK;
    }
    nr_store *s = NULL;
    char spec[1200];
    if ((code = nr_store_open_cli("show", a.store, a.rig, NR_STORE_READ, &s, spec, sizeof spec)))
        return code;
    nr_store_run_info r;
    nr_metrics m = { 0 };
    neurio_errbuf err = { { 0 } };
    if (nr_store_get_run(s, a.pos[0], &r, &err) == NEURIO_ERR_INVALID) {
        int found = 0;
        code = nr_sweep_show(s, a.pos[0], a.html, &found);
        if (found)
            goto out;
        code = 0;
    }
    if (a.html) {
        fprintf(stderr, "neurio show: --html writes a sweep's page and %s names no sweep; a "
                        "run's page is the report.html in its run directory\n", a.pos[0]);
        code = NR_EXIT_USAGE;
        goto out;
    }
    if (nr_store_get_run(s, a.pos[0], &r, &err) || nr_store_get_metrics(s, r.run_id, &m, &err)) {
        fprintf(stderr, "neurio show: %s\n", err.msg);
        code = NR_EXIT_USAGE;
        goto out;
    }
    print_run(&r);
    if (m.n)
        nr_summary_print_metrics(stdout, &m, -1);
    else
        printf("no KPIs stored (the run did not finish); %llu per-inference rows are stored\n",
               (unsigned long long)r.n_done);
    print_layers(s, r.run_id);
    print_debug(s, r.run_id);
out:
    nr_metrics_free(&m);
    nr_store_close(s);
    return code;
}


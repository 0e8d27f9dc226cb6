/* core/commands/cmd_compare.c — `neurio compare A B`: two stored runs side
 * by side (KPIs and per-layer counts), with CI thresholds that make the
 * exit status fail on a regression. */
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands/commands.h"
#include "commands/store_cli.h"
#include "neurio/plugin.h"
#include "report/summary.h"
#include "store/store.h"

/* A threshold: NAN = not asked for. */
typedef struct cmp_args {
    const char *store, *rig;
    const char *pos[2];
    int n_pos;
    int all, layers, help, fail_on_warning;
    double max_latency_inc;   /* relative (0.05 = 5 %)            */
    double max_cycles_inc;    /* relative                          */
    double max_layer_inc;     /* relative, any layer               */
    double min_accuracy;      /* ratio                             */
    double max_accuracy_drop; /* ratio (0.01 = 1 point)            */
    double max_flash;         /* bytes                             */
    double max_ram;           /* bytes                             */
} cmp_args;

/* "5%" or "5" -> 0.05 (a percentage either way). */
static int parse_percent(const char *v, double *out)
{
    char *end;
    double x = strtod(v, &end);
    if (end == v || (*end && strcmp(end, "%")) || !isfinite(x) || x < 0)
        return -1;
    *out = x / 100.0;
    return 0;
}

/* "0.9" or "90%" -> 0.9. */
static int parse_ratio(const char *v, double *out)
{
    char *end;
    double x = strtod(v, &end);
    if (end == v || !isfinite(x) || x < 0)
        return -1;
    if (!strcmp(end, "%"))
        x /= 100.0;
    else if (*end || x > 1)
        return -1;
    *out = x;
    return 0;
}

/* "65536", "64k", "64KiB", "1M", "1MiB" (k = 1024) -> bytes. */
static int parse_bytes(const char *v, double *out)
{
    char *end;
    double x = strtod(v, &end);
    if (end == v || !isfinite(x) || x < 0)
        return -1;
    if (!*end || !strcmp(end, "B"))
        ;
    else if (!strcmp(end, "k") || !strcmp(end, "K") || !strcmp(end, "KiB") || !strcmp(end, "kB"))
        x *= 1024;
    else if (!strcmp(end, "M") || !strcmp(end, "MiB") || !strcmp(end, "MB"))
        x *= 1024 * 1024;
    else
        return -1;
    *out = x;
    return 0;
}

typedef struct cmp_opt {
    const char *name;
    int (*parse)(const char *, double *);
    size_t off;
    const char *expect;
} cmp_opt;

static const cmp_opt cmp_opts[] = {
    { "--max-latency-increase", parse_percent, offsetof(cmp_args, max_latency_inc),
      "a percentage such as 5%" },
    { "--max-cycles-increase", parse_percent, offsetof(cmp_args, max_cycles_inc),
      "a percentage such as 2%" },
    { "--max-layer-increase", parse_percent, offsetof(cmp_args, max_layer_inc),
      "a percentage such as 10%" },
    { "--min-accuracy", parse_ratio, offsetof(cmp_args, min_accuracy),
      "a ratio such as 0.9 or 90%" },
    { "--max-accuracy-drop", parse_percent, offsetof(cmp_args, max_accuracy_drop),
      "percentage points such as 0.5%" },
    { "--max-flash", parse_bytes, offsetof(cmp_args, max_flash),
      "bytes such as 65536, 64k or 1M" },
    { "--max-ram", parse_bytes, offsetof(cmp_args, max_ram), "bytes such as 65536, 64k or 1M" },
};
enum { N_CMP_OPTS = sizeof cmp_opts / sizeof cmp_opts[0] };

static int cmp_parse(int argc, char **argv, cmp_args *a)
{
    memset(a, 0, sizeof *a);
    for (size_t k = 0; k < N_CMP_OPTS; k++)
        *(double *)((char *)a + cmp_opts[k].off) = NAN;
    for (int i = 1; i < argc; i++) {
        const char *s = argv[i];
        const cmp_opt *o = NULL;
        for (size_t k = 0; k < N_CMP_OPTS; k++)
            if (!strcmp(s, cmp_opts[k].name))
                o = &cmp_opts[k];
        if (!strcmp(s, "-h") || !strcmp(s, "--help")) {
            a->help = 1;
        } else if (!strcmp(s, "--all")) {
            a->all = 1;
        } else if (!strcmp(s, "--layers")) {
            a->layers = 1;
        } else if (!strcmp(s, "--fail-on-warning")) {
            a->fail_on_warning = 1;
        } else if (o || !strcmp(s, "--store") || !strcmp(s, "--rig")) {
            if (i + 1 >= argc) {
                fprintf(stderr, "neurio compare: %s needs a value\n", s);
                return NR_EXIT_USAGE;
            }
            const char *v = argv[++i];
            if (!strcmp(s, "--store"))
                a->store = v;
            else if (!strcmp(s, "--rig"))
                a->rig = v;
            else if (o->parse(v, (double *)((char *)a + o->off))) {
                fprintf(stderr, "neurio compare: %s '%s': expected %s\n", s, v, o->expect);
                return NR_EXIT_USAGE;
            }
        } else if (s[0] == '-' && s[1]) {
            fprintf(stderr, "neurio compare: unknown option '%s'; see `neurio compare --help`\n",
                    s);
            return NR_EXIT_USAGE;
        } else if (a->n_pos < 2) {
            a->pos[a->n_pos++] = s;
        } else {
            fprintf(stderr, "neurio compare: unexpected argument '%s'\n", s);
            return NR_EXIT_USAGE;
        }
    }
    if (!a->help && a->n_pos != 2) {
        fprintf(stderr, "neurio compare: expected 2 run ids (see `neurio compare --help`)\n");
        return NR_EXIT_USAGE;
    }
    return 0;
}

/* Higher is better for these figures; lower for everything else (errors,
 * latency, cycles, energy, memory). */
static int higher_is_better(const char *name)
{
    static const char *const keys[] = { "accuracy", "macro_f1", "roc_auc", "agreement",
                                         "cosine", "throughput" };
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        if (strstr(name, keys[i]))
            return 1;
    return 0;
}

static int hidden_in_compare(const char *name)
{
    static const char *const suffix[] = { "_std", "_min", "_ci95_lo", "_ci95_hi" };
    size_t n = strlen(name);
    for (size_t i = 0; i < sizeof suffix / sizeof suffix[0]; i++) {
        size_t k = strlen(suffix[i]);
        if (n > k && !strcmp(name + n - k, suffix[i]))
            return 1;
    }
    return 0;
}

static void compare_row(const nr_metric *x, const nr_metric *y, int color)
{
    const nr_metric *any = x ? x : y;
    char va[40] = "-", vb[40] = "-", delta[48] = "", rel[24] = "";
    const char *verdict = "", *on = "", *off = "";
    if (x)
        nr_summary_format(va, sizeof va, x->value, x->unit);
    if (y)
        nr_summary_format(vb, sizeof vb, y->value, y->unit);
    if (x && y && strcmp(x->unit, y->unit)) {
        verdict = "units differ";
    } else if (x && y) {
        double d = y->value - x->value;
        if (!strcmp(x->unit, "ratio"))
            snprintf(delta, sizeof delta, "%+.2f pt", d * 100);
        else
            snprintf(delta, sizeof delta, "%+.4g", d);
        if (x->value != 0)
            snprintf(rel, sizeof rel, "%+.1f %%", 100.0 * d / fabs(x->value));
        if (d != 0) {
            int better = (d > 0) == higher_is_better(x->name);
            verdict = better ? "better" : "worse";
            if (color) {
                on = better ? "\033[32m" : "\033[31m";
                off = "\033[0m";
            }
        }
    }
    printf("  %-26s %20s %20s %14s %9s  %s%s%s\n", any->name, va, vb, delta, rel, on, verdict,
           off);
}

static void print_kpis(const nr_metrics *ma, const nr_metrics *mb, int all, int color)
{
    printf("\n  %-26s %20s %20s %14s %9s\n", "figure", "A", "B", "B - A", "change");
    static const char *const groups[] = { "accuracy", "fidelity", "latency", "cycles",
                                          "throughput", "energy", "memory" };
    for (size_t g = 0; g < sizeof groups / sizeof groups[0]; g++) {
        int header = 0;
        for (int pass = 0; pass < 2; pass++) {
            const nr_metrics *m = pass ? mb : ma;
            for (size_t i = 0; i < m->n; i++) {
                const nr_metric *x = &m->v[i];
                if (strcmp(x->group, groups[g]) || (!all && hidden_in_compare(x->name)))
                    continue;
                if (pass == 1 && nr_metrics_find(ma, x->name))
                    continue; /* already printed with A */
                if (!header++)
                    printf("%s\n", groups[g]);
                compare_row(pass ? NULL : x, pass ? x : nr_metrics_find(mb, x->name), color);
            }
        }
    }
}

/* ---- gates ---------------------------------------------------------------- */

typedef struct gate_ctx {
    int failed, checked, color;
} gate_ctx;

static void gate(gate_ctx *g, int ok, const char *fmt, ...) NEURIO_PRINTF(3, 4);
static void gate(gate_ctx *g, int ok, const char *fmt, ...)
{
    char line[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    g->checked++;
    g->failed += !ok;
    printf("  %s%s%s  %s\n", g->color ? (ok ? "\033[32m" : "\033[31m") : "",
           ok ? "PASS" : "FAIL", g->color ? "\033[0m" : "", line);
}

/* The first of names[] both runs have (or B has, when a_too = 0). */
static const char *common_figure(const nr_metrics *ma, const nr_metrics *mb,
                                 const char *const *names, size_t n, int a_too)
{
    for (size_t i = 0; i < n; i++)
        if (nr_metrics_find(mb, names[i]) && (!a_too || nr_metrics_find(ma, names[i])))
            return names[i];
    return NULL;
}

static void gate_increase(gate_ctx *g, const nr_metrics *ma, const nr_metrics *mb,
                          const char *const *names, size_t n, double max, const char *what,
                          const char *opt)
{
    if (isnan(max))
        return;
    const char *f = common_figure(ma, mb, names, n, 1);
    if (!f) {
        gate(g, 0, "%s %.4g%%: no %s figure in both runs to check", opt, max * 100, what);
        return;
    }
    double a = nr_metrics_find(ma, f)->value, b = nr_metrics_find(mb, f)->value;
    double inc = a > 0 ? (b - a) / a : (b > a ? INFINITY : 0);
    gate(g, inc <= max + 1e-12, "%s %s: %.6g -> %.6g (%+.2f%%, limit +%.4g%%)", what, f, a, b,
         inc * 100, max * 100);
}

static void gate_layers(gate_ctx *g, const nr_store_layer *la, size_t na,
                        const nr_store_layer *lb, size_t nb, double max)
{
    if (isnan(max))
        return;
    if (!na || !nb || na != nb) {
        gate(g, 0, "per-layer counts: %s", !na || !nb ? "not stored for both runs"
                                                       : "the runs have different layer counts");
        return;
    }
    size_t worst = 0;
    double worst_inc = -INFINITY;
    for (size_t i = 0; i < na; i++) {
        double inc = la[i].mean > 0 ? (lb[i].mean - la[i].mean) / la[i].mean : 0;
        if (inc > worst_inc) {
            worst_inc = inc;
            worst = i;
        }
    }
    gate(g, worst_inc <= max + 1e-12,
         "per-layer counts: largest increase layer %zu %s (%s): %.6g -> %.6g (%+.2f%%, limit "
         "+%.4g%%)", worst, la[worst].op, la[worst].name[0] ? la[worst].name : "-",
         la[worst].mean, lb[worst].mean, worst_inc * 100, max * 100);
}

static void gate_max(gate_ctx *g, const nr_metrics *mb, const char *const *names, size_t n,
                     double max, const char *what, const char *opt)
{
    if (isnan(max))
        return;
    const char *f = common_figure(NULL, mb, names, n, 0);
    if (!f) {
        gate(g, 0, "%s %.0f: B has no %s figure to check", opt, max, what);
        return;
    }
    double b = nr_metrics_find(mb, f)->value;
    gate(g, b <= max, "%s %s of B: %.0f bytes (limit %.0f)", what, f, b, max);
}

static const char *const acc_names[] = { "top1_accuracy", "roc_auc", "argmax_agreement" };

static void run_gates(gate_ctx *g, const cmp_args *a, const nr_metrics *ma,
                      const nr_metrics *mb, const nr_store_layer *la, size_t na,
                      const nr_store_layer *lb, size_t nb)
{
    static const char *const lat[] = { "device_latency_p50", "host_latency_p50" };
    static const char *const cyc[] = { "cycles_mean", "instructions_mean" };
    static const char *const flash[] = { "flash_total" };
    static const char *const ram[] = { "ram_bytes", "arena_bytes" };
    gate_increase(g, ma, mb, lat, 2, a->max_latency_inc, "latency", "--max-latency-increase");
    gate_increase(g, ma, mb, cyc, 2, a->max_cycles_inc, "cycles", "--max-cycles-increase");
    gate_layers(g, la, na, lb, nb, a->max_layer_inc);
    if (!isnan(a->min_accuracy)) {
        const char *f = common_figure(NULL, mb, acc_names, 3, 0);
        const nr_metric *b = f ? nr_metrics_find(mb, f) : NULL;
        if (!b)
            gate(g, 0, "--min-accuracy: B has no accuracy or fidelity figure to check");
        else
            gate(g, b->value >= a->min_accuracy, "accuracy %s of B: %.4f (minimum %.4f)", f,
                 b->value, a->min_accuracy);
    }
    if (!isnan(a->max_accuracy_drop)) {
        const char *f = common_figure(ma, mb, acc_names, 3, 1);
        if (!f) {
            gate(g, 0, "--max-accuracy-drop: no accuracy or fidelity figure in both runs");
        } else {
            double x = nr_metrics_find(ma, f)->value, y = nr_metrics_find(mb, f)->value;
            gate(g, x - y <= a->max_accuracy_drop + 1e-12,
                 "accuracy %s: %.4f -> %.4f (%+.2f pt, largest drop allowed %.2f pt)", f, x, y,
                 (y - x) * 100, a->max_accuracy_drop * 100);
        }
    }
    gate_max(g, mb, flash, 1, a->max_flash, "flash", "--max-flash");
    gate_max(g, mb, ram, 2, a->max_ram, "RAM", "--max-ram");
}

/* ---- per-layer table ------------------------------------------------------ */

static int by_change(const void *x, const void *y)
{
    double a = fabs(*(const double *)x), b = fabs(*(const double *)y);
    return a < b ? 1 : a > b ? -1 : 0;
}

static void print_layers(const nr_store_layer *la, size_t na, const nr_store_layer *lb,
                         size_t nb, int all)
{
    if (!na && !nb)
        return;
    if (!na || !nb) {
        printf("\nlayers: only %s has per-layer counts stored\n", na ? "A" : "B");
        return;
    }
    if (na != nb) {
        printf("\nlayers: A has %zu layers, B has %zu: not compared layer by layer\n", na, nb);
        return;
    }
    /* (change, index) pairs sorted by |change| unless --layers. */
    double (*ord)[2] = malloc(na * sizeof *ord);
    if (!ord)
        return;
    size_t changed = 0;
    for (size_t i = 0; i < na; i++) {
        ord[i][0] = lb[i].mean - la[i].mean;
        ord[i][1] = (double)i;
        changed += ord[i][0] != 0;
    }
    size_t show = na;
    if (!all) {
        qsort(ord, na, sizeof *ord, by_change);
        show = changed < 10 ? changed : 10;
    }
    printf("\nlayers (%s, mean per inference): %zu of %zu changed%s\n", la[0].unit, changed, na,
           all || show == changed ? "" : "; the 10 largest changes (--layers for all)");
    if (show)
        printf("  %-5s %-20s %-24s %14s %14s %9s\n", "#", "op", "name", "A", "B", "change");
    for (size_t k = 0; k < show; k++) {
        size_t i = (size_t)ord[k][1];
        char rel[24] = "";
        if (la[i].mean != 0)
            snprintf(rel, sizeof rel, "%+.1f %%", 100.0 * ord[k][0] / la[i].mean);
        printf("  %-5zu %-20.20s %-24.24s %14.6g %14.6g %9s\n", i, la[i].op, la[i].name,
               la[i].mean, lb[i].mean, rel);
    }
    free(ord);
}

/* Layers [0, n) with a measured count: they come first (the store's rows
 * past them only carry a weight layout). */
static size_t measured(const nr_store_layer *l, size_t n)
{
    size_t k = 0;
    while (k < n && !isnan(l[k].mean))
        k++;
    return k;
}

/* The weight layouts (when a plugin reported them): the layers whose
 * layout or size differs, every layer with --layers. */
static void print_layouts(const nr_store_layer *la, size_t na, const nr_store_layer *lb,
                          size_t nb, int all)
{
    size_t n = na > nb ? na : nb, with = 0, differ = 0;
    for (size_t i = 0; i < n; i++) {
        const char *a = i < na ? la[i].layout : "", *b = i < nb ? lb[i].layout : "";
        uint64_t ba = i < na ? la[i].layout_bytes : 0, bb = i < nb ? lb[i].layout_bytes : 0;
        with += a[0] || b[0];
        differ += (a[0] || b[0]) && (strcmp(a, b) || ba != bb);
    }
    if (!with)
        return;
    printf("\nweight layouts: %zu of %zu layers differ\n", differ, with);
    if (!differ && !all)
        return;
    printf("  %-5s %-20s %-16s %12s %-16s %12s\n", "#", "op", "A layout", "A bytes", "B layout",
           "B bytes");
    for (size_t i = 0; i < n; i++) {
        const nr_store_layer *x = i < na ? &la[i] : NULL, *y = i < nb ? &lb[i] : NULL;
        const char *a = x ? x->layout : "", *b = y ? y->layout : "";
        uint64_t ba = x ? x->layout_bytes : 0, bb = y ? y->layout_bytes : 0;
        if (!(a[0] || b[0]) || (!all && !strcmp(a, b) && ba == bb))
            continue;
        char sa[24] = "-", sb[24] = "-";
        if (a[0])
            snprintf(sa, sizeof sa, "%llu", (unsigned long long)ba);
        if (b[0])
            snprintf(sb, sizeof sb, "%llu", (unsigned long long)bb);
        printf("  %-5zu %-20.20s %-16.16s %12s %-16.16s %12s\n", i, x ? x->op : y->op,
               a[0] ? a : "-", sa, b[0] ? b : "-", sb);
    }
}

static void cmp_help(void)
{
    printf("usage: neurio compare RUN_A RUN_B [--store S | --rig R] [thresholds] [--all]\n"
           "                      [--layers] [--fail-on-warning]\n\n"
           "Print the KPIs of two stored runs side by side with B - A, the relative\n"
           "change and whether B is better or worse (higher accuracy and throughput,\n"
           "lower errors, latency, cycles, energy and memory are better), then the\n"
           "per-layer counts (cycles or instructions) when both runs stored them and\n"
           "the layers whose weight layout differs (when a plugin reported them).\n"
           "Runs are ids, unique prefixes, or \"last\".  A warning is printed when the\n"
           "runs used different models or sample counts, or one did not finish.\n\n"
           "Thresholds (CI gating; B is the candidate, A the baseline).  Each prints\n"
           "PASS or FAIL; any FAIL, or a threshold whose figure is missing, exits 7:\n"
           "  --max-latency-increase P  B's p50 latency (device, else host) at most P\n"
           "                            above A's (5%% or 5)\n"
           "  --max-cycles-increase P   mean cycles (or instructions) at most P above A's\n"
           "  --max-layer-increase P    no layer's mean count more than P above A's\n"
           "  --min-accuracy V          B's accuracy (top-1, else ROC AUC, else argmax\n"
           "                            agreement) at least V (0.9 or 90%%)\n"
           "  --max-accuracy-drop P     B's accuracy at most P points below A's (0.5%%)\n"
           "  --max-flash BYTES         B's flash_total at most BYTES (65536, 64k, 1M)\n"
           "  --max-ram BYTES           B's ram_bytes (else arena_bytes) at most BYTES\n"
           "  --fail-on-warning         a warning (models or sample counts differ, a\n"
           "                            run incomplete) also exits 7\n\n"
           "Options:\n%s"
           "  --all       also show std, min and the confidence bounds\n"
           "  --layers    show every layer (default: the 10 largest changes, and\n"
           "              the layers whose weight layout differs)\n\n"
           "%s",
           nr_store_help, nr_exit_codes_help);
}

static int warnings(const nr_store_run_info *ra, const nr_store_run_info *rb)
{
    int n = 0;
    if (strcmp(ra->model_sha256, rb->model_sha256) && ++n)
        fprintf(stderr, "neurio compare: warning: different models (A %s sha256 %.12s, B %s "
                        "sha256 %.12s)\n", ra->model_name, ra->model_sha256, rb->model_name,
                rb->model_sha256);
    if (ra->n_done != rb->n_done && ++n)
        fprintf(stderr, "neurio compare: warning: different sample counts (A %llu, B %llu): "
                        "figures are not over the same data\n",
                (unsigned long long)ra->n_done, (unsigned long long)rb->n_done);
    for (int k = 0; k < 2; k++) {
        const nr_store_run_info *r = k ? rb : ra;
        if (!r->complete && ++n)
            fprintf(stderr, "neurio compare: warning: %s (%s) is %s\n", k ? "B" : "A",
                    r->run_id, nr_run_status_word(r));
    }
    return n;
}

int nr_cmd_compare(int argc, char **argv)
{
    cmp_args a;
    int code = cmp_parse(argc, argv, &a);
    if (code)
        return code;
    if (a.help) {
        cmp_help();
        return NR_EXIT_OK;
    }
    nr_store *s = NULL;
    char spec[1200];
    if ((code = nr_store_open_cli("compare", a.store, a.rig, NR_STORE_READ, &s, spec,
                                  sizeof spec)))
        return code;
    nr_store_run_info ra, rb;
    nr_metrics ma = { 0 }, mb = { 0 };
    nr_store_layer *la = NULL, *lb = NULL;
    size_t na = 0, nb = 0;
    neurio_errbuf err = { { 0 } };
    if (nr_store_get_run(s, a.pos[0], &ra, &err) || nr_store_get_run(s, a.pos[1], &rb, &err) ||
        nr_store_get_metrics(s, ra.run_id, &ma, &err) ||
        nr_store_get_metrics(s, rb.run_id, &mb, &err) ||
        nr_store_get_layers(s, ra.run_id, &la, &na, &err) ||
        nr_store_get_layers(s, rb.run_id, &lb, &nb, &err)) {
        fprintf(stderr, "neurio compare: %s\n", err.msg);
        code = NR_EXIT_USAGE;
        goto out;
    }
    int color = isatty(fileno(stdout)) && !getenv("NO_COLOR");
    printf("A  %s  %s on %s, %llu/%llu samples (%s)\n", ra.run_id, ra.model_name, ra.board,
           (unsigned long long)ra.n_done, (unsigned long long)ra.n_planned,
           nr_run_status_word(&ra));
    printf("B  %s  %s on %s, %llu/%llu samples (%s)\n", rb.run_id, rb.model_name, rb.board,
           (unsigned long long)rb.n_done, (unsigned long long)rb.n_planned,
           nr_run_status_word(&rb));
    fflush(stdout);
    int nwarn = warnings(&ra, &rb);
    print_kpis(&ma, &mb, a.all, color);
    if (!ma.n || !mb.n)
        printf("\n(%s has no KPIs stored: it did not finish)\n", !ma.n ? "A" : "B");
    print_layers(la, measured(la, na), lb, measured(lb, nb), a.layers);
    print_layouts(la, na, lb, nb, a.layers);
    gate_ctx g = { .color = color };
    int any = 0;
    for (size_t k = 0; k < N_CMP_OPTS; k++)
        any |= !isnan(*(const double *)((const char *)&a + cmp_opts[k].off));
    if (any || a.fail_on_warning) {
        printf("\nthresholds\n");
        run_gates(&g, &a, &ma, &mb, la, measured(la, na), lb, measured(lb, nb));
        if (a.fail_on_warning)
            gate(&g, nwarn == 0, "warnings: %d (--fail-on-warning)", nwarn);
        printf("%s: %d of %d threshold%s failed\n", g.failed ? "REGRESSION" : "ok", g.failed,
               g.checked, g.checked == 1 ? "" : "s");
        if (g.failed)
            code = NR_EXIT_REGRESSION;
    }
out:
    free(la);
    free(lb);
    nr_metrics_free(&ma);
    nr_metrics_free(&mb);
    nr_store_close(s);
    return code;
}

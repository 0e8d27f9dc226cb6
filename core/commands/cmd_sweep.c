/* core/commands/cmd_sweep.c — `neurio sweep SWEEP.cfg`: every point of a
 * sweep (core/sweep_cfg.h) run through the normal pipeline, up to -j at
 * once, each in a child process of its own (its own emulator or device
 * instance, its output in <output.dir>/<sweep-id>/point-K.log), all stored
 * under one sweep id; Ctrl-C stops the running points (their results kept)
 * and `--resume` runs only the points without a complete run. */
#define _GNU_SOURCE /* prctl */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "commands/commands.h"
#include "commands/run_one.h"
#include "commands/store_cli.h"
#include "host.h"
#include "observers/report.h"
#include "report/sweep_report.h"
#include "rig.h"
#include "commands/sweep_cfg.h"

typedef struct sw_args {
    const char *cfg, *store, *sweep_id;
    long jobs;
    int resume, help, dry_run;
    const char **sets;
    size_t n_sets;
} sw_args;

static void sweep_help(void)
{
    printf("usage: neurio sweep SWEEP.cfg [-j N] [--resume [--sweep ID]] [--store S]\n"
           "                    [--set key=value]... [--dry-run]\n\n"
           "Run every point of a sweep: a base rig plus axes of values for dotted rig\n"
           "keys, expanded to their cartesian product minus the excluded combinations:\n\n"
           "  rig = \"base.cfg\";\n"
           "  axes = ( { key = \"model.quantize\"; values = [ \"none\", \"int8\" ]; },\n"
           "           { key = \"device.board\"; values = [ \"mps2-an386\", \"mps2-an500\" ]; },\n"
           "           { keys = [ \"model.path\", \"data.inputs\" ];\n"
           "             values = ( [ \"a.tflite\", \"a.npy\" ], [ \"b.tflite\", \"b.npy\" ] ); },\n"
           "           { key = \"data.inputs\";  /* a model with two inputs */\n"
           "             values = ( [ \"a0.npy\", \"a1.npy\" ], [ \"b0.npy\", \"b1.npy\" ] ); } );\n"
           "  exclude = ( [ \"model.quantize=none\", \"device.board=mps2-an386\" ] );\n"
           "  set = [ \"data.limit=100\" ];\n\n"
           "Each point runs through the normal pipeline in a process of its own (its\n"
           "own emulator or device instance; its output goes to\n"
           "<output.dir>/<sweep-id>/point-K.log) and is stored under one sweep id in\n"
           "the base rig's output.store.  Relative paths (in the sweep file and in\n"
           "--set) are relative to the sweep file's directory.  "
           "A list value (data.inputs of a multi-input model: one .npy per input) is\n"
           "passed as --set data.inputs=[\"a0.npy\", \"a1.npy\"].  Ctrl-C (or a point\n"
           "interrupted) stops the sweep: running points stop after their batch and\n"
           "keep their results; `--resume` runs only the points with no complete run.\n"
           "Every 10 s the samples each running point has stored are printed.  At the\n"
           "end the table is printed (also `neurio show SWEEP_ID`) and the sweep page\n"
           "with its Pareto plots is written to <output.dir>/<sweep-id>/sweep.html\n"
           "(also `neurio show SWEEP_ID --html FILE`, e.g. for a farm's sweep).\n\n"
           "Options:\n"
           "  -j N             run up to N points at once (default 1)\n"
           "  --resume         continue the newest sweep of this file in the store\n"
           "  --sweep ID       with --resume: that sweep instead\n"
           "  --store S        store every point there (default: the base rig's)\n"
           "  --set key=value  override a key in every point (after the axes)\n"
           "  --dry-run        print the points and exit\n"
           "  -h, --help       this help\n\n%s",
           nr_exit_codes_help);
}

static int sweep_parse(int argc, char **argv, sw_args *a)
{
    memset(a, 0, sizeof *a);
    a->jobs = 1;
    a->sets = calloc((size_t)argc, sizeof *a->sets);
    if (!a->sets)
        return NR_EXIT_FAILURE;
    for (int i = 1; i < argc; i++) {
        const char *s = argv[i];
        if (!strcmp(s, "-h") || !strcmp(s, "--help")) {
            a->help = 1;
        } else if (!strcmp(s, "--resume")) {
            a->resume = 1;
        } else if (!strcmp(s, "--dry-run")) {
            a->dry_run = 1;
        } else if (!strcmp(s, "-j") || !strcmp(s, "--jobs") || !strcmp(s, "--store") ||
                   !strcmp(s, "--set") || !strcmp(s, "--sweep")) {
            if (i + 1 >= argc) {
                fprintf(stderr, "neurio sweep: %s needs a value\n", s);
                return NR_EXIT_USAGE;
            }
            const char *v = argv[++i];
            if (!strcmp(s, "--store")) {
                a->store = v;
            } else if (!strcmp(s, "--sweep")) {
                a->sweep_id = v;
            } else if (!strcmp(s, "--set")) {
                if (!strchr(v, '=')) {
                    fprintf(stderr, "neurio sweep: --set %s: expected key=value\n", v);
                    return NR_EXIT_USAGE;
                }
                a->sets[a->n_sets++] = v;
            } else {
                char *end;
                a->jobs = strtol(v, &end, 10);
                if (*end || a->jobs < 1 || a->jobs > 64) {
                    fprintf(stderr, "neurio sweep: %s %s: expected a number of points to run "
                                    "at once, 1 to 64\n", s, v);
                    return NR_EXIT_USAGE;
                }
            }
        } else if (s[0] == '-' && s[1]) {
            fprintf(stderr, "neurio sweep: unknown option '%s'; see `neurio sweep --help`\n",
                    s);
            return NR_EXIT_USAGE;
        } else if (!a->cfg) {
            a->cfg = s;
        } else {
            fprintf(stderr, "neurio sweep: unexpected argument '%s'\n", s);
            return NR_EXIT_USAGE;
        }
    }
    if (!a->help && !a->cfg) {
        fprintf(stderr, "neurio sweep: expected a sweep file (see `neurio sweep --help`)\n");
        return NR_EXIT_USAGE;
    }
    if (a->sweep_id && !a->resume) {
        fprintf(stderr, "neurio sweep: --sweep ID goes with --resume\n");
        return NR_EXIT_USAGE;
    }
    return 0;
}

/* ---- the store's view: sweep record, done points ------------------------- */

typedef struct sw_state {
    const nr_sweep_cfg *cfg;
    nr_store_sweep sw;
    char spec[1200];        /* the store every point writes to            */
    char out_dir[PATH_MAX]; /* <output.dir>/<sweep-id>                     */
    unsigned char *done;    /* [n_points] complete run stored              */
    int mismatch;
    char why[600];
} sw_state;

static int check_point(void *user, int point, const char *label, const char *sets)
{
    sw_state *st = user;
    (void)sets;
    if (point < 0 || (size_t)point >= st->cfg->n_points ||
        strcmp(st->cfg->points[point].label, label)) {
        st->mismatch = 1;
        snprintf(st->why, sizeof st->why, "point %d was \"%s\", the file now gives \"%s\"",
                 point, label,
                 point >= 0 && (size_t)point < st->cfg->n_points ? st->cfg->points[point].label
                                                                 : "(no such point)");
        return 1;
    }
    return 0;
}

static int mark_done(void *user, const nr_store_run_info *r)
{
    sw_state *st = user;
    if (r->complete && r->sweep_point >= 0 && (size_t)r->sweep_point < st->cfg->n_points)
        st->done[r->sweep_point] = 1;
    return 0;
}

void nr_sweep_new_id(char id[64], char created[32])
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    struct tm tm;
    gmtime_r(&ts.tv_sec, &tm);
    char stamp[32];
    strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tm);
    snprintf(id, 64, "sw-%s-%04x", stamp,
             (unsigned)((ts.tv_nsec / 1000) ^ ((unsigned)getpid() << 4)) & 0xffffu);
    char iso[24];
    strftime(iso, sizeof iso, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(created, 32, "%.19s.%03uZ", iso, (unsigned)(ts.tv_nsec / 1000000) % 1000u);
}

/* Create the sweep, or find the one to resume and check it is this file's. */
static int sweep_record(nr_store *s, const sw_args *a, sw_state *st)
{
    neurio_errbuf err = { { 0 } };
    const nr_sweep_cfg *c = st->cfg;
    if (a->resume) {
        if (nr_store_sweep_get(s, a->sweep_id, a->sweep_id ? NULL : c->path, &st->sw, &err)) {
            fprintf(stderr, "neurio sweep: --resume: %s\n", err.msg);
            return NR_EXIT_USAGE;
        }
        if ((size_t)st->sw.n_points != c->n_points) {
            fprintf(stderr, "neurio sweep: --resume: sweep %s has %d points, %s now expands to "
                            "%zu; start a new sweep (without --resume)\n",
                    st->sw.id, st->sw.n_points, c->path, c->n_points);
            return NR_EXIT_USAGE;
        }
        if (nr_store_sweep_points(s, st->sw.id, check_point, st, &err) && !st->mismatch) {
            fprintf(stderr, "neurio sweep: %s\n", err.msg);
            return NR_EXIT_FAILURE;
        }
        if (st->mismatch) {
            fprintf(stderr, "neurio sweep: --resume: %s changed since sweep %s (%s); start a "
                            "new sweep (without --resume)\n", c->path, st->sw.id, st->why);
            return NR_EXIT_USAGE;
        }
        if (nr_store_sweep_runs(s, st->sw.id, mark_done, st, &err)) {
            fprintf(stderr, "neurio sweep: %s\n", err.msg);
            return NR_EXIT_FAILURE;
        }
        return 0;
    }
    memset(&st->sw, 0, sizeof st->sw);
    nr_sweep_new_id(st->sw.id, st->sw.created_at);
    snprintf(st->sw.cfg_path, sizeof st->sw.cfg_path, "%s", c->path);
    snprintf(st->sw.base_rig, sizeof st->sw.base_rig, "%s", c->rig);
    st->sw.n_points = (int)c->n_points;
    const char **labels = calloc(c->n_points, sizeof *labels);
    const char **sets = calloc(c->n_points, sizeof *sets);
    int rc = !labels || !sets;
    for (size_t i = 0; !rc && i < c->n_points; i++) {
        labels[i] = c->points[i].label;
        sets[i] = c->points[i].sets_text;
    }
    if (!rc && nr_store_sweep_create(s, &st->sw, labels, sets, &err)) {
        fprintf(stderr, "neurio sweep: %s\n", err.msg);
        rc = 1;
    }
    free(labels);
    free(sets);
    return rc ? NR_EXIT_FAILURE : 0;
}

/* ---- running the points ---------------------------------------------------- */

typedef struct sw_child {
    pid_t pid;
    size_t point;
} sw_child;

/* The child: its own process group (Ctrl-C reaches the sweep, which
 * forwards it once), dies with the sweep, output to its log. */
static void run_point_child(const sw_args *a, const sw_state *st, size_t k, pid_t parent)
{
    setpgid(0, 0);
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (getppid() != parent)
        _exit(NR_EXIT_CANCELLED);
    char log[PATH_MAX + 32];
    snprintf(log, sizeof log, "%s/point-%zu.log", st->out_dir, k);
    int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd >= 0) {
        dup2(fd, STDOUT_FILENO);
        dup2(fd, STDERR_FILENO);
        close(fd);
    }
    const nr_sweep_cfg *c = st->cfg;
    const nr_sweep_point *p = &c->points[k];
    size_t n = c->n_fixed + p->n_sets + a->n_sets + 1;
    const char **sets = calloc(n, sizeof *sets);
    char store_set[1300];
    if (!sets)
        _exit(NR_EXIT_FAILURE);
    size_t m = 0;
    for (size_t i = 0; i < c->n_fixed; i++)
        sets[m++] = c->fixed[i];
    for (size_t i = 0; i < p->n_sets; i++)
        sets[m++] = p->sets[i];
    for (size_t i = 0; i < a->n_sets; i++)
        sets[m++] = a->sets[i];
    snprintf(store_set, sizeof store_set, "output.store=%s", st->spec);
    sets[m++] = store_set;
    printf("neurio sweep %s, point %zu: %s\n", st->sw.id, k, p->label);
    fflush(stdout);
    nr_report_member mem = { .sweep_id = st->sw.id, .sweep_point = (int)k };
    nr_run_req req = { .cmd = "sweep", .rig_path = c->rig, .sets = sets, .n_sets = m,
                       .until = NR_STAGE_INFER, .member = &mem };
    int code = nr_run_one(&req);
    fflush(stdout);
    fflush(stderr);
    _exit(code);
}

typedef struct sw_tally {
    size_t done, failed, cancelled, total;
} sw_tally;

static void report_exit(const sw_state *st, const sw_child *ch, int status, sw_tally *t,
                        int *cancel)
{
    int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    const char *what;
    if (code == 0) {
        what = "ok";
        t->done++;
    } else if (code == NR_EXIT_CANCELLED || code == 143 || code == 129) {
        what = "interrupted";
        t->cancelled++;
        *cancel = 1; /* a point stopped by a signal stops the sweep */
    } else {
        what = "FAILED";
        t->failed++;
    }
    printf("[%zu/%zu] point %zu %s", t->done, t->total, ch->point, what);
    if (code && strcmp(what, "interrupted"))
        printf(" (exit %d)", code);
    printf(": %s  (log %s/point-%zu.log)\n", st->cfg->points[ch->point].label, st->out_dir,
           ch->point);
    fflush(stdout);
}

/* Progress within the running points, from the store (each point's run
 * commits its rows batch by batch): "point 3: 4096/10000 samples". */
static void print_progress(const sw_state *st, const sw_child *run, size_t n_run)
{
    nr_store *s = NULL;
    neurio_errbuf err;
    nr_sweep_row *rows = NULL;
    size_t n = 0;
    if (!n_run || nr_store_open(st->spec, NR_STORE_READ, &s, &err))
        return;
    if (nr_sweep_rows_load(s, &st->sw, &rows, &n, &err) == 0)
        for (size_t i = 0; i < n_run; i++)
            if (run[i].point < n && rows[run[i].point].run_id[0] &&
                !rows[run[i].point].complete)
                printf("  point %zu: %llu/%llu samples\n", run[i].point,
                       (unsigned long long)rows[run[i].point].n_done,
                       (unsigned long long)rows[run[i].point].n_planned);
    fflush(stdout);
    free(rows);
    nr_store_close(s);
}

static double mono_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Run every point not done; returns the tally. */
static sw_tally run_points(const sw_args *a, sw_state *st)
{
    const nr_sweep_cfg *c = st->cfg;
    sw_tally t = { .total = c->n_points };
    sw_child *run = calloc((size_t)a->jobs, sizeof *run);
    size_t next = 0, n_run = 0;
    int cancel = 0, forwarded = 0;
    pid_t self = getpid();
    double last_progress = mono_s();
    for (size_t k = 0; k < c->n_points; k++)
        t.done += st->done[k];
    while (run) {
        while (next < c->n_points && st->done[next])
            next++;
        if (nr_cancel_requested())
            cancel = 1;
        if (!cancel && n_run < (size_t)a->jobs && next < c->n_points) {
            fflush(stdout);
            fflush(stderr);
            pid_t pid = fork();
            if (pid == 0)
                run_point_child(a, st, next, self);
            if (pid < 0) {
                fprintf(stderr, "neurio sweep: cannot start point %zu: %s\n", next,
                        strerror(errno));
                t.failed++;
            } else {
                run[n_run++] = (sw_child){ .pid = pid, .point = next };
                printf("point %zu started (%zu running): %s\n", next, n_run,
                       c->points[next].label);
                fflush(stdout);
            }
            next++;
            continue;
        }
        if (!n_run)
            break;
        if (cancel && !forwarded) {
            printf("stopping: the %zu running point%s stop after their current batch and keep "
                   "their results\n", n_run, n_run > 1 ? "s" : "");
            fflush(stdout);
            for (size_t i = 0; i < n_run; i++)
                kill(run[i].pid, SIGINT);
            forwarded = 1;
        }
        int status;
        pid_t w = waitpid(-1, &status, WNOHANG);
        if (w == 0 || (w < 0 && errno == EINTR)) {
            if (mono_s() - last_progress >= 10.0) { /* a progress line, not a test input */
                print_progress(st, run, n_run);
                last_progress = mono_s();
            }
            struct timespec nap = { .tv_sec = 0, .tv_nsec = 50000000 };
            nanosleep(&nap, NULL);
            continue;
        }
        if (w < 0)
            break;
        for (size_t i = 0; i < n_run; i++)
            if (run[i].pid == w) {
                report_exit(st, &run[i], status, &t, &cancel);
                run[i] = run[--n_run];
                break;
            }
    }
    free(run);
    return t;
}

/* ---- the command ------------------------------------------------------------ */

/* The store every point writes to and the sweep's output directory, from
 * --store or the base rig (with the sweep's and the command line's sets). */
static int sweep_targets(const sw_args *a, sw_state *st)
{
    const nr_sweep_cfg *c = st->cfg;
    size_t n = c->n_fixed + a->n_sets;
    const char **sets = calloc(n ? n : 1, sizeof *sets);
    if (!sets)
        return NR_EXIT_FAILURE;
    for (size_t i = 0; i < c->n_fixed; i++)
        sets[i] = c->fixed[i];
    for (size_t i = 0; i < a->n_sets; i++)
        sets[c->n_fixed + i] = a->sets[i];
    nr_rig *rig = NULL;
    neurio_errbuf err;
    int code = 0;
    if (nr_rig_load(c->rig, sets, n, &rig, &err) != NEURIO_OK) {
        fprintf(stderr, "neurio sweep: base rig: %s\n", err.msg);
        code = NR_EXIT_CONFIG;
    } else if (a->store) {
        if (snprintf(st->spec, sizeof st->spec, "%s", a->store) >= (int)sizeof st->spec) {
            fprintf(stderr, "neurio sweep: --store is longer than %zu bytes\n", sizeof st->spec - 1);
            code = NR_EXIT_CONFIG;
        }
    } else if (!nr_rig_store_spec(rig, st->spec, sizeof st->spec)) {
        fprintf(stderr, "neurio sweep: %s sets output.store = \"none\"; a sweep needs a store "
                        "(set output.store or pass --store)\n", c->rig);
        code = NR_EXIT_CONFIG;
    }
    if (!code)
        snprintf(st->out_dir, sizeof st->out_dir, "%s", rig->output_dir);
    nr_rig_free(rig);
    free(sets);
    return code;
}

/* --store sqlite:relative is relative to where the user typed it. */
static const char *absolute_store(const char *spec, char *buf, size_t cap)
{
    char cwd[PATH_MAX];
    if (spec && !strncmp(spec, "sqlite:", 7) && spec[7] && spec[7] != '/' && getcwd(cwd, sizeof cwd)) {
        snprintf(buf, cap, "sqlite:%s/%s", cwd, spec + 7);
        return buf;
    }
    return spec;
}

static int sweep_finish(nr_store *s, sw_state *st)
{
    nr_sweep_row *rows = NULL;
    size_t n = 0;
    neurio_errbuf err = { { 0 } };
    if (nr_sweep_rows_load(s, &st->sw, &rows, &n, &err)) {
        fprintf(stderr, "neurio sweep: %s\n", err.msg);
        return NR_EXIT_FAILURE;
    }
    printf("\n");
    nr_sweep_info info = nr_sweep_info_of(&st->sw);
    nr_sweep_print_table(stdout, &info, rows, n);
    char html[PATH_MAX + 32];
    snprintf(html, sizeof html, "%s/sweep.html", st->out_dir);
    int code = 0;
    if (nr_sweep_html_write(html, &info, rows, n, &err)) {
        fprintf(stderr, "neurio sweep: %s\n", err.msg);
        code = NR_EXIT_FAILURE;
    } else {
        printf("sweep report: %s\n", html);
    }
    free(rows);
    return code;
}

int nr_cmd_sweep(int argc, char **argv)
{
    sw_args a;
    sw_state st;
    memset(&st, 0, sizeof st);
    nr_sweep_cfg *cfg = NULL;
    nr_store *s = NULL;
    neurio_errbuf err;
    char store_buf[PATH_MAX + 16];
    int code = sweep_parse(argc, argv, &a);
    if (code || a.help) {
        if (a.help)
            sweep_help();
        goto out;
    }
    a.store = absolute_store(a.store, store_buf, sizeof store_buf);
    if (nr_sweep_cfg_load(a.cfg, &cfg, &err)) {
        fprintf(stderr, "neurio sweep: %s\n", err.msg);
        code = NR_EXIT_CONFIG;
        goto out;
    }
    st.cfg = cfg;
    if (a.dry_run) {
        printf("%s: %zu points (%zu excluded), base rig %s\n", cfg->path, cfg->n_points,
               cfg->n_excluded, cfg->rig);
        for (size_t i = 0; i < cfg->n_points; i++)
            printf("  %zu  %s\n", i, cfg->points[i].label);
        goto out;
    }
    if (chdir(cfg->dir) != 0) {
        fprintf(stderr, "neurio sweep: cannot enter %s: %s\n", cfg->dir, strerror(errno));
        code = NR_EXIT_CONFIG;
        goto out;
    }
    if ((code = sweep_targets(&a, &st)))
        goto out;
    if (nr_mkdirs(st.out_dir) != 0) { /* output.dir, where the default store lives */
        fprintf(stderr, "neurio sweep: cannot create output.dir %s: %s\n", st.out_dir,
                strerror(errno));
        code = NR_EXIT_CONFIG;
        goto out;
    }
    if (nr_store_open(st.spec, NR_STORE_WRITE, &s, &err)) {
        fprintf(stderr, "neurio sweep: %s\n", err.msg);
        code = NR_EXIT_CONFIG;
        goto out;
    }
    if (!(st.done = calloc(cfg->n_points, 1))) {
        code = NR_EXIT_FAILURE;
        goto out;
    }
    if ((code = sweep_record(s, &a, &st)))
        goto out;
    size_t len = strlen(st.out_dir);
    snprintf(st.out_dir + len, sizeof st.out_dir - len, "/%s", st.sw.id);
    if (nr_mkdirs(st.out_dir) != 0) {
        fprintf(stderr, "neurio sweep: cannot create %s: %s\n", st.out_dir, strerror(errno));
        code = NR_EXIT_CONFIG;
        goto out;
    }
    size_t done = 0;
    for (size_t i = 0; i < cfg->n_points; i++)
        done += st.done[i];
    printf("sweep %s: %zu points (%zu excluded), %zu already done, up to %ld at once; store "
           "%s\n", st.sw.id, cfg->n_points, cfg->n_excluded, done, a.jobs, nr_store_where(s));
    fflush(stdout);
    nr_cancel_install();
    sw_tally t = run_points(&a, &st);
    int fin = sweep_finish(s, &st);
    if (t.cancelled || nr_cancel_requested()) {
        printf("sweep %s interrupted: %zu of %zu points done; continue with `neurio sweep %s "
               "--resume`\n", st.sw.id, t.done, t.total, a.cfg);
        code = nr_cancel_requested() ? nr_cancel_exit_code() : NR_EXIT_CANCELLED;
    } else if (t.failed) {
        printf("sweep %s: %zu point%s failed (see their logs)\n", st.sw.id, t.failed,
               t.failed > 1 ? "s" : "");
        code = NR_EXIT_REGRESSION;
    } else {
        code = fin;
    }
out:
    nr_store_close(s);
    nr_sweep_cfg_free(cfg);
    free(st.done);
    free(a.sets);
    return code;
}

int nr_sweep_show(nr_store *s, const char *id, const char *html, int *found)
{
    nr_store_sweep sw;
    neurio_errbuf err;
    *found = 0;
    if (nr_store_sweep_get(s, id, NULL, &sw, &err))
        return NR_EXIT_USAGE;
    *found = 1;
    nr_sweep_row *rows = NULL;
    size_t n = 0;
    if (nr_sweep_rows_load(s, &sw, &rows, &n, &err)) {
        fprintf(stderr, "neurio show: %s\n", err.msg);
        return NR_EXIT_FAILURE;
    }
    nr_sweep_info info = nr_sweep_info_of(&sw);
    nr_sweep_print_table(stdout, &info, rows, n);
    int code = NR_EXIT_OK;
    if (html && nr_sweep_html_write(html, &info, rows, n, &err)) {
        fprintf(stderr, "neurio show: %s\n", err.msg);
        code = NR_EXIT_FAILURE;
    } else if (html) {
        printf("sweep report: %s\n", html);
    }
    free(rows);
    return code;
}

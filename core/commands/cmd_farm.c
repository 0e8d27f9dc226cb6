/* core/commands/cmd_farm.c — the device farm on the team's PostgreSQL:
 * `neurio submit RIG|SWEEP` queues runs, `neurio worker` on each machine
 * with devices claims the runs it can serve, executes them with the normal
 * pipeline (a child process per run) and writes the results to the same
 * database, renewing its lease while the run goes on. */
#define _GNU_SOURCE /* prctl */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "commands/commands.h"
#include "commands/run_one.h"
#include "commands/store_cli.h"
#include "host.h"
#include "rig.h"
#include "commands/sweep_cfg.h"

static void iso_now(char out[32])
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    struct tm tm;
    gmtime_r(&ts.tv_sec, &tm);
    char iso[24];
    strftime(iso, sizeof iso, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(out, 32, "%.19s.%03uZ", iso, (unsigned)(ts.tv_nsec / 1000000) % 1000u);
}

/* ---- submit ----------------------------------------------------------------- */

typedef struct farm_args {
    const char *file, *store, *plugin, *board, *name;
    const char **sets;
    size_t n_sets;
    double lease_s, poll_s;
    long max_jobs, max_attempts;
    int until_empty, help;
} farm_args;

static int farm_parse(const char *cmd, int argc, char **argv, int want_file, farm_args *a)
{
    memset(a, 0, sizeof *a);
    a->lease_s = 30;
    a->poll_s = 2;
    a->sets = calloc((size_t)argc, sizeof *a->sets);
    if (!a->sets)
        return NR_EXIT_FAILURE;
    for (int i = 1; i < argc; i++) {
        const char *s = argv[i];
        int worker_opt = !strcmp(s, "--plugin") || !strcmp(s, "--board") ||
                         !strcmp(s, "--name") || !strcmp(s, "--lease") || !strcmp(s, "--poll") ||
                         !strcmp(s, "--max-jobs");
        if (!strcmp(s, "-h") || !strcmp(s, "--help")) {
            a->help = 1;
        } else if (!want_file && !strcmp(s, "--until-empty")) {
            a->until_empty = 1;
        } else if (!strcmp(s, "--store") || (want_file && !strcmp(s, "--set")) ||
                   (want_file && !strcmp(s, "--max-attempts")) ||
                   (!want_file && worker_opt)) {
            if (i + 1 >= argc) {
                fprintf(stderr, "neurio %s: %s needs a value\n", cmd, s);
                return NR_EXIT_USAGE;
            }
            const char *v = argv[++i];
            char *end = NULL;
            if (!strcmp(s, "--store"))
                a->store = v;
            else if (!strcmp(s, "--set"))
                a->sets[a->n_sets++] = v;
            else if (!strcmp(s, "--plugin"))
                a->plugin = v;
            else if (!strcmp(s, "--board"))
                a->board = v;
            else if (!strcmp(s, "--name"))
                a->name = v;
            else if (!strcmp(s, "--max-jobs") || !strcmp(s, "--max-attempts")) {
                long *dst = !strcmp(s, "--max-jobs") ? &a->max_jobs : &a->max_attempts;
                *dst = strtol(v, &end, 10);
                if (end == v || *end || *dst < 1 || *dst > 1000000) {
                    fprintf(stderr, "neurio %s: %s %s: expected a number from 1 to 1000000\n",
                            cmd, s, v);
                    return NR_EXIT_USAGE;
                }
            } else {
                double x = strtod(v, &end);
                double *dst = !strcmp(s, "--lease") ? &a->lease_s : &a->poll_s;
                if (end == v || *end || !(x >= 0.05 && x <= 86400)) {
                    fprintf(stderr, "neurio %s: %s %s: expected seconds (0.05 to 86400)\n", cmd,
                            s, v);
                    return NR_EXIT_USAGE;
                }
                *dst = x;
            }
        } else if (s[0] == '-' && s[1]) {
            fprintf(stderr, "neurio %s: unknown option '%s'; see `neurio %s --help`\n", cmd, s,
                    cmd);
            return NR_EXIT_USAGE;
        } else if (want_file && !a->file) {
            a->file = s;
        } else {
            fprintf(stderr, "neurio %s: unexpected argument '%s'\n", cmd, s);
            return NR_EXIT_USAGE;
        }
    }
    if (a->help)
        return 0;
    if (want_file && !a->file) {
        fprintf(stderr, "neurio %s: expected a rig or a sweep file (see `neurio %s --help`)\n",
                cmd, cmd);
        return NR_EXIT_USAGE;
    }
    if (!a->store && !(a->store = getenv("NEURIO_STORE"))) {
        fprintf(stderr, "neurio %s: --store postgresql://... is required (or $NEURIO_STORE)\n",
                cmd);
        return NR_EXIT_USAGE;
    }
    return 0;
}

/* plugin and board of a rig with sets, for matching workers. */
static int rig_target(const char *rig_path, const char *const *sets, size_t n, char *plugin,
                      char *board, size_t cap)
{
    nr_rig *rig = NULL;
    neurio_errbuf err;
    if (nr_rig_load(rig_path, sets, n, &rig, &err) != NEURIO_OK) {
        fprintf(stderr, "neurio submit: %s\n", err.msg);
        return NR_EXIT_CONFIG;
    }
    const char *b = NULL;
    snprintf(plugin, cap, "%s", rig->device_plugin ? rig->device_plugin : "");
    /* device.board from the rig, or a --set (applied by the plugin later). */
    if (rig->device)
        config_setting_lookup_string(rig->device, "board", &b);
    for (size_t i = 0; i < rig->n_device_sets; i++)
        if (!strncmp(rig->device_sets[i], "device.board=", 13))
            b = rig->device_sets[i] + 13;
    snprintf(board, cap, "%s", b ? b : "");
    nr_rig_free(rig);
    return 0;
}

static char *join_lines(const char *const *v, size_t n)
{
    size_t len = 1;
    for (size_t i = 0; i < n; i++)
        len += strlen(v[i]) + 1;
    char *s = malloc(len), *p = s;
    if (!s)
        return NULL;
    *p = '\0';
    for (size_t i = 0; i < n; i++)
        p += sprintf(p, "%s%s", i ? "\n" : "", v[i]);
    return s;
}

static int submit_one(nr_store *s, const char *id, const char *rig, const char *const *sets,
                      size_t n, const char *work_dir, const char *sweep_id, int point,
                      int max_attempts)
{
    char plugin[128], board[128], now[32];
    int code = rig_target(rig, sets, n, plugin, board, sizeof plugin);
    if (code)
        return code;
    char *text = join_lines(sets, n);
    if (!text)
        return NR_EXIT_FAILURE;
    iso_now(now);
    nr_store_job_new j = { .id = id, .submitted_at = now, .rig_path = rig, .sets = text,
                           .work_dir = work_dir, .plugin = plugin[0] ? plugin : NULL,
                           .board = board[0] ? board : NULL, .sweep_id = sweep_id,
                           .sweep_point = point, .max_attempts = max_attempts };
    neurio_errbuf err;
    if (nr_store_job_submit(s, &j, &err)) {
        fprintf(stderr, "neurio submit: %s\n", err.msg);
        code = NR_EXIT_FAILURE;
    } else {
        printf("queued %s: %s%s%s\n", id, plugin, board[0] ? " / " : "", board);
    }
    free(text);
    return code;
}

static int submit_sweep(nr_store *s, const farm_args *a)
{
    nr_sweep_cfg *c = NULL;
    neurio_errbuf err;
    if (nr_sweep_cfg_load(a->file, &c, &err)) {
        fprintf(stderr, "neurio submit: %s\n", err.msg);
        return NR_EXIT_CONFIG;
    }
    int code = 0;
    nr_store_sweep sw = { .n_points = (int)c->n_points };
    nr_sweep_new_id(sw.id, sw.created_at);
    snprintf(sw.cfg_path, sizeof sw.cfg_path, "%s", c->path);
    snprintf(sw.base_rig, sizeof sw.base_rig, "%s", c->rig);
    const char **labels = calloc(c->n_points, sizeof *labels);
    const char **texts = calloc(c->n_points, sizeof *texts);
    const char **sets = calloc(c->n_fixed + a->n_sets + 64, sizeof *sets);
    char cwd[PATH_MAX];
    if (!labels || !texts || !sets || !getcwd(cwd, sizeof cwd)) {
        code = NR_EXIT_FAILURE;
        goto out;
    }
    for (size_t i = 0; i < c->n_points; i++) {
        labels[i] = c->points[i].label;
        texts[i] = c->points[i].sets_text;
    }
    /* Paths in the sweep file and in --set are relative to its directory,
     * as for `neurio sweep`. */
    if (chdir(c->dir) != 0) {
        fprintf(stderr, "neurio submit: cannot enter %s: %s\n", c->dir, strerror(errno));
        code = NR_EXIT_CONFIG;
        goto out;
    }
    if (nr_store_sweep_create(s, &sw, labels, texts, &err)) {
        fprintf(stderr, "neurio submit: %s\n", err.msg);
        code = NR_EXIT_FAILURE;
        goto out;
    }
    for (size_t k = 0; k < c->n_points && !code; k++) {
        const nr_sweep_point *p = &c->points[k];
        if (p->n_sets > 64) {
            fprintf(stderr, "neurio submit: point %zu sets more than 64 keys\n", k);
            code = NR_EXIT_CONFIG;
            break;
        }
        size_t m = 0;
        for (size_t i = 0; i < c->n_fixed; i++)
            sets[m++] = c->fixed[i];
        for (size_t i = 0; i < p->n_sets; i++)
            sets[m++] = p->sets[i];
        for (size_t i = 0; i < a->n_sets; i++)
            sets[m++] = a->sets[i];
        char id[96];
        if (snprintf(id, sizeof id, "job-%s-%zu", sw.id + 3, k) >= (int)sizeof id) {
            fprintf(stderr, "neurio submit: sweep id too long for a job id\n");
            code = NR_EXIT_CONFIG;
            break;
        }
        code = submit_one(s, id, c->rig, sets, m, c->dir, sw.id, (int)k, (int)a->max_attempts);
    }
    if (!code)
        printf("sweep %s: %zu runs queued in %s; `neurio show %s --store ...` follows it\n",
               sw.id, c->n_points, nr_store_where(s), sw.id);
    if (chdir(cwd) != 0)
        code = code ? code : NR_EXIT_FAILURE;
out:
    free(labels);
    free(texts);
    free(sets);
    nr_sweep_cfg_free(c);
    return code;
}

int nr_cmd_submit(int argc, char **argv)
{
    farm_args a;
    int code = farm_parse("submit", argc, argv, 1, &a);
    if (code || a.help) {
        if (a.help)
            printf("usage: neurio submit RIG|SWEEP --store postgresql://... [--set key=value]...\n"
                   "                     [--max-attempts N]\n\n"
                   "Queue runs for the device farm in a PostgreSQL store: one run for a rig,\n"
                   "one per point for a sweep file (recorded as a sweep: `neurio show\n"
                   "SWEEP_ID` follows it).  Workers (`neurio worker`) on the machines with\n"
                   "the devices claim them.  The rig, model and data paths must be readable\n"
                   "where the workers run (a shared file system): rigs are queued by their\n"
                   "absolute path and --set values relative to the current directory (for a\n"
                   "sweep, to the sweep file's).  A run whose worker dies (or stalls past\n"
                   "its lease) is claimed again, up to --max-attempts claims in all; when\n"
                   "the last allowed attempt dies too, the job is marked failed.\n\n"
                   "Options:\n"
                   "  --store S        the farm's store (default $NEURIO_STORE)\n"
                   "  --set key=value  override a rig key in every queued run\n"
                   "  --max-attempts N claims of each run before it is given up when its\n"
                   "                   workers keep dying (default 3)\n\n%s",
                   nr_exit_codes_help);
        free(a.sets);
        return code;
    }
    nr_store *s = NULL;
    char spec[1200];
    if ((code = nr_store_open_cli("submit", a.store, NULL, NR_STORE_WRITE, &s, spec,
                                  sizeof spec)))
        goto out;
    int sweep = nr_sweep_cfg_is_sweep(a.file);
    if (sweep < 0) {
        /* Let the rig loader say what is wrong with the file. */
        sweep = 0;
    }
    if (sweep) {
        code = submit_sweep(s, &a);
    } else {
        char abs[PATH_MAX], cwd[PATH_MAX], id[96], now[32];
        if (!realpath(a.file, abs) || !getcwd(cwd, sizeof cwd)) {
            fprintf(stderr, "neurio submit: cannot read %s: %s\n", a.file, strerror(errno));
            code = NR_EXIT_CONFIG;
            goto out;
        }
        nr_sweep_new_id(id, now); /* a unique stamp */
        char job[96];
        if (snprintf(job, sizeof job, "job-%s", id + 3) >= (int)sizeof job) {
            fprintf(stderr, "neurio submit: run id too long for a job id\n");
            code = NR_EXIT_CONFIG;
            goto out;
        }
        code = submit_one(s, job, abs, a.sets, a.n_sets, cwd, NULL, 0, (int)a.max_attempts);
    }
out:
    nr_store_close(s);
    free(a.sets);
    return code;
}

/* ---- worker ----------------------------------------------------------------- */

/* The job's run, in a child process that dies with the worker. */
static void job_child(const farm_args *a, const nr_store_job *j, const char *spec, pid_t parent)
{
    setpgid(0, 0);
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (getppid() != parent)
        _exit(NR_EXIT_CANCELLED);
    (void)a;
    if (chdir(j->work_dir) != 0) {
        fprintf(stderr, "neurio worker: job %s: cannot enter %s: %s\n", j->id, j->work_dir,
                strerror(errno));
        _exit(NR_EXIT_CONFIG);
    }
    size_t n = 1;
    for (const char *p = j->sets; *p; p++)
        n += *p == '\n';
    const char **sets = calloc(n + 1, sizeof *sets);
    char *text = strdup(j->sets);
    char store_set[1300];
    if (!sets || !text)
        _exit(NR_EXIT_FAILURE);
    size_t m = 0;
    for (char *save = NULL, *t = strtok_r(text, "\n", &save); t; t = strtok_r(NULL, "\n", &save))
        sets[m++] = t;
    snprintf(store_set, sizeof store_set, "output.store=%s", spec);
    sets[m++] = store_set;
    nr_report_member mem = { .sweep_id = j->sweep_id[0] ? j->sweep_id : NULL,
                             .sweep_point = j->sweep_point, .job_id = j->id,
                             .attempt = j->attempt };
    nr_run_req req = { .cmd = "worker", .rig_path = j->rig_path, .sets = sets, .n_sets = m,
                       .until = NR_STAGE_INFER, .member = &mem };
    int code = nr_run_one(&req);
    fflush(stdout);
    fflush(stderr);
    _exit(code);
}

static void nap_ms(long ms)
{
    struct timespec t = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L };
    nanosleep(&t, NULL);
}

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Run one claimed job to its end, renewing the lease; returns the child's
 * exit code (or -1 when the lease was lost and the run stopped). */
static int work_job(const farm_args *a, nr_store *s, const char *worker, const char *spec,
                    const nr_store_job *j)
{
    int lease_ms = (int)(a->lease_s * 1000);
    fflush(stdout);
    fflush(stderr);
    pid_t self = getpid(), pid = fork();
    if (pid == 0)
        job_child(a, j, spec, self);
    if (pid < 0) {
        fprintf(stderr, "neurio worker: cannot start job %s: %s\n", j->id, strerror(errno));
        return NR_EXIT_FAILURE;
    }
    int64_t next_renew = mono_ms() + lease_ms / 3;
    int lost = 0, stopped = 0, status = 0;
    for (;;) {
        pid_t w = waitpid(pid, &status, WNOHANG);
        if (w == pid)
            break;
        if (w < 0 && errno != EINTR)
            return NR_EXIT_FAILURE;
        if (nr_cancel_requested() && !stopped) {
            kill(pid, SIGINT); /* the run stops after its batch, results kept */
            stopped = 1;
        }
        if (mono_ms() >= next_renew) {
            neurio_errbuf err;
            int ours = 1;
            if (nr_store_job_renew(s, j->id, worker, j->attempt, lease_ms, &ours, &err))
                fprintf(stderr, "neurio worker: renewing the lease of %s: %s (retrying)\n",
                        j->id, err.msg);
            else if (!ours && !lost) {
                fprintf(stderr, "neurio worker: job %s was claimed again (this worker's lease "
                                "expired): stopping its run\n", j->id);
                kill(pid, SIGINT);
                lost = 1;
            }
            next_renew = mono_ms() + lease_ms / 3;
        }
        nap_ms(50);
    }
    int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return lost ? -1 : code;
}

static void finish_job(nr_store *s, const char *worker, const nr_store_job *j, int code)
{
    char now[32], why[160];
    iso_now(now);
    const char *st = code == 0 ? "done" : nr_cancel_requested() ? "queued" : "failed";
    if (snprintf(why, sizeof why, "%s exited %d", worker, code) >= (int)sizeof why)
        why[sizeof why - 1] = '\0'; /* a long worker name: the reason is cut, never wrong */
    neurio_errbuf err;
    int ours = 0;
    if (nr_store_job_finish(s, j->id, worker, j->attempt, st, code ? why : NULL, now, &ours,
                            &err))
        fprintf(stderr, "neurio worker: closing job %s: %s\n", j->id, err.msg);
    else if (!ours)
        fprintf(stderr, "neurio worker: job %s had been claimed again meanwhile; this attempt's "
                        "run is marked superseded\n", j->id);
    printf("job %s attempt %d: %s%s\n", j->id, j->attempt,
           !strcmp(st, "queued") ? "given back to the queue (worker stopped)" : st,
           code && strcmp(st, "queued") ? " (see the run's error)" : "");
    fflush(stdout);
}

static void worker_help(void)
{
    printf("usage: neurio worker --store postgresql://... [--plugin P] [--board B]\n"
           "                     [--name N] [--lease S] [--poll S] [--until-empty]\n"
           "                     [--max-jobs N]\n\n"
           "Serve the device farm: claim queued runs this machine can serve (`neurio\n"
           "submit`), run each with the normal pipeline and store its results in the\n"
           "same PostgreSQL database.  Claims use SELECT ... FOR UPDATE SKIP LOCKED, so\n"
           "no two workers take the same run; the worker holds a lease on its run and\n"
           "renews it every third of --lease while the run goes on.  A worker that dies\n"
           "loses its lease: the run is claimed again by another worker, and the dead\n"
           "attempt's stored rows are kept and marked \"abandoned\".  A run whose\n"
           "attempts keep dying is marked failed once its submit --max-attempts\n"
           "(default 3) claims have all lost their lease.  Ctrl-C stops the\n"
           "current run (results kept) and gives the job back to the queue.\n\n"
           "Options:\n"
           "  --store S       the farm's store (default $NEURIO_STORE)\n"
           "  --plugin P      only runs for device plugin P\n"
           "  --board B       only runs whose rig sets device.board = B (runs whose rig\n"
           "                  names no board go to workers without --board)\n"
           "  --name N        this worker's name in the queue (default host:pid)\n"
           "  --lease S       lease length in seconds (default 30)\n"
           "  --poll S        how often to look for work when idle (default 2)\n"
           "  --until-empty   exit when no run is queued or running (for CI and tests)\n"
           "  --max-jobs N    exit after N runs\n\n%s",
           nr_exit_codes_help);
}

int nr_cmd_worker(int argc, char **argv)
{
    farm_args a;
    int code = farm_parse("worker", argc, argv, 0, &a);
    if (code || a.help) {
        if (a.help)
            worker_help();
        free(a.sets);
        return code;
    }
    nr_store *s = NULL;
    char spec[1200], worker[160], host[64] = "host";
    if ((code = nr_store_open_cli("worker", a.store, NULL, NR_STORE_WRITE, &s, spec,
                                  sizeof spec)))
        goto out;
    gethostname(host, sizeof host - 1);
    if (a.name)
        snprintf(worker, sizeof worker, "%s", a.name);
    else
        snprintf(worker, sizeof worker, "%s:%ld", host, (long)getpid());
    nr_cancel_install();
    long served = 0, failed = 0;
    neurio_errbuf err;
    printf("worker %s: serving %s%s%s%s from %s\n", worker, a.plugin ? "plugin " : "any plugin",
           a.plugin ? a.plugin : "", a.board ? ", board " : "", a.board ? a.board : "",
           nr_store_where(s));
    fflush(stdout);
    while (!nr_cancel_requested() && (!a.max_jobs || served < a.max_jobs)) {
        nr_store_job j;
        int got = 0, gave_up = 0;
        int crc = nr_store_job_claim(s, worker, a.plugin, a.board, (int)(a.lease_s * 1000), &j,
                                     &got, &gave_up, &err);
        if (gave_up) {
            printf("%d job%s failed: %s reached %s retry limit (every attempt's worker died or "
                   "stalled)\n", gave_up, gave_up == 1 ? "" : "s", gave_up == 1 ? "it" : "they",
                   gave_up == 1 ? "its" : "their");
            fflush(stdout);
        }
        if (crc) {
            fprintf(stderr, "neurio worker: %s\n", err.msg);
            code = NR_EXIT_FAILURE;
            if (strstr(err.msg, "needs a PostgreSQL store"))
                goto out;
            nap_ms((long)(a.poll_s * 1000));
            continue;
        }
        if (!got) {
            long open = 0;
            if (a.until_empty && !nr_store_job_open_count(s, a.plugin, a.board, &open, &err) &&
                open == 0)
                break;
            nap_ms((long)(a.poll_s * 1000));
            continue;
        }
        printf("job %s attempt %d claimed%s%s%s: %s\n", j.id, j.attempt,
               j.previous_worker[0] ? " (reclaimed from " : "", j.previous_worker,
               j.previous_worker[0] ? ", whose lease expired)" : "", j.rig_path);
        fflush(stdout);
        int rc = work_job(&a, s, worker, spec, &j);
        if (rc >= 0)
            finish_job(s, worker, &j, rc);
        served++;
        failed += rc != 0;
        free(j.sets);
    }
    printf("worker %s: %ld run%s served, %ld not ok\n", worker, served, served == 1 ? "" : "s",
           failed);
    if (!code)
        code = nr_cancel_requested() ? nr_cancel_exit_code() : failed ? NR_EXIT_REGRESSION : 0;
out:
    nr_store_close(s);
    free(a.sets);
    return code;
}

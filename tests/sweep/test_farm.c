/* tests/sweep/test_farm.c — the device farm against a real PostgreSQL that
 * this program starts itself (tests/store/pg_ctl.sh: user postgres, private
 * port on 127.0.0.1): `neurio submit` queues a 6-point sweep, 3 `neurio
 * worker`s serve it, and the one running a run that stalls mid-run (the
 * TEST-ONLY test_echo's stall_at, so the kill does not depend on timing)
 * is killed with SIGKILL.  Its lease expires, another worker claims the
 * run again: 6 runs complete, each exactly once, the dead attempt's rows
 * kept and its run marked abandoned.  A run whose workers keep dying is
 * failed after `submit --max-attempts` claims (the retry limit).  A SQLite
 * store is refused. */
#include <libpq-fe.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "sweep_util.h"
#include "test_util.h"

static char pg_dir[512], pg_uri[512];

static void pg_stop(void)
{
    if (!pg_dir[0])
        return;
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "'%s/tests/store/pg_ctl.sh' stop '%s'", NEURIO_SOURCE_DIR, pg_dir);
    if (neurio_test_run(cmd, NULL) != 0)
        fprintf(stderr, "pg_ctl.sh stop failed\n");
    pg_dir[0] = '\0';
}

static void pg_start(void)
{
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "'%s/tests/store/pg_ctl.sh' start 2>/dev/null", NEURIO_SOURCE_DIR);
    FILE *f = popen(cmd, "r");
    if (!f)
        neurio_test_skip("cannot run pg_ctl.sh");
    int ok = fgets(pg_dir, sizeof pg_dir, f) && fgets(pg_uri, sizeof pg_uri, f);
    int st = pclose(f);
    pg_dir[strcspn(pg_dir, "\n")] = '\0';
    pg_uri[strcspn(pg_uri, "\n")] = '\0';
    if (WIFEXITED(st) && WEXITSTATUS(st) == 77)
        neurio_test_skip("PostgreSQL server binaries are not installed (Debian package postgresql)");
    if (!ok || st != 0) {
        fprintf(stderr, "could not start a private PostgreSQL with tests/store/pg_ctl.sh\n");
        exit(1);
    }
    atexit(pg_stop);
}

/* First column of the first row as a number; -1 on error. */
static long long pq_int(PGconn *c, const char *sql)
{
    PGresult *r = PQexec(c, sql);
    long long v = -1;
    if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) > 0 && !PQgetisnull(r, 0, 0))
        v = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
    else if (PQresultStatus(r) != PGRES_TUPLES_OK)
        fprintf(stderr, "%s: %s\n", sql, PQresultErrorMessage(r));
    PQclear(r);
    return v;
}

static int pq_text(PGconn *c, const char *sql, char *out, size_t cap)
{
    PGresult *r = PQexec(c, sql);
    int ok = PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) > 0;
    if (ok)
        snprintf(out, cap, "%s", PQgetvalue(r, 0, 0));
    PQclear(r);
    return ok ? 0 : -1;
}

static pid_t start_worker_lease(int k, const char *lease)
{
    char name[16], log[4200];
    snprintf(name, sizeof name, "w%d", k);
    snprintf(log, sizeof log, "%s/worker%d.out", sw_dir, k);
    pid_t pid = fork();
    if (pid == 0) {
        if (chdir(sw_dir) != 0 || !freopen(log, "w", stdout) || dup2(fileno(stdout), 2) < 0)
            _exit(99);
        execl(SW_NEURIO, "neurio", "worker", "--store", pg_uri, "--lease", lease, "--poll", "0.2",
              "--until-empty", "--name", name, (char *)NULL);
        _exit(98);
    }
    return pid;
}

static pid_t start_worker(int k)
{
    return start_worker_lease(k, "2");
}

static size_t count(const char *hay, const char *needle)
{
    size_t n = 0;
    for (const char *p = hay; p && (p = strstr(p, needle)) != NULL; p += strlen(needle))
        n++;
    return n;
}

/* A sweep page as headless Chromium builds it: the title, the latency
 * Pareto plot, a table row per point with its samples. */
static void check_page_in_chromium(const char *name, const char *sweep_id)
{
    char html[4400], dom[4400], cmd[16384];
    snprintf(html, sizeof html, "%s/%s", sw_dir, name);
    char *h = neurio_test_read_file(html, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(h);
    CU_ASSERT_PTR_NULL(strstr(h, "<script"));
    CU_ASSERT_EQUAL(count(h, "<td class=\"num samples\">12 / 12</td>") +
                        count(h, "<td class=\"num samples\">16 / 16</td>"), 6);
    free(h);
    if (access("/usr/bin/chromium", X_OK) != 0) {
        fprintf(stderr, "\nchromium not installed: %s checked as text only\n", name);
        return;
    }
    snprintf(dom, sizeof dom, "%s/%s.dom", sw_dir, name);
    snprintf(cmd, sizeof cmd, "timeout 120 /usr/bin/chromium --headless --no-sandbox "
             "--disable-gpu --no-first-run --disable-background-networking "
             "--disable-component-update --disable-sync --user-data-dir='%s/chromium-farm' "
             "--dump-dom 'file://%s' > '%s' 2>/dev/null", sw_dir, html, dom);
    CU_ASSERT_EQUAL_FATAL(neurio_test_run(cmd, NULL), 0);
    char *d = neurio_test_read_file(dom, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    char h1[128];
    snprintf(h1, sizeof h1, "<h1>neurio sweep %s", sweep_id);
    CU_ASSERT_PTR_NOT_NULL(strstr(d, h1));
    /* the test device reports latency (no RAM or flash figures): that plot */
    CU_ASSERT_PTR_NOT_NULL(strstr(d, "id=\"pareto-latency\""));
    CU_ASSERT_EQUAL(count(d, "<tr class=\"point"), 6);
    free(d);
}

static void test_farm_kill_one_worker(void)
{
    sw_rig("farm.cfg", "batch_ms = 50; stall_ms = 4000;", 16, NULL);
    static const char sweep[] =
        "rig = \"farm.cfg\";\n"
        "axes = ( { keys = [ \"device.slowdown\", \"device.stall_at\" ];\n"
        "           values = ( ( 1.0, -1 ), ( 1.5, -1 ), ( 2.0, 6 ) ); },\n"
        "         { key = \"data.limit\"; values = [ 12, 16 ]; } );\n";
    char p[4200], args[8192], *out = NULL;
    snprintf(p, sizeof p, "%s/farm-sweep.cfg", sw_dir);
    CU_ASSERT_EQUAL_FATAL(neurio_test_write_file(p, sweep, strlen(sweep)), 0);
    snprintf(args, sizeof args, "submit farm-sweep.cfg --store '%s'", pg_uri);
    int rc = sw_run(args, &out);
    if (rc)
        fprintf(stderr, "%s\n", out ? out : "");
    CU_ASSERT_EQUAL_FATAL(rc, 0);
    sw_expect(out, "6 runs queued");
    char sweep_id[64] = "";
    const char *s = out ? strstr(out, "sweep sw-") : NULL;
    if (s)
        snprintf(sweep_id, sizeof sweep_id, "%.*s", (int)strcspn(s + 6, ":"), s + 6);
    free(out);

    PGconn *c = PQconnectdb(pg_uri);
    CU_ASSERT_EQUAL_FATAL(PQstatus(c), CONNECTION_OK);
    pid_t w[3];
    for (int k = 0; k < 3; k++)
        w[k] = start_worker(k + 1);
    /* A run that stalls at sample 6 has stored 4 rows and waits 4 s for its
     * answer: kill its worker then. */
    char victim[32] = "", job[96] = "", vrun[96] = "";
    for (int i = 0; i < 3000 && !victim[0]; i++) {
        if (pq_text(c, "SELECT j.worker || ' ' || j.id || ' ' || r.id FROM jobs j JOIN runs r "
                       "ON r.job_id = "
                       "j.id WHERE j.status = 'running' AND r.status = 'running' AND r.n_done "
                       ">= 4 AND r.attempt = 1 AND j.sets LIKE '%device.stall_at=6%' LIMIT 1",
                    p, sizeof p) == 0)
            sscanf(p, "%31s %95s %95s", victim, job, vrun);
        struct timespec nap = { 0, 20000000 };
        nanosleep(&nap, NULL);
    }
    CU_ASSERT_FATAL(victim[0] == 'w');
    int vk = victim[1] - '1';
    CU_ASSERT_FATAL(vk >= 0 && vk < 3);
    /* Progress within a point: the stalled run (waiting on sample 6) shows
     * its samples so far in `neurio show SWEEP`. */
    snprintf(args, sizeof args, "show %s --store '%s'", sweep_id, pg_uri);
    CU_ASSERT_EQUAL(sw_run(args, &out), 0);
    const char *line = out && vrun[0] ? strstr(out, vrun) : NULL;
    unsigned long long done = 0, planned = 0;
    CU_ASSERT_PTR_NOT_NULL(line);
    if (line) {
        const char *sl = line + strlen(vrun);
        CU_ASSERT_EQUAL(sscanf(sl, " %llu/%llu", &done, &planned), 2);
        CU_ASSERT(done >= 4 && done < 6);
        CU_ASSERT(planned == 12 || planned == 16);
        CU_ASSERT_EQUAL(strncmp(line - 11, "incomplete ", 11), 0); /* the STATUS column */
    }
    free(out);
    kill(w[vk], SIGKILL);
    for (int k = 0; k < 3; k++) {
        int st = 0;
        waitpid(w[k], &st, 0);
        if (k == vk) {
            CU_ASSERT(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
        } else {
            CU_ASSERT(WIFEXITED(st) && WEXITSTATUS(st) == 0);
        }
    }
    /* 6 jobs done, each with exactly one complete run, 6 complete runs. */
    CU_ASSERT_EQUAL(pq_int(c, "SELECT count(*) FROM jobs WHERE status = 'done'"), 6);
    CU_ASSERT_EQUAL(pq_int(c, "SELECT count(*) FROM runs WHERE complete = 1"), 6);
    CU_ASSERT_EQUAL(pq_int(c, "SELECT count(*) FROM (SELECT job_id FROM runs WHERE complete = 1 "
                              "GROUP BY job_id HAVING count(*) = 1) t"), 6);
    CU_ASSERT_EQUAL(pq_int(c, "SELECT count(*) FROM jobs j WHERE run_id IS NULL OR NOT EXISTS "
                              "(SELECT 1 FROM runs r WHERE r.id = j.run_id AND r.complete = 1)"),
                    0);
    /* The dead attempt: marked, its rows kept. */
    char sql[512];
    snprintf(sql, sizeof sql, "SELECT attempts FROM jobs WHERE id = '%s'", job);
    CU_ASSERT_EQUAL(pq_int(c, sql), 2);
    CU_ASSERT_EQUAL(pq_int(c, "SELECT count(*) FROM runs WHERE status = 'abandoned'"), 1);
    snprintf(sql, sizeof sql, "SELECT count(*) FROM runs WHERE status = 'abandoned' AND job_id = "
                              "'%s' AND attempt = 1 AND n_done >= 4 AND error LIKE "
                              "'%%worker %s lost the lease%%'", job, victim);
    CU_ASSERT_EQUAL(pq_int(c, sql), 1);
    CU_ASSERT(pq_int(c, "SELECT count(*) FROM inferences i JOIN runs r ON r.id = i.run_id "
                        "WHERE r.status = 'abandoned'") >= 4);
    PQfinish(c);

    /* The farm sweep's page from the store, checked in headless Chromium. */
    snprintf(args, sizeof args, "show %s --store '%s' --html farm-sweep.html", sweep_id, pg_uri);
    CU_ASSERT_EQUAL(sw_run(args, &out), 0);
    sw_expect(out, "6 of 6 points complete");
    sw_expect(out, "sweep report: farm-sweep.html");
    free(out);
    check_page_in_chromium("farm-sweep.html", sweep_id);
    snprintf(args, sizeof args, "show %s --store '%s' --html x.html", vrun, pg_uri);
    CU_ASSERT_EQUAL(sw_run(args, &out), 2);
    sw_expect(out, "--html writes a sweep's page");
    free(out);
}

/* The retry limit: one job with --max-attempts 2 whose run stalls; its
 * worker is SIGKILLed on each of the 2 attempts (when the store shows the
 * attempt running, so no timing is involved).  The next worker must not
 * claim it a third time: the job is failed, both attempts' runs abandoned. */
static void test_farm_retry_limit(void)
{
    sw_rig("retry.cfg", "batch_ms = 10; stall_at = 5; stall_ms = 120000;", 8, NULL);
    char args[8192], *out = NULL, job[96] = "", sql[512], p[512];
    snprintf(args, sizeof args, "submit retry.cfg --max-attempts 2 --store '%s'", pg_uri);
    int rc = sw_run(args, &out);
    if (rc)
        fprintf(stderr, "%s\n", out ? out : "");
    CU_ASSERT_EQUAL_FATAL(rc, 0);
    const char *q = out ? strstr(out, "queued job-") : NULL;
    if (q)
        snprintf(job, sizeof job, "%.*s", (int)strcspn(q + 7, ":"), q + 7);
    free(out);
    CU_ASSERT_FATAL(job[0] == 'j');
    snprintf(args, sizeof args, "submit retry.cfg --max-attempts 0 --store '%s'", pg_uri);
    CU_ASSERT_EQUAL(sw_run(args, &out), 2);
    sw_expect(out, "--max-attempts 0: expected a number from 1 to 1000000");
    free(out);

    PGconn *c = PQconnectdb(pg_uri);
    CU_ASSERT_EQUAL_FATAL(PQstatus(c), CONNECTION_OK);
    snprintf(sql, sizeof sql, "SELECT max_attempts FROM jobs WHERE id = '%s'", job);
    CU_ASSERT_EQUAL(pq_int(c, sql), 2);
    for (int attempt = 1; attempt <= 2; attempt++) {
        pid_t w = start_worker_lease(10 + attempt, "1");
        /* Wait until this attempt's run stored its first batch (it then stalls). */
        snprintf(sql, sizeof sql, "SELECT count(*) FROM jobs j JOIN runs r ON r.job_id = j.id "
                                  "WHERE j.id = '%s' AND j.status = 'running' AND j.attempts "
                                  "= %d AND r.attempt = %d AND r.n_done >= 4", job, attempt,
                 attempt);
        int seen = 0;
        for (int i = 0; i < 3000 && !seen; i++) {
            seen = pq_int(c, sql) == 1;
            struct timespec nap = { 0, 20000000 };
            nanosleep(&nap, NULL);
        }
        CU_ASSERT_FATAL(seen);
        kill(w, SIGKILL);
        int st = 0;
        waitpid(w, &st, 0);
        CU_ASSERT(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
    }
    /* A third worker: the lease of attempt 2 expires, the job is given up
     * instead of claimed, and the worker finds the queue empty. */
    pid_t w = start_worker_lease(13, "1");
    int st = 0;
    waitpid(w, &st, 0);
    CU_ASSERT(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    snprintf(p, sizeof p, "%s/worker13.out", sw_dir);
    char *log = neurio_test_read_file(p, NULL);
    sw_expect(log, "1 job failed: it reached its retry limit");
    sw_expect(log, "0 runs served");
    free(log);
    snprintf(sql, sizeof sql, "SELECT count(*) FROM jobs WHERE id = '%s' AND status = 'failed' "
                              "AND attempts = 2 AND finished_at IS NOT NULL AND error LIKE "
                              "'gave up after 2 attempts (max_attempts 2)%%(the last: w12)'",
             job);
    CU_ASSERT_EQUAL(pq_int(c, sql), 1);
    snprintf(sql, sizeof sql, "SELECT count(*) FROM runs WHERE job_id = '%s' AND status = "
                              "'abandoned' AND complete = 0", job);
    CU_ASSERT_EQUAL(pq_int(c, sql), 2);
    snprintf(sql, sizeof sql, "SELECT count(*) FROM runs WHERE job_id = '%s' AND attempt = 3",
             job);
    CU_ASSERT_EQUAL(pq_int(c, sql), 0);
    PQfinish(c);
}

static void test_sqlite_refused(void)
{
    char *out = NULL;
    sw_rig("lone.cfg", NULL, 4, NULL);
    CU_ASSERT_EQUAL(sw_run("submit lone.cfg --store sqlite:farm.db", &out), 1);
    sw_expect(out, "the farm needs a PostgreSQL store");
    free(out);
    CU_ASSERT_EQUAL(sw_run("worker --store sqlite:farm.db --until-empty", &out), 1);
    sw_expect(out, "the farm needs a PostgreSQL store");
    free(out);
    CU_ASSERT_EQUAL(sw_run("worker --store sqlite:farm.db --lease 0", &out), 2);
    sw_expect(out, "--lease 0: expected seconds");
    free(out);
}

int neurio_register_tests(void)
{
    sw_setup();
    pg_start();
    CU_pSuite s = CU_add_suite("farm", NULL, NULL);
    if (!s)
        return -1;
    CU_add_test(s, "3 workers, 6 runs, one worker SIGKILLed mid-run", test_farm_kill_one_worker);
    CU_add_test(s, "retry limit: a job whose workers keep dying fails after N attempts",
                test_farm_retry_limit);
    CU_add_test(s, "SQLite store refused", test_sqlite_refused);
    return 0;
}

/* tests/store/store_cases.c — the result store's contract, run against a
 * real engine: schema creation and versioning, runs/rows/metrics round trip,
 * atomic batches, lookups by prefix, refusal of a newer schema, and a run
 * killed with SIGKILL after N results keeping N rows marked incomplete. */
#include "store_cases.h"

#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "store/store.h"
#include "test_util.h"

static const store_engine *E;

static nr_store_run sample_run(const char *id, const char *started)
{
    return (nr_store_run){
        .run_id = id, .started_at = started, .task = "classification",
        .rig_path = "/rigs/kws.cfg", .plugin = "host", .plugin_version = "0.1.0",
        .plugin_path = "/x/host.so", .model_sha256 = "ab12cd", .model_name = "kws",
        .model_path = "/m/kws.tflite", .model_format = "tflite", .board = "x86_64 host",
        .cpu = "x86_64", .firmware = "libmodel.so", .toolchain = "cc 12.2.0",
        .cycle_source = "rdtsc", .cycle_unit = "cycles", .clock_hz = 3e9,
        .neurio_version = "0.1.0", .git_revision = "deadbeef", .host = "ci",
        .n_planned = 10, .batch_size = 4,
    };
}

static nr_store_row row(uint64_t i)
{
    return (nr_store_row){ .index = i, .host_ns = 1000 + i, .cycles = 5000 + i,
                           .stack_bytes = (uint32_t)(i ? 100 : 0), .has_label = 1,
                           .label = (int64_t)(i % 3), .has_prediction = 1,
                           .prediction = (int64_t)(i % 2), .score = i == 1 ? NAN : 0.25 * (double)i };
}

static void test_round_trip(void)
{
    const char *spec = E->fresh("roundtrip");
    nr_store *s = NULL;
    neurio_errbuf err = { { 0 } };
    CU_ASSERT_EQUAL_FATAL(nr_store_open(spec, NR_STORE_WRITE, &s, &err), 0);
    CU_ASSERT_EQUAL(nr_store_schema_version(s), NR_STORE_SCHEMA_VERSION);
    CU_ASSERT_STRING_EQUAL(nr_store_kind(s), E->name);
    nr_store_run r1 = sample_run("20261126-050000-host-aaaa", "2026-11-26T05:00:00Z");
    nr_store_run r2 = sample_run("20261126-060000-host-bbbb", "2026-11-26T06:00:00Z");
    CU_ASSERT_EQUAL_FATAL(nr_store_begin_run(s, &r1, &err), 0);
    CU_ASSERT_EQUAL_FATAL(nr_store_begin_run(s, &r2, &err), 0); /* same model+device */
    nr_store_row rows[6];
    for (int i = 0; i < 6; i++)
        rows[i] = row((uint64_t)i);
    CU_ASSERT_EQUAL(nr_store_add_rows(s, r1.run_id, rows, 4, &err), 0);
    CU_ASSERT_EQUAL(nr_store_add_rows(s, r1.run_id, rows + 4, 2, &err), 0);
    nr_metrics m = { 0 };
    nr_metrics_add(&m, "accuracy", "top1_accuracy", 0.875, "ratio", "y.npy");
    nr_metrics_add(&m, "latency", "host_latency_p50", 1.25, "ms", "host clock");
    CU_ASSERT_EQUAL(nr_store_finish_run(s, r1.run_id, "ok", 0, NULL, "2026-11-26T05:00:09Z",
                                        &m, "/runs/a/profile.json", NULL, &err), 0);
    nr_metrics_free(&m);
    nr_store_close(s);

    CU_ASSERT_EQUAL_FATAL(nr_store_open(spec, NR_STORE_READ, &s, &err), 0);
    nr_store_run_info info;
    CU_ASSERT_EQUAL_FATAL(nr_store_get_run(s, "20261126-05", &info, &err), 0); /* prefix */
    CU_ASSERT_STRING_EQUAL(info.run_id, r1.run_id);
    CU_ASSERT_STRING_EQUAL(info.status, "ok");
    CU_ASSERT_EQUAL(info.n_done, 6);
    CU_ASSERT_EQUAL(info.n_planned, 10);
    CU_ASSERT_STRING_EQUAL(info.model_name, "kws");
    CU_ASSERT_STRING_EQUAL(info.board, "x86_64 host");
    CU_ASSERT_STRING_EQUAL(info.git_revision, "deadbeef");
    CU_ASSERT_STRING_EQUAL(info.cycle_source, "rdtsc");
    CU_ASSERT_STRING_EQUAL(info.finished_at, "2026-11-26T05:00:09Z");
    CU_ASSERT_EQUAL(nr_store_get_run(s, "last", &info, &err), 0);
    CU_ASSERT_STRING_EQUAL(info.run_id, r2.run_id);
    CU_ASSERT_STRING_EQUAL(info.status, "running");
    CU_ASSERT_EQUAL(info.complete, 0);
    CU_ASSERT_EQUAL(nr_store_get_run(s, "2026", &info, &err), NEURIO_ERR_INVALID);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "several runs"));
    CU_ASSERT_EQUAL(nr_store_get_run(s, "nope", &info, &err), NEURIO_ERR_INVALID);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "no run 'nope'"));

    nr_metrics got = { 0 };
    CU_ASSERT_EQUAL(nr_store_get_metrics(s, r1.run_id, &got, &err), 0);
    CU_ASSERT_EQUAL(got.n, 2);
    const nr_metric *t1 = nr_metrics_find(&got, "top1_accuracy");
    CU_ASSERT_PTR_NOT_NULL_FATAL(t1);
    CU_ASSERT_DOUBLE_EQUAL(t1->value, 0.875, 1e-12);
    CU_ASSERT_STRING_EQUAL(t1->unit, "ratio");
    CU_ASSERT_STRING_EQUAL(t1->source, "y.npy");
    CU_ASSERT_STRING_EQUAL(t1->group, "accuracy");
    nr_metrics_free(&got);

    nr_store_row back[8];
    size_t n = 0;
    CU_ASSERT_EQUAL(nr_store_get_rows(s, r1.run_id, back, 8, &n, &err), 0);
    CU_ASSERT_EQUAL_FATAL(n, 6);
    CU_ASSERT_EQUAL(back[5].index, 5);
    CU_ASSERT_EQUAL(back[5].cycles, 5005);
    CU_ASSERT_EQUAL(back[0].stack_bytes, 0); /* NULL round trip */
    CU_ASSERT(isnan(back[1].score));
    CU_ASSERT_DOUBLE_EQUAL(back[4].score, 1.0, 1e-12);
    CU_ASSERT_EQUAL(back[4].label, 1);

    nr_store_close(s);
}

typedef struct list_acc {
    int n;
    char first[64];
} list_acc;

static int list_cb(void *user, const nr_store_run_info *r)
{
    list_acc *a = user;
    if (a->n++ == 0)
        snprintf(a->first, sizeof a->first, "%s", r->run_id);
    return 0;
}

static void test_list_and_atomic_batch(void)
{
    const char *spec = E->fresh("atomic");
    nr_store *s = NULL;
    neurio_errbuf err = { { 0 } };
    CU_ASSERT_EQUAL_FATAL(nr_store_open(spec, NR_STORE_WRITE, &s, &err), 0);
    nr_store_run r1 = sample_run("run-1", "2026-11-26T05:00:00Z");
    nr_store_run r2 = sample_run("run-2", "2026-11-26T07:00:00Z");
    r2.model_sha256 = "ffff"; /* a second model */
    CU_ASSERT_EQUAL_FATAL(nr_store_begin_run(s, &r1, &err), 0);
    CU_ASSERT_EQUAL_FATAL(nr_store_begin_run(s, &r2, &err), 0);
    CU_ASSERT_NOT_EQUAL(nr_store_begin_run(s, &r1, &err), 0); /* duplicate id refused */
    list_acc a = { 0 };
    CU_ASSERT_EQUAL(nr_store_list_runs(s, 0, list_cb, &a, &err), 0);
    CU_ASSERT_EQUAL(a.n, 2);
    CU_ASSERT_STRING_EQUAL(a.first, "run-2"); /* newest first */
    a = (list_acc){ 0 };
    CU_ASSERT_EQUAL(nr_store_list_runs(s, 1, list_cb, &a, &err), 0);
    CU_ASSERT_EQUAL(a.n, 1);

    /* A batch whose third row repeats an index fails as a whole: no row of
     * it is kept (never a half-written batch), earlier batches stay. */
    nr_store_row ok[2] = { row(0), row(1) };
    CU_ASSERT_EQUAL(nr_store_add_rows(s, "run-1", ok, 2, &err), 0);
    nr_store_row bad[3] = { row(2), row(3), row(2) };
    CU_ASSERT_EQUAL(nr_store_add_rows(s, "run-1", bad, 3, &err), NEURIO_ERR_IO);
    CU_ASSERT(strlen(err.msg) > 0);
    size_t n = 99;
    CU_ASSERT_EQUAL(nr_store_get_rows(s, "run-1", NULL, 0, &n, &err), 0);
    CU_ASSERT_EQUAL(n, 2);
    /* The store is still usable after the rollback. */
    nr_store_row next[1] = { row(2) };
    CU_ASSERT_EQUAL(nr_store_add_rows(s, "run-1", next, 1, &err), 0);
    nr_store_run_info info;
    CU_ASSERT_EQUAL(nr_store_get_run(s, "run-1", &info, &err), 0);
    CU_ASSERT_EQUAL(info.n_done, 3);
    nr_store_close(s);
}

static void test_newer_schema_refused(void)
{
    const char *spec = E->fresh("newer");
    nr_store *s = NULL;
    neurio_errbuf err = { { 0 } };
    CU_ASSERT_EQUAL_FATAL(nr_store_open(spec, NR_STORE_WRITE, &s, &err), 0);
    nr_store_close(s);
    /* Reopening an up-to-date store is a no-op migration. */
    CU_ASSERT_EQUAL_FATAL(nr_store_open(spec, NR_STORE_WRITE, &s, &err), 0);
    CU_ASSERT_EQUAL(nr_store_schema_version(s), NR_STORE_SCHEMA_VERSION);
    nr_store_close(s);
    CU_ASSERT_EQUAL_FATAL(E->raw_exec(spec, "UPDATE neurio_schema SET version = 99"), 0);
    s = NULL;
    CU_ASSERT_EQUAL(nr_store_open(spec, NR_STORE_WRITE, &s, &err), NEURIO_ERR_UNSUPPORTED);
    CU_ASSERT_PTR_NULL(s);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "schema version 99"));
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "upgrade neurio"));
    CU_ASSERT_EQUAL(nr_store_open(spec, NR_STORE_READ, &s, &err), NEURIO_ERR_UNSUPPORTED);
}

/* The child writes one row per "batch" and tells the parent; the parent
 * SIGKILLs it after N rows, as a crash or kill -9 would. */
static void test_killed_run_keeps_rows(void)
{
    const char *spec = E->fresh("killed");
    enum { N = 5 };
    int fds[2];
    CU_ASSERT_EQUAL_FATAL(pipe(fds), 0);
    fflush(NULL);
    pid_t pid = fork();
    CU_ASSERT_FATAL(pid >= 0);
    if (pid == 0) {
        close(fds[0]);
        nr_store *s = NULL;
        neurio_errbuf err;
        if (nr_store_open(spec, NR_STORE_WRITE, &s, &err))
            _exit(3);
        nr_store_run r = sample_run("killed-run", "2026-11-26T05:30:00Z");
        r.n_planned = 100;
        if (nr_store_begin_run(s, &r, &err))
            _exit(4);
        for (uint64_t i = 0; i < 100; i++) {
            nr_store_row w = row(i);
            if (nr_store_add_rows(s, "killed-run", &w, 1, &err))
                _exit(5);
            if (write(fds[1], "x", 1) != 1)
                _exit(6);
            if (i + 1 == N)
                for (;;)
                    pause(); /* a device that hangs: the user kills -9 */
        }
        _exit(0);
    }
    close(fds[1]);
    char buf[N];
    size_t got = 0;
    while (got < N) {
        ssize_t k = read(fds[0], buf + got, N - got);
        if (k <= 0)
            break;
        got += (size_t)k;
    }
    close(fds[0]);
    kill(pid, SIGKILL);
    int st = 0;
    waitpid(pid, &st, 0);
    CU_ASSERT_EQUAL_FATAL(got, N);
    CU_ASSERT(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);

    nr_store *s = NULL;
    neurio_errbuf err = { { 0 } };
    CU_ASSERT_EQUAL_FATAL(nr_store_open(spec, NR_STORE_READ, &s, &err), 0);
    nr_store_run_info info;
    CU_ASSERT_EQUAL_FATAL(nr_store_get_run(s, "killed-run", &info, &err), 0);
    CU_ASSERT_EQUAL(info.complete, 0);            /* the incomplete marker */
    CU_ASSERT_STRING_EQUAL(info.status, "running");
    CU_ASSERT_STRING_EQUAL(info.finished_at, "");
    CU_ASSERT_EQUAL(info.n_done, N);
    CU_ASSERT_EQUAL(info.n_planned, 100);
    size_t n = 0;
    nr_store_row back[N + 1];
    CU_ASSERT_EQUAL(nr_store_get_rows(s, "killed-run", back, N + 1, &n, &err), 0);
    CU_ASSERT_EQUAL(n, N);
    CU_ASSERT_EQUAL(back[N - 1].index, N - 1);
    nr_store_close(s);
}

/* Several runs opening one fresh store at the same moment: the migration
 * lock makes exactly one create the schema and every opener succeed. */
static void test_concurrent_first_open(void)
{
    const char *spec = E->fresh("concurrent");
    enum { K = 4 };
    pid_t pids[K];
    int go[2];
    CU_ASSERT_EQUAL_FATAL(pipe(go), 0);
    fflush(NULL);
    for (int k = 0; k < K; k++) {
        pids[k] = fork();
        CU_ASSERT_FATAL(pids[k] >= 0);
        if (pids[k] == 0) {
            close(go[1]);
            char c;
            if (read(go[0], &c, 1) != 0) /* wait until the parent closes: all start together */
                _exit(9);
            nr_store *s = NULL;
            neurio_errbuf err;
            int rc = nr_store_open(spec, NR_STORE_WRITE, &s, &err);
            if (rc)
                fprintf(stderr, "child %d: %s\n", k, err.msg);
            nr_store_close(s);
            _exit(rc ? 1 : 0);
        }
    }
    close(go[0]);
    close(go[1]);
    for (int k = 0; k < K; k++) {
        int st = -1;
        waitpid(pids[k], &st, 0);
        CU_ASSERT(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    }
    nr_store *s = NULL;
    neurio_errbuf err = { { 0 } };
    CU_ASSERT_EQUAL_FATAL(nr_store_open(spec, NR_STORE_READ, &s, &err), 0);
    CU_ASSERT_EQUAL(nr_store_schema_version(s), NR_STORE_SCHEMA_VERSION);
    nr_store_close(s);
}

/* Version 2: per-layer means and sweep/job membership round trip; a store
 * left at version 1 is read as it is (no layers, no membership) and
 * migrated by the next writer, keeping its runs. */
static void test_v2_layers_and_v1_upgrade(void)
{
    const char *spec = E->fresh("v2layers");
    nr_store *s = NULL;
    neurio_errbuf err = { { 0 } };
    CU_ASSERT_EQUAL_FATAL(nr_store_open(spec, NR_STORE_WRITE, &s, &err), 0);
    nr_store_run r = sample_run("20261207-010000-host-v2aa", "2026-12-07T01:00:00Z");
    r.sweep_id = "sw-1";
    r.sweep_point = 3;
    r.job_id = "job-9";
    r.attempt = 2;
    CU_ASSERT_EQUAL_FATAL(nr_store_begin_run(s, &r, &err), 0);
    nr_store_layer l[3];
    memset(l, 0, sizeof l);
    for (int i = 0; i < 3; i++) {
        l[i].index = (uint32_t)i;
        snprintf(l[i].op, sizeof l[i].op, "CONV_2D");
        snprintf(l[i].name, sizeof l[i].name, "conv%d", i);
        l[i].mean = 1000.5 * (i + 1);
        snprintf(l[i].unit, sizeof l[i].unit, "cycles");
    }
    CU_ASSERT_EQUAL(nr_store_set_layers(s, r.run_id, l, 3, &err), 0);
    CU_ASSERT_EQUAL(nr_store_set_layers(s, r.run_id, l, 3, &err), 0); /* replaces */
    nr_store_layer *got = NULL;
    size_t n = 0;
    CU_ASSERT_EQUAL_FATAL(nr_store_get_layers(s, r.run_id, &got, &n, &err), 0);
    CU_ASSERT_EQUAL_FATAL(n, 3);
    CU_ASSERT_STRING_EQUAL(got[2].name, "conv2");
    CU_ASSERT_DOUBLE_EQUAL(got[2].mean, 3001.5, 1e-9);
    free(got);
    nr_store_run_info info;
    CU_ASSERT_EQUAL_FATAL(nr_store_get_run(s, "20261207-010000-host-v2", &info, &err), 0);
    CU_ASSERT_STRING_EQUAL(info.sweep_id, "sw-1");
    CU_ASSERT_EQUAL(info.sweep_point, 3);
    CU_ASSERT_STRING_EQUAL(info.job_id, "job-9");
    CU_ASSERT_EQUAL(info.attempt, 2);
    nr_store_close(s);

    /* Back to a version-1 layout: what an older neurio wrote. */
    const char *old = E->fresh("v1store");
    CU_ASSERT_EQUAL_FATAL(nr_store_open(old, NR_STORE_WRITE, &s, &err), 0);
    nr_store_run r1 = sample_run("20261207-020000-host-v1aa", "2026-12-07T02:00:00Z");
    CU_ASSERT_EQUAL_FATAL(nr_store_begin_run(s, &r1, &err), 0);
    nr_store_close(s);
    static const char *const down[] = {
        "DROP TABLE layer_debug", "DROP TABLE layers", "DROP TABLE sweep_points", "DROP TABLE sweeps", "DROP TABLE jobs",
        "DROP INDEX runs_sweep", "ALTER TABLE runs DROP COLUMN sweep_id",
        "ALTER TABLE runs DROP COLUMN sweep_point", "ALTER TABLE runs DROP COLUMN job_id",
        "ALTER TABLE runs DROP COLUMN attempt", "UPDATE neurio_schema SET version = 1",
    };
    for (size_t i = 0; i < sizeof down / sizeof down[0]; i++)
        CU_ASSERT_EQUAL_FATAL(E->raw_exec(old, down[i]), 0);
    CU_ASSERT_EQUAL_FATAL(nr_store_open(old, NR_STORE_READ, &s, &err), 0);
    CU_ASSERT_EQUAL(nr_store_schema_version(s), 1);
    CU_ASSERT_EQUAL_FATAL(nr_store_get_run(s, "last", &info, &err), 0);
    CU_ASSERT_STRING_EQUAL(info.run_id, r1.run_id);
    CU_ASSERT_EQUAL(info.sweep_point, -1);
    CU_ASSERT_EQUAL(nr_store_get_layers(s, r1.run_id, &got, &n, &err), 0);
    CU_ASSERT_EQUAL(n, 0);
    nr_store_close(s);
    CU_ASSERT_EQUAL_FATAL(nr_store_open(old, NR_STORE_WRITE, &s, &err), 0);
    CU_ASSERT_EQUAL(nr_store_schema_version(s), NR_STORE_SCHEMA_VERSION);
    CU_ASSERT_EQUAL(nr_store_get_run(s, r1.run_id, &info, &err), 0);
    CU_ASSERT_EQUAL(nr_store_set_layers(s, r1.run_id, l, 1, &err), 0);
    nr_store_close(s);
}

/* Version 3: per-layer debug rows round trip (an identical layer's
 * infinite SNR comes back infinite), replaced per ref, kept apart by ref. */
static void test_v3_layer_debug(void)
{
    const char *spec = E->fresh("v3debug");
    nr_store *s = NULL;
    neurio_errbuf err = { { 0 } };
    CU_ASSERT_EQUAL_FATAL(nr_store_open(spec, NR_STORE_WRITE, &s, &err), 0);
    nr_store_run r = sample_run("20261207-030000-host-v3aa", "2026-12-07T03:00:00Z");
    CU_ASSERT_EQUAL_FATAL(nr_store_begin_run(s, &r, &err), 0);
    nr_store_layer_debug d[2];
    memset(d, 0, sizeof d);
    for (int i = 0; i < 2; i++) {
        snprintf(d[i].ref, sizeof d[i].ref, "device");
        d[i].index = (uint32_t)i;
        snprintf(d[i].op, sizeof d[i].op, "CONV_2D");
        snprintf(d[i].tensor, sizeof d[i].tensor, "t%d", i);
        snprintf(d[i].dtype, sizeof d[i].dtype, "int8");
        d[i].samples = 2;
        d[i].elements = 16000;
    }
    d[1].mismatches = 7;
    d[1].max_abs = 0.25;
    d[1].rel_l2 = 0.01;
    d[1].snr_db = 40.0;
    d[0].snr_db = INFINITY;
    CU_ASSERT_EQUAL(nr_store_set_layer_debug(s, r.run_id, d, 2, &err), 0);
    CU_ASSERT_EQUAL(nr_store_set_layer_debug(s, r.run_id, d, 2, &err), 0); /* replaces */
    snprintf(d[0].ref, sizeof d[0].ref, "float");
    CU_ASSERT_EQUAL(nr_store_set_layer_debug(s, r.run_id, d, 1, &err), 0);
    nr_store_layer_debug *got = NULL;
    size_t n = 0;
    CU_ASSERT_EQUAL_FATAL(nr_store_get_layer_debug(s, r.run_id, &got, &n, &err), 0);
    CU_ASSERT_EQUAL_FATAL(n, 3);
    CU_ASSERT_STRING_EQUAL(got[0].ref, "device");
    CU_ASSERT(isinf(got[0].snr_db) && got[0].snr_db > 0);
    CU_ASSERT_EQUAL(got[1].mismatches, 7);
    CU_ASSERT_EQUAL(got[1].elements, 16000);
    CU_ASSERT_DOUBLE_EQUAL(got[1].snr_db, 40.0, 1e-9);
    CU_ASSERT_STRING_EQUAL(got[1].tensor, "t1");
    CU_ASSERT_STRING_EQUAL(got[2].ref, "float");
    free(got);
    nr_store_close(s);
}

/* Version 4: a row per output of a layer; a version-3 store (one row per
 * layer, no out_idx) is read as it is (rows = first outputs) and the next
 * writer rebuilds the table keeping its rows. */
static void test_v4_outputs_and_v3_upgrade(void)
{
    const char *spec = E->fresh("v4debug");
    nr_store *s = NULL;
    neurio_errbuf err = { { 0 } };
    CU_ASSERT_EQUAL_FATAL(nr_store_open(spec, NR_STORE_WRITE, &s, &err), 0);
    nr_store_run r = sample_run("20261207-040000-host-v4aa", "2026-12-07T04:00:00Z");
    CU_ASSERT_EQUAL_FATAL(nr_store_begin_run(s, &r, &err), 0);
    nr_store_layer_debug d[3];
    memset(d, 0, sizeof d);
    for (int i = 0; i < 3; i++) {
        snprintf(d[i].ref, sizeof d[i].ref, "float");
        d[i].index = i < 2 ? 0 : 1; /* layer 0 has two outputs */
        d[i].output = i == 1 ? 1 : 0;
        snprintf(d[i].op, sizeof d[i].op, i < 2 ? "SPLIT" : "RELU");
        snprintf(d[i].tensor, sizeof d[i].tensor, "t%d", i);
        d[i].samples = 4;
        d[i].elements = 10;
        d[i].snr_db = 30.0 + i;
    }
    CU_ASSERT_EQUAL(nr_store_set_layer_debug(s, r.run_id, d, 3, &err), 0);
    nr_store_layer_debug *got = NULL;
    size_t n = 0;
    CU_ASSERT_EQUAL_FATAL(nr_store_get_layer_debug(s, r.run_id, &got, &n, &err), 0);
    CU_ASSERT_EQUAL_FATAL(n, 3);
    CU_ASSERT_EQUAL(got[1].index, 0);
    CU_ASSERT_EQUAL(got[1].output, 1);
    CU_ASSERT_STRING_EQUAL(got[1].tensor, "t1");
    CU_ASSERT_EQUAL(got[2].index, 1);
    free(got);
    nr_store_close(s);

    /* Back to the version-3 layout with one row, as an older neurio left it. */
    static const char *const down[] = {
        "DROP TABLE layer_debug",
        "CREATE TABLE layer_debug (run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE, "
        "ref TEXT NOT NULL, idx INTEGER NOT NULL, op TEXT, tensor TEXT, dtype TEXT, "
        "samples INTEGER NOT NULL, elements BIGINT NOT NULL, mismatches BIGINT NOT NULL, "
        "max_abs DOUBLE PRECISION, rel_l2 DOUBLE PRECISION, snr_db DOUBLE PRECISION, "
        "PRIMARY KEY (run_id, ref, idx))",
        "INSERT INTO layer_debug VALUES ('20261207-040000-host-v4aa', 'device', 2, 'CONV_2D', "
        "'c2', 'int8', 2, 100, 3, 0.5, 0.01, 40.0)",
        "UPDATE neurio_schema SET version = 3",
    };
    for (size_t i = 0; i < sizeof down / sizeof down[0]; i++)
        CU_ASSERT_EQUAL_FATAL(E->raw_exec(spec, down[i]), 0);
    CU_ASSERT_EQUAL_FATAL(nr_store_open(spec, NR_STORE_READ, &s, &err), 0);
    CU_ASSERT_EQUAL(nr_store_schema_version(s), 3);
    CU_ASSERT_EQUAL_FATAL(nr_store_get_layer_debug(s, r.run_id, &got, &n, &err), 0);
    CU_ASSERT_EQUAL_FATAL(n, 1);
    CU_ASSERT_EQUAL(got[0].index, 2);
    CU_ASSERT_EQUAL(got[0].output, 0);
    CU_ASSERT_EQUAL(got[0].mismatches, 3);
    free(got);
    /* writing per-output rows needs the upgrade, and says so */
    CU_ASSERT_EQUAL(nr_store_set_layer_debug(s, r.run_id, d, 3, &err), NEURIO_ERR_INVALID);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "open it for writing once to upgrade it"));
    nr_store_close(s);
    CU_ASSERT_EQUAL_FATAL(nr_store_open(spec, NR_STORE_WRITE, &s, &err), 0);
    CU_ASSERT_EQUAL(nr_store_schema_version(s), NR_STORE_SCHEMA_VERSION);
    CU_ASSERT_EQUAL(nr_store_set_layer_debug(s, r.run_id, d, 3, &err), 0);
    CU_ASSERT_EQUAL_FATAL(nr_store_get_layer_debug(s, r.run_id, &got, &n, &err), 0);
    CU_ASSERT_EQUAL_FATAL(n, 4); /* the kept device row and the three float rows */
    CU_ASSERT_STRING_EQUAL(got[0].ref, "device");
    CU_ASSERT_STRING_EQUAL(got[0].tensor, "c2");
    CU_ASSERT_DOUBLE_EQUAL(got[0].snr_db, 40.0, 1e-9);
    CU_ASSERT_STRING_EQUAL(got[2].ref, "float");
    CU_ASSERT_EQUAL(got[2].output, 1);
    free(got);
    nr_store_close(s);
}

/* Version 5: each layer's weight layout round trips (a layer with a
 * layout and no measured count too); a version-4 store, its layers table
 * as the old schema created it, is read as it is (no layouts) and the next
 * writer rebuilds the table keeping its rows. */
static void test_v5_layouts_and_v4_upgrade(void)
{
    const char *spec = E->fresh("v5layout");
    nr_store *s = NULL;
    neurio_errbuf err = { { 0 } };
    CU_ASSERT_EQUAL_FATAL(nr_store_open(spec, NR_STORE_WRITE, &s, &err), 0);
    nr_store_run r = sample_run("20261207-050000-host-v5aa", "2026-12-07T05:00:00Z");
    CU_ASSERT_EQUAL_FATAL(nr_store_begin_run(s, &r, &err), 0);
    nr_store_layer l[3];
    memset(l, 0, sizeof l);
    static const char *const lay[] = { "packed int16", "", "straight-line" };
    for (int i = 0; i < 3; i++) {
        l[i].index = (uint32_t)i;
        snprintf(l[i].op, sizeof l[i].op, i == 1 ? "RELU" : "FULLY_CONNECTED");
        l[i].mean = i < 2 ? 500.0 * (i + 1) : NAN; /* layer 2: a layout, no count */
        snprintf(l[i].unit, sizeof l[i].unit, "cycles");
        snprintf(l[i].layout, sizeof l[i].layout, "%s", lay[i]);
        l[i].layout_bytes = i == 1 ? 0 : 81920u * (i + 1) + 5000000000ull; /* > 32 bits */
        l[i].added_bytes = i == 1 ? 0 : 40960u + (uint64_t)i;
    }
    CU_ASSERT_EQUAL(nr_store_set_layers(s, r.run_id, l, 3, &err), 0);
    nr_store_layer *got = NULL;
    size_t n = 0;
    CU_ASSERT_EQUAL_FATAL(nr_store_get_layers(s, r.run_id, &got, &n, &err), 0);
    CU_ASSERT_EQUAL_FATAL(n, 3);
    CU_ASSERT_STRING_EQUAL(got[0].layout, "packed int16");
    CU_ASSERT_EQUAL(got[0].layout_bytes, 81920u + 5000000000ull);
    CU_ASSERT_EQUAL(got[0].added_bytes, 40960u);
    CU_ASSERT_STRING_EQUAL(got[1].layout, "");
    CU_ASSERT_EQUAL(got[1].layout_bytes, 0);
    CU_ASSERT_DOUBLE_EQUAL(got[1].mean, 1000.0, 1e-9);
    CU_ASSERT_STRING_EQUAL(got[2].layout, "straight-line");
    CU_ASSERT_EQUAL(got[2].layout_bytes, 3 * 81920u + 5000000000ull);
    CU_ASSERT_EQUAL(got[2].added_bytes, 40962u);
    CU_ASSERT(isnan(got[2].mean));
    free(got);
    nr_store_close(s);

    /* Back to the version-4 layers table (schema 2's definition) with one
     * row, as an older neurio left it. */
    static const char *const down[] = {
        "DROP TABLE layers",
        "CREATE TABLE layers (run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE, "
        "idx INTEGER NOT NULL, op TEXT, name TEXT, mean DOUBLE PRECISION NOT NULL, "
        "unit TEXT NOT NULL, PRIMARY KEY (run_id, idx))",
        "INSERT INTO layers VALUES ('20261207-050000-host-v5aa', 7, 'CONV_2D', 'c7', 1234.5, "
        "'instructions')",
        "UPDATE neurio_schema SET version = 4",
    };
    for (size_t i = 0; i < sizeof down / sizeof down[0]; i++)
        CU_ASSERT_EQUAL_FATAL(E->raw_exec(spec, down[i]), 0);
    CU_ASSERT_EQUAL_FATAL(nr_store_open(spec, NR_STORE_READ, &s, &err), 0);
    CU_ASSERT_EQUAL(nr_store_schema_version(s), 4);
    CU_ASSERT_EQUAL_FATAL(nr_store_get_layers(s, r.run_id, &got, &n, &err), 0);
    CU_ASSERT_EQUAL_FATAL(n, 1);
    CU_ASSERT_EQUAL(got[0].index, 7);
    CU_ASSERT_STRING_EQUAL(got[0].layout, "");
    CU_ASSERT_DOUBLE_EQUAL(got[0].mean, 1234.5, 1e-9);
    free(got);
    /* writing layouts needs the upgrade, and says so */
    CU_ASSERT_EQUAL(nr_store_set_layers(s, r.run_id, l, 3, &err), NEURIO_ERR_INVALID);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "open it for writing once to upgrade it"));
    nr_store_close(s);
    CU_ASSERT_EQUAL_FATAL(nr_store_open(spec, NR_STORE_WRITE, &s, &err), 0);
    CU_ASSERT_EQUAL(nr_store_schema_version(s), NR_STORE_SCHEMA_VERSION);
    CU_ASSERT_EQUAL_FATAL(nr_store_get_layers(s, r.run_id, &got, &n, &err), 0);
    CU_ASSERT_EQUAL_FATAL(n, 1); /* the old row kept, no layout */
    CU_ASSERT_STRING_EQUAL(got[0].name, "c7");
    CU_ASSERT_STRING_EQUAL(got[0].unit, "instructions");
    CU_ASSERT_STRING_EQUAL(got[0].layout, "");
    free(got);
    CU_ASSERT_EQUAL(nr_store_set_layers(s, r.run_id, l, 3, &err), 0);
    CU_ASSERT_EQUAL_FATAL(nr_store_get_layers(s, r.run_id, &got, &n, &err), 0);
    CU_ASSERT_EQUAL_FATAL(n, 3);
    CU_ASSERT_STRING_EQUAL(got[2].layout, "straight-line");
    CU_ASSERT(isnan(got[2].mean));
    free(got);
    nr_store_close(s);
}

static void test_bad_specs(void)
{
    nr_store *s = NULL;
    neurio_errbuf err = { { 0 } };
    CU_ASSERT_EQUAL(nr_store_open("mysql://x", NR_STORE_WRITE, &s, &err), NEURIO_ERR_CONFIG);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "unknown store 'mysql://x'"));
    CU_ASSERT_EQUAL(nr_store_open("sqlite:", NR_STORE_WRITE, &s, &err), NEURIO_ERR_CONFIG);
    CU_ASSERT_EQUAL(nr_store_open("", NR_STORE_WRITE, &s, &err), NEURIO_ERR_CONFIG);
    CU_ASSERT_PTR_NULL(s);
}

int store_cases_register(const store_engine *engine)
{
    E = engine;
    CU_pSuite s = CU_add_suite(engine->name, NULL, NULL);
    if (!s)
        return -1;
    CU_add_test(s, "round trip (runs, rows, metrics, lookups)", test_round_trip);
    CU_add_test(s, "listing and atomic batches", test_list_and_atomic_batch);
    CU_add_test(s, "newer schema refused", test_newer_schema_refused);
    CU_add_test(s, "SIGKILL after N results keeps N rows, incomplete", test_killed_run_keeps_rows);
    CU_add_test(s, "concurrent first open", test_concurrent_first_open);
    CU_add_test(s, "bad specs", test_bad_specs);
    CU_add_test(s, "v2: layers, membership; v1 read as is, then migrated",
                test_v2_layers_and_v1_upgrade);
    CU_add_test(s, "v3: per-layer debug rows", test_v3_layer_debug);
    CU_add_test(s, "v4: a debug row per layer output; v3 read as is, then migrated",
                test_v4_outputs_and_v3_upgrade);
    CU_add_test(s, "v5: weight layouts per layer; v4 read as is, then migrated",
                test_v5_layouts_and_v4_upgrade);
    return 0;
}

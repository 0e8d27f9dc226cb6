/* tests/report/test_report_e2e.c — reporting through the real launcher:
 * `neurio run` with the TEST-ONLY test_echo plugin on real models from
 * ../shared (classification with kws_ref_model, regression with
 * hello_world_int8, anomaly with ad01_int8), then `neurio runs`, `show` and
 * `compare` on the SQLite store it wrote; a device failing midway keeps its
 * rows and is marked incomplete; a store that is unreachable or has a newer
 * schema stops the run before the device is touched.  Skipped when
 * ../shared is absent. */
#include <limits.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "neurio/npy.h"
#include "test_util.h"

#define NEURIO NEURIO_BINARY_DIR "/core/neurio"
#define GOOD NEURIO_BINARY_DIR "/tests/plugins/good"

static char dir[PATH_MAX], shared[PATH_MAX];

static const char *write_rig(const char *name, const char *model, const char *task,
                             const char *extra_data, const char *output)
{
    static char path[PATH_MAX + 64];
    char text[8192];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    snprintf(text, sizeof text,
             "plugin_path = [ \"%s\" ];\n"
             "device = { plugin = \"test_echo\"; };\n"
             "model = { path = \"%s/models/%s.tflite\"; };\n"
             "data = { inputs = \"%s/golden/%s/input.npy\"; batch_size = 16; %s };\n"
             "task = { %s };\n"
             "output = { dir = \"runs\"; %s };\n",
             GOOD, shared, model, shared, model, extra_data, task, output);
    CU_ASSERT_EQUAL_FATAL(neurio_test_write_file(path, text, strlen(text)), 0);
    return path;
}

static int run(const char *args, char **out)
{
    char cmd[16384];
    snprintf(cmd, sizeof cmd, "cd '%s' && NO_COLOR=1 '%s' %s", dir, NEURIO, args);
    return neurio_test_run(cmd, out);
}

static void expect(const char *out, const char *needle)
{
    if (!out || !strstr(out, needle))
        fprintf(stderr, "\nexpected: %s\nin output:\n%s\n", needle, out ? out : "(null)");
    CU_ASSERT_PTR_NOT_NULL(out ? strstr(out, needle) : NULL);
}

/* The run directory printed as "report: <dir>/report.html". */
static int run_dir_of(const char *out, char *buf, size_t cap)
{
    const char *p = out ? strstr(out, "report: ") : NULL;
    if (!p)
        return -1;
    p += 8;
    const char *e = strstr(p, "/report.html");
    if (!e || (size_t)(e - p) >= cap)
        return -1;
    snprintf(buf, cap, "%.*s", (int)(e - p), p);
    return 0;
}

static int sql_int(const char *db, const char *sql, long long *v)
{
    sqlite3 *h = NULL;
    sqlite3_stmt *st = NULL;
    int rc = -1;
    if (sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
        sqlite3_prepare_v2(h, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW) {
        *v = sqlite3_column_int64(st, 0);
        rc = 0;
    }
    sqlite3_finalize(st);
    sqlite3_close(h);
    return rc;
}

static void test_classification_run(void)
{
    char labels[PATH_MAX + 64];
    snprintf(labels, sizeof labels, "labels = \"%s/golden/kws_ref_model/output.npy\";", shared);
    char task[PATH_MAX + 128];
    snprintf(task, sizeof task, "kind = \"classification\"; top_k = 3; reference = "
             "\"%s/golden/kws_ref_model/output.npy\";", shared);
    const char *rig = write_rig("kws.cfg", "kws_ref_model", task, labels, "");
    char *out = NULL, args[PATH_MAX * 2];
    snprintf(args, sizeof args, "run '%s'", rig);
    int st = run(args, &out);
    CU_ASSERT_EQUAL(st, 0);
    expect(out, "top1_accuracy");
    expect(out, "top3_accuracy");
    expect(out, "argmax_agreement");
    expect(out, "stored as run ");
    char rd[PATH_MAX];
    CU_ASSERT_EQUAL_FATAL(run_dir_of(out, rd, sizeof rd), 0);
    free(out);

    /* Every artefact is there; the profile validates against the schema. */
    static const char *const files[] = { "profile.json", "inferences.csv", "report.html",
                                         "pred.npy" };
    char p[PATH_MAX + 64];
    struct stat sb;
    for (size_t i = 0; i < 4; i++) {
        snprintf(p, sizeof p, "%s/%s", rd, files[i]);
        CU_ASSERT_EQUAL(stat(p, &sb), 0);
    }
    char cmd[3 * PATH_MAX];
    snprintf(cmd, sizeof cmd, "/usr/bin/python3 '%s/tests/report/validate_json.py' "
             "'%s/schema/profile.schema.json' '%s/profile.json'", NEURIO_SOURCE_DIR,
             NEURIO_SOURCE_DIR, rd);
    st = neurio_test_run(cmd, &out);
    if (st != 77) {
        if (st)
            fprintf(stderr, "%s\n", out ? out : "");
        CU_ASSERT_EQUAL(st, 0);
    }
    free(out);
    snprintf(p, sizeof p, "%s/report.html", rd);
    char *html = neurio_test_read_file(p, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(html);
    CU_ASSERT_PTR_NOT_NULL(strstr(html, "id=\"confusion-matrix\""));
    CU_ASSERT_PTR_NOT_NULL(strstr(html, "id=\"layer-bars\""));
    CU_ASSERT_PTR_NOT_NULL(strstr(html, "id=\"latency-histogram\""));
    free(html);
    /* Provenance: in a git checkout, the revision the launcher was
     * configured from (core/CMakeLists.txt) is in the profile. */
    snprintf(cmd, sizeof cmd, "git -C '%s' rev-parse --git-dir", NEURIO_SOURCE_DIR);
    if (neurio_test_run(cmd, NULL) == 0) {
        snprintf(p, sizeof p, "%s/profile.json", rd);
        char *prof = neurio_test_read_file(p, NULL);
        expect(prof, "\"git_revision\":\t\"");
        free(prof);
    }

    /* 64 rows in the store, a complete run with its KPIs. */
    char db[PATH_MAX + 32];
    snprintf(db, sizeof db, "%s/runs/results.db", dir);
    long long v = -1;
    CU_ASSERT_EQUAL(sql_int(db, "SELECT count(*) FROM inferences WHERE run_id = "
                                "(SELECT id FROM runs ORDER BY started_at DESC, id DESC LIMIT 1)",
                            &v), 0);
    CU_ASSERT_EQUAL(v, 64);
    CU_ASSERT_EQUAL(sql_int(db, "SELECT complete FROM runs ORDER BY started_at DESC, id DESC "
                                "LIMIT 1", &v), 0);
    CU_ASSERT_EQUAL(v, 1);
    CU_ASSERT_EQUAL(sql_int(db, "SELECT count(*) FROM metrics WHERE name = 'top1_accuracy'",
                            &v), 0);
    CU_ASSERT_EQUAL(v, 1);
}

static void test_failed_run_keeps_rows(void)
{
    char labels[PATH_MAX + 64];
    snprintf(labels, sizeof labels, "labels = \"%s/golden/hello_world_int8/output.npy\";",
             shared);
    const char *rig = write_rig("hw.cfg", "hello_world_int8", "kind = \"regression\";", labels, "");
    char *out = NULL, args[PATH_MAX * 2];
    snprintf(args, sizeof args, "run '%s' --set device.fail_after=40", rig);
    CU_ASSERT_EQUAL(run(args, &out), 6); /* device error */
    expect(out, "(failed, incomplete)");
    expect(out, "samples 40 of 64");
    expect(out, "mae ");
    free(out);
    snprintf(args, sizeof args, "runs --rig '%s'", rig);
    CU_ASSERT_EQUAL(run(args, &out), 0);
    expect(out, "failed     40/64");
    free(out);
    snprintf(args, sizeof args, "show last --rig '%s'", rig);
    CU_ASSERT_EQUAL(run(args, &out), 0);
    expect(out, "samples   40 of 64");
    expect(out, "error     infer failed: [test_echo] test_echo: device stopped after 40 samples");
    free(out);

    /* A full run of the same rig, then compare the two. */
    snprintf(args, sizeof args, "run '%s'", rig);
    CU_ASSERT_EQUAL(run(args, &out), 0);
    free(out);
    CU_ASSERT_EQUAL(run("compare last~ last --store sqlite:runs/results.db", &out), 2);
    expect(out, "no run 'last~'");
    free(out);
    /* ids from the listing */
    CU_ASSERT_EQUAL(run("runs --store sqlite:runs/results.db --limit 2", &out), 0);
    char a[64] = "", b[64] = "";
    const char *l1 = out ? strchr(out, '\n') : NULL;
    if (l1 && sscanf(l1 + 1, "%63s", b) == 1) {
        const char *l2 = strchr(l1 + 1, '\n');
        if (l2)
            sscanf(l2 + 1, "%63s", a);
    }
    free(out);
    CU_ASSERT_FATAL(a[0] && b[0]);
    snprintf(args, sizeof args, "compare %s %s --store sqlite:runs/results.db", a, b);
    CU_ASSERT_EQUAL(run(args, &out), 0);
    expect(out, "B - A");
    expect(out, "host_latency_p50");
    expect(out, "40/64 samples (failed)");
    free(out);
}

static void test_anomaly_run(void)
{
    /* 64 labels: the first 32 normal, the rest anomalous. */
    char lp[PATH_MAX + 32];
    snprintf(lp, sizeof lp, "%s/ad_labels.npy", dir);
    int64_t lab[64];
    for (int i = 0; i < 64; i++)
        lab[i] = i >= 32;
    const int64_t dims[1] = { 64 };
    CU_ASSERT_EQUAL_FATAL(neurio_npy_write(lp, NEURIO_DT_INT64, 1, dims, lab, NULL), 0);
    char data[PATH_MAX + 32];
    snprintf(data, sizeof data, "labels = \"%s\";", lp);
    snprintf(lp, sizeof lp, "%s/ad", dir); /* the store creates no directory */
    mkdir(lp, 0777);
    const char *rig = write_rig("ad.cfg", "ad01_int8", "kind = \"anomaly\"; score = \"mse\";",
                                data, "store = \"sqlite:ad/results.db\";");
    char *out = NULL, args[PATH_MAX * 2];
    snprintf(args, sizeof args, "run '%s'", rig);
    CU_ASSERT_EQUAL(run(args, &out), 0);
    /* test_echo echoes the input bytes; input and output are quantized
     * differently, so the reconstruction error is not 0: only the figure and
     * its source are checked here (the AUC arithmetic is in test_kpi). */
    expect(out, "roc_auc ");
    expect(out, "(ad_labels.npy, score mse)");
    free(out);
    snprintf(args, sizeof args, "run '%s' --set task.score=output:999", rig);
    CU_ASSERT_NOT_EQUAL(run(args, &out), 0);
    expect(out, "task.score: output element 999 does not exist, the output has 640 elements");
    free(out);
}

static void test_store_refused_before_device(void)
{
    const char *rig = write_rig("pg.cfg", "hello_world_int8", "kind = \"none\";", "",
                                "store = \"postgresql://neurio@127.0.0.1:1/nowhere\";");
    char *out = NULL, args[PATH_MAX * 2];
    snprintf(args, sizeof args, "run '%s'", rig);
    CU_ASSERT_EQUAL(run(args, &out), 3);
#ifdef NEURIO_NO_POSTGRES
    expect(out, "neurio run: output.store: cannot use the PostgreSQL store");
    expect(out, "NEURIO_WITH_POSTGRES=OFF");
#else
    expect(out, "neurio run: output.store: cannot reach the PostgreSQL store");
#endif
    CU_ASSERT_PTR_NULL(out ? strstr(out, "prepared model") : "x"); /* nothing ran */
    free(out);

    /* A store written by a newer neurio. */
    char db[PATH_MAX + 32];
    snprintf(db, sizeof db, "%s/newer.db", dir);
    sqlite3 *h = NULL;
    CU_ASSERT_EQUAL_FATAL(sqlite3_open(db, &h), SQLITE_OK);
    CU_ASSERT_EQUAL(sqlite3_exec(h, "CREATE TABLE neurio_schema (version INTEGER NOT NULL);"
                                    "INSERT INTO neurio_schema VALUES (7);", NULL, NULL, NULL),
                    SQLITE_OK);
    sqlite3_close(h);
    snprintf(args, sizeof args, "run '%s' --set output.store=sqlite:%s", rig, db);
    CU_ASSERT_EQUAL(run(args, &out), 3);
    expect(out, "has schema version 7, newer than this neurio understands (");
    CU_ASSERT_PTR_NULL(out ? strstr(out, "flashed") : "x");
    free(out);
    /* Bad labels file: refused before the device too. */
    snprintf(args, sizeof args, "run '%s' --set task.kind=classification --set data.labels=%s",
             rig, db);
    CU_ASSERT_EQUAL(run(args, &out), 3);
    expect(out, "neurio run: data.labels: ");
    CU_ASSERT_PTR_NULL(out ? strstr(out, "flashed") : "x");
    free(out);
}

/* task.reference_run = "host": the imported model run by the host
 * reference interpreter on the same inputs gives the fidelity figures. */
static void test_reference_run(void)
{
    const char *rig = write_rig("refrun.cfg", "hello_world_int8",
                                "kind = \"none\"; reference_run = \"host\";", "", "");
    char *out = NULL, args[PATH_MAX * 2];
    snprintf(args, sizeof args, "run '%s'", rig);
    CU_ASSERT_EQUAL(run(args, &out), 0);
    expect(out, "(host reference run of hello_world_int8.tflite)");
    expect(out, "max_abs_error");
    expect(out, "relative_l2");
    free(out);
    /* output.profile_inferences = "summary": the profile's per-inference
     * arrays are left out, with notes; the CSV keeps every row */
    snprintf(args, sizeof args, "run '%s' --set output.profile_inferences=summary", rig);
    CU_ASSERT_EQUAL(run(args, &out), 0);
    char rd[PATH_MAX], pp[PATH_MAX + 32];
    CU_ASSERT_EQUAL_FATAL(run_dir_of(out, rd, sizeof rd), 0);
    free(out);
    snprintf(pp, sizeof pp, "%s/profile.json", rd);
    char *prof = neurio_test_read_file(pp, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(prof);
    expect(prof, "\"measurements\":\t[]");
    expect(prof, "per-inference rows left out of the profile");
    free(prof);
    snprintf(args, sizeof args, "run '%s' --set output.profile_inferences=some", rig);
    CU_ASSERT_EQUAL(run(args, &out), 3);
    expect(out, "output.profile_inferences");
    free(out);
    snprintf(args, sizeof args, "run '%s' --set task.reference=%s/golden/hello_world_int8/"
             "output.npy", rig, shared);
    CU_ASSERT_EQUAL(run(args, &out), 3);
    expect(out, "task.reference and task.reference_run = \"host\" both give the reference");
    CU_ASSERT_PTR_NULL(out ? strstr(out, "prepared model") : "x");
    free(out);
}

/* The real launcher killed with SIGKILL mid-run (as by `kill -9` or the OOM
 * killer): every batch committed before the kill stays in the store, whole
 * batches only, and the run is marked incomplete. */
static void test_launcher_sigkill(void)
{
    enum { N = 1000000, BATCH = 16 };
    char xp[PATH_MAX + 32];
    snprintf(xp, sizeof xp, "%s/big_x.npy", dir);
    int8_t *x = malloc(N);
    CU_ASSERT_PTR_NOT_NULL_FATAL(x);
    for (int i = 0; i < N; i++)
        x[i] = (int8_t)(i % 251 - 125);
    const int64_t dims[3] = { N, 1, 1 };
    CU_ASSERT_EQUAL_FATAL(neurio_npy_write(xp, NEURIO_DT_INT8, 3, dims, x, NULL), 0);
    free(x);
    char kd[PATH_MAX + 8];
    snprintf(kd, sizeof kd, "%s/kill", dir); /* the store creates no directory */
    mkdir(kd, 0777);
    const char *rig = write_rig("kill.cfg", "hello_world_int8", "kind = \"none\";", "",
                                "store = \"sqlite:kill/results.db\";");
    char db[PATH_MAX + 32], cmd[4 * PATH_MAX];
    snprintf(db, sizeof db, "%s/kill/results.db", dir);
    /* Kill as soon as the store holds a row (polling, not a guessed sleep). */
    snprintf(cmd, sizeof cmd,
             "cd '%s' && '%s' run '%s' --set data.inputs='%s' >/dev/null 2>&1 & pid=$!; i=0; "
             "while [ $i -lt 1200 ] && kill -0 $pid 2>/dev/null && "
             "[ \"$(sqlite3 '%s' 'SELECT count(*) FROM inferences' 2>/dev/null || echo 0)\" "
             "= 0 ]; do sleep 0.1; i=$((i+1)); done; kill -KILL $pid; wait $pid; "
             "echo \"exit=$?\"", dir, NEURIO, rig, xp, db);
    char *out = NULL;
    neurio_test_run(cmd, &out);
    CU_ASSERT_PTR_NOT_NULL(out && strstr(out, "exit=137")); /* 128 + SIGKILL */
    free(out);
    long long rows = -1, done = -1, complete = -1, planned = -1;
    CU_ASSERT_EQUAL(sql_int(db, "SELECT count(*) FROM inferences", &rows), 0);
    CU_ASSERT_EQUAL(sql_int(db, "SELECT n_done FROM runs", &done), 0);
    CU_ASSERT_EQUAL(sql_int(db, "SELECT complete FROM runs", &complete), 0);
    CU_ASSERT_EQUAL(sql_int(db, "SELECT n_planned FROM runs", &planned), 0);
    CU_ASSERT(rows > 0 && rows < N);
    CU_ASSERT_EQUAL(rows % BATCH, 0); /* whole batches: one transaction each */
    CU_ASSERT_EQUAL(done, rows);
    CU_ASSERT_EQUAL(complete, 0);
    CU_ASSERT_EQUAL(planned, N);
    char args[PATH_MAX + 64];
    snprintf(args, sizeof args, "runs --store sqlite:%s", db);
    CU_ASSERT_EQUAL(run(args, &out), 0);
    expect(out, "incomplete");
    free(out);
}

int neurio_register_tests(void)
{
    const char *sh = neurio_test_shared_dir();
    if (!sh)
        neurio_test_skip("../shared is absent: no models to run");
    snprintf(shared, sizeof shared, "%s", sh);
    char probe[PATH_MAX + 64];
    snprintf(probe, sizeof probe, "%s/models/kws_ref_model.tflite", shared);
    if (access(probe, R_OK) != 0)
        neurio_test_skip("%s is missing", probe);
    if (access(NEURIO, X_OK) != 0 || access(GOOD, R_OK) != 0)
        neurio_test_skip("build the neurio launcher and the test plugins first");
    snprintf(dir, sizeof dir, "%s", neurio_test_tmpdir());
    CU_pSuite s = CU_add_suite("report-e2e", NULL, NULL);
    if (!s)
        return -1;
    CU_add_test(s, "classification run: KPIs, files, schema, store", test_classification_run);
    CU_add_test(s, "device fails midway: rows kept, incomplete; runs/show/compare",
                test_failed_run_keeps_rows);
    CU_add_test(s, "anomaly run: ROC AUC from the reconstruction error", test_anomaly_run);
    CU_add_test(s, "bad store or labels refused before the device", test_store_refused_before_device);
    CU_add_test(s, "reference run on the host interpreter", test_reference_run);
    CU_add_test(s, "launcher killed with SIGKILL keeps whole batches, incomplete",
                test_launcher_sigkill);
    return 0;
}

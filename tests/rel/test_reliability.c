/* tests/rel/test_reliability.c — issue 19's numbered cases, each through the
 * real launcher: what `run` rejects `check` rejects first, artefacts never
 * overwrite each other or an input, signals keep the results, the SQLite
 * store survives a lock and notices a deleted file, only the selected plugin
 * is loaded, model strings cannot drive the terminal, big rigs are refused
 * fast, stalls are stalls.  Devices: the TEST-ONLY test_echo plugin, the
 * host plugin, and the cortex-m plugin's option checks (no QEMU here; the
 * QEMU path test is test_paths_cortexm).  Needs ../shared (hello_world_int8,
 * the digits example); skipped with a message when absent. */
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "neurio/npy.h"
#include "test_util.h"
#include "tfl_builder.h"

#define NEURIO NEURIO_BINARY_DIR "/core/neurio"
#define GOOD NEURIO_BINARY_DIR "/tests/plugins/good"
#define CTOR NEURIO_BINARY_DIR "/tests/plugins/ctor"

static char dir[PATH_MAX], model[PATH_MAX], inputs[PATH_MAX];
static const char *shared;

/* A rig in the temp dir: test_echo on hello_world_int8 unless `device`
 * says otherwise; `extra` is appended (more sections). */
static const char *rig(const char *name, const char *device, const char *data_extra,
                       const char *output_extra)
{
    static char path[PATH_MAX + 64];
    char text[16384];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    snprintf(text, sizeof text,
             "plugin_path = [ \"%s\" ];\n"
             "device = { %s };\n"
             "model = { path = \"%s\"; };\n"
             "data = { inputs = \"%s\"; batch_size = 4; %s };\n"
             "task = { kind = \"none\"; };\n"
             "output = { dir = \"%s/runs\"; %s };\n",
             GOOD, device ? device : "plugin = \"test_echo\";", model, inputs,
             data_extra ? data_extra : "", dir, output_extra ? output_extra : "");
    CU_ASSERT_EQUAL_FATAL(neurio_test_write_file(path, text, strlen(text)), 0);
    return path;
}

/* `neurio ARGS` with stdout+stderr in *out; the exit code. */
static int neurio(char **out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int neurio(char **out, const char *fmt, ...)
{
    char args[8192], cmd[9000];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(args, sizeof args, fmt, ap);
    va_end(ap);
    snprintf(cmd, sizeof cmd, "%s %s", NEURIO, args);
    int st = neurio_test_run(cmd, out);
    return st;
}

static void has(const char *out, const char *needle)
{
    const char *p = out ? strstr(out, needle) : NULL;
    if (!p)
        fprintf(stderr, "\nexpected to find: %s\nin output:\n%s\n", needle, out ? out : "");
    CU_ASSERT_PTR_NOT_NULL(p);
}

static void lacks(const char *out, const char *needle)
{
    const char *p = out ? strstr(out, needle) : NULL;
    if (p)
        fprintf(stderr, "\nexpected NOT to find: %s\nin output:\n%s\n", needle, out);
    CU_ASSERT_PTR_NULL(p);
}

/* The run directory named in "report: <dir>/report.html" or in a
 * "predictions: <dir>/pred.npy" line; "" if none. */
static const char *run_dir_of(const char *out)
{
    static char buf[PATH_MAX];
    const char *p = out ? strstr(out, "predictions: ") : NULL;
    buf[0] = '\0';
    if (!p)
        return buf;
    p += 13;
    const char *e = strstr(p, "/pred.npy");
    if (e && (size_t)(e - p) < sizeof buf)
        snprintf(buf, sizeof buf, "%.*s", (int)(e - p), p);
    return buf;
}

static int64_t npy_rows(const char *path)
{
    neurio_npy a = { 0 };
    if (neurio_npy_read(path, &a, NULL) != NEURIO_OK)
        return -1;
    int64_t n = a.rank ? a.dims[0] : 1;
    neurio_npy_free(&a);
    return n;
}

static int exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

/* ---- case 1: one artefact never overwrites another, nor an input ------- */

static void test_artefacts_distinct(void)
{
    char *out = NULL;
    const char *r = rig("c1.cfg", NULL, NULL, NULL);
    static const char *const clash[] = { "output.predictions=report.html",
                                         "output.predictions=profile.json",
                                         "output.predictions=inferences.csv",
                                         "output.report=pred.npy" };
    for (size_t i = 0; i < sizeof clash / sizeof clash[0]; i++) {
        CU_ASSERT_EQUAL(neurio(&out, "check %s --set %s", r, clash[i]), 3);
        has(out, "are the same file");
        free(out);
        CU_ASSERT_EQUAL(neurio(&out, "run %s --set %s", r, clash[i]), 3);
        has(out, "are the same file");
        lacks(out, "prepared model"); /* refused before anything ran */
        free(out);
    }
    /* an absolute predictions path onto the input data */
    CU_ASSERT_EQUAL(neurio(&out, "check %s --set output.predictions=%s", r, inputs), 3);
    has(out, "overwrite an input");
    free(out);
    /* a predictions path whose directory does not exist: refused at the
     * start, not after the whole inference run */
    CU_ASSERT_EQUAL(neurio(&out, "run %s --set output.predictions=%s/no/such/dir/p.npy", r,
                           dir), 3);
    has(out, "does not exist");
    lacks(out, "prepared model");
    free(out);
}

/* ---- case 3: store waits, notices deletion, creates no directories ------ */

static void test_store_no_mkdir(void)
{
    char *out = NULL, p[PATH_MAX + 64];
    const char *r = rig("c3a.cfg", NULL, NULL, NULL);
    CU_ASSERT_NOT_EQUAL(neurio(&out, "run %s --set output.store=sqlite:%s/nonexistent/dir/x.db",
                               r, dir), 0);
    has(out, "does not exist");
    free(out);
    snprintf(p, sizeof p, "%s/nonexistent", dir);
    CU_ASSERT_FALSE(exists(p));
}

static void test_store_deleted_midrun(void)
{
    char *out = NULL, db[PATH_MAX + 64], dev[PATH_MAX * 2];
    snprintf(db, sizeof db, "%s/del", dir);
    mkdir(db, 0777);
    snprintf(db, sizeof db, "%s/del/results.db", dir);
    snprintf(dev, sizeof dev, "plugin = \"test_echo\"; remove_at = 20; remove_path = \"%s\";",
             db);
    char st[PATH_MAX + 64];
    snprintf(st, sizeof st, "store = \"sqlite:%s\";", db);
    const char *r = rig("c3b.cfg", dev, NULL, st);
    int code = neurio(&out, "run %s", r);
    CU_ASSERT_NOT_EQUAL(code, 0);
    has(out, "was deleted");
    has(out, "NOT stored");
    lacks(out, "stored as run");
    /* the run's own files keep every result */
    char pred[PATH_MAX + 16];
    snprintf(pred, sizeof pred, "%s/pred.npy", run_dir_of(out));
    CU_ASSERT_EQUAL(npy_rows(pred), 64);
    free(out);
}

/* Another process holds the database (an open write transaction) while a
 * run writes: the run keeps its rows, says so, and stores all of them once
 * the lock is released.  No timing: the lock is released after the run
 * says it is waiting. */
static void test_store_busy(void)
{
    char db[PATH_MAX + 64], st[PATH_MAX + 64], cmd[PATH_MAX * 3];
    snprintf(db, sizeof db, "%s/busy", dir);
    mkdir(db, 0777);
    snprintf(db, sizeof db, "%s/busy/results.db", dir);
    snprintf(st, sizeof st, "store = \"sqlite:%s\";", db);
    const char *r = rig("c3c.cfg", NULL, NULL, st);
    char *out = NULL;
    CU_ASSERT_EQUAL_FATAL(neurio(&out, "run %s --set data.limit=4", r), 0); /* creates it */
    free(out);
    sqlite3 *h = NULL;
    CU_ASSERT_EQUAL_FATAL(sqlite3_open(db, &h), SQLITE_OK);
    CU_ASSERT_EQUAL_FATAL(sqlite3_exec(h, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
    snprintf(cmd, sizeof cmd, "%s run %s 2>&1", NEURIO, r);
    FILE *p = popen(cmd, "r");
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    char line[4096], all[65536] = "";
    int released = 0;
    while (fgets(line, sizeof line, p)) {
        strncat(all, line, sizeof all - strlen(all) - 1);
        if (!released && strstr(line, "is locked by another process")) {
            sqlite3_exec(h, "ROLLBACK", NULL, NULL, NULL);
            released = 1;
        }
    }
    int status = pclose(p);
    if (!released)
        sqlite3_exec(h, "ROLLBACK", NULL, NULL, NULL);
    sqlite3_close(h);
    CU_ASSERT(released);
    CU_ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    has(all, "stored as run");
    /* every one of the 64 rows arrived */
    sqlite3_stmt *q = NULL;
    CU_ASSERT_EQUAL_FATAL(sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    CU_ASSERT_EQUAL(sqlite3_prepare_v2(h, "SELECT n_done, complete FROM runs ORDER BY "
                                          "started_at DESC LIMIT 1", -1, &q, NULL), SQLITE_OK);
    CU_ASSERT_EQUAL(sqlite3_step(q), SQLITE_ROW);
    CU_ASSERT_EQUAL(sqlite3_column_int(q, 0), 64);
    CU_ASSERT_EQUAL(sqlite3_column_int(q, 1), 1);
    sqlite3_finalize(q);
    sqlite3_close(h);
}

/* ---- case 4: SIGTERM/SIGHUP like Ctrl-C; Ctrl-C while compiling --------- */

static void signal_case(const char *sig, int want)
{
    char *out = NULL, dev[256];
    snprintf(dev, sizeof dev, "plugin = \"test_echo\"; signal_at = 10; signal = \"%s\";", sig);
    const char *r = rig("c4.cfg", dev, NULL, NULL);
    CU_ASSERT_EQUAL(neurio(&out, "run %s", r), want);
    const char *rd = run_dir_of(out);
    char f[PATH_MAX + 32];
    /* stopped after the batch holding sample 10 (batches of 4): 12 kept */
    snprintf(f, sizeof f, "%s/pred.npy", rd);
    CU_ASSERT_EQUAL(npy_rows(f), 12);
    snprintf(f, sizeof f, "%s/report.html", rd);
    CU_ASSERT(exists(f));
    snprintf(f, sizeof f, "%s/profile.json", rd);
    CU_ASSERT(exists(f));
    has(out, "after 12 of 64 samples");
    free(out);
}

static void test_sigterm(void)
{
    signal_case("TERM", 143);
}

static void test_sighup(void)
{
    signal_case("HUP", 129);
}

static void test_sigint(void)
{
    signal_case("INT", 130);
}

/* The Ctrl-C reaches the compiler too (same process group): the run is
 * "interrupted" (130), not a compiler failure (6). */
static void test_ctrl_c_while_compiling(void)
{
    char cc[PATH_MAX + 16], dev[PATH_MAX + 128], *out = NULL;
    snprintf(cc, sizeof cc, "%s/cc-ctrl-c.sh", dir);
    const char *script = "#!/bin/sh\nkill -INT $PPID\nexit 130\n";
    CU_ASSERT_EQUAL_FATAL(neurio_test_write_file(cc, script, strlen(script)), 0);
    chmod(cc, 0755);
    snprintf(dev, sizeof dev, "plugin = \"host\"; cc = \"%s\";", cc);
    const char *r = rig("c4cc.cfg", dev, NULL, NULL);
    CU_ASSERT_EQUAL(neurio(&out, "run %s", r), 130);
    has(out, "flash interrupted (cancelled by the user)");
    free(out);
}

/* ---- case 5: non-finite and out-of-scale data, Inf weights -------------- */

static const char *float_npy(const char *name, int64_t n, float bad_value, int64_t bad_at)
{
    static char path[PATH_MAX + 64];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    float *x = calloc((size_t)n, sizeof *x);
    for (int64_t i = 0; i < n; i++)
        x[i] = (float)i / (float)n;
    if (bad_at >= 0)
        x[bad_at] = bad_value;
    const int64_t dims[2] = { n, 1 };
    CU_ASSERT_EQUAL(neurio_npy_write(path, NEURIO_DT_FLOAT32, 2, dims, x, NULL), 0);
    free(x);
    return path;
}

static void test_bad_values(void)
{
    char *out = NULL;
    const char *r = rig("c5.cfg", NULL, NULL, NULL);
    const struct { float v; const char *say; } cases[] = {
        { NAN, "is nan" }, { INFINITY, "is inf" }, { 1e30f, "far outside the range" } };
    for (size_t i = 0; i < 3; i++) {
        const char *x = float_npy("bad.npy", 16, cases[i].v, 5);
        CU_ASSERT_EQUAL(neurio(&out, "check %s --set data.inputs=%s", r, x), 5);
        has(out, "sample 5 element 0");
        has(out, cases[i].say);
        free(out);
        CU_ASSERT_EQUAL(neurio(&out, "run %s --set data.inputs=%s", r, x), 5);
        lacks(out, "prepared model");
        free(out);
    }
    /* integer data for an input that is float in the file and quantized by
     * neurio: real values are expected */
    char cfg[PATH_MAX + 64], text[4096], xi[PATH_MAX + 32], digits[PATH_MAX];
    snprintf(digits, sizeof digits, "%s/examples/digits", NEURIO_SOURCE_DIR);
    snprintf(xi, sizeof xi, "%s/ints.npy", dir);
    int64_t *iv = calloc(64 * 4, sizeof *iv);
    const int64_t dims[4] = { 4, 8, 8, 1 };
    CU_ASSERT_EQUAL(neurio_npy_write(xi, NEURIO_DT_INT64, 4, dims, iv, NULL), 0);
    free(iv);
    snprintf(cfg, sizeof cfg, "%s/c5d.cfg", dir);
    snprintf(text, sizeof text,
             "device = { plugin = \"host\"; };\n"
             "model = { path = \"%s/digits.onnx\"; quantize = \"int8\"; calibration = "
             "\"%s/calib.npy\"; };\n"
             "data = { inputs = \"%s\"; };\ntask = { kind = \"none\"; };\n"
             "output = { dir = \"%s/runs\"; };\n", digits, digits, xi, dir);
    CU_ASSERT_EQUAL_FATAL(neurio_test_write_file(cfg, text, strlen(text)), 0);
    CU_ASSERT_EQUAL(neurio(&out, "check %s", cfg), 5);
    has(out, "int64 data for input");
    free(out);
    /* all-NaN calibration */
    char cal[PATH_MAX + 32];
    snprintf(cal, sizeof cal, "%s/nan_calib.npy", dir);
    float *cv = malloc(64 * 4 * sizeof *cv);
    for (int i = 0; i < 64 * 4; i++)
        cv[i] = NAN;
    CU_ASSERT_EQUAL(neurio_npy_write(cal, NEURIO_DT_FLOAT32, 4, dims, cv, NULL), 0);
    free(cv);
    CU_ASSERT_EQUAL(neurio(&out, "check %s --set model.calibration=%s --set data.inputs=%s/"
                           "test_x.npy", cfg, cal, digits), 5);
    has(out, "model.calibration");
    has(out, "is nan");
    free(out);
    /* a model with an Inf weight: inspect and check both say so */
    float w[4] = { 1, INFINITY, 3, 4 };
    tspec t[3] = {
        { .name = "x", .type = TT_FLOAT32, .rank = 2, .dims = { 1, 4 } },
        { .name = "w", .type = TT_FLOAT32, .rank = 2, .dims = { 1, 4 }, .data = w,
          .data_len = sizeof w },
        { .name = "y", .type = TT_FLOAT32, .rank = 2, .dims = { 1, 1 } },
    };
    ospec o[1] = { { .code = 9, .n_in = 2, .in = { 0, 1 }, .n_out = 1, .out = { 2 } } };
    int32_t gi[1] = { 0 }, go[1] = { 2 };
    size_t len = 0;
    uint8_t *buf = tfl_build(t, 3, o, 1, gi, 1, go, 1, NULL, &len);
    char mp[PATH_MAX + 32];
    snprintf(mp, sizeof mp, "%s/inf_weight.tflite", dir);
    CU_ASSERT_EQUAL_FATAL(neurio_test_write_file(mp, buf, len), 0);
    free(buf);
    neurio(&out, "inspect %s", mp);
    has(out, "INVALID");
    has(out, "element 1 is inf");
    free(out);
    CU_ASSERT_EQUAL(neurio(&out, "check %s --set model.path=%s", r, mp), 5);
    has(out, "element 1 is inf");
    free(out);
}

/* ---- case 6: check rejects what run rejects; nothing built before ------- */

static void test_check_equals_run(void)
{
    char *out = NULL;
    const char *cm = rig("c6.cfg", "plugin = \"cortex-m\";", NULL, NULL);
    static const char *const bad[] = { "device.fault_rate=2.0", "device.ram_bytes=-5",
                                       "device.clock_hz=100000000000000000" };
    static const char *const say[] = { "fault_rate", "ram_bytes", "clock_hz" };
    for (size_t i = 0; i < 3; i++) {
        CU_ASSERT_EQUAL(neurio(&out, "check %s --set %s", cm, bad[i]), 3);
        has(out, say[i]);
        free(out);
        CU_ASSERT_EQUAL(neurio(&out, "run %s --set %s", cm, bad[i]), 3);
        lacks(out, "prepared model");
        free(out);
    }
    /* no data section: refused before any firmware is built */
    char cfg[PATH_MAX + 32], text[4096];
    snprintf(cfg, sizeof cfg, "%s/c6n.cfg", dir);
    snprintf(text, sizeof text, "plugin_path = [ \"%s\" ];\ndevice = { plugin = \"test_echo\"; "
             "};\nmodel = { path = \"%s\"; };\noutput = { dir = \"%s/runs\"; };\n", GOOD, model,
             dir);
    CU_ASSERT_EQUAL_FATAL(neurio_test_write_file(cfg, text, strlen(text)), 0);
    CU_ASSERT_EQUAL(neurio(&out, "run %s", cfg), 3);
    has(out, "data.inputs is required");
    lacks(out, "generated code");
    free(out);
    /* a data shape error appears before the firmware is built */
    char kws[PATH_MAX + 64];
    snprintf(kws, sizeof kws, "%s/golden/kws_ref_model/input.npy", shared);
    const char *r = rig("c6s.cfg", NULL, NULL, NULL);
    CU_ASSERT_EQUAL(neurio(&out, "run %s --set data.inputs=%s", r, kws), 5);
    lacks(out, "generated code");
    lacks(out, "prepared model");
    free(out);
}

/* ---- case 7: only the selected plugin is loaded; sanitizer refused ------ */

static void test_plugin_loading(void)
{
    char mark[PATH_MAX + 16], cfg[PATH_MAX + 32], text[4096], *out = NULL;
    snprintf(mark, sizeof mark, "%s/ctor-mark", dir);
    snprintf(cfg, sizeof cfg, "%s/c7.cfg", dir);
    snprintf(text, sizeof text,
             "plugin_path = [ \"%s\", \"%s\" ];\ndevice = { plugin = \"test_echo\"; };\n"
             "model = { path = \"%s\"; };\ndata = { inputs = \"%s\"; };\n"
             "output = { dir = \"%s/runs\"; };\n", CTOR, GOOD, model, inputs, dir);
    CU_ASSERT_EQUAL_FATAL(neurio_test_write_file(cfg, text, strlen(text)), 0);
    setenv("NEURIO_TEST_CTOR_MARK", mark, 1);
    unlink(mark);
    CU_ASSERT_EQUAL(neurio(&out, "check %s", cfg), 0);
    free(out);
    CU_ASSERT_FALSE(exists(mark)); /* test_ctor's constructor never ran */
    CU_ASSERT_EQUAL(neurio(&out, "run %s --set data.limit=4", cfg), 0);
    free(out);
    CU_ASSERT_FALSE(exists(mark));
    /* `neurio plugins` lists (so loads) everything */
    CU_ASSERT_EQUAL(neurio(&out, "plugins --rig %s", cfg), 0);
    has(out, "test_ctor");
    free(out);
    CU_ASSERT(exists(mark));
    unsetenv("NEURIO_TEST_CTOR_MARK");
}

static void test_sanitizer_refused(void)
{
    char *out = NULL, runs[PATH_MAX + 16];
    const char *r = rig("c7s.cfg", "plugin = \"host\"; cflags = \"-O1 -fsanitize=address\";",
                        NULL, "");
    int code = neurio(&out, "check %s", r);
    if (strstr(out ? out : "", "check OK")) { /* an ASan launcher may load it */
        free(out);
        return;
    }
    CU_ASSERT_EQUAL(code, 3);
    has(out, "sanitizer");
    free(out);
    snprintf(runs, sizeof runs, "%s/runs-sanitize", dir);
    CU_ASSERT_EQUAL(neurio(&out, "run %s --set output.dir=%s", r, runs), 3);
    free(out);
    CU_ASSERT_FALSE(exists(runs)); /* no orphan run directory */
}

/* ---- case 8: control characters from a model never reach the terminal --- */

static void test_terminal_escapes(void)
{
    float w[4] = { 1, 2, 3, 4 };
    tspec t[3] = {
        { .name = "in\x1b[2J\rput\nx", .type = TT_FLOAT32, .rank = 2, .dims = { 1, 4 } },
        { .name = "w\x07", .type = TT_FLOAT32, .rank = 2, .dims = { 1, 4 }, .data = w,
          .data_len = sizeof w },
        { .name = "y\x1b]0;title\x07", .type = TT_FLOAT32, .rank = 2, .dims = { 1, 1 } },
    };
    ospec o[1] = { { .code = 9, .n_in = 2, .in = { 0, 1 }, .n_out = 1, .out = { 2 } } };
    int32_t gi[1] = { 0 }, go[1] = { 2 };
    size_t len = 0;
    uint8_t *buf = tfl_build(t, 3, o, 1, gi, 1, go, 1, NULL, &len);
    char mp[PATH_MAX + 32], *out = NULL;
    snprintf(mp, sizeof mp, "%s/esc.tflite", dir);
    CU_ASSERT_EQUAL_FATAL(neurio_test_write_file(mp, buf, len), 0);
    free(buf);
    CU_ASSERT_EQUAL(neurio(&out, "inspect %s", mp), 0);
    has(out, "in\\x1b[2J\\x0dput\\x0ax");
    CU_ASSERT_PTR_NULL(strchr(out, '\x1b'));
    CU_ASSERT_PTR_NULL(strchr(out, '\r'));
    CU_ASSERT_PTR_NULL(strchr(out, '\x07'));
    free(out);
}

/* ---- case 9: rig parsing is linear (or refused with a clear limit) ------ */

static void test_big_rig(void)
{
    char cfg[PATH_MAX + 32], *out = NULL;
    snprintf(cfg, sizeof cfg, "%s/big.cfg", dir);
    size_t cap = 40000 * 24 + 256, n = 0;
    char *text = malloc(cap);
    n += (size_t)snprintf(text + n, cap - n, "device = { plugin = \"host\"; };\ndata = {\n");
    for (int i = 0; i < 40000; i++)
        n += (size_t)snprintf(text + n, cap - n, "  k%d = %d;\n", i, i);
    n += (size_t)snprintf(text + n, cap - n, "};\n");
    CU_ASSERT_EQUAL_FATAL(neurio_test_write_file(cfg, text, n), 0);
    free(text);
    CU_ASSERT_EQUAL(neurio(&out, "check %s", cfg), 3);
    has(out, "more than 4096 settings");
    free(out);
}

/* ---- case 10 (part): RAM KPIs count the model's I/O tensors ------------- */

static void test_ram_counts_io(void)
{
    /* input [1, 65536] float32 -> RELU -> output: 512 KiB of I/O */
    tspec t[2] = {
        { .name = "x", .type = TT_FLOAT32, .rank = 2, .dims = { 1, 65536 } },
        { .name = "y", .type = TT_FLOAT32, .rank = 2, .dims = { 1, 65536 } },
    };
    ospec o[1] = { { .code = 19, .n_in = 1, .in = { 0 }, .n_out = 1, .out = { 1 } } };
    int32_t gi[1] = { 0 }, go[1] = { 1 };
    size_t len = 0;
    uint8_t *buf = tfl_build(t, 2, o, 1, gi, 1, go, 1, NULL, &len);
    char mp[PATH_MAX + 32], xp[PATH_MAX + 32], *out = NULL;
    snprintf(mp, sizeof mp, "%s/big_io.tflite", dir);
    CU_ASSERT_EQUAL_FATAL(neurio_test_write_file(mp, buf, len), 0);
    free(buf);
    snprintf(xp, sizeof xp, "%s/big_io.npy", dir);
    float *x = calloc(65536 * 2, sizeof *x);
    const int64_t dims[2] = { 2, 65536 };
    CU_ASSERT_EQUAL(neurio_npy_write(xp, NEURIO_DT_FLOAT32, 2, dims, x, NULL), 0);
    free(x);
    const char *r = rig("c10.cfg", "plugin = \"host\"; layer_cycles = false;", NULL, NULL);
    CU_ASSERT_EQUAL(neurio(&out, "run %s --set model.path=%s --set data.inputs=%s", r, mp, xp),
                    0);
    char prof[PATH_MAX + 32];
    snprintf(prof, sizeof prof, "%s/profile.json", run_dir_of(out));
    free(out);
    char *js = neurio_test_read_file(prof, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(js);
    const char *p = strstr(js, "\"ram_bytes\":"); /* the device section's figure */
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    double ram = strtod(p + strlen("\"ram_bytes\":"), NULL);
    CU_ASSERT(ram >= 2.0 * 65536 * 4);
    free(js);
}

/* ---- case 11: a stall is a stall, never a latency ----------------------- */

static void test_stall_deadline(void)
{
    char *out = NULL;
    const char *r = rig("c11.cfg", "plugin = \"test_echo\"; stall_at = 10; stall_ms = 600000;",
                        "stall_timeout_ms = 300;", NULL);
    CU_ASSERT_EQUAL(neurio(&out, "run %s", r), 6);
    has(out, "stall:");
    has(out, "not counted as latency");
    char f[PATH_MAX + 32];
    snprintf(f, sizeof f, "%s/pred.npy", run_dir_of(out));
    CU_ASSERT_EQUAL(npy_rows(f), 10); /* the samples before the stall are kept */
    free(out);
    /* an answer that came after a retransmission: counted as a stall */
    r = rig("c11b.cfg", "plugin = \"test_echo\"; late_at = 3;", NULL, NULL);
    CU_ASSERT_EQUAL(neurio(&out, "run %s", r), 0);
    has(out, "stalls: 1 sample(s)");
    lacks(out, "max 5000");
    free(out);
}

/* ---- case 12: messages ----------------------------------------------------- */

static void test_messages(void)
{
    char *out = NULL, kws[PATH_MAX + 64];
    const char *r = rig("c12.cfg", NULL, NULL, NULL);
    snprintf(kws, sizeof kws, "%s/golden/kws_ref_model/input.npy", shared);
    CU_ASSERT_EQUAL(neurio(&out, "check %s --set data.inputs=%s", r, kws), 5);
    has(out, "expected [N, 1, 1]");
    lacks(out, "]]");
    free(out);
    const char *cm = rig("c12c.cfg", "plugin = \"cortex-m\"; ram_bytes = 4096; "
                                     "stack_bytes = 4000;", NULL, NULL);
    CU_ASSERT_EQUAL(neurio(&out, "check %s", cm), 3);
    has(out, "between 1024 and 2048");
    free(out);
    CU_ASSERT_EQUAL(neurio(&out, "check %s --set device.ram_bytes=1500", cm), 3);
    lacks(out, "1024..750");
    free(out);
    /* labels that do not fit the run: one clear error, no "observer N failed" */
    char lp[PATH_MAX + 32];
    snprintf(lp, sizeof lp, "%s/labels3.npy", dir);
    int64_t lab[3] = { 0, 1, 0 };
    const int64_t d1[1] = { 3 };
    CU_ASSERT_EQUAL(neurio_npy_write(lp, NEURIO_DT_INT64, 1, d1, lab, NULL), 0);
    r = rig("c12l.cfg", NULL, NULL, NULL);
    CU_ASSERT_NOT_EQUAL(neurio(&out, "run %s --set task.kind=regression --set data.labels=%s",
                               r, lp), 0);
    has(out, "data.labels");
    lacks(out, "observer");
    free(out);
}

int neurio_register_tests(void)
{
    shared = neurio_test_shared_dir();
    if (!shared)
        neurio_test_skip("../shared (models and goldens) is absent; these e2e cases need it");
    snprintf(dir, sizeof dir, "%s", neurio_test_tmpdir());
    snprintf(model, sizeof model, "%s/models/hello_world_int8.tflite", shared);
    snprintf(inputs, sizeof inputs, "%s/golden/hello_world_int8/input.npy", shared);
    CU_pSuite s = CU_add_suite("reliability", NULL, NULL);
    if (!s)
        return -1;
    CU_add_test(s, "1 artefacts distinct from each other and the inputs",
                test_artefacts_distinct);
    CU_add_test(s, "3 store creates no directories", test_store_no_mkdir);
    CU_add_test(s, "3 store file deleted mid-run is noticed", test_store_deleted_midrun);
    CU_add_test(s, "3 store locked by another process: wait, keep, store", test_store_busy);
    CU_add_test(s, "4 SIGTERM keeps everything (143)", test_sigterm);
    CU_add_test(s, "4 SIGHUP keeps everything (129)", test_sighup);
    CU_add_test(s, "4 SIGINT keeps everything (130)", test_sigint);
    CU_add_test(s, "4 Ctrl-C while compiling is interrupted", test_ctrl_c_while_compiling);
    CU_add_test(s, "5 NaN/Inf/out-of-scale data, int data, NaN calibration, Inf weight",
                test_bad_values);
    CU_add_test(s, "6 check rejects what run rejects, before building", test_check_equals_run);
    CU_add_test(s, "7 only the selected plugin is loaded", test_plugin_loading);
    CU_add_test(s, "7 sanitizer cflags refused on the host device", test_sanitizer_refused);
    CU_add_test(s, "8 model strings escaped on the terminal", test_terminal_escapes);
    CU_add_test(s, "9 a 40,000-key rig is refused at once", test_big_rig);
    CU_add_test(s, "10 RAM KPI counts the I/O tensors", test_ram_counts_io);
    CU_add_test(s, "11 stall deadline; stalls are not latency", test_stall_deadline);
    CU_add_test(s, "12 messages", test_messages);
    return 0;
}

/* tests/sweep/test_sweep.c — `neurio sweep` end to end with the TEST-ONLY
 * test_echo device: 2 x 2 x 2 = 8 points with -j 2, interrupted once with
 * SIGINT while two points wait on a device that never answers (stall_at,
 * so the interruption does not depend on timing), then resumed: 8 complete
 * runs under one sweep id, none twice, the interrupted attempts kept as
 * cancelled; `neurio show SWEEP` prints the table; sweep.html renders in
 * headless Chromium with its three Pareto plots and the front marked; bad
 * sweep files and a changed file on --resume are refused by name; an axis
 * over data.inputs lists runs a two-input zoo model (seanet_add2). */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "sweep_util.h"
#include "test_util.h"

static char db[4200], sweep_id[64];

static void write_file(const char *name, const char *text)
{
    char p[4200];
    snprintf(p, sizeof p, "%s/%s", sw_dir, name);
    CU_ASSERT_EQUAL_FATAL(neurio_test_write_file(p, text, strlen(text)), 0);
}

static const char sweep_text[] =
    "rig = \"base.cfg\";\n"
    "set = [ \"device.stall_ms=600000\" ];\n"
    "axes = (\n"
    "  { key = \"device.stall_at\"; values = [ -1, 6 ]; },\n"
    "  { keys = [ \"device.slowdown\", \"device.ram_bytes\" ];\n"
    "    values = ( ( 1.0, 4096 ), ( 1.5, 2048 ) ); },\n"
    "  { keys = [ \"data.limit\", \"device.flash_bytes\" ];\n"
    "    values = ( [ 12, 30000 ], [ 20, 20000 ] ); }\n"
    ");\n";

static long long q(const char *sql)
{
    long long v = -1;
    CU_ASSERT_EQUAL(sw_sql_int(db, sql, &v), 0);
    return v;
}

static void test_interrupt_and_resume(void)
{
    sw_rig("base.cfg", NULL, 20, NULL);
    write_file("s.cfg", sweep_text);
    snprintf(db, sizeof db, "%s/runs/results.db", sw_dir);
    char log[4200];
    snprintf(log, sizeof log, "%s/sweep1.out", sw_dir);
    pid_t pid = fork();
    CU_ASSERT_FATAL(pid >= 0);
    if (pid == 0) {
        if (chdir(sw_dir) != 0 || !freopen(log, "w", stdout) || dup2(fileno(stdout), 2) < 0)
            _exit(99);
        execl(SW_NEURIO, "neurio", "sweep", "s.cfg", "-j", "2", (char *)NULL);
        _exit(98);
    }
    /* Points 0-3 complete; 4 and 5 then wait for an answer that never
     * comes, so the sweep is mid-run for as long as we need. */
    int ready = 0, st = 0, gone = 0;
    for (int i = 0; i < 6000 && !ready && !gone; i++) {
        gone = waitpid(pid, &st, WNOHANG) == pid; /* it must not end by itself */
        long long done = -1, stalled = -1;
        if (sw_sql_int(db, "SELECT count(*) FROM runs WHERE complete = 1", &done) == 0 &&
            sw_sql_int(db, "SELECT count(*) FROM runs WHERE status = 'running' AND n_done >= 4",
                       &stalled) == 0)
            ready = done == 4 && stalled == 2;
        struct timespec nap = { 0, 20000000 };
        nanosleep(&nap, NULL);
    }
    CU_ASSERT(ready);
    CU_ASSERT(!gone);
    if (!gone) {
        kill(pid, SIGINT);
        waitpid(pid, &st, 0);
    }
    CU_ASSERT(WIFEXITED(st));
    CU_ASSERT_EQUAL(WEXITSTATUS(st), 130);
    char *out = neurio_test_read_file(log, NULL);
    sw_expect(out, "interrupted: 4 of 8 points done");
    sw_expect(out, "--resume");
    const char *id = out ? strstr(out, "sweep sw-") : NULL;
    CU_ASSERT_PTR_NOT_NULL_FATAL(id);
    snprintf(sweep_id, sizeof sweep_id, "%.*s", (int)strcspn(id + 6, ":"), id + 6);
    free(out);
    CU_ASSERT_EQUAL(q("SELECT count(*) FROM runs WHERE status = 'cancelled'"), 2);
    CU_ASSERT_EQUAL(q("SELECT count(*) FROM sweep_points"), 8);

    /* Resume with a device that answers: only the 4 missing points run. */
    char *o2 = NULL;
    int rc = sw_run("sweep s.cfg -j 2 --resume --set device.stall_ms=0", &o2);
    if (rc)
        fprintf(stderr, "%s\n", o2 ? o2 : "");
    CU_ASSERT_EQUAL(rc, 0);
    sw_expect(o2, "8 points (0 excluded), 4 already done");
    sw_expect(o2, "8 of 8 points complete");
    sw_expect(o2, "sweep report: ");
    free(o2);
    CU_ASSERT_EQUAL(q("SELECT count(*) FROM runs WHERE complete = 1"), 8);
    CU_ASSERT_EQUAL(q("SELECT count(DISTINCT sweep_point) FROM runs WHERE complete = 1"), 8);
    CU_ASSERT_EQUAL(q("SELECT count(DISTINCT sweep_id) FROM runs"), 1);
    CU_ASSERT_EQUAL(q("SELECT count(*) FROM runs"), 10); /* + the 2 interrupted attempts */
    /* Per-layer means are stored for every point's run. */
    CU_ASSERT_EQUAL(q("SELECT count(DISTINCT run_id) FROM layers"), 10);
}

static void test_show(void)
{
    char args[256], *out = NULL;
    snprintf(args, sizeof args, "show %.12s --store sqlite:runs/results.db", sweep_id);
    CU_ASSERT_EQUAL(sw_run(args, &out), 0);
    sw_expect(out, "8 of 8 points complete");
    sw_expect(out, "device.stall_at=6, device.slowdown=1.5, device.ram_bytes=2048, "
                   "data.limit=20, device.flash_bytes=20000");
    sw_expect(out, "* = on the Pareto front");
    free(out);
}

static size_t count(const char *hay, const char *needle)
{
    size_t n = 0;
    for (const char *p = hay; p && (p = strstr(p, needle)) != NULL; p += strlen(needle))
        n++;
    return n;
}

static void test_page_in_chromium(void)
{
    char html[4300], dom[4300], cmd[16384];
    snprintf(html, sizeof html, "%s/runs/%s/sweep.html", sw_dir, sweep_id);
    snprintf(dom, sizeof dom, "%s/sweep-dom.html", sw_dir);
    char *h = neurio_test_read_file(html, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(h);
    CU_ASSERT_PTR_NULL(strstr(h, "<script"));   /* self-contained, no script */
    CU_ASSERT_PTR_NULL(strstr(h, "http://w") && strstr(h, "src=") ? "" : NULL);
    free(h);
    const char *chromium = access("/usr/bin/chromium", X_OK) == 0 ? "/usr/bin/chromium" : NULL;
    if (!chromium) {
        fprintf(stderr, "\nchromium not installed: sweep.html not rendered (checked as text)\n");
        return;
    }
    snprintf(cmd, sizeof cmd, "timeout 120 %s --headless --no-sandbox --disable-gpu "
             "--no-first-run --disable-background-networking --disable-component-update "
             "--disable-sync --user-data-dir='%s/chromium' --dump-dom 'file://%s' > '%s' "
             "2>/dev/null", chromium, sw_dir, html, dom);
    CU_ASSERT_EQUAL_FATAL(neurio_test_run(cmd, NULL), 0);
    char *d = neurio_test_read_file(dom, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    CU_ASSERT_PTR_NOT_NULL(strstr(d, "<h1>neurio sweep sw-"));
    CU_ASSERT_PTR_NOT_NULL(strstr(d, "id=\"pareto-latency\""));
    CU_ASSERT_PTR_NOT_NULL(strstr(d, "id=\"pareto-ram\""));
    CU_ASSERT_PTR_NOT_NULL(strstr(d, "id=\"pareto-flash\""));
    /* 8 points on each of the 3 plots; the fronts are marked. */
    CU_ASSERT_EQUAL(count(d, "<circle"), 24);
    CU_ASSERT(count(d, "class=\"pt front\"") >= 3);
    CU_ASSERT_EQUAL(count(d, "<tr class=\"point"), 8);
    free(d);
}

static void expect_refused(const char *name, const char *text, const char *needle)
{
    write_file(name, text);
    char args[256], *out = NULL;
    snprintf(args, sizeof args, "sweep %s --dry-run", name);
    CU_ASSERT_EQUAL(sw_run(args, &out), 3);
    sw_expect(out, needle);
    free(out);
}

static void test_bad_files(void)
{
    expect_refused("b1.cfg", "rig = \"base.cfg\";\naxes = ( { key = \"board\"; values = [ 1 ]; } );\n",
                   "b1.cfg:2: axis key 'board' is not a dotted rig key");
    expect_refused("b2.cfg", "rig = \"base.cfg\";\naxis = ();\n",
                   "b2.cfg:2: unknown key 'axis' in a sweep file");
    expect_refused("b3.cfg", "rig = \"base.cfg\";\naxes = ( { key = \"data.limit\"; values = [ ]; } );\n",
                   "b3.cfg:2: values must list at least one value");
    expect_refused("b4.cfg", "rig = \"base.cfg\";\naxes = ( { keys = [ \"data.limit\", "
                   "\"device.gain\" ]; values = ( [ 1 ] ); } );\n",
                   "each value of an axis with 2 keys must be a list of 2 values");
    expect_refused("b5.cfg", "rig = \"base.cfg\";\naxes = ( { key = \"data.limit\"; values = "
                   "[ 1 ]; } );\nexclude = ( [ \"data.limit=1\" ] );\n",
                   "every point is excluded");
    /* --resume of a file that now expands differently. */
    write_file("s.cfg", "rig = \"base.cfg\";\naxes = ( { key = \"data.limit\"; values = [ 4, 8, "
                        "12 ]; } );\n");
    char *out = NULL;
    CU_ASSERT_EQUAL(sw_run("sweep s.cfg --resume", &out), 2);
    sw_expect(out, "has 8 points, ");
    sw_expect(out, "now expands to 3; start a new sweep (without --resume)");
    free(out);
}

/* An axis over data.inputs lists: a two-input model (seanet_add2) on the
 * test_echo device with its inputs in both orders, two complete runs. */
static void test_inputs_axis(void)
{
    char zoo[4200], text[16384], db2[4300];
    snprintf(zoo, sizeof zoo, "%s/golden-zoo/seanet_add2", sw_shared);
    if (access(zoo, R_OK) != 0) {
        fprintf(stderr, "\n  %s is absent: not run\n", zoo);
        return;
    }
    snprintf(text, sizeof text,
             "plugin_path = [ \"%s\" ];\n"
             "device = { plugin = \"test_echo\"; };\n"
             "model = { path = \"%s/model.tflite\"; };\n"
             "data = { inputs = \"%s/input_0.npy\"; limit = 4; };\n"
             "task = { kind = \"none\"; };\n"
             "output = { dir = \"runs2\"; };\n", SW_GOOD, zoo, zoo);
    write_file("add2.cfg", text);
    snprintf(text, sizeof text,
             "rig = \"add2.cfg\";\n"
             "axes = ( { key = \"data.inputs\";\n"
             "           values = ( [ \"%s/input_0.npy\", \"%s/input_1.npy\" ],\n"
             "                      [ \"%s/input_1.npy\", \"%s/input_0.npy\" ] ); } );\n",
             zoo, zoo, zoo, zoo);
    write_file("inputs.cfg", text);
    char *out = NULL, want[9000];
    CU_ASSERT_EQUAL(sw_run("sweep inputs.cfg --dry-run", &out), 0);
    snprintf(want, sizeof want, "data.inputs=[\"%s/input_1.npy\", \"%s/input_0.npy\"]", zoo, zoo);
    sw_expect(out, want);
    free(out);
    CU_ASSERT_EQUAL(sw_run("sweep inputs.cfg", &out), 0);
    free(out);
    snprintf(db2, sizeof db2, "%s/runs2/results.db", sw_dir);
    long long v = -1;
    CU_ASSERT_EQUAL(sw_sql_int(db2, "SELECT count(*) FROM runs WHERE complete = 1", &v), 0);
    CU_ASSERT_EQUAL(v, 2);
    /* a list element that is not a string is refused by name */
    expect_refused("b6.cfg", "rig = \"add2.cfg\";\naxes = ( { key = \"data.inputs\"; values = "
                   "( ( \"a.npy\", 3 ) ); } );\n", "b6.cfg:2: an axis value must be a string, "
                   "number or boolean, or a list of strings");
}

int neurio_register_tests(void)
{
    sw_setup();
    CU_pSuite s = CU_add_suite("sweep", NULL, NULL);
    if (!s)
        return -1;
    CU_add_test(s, "8 points -j 2, interrupted, resumed", test_interrupt_and_resume);
    CU_add_test(s, "show SWEEP prints the table", test_show);
    CU_add_test(s, "sweep.html in headless Chromium", test_page_in_chromium);
    CU_add_test(s, "bad sweep files, changed file on --resume", test_bad_files);
    CU_add_test(s, "an axis over data.inputs lists (two-input model)", test_inputs_axis);
    return 0;
}

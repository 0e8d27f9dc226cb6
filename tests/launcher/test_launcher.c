/* tests/launcher/test_launcher.c — the `neurio` command line end to end and
 * the pipeline (with observers) driven by the TEST-ONLY test_echo plugin.
 * The pipeline part needs ../shared (hello_world_int8 and its golden
 * inputs) and is skipped with a message when it is absent. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include "commands/commands.h"
#include "host.h"
#include "reference/hostref.h"
#include "neurio/npy.h"
#include "pipeline.h"
#include "observers/quant_cost.h"
#include "observers/report.h"
#include "rig.h"
#include "test_util.h"

#define NEURIO NEURIO_BINARY_DIR "/core/neurio"
#define GOOD NEURIO_BINARY_DIR "/tests/plugins/good"
#define BROKEN NEURIO_BINARY_DIR "/tests/plugins/broken"
#define COMPAT NEURIO_BINARY_DIR "/tests/plugins/compat"

static char dir[PATH_MAX];
static char model[PATH_MAX];
static char inputs[PATH_MAX];
static int have_shared;

static int suite_init(void)
{
    snprintf(dir, sizeof dir, "%s", neurio_test_tmpdir());
    const char *shared = neurio_test_shared_dir();
    if (shared) {
        snprintf(model, sizeof model, "%s/models/hello_world_int8.tflite", shared);
        snprintf(inputs, sizeof inputs, "%s/golden/hello_world_int8/input.npy", shared);
        have_shared = access(model, R_OK) == 0 && access(inputs, R_OK) == 0;
    }
    if (!have_shared) { /* a placeholder so the rig's model.path exists */
        snprintf(model, sizeof model, "%s/placeholder.tflite", dir);
        snprintf(inputs, sizeof inputs, "%s/placeholder.npy", dir);
        neurio_test_write_file(model, "TFL3", 4);
        neurio_test_write_file(inputs, "x", 1);
    }
    return 0;
}

/* Write rig `name` in the temp dir with the echo plugin and extra text. */
static const char *write_rig(const char *name, const char *device_extra, const char *extra)
{
    static char path[PATH_MAX + 64];
    char text[8192];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    snprintf(text, sizeof text,
             "plugin_path = [ \"%s\" ];\n"
             "device = { plugin = \"test_echo\"; %s };\n"
             "model = { path = \"%s\"; };\n"
             "data = { inputs = \"%s\"; batch_size = 16; };\n"
             "output = { dir = \"runs\"; };\n%s",
             GOOD, device_extra, model, inputs, extra);
    CU_ASSERT_EQUAL_FATAL(neurio_test_write_file(path, text, strlen(text)), 0);
    return path;
}

static int run(const char *args, char **out)
{
    char cmd[16384];
    snprintf(cmd, sizeof cmd, "cd %s && %s %s", dir, NEURIO, args);
    int rc = neurio_test_run(cmd, out);
    return rc;
}

static void assert_contains(const char *out, const char *needle)
{
    if (!out || !strstr(out, needle))
        fprintf(stderr, "\nexpected to find: %s\nin output:\n%s\n", needle, out ? out : "(null)");
    CU_ASSERT_PTR_NOT_NULL(out ? strstr(out, needle) : NULL);
}

static void test_version_help_usage(void)
{
    char *out = NULL;
    CU_ASSERT_EQUAL(run("--version", &out), 0);
    char want[128];
    snprintf(want, sizeof want, "(plugin ABI %d.%d)", NEURIO_ABI_MAJOR, NEURIO_ABI_MINOR);
    assert_contains(out, want);
    free(out);
    CU_ASSERT_EQUAL(run("--help", &out), 0);
    assert_contains(out, "Exit codes:");
    assert_contains(out, "  run        ");
    free(out);
    CU_ASSERT_EQUAL(run("", &out), NR_EXIT_USAGE);
    free(out);
    CU_ASSERT_EQUAL(run("frobnicate", &out), NR_EXIT_USAGE);
    assert_contains(out, "neurio: unknown command 'frobnicate'; run `neurio --help` for the list");
    free(out);
    const char *cmds[] = { "plugins --help", "check --help", "run --help" };
    for (size_t i = 0; i < 3; i++) {
        CU_ASSERT_EQUAL(run(cmds[i], &out), 0);
        assert_contains(out, "Exit codes:");
        assert_contains(out, "  6    device error");
        free(out);
    }
    CU_ASSERT_EQUAL(run("check", &out), NR_EXIT_USAGE);
    assert_contains(out, "neurio check: missing the rig file (e.g. config/example-host.cfg); see "
                         "`neurio check --help`");
    free(out);
    CU_ASSERT_EQUAL(run("run r.cfg --until deploy", &out), NR_EXIT_USAGE);
    assert_contains(out, "neurio run: --until deploy: expected prepare, codegen or flash");
    free(out);
    CU_ASSERT_EQUAL(run("run r.cfg --frob", &out), NR_EXIT_USAGE);
    assert_contains(out, "neurio run: unknown option '--frob'");
    free(out);
}

static void test_plugins_listing(void)
{
    char *out = NULL, args[PATH_MAX * 2];
    const char *rig = write_rig("list.cfg", "", "");
    snprintf(args, sizeof args, "plugins --rig %s --set plugin_path=%s", rig, BROKEN);
    CU_ASSERT_EQUAL(run(args, &out), 0);
    char want[PATH_MAX + 256];
    snprintf(want, sizeof want, "test_echo 1.0-test (ABI %d.%d) — TEST ONLY", NEURIO_ABI_MAJOR,
             NEURIO_ABI_MINOR);
    assert_contains(out, want);
    assert_contains(out, "device.fail_at");
    assert_contains(out, "refused:\n");
    snprintf(want, sizeof want, BROKEN "/neurio-test_broken_bad_major.so: 'neurio_plugin_init' "
             "reports plugin ABI %d.0, core ABI is %d.%d (major differs)", NEURIO_ABI_MAJOR + 1,
             NEURIO_ABI_MAJOR, NEURIO_ABI_MINOR);
    assert_contains(out, want);
    assert_contains(out, BROKEN "/neurio-test_not_elf.so: not a shared object (no ELF header)");
    assert_contains(out, "duplicate plugin name 'test_echo'");
    free(out);
    /* without a rig: only the built plugin dir, none of the test plugins */
    CU_ASSERT_EQUAL(run("plugins", &out), 0);
    CU_ASSERT_PTR_NULL(strstr(out, "test_echo"));
    assert_contains(out, "refused (searched: ");
    free(out);
}

static void test_check_errors(void)
{
    char *out = NULL, args[PATH_MAX * 2];
    const char *rig = write_rig("bad.cfg", "", "task = { kind = \"ranking\"; };\n");
    snprintf(args, sizeof args, "check %s", rig);
    CU_ASSERT_EQUAL(run(args, &out), NR_EXIT_CONFIG);
    char want[PATH_MAX + 128];
    snprintf(want, sizeof want,
             "neurio check: %s:6: task.kind = \"ranking\" is not one of "
             "classification|regression|anomaly|none\n", rig);
    assert_contains(out, want);
    free(out);
    rig = write_rig("nosuch.cfg", "", "");
    snprintf(args, sizeof args, "check %s --set device.plugin=nosuch", rig);
    CU_ASSERT_EQUAL(run(args, &out), NR_EXIT_PLUGIN);
    assert_contains(out, "neurio check: no plugin named 'nosuch' (available: test_echo");
    free(out);
    rig = write_rig("opt.cfg", "colour = \"red\";", "");
    snprintf(args, sizeof args, "check %s", rig);
    CU_ASSERT_EQUAL(run(args, &out), NR_EXIT_CONFIG);
    snprintf(want, sizeof want,
             "neurio check: %s:2: device.colour: unknown option for plugin 'test_echo'; it "
             "accepts: fail_at, fail_after, max_batch, gain, verbose, serial_dir, signal_at, "
             "signal, stall_at, stall_ms, remove_at, remove_path, late_at, slowdown, slow_layer, "
             "batch_ms, ram_bytes, flash_bytes, layout\n", rig);
    assert_contains(out, want);
    free(out);
    /* nothing was written for a failed check */
    char runs[PATH_MAX + 8];
    snprintf(runs, sizeof runs, "%s/runs", dir);
    struct stat st;
    CU_ASSERT_NOT_EQUAL(stat(runs, &st), 0);
}

static void need_shared(void)
{
    if (!have_shared)
        fprintf(stderr, "(../shared absent: pipeline part not run) ");
}

static void test_check_and_until_prepare(void)
{
    need_shared();
    if (!have_shared)
        return;
    char *out = NULL, args[PATH_MAX * 2];
    const char *rig = write_rig("ok.cfg", "", "");
    snprintf(args, sizeof args, "check %s", rig);
    CU_ASSERT_EQUAL(run(args, &out), 0);
    assert_contains(out, "plugin: test_echo 1.0-test");
    assert_contains(out, "  device.fail_at = \"none\"  (default)");
    assert_contains(out, "model: ");
    assert_contains(out, "check OK: ");
    free(out);
    snprintf(args, sizeof args, "run %s --until prepare", rig);
    CU_ASSERT_EQUAL(run(args, &out), 0);
    assert_contains(out, "prepared model 'hello_world_int8'");
    assert_contains(out, "stopped after prepare as requested (--until prepare)");
    free(out);
    snprintf(args, sizeof args, "run %s --until flash", rig);
    CU_ASSERT_EQUAL(run(args, &out), 0);
    assert_contains(out, "flashed: test_echo, test_echo (no firmware)");
    free(out);
}

/* Find the newest run dir's pred.npy printed by the launcher. */
static int read_pred(const char *out, neurio_npy *a)
{
    const char *p = out ? strstr(out, "predictions: ") : NULL;
    if (!p)
        return -1;
    p += strlen("predictions: ");
    char path[PATH_MAX];
    size_t n = strcspn(p, " ");
    snprintf(path, sizeof path, "%.*s", (int)n, p);
    return neurio_npy_read(path, a, NULL);
}

static void test_full_run_echo(void)
{
    need_shared();
    if (!have_shared)
        return;
    char *out = NULL, args[PATH_MAX * 2];
    const char *rig = write_rig("full.cfg", "", "");
    neurio_npy in, pred;
    CU_ASSERT_EQUAL_FATAL(neurio_npy_read(inputs, &in, NULL), 0);
    /* limit 10, batch 3: 4 batches, the last partial one kept */
    snprintf(args, sizeof args, "run %s --set data.limit=10 --set data.batch_size=3", rig);
    CU_ASSERT_EQUAL(run(args, &out), 0);
    assert_contains(out, "10 of 10 samples on 'test_echo' (test_echo), batches of 3");
    assert_contains(out, "latency (host wall clock): mean ");
    assert_contains(out, "cycles (synthetic (test_echo)): mean 104.5, p50 104.5, p99 108.9");
    CU_ASSERT_EQUAL_FATAL(read_pred(out, &pred), 0);
    CU_ASSERT_EQUAL(pred.dtype, NEURIO_DT_INT8);
    CU_ASSERT_EQUAL(pred.rank, in.rank);
    CU_ASSERT_EQUAL(pred.dims[0], 10);
    /* echo: int8 [1,1] in → int8 [1,1] out, so pred == the first inputs */
    CU_ASSERT_EQUAL(memcmp(pred.data, in.data, pred.bytes), 0);
    neurio_npy_free(&pred);
    free(out);
    /* the device caps the batch */
    snprintf(args, sizeof args, "run %s --set device.max_batch=4", rig);
    CU_ASSERT_EQUAL(run(args, &out), 0);
    assert_contains(out, "batches of 4");
    CU_ASSERT_EQUAL_FATAL(read_pred(out, &pred), 0);
    CU_ASSERT_EQUAL(pred.dims[0], in.dims[0]);
    CU_ASSERT_EQUAL(memcmp(pred.data, in.data, pred.bytes), 0);
    neurio_npy_free(&pred);
    free(out);
    neurio_npy_free(&in);
}

/* Plugin ABI 1.1 compatibility: a plugin built with the 1.0 descriptor
 * (shorter, minor 0) runs, its options read in the 1.0 layout; a plugin
 * without prepare and codegen gets the SDK's default recipe.  ABI 1.2:
 * data.stateful is refused for the 1.0 plugin (it has its own codegen). */
static void test_compat_plugins(void)
{
    need_shared();
    if (!have_shared)
        return;
    char *out = NULL, args[PATH_MAX * 2], path[PATH_MAX + 64], text[8192];
    static const char *const names[] = { "test_echo_abi10", "test_echo_lean" };
    for (int k = 0; k < 2; k++) {
        snprintf(path, sizeof path, "%s/%s.cfg", dir, names[k]);
        snprintf(text, sizeof text,
                 "plugin_path = [ \"%s\" ];\n"
                 "device = { plugin = \"%s\"; max_batch = 4; };\n"
                 "model = { path = \"%s\"; };\n"
                 "data = { inputs = \"%s\"; batch_size = 16; limit = 10; };\n"
                 "output = { dir = \"runs\"; };\n",
                 COMPAT, names[k], model, inputs);
        CU_ASSERT_EQUAL_FATAL(neurio_test_write_file(path, text, strlen(text)), 0);
        snprintf(args, sizeof args, "run %s", path);
        CU_ASSERT_EQUAL(run(args, &out), 0);
        char want[256];
        snprintf(want, sizeof want, "10 of 10 samples on '%s' (test_echo), batches of 4",
                 names[k]);
        assert_contains(out, want);
        /* the lean plugin's code came from the SDK's default codegen */
        const char *g = out ? strstr(out, "generated code: ") : NULL;
        CU_ASSERT_PTR_NOT_NULL_FATAL(g);
        char gen[PATH_MAX];
        snprintf(gen, sizeof gen, "%.*s", (int)strcspn(g + 16, "\n"), g + 16);
        DIR *d = opendir(gen);
        CU_ASSERT_PTR_NOT_NULL_FATAL(d);
        int c_files = 0, echo_txt = 0;
        for (struct dirent *de; (de = readdir(d)) != NULL;) {
            size_t l = strlen(de->d_name);
            c_files += l > 2 && !strcmp(de->d_name + l - 2, ".c");
            echo_txt += !strcmp(de->d_name, "test_echo_model.txt");
        }
        closedir(d);
        CU_ASSERT_EQUAL(c_files, k == 1 ? 1 : 0);
        CU_ASSERT_EQUAL(echo_txt, k == 1 ? 0 : 1);
        free(out);
        /* data.stateful (host->run_stateful, ABI 1.2): a 1.0 plugin with its
         * own codegen cannot be told and is refused; one that leaves codegen
         * to the SDK gets it from the core */
        snprintf(args, sizeof args, "check %s --set data.stateful=true", path);
        CU_ASSERT_EQUAL(run(args, &out), k == 0 ? NR_EXIT_CONFIG : 0);
        if (k == 0)
            assert_contains(out, "data.stateful = true, but device plugin 'test_echo_abi10' ("
                                 COMPAT "/neurio-test_echo_abi10.so) was built for plugin ABI "
                                 "1.0, which cannot be told to keep the model's state");
        free(out);
    }
}

static void test_failures(void)
{
    need_shared();
    if (!have_shared)
        return;
    char *out = NULL, args[PATH_MAX * 2];
    const char *rig = write_rig("fail.cfg", "", "");
    static const struct {
        const char *hook;
        int code;
    } cases[] = { { "open", NR_EXIT_PLUGIN },  { "prepare", NR_EXIT_MODEL },
                  { "codegen", NR_EXIT_DEVICE }, { "flash", NR_EXIT_DEVICE },
                  { "transfer", NR_EXIT_DEVICE }, { "infer", NR_EXIT_DEVICE } };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char want[256];
        snprintf(args, sizeof args, "run %s --set device.fail_at=%s", rig, cases[i].hook);
        CU_ASSERT_EQUAL(run(args, &out), cases[i].code);
        snprintf(want, sizeof want,
                 "neurio run: %s failed: [test_echo] test_echo: %s failed on purpose "
                 "(fail_at = \"%s\")\n", cases[i].hook, cases[i].hook, cases[i].hook);
        assert_contains(out, want);
        free(out);
    }
    /* no data.inputs: stopped before any batch, told how to fix it */
    char norig[PATH_MAX + 64], text[PATH_MAX * 2];
    snprintf(norig, sizeof norig, "%s/noinputs.cfg", dir);
    snprintf(text, sizeof text,
             "plugin_path = [ \"%s\" ];\ndevice = { plugin = \"test_echo\"; };\n"
             "model = { path = \"%s\"; };\n", GOOD, model);
    CU_ASSERT_EQUAL_FATAL(neurio_test_write_file(norig, text, strlen(text)), 0);
    snprintf(args, sizeof args, "run %s", norig);
    CU_ASSERT_EQUAL(run(args, &out), NR_EXIT_CONFIG);
    char want2[PATH_MAX + 256];
    snprintf(want2, sizeof want2,
             "neurio run: %s: data.inputs is required to run inferences; add data = { inputs "
             "= \"x.npy\"; }; or stop earlier with --until flash\n", norig);
    assert_contains(out, want2);
    free(out);
    /* an output dir that cannot be created */
    snprintf(args, sizeof args, "run %s --until prepare --set output.dir=/proc/neurio-runs", rig);
    CU_ASSERT_EQUAL(run(args, &out), NR_EXIT_CONFIG);
    assert_contains(out, "neurio run: cannot create output.dir /proc/neurio-runs: ");
    free(out);
    /* the device dies after 5 samples: the 5 results are kept and written */
    snprintf(args, sizeof args, "run %s --set device.fail_after=5 --set data.batch_size=3", rig);
    CU_ASSERT_EQUAL(run(args, &out), NR_EXIT_DEVICE);
    assert_contains(out, "neurio run: infer failed: [test_echo] test_echo: device stopped after "
                         "5 samples\n");
    neurio_npy pred;
    CU_ASSERT_EQUAL_FATAL(read_pred(out, &pred), 0);
    CU_ASSERT_EQUAL(pred.dims[0], 5);
    neurio_npy_free(&pred);
    free(out);
}

/* --- observers through the C API ---------------------------------------- */

typedef struct counts {
    int start, batches, finish, status;
    size_t rows, last_done;
    int stop_at_batch;
} counts;

static int on_start(void *u, const nr_run *r)
{
    counts *c = u;
    c->start++;
    CU_ASSERT_EQUAL(r->n_done, 0);
    CU_ASSERT_STRING_EQUAL(r->plugin->name, "test_echo");
    CU_ASSERT_EQUAL(strlen(r->model_sha256), 64);
    /* the one hash: computed by the core after prepare, equal to the
     * model's, and the one the plugin was handed in codegen */
    char hex[65], path[PATH_MAX + 32], want[80];
    CU_ASSERT_EQUAL(neurio_model_sha256_hex(r->model, hex), NEURIO_OK);
    CU_ASSERT_STRING_EQUAL(hex, r->model_sha256);
    snprintf(path, sizeof path, "%s/test_echo_model.txt", r->gen_dir);
    char *txt = neurio_test_read_file(path, NULL);
    snprintf(want, sizeof want, "sha256 %s\n", hex);
    CU_ASSERT_PTR_NOT_NULL(txt && strstr(txt, want));
    free(txt);
    return 0;
}

static int on_batch(void *u, const nr_run *r, const neurio_batch *b)
{
    counts *c = u;
    c->batches++;
    c->rows += b->done;
    c->last_done = r->n_done;
    CU_ASSERT_EQUAL(r->n_done, (size_t)b->first + b->done);
    CU_ASSERT_EQUAL(b->measures[0].cycles, 100u + b->first); /* rows of this batch */
    CU_ASSERT_EQUAL(r->layers_filled, r->n_layers);
    if (c->stop_at_batch && c->batches == c->stop_at_batch)
        return NEURIO_ERR_IO;
    return 0;
}

static int on_finish(void *u, const nr_run *r, int status)
{
    counts *c = u;
    (void)r;
    c->finish++;
    c->status = status;
    return 0;
}

static int run_observed(const char *rig_path, const char *const *sets, size_t n, counts *c,
                        neurio_errbuf *err)
{
    nr_rig *rig = NULL;
    nr_pipeline *p = NULL;
    int code = 0;
    int rc = nr_rig_load(rig_path, sets, n, &rig, err);
    CU_ASSERT_EQUAL_FATAL(rc, 0);
    rc = nr_pipeline_new(rig, &p, &code, err);
    CU_ASSERT_EQUAL_FATAL(rc, 0);
    nr_observer o = { .user = c, .on_start = on_start, .on_batch = on_batch,
                      .on_finish = on_finish };
    CU_ASSERT_EQUAL(nr_pipeline_add_observer(p, &o), 0);
    rc = nr_pipeline_run(p, NR_STAGE_INFER, err);
    nr_pipeline_free(p);
    nr_rig_free(rig);
    return rc;
}

static void test_observers(void)
{
    need_shared();
    if (!have_shared)
        return;
    const char *rig = write_rig("obs.cfg", "", "");
    const char *sets[] = { "data.limit=20", "data.batch_size=6", "device.fail_after=-1" };
    counts c = { 0 };
    neurio_errbuf err;
    char cwd[PATH_MAX];
    CU_ASSERT_PTR_NOT_NULL_FATAL(getcwd(cwd, sizeof cwd));
    CU_ASSERT_EQUAL_FATAL(chdir(dir), 0);
    CU_ASSERT_EQUAL(run_observed(rig, sets, 3, &c, &err), NEURIO_OK);
    CU_ASSERT_EQUAL(c.start, 1);
    CU_ASSERT_EQUAL(c.batches, 4);
    CU_ASSERT_EQUAL(c.rows, 20);
    CU_ASSERT_EQUAL(c.finish, 1);
    CU_ASSERT_EQUAL(c.status, NEURIO_OK);
    /* an observer failing stops the run; on_finish still comes, once */
    counts d = { .stop_at_batch = 2 };
    CU_ASSERT_EQUAL(run_observed(rig, sets, 3, &d, &err), NEURIO_ERR_IO);
    CU_ASSERT_STRING_EQUAL(err.msg, "observer 0 failed after a batch (status -3: i/o error) "
                                    "without saying why");
    CU_ASSERT_EQUAL(d.batches, 2);
    CU_ASSERT_EQUAL(d.finish, 1);
    CU_ASSERT_EQUAL(d.status, NEURIO_ERR_IO);
    /* cancellation (as by Ctrl-C) in any stage stops at the end of that
     * stage: here during prepare, so nothing reaches the device */
    counts e = { 0 };
    nr_cancel_set(1);
    CU_ASSERT_EQUAL(run_observed(rig, sets, 3, &e, &err), NEURIO_ERR_CANCELLED);
    nr_cancel_set(0);
    CU_ASSERT_STRING_EQUAL(err.msg, "cancelled by the user after prepare; nothing was run on "
                                    "the device");
    CU_ASSERT_EQUAL(e.start, 0);
    CU_ASSERT_EQUAL(e.finish, 1);
    CU_ASSERT_EQUAL(e.status, NEURIO_ERR_CANCELLED);
    /* a failure before on_start still finishes once */
    const char *sets2[] = { "device.fail_at=flash" };
    counts f = { 0 };
    CU_ASSERT_EQUAL(run_observed(rig, sets2, 1, &f, &err), NEURIO_ERR_DEVICE);
    CU_ASSERT_EQUAL(f.start, 0);
    CU_ASSERT_EQUAL(f.finish, 1);
    CU_ASSERT_EQUAL(chdir(cwd), 0);
}

/* The host reference is one service: with the quantization cost and the
 * report's reference run both reading it, every sample runs once. */
typedef struct ref_count {
    int batches, runs_ok, have;
    uint64_t runs;
} ref_count;

static int ref_on_batch(void *u, const nr_run *r, const neurio_batch *b)
{
    ref_count *c = u;
    c->batches++;
    c->have = r->hostref != NULL;
    c->runs = nr_hostref_runs(r->hostref);
    /* observers run in order: the two before this one have read the batch */
    c->runs_ok += c->runs == (uint64_t)b->first + b->done;
    neurio_errbuf err;
    const float *rows = nr_hostref_rows(r->hostref, b->first, b->done, &err);
    CU_ASSERT_PTR_NOT_NULL(rows);
    CU_ASSERT_EQUAL(nr_hostref_runs(r->hostref), c->runs); /* kept, not run again */
    return 0;
}

static void test_hostref_shared(void)
{
    need_shared();
    if (!have_shared)
        return;
    const char *rig_path = write_rig("hostref.cfg", "", "task = { kind = \"none\"; "
                                     "reference_run = \"host\"; };\n");
    const char *sets[] = { "data.limit=20", "data.batch_size=6", "model.quantize=int8",
                           "output.store=none" };
    nr_rig *rig = NULL;
    nr_pipeline *p = NULL;
    neurio_errbuf err;
    int code = 0;
    ref_count c = { 0 };
    char cwd[PATH_MAX];
    CU_ASSERT_PTR_NOT_NULL_FATAL(getcwd(cwd, sizeof cwd));
    CU_ASSERT_EQUAL_FATAL(chdir(dir), 0);
    CU_ASSERT_EQUAL_FATAL(nr_rig_load(rig_path, sets, 4, &rig, &err), 0);
    CU_ASSERT_EQUAL_FATAL(nr_pipeline_new(rig, &p, &code, &err), 0);
    nr_observer qc, rp, counter = { .user = &c, .on_batch = ref_on_batch, .needs_hostref = 1 };
    CU_ASSERT_EQUAL_FATAL(nr_quant_cost_observer_new(rig, &qc, &err), 0);
    CU_ASSERT_EQUAL_FATAL(nr_report_observer_new(rig, &rp, &err), 0);
    CU_ASSERT(qc.needs_hostref && rp.needs_hostref);
    CU_ASSERT_EQUAL(nr_pipeline_add_observer(p, &qc), 0);
    CU_ASSERT_EQUAL(nr_pipeline_add_observer(p, &rp), 0);
    CU_ASSERT_EQUAL(nr_pipeline_add_observer(p, &counter), 0);
    CU_ASSERT_EQUAL(nr_pipeline_run(p, NR_STAGE_INFER, &err), NEURIO_OK);
    CU_ASSERT(c.have);
    CU_ASSERT_EQUAL(c.batches, 4);
    CU_ASSERT_EQUAL(c.runs_ok, 4);
    CU_ASSERT_EQUAL(c.runs, 20); /* 20 samples, each run once for both observers */
    nr_pipeline_free(p);
    nr_rig_free(rig);
    CU_ASSERT_EQUAL(chdir(cwd), 0);
}

int neurio_register_tests(void)
{
    CU_pSuite s = CU_add_suite("launcher", suite_init, NULL);
    if (!s)
        return -1;
    CU_add_test(s, "version, help, usage errors", test_version_help_usage);
    CU_add_test(s, "plugins listing with refusals", test_plugins_listing);
    CU_add_test(s, "check errors and exit codes", test_check_errors);
    CU_add_test(s, "check OK, run --until prepare/flash", test_check_and_until_prepare);
    CU_add_test(s, "full run with test_echo", test_full_run_echo);
    CU_add_test(s, "ABI 1.0 plugin, plugin without prepare/codegen", test_compat_plugins);
    CU_add_test(s, "hook failures wrapped, results kept", test_failures);
    CU_add_test(s, "observers, cancellation", test_observers);
    CU_add_test(s, "one host reference for every observer", test_hostref_shared);
    return CU_get_error() == CUE_SUCCESS ? 0 : -1;
}

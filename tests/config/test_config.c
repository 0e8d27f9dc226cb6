/* tests/config/test_config.c — rig parsing: every error class with file:line
 * (or the --set argument), overrides, defaults, path resolution, and device
 * options checked against a plugin's schema. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "loader.h"
#include "options.h"
#include "rig.h"
#include "test_util.h"

static char dir[PATH_MAX];
static char rig_path[PATH_MAX];
static char expect[2048];

static int suite_init(void)
{
    snprintf(dir, sizeof dir, "%s", neurio_test_tmpdir());
    char p[PATH_MAX + 16];
    snprintf(p, sizeof p, "%s/m.tflite", dir);
    if (neurio_test_write_file(p, "TFL3", 4) != 0)
        return -1;
    snprintf(p, sizeof p, "%s/x.npy", dir);
    if (neurio_test_write_file(p, "x", 1) != 0)
        return -1;
    snprintf(rig_path, sizeof rig_path, "%s/rig.cfg", dir);
    return 0;
}

/* Write the rig text and load it; returns the status, message in err. */
static int load(const char *text, const char *const *sets, size_t n, nr_rig **rig,
                neurio_errbuf *err)
{
    CU_ASSERT_EQUAL_FATAL(neurio_test_write_file(rig_path, text, strlen(text)), 0);
    err->msg[0] = '\0';
    return nr_rig_load(rig_path, sets, n, rig, err);
}

/* Assert the rig fails with exactly "<rig_path>:<tail>". */
static void assert_rig_error(const char *text, const char *const *sets, size_t n,
                             const char *tail)
{
    nr_rig *rig = (nr_rig *)1;
    neurio_errbuf err;
    CU_ASSERT_EQUAL(load(text, sets, n, &rig, &err), NEURIO_ERR_CONFIG);
    CU_ASSERT_PTR_NULL(rig);
    snprintf(expect, sizeof expect, "%s%s", tail[0] == '-' ? "" : rig_path, tail);
    if (strcmp(err.msg, expect))
        fprintf(stderr, "\n got: %s\nwant: %s\n", err.msg, expect);
    CU_ASSERT_STRING_EQUAL(err.msg, expect);
}

#define MIN_RIG "device = { plugin = \"test_echo\"; };\nmodel = { path = \"m.tflite\"; };\n"

static void test_minimal_and_defaults(void)
{
    nr_rig *rig = NULL;
    neurio_errbuf err;
    CU_ASSERT_EQUAL_FATAL(load(MIN_RIG, NULL, 0, &rig, &err), NEURIO_OK);
    char want[PATH_MAX + 32];
    CU_ASSERT_STRING_EQUAL(rig->device_plugin, "test_echo");
    snprintf(want, sizeof want, "%s/m.tflite", dir);
    CU_ASSERT_STRING_EQUAL(rig->model_path, want);
    CU_ASSERT_STRING_EQUAL(rig->model_quantize, "none");
    CU_ASSERT_STRING_EQUAL(rig->model_calibration_method, "minmax");
    CU_ASSERT_PTR_NULL(rig->data_inputs);
    CU_ASSERT_EQUAL(rig->data_batch_size, 16);
    CU_ASSERT_EQUAL(rig->data_limit, 0);
    CU_ASSERT_STRING_EQUAL(rig->task_kind, "classification");
    CU_ASSERT_EQUAL(rig->task_top_k, 5);
    snprintf(want, sizeof want, "%s/runs", dir);
    CU_ASSERT_STRING_EQUAL(rig->output_dir, want);
    CU_ASSERT_STRING_EQUAL(rig->output_predictions, "pred.npy");
    CU_ASSERT_PTR_NULL(rig->output_store);
    CU_ASSERT_EQUAL(rig->n_plugin_path, 0);
    nr_rig_free(rig);
}

static void test_full_rig_and_sets(void)
{
    char cwd[PATH_MAX], want[PATH_MAX + 32];
    CU_ASSERT_PTR_NOT_NULL_FATAL(getcwd(cwd, sizeof cwd));
    const char *text = "plugin_path = [ \"plug\", \"/abs/plug\" ];\n" MIN_RIG
                       "data = { inputs = \"x.npy\"; batch_size = 4; limit = 10; };\n"
                       "task = { kind = \"regression\"; top_k = 3; };\n"
                       "output = { dir = \"out\"; store = \"sqlite:r.db\"; };\n";
    const char *sets[] = { "data.batch_size=32", "output.dir=elsewhere", "device.gain=2.5",
                           "plugin_path=more" };
    nr_rig *rig = NULL;
    neurio_errbuf err;
    CU_ASSERT_EQUAL_FATAL(load(text, sets, 4, &rig, &err), NEURIO_OK);
    CU_ASSERT_EQUAL(rig->data_batch_size, 32);
    CU_ASSERT_EQUAL(rig->data_limit, 10);
    CU_ASSERT_STRING_EQUAL(rig->task_kind, "regression");
    CU_ASSERT_EQUAL(rig->task_top_k, 3);
    CU_ASSERT_STRING_EQUAL(rig->output_store, "sqlite:r.db");
    snprintf(want, sizeof want, "%s/elsewhere", cwd); /* --set: relative to the cwd */
    CU_ASSERT_STRING_EQUAL(rig->output_dir, want);
    CU_ASSERT_EQUAL_FATAL(rig->n_plugin_path, 3);
    snprintf(want, sizeof want, "%s/plug", dir);      /* rig: relative to the rig */
    CU_ASSERT_STRING_EQUAL(rig->plugin_path[0], want);
    CU_ASSERT_STRING_EQUAL(rig->plugin_path[1], "/abs/plug");
    snprintf(want, sizeof want, "%s/more", cwd);
    CU_ASSERT_STRING_EQUAL(rig->plugin_path[2], want);
    CU_ASSERT_EQUAL_FATAL(rig->n_device_sets, 1);
    CU_ASSERT_STRING_EQUAL(rig->device_sets[0], "device.gain=2.5");
    nr_rig_free(rig);
}

static void test_path_normalized(void)
{
    nr_rig *rig = NULL;
    neurio_errbuf err;
    char want[PATH_MAX + 32];
    CU_ASSERT_EQUAL_FATAL(load(MIN_RIG "output = { dir = \"./a//b/../../out2/.\"; };\n", NULL, 0,
                               &rig, &err),
                          NEURIO_OK);
    snprintf(want, sizeof want, "%s/out2", dir);
    CU_ASSERT_STRING_EQUAL(rig->output_dir, want);
    nr_rig_free(rig);
}

static void test_syntax_error(void)
{
    assert_rig_error("device = { plugin = \"x\" }\nmodel = { path = ; };\n", NULL, 0,
                     ":2: syntax error; check the libconfig syntax (key = value; groups { }, "
                     "strings in double quotes)");
}

static void test_unknown_top_key(void)
{
    assert_rig_error(MIN_RIG "\nmodle = { path = \"m.tflite\"; };\n", NULL, 0,
                     ":4: unknown key 'modle'; known top-level keys: plugin_path, device, "
                     "model, data, task, output");
}

static void test_unknown_section_key(void)
{
    assert_rig_error(MIN_RIG "data = {\n  input = \"x.npy\";\n};\n", NULL, 0,
                     ":4: unknown key 'data.input'; data accepts: inputs, labels, "
                     "batch_size, limit, stall_timeout_ms, stateful");
}

static void test_section_not_group(void)
{
    assert_rig_error(MIN_RIG "task = \"classification\";\n", NULL, 0,
                     ":3: task: expected a group { ... }, got a string; write task = { ... };");
}

static void test_wrong_type(void)
{
    assert_rig_error(MIN_RIG "data = { batch_size = \"16\"; };\n", NULL, 0,
                     ":3: data.batch_size: expected an integer, got a string; write "
                     "batch_size = 16;");
    assert_rig_error("device = { plugin = 3; };\nmodel = { path = \"m.tflite\"; };\n", NULL, 0,
                     ":1: device.plugin: expected a string, got an integer; write plugin = "
                     "\"host\";");
}

static void test_out_of_range(void)
{
    assert_rig_error(MIN_RIG "data = { batch_size = 0; };\n", NULL, 0,
                     ":3: data.batch_size = 0 is out of range (minimum 1); e.g. batch_size = "
                     "16;");
}

static void test_bad_choice(void)
{
    assert_rig_error("device = { plugin = \"x\"; };\nmodel = {\n path = \"m.tflite\";\n"
                     " quantize = \"int4\";\n};\n",
                     NULL, 0, ":4: model.quantize = \"int4\" is not one of none|int8|int16x8");
}

static void test_missing_required(void)
{
    assert_rig_error("device = { plugin = \"x\"; };\nmodel = { quantize = \"none\"; };\n", NULL,
                     0, ":2: missing required key model.path; add path = \"model.tflite\"; "
                        "inside model = { ... }");
    assert_rig_error("model = { path = \"m.tflite\"; };\n", NULL, 0,
                     ": missing required key device.plugin; add plugin = \"host\"; inside "
                     "device = { ... }");
}

static void test_missing_file(void)
{
    char tail[PATH_MAX * 2 + 256];
    snprintf(tail, sizeof tail,
             ":3: data.inputs = \"nope.npy\": No such file or directory (looked for "
             "%s/nope.npy); fix the path (relative paths are relative to %s)",
             dir, dir);
    assert_rig_error(MIN_RIG "data = { inputs = \"nope.npy\"; };\n", NULL, 0, tail);
}

/* ${NEURIO_SHARED_DIR}/...: the variable when set, else <rig dir>/../../shared;
 * neither a folder: an error naming the variable. */
static void test_shared_dir(void)
{
    const char *text = "device = { plugin = \"test_echo\"; };\n"
                       "model = { path = \"${NEURIO_SHARED_DIR}/m.tflite\"; };\n";
    char *old = getenv("NEURIO_SHARED_DIR") ? strdup(getenv("NEURIO_SHARED_DIR")) : NULL;
    nr_rig *rig = NULL;
    neurio_errbuf err;
    char want[PATH_MAX + 32], tail[PATH_MAX * 2 + 256];
    setenv("NEURIO_SHARED_DIR", dir, 1);
    CU_ASSERT_EQUAL(load(text, NULL, 0, &rig, &err), NEURIO_OK);
    snprintf(want, sizeof want, "%s/m.tflite", dir);
    CU_ASSERT_STRING_EQUAL(rig ? rig->model_path : "", want);
    nr_rig_free(rig);
    setenv("NEURIO_SHARED_DIR", "/nonexistent-shared", 1);
    assert_rig_error(text, NULL, 0, ":2: model.path = \"${NEURIO_SHARED_DIR}/m.tflite\": "
                     "NEURIO_SHARED_DIR = /nonexistent-shared is not a folder; set "
                     "NEURIO_SHARED_DIR to the folder holding neurio's shared models and golden "
                     "data (models/, golden/)");
    unsetenv("NEURIO_SHARED_DIR"); /* the default: <tmp>/../../shared, absent */
    char def[PATH_MAX + 32];
    snprintf(def, sizeof def, "%s/../../shared", dir);
    struct stat st;
    if (stat(def, &st) != 0) {
        snprintf(tail, sizeof tail, ":2: model.path = \"${NEURIO_SHARED_DIR}/m.tflite\": "
                 "NEURIO_SHARED_DIR is not set and its default ");
        CU_ASSERT_EQUAL(load(text, NULL, 0, &rig, &err), NEURIO_ERR_CONFIG);
        CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, tail));
        CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "/shared is not a folder"));
    }
    /* a path merely containing the name is a path */
    setenv("NEURIO_SHARED_DIR", dir, 1);
    snprintf(tail, sizeof tail, ":2: model.path = \"${NEURIO_SHARED_DIR}x/m.tflite\": No such "
             "file or directory (looked for %s/${NEURIO_SHARED_DIR}x/m.tflite); fix the path "
             "(relative paths are relative to %s)", dir, dir);
    assert_rig_error("device = { plugin = \"test_echo\"; };\n"
                     "model = { path = \"${NEURIO_SHARED_DIR}x/m.tflite\"; };\n", NULL, 0,
                     tail);
    if (old)
        setenv("NEURIO_SHARED_DIR", old, 1);
    else
        unsetenv("NEURIO_SHARED_DIR");
    free(old);
}

/* ${CWD}/...: the directory neurio was started in (installed example rigs
 * write their runs there), for paths and a store's sqlite file; a name
 * that merely starts like it is a path relative to the rig. */
static void test_cwd_dir(void)
{
    char cwd[PATH_MAX], sub[PATH_MAX + 16], want[PATH_MAX + 64], buf[PATH_MAX + 64];
    CU_ASSERT_PTR_NOT_NULL_FATAL(getcwd(cwd, sizeof cwd));
    snprintf(sub, sizeof sub, "%s/cwd", dir);
    mkdir(sub, 0755);
    CU_ASSERT_EQUAL_FATAL(chdir(sub), 0);
    nr_rig *rig = NULL;
    neurio_errbuf err;
    CU_ASSERT_EQUAL(load(MIN_RIG "data = { inputs = \"${CWD}/../x.npy\"; };\n"
                         "output = { dir = \"${CWD}/runs\"; store = \"sqlite:${CWD}/r.db\"; };\n",
                         NULL, 0, &rig, &err), NEURIO_OK);
    snprintf(want, sizeof want, "%s/runs", sub);
    CU_ASSERT_STRING_EQUAL(rig ? rig->output_dir : "", want);
    snprintf(want, sizeof want, "%s/../x.npy", sub);
    CU_ASSERT_STRING_EQUAL(rig && rig->data_inputs ? rig->data_inputs : "", want);
    snprintf(want, sizeof want, "sqlite:%s/r.db", sub);
    CU_ASSERT_STRING_EQUAL(rig ? nr_rig_store_spec(rig, buf, sizeof buf) : "", want);
    nr_rig_free(rig);
    rig = NULL;
    CU_ASSERT_EQUAL(load(MIN_RIG "output = { dir = \"${CWD}x\"; };\n", NULL, 0, &rig, &err),
                    NEURIO_OK);
    snprintf(want, sizeof want, "%s/${CWD}x", dir);
    CU_ASSERT_STRING_EQUAL(rig ? rig->output_dir : "", want);
    nr_rig_free(rig);
    CU_ASSERT_EQUAL(chdir(cwd), 0);
}

static void test_plugin_path_type(void)
{
    assert_rig_error("plugin_path = 3;\n" MIN_RIG, NULL, 0,
                     ":1: plugin_path: expected a string or an array of strings, got an "
                     "integer; write plugin_path = [ \"path/to/plugins\" ];");
}

static void test_set_errors(void)
{
    const char *s1[] = { "data.batch_size" };
    assert_rig_error(MIN_RIG, s1, 1,
                     "--set data.batch_size: expected dotted.key=value, e.g. --set "
                     "data.limit=100");
    const char *s2[] = { "data.batch_size=big" };
    assert_rig_error(MIN_RIG, s2, 1,
                     "--set data.batch_size=big: data.batch_size: expected an integer, got "
                     "\"big\"");
    const char *s3[] = { "data.limt=3" };
    nr_rig *rig = NULL;
    neurio_errbuf err;
    CU_ASSERT_EQUAL(load(MIN_RIG, s3, 1, &rig, &err), NEURIO_ERR_CONFIG);
    const char *want = "--set data.limt=3: unknown key 'data.limt'; known keys: plugin_path, "
                       "device.<option>, device.plugin, model.path";
    CU_ASSERT_EQUAL(strncmp(err.msg, want, strlen(want)), 0);
    const char *s4[] = { "model.quantize=fp16" };
    assert_rig_error(MIN_RIG, s4, 1,
                     "--set model.quantize=fp16: model.quantize = \"fp16\" is not one of "
                     "none|int8|int16x8");
    const char *s5[] = { "model.path=/nonexistent/m.tflite" };
    char cwd[PATH_MAX], tail[PATH_MAX + 512];
    CU_ASSERT_PTR_NOT_NULL_FATAL(getcwd(cwd, sizeof cwd));
    snprintf(tail, sizeof tail,
             "--set model.path=/nonexistent/m.tflite: model.path = \"/nonexistent/m.tflite\": "
             "No such file or directory (looked for /nonexistent/m.tflite); fix the path "
             "(relative paths are relative to %s)", cwd);
    assert_rig_error(MIN_RIG, s5, 1, tail);
}

static void test_set_fixes_bad_value(void)
{
    /* an override replaces a wrong value in the file */
    const char *sets[] = { "data.batch_size=8" };
    nr_rig *rig = NULL;
    neurio_errbuf err;
    CU_ASSERT_EQUAL_FATAL(load(MIN_RIG "data = { batch_size = \"x\"; };\n", sets, 1, &rig, &err),
                          NEURIO_OK);
    CU_ASSERT_EQUAL(rig->data_batch_size, 8);
    nr_rig_free(rig);
}

static void test_missing_rig(void)
{
    nr_rig *rig = NULL;
    neurio_errbuf err;
    CU_ASSERT_EQUAL(nr_rig_load("/nonexistent/rig.cfg", NULL, 0, &rig, &err),
                    NEURIO_ERR_CONFIG);
    CU_ASSERT_STRING_EQUAL(err.msg, "/nonexistent/rig.cfg: cannot open rig: No such file or "
                                    "directory; check the path");
}

/* --- device options against the test_echo plugin's schema --------------- */

static nr_plugin_entry echo_entry;

static int dev_init(void)
{
    if (suite_init() != 0)
        return -1;
    return nr_loader_load_file(NEURIO_BINARY_DIR "/tests/plugins/good/neurio-test_echo.so",
                               "test", &echo_entry);
}

static int dev_clean(void)
{
    nr_plugin_entry_clear(&echo_entry);
    return 0;
}

static int dev_validate(const char *text, const char *const *sets, size_t n,
                        nr_options *o, neurio_errbuf *err)
{
    nr_rig *rig = NULL;
    o->v = NULL;
    o->n = 0;
    int rc = load(text, sets, n, &rig, err);
    CU_ASSERT_EQUAL_FATAL(rc, NEURIO_OK);
    rc = nr_options_validate(rig, &echo_entry.desc, o, err);
    nr_rig_free(rig);
    return rc;
}

static void assert_dev_error(const char *text, const char *const *sets, size_t n,
                             const char *tail)
{
    nr_options o;
    neurio_errbuf err;
    CU_ASSERT_EQUAL(dev_validate(text, sets, n, &o, &err), NEURIO_ERR_CONFIG);
    snprintf(expect, sizeof expect, "%s%s", tail[0] == '-' ? "" : rig_path, tail);
    if (strcmp(err.msg, expect))
        fprintf(stderr, "\n got: %s\nwant: %s\n", err.msg, expect);
    CU_ASSERT_STRING_EQUAL(err.msg, expect);
    nr_options_free(&o);
}

static void test_dev_ok(void)
{
    nr_options o;
    neurio_errbuf err;
    const char *sets[] = { "device.max_batch=3", "device.serial_dir=sd" };
    CU_ASSERT_EQUAL_FATAL(
        dev_validate("device = {\n plugin = \"test_echo\";\n gain = 2;\n verbose = true;\n"
                     " fail_at = \"flash\";\n};\nmodel = { path = \"m.tflite\"; };\n",
                     sets, 2, &o, &err),
        NEURIO_OK);
    CU_ASSERT_DOUBLE_EQUAL(nr_options_find(&o, "gain")->f, 2.0, 1e-12); /* int accepted */
    CU_ASSERT_EQUAL(nr_options_find(&o, "verbose")->b, 1);
    CU_ASSERT_STRING_EQUAL(nr_options_find(&o, "fail_at")->s, "flash");
    CU_ASSERT_EQUAL(nr_options_find(&o, "max_batch")->i, 3);
    CU_ASSERT_EQUAL(nr_options_find(&o, "max_batch")->is_set, 1);
    CU_ASSERT_EQUAL(nr_options_find(&o, "fail_after")->is_set, 0);
    CU_ASSERT_EQUAL(nr_options_find(&o, "fail_after")->i, -1);
    char cwd[PATH_MAX], want[PATH_MAX + 8];
    CU_ASSERT_PTR_NOT_NULL_FATAL(getcwd(cwd, sizeof cwd));
    snprintf(want, sizeof want, "%s/sd", cwd);
    CU_ASSERT_STRING_EQUAL(nr_options_find(&o, "serial_dir")->s, want);
    nr_options_free(&o);
}

static void test_dev_unknown(void)
{
    assert_dev_error("device = {\n plugin = \"test_echo\";\n baud = 9600;\n};\n"
                     "model = { path = \"m.tflite\"; };\n",
                     NULL, 0,
                     ":3: device.baud: unknown option for plugin 'test_echo'; it accepts: "
                     "fail_at, fail_after, max_batch, gain, verbose, serial_dir, signal_at, "
                     "signal, stall_at, stall_ms, remove_at, remove_path, late_at, slowdown, "
                     "slow_layer, batch_ms, ram_bytes, flash_bytes, layout");
    const char *sets[] = { "device.baud=9600" };
    assert_dev_error(MIN_RIG, sets, 1,
                     "--set device.baud=9600: device.baud: unknown option for plugin "
                     "'test_echo'; it accepts: fail_at, fail_after, max_batch, gain, verbose, "
                     "serial_dir, signal_at, signal, stall_at, stall_ms, remove_at, remove_path, "
                     "late_at, slowdown, slow_layer, batch_ms, ram_bytes, flash_bytes, layout");
}

static void test_dev_wrong_type(void)
{
    assert_dev_error("device = { plugin = \"test_echo\";\n max_batch = \"4\"; };\n"
                     "model = { path = \"m.tflite\"; };\n",
                     NULL, 0,
                     ":2: device.max_batch: expected int, got another type; write max_batch "
                     "= 42;");
    const char *sets[] = { "device.verbose=yes" };
    assert_dev_error(MIN_RIG, sets, 1,
                     "--set device.verbose=yes: device.verbose: expected bool, got \"yes\"");
}

static void test_dev_choice(void)
{
    assert_dev_error("device = { plugin = \"test_echo\";\n fail_at = \"close\"; };\n"
                     "model = { path = \"m.tflite\"; };\n",
                     NULL, 0,
                     ":2: device.fail_at = \"close\" is not one of "
                     "none|open|prepare|codegen|flash|transfer|infer");
}

static void test_dev_required(void)
{
    nr_plugin_entry e;
    CU_ASSERT_EQUAL_FATAL(nr_loader_load_file(NEURIO_BINARY_DIR "/tests/plugins/broken/"
                                              "neurio-test_broken_required.so",
                                              "test", &e),
                          NEURIO_OK);
    nr_rig *rig = NULL;
    neurio_errbuf err;
    CU_ASSERT_EQUAL_FATAL(load("device = {\n plugin = \"test_broken_required\"; };\n"
                               "model = { path = \"m.tflite\"; };\n",
                               NULL, 0, &rig, &err),
                          NEURIO_OK);
    nr_options o;
    CU_ASSERT_EQUAL(nr_options_validate(rig, &e.desc, &o, &err), NEURIO_ERR_CONFIG);
    snprintf(expect, sizeof expect,
             "%s:1: device.port is required by plugin 'test_broken_required' (serial port of "
             "the board); add port = \"text\"; to the device section",
             rig_path);
    CU_ASSERT_STRING_EQUAL(err.msg, expect);
    nr_options_free(&o);
    nr_rig_free(rig);
    nr_plugin_entry_clear(&e);
}

/* data.inputs as one path or a list (one per model input), data.stateful,
 * task.output: values, defaults, --set, and each error naming the key. */
static void test_inputs_list_stateful_output(void)
{
    nr_rig *rig = NULL;
    neurio_errbuf err;
    char want[PATH_MAX + 32];
    CU_ASSERT_EQUAL_FATAL(load(MIN_RIG "data = { inputs = \"x.npy\"; };\n", NULL, 0, &rig, &err),
                          NEURIO_OK);
    CU_ASSERT_EQUAL(rig->n_data_inputs, 1);
    CU_ASSERT_EQUAL(rig->data_stateful, 0);
    CU_ASSERT_EQUAL(rig->task_output, 0);
    snprintf(want, sizeof want, "%s/x.npy", dir);
    CU_ASSERT_STRING_EQUAL(rig->data_input_list[0], want);
    nr_rig_free(rig);
    const char *sets[] = { "data.stateful=true", "task.output=1" };
    CU_ASSERT_EQUAL_FATAL(load(MIN_RIG "data = { inputs = [ \"x.npy\", \"m.tflite\" ]; };\n",
                               sets, 2, &rig, &err), NEURIO_OK);
    CU_ASSERT_EQUAL_FATAL(rig->n_data_inputs, 2);
    CU_ASSERT_STRING_EQUAL(rig->data_inputs, want); /* the field keeps the first */
    CU_ASSERT_STRING_EQUAL(rig->data_input_list[0], want);
    snprintf(want, sizeof want, "%s/m.tflite", dir);
    CU_ASSERT_STRING_EQUAL(rig->data_input_list[1], want);
    CU_ASSERT_EQUAL(rig->data_stateful, 1);
    CU_ASSERT_EQUAL(rig->task_output, 1);
    nr_rig_free(rig);
    CU_ASSERT_EQUAL_FATAL(load(MIN_RIG "model = { calibration = [ \"x.npy\", \"m.tflite\" ]; };\n",
                               NULL, 0, &rig, &err), NEURIO_ERR_CONFIG); /* model twice */
    CU_ASSERT_EQUAL_FATAL(load("device = { plugin = \"test_echo\"; };\nmodel = { path = "
                               "\"m.tflite\"; calibration = [ \"x.npy\", \"m.tflite\" ]; };\n",
                               NULL, 0, &rig, &err), NEURIO_OK);
    CU_ASSERT_EQUAL(rig->n_model_calibrations, 2);
    CU_ASSERT_EQUAL(rig->n_data_inputs, 0);
    CU_ASSERT_STRING_EQUAL(rig->model_calibration, rig->model_calibration_list[0]);
    CU_ASSERT_STRING_EQUAL(rig->model_calibration_list[1], want);
    nr_rig_free(rig);
    /* --set gives one path and replaces the list */
    char set_one[PATH_MAX + 32];
    snprintf(set_one, sizeof set_one, "data.inputs=%s/m.tflite", dir);
    const char *one[] = { set_one };
    CU_ASSERT_EQUAL_FATAL(load(MIN_RIG "data = { inputs = ( \"x.npy\", \"x.npy\" ); "
                               "stateful = false; };\n", one, 1, &rig, &err), NEURIO_OK);
    CU_ASSERT_EQUAL(rig->n_data_inputs, 1);
    nr_rig_free(rig);
    /* --set gives a list in brackets: bare (trimmed) or quoted elements */
    char set_two[2 * PATH_MAX + 64];
    snprintf(set_two, sizeof set_two, "data.inputs=[ %s/m.tflite , \"%s/x.npy\"]", dir, dir);
    const char *two[] = { set_two };
    CU_ASSERT_EQUAL_FATAL(load(MIN_RIG "data = { inputs = \"x.npy\"; };\n", two, 1, &rig, &err),
                          NEURIO_OK);
    CU_ASSERT_EQUAL_FATAL(rig->n_data_inputs, 2);
    CU_ASSERT_STRING_EQUAL(rig->data_input_list[0], want); /* m.tflite */
    CU_ASSERT_STRING_EQUAL(rig->data_inputs, want);
    snprintf(want, sizeof want, "%s/x.npy", dir);
    CU_ASSERT_STRING_EQUAL(rig->data_input_list[1], want);
    nr_rig_free(rig);
    const char *empty[] = { "data.inputs=[]" };
    assert_rig_error(MIN_RIG, empty, 1, "--set data.inputs=[]: data.inputs[0] is empty; e.g. "
                     "--set data.inputs=[\"a.npy\",\"b.npy\"]");
    const char *unterminated[] = { "data.inputs=[\"x.npy]" };
    assert_rig_error(MIN_RIG, unterminated, 1, "--set data.inputs=[\"x.npy]: data.inputs[0]: "
                     "unterminated quote; e.g. --set data.inputs=[\"a.npy\",\"b.npy\"]");
    const char *junk[] = { "data.inputs=[\"x.npy\" y]" };
    assert_rig_error(MIN_RIG, junk, 1, "--set data.inputs=[\"x.npy\" y]: data.inputs[0]: "
                     "expected ',' or ']' after the path; e.g. --set data.inputs=[\"a.npy\",\"b.npy\"]");
    assert_rig_error(MIN_RIG "data = { inputs = [ ]; };\n", NULL, 0,
                     ":3: data.inputs is an empty list; e.g. inputs = \"x.npy\";  (several model "
                     "inputs: inputs = [ \"x0.npy\", \"x1.npy\" ];)");
    assert_rig_error(MIN_RIG "data = { inputs = ( \"x.npy\", 3 ); };\n", NULL, 0,
                     ":3: data.inputs[1]: expected a string, got an integer; e.g. inputs = "
                     "\"x.npy\";  (several model inputs: inputs = [ \"x0.npy\", \"x1.npy\" ];)");
    snprintf(want, sizeof want, ":3: data.inputs[1] = \"nope.npy\": No such file or "
             "directory (looked for %s/nope.npy); fix the path (relative paths are relative "
             "to %s)", dir, dir);
    assert_rig_error(MIN_RIG "data = { inputs = [ \"x.npy\", \"nope.npy\" ]; };\n", NULL, 0,
                     want);
    assert_rig_error(MIN_RIG "data = { stateful = 1; };\n", NULL, 0,
                     ":3: data.stateful: expected a boolean (true or false, no quotes), got an "
                     "integer; write stateful = true;");
    const char *bad[] = { "data.stateful=yes" };
    assert_rig_error(MIN_RIG, bad, 1, "--set data.stateful=yes: data.stateful: expected true or "
                     "false, got \"yes\"; e.g. stateful = true;");
    assert_rig_error(MIN_RIG "task = { output = -1; };\n", NULL, 0,
                     ":3: task.output = -1 is out of range (minimum 0); e.g. output = 0;");
}

int neurio_register_tests(void)
{
    CU_pSuite s = CU_add_suite("rig", suite_init, NULL);
    CU_pSuite d = CU_add_suite("device options", dev_init, dev_clean);
    if (!s || !d)
        return -1;
    CU_add_test(s, "minimal rig and defaults", test_minimal_and_defaults);
    CU_add_test(s, "full rig, --set, path resolution", test_full_rig_and_sets);
    CU_add_test(s, "relative paths normalized", test_path_normalized);
    CU_add_test(s, "${NEURIO_SHARED_DIR} in rig paths", test_shared_dir);
    CU_add_test(s, "${CWD} in rig paths", test_cwd_dir);
    CU_add_test(s, "syntax error file:line", test_syntax_error);
    CU_add_test(s, "unknown top-level key", test_unknown_top_key);
    CU_add_test(s, "unknown key in a section", test_unknown_section_key);
    CU_add_test(s, "section that is not a group", test_section_not_group);
    CU_add_test(s, "wrong types", test_wrong_type);
    CU_add_test(s, "integer out of range", test_out_of_range);
    CU_add_test(s, "value not among choices", test_bad_choice);
    CU_add_test(s, "missing required keys", test_missing_required);
    CU_add_test(s, "missing file", test_missing_file);
    CU_add_test(s, "plugin_path wrong type", test_plugin_path_type);
    CU_add_test(s, "--set errors", test_set_errors);
    CU_add_test(s, "--set overrides a bad value", test_set_fixes_bad_value);
    CU_add_test(s, "missing rig file", test_missing_rig);
    CU_add_test(s, "data.inputs list, data.stateful, task.output",
                test_inputs_list_stateful_output);
    CU_add_test(d, "valid options, --set device.*", test_dev_ok);
    CU_add_test(d, "unknown device option", test_dev_unknown);
    CU_add_test(d, "wrong device option type", test_dev_wrong_type);
    CU_add_test(d, "device option not among choices", test_dev_choice);
    CU_add_test(d, "required device option missing", test_dev_required);
    return CU_get_error() == CUE_SUCCESS ? 0 : -1;
}

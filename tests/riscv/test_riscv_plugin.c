/* tests/riscv/test_riscv_plugin.c (label e2e) — the vendor path of the riscv
 * plugin: install neurio into a temporary prefix, configure and build
 * plugins/riscv on its own against it, and run a golden model (int8,
 * bit-exact with TFLite Micro) through the installed launcher on QEMU virt
 * rv32imac.  Also: the installed launcher lists the plugin, and a bad
 * option is refused by name; task.debug = "layers" builds the plugin's
 * debug firmware and every layer read back equals the host reference. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cjson/cJSON.h>

#include "rv_test_util.h"
#include "test_util.h"
#include "../tflite/tfl_split_model.h"

static int ready;

/* A number member of a profile.json object, -1 when absent. */
static double mem_num(const cJSON *mem, const char *key)
{
    const cJSON *v = cJSON_GetObjectItem(mem, key);
    return cJSON_IsNumber(v) ? cJSON_GetNumberValue(v) : -1;
}

static void test_build_out_of_tree(void)
{
    CU_ASSERT_EQUAL_FATAL(rv_test_setup(), 0);
    ready = 1;
    char cmd[4096], rig[2048], *out = NULL;
    snprintf(rig, sizeof rig, "%s/list.cfg", neurio_test_tmpdir());
    char text[2600];
    snprintf(text, sizeof text, "plugin_path = [ \"%s\" ];\ndevice = { plugin = \"riscv\"; "
             "march = \"rv64gc\"; };\nmodel = { path = \"list.cfg\"; };\n", rv_test_plugin_dir());
    CU_ASSERT_EQUAL_FATAL(neurio_test_write_file(rig, text, strlen(text)), 0);
    snprintf(cmd, sizeof cmd, "'%s' plugins --rig '%s'", rv_test_launcher(), rig);
    CU_ASSERT_EQUAL(neurio_test_run(cmd, &out), 0);
    CU_ASSERT_PTR_NOT_NULL(out && strstr(out, "riscv 0.1.0"));
    CU_ASSERT_PTR_NOT_NULL(out && strstr(out, " 0 refused"));
    free(out);
    snprintf(cmd, sizeof cmd, "'%s' check '%s'", rv_test_launcher(), rig);
    CU_ASSERT_NOT_EQUAL(neurio_test_run(cmd, &out), 0);
    CU_ASSERT_PTR_NOT_NULL(out && strstr(out, "device.march"));
    CU_ASSERT_PTR_NOT_NULL(out && strstr(out, "rv32imac"));
    free(out);
}

static void test_golden_hello_world(void)
{
    if (!ready) {
        CU_FAIL("setup failed");
        return;
    }
    double d = -1;
    CU_ASSERT_EQUAL(rv_test_golden("hello_world_int8", "", 0, &d), 0);
    CU_ASSERT_EQUAL(d, 0);
    /* the same run's profile.json: static RAM by part from the ELF and the
     * link script (ram_bytes = .data + .bss + the stack region, the arena
     * inside .bss), the stack's painted peak inside its region */
    char runs[2100], path[2400];
    snprintf(runs, sizeof runs, "%s/hello_world_int8-1-runs", neurio_test_tmpdir());
    CU_ASSERT_EQUAL_FATAL(neurio_test_run_file(runs, "profile.json", path, sizeof path), 0);
    char *text = neurio_test_read_file(path, NULL);
    cJSON *root = text ? cJSON_Parse(text) : NULL;
    free(text);
    CU_ASSERT_PTR_NOT_NULL_FATAL(root);
    const cJSON *mem = cJSON_GetObjectItem(cJSON_GetObjectItem(root, "device"), "memory");
    double ram = mem_num(mem, "ram_bytes"), data = mem_num(mem, "ram_data_bytes");
    double bss = mem_num(mem, "ram_bss_bytes"), region = mem_num(mem, "stack_region_bytes");
    double peak = mem_num(mem, "stack_peak_bytes");
    if (data < 0)
        data = 0; /* an image without initialised data: the part is left out */
    CU_ASSERT(bss >= mem_num(mem, "arena_bytes") && mem_num(mem, "arena_bytes") > 0);
    CU_ASSERT_EQUAL(region, 16384); /* device.stack_bytes' default */
    CU_ASSERT_EQUAL(ram, data + bss + region);
    CU_ASSERT(peak > 0 && peak < region);
    /* the same figures as KPIs, and report.html's static RAM table */
    double kpi_bss = -1, kpi_region = -1;
    const cJSON *k;
    cJSON_ArrayForEach(k, cJSON_GetObjectItem(root, "kpis")) {
        const char *n = cJSON_GetStringValue(cJSON_GetObjectItem(k, "name"));
        if (n && !strcmp(n, "ram_bss_bytes"))
            kpi_bss = mem_num(k, "value");
        if (n && !strcmp(n, "stack_region_bytes"))
            kpi_region = mem_num(k, "value");
    }
    CU_ASSERT_EQUAL(kpi_bss, bss);
    CU_ASSERT_EQUAL(kpi_region, region);
    cJSON_Delete(root);
    char *html = neurio_test_run_file(runs, "report.html", path, sizeof path) == 0
                     ? neurio_test_read_file(path, NULL) : NULL;
    CU_ASSERT_PTR_NOT_NULL(html && strstr(html, "<table class=\"ram\">"));
    free(html);
}

/* `neurio run` (plus args) of a rig <tmp>/<name>.cfg: the riscv plugin with
 * the extra device options, the shared model <model> (extra model keys) on
 * `limit` of its golden inputs, task none (extra task keys).  The exit
 * status; the output in *out (caller frees). */
static int run_rig(const char *name, const char *device, const char *model,
                   const char *model_keys, int limit, const char *task_keys, const char *args,
                   char **out)
{
    const char *tmp = neurio_test_tmpdir(), *sd = neurio_test_shared_dir();
    char rig[2048], text[6000], cmd[4400];
    snprintf(rig, sizeof rig, "%s/%s.cfg", tmp, name);
    snprintf(text, sizeof text,
             "plugin_path = [ \"%s\" ];\n"
             "device = { plugin = \"riscv\"; %s };\n"
             "model = { path = \"%s/models/%s.tflite\"; %s };\n"
             "data = { inputs = \"%s/golden/%s/input.npy\"; limit = %d; };\n"
             "task = { kind = \"none\"; %s };\n"
             "output = { dir = \"%s/%s-runs\"; };\n",
             rv_test_plugin_dir(), device, sd, model, model_keys, sd, model, limit, task_keys,
             tmp, name);
    if (neurio_test_write_file(rig, text, strlen(text)) != 0)
        return -1;
    snprintf(cmd, sizeof cmd, "'%s' run '%s'%s", rv_test_launcher(), rig, args);
    return neurio_test_run(cmd, out);
}

/* The debug firmware (ABI 1.2 layer capture): kws_ref_model's 13 layers
 * read back from QEMU, each bit-exact with the host reference. */
static void test_debug_layers(void)
{
    if (!ready) {
        CU_FAIL("setup failed");
        return;
    }
    char *out = NULL;
    int rc = run_rig("debug", "run_timeout_ms = 600000;", "kws_ref_model", "", 2,
                     "debug = \"layers\"; debug_samples = 1;", "", &out);
    CU_ASSERT_EQUAL(rc, 0);
    CU_ASSERT_PTR_NOT_NULL(out && strstr(out, "layer readback: device against the host "
                                               "reference (prepared model), 1 sample\n"));
    CU_ASSERT_PTR_NOT_NULL(out && strstr(out, "  12   SOFTMAX "));
    CU_ASSERT_PTR_NOT_NULL(out && strstr(out, "every layer read back matches the host "
                                               "reference"));
    /* each answer is reported as progress (it restarts the stall deadline) */
    CU_ASSERT_PTR_NOT_NULL(out && strstr(out, "] inference: 1\n"));
    if (rc && out)
        fprintf(stderr, "\n%s\n", out);
    free(out);
}

/* A layer with several outputs (SPLIT into three, ABI 1.3 capture_output,
 * RUN_CAPTURE out_idx) read back from the riscv firmware output by output,
 * each bit-exact with the host reference. */
static void test_debug_multi_output(void)
{
    if (!ready) {
        CU_FAIL("setup failed");
        return;
    }
    char dir[2100], rig[2200], text[6000], cmd[4600], *out = NULL;
    snprintf(dir, sizeof dir, "%s/split", neurio_test_tmpdir());
    CU_ASSERT_EQUAL_FATAL(mkdir(dir, 0755), 0);
    CU_ASSERT_EQUAL_FATAL(tfl_write_split_model(dir, 3), 0);
    snprintf(rig, sizeof rig, "%s/split.cfg", dir);
    snprintf(text, sizeof text,
             "plugin_path = [ \"%s\" ];\n"
             "device = { plugin = \"riscv\"; };\n"
             "model = { path = \"split.tflite\"; };\n"
             "data = { inputs = \"x.npy\"; };\n"
             "task = { kind = \"none\"; debug = \"layers\"; debug_samples = 2; };\n"
             "output = { dir = \"runs\"; };\n", rv_test_plugin_dir());
    CU_ASSERT_EQUAL_FATAL(neurio_test_write_file(rig, text, strlen(text)), 0);
    snprintf(cmd, sizeof cmd, "'%s' run '%s'", rv_test_launcher(), rig);
    int rc = neurio_test_run(cmd, &out);
    CU_ASSERT_EQUAL(rc, 0);
    CU_ASSERT(tfl_split_readback_exact(out));
    CU_ASSERT_PTR_NULL(out ? strstr(out, "not read back") : "");
    CU_ASSERT_PTR_NOT_NULL(out && strstr(out, "every layer read back matches the host "
                                               "reference"));
    free(out);
}

/* A toolchain that cannot start: the flash step says which and how to get
 * one (exit non-zero, nothing built); with CTest's kernel cache the first
 * call is the cache's `--version`, the same message. */
static void test_missing_toolchain(void)
{
    if (!ready) {
        CU_FAIL("setup failed");
        return;
    }
    char *out = NULL;
    CU_ASSERT_NOT_EQUAL(run_rig("notool", "toolchain = \"no-such-riscv-gcc\";",
                                "hello_world_int8", "quantize = \"none\";", 1, "",
                                " --until flash", &out), 0);
    CU_ASSERT_PTR_NOT_NULL(out && strstr(out, "cannot run no-such-riscv-gcc: No such file or "
                                               "directory"));
    CU_ASSERT_PTR_NOT_NULL(out && strstr(out, "; install Debian's gcc-riscv64-unknown-elf and "
                                               "picolibc-riscv64-unknown-elf, or set "
                                               "device.toolchain"));
    free(out);
}

int neurio_register_tests(void)
{
    CU_pSuite s = CU_add_suite("riscv_plugin", NULL, NULL);
    if (!s)
        return -1;
    CU_add_test(s, "install, build plugins/riscv against it", test_build_out_of_tree);
    CU_add_test(s, "hello_world_int8 bit-exact through the installed launcher",
                test_golden_hello_world);
    CU_add_test(s, "a toolchain that cannot start is named, with the fix",
                test_missing_toolchain);
    CU_add_test(s, "debug firmware: kws layers read back bit-exact", test_debug_layers);
    CU_add_test(s, "debug firmware: every output of a SPLIT read back bit-exact",
                test_debug_multi_output);
    return CU_get_error() == CUE_SUCCESS ? 0 : -1;
}

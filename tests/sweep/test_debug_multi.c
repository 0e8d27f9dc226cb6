/* tests/sweep/test_debug_multi.c — `neurio debug`'s device readback of a
 * layer with several outputs (plugin ABI 1.3 capture_output, RUN_CAPTURE
 * out_idx).  The model is built here with the project's TFLite writer
 * (tests/tflite/tfl_split_model.c), int8: x [1,12] -> SPLIT (axis 1) into s0,
 * s1, s2 [1,4] -> ADD(s0, s1) -> u -> ADD(u, s2) -> y.  On the emulated
 * Cortex-M4 (QEMU mps2-an386) and on the host plugin every output of every
 * layer (rows 0, 0:1, 0:2, 1, 2) is read back and equals the host
 * reference bit for bit; with the TEST-ONLY device.test_fault_layer = 0,
 * test_fault_output = 1 (SPLIT's second output broken in the firmware) the
 * first differing row is 0:1, SPLIT's outputs 0 and 2 still match, and the
 * terminal, layer_debug.json, layer_debug.html and the store (out_idx) say
 * so.  A plugin built for ABI 1.2 (tests/plugins/host_abi12.c) reads first
 * outputs only: the others say "not read back" and why, the run passes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "neurio/npy.h"
#include "sweep_util.h"
#include "test_util.h"
#include "../tflite/tfl_split_model.h"

static void write_rig(const char *name, const char *device)
{
    char path[4200], text[4096];
    snprintf(path, sizeof path, "%s/%s", sw_dir, name);
    snprintf(text, sizeof text,
             "device = { %s };\n"
             "model = { path = \"split.tflite\"; };\n"
             "data = { inputs = \"x.npy\"; };\n"
             "task = { kind = \"none\"; debug = \"layers\"; debug_samples = 2; };\n"
             "output = { dir = \"runs\"; };\n", device);
    CU_ASSERT_EQUAL_FATAL(neurio_test_write_file(path, text, strlen(text)), 0);
}

static void check_exact(const char *rig, const char *sets)
{
    char args[600], *out = NULL;
    snprintf(args, sizeof args, "run %s%s", rig, sets);
    int rc = sw_run(args, &out);
    if (rc)
        fprintf(stderr, "%s\n", out ? out : "");
    CU_ASSERT_EQUAL(rc, 0);
    sw_expect(out, "layer readback: device against the host reference (prepared model), 2 "
                   "samples");
    CU_ASSERT(tfl_split_readback_exact(out));
    CU_ASSERT_PTR_NULL(strstr(out ? out : "", "not read back"));
    sw_expect(out, "every layer read back matches the host reference (integer layers "
                   "bit-exact)");
    free(out);
}

static size_t count(const char *hay, const char *needle)
{
    size_t n = 0;
    for (const char *p = hay; p && (p = strstr(p, needle)) != NULL; p += strlen(needle))
        n++;
    return n;
}

/* SPLIT's output 1 broken on the device: found at 0:1, named everywhere. */
static void check_broken_output1(const char *rig, const char *sets)
{
    char args[600], *out = NULL;
    snprintf(args, sizeof args, "run %s%s --set device.test_fault_layer=0 --set "
             "device.test_fault_output=1", rig, sets);
    CU_ASSERT_EQUAL(sw_run(args, &out), 7);
    sw_expect(out, "first layer that differs from the host reference: #0:1 SPLIT (s1), 8 of 8 "
                   "elements differ");
    CU_ASSERT(tfl_split_row_says(out, "0", "SPLIT", "exact"));
    CU_ASSERT(tfl_split_row_says(out, "0:1", "SPLIT", "DIFFERS"));
    CU_ASSERT(tfl_split_row_says(out, "0:2", "SPLIT", "exact"));
    CU_ASSERT(tfl_split_row_says(out, "1", "ADD", "DIFFERS")); /* fed by s1 on the device */
    char id[64] = "";
    CU_ASSERT_EQUAL(sw_run_id(out, id), 0);
    free(out);
    char path[4300];
    snprintf(path, sizeof path, "%s/runs/%s/layer_debug.json", sw_dir, id);
    char *j = neurio_test_read_file(path, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(j);
    CU_ASSERT_PTR_NOT_NULL(strstr(j, "\"first_differing_layer\":\t0"));
    CU_ASSERT_PTR_NOT_NULL(strstr(j, "\"first_differing_output\":\t1"));
    CU_ASSERT_EQUAL(count(j, "\"differs\""), 5);
    CU_ASSERT_EQUAL(count(j, "\"output\":\t2"), 1);
    free(j);
    snprintf(path, sizeof path, "%s/runs/%s/layer_debug.html", sw_dir, id);
    char *h = neurio_test_read_file(path, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(h);
    CU_ASSERT_PTR_NOT_NULL(strstr(h, "id=\"first-diff\">first layer that differs: #0:1 SPLIT"));
    CU_ASSERT_PTR_NOT_NULL(strstr(h, "<tr class=\"bad\"><td>0:1</td><td>SPLIT</td>"));
    CU_ASSERT_PTR_NOT_NULL(strstr(h, "<tr class=\"\"><td>0:2</td><td>SPLIT</td>"));
    free(h);
    char db[4300], sql[512];
    long long v = -1;
    snprintf(db, sizeof db, "%s/runs/results.db", sw_dir);
    snprintf(sql, sizeof sql, "SELECT count(*) FROM layer_debug WHERE run_id = '%s' AND ref = "
                              "'device'", id);
    CU_ASSERT_EQUAL(sw_sql_int(db, sql, &v), 0);
    CU_ASSERT_EQUAL(v, 5);
    snprintf(sql, sizeof sql, "SELECT idx * 10 + out_idx FROM layer_debug WHERE run_id = '%s' "
                              "AND ref = 'device' AND mismatches > 0 ORDER BY idx, out_idx", id);
    CU_ASSERT_EQUAL(sw_sql_int(db, sql, &v), 0);
    CU_ASSERT_EQUAL(v, 1); /* layer 0, output 1 */
    snprintf(args, sizeof args, "show %s --rig %s", id, rig);
    CU_ASSERT_EQUAL(sw_run(args, &out), 0);
    sw_expect(out, "first layer that differs from the host reference: #0:1 SPLIT (s1)");
    free(out);
}

static void setup_dir(void)
{
    if (access(SW_NEURIO, X_OK) != 0)
        neurio_test_skip("build the neurio launcher first");
    snprintf(sw_dir, sizeof sw_dir, "%s", neurio_test_tmpdir());
    CU_ASSERT_EQUAL_FATAL(tfl_write_split_model(sw_dir, 3), 0);
}

static void test_m4(void)
{
    if (system("command -v arm-none-eabi-gcc >/dev/null 2>&1 && "
               "command -v qemu-system-arm >/dev/null 2>&1") != 0) {
        fprintf(stderr, "\narm-none-eabi-gcc or qemu-system-arm is not installed: not run\n");
        return;
    }
    setup_dir();
    write_rig("split-m4.cfg", "plugin = \"cortex-m\"; board = \"mps2-an386\";");
    check_exact("split-m4.cfg", "");
    check_broken_output1("split-m4.cfg", "");
}

static void test_host(void)
{
    setup_dir();
    write_rig("split-host.cfg", "plugin = \"host\";");
    check_exact("split-host.cfg", "");
    check_broken_output1("split-host.cfg", "");
}

/* A plugin built for ABI 1.2 (the host plugin as host_abi12) keeps
 * working: first outputs are read back and exact, the others are "not read
 * back" with the reason, and the run passes. */
static void test_abi12(void)
{
    setup_dir();
    write_rig("split-abi12.cfg", "plugin = \"host_abi12\";");
    char path[4200], text[4600];
    snprintf(path, sizeof path, "%s/split-abi12.cfg", sw_dir);
    char *rig = neurio_test_read_file(path, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(rig);
    snprintf(text, sizeof text, "plugin_path = [ \"%s/tests/plugins/compat\" ];\n%s",
             NEURIO_BINARY_DIR, rig);
    free(rig);
    CU_ASSERT_EQUAL_FATAL(neurio_test_write_file(path, text, strlen(text)), 0);
    char *out = NULL;
    int rc = sw_run("run split-abi12.cfg", &out);
    if (rc)
        fprintf(stderr, "%s\n", out ? out : "");
    CU_ASSERT_EQUAL(rc, 0);
    sw_expect(out, "layer readback: layer 0 output 1 (s1) not read back: plugin host_abi12 is "
                   "built for ABI 1.2, which reads back the first output of a layer only (1.3 "
                   "reads any)");
    CU_ASSERT(tfl_split_row_says(out, "0", "SPLIT", "exact"));
    CU_ASSERT(tfl_split_row_says(out, "0:1", "SPLIT", "(not read back)"));
    CU_ASSERT(tfl_split_row_says(out, "0:2", "SPLIT", "(not read back)"));
    CU_ASSERT(tfl_split_row_says(out, "1", "ADD", "exact"));
    CU_ASSERT(tfl_split_row_says(out, "2", "ADD", "exact"));
    sw_expect(out, "every layer read back matches the host reference");
    free(out);
}

int neurio_register_tests(void)
{
    CU_pSuite s = CU_add_suite("debug_multi", NULL, NULL);
    if (!s)
        return -1;
    CU_add_test(s, "SPLIT's three outputs read back from emulated M4, output 1 broken found",
                test_m4);
    CU_add_test(s, "the same on the host plugin", test_host);
    CU_add_test(s, "a plugin built for ABI 1.2: first outputs only, the run passes",
                test_abi12);
    return 0;
}

/* tests/sweep/test_debug.c — `neurio debug` on the project's own demo model
 * (examples/digits, float ONNX): quantized to int8 with its calibration set,
 * every layer is matched with its float twin and its SNR reported; a
 * tolerance above the first layer's SNR names layer 0 (exit 7); with
 * model.quantize = "none" every layer is identical (no error at all); the
 * JSON holds one entry per layer, the HTML page its SNR bars; the
 * prepared-against-float rows are stored with the device run and shown by
 * `neurio show`.
 *
 * The device part (task.debug = "layers", ABI 1.2 layer capture) on the
 * host plugin with kws (../shared): every layer read back equals the host
 * reference; the TEST-ONLY device.test_fault_layer = 4 (a broken kernel on
 * purpose) is found at exactly layer 4 (exit 7), the rows are in the store
 * (SQLite) and shown by `neurio show`; layer_debug.html is rendered in
 * headless Chromium.  The same on emulated Cortex-M4 is test_debug_m4
 * (label long).  A two-input zoo model (seanet_sub1) takes data.inputs as a
 * list given with --set. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sweep_util.h"
#include "test_util.h"

static char rig[4200];

static void test_int8_layers(void)
{
    const char *tmp = neurio_test_tmpdir();
    snprintf(sw_dir, sizeof sw_dir, "%s", tmp);
    snprintf(rig, sizeof rig, "%s/digits.cfg", tmp);
    char text[4096];
    snprintf(text, sizeof text,
             "device = { plugin = \"host\"; };\n"
             "model = { path = \"%s/examples/digits/digits.onnx\"; quantize = \"int8\";\n"
             "          calibration = \"%s/examples/digits/calib.npy\"; };\n"
             "data = { inputs = \"%s/examples/digits/test_x.npy\"; };\n",
             NEURIO_SOURCE_DIR, NEURIO_SOURCE_DIR, NEURIO_SOURCE_DIR);
    CU_ASSERT_EQUAL_FATAL(neurio_test_write_file(rig, text, strlen(text)), 0);
    char *out = NULL;
    CU_ASSERT_EQUAL(sw_run("debug digits.cfg --samples 4 --json dbg.json", &out), 0);
    /* the device part first: the int8 model on the host device, exact */
    sw_expect(out, "layer readback: device against the host reference (prepared model), 4 "
                   "samples");
    sw_expect(out, "every layer read back matches the host reference");
    sw_expect(out, "4 samples, host reference interpreter; 8 of 8 layers matched by name");
    sw_expect(out, "every compared layer within tolerance (SNR >= 20 dB)");
    /* the prepared-against-float rows go to the store with the device run */
    char id[64] = "", args[200];
    CU_ASSERT_EQUAL(sw_run_id(out, id), 0);
    sw_expect(out, "prepared-against-float rows stored with run ");
    free(out);
    snprintf(args, sizeof args, "show %s --rig digits.cfg", id);
    CU_ASSERT_EQUAL(sw_run(args, &out), 0);
    sw_expect(out, "per-layer debug (device: device against the host reference, 4 samples)");
    sw_expect(out, "per-layer debug (float: prepared against float, 4 samples)");
    free(out);
    char path[4300];
    snprintf(path, sizeof path, "%s/dbg.json", tmp);
    char *j = neurio_test_read_file(path, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(j);
    size_t n = 0;
    for (const char *p = j; (p = strstr(p, "\"snr_db\"")) != NULL; p++)
        n++;
    CU_ASSERT_EQUAL(n, 8);
    CU_ASSERT_PTR_NOT_NULL(strstr(j, "\"first_layer_over_tolerance\":\tnull"));
    free(j);
    /* Every layer of the int8 model is below 60 dB: the first one is named. */
    CU_ASSERT_EQUAL(sw_run("debug digits.cfg --host-only --samples 4 --tolerance 60 --html "
                           "dbg.html", &out), 7);
    CU_ASSERT_PTR_NULL(strstr(out ? out : "", "layer readback"));
    sw_expect(out, "first layer over tolerance: #0 CONV_2D");
    free(out);
    snprintf(path, sizeof path, "%s/dbg.html", tmp);
    char *h = neurio_test_read_file(path, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(h);
    CU_ASSERT_PTR_NOT_NULL(strstr(h, "id=\"layer-snr\""));
    CU_ASSERT_PTR_NOT_NULL(strstr(h, "id=\"first-bad\">first layer over tolerance: #0 CONV_2D"));
    free(h);
    /* Unquantized: the prepared model is the float model, no error at all. */
    CU_ASSERT_EQUAL(sw_run("debug digits.cfg --host-only --samples 2 --tolerance 300 --set "
                           "model.quantize=none", &out), 0);
    sw_expect(out, "every compared layer within tolerance");
    sw_expect(out, "999.99");
    free(out);
    CU_ASSERT_EQUAL(sw_run("debug digits.cfg --samples 0", &out), 2);
    sw_expect(out, "--samples 0: expected 1 to 100000");
    free(out);
}

static size_t count(const char *hay, const char *needle)
{
    size_t n = 0;
    for (const char *p = hay; p && (p = strstr(p, needle)) != NULL; p += strlen(needle))
        n++;
    return n;
}

/* layer_debug.html as headless Chromium builds it (--dump-dom): the
 * verdict, the SNR bars (one per layer) and the table (one row per layer,
 * layer 4 marked), i.e. the page loads and lays out whole. */
static void check_in_chromium(const char *html)
{
    if (access("/usr/bin/chromium", X_OK) != 0) {
        fprintf(stderr, "\nchromium not installed: layer_debug.html checked as text only\n");
        return;
    }
    char dom[4400], cmd[16384];
    snprintf(dom, sizeof dom, "%s/layer-debug-dom.html", sw_dir);
    snprintf(cmd, sizeof cmd, "timeout 120 /usr/bin/chromium --headless --no-sandbox "
             "--disable-gpu --no-first-run --disable-background-networking "
             "--disable-component-update --disable-sync --user-data-dir='%s/chromium-dbg' "
             "--dump-dom 'file://%s' > '%s' 2>/dev/null", sw_dir, html, dom);
    CU_ASSERT_EQUAL_FATAL(neurio_test_run(cmd, NULL), 0);
    char *d = neurio_test_read_file(dom, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    CU_ASSERT_PTR_NOT_NULL(strstr(d, "<h1>neurio debug: device layers against the host "
                                     "reference</h1>"));
    CU_ASSERT_PTR_NOT_NULL(strstr(d, "id=\"first-diff\">first layer that differs: #4 CONV_2D"));
    const char *svg = strstr(d, "id=\"layer-snr\"");
    const char *end = svg ? strstr(svg, "</svg>") : NULL;
    CU_ASSERT_PTR_NOT_NULL_FATAL(end);
    size_t bars = 0;
    for (const char *p = svg; (p = strstr(p, "<rect class=\"bar\"")) != NULL && p < end; p++)
        bars++;
    CU_ASSERT_EQUAL(bars, 13);
    CU_ASSERT_EQUAL(count(d, "<tr class="), 13);
    /* layers 0-3 match; the broken layer 4 and every layer after it (fed
     * by it on the device) differ */
    CU_ASSERT_EQUAL(count(d, "<tr class=\"\">"), 4);
    CU_ASSERT_EQUAL(count(d, "<tr class=\"bad\">"), 9);
    free(d);
}

/* kws on the host device: exact, then a broken layer 4 found at layer 4. */
static void test_device_readback(void)
{
    sw_setup(); /* skips without ../shared */
    snprintf(rig, sizeof rig, "%s/kws.cfg", sw_dir);
    char text[4096];
    snprintf(text, sizeof text,
             "device = { plugin = \"host\"; };\n"
             "model = { path = \"%s/models/kws_ref_model.tflite\"; };\n"
             "data = { inputs = \"%s/golden/kws_ref_model/input.npy\"; limit = 3; };\n"
             "task = { kind = \"none\"; debug = \"layers\"; debug_samples = 2; };\n"
             "output = { dir = \"runs\"; };\n", sw_shared, sw_shared);
    CU_ASSERT_EQUAL_FATAL(neurio_test_write_file(rig, text, strlen(text)), 0);
    char *out = NULL;
    /* task.debug in `neurio run`: 3 samples run, 2 read back layer by layer */
    CU_ASSERT_EQUAL(sw_run("run kws.cfg", &out), 0);
    sw_expect(out, "layer readback: device against the host reference (prepared model), 2 "
                   "samples");
    sw_expect(out, "  12   SOFTMAX ");
    sw_expect(out, "every layer read back matches the host reference (integer layers "
                   "bit-exact)");
    free(out);
    CU_ASSERT_EQUAL(sw_run("run kws.cfg --set device.test_fault_layer=4", &out), 7);
    sw_expect(out, "first layer that differs from the host reference: #4 CONV_2D");
    sw_expect(out, "16000/16000");
    char id[64] = "";
    CU_ASSERT_EQUAL(sw_run_id(out, id), 0);
    sw_expect(out, "/layer_debug.json, ");
    free(out);
    /* the files: JSON (one entry per layer, layer 4 named) and the page */
    char path[4300];
    snprintf(path, sizeof path, "%s/runs/%s/layer_debug.json", sw_dir, id);
    char *j = neurio_test_read_file(path, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(j);
    CU_ASSERT_PTR_NOT_NULL(strstr(j, "\"first_differing_layer\":\t4"));
    size_t nl = 0;
    for (const char *q = j; (q = strstr(q, "\"differs\"")) != NULL; q++)
        nl++;
    CU_ASSERT_EQUAL(nl, 13);
    free(j);
    snprintf(path, sizeof path, "%s/runs/%s/layer_debug.html", sw_dir, id);
    char *h = neurio_test_read_file(path, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(h);
    CU_ASSERT_PTR_NOT_NULL(strstr(h, "id=\"first-diff\">first layer that differs: #4 CONV_2D"));
    CU_ASSERT_PTR_NOT_NULL(strstr(h, "id=\"layer-snr\""));
    CU_ASSERT_PTR_NULL(strstr(h, "<script")); /* self-contained */
    free(h);
    check_in_chromium(path);
    char db[4300], sql[512];
    long long v = -1;
    snprintf(db, sizeof db, "%s/runs/results.db", sw_dir);
    snprintf(sql, sizeof sql, "SELECT count(*) FROM layer_debug WHERE run_id = '%s' AND ref = "
                              "'device' AND samples = 2", id);
    CU_ASSERT_EQUAL(sw_sql_int(db, sql, &v), 0);
    CU_ASSERT_EQUAL(v, 13);
    snprintf(sql, sizeof sql, "SELECT min(idx) FROM layer_debug WHERE run_id = '%s' AND "
                              "mismatches > 0", id);
    CU_ASSERT_EQUAL(sw_sql_int(db, sql, &v), 0);
    CU_ASSERT_EQUAL(v, 4);
    char args[200];
    snprintf(args, sizeof args, "show %s --rig kws.cfg", id);
    CU_ASSERT_EQUAL(sw_run(args, &out), 0);
    sw_expect(out, "per-layer debug (device: device against the host reference, 2 samples)");
    sw_expect(out, "first layer that differs from the host reference: #4 CONV_2D");
    free(out);
    /* an unknown task.debug value is refused before anything runs */
    CU_ASSERT_EQUAL(sw_run("run kws.cfg --set task.debug=everything", &out), 3);
    sw_expect(out, "task.debug");
    free(out);
}

/* A two-input model (seanet_sub1, int16 SUB of [1,2,22,32] and [32]):
 * data.inputs given as a list with --set, as `run` takes it, through the
 * host part (both inputs to both models).  One array for two inputs is
 * refused by name, and so is a missing file of the list. */
static void test_two_inputs(void)
{
    sw_setup(); /* skips without ../shared */
    char zoo[4200], text[8192], args[9000];
    snprintf(zoo, sizeof zoo, "%s/golden-zoo/seanet_sub1", sw_shared);
    if (access(zoo, R_OK) != 0) {
        fprintf(stderr, "\n  %s is absent: not run\n", zoo);
        return;
    }
    snprintf(rig, sizeof rig, "%s/sub1.cfg", sw_dir);
    snprintf(text, sizeof text,
             "device = { plugin = \"host\"; };\n"
             "model = { path = \"%s/model.tflite\"; };\n"
             "data = { inputs = \"%s/input_0.npy\"; };\n"
             "output = { dir = \"runs\"; };\n", zoo, zoo);
    CU_ASSERT_EQUAL_FATAL(neurio_test_write_file(rig, text, strlen(text)), 0);
    char *out = NULL;
    /* host part only: the device part is `run`'s pipeline with the same
     * --set, whose lists test_host_multi covers (a host build costs ~20 s) */
    snprintf(args, sizeof args, "debug sub1.cfg --host-only --samples 3 --set "
             "'data.inputs=[\"%s/input_0.npy\", %s/input_1.npy]'", zoo, zoo);
    CU_ASSERT_EQUAL(sw_run(args, &out), 0);
    sw_expect(out, "3 samples, host reference interpreter; 1 of 1 layers matched by name");
    sw_expect(out, "every compared layer within tolerance");
    free(out);
    CU_ASSERT_EQUAL(sw_run("debug sub1.cfg --host-only --samples 2", &out), 3);
    sw_expect(out, "data.inputs has 1 array but model");
    sw_expect(out, "has 2 inputs; give one .npy per input in the model's input order");
    free(out);
    CU_ASSERT_EQUAL(sw_run("debug sub1.cfg --host-only --set 'data.inputs=[a.npy,]'", &out), 3);
    sw_expect(out, "--set data.inputs=[a.npy,]: data.inputs[0] = \"a.npy\": No such file");
    free(out);
}

int neurio_register_tests(void)
{
    CU_pSuite s = CU_add_suite("debug", NULL, NULL);
    if (!s)
        return -1;
    CU_add_test(s, "int8 digits layer by layer against float", test_int8_layers);
    CU_add_test(s, "kws read back layer by layer from the host device, broken layer found",
                test_device_readback);
    CU_add_test(s, "two-input model: data.inputs list through --set", test_two_inputs);
    return 0;
}

/* tests/host/test_host_multi.c — `neurio run` and `neurio check` on the host
 * device for what issue 13 added to rigs:
 *   - data.inputs as a list (one .npy per model input, in input order), the
 *     outputs written as pred.npy, pred_1.npy, and task.output choosing the
 *     output the KPIs use: a two-input two-output ONNX graph made at test
 *     time by make_multi_io.py (python3-onnx), and the zoo's seanet_sub1
 *     (int16 SUB of two inputs of different shapes, bit-exact with TFLite
 *     Micro); with the errors for a wrong count, a shape mismatch naming the
 *     input, unequal sample counts and a task.output out of range;
 *   - `neurio check` refusing (exit 5) a model the device cannot run, listing
 *     the op x dtype, before anything is built (ABS int32);
 *   - data.stateful on trained_lstm (float UNIDIRECTIONAL_SEQUENCE_LSTM):
 *     false matches TFLite Micro's outputs (state reset before each sample),
 *     true carries the state over the whole run (across batches) and matches
 *     the reference interpreter run statefully, differing from the goldens.
 * Skips (77) when ../shared is absent. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "neurio/interp.h"
#include "neurio/model.h"
#include "neurio/npy.h"
#include "test_util.h"

static const char *g_shared;
static char g_zoo[1024];
static char g_mm[1024]; /* make_multi_io.py's output, "" when python3-onnx is absent */

static const char *exe(void)
{
    return neurio_test_path(NEURIO_BINARY_DIR, "core/neurio");
}

/* Write rig <tmp>/<name>.cfg (host device, output in <tmp>/<name>-runs,
 * predictions at <tmp>/<name>_pred.npy) with the data section `data` and
 * the extra groups `extra`; returns its path (static). */
static const char *rig(const char *name, const char *model, const char *data, const char *extra)
{
    static char path[1200];
    char text[8192];
    const char *tmp = neurio_test_tmpdir();
    snprintf(path, sizeof path, "%s/%s.cfg", tmp, name);
    int n = snprintf(text, sizeof text,
                     "device = { plugin = \"host\"; };\n"
                     "model = { path = \"%s\"; };\n"
                     "data = { %s };\n"
                     "output = { dir = \"%s/%s-runs\"; predictions = \"%s/%s_pred.npy\"; "
                     "store = \"none\"; };\n%s",
                     model, data, tmp, name, tmp, name, extra);
    /* A rig cut short would test something else: fail instead. */
    CU_ASSERT_FATAL(n > 0 && (size_t)n < sizeof text);
    CU_ASSERT_EQUAL_FATAL(neurio_test_write_file(path, text, (size_t)n), 0);
    return path;
}

static int launch(const char *cmd, const char *rig_path, char **out)
{
    char line[4096];
    snprintf(line, sizeof line, "%s %s %s", exe(), cmd, rig_path);
    int st = neurio_test_run(line, out);
    return st;
}

static void expect(const char *out, const char *needle)
{
    if (!out || !strstr(out, needle))
        fprintf(stderr, "\nexpected: %s\nin:\n%s\n", needle, out ? out : "(null)");
    CU_ASSERT_PTR_NOT_NULL(out ? strstr(out, needle) : NULL);
}

/* `neurio CMD rig` exits with `code` and says `needle`. */
static void says(const char *cmd, const char *rig_path, int code, const char *needle)
{
    char *out = NULL;
    CU_ASSERT_EQUAL(launch(cmd, rig_path, &out), code);
    expect(out, needle);
    free(out);
}

/* `neurio run rig` succeeds (its output printed when not); returns the
 * output (caller frees). */
static char *run_ok(const char *rig_path)
{
    char *out = NULL;
    int st = launch("run", rig_path, &out);
    if (st)
        fprintf(stderr, "%s\n", out ? out : "");
    CU_ASSERT_EQUAL_FATAL(st, 0);
    return out;
}

/* Largest |a - b| over float arrays of equal size; -1 when they differ in size. */
static double max_diff(const neurio_npy *a, const neurio_npy *b)
{
    if (a->bytes != b->bytes || a->dtype != NEURIO_DT_FLOAT32 || b->dtype != NEURIO_DT_FLOAT32)
        return -1;
    double w = 0;
    for (size_t i = 0; i < a->bytes / 4; i++)
        w = fmax(w, fabs((double)((const float *)a->data)[i] - ((const float *)b->data)[i]));
    return w;
}

static int read_npy(const char *path, neurio_npy *a)
{
    neurio_errbuf e = { { 0 } };
    int rc = neurio_npy_read(path, a, &e);
    if (rc)
        fprintf(stderr, "%s\n", e.msg);
    return rc;
}

static void need_mm(void)
{
    if (!g_mm[0])
        fprintf(stderr, " (skipped: make_multi_io.py needs python3-onnx) ");
}

/* Two inputs, two outputs: pred.npy = a + b, pred_1.npy = a * b + c; the
 * KPIs (regression against y1) use output 1. */
static void test_multi_io_onnx(void)
{
    need_mm();
    if (!g_mm[0])
        return;
    char model[1200], data[4096], extra[1200], path[1400];
    snprintf(model, sizeof model, "%s/multi_io.onnx", g_mm);
    snprintf(data, sizeof data, "inputs = [ \"%s/a.npy\", \"%s/b.npy\" ]; labels = \"%s/y1.npy\"; "
             "batch_size = 6;", g_mm, g_mm, g_mm);
    snprintf(extra, sizeof extra, "task = { kind = \"regression\"; output = 1; };\n");
    const char *r = rig("mio", model, data, extra);
    char *out = NULL;
    CU_ASSERT_EQUAL(launch("check", r, &out), 0);
    expect(out, "data: data.inputs[1] (input 1 'b')");
    expect(out, "(20 samples)");
    expect(out, "deploy: every op x dtype");
    free(out);
    out = run_ok(r);
    expect(out, "KPIs use output 1 ('y1', task.output)");
    free(out);
    neurio_npy p0 = { 0 }, p1 = { 0 }, y0 = { 0 }, y1 = { 0 };
    snprintf(path, sizeof path, "%s/mio_pred.npy", neurio_test_tmpdir());
    CU_ASSERT_EQUAL_FATAL(read_npy(path, &p0), 0);
    snprintf(path, sizeof path, "%s/mio_pred_1.npy", neurio_test_tmpdir());
    CU_ASSERT_EQUAL_FATAL(read_npy(path, &p1), 0);
    snprintf(path, sizeof path, "%s/y0.npy", g_mm);
    CU_ASSERT_EQUAL_FATAL(read_npy(path, &y0), 0);
    snprintf(path, sizeof path, "%s/y1.npy", g_mm);
    CU_ASSERT_EQUAL_FATAL(read_npy(path, &y1), 0);
    CU_ASSERT_EQUAL(p0.dims[0], 20);
    double d0 = max_diff(&p0, &y0), d1 = max_diff(&p1, &y1);
    printf("  multi_io: output 0 max diff %g, output 1 max diff %g\n", d0, d1);
    CU_ASSERT(d0 >= 0 && d0 <= 1e-6);
    CU_ASSERT(d1 >= 0 && d1 <= 1e-6);
    /* the outputs are not interchangeable: output 0 is not a*b+c */
    CU_ASSERT(max_diff(&p0, &y1) > 1e-3);
    neurio_npy_free(&p0);
    neurio_npy_free(&p1);
    neurio_npy_free(&y0);
    neurio_npy_free(&y1);
}

/* A float two-input model quantized to int8, calibrated with one array per
 * input (model.calibration a list): the fidelity of output 1 against the
 * float model on the host reference interpreter. */
static void test_multi_io_int8(void)
{
    need_mm();
    if (!g_mm[0])
        return;
    char model[4096], data[4096], extra[4096];
    char *out = NULL;
    snprintf(model, sizeof model, "%s/multi_io.onnx\"; quantize = \"int8\"; calibration = [ "
             "\"%s/a.npy\", \"%s/b.npy\" ]; calibration_method = \"minmax", g_mm, g_mm, g_mm);
    snprintf(data, sizeof data, "inputs = [ \"%s/a.npy\", \"%s/b.npy\" ];", g_mm, g_mm);
    snprintf(extra, sizeof extra, "task = { kind = \"none\"; output = 1; reference_run = "
             "\"host\"; };\n");
    const char *r = rig("mio_q", model, data, extra);
    says("check", r, 0, "model.calibration: model.calibration[1] (input 1 'b')");
    out = run_ok(r);
    const char *c = out ? strstr(out, "cosine_similarity") : NULL;
    double cos = 0;
    CU_ASSERT_PTR_NOT_NULL(c);
    if (c)
        sscanf(c + strlen("cosine_similarity"), "%lf", &cos);
    printf("  multi_io int8 (two calibration arrays): output 1 cosine similarity to float %.6f\n",
           cos);
    CU_ASSERT(cos > 0.999);
    free(out);
    /* one calibration array for two inputs: refused, naming the inputs */
    snprintf(model, sizeof model, "%s/multi_io.onnx\"; quantize = \"int8\"; calibration = "
             "\"%s/a.npy", g_mm, g_mm);
    r = rig("mio_q1", model, data, "");
    says("check", r, 3, "model.calibration gives 1 array but model 'multi_io' has 2 inputs (0 "
         "'a', 1 'b')");
}

/* The errors: wrong count (exit 3), unequal sample counts (5), task.output
 * out of range (3), each before anything is built. */
static void test_multi_io_errors(void)
{
    need_mm();
    if (!g_mm[0])
        return;
    char model[1200], data[4096];
    char *out = NULL;
    snprintf(model, sizeof model, "%s/multi_io.onnx", g_mm);
    snprintf(data, sizeof data, "inputs = \"%s/a.npy\";", g_mm);
    const char *r = rig("mio_one", model, data, "");
    says("check", r, 3, "data.inputs gives 1 array but model 'multi_io' has 2 inputs (0 'a', 1 "
         "'b')");
    CU_ASSERT_EQUAL(launch("run", r, &out), 3);
    expect(out, "gives 1 array but model 'multi_io' has 2 inputs");
    CU_ASSERT_PTR_NULL(out ? strstr(out, "generated code") : NULL);
    free(out);
    snprintf(data, sizeof data, "inputs = [ \"%s/a.npy\", \"%s/b.npy\", \"%s/a.npy\" ];", g_mm,
             g_mm, g_mm);
    r = rig("mio_three", model, data, "");
    says("check", r, 3, "data.inputs gives 3 arrays but model 'multi_io' has 2 inputs");
    snprintf(data, sizeof data, "inputs = [ \"%s/a.npy\", \"%s/b_short.npy\" ];", g_mm, g_mm);
    r = rig("mio_short", model, data, "");
    CU_ASSERT_EQUAL(launch("check", r, &out), 5);
    expect(out, "data.inputs[1] (input 1 'b')");
    expect(out, "holds 7 samples but data.inputs[0] holds 20");
    free(out);
    snprintf(data, sizeof data, "inputs = [ \"%s/a.npy\", \"%s/b.npy\" ];", g_mm, g_mm);
    r = rig("mio_out", model, data, "task = { kind = \"none\"; output = 2; };\n");
    says("check", r, 3, "task.output = 2, but model 'multi_io' has 2 outputs (0 to 1)");
    snprintf(data, sizeof data, "inputs = [ \"%s/a.npy\", \"%s/missing.npy\" ];", g_mm, g_mm);
    r = rig("mio_missing", model, data, "");
    says("check", r, 3, "data.inputs[1] = \"");
}

/* seanet_sub1: int16 SUB, inputs [1,2,22,32] and [32], bit-exact with
 * TFLite Micro; the inputs swapped are refused naming input 0. */
static void test_zoo_sub_two_inputs(void)
{
    char model[1200], data[4096], path[1400];
    char *out = NULL;
    snprintf(model, sizeof model, "%s/seanet_sub1/model.tflite", g_zoo);
    snprintf(data, sizeof data, "inputs = [ \"%s/seanet_sub1/input_0.npy\", "
             "\"%s/seanet_sub1/input_1.npy\" ]; batch_size = 8;", g_zoo, g_zoo);
    const char *r = rig("sub1", model, data, "task = { kind = \"none\"; };\n");
    out = run_ok(r);
    free(out);
    neurio_npy p = { 0 }, g = { 0 };
    snprintf(path, sizeof path, "%s/sub1_pred.npy", neurio_test_tmpdir());
    CU_ASSERT_EQUAL_FATAL(read_npy(path, &p), 0);
    snprintf(path, sizeof path, "%s/seanet_sub1/output.npy", g_zoo);
    CU_ASSERT_EQUAL_FATAL(read_npy(path, &g), 0);
    CU_ASSERT_EQUAL(p.dtype, NEURIO_DT_INT16);
    CU_ASSERT_EQUAL_FATAL(p.bytes, g.bytes);
    CU_ASSERT_EQUAL(memcmp(p.data, g.data, g.bytes), 0);
    printf("  seanet_sub1: %lld samples, two inputs, bit-exact: %s\n", (long long)g.dims[0],
           memcmp(p.data, g.data, g.bytes) ? "NO" : "yes");
    neurio_npy_free(&p);
    neurio_npy_free(&g);
    snprintf(data, sizeof data, "inputs = [ \"%s/seanet_sub1/input_1.npy\", "
             "\"%s/seanet_sub1/input_0.npy\" ];", g_zoo, g_zoo);
    r = rig("sub1_swapped", model, data, "");
    says("check", r, 5, "data.inputs[0] (input 0 '");
}

/* A model with an op x dtype no device kernel runs (ABS int32, which the
 * importer accepts): `check` exits 5 with the list, `run` stops right
 * after prepare (nothing generated or built). */
static void test_check_deploy(void)
{
    need_mm();
    if (!g_mm[0])
        return;
    char model[1200], data[1400];
    char *out = NULL;
    snprintf(model, sizeof model, "%s/abs_i32.onnx", g_mm);
    snprintf(data, sizeof data, "inputs = \"%s/x_i32.npy\";", g_mm);
    const char *r = rig("abs", model, data, "task = { kind = \"none\"; };\n");
    CU_ASSERT_EQUAL(launch("check", r, &out), 5);
    expect(out, "cannot run on device 'host' (model.quantize = \"none\"): 1 op(s) cannot be "
                "deployed, no kernel for: ABS int32->int32");
    CU_ASSERT_PTR_NULL(out ? strstr(out, "check OK") : NULL);
    free(out);
    CU_ASSERT_EQUAL(launch("run", r, &out), 5);
    expect(out, "no kernel for: ABS int32->int32");
    CU_ASSERT_PTR_NULL(out ? strstr(out, "generated code") : NULL);
    free(out);
}

/* trained_lstm on the host device, stateful or not, 16 samples in batches
 * of 5 (the state must cross batch boundaries). */
static void run_lstm(const char *name, int stateful, neurio_npy *pred)
{
    char model[1200], data[2048], path[1400];
    char *out = NULL;
    snprintf(model, sizeof model, "%s/trained_lstm/model.tflite", g_zoo);
    snprintf(data, sizeof data, "inputs = \"%s/trained_lstm/input.npy\"; batch_size = 5; "
             "limit = 16; stateful = %s;", g_zoo, stateful ? "true" : "false");
    const char *r = rig(name, model, data,
                        "task = { kind = \"none\"; reference_run = \"host\"; };\n");
    out = run_ok(r);
    free(out);
    snprintf(path, sizeof path, "%s/%s_pred.npy", neurio_test_tmpdir(), name);
    CU_ASSERT_EQUAL_FATAL(read_npy(path, pred), 0);
}

static void test_stateful_lstm(void)
{
    char path[1400];
    neurio_npy reset = { 0 }, kept = { 0 }, golden = { 0 }, in = { 0 };
    run_lstm("lstm_reset", 0, &reset);
    run_lstm("lstm_kept", 1, &kept);
    snprintf(path, sizeof path, "%s/trained_lstm/output.npy", g_zoo);
    CU_ASSERT_EQUAL_FATAL(read_npy(path, &golden), 0);
    snprintf(path, sizeof path, "%s/trained_lstm/input.npy", g_zoo);
    CU_ASSERT_EQUAL_FATAL(read_npy(path, &in), 0);
    /* the reference semantics of data.stateful = true: the model's own
     * interpreter with the state kept, samples in order */
    snprintf(path, sizeof path, "%s/trained_lstm/model.tflite", g_zoo);
    neurio_model *m = NULL;
    neurio_interp *it = NULL;
    neurio_errbuf e = { { 0 } };
    CU_ASSERT_EQUAL_FATAL(neurio_model_load(path, &m, &e), NEURIO_OK);
    CU_ASSERT_EQUAL_FATAL(neurio_interp_new(m, &it, &e), NEURIO_OK);
    neurio_interp_set_stateful(it, 1);
    size_t ib = neurio_tensor_bytes(&m->tensors[m->inputs[0]]);
    size_t ob = neurio_tensor_bytes(&m->tensors[m->outputs[0]]);
    size_t n = 16, per = ob / 4;
    CU_ASSERT_EQUAL_FATAL(reset.bytes, n * ob);
    CU_ASSERT_EQUAL_FATAL(kept.bytes, n * ob);
    float *ref = malloc(n * ob);
    CU_ASSERT_PTR_NOT_NULL_FATAL(ref);
    for (size_t s = 0; s < n; s++) {
        const void *ins[1] = { (const char *)in.data + s * ib };
        void *outs[1] = { ref + s * per };
        CU_ASSERT_EQUAL_FATAL(neurio_interp_run(it, ins, outs, &e), NEURIO_OK);
    }
    double lo = INFINITY, hi = -INFINITY;
    for (size_t i = 0; i < n * per; i++) {
        lo = fmin(lo, ((const float *)golden.data)[i]);
        hi = fmax(hi, ((const float *)golden.data)[i]);
    }
    double tol = 1e-5 * (hi > lo ? hi - lo : 1.0);
    size_t reset_bad = 0, kept_vs_golden = 0, kept_vs_ref = 0;
    for (size_t s = 0; s < n; s++) {
        double dr = 0, dk = 0, dref = 0;
        for (size_t k = 0; k < per; k++) {
            double g = ((const float *)golden.data)[s * per + k];
            dr = fmax(dr, fabs(((const float *)reset.data)[s * per + k] - g));
            dk = fmax(dk, fabs(((const float *)kept.data)[s * per + k] - g));
            dref = fmax(dref, fabs(((const float *)kept.data)[s * per + k] - ref[s * per + k]));
        }
        reset_bad += dr > tol;
        kept_vs_golden += dk > tol;
        kept_vs_ref += dref > tol;
        if (s == 0)
            CU_ASSERT(dk <= tol); /* the first sample starts from the reset state */
    }
    printf("  trained_lstm, %zu samples: stateful=false %zu differ from TFLM; stateful=true "
           "%zu differ from TFLM (reset goldens), %zu from the stateful interpreter\n", n,
           reset_bad, kept_vs_golden, kept_vs_ref);
    CU_ASSERT_EQUAL(reset_bad, 0);
    CU_ASSERT_EQUAL(kept_vs_ref, 0);
    CU_ASSERT(kept_vs_golden >= n / 2);
    free(ref);
    neurio_interp_free(it);
    neurio_model_free(m);
    neurio_npy_free(&reset);
    neurio_npy_free(&kept);
    neurio_npy_free(&golden);
    neurio_npy_free(&in);
}

/* data.stateful must be a boolean; the error names the key and the fix. */
static void test_stateful_key(void)
{
    char model[1200], data[2048];
    snprintf(model, sizeof model, "%s/trained_lstm/model.tflite", g_zoo);
    snprintf(data, sizeof data, "inputs = \"%s/trained_lstm/input.npy\"; stateful = \"yes\";",
             g_zoo);
    const char *r = rig("lstm_badkey", model, data, "");
    says("check", r, 3, "data.stateful: expected a boolean (true or false, no quotes), got a "
         "string");
    says("check --set data.stateful=maybe", r, 3, "data.stateful: expected true or false, got "
         "\"maybe\"");
}

int neurio_register_tests(void)
{
    g_shared = neurio_test_shared_dir();
    if (!g_shared)
        neurio_test_skip("../shared is absent: no models or golden-zoo");
    snprintf(g_zoo, sizeof g_zoo, "%s/golden-zoo", g_shared);
    if (access(g_zoo, R_OK) != 0)
        neurio_test_skip("%s is absent", g_zoo);
    char cmd[2400];
    snprintf(g_mm, sizeof g_mm, "%s/multi_io", neurio_test_tmpdir());
    snprintf(cmd, sizeof cmd, "/usr/bin/python3 %s %s",
             neurio_test_path(NEURIO_SOURCE_DIR, "tests/host/make_multi_io.py"), g_mm);
    char *out = NULL;
    if (neurio_test_run(cmd, &out) != 0) {
        fprintf(stderr, "make_multi_io.py failed (needs Debian's python3-onnx, python3-numpy); "
                "the ONNX multi-output cases are skipped:\n%s\n", out ? out : "");
        g_mm[0] = '\0';
    }
    free(out);
    CU_pSuite s = CU_add_suite("host_multi", NULL, NULL);
    if (!s || !CU_add_test(s, "two inputs, two outputs, task.output", test_multi_io_onnx) ||
        !CU_add_test(s, "multi-input errors", test_multi_io_errors) ||
        !CU_add_test(s, "two inputs quantized, calibration list", test_multi_io_int8) ||
        !CU_add_test(s, "seanet_sub1: two inputs, bit-exact", test_zoo_sub_two_inputs) ||
        !CU_add_test(s, "check: op x dtype with no kernel", test_check_deploy) ||
        !CU_add_test(s, "data.stateful on trained_lstm", test_stateful_lstm) ||
        !CU_add_test(s, "data.stateful key", test_stateful_key))
        return -1;
    return 0;
}

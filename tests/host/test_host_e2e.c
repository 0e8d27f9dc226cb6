/* tests/host/test_host_e2e.c — `neurio run` end to end on the host device
 * for every golden model: a minimal rig, the model/data/predictions given
 * with --set, batches of 10 (64 samples: the last partial batch of 4 must
 * run), and the predictions file compared with output.npy (bit for bit for
 * int8, within 1e-4 for float).  Skips when ../shared is absent. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "neurio/npy.h"
#include "test_util.h"

static const char *g_shared;

static void run_e2e(const char *model)
{
    char rig[1024], pred[1024], cmd[4096], want_path[1024];
    const char *tmp = neurio_test_tmpdir();
    snprintf(rig, sizeof rig, "%s/%s.cfg", tmp, model);
    char text[1024];
    snprintf(text, sizeof text,
             "device = { plugin = \"host\"; };\n"
             "model = { path = \"placeholder.tflite\"; quantize = \"none\"; };\n"
             "data = { inputs = \"placeholder.npy\"; batch_size = 10; };\n"
             "task = { kind = \"none\"; };\n"
             "output = { dir = \"%s/runs\"; predictions = \"pred.npy\"; };\n", tmp);
    CU_ASSERT_EQUAL_FATAL(neurio_test_write_file(rig, text, strlen(text)), 0);
    snprintf(pred, sizeof pred, "%s/%s_pred.npy", tmp, model);
    snprintf(cmd, sizeof cmd,
             "cd %s && %s run %s --set model.path=%s/models/%s.tflite "
             "--set data.inputs=%s/golden/%s/input.npy --set output.predictions=%s",
             tmp, neurio_test_path(NEURIO_BINARY_DIR, "core/neurio"), rig, g_shared, model,
             g_shared, model, pred);
    char *out = NULL;
    int st = neurio_test_run(cmd, &out);
    if (st != 0)
        fprintf(stderr, "%s\n-> exit %d\n%s\n", cmd, st, out ? out : "");
    CU_ASSERT_EQUAL_FATAL(st, 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "latency"));
    free(out);

    neurio_npy got = {0}, want = {0};
    neurio_errbuf e = {{0}};
    snprintf(want_path, sizeof want_path, "%s/golden/%s/output.npy", g_shared, model);
    CU_ASSERT_EQUAL_FATAL(neurio_npy_read(pred, &got, &e), NEURIO_OK);
    CU_ASSERT_EQUAL_FATAL(neurio_npy_read(want_path, &want, &e), NEURIO_OK);
    /* Same layout as the golden: [N] + output tensor shape, same dtype. */
    CU_ASSERT_EQUAL(got.dtype, want.dtype);
    CU_ASSERT_EQUAL(got.rank, want.rank);
    for (int32_t d = 0; d < want.rank && d < got.rank; d++)
        CU_ASSERT_EQUAL(got.dims[d], want.dims[d]);
    CU_ASSERT_EQUAL_FATAL(got.bytes, want.bytes);
    if (want.dtype == NEURIO_DT_FLOAT32) {
        double maxerr = 0;
        for (size_t i = 0; i < want.bytes / 4; i++) {
            double dd = fabs((double)((float *)got.data)[i] - (double)((float *)want.data)[i]);
            if (!(dd <= maxerr))
                maxerr = dd;
        }
        CU_ASSERT(maxerr <= 1e-4);
    } else {
        CU_ASSERT_EQUAL(memcmp(got.data, want.data, want.bytes), 0);
    }
    neurio_npy_free(&got);
    neurio_npy_free(&want);
}

#define E2E(nm) \
    static void test_##nm(void) { run_e2e(#nm); }
E2E(hello_world_int8)
E2E(hello_world_float)
E2E(ad01_int8)
E2E(kws_ref_model)
E2E(micro_speech_quantized)
E2E(pretrainedResnet_quant)

/* A mismatching input array is refused with both shapes named. */
static void test_shape_mismatch(void)
{
    char rig[1024], cmd[4096];
    const char *tmp = neurio_test_tmpdir();
    snprintf(rig, sizeof rig, "%s/kws.cfg", tmp);
    char text[512];
    snprintf(text, sizeof text,
             "device = { plugin = \"host\"; };\n"
             "model = { path = \"%s/models/kws_ref_model.tflite\"; };\n"
             "data = { inputs = \"%s/golden/ad01_int8/input.npy\"; };\n"
             "output = { dir = \"%s/runs\"; };\n", g_shared, g_shared, tmp);
    CU_ASSERT_EQUAL_FATAL(neurio_test_write_file(rig, text, strlen(text)), 0);
    snprintf(cmd, sizeof cmd, "%s run %s", neurio_test_path(NEURIO_BINARY_DIR, "core/neurio"),
             rig);
    char *out = NULL;
    int st = neurio_test_run(cmd, &out);
    CU_ASSERT_NOT_EQUAL(st, 0);
    CU_ASSERT_PTR_NOT_NULL(out && strstr(out, "[64, 1, 640]"));
    CU_ASSERT_PTR_NOT_NULL(out && strstr(out, "[1, 49, 10, 1]"));
    free(out);
}

/* `neurio codegen MODEL -o DIR`: files written, the summary names the
 * arena; the hybrid model is refused naming op 0 and "hybrid". */
static void test_codegen_command(void)
{
    char cmd[4096], dir[1024];
    const char *exe = neurio_test_path(NEURIO_BINARY_DIR, "core/neurio");
    snprintf(dir, sizeof dir, "%s/cgcmd", neurio_test_tmpdir());
    snprintf(cmd, sizeof cmd, "%s codegen %s/models/micro_speech_quantized.tflite -o %s", exe,
             g_shared, dir);
    char *out = NULL;
    CU_ASSERT_EQUAL(neurio_test_run(cmd, &out), 0);
    CU_ASSERT_PTR_NOT_NULL(out && strstr(out, "micro_speech_quantized: 4 layers, arena"));
    free(out);
    char f[1200];
    snprintf(f, sizeof f, "%s/micro_speech_quantized.c", dir);
    char *src = neurio_test_read_file(f, NULL);
    CU_ASSERT_PTR_NOT_NULL(src && strstr(src, "const neurio_model_desc micro_speech_quantized_desc"));
    free(src);
    snprintf(cmd, sizeof cmd, "%s codegen %s/models/kws_ref_model_hybrid.tflite -o %s", exe,
             g_shared, dir);
    out = NULL;
    CU_ASSERT_EQUAL(neurio_test_run(cmd, &out), 5);
    CU_ASSERT_PTR_NOT_NULL(out && strstr(out, "hybrid"));
    free(out);
    snprintf(cmd, sizeof cmd, "%s codegen %s/models/kws_ref_model.tflite", exe, g_shared);
    out = NULL;
    CU_ASSERT_EQUAL(neurio_test_run(cmd, &out), 2);
    CU_ASSERT_PTR_NOT_NULL(out && strstr(out, "-o DIR"));
    free(out);
}

int neurio_register_tests(void)
{
    g_shared = neurio_test_shared_dir();
    if (!g_shared)
        neurio_test_skip("../shared (models and goldens) is absent; this e2e test needs it");
    CU_pSuite s = CU_add_suite("host_e2e", NULL, NULL);
    if (!s)
        return -1;
    CU_add_test(s, "hello_world_int8", test_hello_world_int8);
    CU_add_test(s, "hello_world_float", test_hello_world_float);
    CU_add_test(s, "ad01_int8", test_ad01_int8);
    CU_add_test(s, "kws_ref_model", test_kws_ref_model);
    CU_add_test(s, "micro_speech_quantized", test_micro_speech_quantized);
    CU_add_test(s, "pretrainedResnet_quant", test_pretrainedResnet_quant);
    CU_add_test(s, "shape_mismatch", test_shape_mismatch);
    CU_add_test(s, "codegen_command", test_codegen_command);
    return 0;
}

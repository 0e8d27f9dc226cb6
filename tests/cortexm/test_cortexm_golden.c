/* tests/cortexm/test_cortexm_golden.c — conformance (label conformance):
 * every model in ../shared/golden that fits the board runs under `neurio
 * run` on the emulated Cortex-M4F (mps2-an386) and Cortex-M7 (mps2-an500).
 * int8 models must reproduce TFLite Micro's golden output.npy bit for bit;
 * float models within 1e-5 (relative to the output range); int8
 * predictions must also be identical to the host device's (float: within
 * the same tolerance).  A model
 * whose image does not fit (refused at link time) is reported and skipped.
 * The link is the plugin's default (rtt) unless NEURIO_TEST_CM_LINK=uart
 * (or rtt) picks the channel.  Skips (exit 77) when ../shared is absent. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm_e2e_util.h"
#include "test_util.h"

static const char *const models[] = {
    "hello_world_int8", "hello_world_float", "micro_speech_quantized", "ad01_int8",
    "ad01_fp32", "kws_ref_model", "pretrainedResnet_quant", "pretrainedResnet",
};

static int is_float_model(const char *m)
{
    return strstr(m, "float") || strstr(m, "fp32") || strcmp(m, "pretrainedResnet") == 0;
}

static char *rig_for(const char *name, const char *model, const char *device)
{
    static char buf[4096];
    const char *g = cm_e2e_golden(model);
    snprintf(buf, sizeof buf,
             "device = { %s };\n"
             "model = { path = \"%s/models/%s.tflite\"; quantize = \"none\"; };\n"
             "data = { inputs = \"%s/input.npy\"; batch_size = 64; };\n"
             "task = { kind = \"none\"; };\n"
             "output = { dir = \"%s\"; predictions = \"pred.npy\"; };\n",
             device, neurio_test_shared_dir(), model, g, cm_e2e_outdir(name));
    return buf;
}

/* 0 = equal (bit-exact for ints, within tol for float32). */
static int compare(const neurio_npy *a, const neurio_npy *b, int is_float, double *maxdiff)
{
    *maxdiff = 0;
    if (a->dtype != b->dtype || a->bytes != b->bytes)
        return 1;
    if (!is_float)
        return memcmp(a->data, b->data, a->bytes) != 0;
    const float *x = a->data, *y = b->data;
    size_t n = a->bytes / sizeof(float);
    double lo = INFINITY, hi = -INFINITY;
    for (size_t i = 0; i < n; i++) {
        double d = fabs((double)x[i] - (double)y[i]);
        if (d > *maxdiff || isnan(d))
            *maxdiff = isnan(d) ? INFINITY : d;
        lo = fmin(lo, y[i]);
        hi = fmax(hi, y[i]);
    }
    double range = hi > lo ? hi - lo : 1.0;
    return *maxdiff > 1e-5 * range;
}

static void run_model(const char *model)
{
    cm_e2e_require_tools();
    const char *g = cm_e2e_golden(model);
    if (!g) {
        fprintf(stderr, "\n  %s: no golden data, skipped\n", model);
        return;
    }
    char path[2048];
    neurio_npy golden;
    neurio_errbuf e;
    snprintf(path, sizeof path, "%s/output.npy", g);
    CU_ASSERT_EQUAL_FATAL(neurio_npy_read(path, &golden, &e), NEURIO_OK);
    int fl = is_float_model(model);

    char name[256];
    snprintf(name, sizeof name, "%s-host", model);
    neurio_npy host;
    int host_ok = cm_e2e_run(name, rig_for(name, model, "plugin = \"host\";"), "", NULL) == 0 &&
                  cm_e2e_read_pred(cm_e2e_outdir(name), "pred.npy", &host) == 0;
    CU_ASSERT(host_ok);

    static const char *const boards[] = {"mps2-an386", "mps2-an500"};
    for (int b = 0; b < 2; b++) {
        char dev[256];
        snprintf(name, sizeof name, "%s-%s", model, boards[b]);
        /* NEURIO_TEST_CM_LINK=uart|rtt: the same goldens over one channel
         * (default: the plugin's, rtt on these boards). */
        const char *link = getenv("NEURIO_TEST_CM_LINK");
        snprintf(dev, sizeof dev,
                 "plugin = \"cortex-m\"; board = \"%s\"; run_timeout_ms = 600000; link = \"%s\";",
                 boards[b], link && (!strcmp(link, "uart") || !strcmp(link, "rtt")) ? link : "auto");
        char *log = NULL;
        int rc = cm_e2e_run(name, rig_for(name, model, dev), "", &log);
        if (rc != 0 && log && strstr(log, "does not fit")) {
            fprintf(stderr, "\n  %s on %s does not fit, skipped\n", model, boards[b]);
            free(log);
            continue;
        }
        free(log);
        CU_ASSERT_EQUAL(rc, 0);
        if (rc)
            continue;
        neurio_npy p;
        CU_ASSERT_EQUAL_FATAL(cm_e2e_read_pred(cm_e2e_outdir(name), "pred.npy", &p), 0);
        double d;
        int diff = compare(&p, &golden, fl, &d);
        CU_ASSERT_EQUAL(diff, 0);
        fprintf(stderr, "\n  %s on %s: %s golden (max diff %g)", model, boards[b],
                diff ? "DIFFERS from" : (fl ? "matches" : "bit-identical to"), d);
        if (host_ok) {
            /* int8: bit-identical to the host; float: the host compiler may
             * contract multiply-adds (the firmware is -std=c99: it does
             * not), so the same tolerance as against the golden data. */
            double hd;
            CU_ASSERT_EQUAL(compare(&p, &host, fl, &hd), 0);
            fprintf(stderr, ", %s host (max diff %g)", hd == 0 ? "identical to" : "close to", hd);
        }
        neurio_npy_free(&p);
    }
    if (host_ok)
        neurio_npy_free(&host);
    neurio_npy_free(&golden);
    CU_ASSERT_EQUAL(cm_e2e_count_qemu(neurio_test_tmpdir()), 0);
}

#define MODEL_TEST(i)                                                         \
    static void test_model_##i(void) { run_model(models[i]); }
MODEL_TEST(0)
MODEL_TEST(1)
MODEL_TEST(2)
MODEL_TEST(3)
MODEL_TEST(4)
MODEL_TEST(5)
MODEL_TEST(6)
MODEL_TEST(7)

int neurio_register_tests(void)
{
    if (!neurio_test_shared_dir())
        neurio_test_skip("../shared (golden models) is absent");
    CU_pSuite s = CU_add_suite("cortexm_golden", NULL, NULL);
    if (!s)
        return -1;
    void (*const fns[])(void) = {test_model_0, test_model_1, test_model_2, test_model_3,
                                 test_model_4, test_model_5, test_model_6, test_model_7};
    for (int i = 0; i < 8; i++)
        CU_add_test(s, models[i], fns[i]);
    return 0;
}

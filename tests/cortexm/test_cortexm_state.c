/* tests/cortexm/test_cortexm_state.c — conformance: zoo models with state
 * (variable tensors) under `neurio run` on the emulated Cortex-M4F
 * (mps2-an386): trained_lstm (float UNIDIRECTIONAL_SEQUENCE_LSTM), every
 * sample within 1e-5 of the output range of TFLite Micro's outputs, the
 * state reset before each sample as the goldens are made.  Skips (77)
 * when ../shared/golden-zoo or the tools are absent. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm_e2e_util.h"
#include "test_util.h"

static void test_trained_lstm_m4(void)
{
    cm_e2e_require_tools();
    char zoo[1024], rig[4096], path[1200];
    snprintf(zoo, sizeof zoo, "%s/golden-zoo/trained_lstm", neurio_test_shared_dir());
    snprintf(rig, sizeof rig,
             "device = { plugin = \"cortex-m\"; board = \"mps2-an386\"; "
             "run_timeout_ms = 600000; };\n"
             "model = { path = \"%s/model.tflite\"; quantize = \"none\"; };\n"
             "data = { inputs = \"%s/input.npy\"; batch_size = 32; };\n"
             "task = { kind = \"none\"; };\n"
             "output = { dir = \"%s\"; predictions = \"pred.npy\"; store = \"none\"; };\n",
             zoo, zoo, cm_e2e_outdir("lstm-m4"));
    char *log = NULL;
    int rc = cm_e2e_run("lstm-m4", rig, "", &log);
    if (rc)
        fprintf(stderr, "%s\n", log ? log : "");
    free(log);
    CU_ASSERT_EQUAL_FATAL(rc, 0);
    neurio_npy p, g;
    neurio_errbuf e;
    snprintf(path, sizeof path, "%s/output.npy", zoo);
    CU_ASSERT_EQUAL_FATAL(neurio_npy_read(path, &g, &e), NEURIO_OK);
    CU_ASSERT_EQUAL_FATAL(cm_e2e_read_pred(cm_e2e_outdir("lstm-m4"), "pred.npy", &p), 0);
    CU_ASSERT_EQUAL_FATAL(p.bytes, g.bytes);
    const float *x = p.data, *y = g.data;
    double worst = 0, lo = INFINITY, hi = -INFINITY;
    for (size_t i = 0; i < g.bytes / 4; i++) {
        worst = fmax(worst, fabs((double)x[i] - y[i]));
        lo = fmin(lo, y[i]);
        hi = fmax(hi, y[i]);
    }
    fprintf(stderr, "\n  trained_lstm on mps2-an386: max abs diff %g (output range %g)\n", worst,
            hi - lo);
    CU_ASSERT(worst <= 1e-5 * (hi > lo ? hi - lo : 1.0));
    neurio_npy_free(&p);
    neurio_npy_free(&g);
    CU_ASSERT_EQUAL(cm_e2e_count_qemu(neurio_test_tmpdir()), 0);
}

int neurio_register_tests(void)
{
    if (!neurio_test_shared_dir())
        neurio_test_skip("../shared is absent: no golden-zoo");
    CU_pSuite s = CU_add_suite("cortexm_state", NULL, NULL);
    if (!s || !CU_add_test(s, "trained_lstm on Cortex-M4 vs TFLM", test_trained_lstm_m4))
        return -1;
    return 0;
}

/* tests/cortexm/test_cortexm_golden_boards.c — conformance of the boards of
 * issue 16: every model in ../shared/golden under `neurio run` on the
 * emulated Cortex-M3 (mps2-an385: portable kernels, software float),
 * Cortex-M33 (mps2-an505: DSP kernels) and Cortex-M55 (mps3-an547: Helium
 * kernels).  int8 outputs bit-exact with TFLite Micro's golden output.npy,
 * float within 1e-5 of the output range.  One firmware build per model and
 * board; every model fits every board (ad01_fp32's float weights go to the
 * AN547's DDR, which the log says).  CI size (label conformance): the first NEURIO_GOLDEN_SAMPLES
 * samples of each golden (default 8); test_cortexm_golden_boards_all
 * (label long) runs all 64.  Skips (exit 77) when ../shared is absent. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm_e2e_util.h"
#include "npy_cmp.h"
#include "test_util.h"

static const char *const boards[] = {"mps2-an385", "mps2-an505", "mps3-an547"};

static int samples(void)
{
    const char *s = getenv("NEURIO_GOLDEN_SAMPLES");
    int n = s ? atoi(s) : 8;
    return n > 0 && n <= 64 ? n : 8;
}

static void run_model(const char *model)
{
    cm_e2e_require_tools();
    const char *g = cm_e2e_golden(model);
    if (!g) {
        fprintf(stderr, "\n  %s: no golden data, skipped\n", model);
        return;
    }
    char path[2048], name[256], rig[4096];
    neurio_npy golden;
    neurio_errbuf e;
    snprintf(path, sizeof path, "%s/output.npy", g);
    CU_ASSERT_EQUAL_FATAL(neurio_npy_read(path, &golden, &e), NEURIO_OK);
    int n = samples();
    for (size_t b = 0; b < sizeof boards / sizeof boards[0]; b++) {
        snprintf(name, sizeof name, "%s-%s", model, boards[b]);
        snprintf(rig, sizeof rig,
                 "device = { plugin = \"cortex-m\"; board = \"%s\"; run_timeout_ms = 600000; };\n"
                 "model = { path = \"%s/models/%s.tflite\"; quantize = \"none\"; };\n"
                 "data = { inputs = \"%s/input.npy\"; batch_size = 64; limit = %d; };\n"
                 "task = { kind = \"none\"; };\n"
                 "output = { dir = \"%s\"; predictions = \"pred.npy\"; };\n",
                 boards[b], neurio_test_shared_dir(), model, g, n, cm_e2e_outdir(name));
        char *log = NULL;
        int rc = cm_e2e_run(name, rig, "", &log);
        /* ad01_fp32's 1 MB of float weights overflow the AN547's 512 KiB
         * ITCM: the plugin puts them in its DDR and says so. */
        if (!strcmp(model, "ad01_fp32") && !strcmp(boards[b], "mps3-an547"))
            CU_ASSERT_PTR_NOT_NULL(log && strstr(log, "are in mps3-an547's DDR at 0x60000000"));
        free(log);
        CU_ASSERT_EQUAL(rc, 0);
        neurio_npy p;
        if (rc || cm_e2e_read_pred(cm_e2e_outdir(name), "pred.npy", &p) != 0) {
            CU_FAIL("no predictions");
            continue;
        }
        double d;
        int diff = neurio_test_npy_cmp(&p, &golden, neurio_test_npy_rows_bytes(&golden, (size_t)n),
                                       1e-5, &d);
        CU_ASSERT_EQUAL(diff, 0);
        fprintf(stderr, "\n  %s on %s (%d samples): %s golden (max diff %g)", model, boards[b],
                n, diff ? "DIFFERS from" : d == 0 ? "bit-identical to" : "matches", d);
        neurio_npy_free(&p);
    }
    neurio_npy_free(&golden);
    CU_ASSERT_EQUAL(cm_e2e_count_qemu(neurio_test_tmpdir()), 0);
}

int neurio_register_tests(void)
{
    if (!neurio_test_shared_dir())
        neurio_test_skip("../shared (golden models) is absent");
    return cm_e2e_add_golden_suite("cortexm_golden_boards", run_model);
}

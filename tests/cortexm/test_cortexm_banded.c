/* tests/cortexm/test_cortexm_banded.c — banded execution on the emulated
 * boards (label long): kws and ResNet-8 with device.band_rows through
 * `neurio run` on every kernel set the plugin builds (mps2-an386 Cortex-M4
 * DSP, mps2-an500 Cortex-M7 DSP, mps2-an385 Cortex-M3 portable, mps3-an547
 * Cortex-M55 Helium) must reproduce TFLite Micro's golden outputs bit for
 * bit, all 64 samples: the band calls (partial images, any pad_top) give
 * the same bytes as whole-image calls whatever the kernels' traversal.
 * Skips (exit 77) when ../shared or the tools are absent. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm_e2e_util.h"
#include "npy_cmp.h"
#include "test_util.h"

static void run_banded(const char *model, int rows)
{
    cm_e2e_require_tools();
    const char *g = cm_e2e_golden(model);
    if (!g) {
        fprintf(stderr, "\n  %s: no golden data, skipped\n", model);
        return;
    }
    char path[2048], data[2048], dev[256], name[256];
    neurio_npy golden;
    neurio_errbuf e;
    snprintf(path, sizeof path, "%s/output.npy", g);
    CU_ASSERT_EQUAL_FATAL(neurio_npy_read(path, &golden, &e), NEURIO_OK);
    snprintf(path, sizeof path, "%s/models/%s.tflite", neurio_test_shared_dir(), model);
    snprintf(data, sizeof data, "inputs = \"%s/input.npy\"; batch_size = 64;", g);
    static const char *const boards[] = {"mps2-an386", "mps2-an500", "mps2-an385", "mps3-an547"};
    for (size_t b = 0; b < sizeof boards / sizeof boards[0]; b++) {
        snprintf(name, sizeof name, "%s-%s-band%d", model, boards[b], rows);
        snprintf(dev, sizeof dev, "board = \"%s\"; band_rows = %d; run_timeout_ms = 600000;",
                 boards[b], rows);
        neurio_npy p;
        int rc = cm_e2e_run_pred(name, cm_e2e_rig(name, dev, path, data), &p);
        CU_ASSERT_EQUAL(rc, 0);
        if (rc)
            continue;
        double d = 0;
        int diff = neurio_test_npy_cmp(&p, &golden, golden.bytes, 0, &d);
        CU_ASSERT_EQUAL(diff, 0);
        fprintf(stderr, "\n  %s on %s, %d rows per band: %s golden", model, boards[b], rows,
                diff ? "DIFFERS from" : "bit-identical to");
        neurio_npy_free(&p);
    }
    neurio_npy_free(&golden);
    CU_ASSERT_EQUAL(cm_e2e_count_qemu(neurio_test_tmpdir()), 0);
}

static void test_kws(void) { run_banded("kws_ref_model", 4); }
static void test_resnet(void) { run_banded("pretrainedResnet_quant", 8); }

int neurio_register_tests(void)
{
    if (!neurio_test_shared_dir())
        neurio_test_skip("../shared (golden models) is absent");
    CU_pSuite s = CU_add_suite("cortexm_banded", NULL, NULL);
    if (!s || !CU_add_test(s, "kws_ref_model, 4 rows per band", test_kws) ||
        !CU_add_test(s, "pretrainedResnet_quant, 8 rows per band", test_resnet))
        return -1;
    return 0;
}

/* tests/zoo/test_zoo_cortexm_conv16.c — conformance (label conformance):
 * the int16x8 convolution kernels on the emulated Cortex-M4F (mps2-an386)
 * through the real launcher (`neurio run`, cortex-m plugin): zoo cases of
 * ../shared/golden-zoo whose outputs TFLite Micro's reference kernels made,
 * every sample compared bit for bit.  One firmware build per case.
 *
 * Cases: seanet_conv0 (CONV_2D int16->int16, int64 bias).  The
 * TRANSPOSE_CONV cases have two model inputs (output_shape, x) and join
 * once `neurio run` takes a list of inputs (issue 13, item 5); until then
 * they are proven on the host device only (test_zoo_host).
 * Skips (exit 77) when ../shared/golden-zoo or the ARM tools are absent. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../cortexm/cm_e2e_util.h"
#include "test_util.h"
#include "zoo_case.h"

static const char *g_zoo;

static void run_case(const char *name)
{
    cm_e2e_require_tools();
    zoo_case c;
    char why[1024] = "", rig[4096], run[160];
    CU_ASSERT_EQUAL_FATAL(zoo_load(g_zoo, name, &c, why, sizeof why), 0);
    CU_ASSERT_EQUAL_FATAL(c.n_inputs, 1);
    snprintf(run, sizeof run, "%s-m4", name);
    snprintf(rig, sizeof rig,
             "device = { plugin = \"cortex-m\"; board = \"mps2-an386\"; "
             "run_timeout_ms = 600000; };\n"
             "model = { path = \"%s\"; quantize = \"none\"; };\n"
             "data = { inputs = \"%s\"; batch_size = 8; };\n"
             "task = { kind = \"none\"; };\n"
             "output = { dir = \"%s\"; predictions = \"pred.npy\"; store = \"none\"; };\n",
             c.model, c.in_path[0], cm_e2e_outdir(run));
    char *log = NULL;
    int rc = cm_e2e_run(run, rig, "", &log);
    if (rc)
        fprintf(stderr, "\n  %s: neurio run exited %d:\n%s\n", name, rc, log ? log : "");
    free(log);
    CU_ASSERT_EQUAL(rc, 0);
    neurio_npy p;
    if (rc == 0 && cm_e2e_read_pred(cm_e2e_outdir(run), "pred.npy", &p) == 0) {
        /* pred.npy keeps the model's leading batch of 1; output.npy drops
         * it: the same bytes, sample after sample. */
        int same = p.dtype == c.out[0].dtype && p.bytes == c.out[0].bytes &&
                   memcmp(p.data, c.out[0].data, p.bytes) == 0;
        CU_ASSERT_TRUE(same);
        fprintf(stderr, "\n  %s on mps2-an386: %zu samples %s TFLite Micro's outputs\n", name,
                c.n_samples, same ? "bit-identical to" : "DIFFER from");
        neurio_npy_free(&p);
    } else {
        CU_FAIL("no predictions");
    }
    CU_ASSERT_EQUAL(cm_e2e_count_qemu(neurio_test_tmpdir()), 0);
    zoo_free(&c);
}

static void test_conv_s16(void)
{
    run_case("seanet_conv0");
}

int neurio_register_tests(void)
{
    const char *shared = neurio_test_shared_dir();
    static char zoo[1100];
    struct stat st;
    if (!shared)
        neurio_test_skip("../shared is absent; this test needs ../shared/golden-zoo");
    snprintf(zoo, sizeof zoo, "%s/golden-zoo", shared);
    if (stat(zoo, &st) || !S_ISDIR(st.st_mode))
        neurio_test_skip("%s is absent", zoo);
    g_zoo = zoo;
    CU_pSuite s = CU_add_suite("zoo_cortexm_conv16", NULL, NULL);
    if (!s || !CU_add_test(s, "CONV_2D int16x8 (seanet_conv0) on mps2-an386", test_conv_s16))
        return -1;
    return 0;
}

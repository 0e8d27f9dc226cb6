/* tests/zoo/test_zoo_m4_wide.c — conformance (label long): one seanet int16 case of each
 * single-input op family of issue 13 part A (LEAKY_RELU, PAD,
 * STRIDED_SLICE, QUANTIZE int16->int32) under `neurio run` on the emulated
 * Cortex-M4F (mps2-an386), every sample bit-exact with TFLite Micro's
 * outputs in ../shared/golden-zoo.  ADD and SUB have two inputs, which
 * `neurio run` does not take yet (issue 13 item 5); their generated C is
 * compiled for Cortex-M4 by test_codegen_wide.  Skips (77) when
 * ../shared/golden-zoo or the tools are absent. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm_e2e_util.h"
#include "test_util.h"

static void run_case(const char *name)
{
    char zoo[1024], model[1200], data[1200], path[1200];
    snprintf(zoo, sizeof zoo, "%s/golden-zoo/%s", neurio_test_shared_dir(), name);
    snprintf(model, sizeof model, "%s/model.tflite", zoo);
    snprintf(data, sizeof data, "inputs = \"%s/input.npy\"; batch_size = 33;", zoo);
    neurio_npy p, g;
    neurio_errbuf e;
    CU_ASSERT_EQUAL_FATAL(cm_e2e_run_pred(name, cm_e2e_rig(name, "board = \"mps2-an386\"; "
                          "run_timeout_ms = 600000;", model, data), &p), 0);
    snprintf(path, sizeof path, "%s/output.npy", zoo);
    CU_ASSERT_EQUAL_FATAL(neurio_npy_read(path, &g, &e), NEURIO_OK);
    CU_ASSERT_EQUAL(p.dtype, g.dtype);
    CU_ASSERT_EQUAL_FATAL(p.bytes, g.bytes);
    size_t es = neurio_dtype_size(g.dtype), diff = 0;
    for (size_t i = 0; i < g.bytes; i += es)
        diff += memcmp((const char *)p.data + i, (const char *)g.data + i, es) != 0;
    fprintf(stderr, "\n  %s on mps2-an386: %zu of %zu elements differ\n", name, diff,
            g.bytes / es);
    CU_ASSERT_EQUAL(diff, 0);
    neurio_npy_free(&p);
    neurio_npy_free(&g);
}

static void test_leaky_relu(void) { run_case("seanet_leaky_relu1"); }
static void test_pad(void) { run_case("seanet_pad4"); }
static void test_strided_slice(void) { run_case("seanet_strided_slice2"); }
static void test_quantize(void) { run_case("seanet_quantize1"); }

int neurio_register_tests(void)
{
    if (!neurio_test_shared_dir())
        neurio_test_skip("../shared is absent: no golden-zoo");
    cm_e2e_require_tools();
    CU_pSuite s = CU_add_suite("zoo_m4_wide", NULL, NULL);
    if (!s)
        return -1;
    CU_add_test(s, "seanet_leaky_relu1 (LEAKY_RELU int16)", test_leaky_relu);
    CU_add_test(s, "seanet_pad4 (PAD int16)", test_pad);
    CU_add_test(s, "seanet_strided_slice2 (STRIDED_SLICE int16)", test_strided_slice);
    CU_add_test(s, "seanet_quantize1 (QUANTIZE int16->int32)", test_quantize);
    return 0;
}

/* tests/sweep/test_debug_m4.c — issue 17's proof on a real emulated board:
 * kws on the Cortex-M4 (QEMU mps2-an386) with task.debug = "layers": the
 * cortex-m plugin builds its debug firmware, every layer's output of one
 * sample is read back over the emulated UART (RUN_CAPTURE) and must equal
 * the host reference interpreter's bit for bit; then the TEST-ONLY
 * device.test_fault_layer = 6 (a broken kernel on purpose, compiled into the
 * firmware) must be named as the first differing layer, and nothing before
 * it may differ.  Two firmware builds and QEMU runs: label long. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sweep_util.h"
#include "test_util.h"

static void test_kws_m4_layers(void)
{
    if (system("command -v arm-none-eabi-gcc >/dev/null 2>&1 && "
               "command -v qemu-system-arm >/dev/null 2>&1") != 0)
        neurio_test_skip("arm-none-eabi-gcc or qemu-system-arm is not installed");
    char rig[4200], text[4096];
    snprintf(rig, sizeof rig, "%s/kws-m4.cfg", sw_dir);
    snprintf(text, sizeof text,
             "device = { plugin = \"cortex-m\"; board = \"mps2-an386\"; };\n"
             "model = { path = \"%s/models/kws_ref_model.tflite\"; };\n"
             "data = { inputs = \"%s/golden/kws_ref_model/input.npy\"; limit = 1; };\n"
             "task = { kind = \"none\"; debug = \"layers\"; debug_samples = 1; };\n"
             "output = { dir = \"runs\"; };\n", sw_shared, sw_shared);
    CU_ASSERT_EQUAL_FATAL(neurio_test_write_file(rig, text, strlen(text)), 0);
    char *out = NULL;
    int rc = sw_run("run kws-m4.cfg", &out);
    if (rc)
        fprintf(stderr, "%s\n", out ? out : "");
    CU_ASSERT_EQUAL(rc, 0);
    sw_expect(out, "layer readback: device against the host reference (prepared model), 1 "
                   "sample");
    sw_expect(out, "  12   SOFTMAX ");
    sw_expect(out, "every layer read back matches the host reference (integer layers "
                   "bit-exact)");
    free(out);
    rc = sw_run("run kws-m4.cfg --set device.test_fault_layer=6", &out);
    CU_ASSERT_EQUAL(rc, 7);
    sw_expect(out, "first layer that differs from the host reference: #6 CONV_2D");
    sw_expect(out, "8000/8000");
    free(out);
}

int neurio_register_tests(void)
{
    sw_setup();
    CU_pSuite s = CU_add_suite("debug_m4", NULL, NULL);
    if (!s)
        return -1;
    CU_add_test(s, "kws on emulated M4: every layer exact, a broken layer 6 found at 6",
                test_kws_m4_layers);
    return 0;
}

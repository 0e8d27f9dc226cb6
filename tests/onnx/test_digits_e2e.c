/* tests/onnx/test_digits_e2e.c — the demo end to end through the launcher:
 * `neurio run config/digits-host.cfg` (and digits-m4.cfg when QEMU and the
 * Arm toolchain are installed) on the whole test split; the int8 device
 * accuracy must be >= 95 % and within 1 point of the float host reference
 * (both read from the run's quant_cost.json). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "test_util.h"

static void run_rig(const char *rig)
{
    const char *tmp = neurio_test_tmpdir();
    char cmd[8192], *out = NULL;
    snprintf(cmd, sizeof cmd,
             "%s/core/neurio run %s/config/%s --set output.dir=%s/%s --set output.store=none",
             NEURIO_BINARY_DIR, NEURIO_SOURCE_DIR, rig, tmp, rig);
    int st = neurio_test_run(cmd, &out);
    if (st != 0)
        fprintf(stderr, "\n%s\n", out ? out : "");
    CU_ASSERT_EQUAL_FATAL(st, 0);
    free(out);
    snprintf(cmd, sizeof cmd, "ls -d %s/%s/*/quant_cost.json", tmp, rig);
    CU_ASSERT_EQUAL_FATAL(neurio_test_run(cmd, &out), 0);
    char *nl = strchr(out, '\n');
    if (nl)
        *nl = '\0';
    char *json = neurio_test_read_file(out, NULL);
    free(out);
    CU_ASSERT_PTR_NOT_NULL_FATAL(json);
    cJSON *o = cJSON_Parse(json);
    free(json);
    CU_ASSERT_PTR_NOT_NULL_FATAL(o);
    double fa = cJSON_GetNumberValue(cJSON_GetObjectItem(o, "float_top1_accuracy"));
    double da = cJSON_GetNumberValue(cJSON_GetObjectItem(o, "device_top1_accuracy"));
    double n = cJSON_GetNumberValue(cJSON_GetObjectItem(o, "samples"));
    printf("\n    %s: float host %.2f%%, int8 device %.2f%% on %.0f images\n", rig, fa * 100,
           da * 100, n);
    CU_ASSERT_EQUAL(n, 450);
    CU_ASSERT(da >= 0.95);
    CU_ASSERT(fa - da <= 0.01);
    cJSON_Delete(o);
}

static void test_digits_host(void) { run_rig("digits-host.cfg"); }

static void test_digits_m4(void)
{
    if (neurio_test_run("command -v qemu-system-arm && command -v arm-none-eabi-gcc", NULL)) {
        printf("\n    (skipped: qemu-system-arm or arm-none-eabi-gcc not installed)\n");
        return;
    }
    run_rig("digits-m4.cfg");
}

int neurio_register_tests(void)
{
    CU_pSuite s = CU_add_suite("digits_e2e", NULL, NULL);
    CU_add_test(s, "digits_host", test_digits_host);
    CU_add_test(s, "digits_m4", test_digits_m4);
    return 0;
}

/* tests/riscv/test_riscv_golden.c (label conformance) — every golden model of
 * ../shared/golden on the riscv plugin (QEMU virt rv32imac, built against
 * the installed SDK): int8 bit-exact with TFLite Micro's reference outputs,
 * float within 1e-5 of the output range.  One firmware build per model;
 * the float models also once on rv32imafc (hardware single precision).
 * The float ResNet runs a few samples only (software float: ~10^9
 * instructions per inference). */
#include <stdio.h>
#include <string.h>

#include "rv_test_util.h"
#include "test_util.h"

typedef struct rv_case {
    const char *model, *device;
    int limit; /* samples (0 = all 64): CI-sized for the slow soft-float ones */
} rv_case;

static const rv_case cases[] = {
    {"hello_world_int8", "", 0},
    {"hello_world_float", "", 0},
    {"hello_world_float", "march = \"rv32imafc\";", 0},
    {"micro_speech_quantized", "", 0},
    {"ad01_int8", "", 0},
    {"ad01_fp32", "", 0},
    {"ad01_fp32", "march = \"rv32imafc\";", 0},
    {"kws_ref_model", "", 0},
    {"pretrainedResnet_quant", "", 0},
    {"pretrainedResnet", "ram_bytes = 1048576;", 4},
    {"pretrainedResnet", "march = \"rv32imafc\"; ram_bytes = 1048576;", 8},
};
#define N_CASES (sizeof cases / sizeof cases[0])

static int ready = -1;

static void run_case(size_t i)
{
    if (ready < 0)
        ready = rv_test_setup() == 0;
    CU_ASSERT_FATAL(ready);
    double d = -1;
    int rc = rv_test_golden(cases[i].model, cases[i].device, cases[i].limit, &d);
    CU_ASSERT_EQUAL(rc, 0);
    fprintf(stderr, "\n  %s on riscv %s(%d samples): %s (max diff %g)", cases[i].model,
            cases[i].device, cases[i].limit ? cases[i].limit : 64,
            rc == 0 ? "matches golden" : rc > 0 ? "DIFFERS from golden" : "FAILED", d);
}

#define CASE(i) static void case_##i(void) { run_case(i); }
CASE(0) CASE(1) CASE(2) CASE(3) CASE(4) CASE(5) CASE(6) CASE(7) CASE(8) CASE(9) CASE(10)

int neurio_register_tests(void)
{
    void (*const fns[N_CASES])(void) = {case_0, case_1, case_2, case_3, case_4,
                                        case_5, case_6, case_7, case_8, case_9, case_10};
    CU_pSuite s = CU_add_suite("riscv_golden", NULL, NULL);
    if (!s)
        return -1;
    for (size_t i = 0; i < N_CASES; i++) {
        static char names[N_CASES][160];
        snprintf(names[i], sizeof names[i], "%s %s", cases[i].model, cases[i].device);
        CU_add_test(s, names[i], fns[i]);
    }
    return CU_get_error() == CUE_SUCCESS ? 0 : -1;
}

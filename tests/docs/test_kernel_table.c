/* tests/docs/test_kernel_table.c — docs/kernels.md, the op x dtype table of
 * every kernel an op lowers to, is generated here from the one kernel list
 * (sdk/src/lower/lower_kernels.h).  The test fails when the file in docs/
 * differs from what the list gives; `NEURIO_WRITE_KERNEL_TABLE=1
 * build/tests/docs/test_kernel_table` rewrites it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lower/lower.h"
#include "test_util.h"

#define DOC NEURIO_SOURCE_DIR "/docs/kernels.md"

static const struct {
    const char *id, *fn, *params, *shape;
} rows[] = {
#define ROW(id, fn, member, shape, groups) {#id, #fn, #member, #shape},
    LW_KERNELS(ROW)
#undef ROW
};

/* The dtype a kernel id names by its suffix (any: moves raw bytes). */
static const char *dtype_of(const char *id)
{
    static const struct { const char *suffix, *dt; } s[] = {
        {"_S16_S8", "int16->int8"}, {"_S16_S16", "int16->int16"}, {"_S16_S32", "int16->int32"},
        {"_S8_S16", "int8->int16"}, {"_S8_S32", "int8->int32"}, {"_F32_S8", "float32->int8"},
        {"_F32_S16", "float32->int16"}, {"_S8_F32", "int8->float32"},
        {"_S16_F32", "int16->float32"}, {"_S8_RQ", "int8 (requantized inputs)"},
        {"_S16_RQ", "int16 (requantized inputs)"}, {"_S16_B32", "int16 (int32 bias)"},
        {"_S16_B16", "int16 (int16 bias)"},
        {"_S8", "int8"}, {"_S16", "int16"}, {"_S32", "int32"}, {"_F32", "float32"},
        {"_B", "bool"},
    };
    size_t n = strlen(id);
    for (size_t i = 0; i < sizeof s / sizeof s[0]; i++) {
        size_t k = strlen(s[i].suffix);
        if (n > k && !strcmp(id + n - k, s[i].suffix))
            return s[i].dt;
    }
    return !strcmp(id, "LOGICAL_AND") || !strcmp(id, "LOGICAL_OR") || !strcmp(id, "LOGICAL_NOT")
               ? "bool" : "any";
}

static char *table(size_t *len)
{
    char *buf = NULL;
    FILE *f = open_memstream(&buf, len);
    if (!f)
        return NULL;
    fprintf(f, "# Kernels by op and dtype\n\n"
               "Generated from `sdk/src/lower/lower_kernels.h` by `tests/docs/test_kernel_table.c`\n"
               "(`NEURIO_WRITE_KERNEL_TABLE=1 build/tests/docs/test_kernel_table`); the test\n"
               "fails when this file is stale.  Every kernel is portable C99 in\n"
               "`firmware/kernels/`: the host interpreter, the generated C on the host and the\n"
               "generated C on the Cortex-M boards run the same function with the same\n"
               "parameters (one lowering, `sdk/src/lower/`).  An op x dtype not listed has\n"
               "no kernel: `neurio inspect` names it and exits 5.  SVDF, LSTM (float32) and\n"
               "the Signal ops are lowered by `lower_state.c` (`LW_K_STATE`).  cortex-m =\n"
               "compiled into the firmware by arm-none-eabi-gcc; which cases are proven\n"
               "bit-exact on emulated boards is what the conformance tests report.\n\n"
               "| kernel | C function | dtype | parameters | call | interp | host | cortex-m |\n"
               "|---|---|---|---|---|---|---|---|\n");
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
        fprintf(f, "| %s | `%s` | %s | %s | %s | yes | yes | yes |\n", rows[i].id, rows[i].fn,
                dtype_of(rows[i].id), rows[i].params, rows[i].shape);
    fprintf(f, "\n%d kernels.\n", (int)(sizeof rows / sizeof rows[0]));
    fclose(f);
    return buf;
}

static void test_table_fresh(void)
{
    size_t n = 0;
    char *want = table(&n);
    CU_ASSERT_PTR_NOT_NULL_FATAL(want);
    CU_ASSERT_EQUAL((size_t)LW_K_COUNT, sizeof rows / sizeof rows[0]);
    if (getenv("NEURIO_WRITE_KERNEL_TABLE")) {
        FILE *f = fopen(DOC, "w");
        CU_ASSERT_PTR_NOT_NULL_FATAL(f);
        fwrite(want, 1, n, f);
        fclose(f);
    }
    FILE *f = fopen(DOC, "r");
    char *have = calloc(1, n + 2);
    size_t got = f && have ? fread(have, 1, n + 1, f) : 0;
    if (f)
        fclose(f);
    int same = got == n && have && !memcmp(have, want, n);
    if (!same)
        fprintf(stderr, "docs/kernels.md is stale: run NEURIO_WRITE_KERNEL_TABLE=1 "
                        "build/tests/docs/test_kernel_table\n");
    CU_ASSERT_TRUE(same);
    free(have);
    free(want);
}

int neurio_register_tests(void)
{
    CU_pSuite s = CU_add_suite("kernel_table", NULL, NULL);
    if (!s || !CU_add_test(s, "docs/kernels.md matches lower_kernels.h", test_table_fresh))
        return -1;
    return 0;
}

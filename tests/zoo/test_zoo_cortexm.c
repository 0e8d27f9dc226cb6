/* tests/zoo/test_zoo_cortexm.c — conformance: the model zoo
 * (../shared/golden-zoo, TFLite Micro's reference outputs) on emulated
 * Cortex-M boards, several cases per firmware image (zoo_fw.c): the
 * generated C that `neurio run` deploys, the portable and DSP kernels
 * cross-compiled for the core, every output compared with TFLite Micro's
 * (integers bit-exact, float32 within 1e-5 relative).
 *
 * test_zoo_cortexm (label conformance, CI): mps2-an386 (Cortex-M4F), one
 * case for every op x dtype of the zoo (meta.json op_dtypes; the smallest
 * model file that adds one not yet covered), the first 4 samples of each.
 * test_zoo_cortexm_full (label long; NEURIO_ZOO_FULL=1): every case, every
 * sample, on mps2-an386 and mps2-an500 (Cortex-M7).
 *
 * Each case ends exact, unsupported (no kernel for an op x dtype, or the
 * image does not fit the board: named) or FAIL (a wrong output or any other
 * error).  Fails on any FAIL and when a case that is exact on the host
 * device (expected_host.txt) is not exact on the board, unless it does not
 * fit the board.  Prints a line per case and the table per op x dtype, also
 * written to <build>/tests/zoo/zoo_cortexm_<board>.txt.
 * Environment: NEURIO_ZOO_FILTER = only cases whose name contains it.
 * Skips (77) when ../shared/golden-zoo, arm-none-eabi-gcc or
 * qemu-system-arm is absent. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "test_util.h"
#include "zoo_case.h"
#include "zoo_fw.h"

#define CI_SAMPLES 4

static const char *g_zoo;
static int g_full;

static long file_size(const char *p)
{
    struct stat st;
    return stat(p, &st) ? -1 : (long)st.st_size;
}

typedef struct pick {
    zoo_case *c;
    long size;
} pick;

static int by_size(const void *a, const void *b)
{
    const pick *x = a, *y = b;
    return x->size < y->size ? -1 : x->size > y->size ? 1 : strcmp(x->c->name, y->c->name);
}

/* CI: keep a case only when it adds an op x dtype no smaller case has. */
static int cover(pick *p, int n)
{
    char seen[256][64];
    int ns = 0, kept = 0;
    qsort(p, (size_t)n, sizeof *p, by_size);
    for (int i = 0; i < n; i++) {
        int adds = 0;
        for (int k = 0; k < p[i].c->n_op_dtypes; k++) {
            int have = 0;
            for (int j = 0; j < ns && !have; j++)
                have = !strcmp(seen[j], p[i].c->op_dtypes[k]);
            if (!have && ns < 256) {
                snprintf(seen[ns++], sizeof seen[0], "%s", p[i].c->op_dtypes[k]);
                adds = 1;
            }
        }
        if (adds)
            p[kept++] = p[i];
        else {
            zoo_free(p[i].c);
            free(p[i].c);
        }
    }
    return kept;
}

static void run_board(const zoo_fw_board *b)
{
    char **names = NULL;
    int n = 0, np = 0, regressions = 0;
    const char *filter = getenv("NEURIO_ZOO_FILTER");
    const char *expected = NEURIO_SOURCE_DIR "/tests/zoo/expected_host.txt";
    CU_ASSERT_EQUAL_FATAL(zoo_list(g_zoo, &names, &n), 0);
    pick *p = calloc((size_t)n + 1, sizeof *p);
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    for (int i = 0; i < n; i++) {
        char why[512];
        zoo_case *c = calloc(1, sizeof *c);
        if (c && (!filter || strstr(names[i], filter)) &&
            !zoo_load(g_zoo, names[i], c, why, sizeof why)) {
            p[np].c = c;
            p[np++].size = file_size(c->model);
        } else {
            if (c && (!filter || strstr(names[i], filter))) {
                fprintf(stderr, "  %s: %s\n", names[i], why);
                CU_FAIL("a zoo case could not be read");
            }
            free(c);
        }
        free(names[i]);
    }
    free(names);
    if (!g_full)
        np = cover(p, np);
    zoo_case **cs = calloc((size_t)np + 1, sizeof *cs);
    zoo_fw_result *r = calloc((size_t)np + 1, sizeof *r);
    CU_ASSERT_FATAL(cs && r);
    for (int i = 0; i < np; i++)
        cs[i] = p[i].c;
    char work[1200], log_path[1200];
    snprintf(work, sizeof work, "%s/%s", neurio_test_tmpdir(), b->name);
    int images = zoo_fw_run(b, cs, np, g_full ? 0 : CI_SAMPLES, work, r);
    snprintf(log_path, sizeof log_path, "%s/tests/zoo/zoo_cortexm_%s.txt", NEURIO_BINARY_DIR,
             b->name);
    FILE *log = fopen(log_path, "w");
    zoo_table t;
    memset(&t, 0, sizeof t);
    static const char *const tag[ZOO_N] = {"exact", "unsupported", "FAIL"};
    for (int i = 0; i < np; i++) {
        int listed = zoo_expected(expected, cs[i]->name);
        int fits = !strstr(r[i].why, "does not fit");
        const char *note = listed && fits && r[i].res != ZOO_PASS
                               ? "  <- REGRESSION (exact on the host device)" : "";
        regressions += listed && fits && r[i].res != ZOO_PASS;
        printf("  %-36s %-11s %.300s%s\n", cs[i]->name, tag[r[i].res], r[i].why, note);
        if (log)
            fprintf(log, "%-36s %-11s %s%s\n", cs[i]->name, tag[r[i].res], r[i].why, note);
        zoo_table_add(&t, cs[i], r[i].res);
    }
    char dev[128];
    snprintf(dev, sizeof dev, "%s (%d cases, %d firmware images)", b->name, np, images);
    zoo_table_print(stdout, &t, dev);
    if (log) {
        zoo_table_print(log, &t, dev);
        fclose(log);
    }
    CU_ASSERT(np > 0);
    CU_ASSERT(t.total[ZOO_PASS] > 0);
    CU_ASSERT_EQUAL(t.total[ZOO_FAIL], 0);
    CU_ASSERT_EQUAL(regressions, 0);
    for (int i = 0; i < np; i++) {
        zoo_free(cs[i]);
        free(cs[i]);
    }
    free(cs);
    free(r);
    free(p);
}

static void test_m4(void)
{
    static const zoo_fw_board b = {"mps2-an386", "-mcpu=cortex-m4 -mfpu=fpv4-sp-d16",
                                   NEURIO_ZOO_CM4_LIB};
    run_board(&b);
}

static void test_m7(void)
{
    static const zoo_fw_board b = {"mps2-an500", "-mcpu=cortex-m7 -mfpu=fpv5-d16",
                                   NEURIO_ZOO_CM7_LIB};
    run_board(&b);
}

int neurio_register_tests(void)
{
    const char *shared = neurio_test_shared_dir();
    static char zoo[1100];
    struct stat st;
    if (!shared)
        neurio_test_skip("../shared is absent; the zoo conformance test needs ../shared/golden-zoo");
    snprintf(zoo, sizeof zoo, "%s/golden-zoo", shared);
    if (stat(zoo, &st) || !S_ISDIR(st.st_mode))
        neurio_test_skip("%s is absent", zoo);
    if (system("arm-none-eabi-gcc --version > /dev/null 2>&1") != 0 ||
        system("qemu-system-arm --version > /dev/null 2>&1") != 0)
        neurio_test_skip("arm-none-eabi-gcc or qemu-system-arm is not installed");
    g_zoo = zoo;
    const char *full = getenv("NEURIO_ZOO_FULL");
    g_full = full && *full == '1';
    CU_pSuite s = CU_add_suite("zoo_cortexm", NULL, NULL);
    if (!s)
        return -1;
    CU_add_test(s, g_full ? "every zoo case on mps2-an386 (Cortex-M4F)"
                          : "one zoo case per op x dtype on mps2-an386 (Cortex-M4F)", test_m4);
    if (g_full)
        CU_add_test(s, "every zoo case on mps2-an500 (Cortex-M7)", test_m7);
    return 0;
}

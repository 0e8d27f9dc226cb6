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
 * sample, on mps2-an386 and mps2-an500 (Cortex-M7).  test_zoo_boards_full
 * (label long; NEURIO_ZOO_BOARDS = a comma list of board names): the same on
 * mps2-an385 (Cortex-M3, soft float), mps2-an505 (Cortex-M33), mps3-an547
 * (Cortex-M55 with Helium; code and data in its DDR) and riscv-rv32imac
 * (QEMU virt, the riscv plugin's default ISA, picolibc).
 *
 * Each case ends exact, unsupported (no kernel for an op x dtype, or the
 * image does not fit the board: named) or FAIL (a wrong output or any other
 * error).  Fails on any FAIL and when a case that is exact on the host
 * device (expected_host.txt) is not exact on the board, unless it does not
 * fit the board.  Prints a line per case and the table per op x dtype, also
 * written to <build>/tests/zoo/zoo_cortexm_<board>.txt.
 * Environment: NEURIO_ZOO_FILTER = only cases whose name contains it.
 * Skips (77) when ../shared/golden-zoo is absent or no asked-for board has
 * its compiler, QEMU and kernel library (each missing one is named). */
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

#define ARM_LINK "-mthumb -nostartfiles --specs=nano.specs"
#define RV_MEM "-Wl,--defsym=__flash=0x80000000 -Wl,--defsym=__flash_size=0x1000000 " \
    "-Wl,--defsym=__ram=0x81000000 -Wl,--defsym=__ram_size=0x1000000 "         \
    "-Wl,--defsym=__stack_size=0x10000"

/* name, compiler flags, kernels; compiler, linker script, start-up, QEMU */
static const zoo_fw_board boards[] = {
    {"mps2-an386", "-mcpu=cortex-m4 -mfpu=fpv4-sp-d16 -mfloat-abi=hard " ARM_LINK,
     NEURIO_ZOO_LIB_DIR "/libnk-m4.a", NULL, NULL, NULL, NULL, NULL},
    {"mps2-an500", "-mcpu=cortex-m7 -mfpu=fpv5-d16 -mfloat-abi=hard " ARM_LINK,
     NEURIO_ZOO_LIB_DIR "/libnk-m7.a", NULL, NULL, NULL, NULL, NULL},
    {"mps2-an385", "-mcpu=cortex-m3 -mfloat-abi=soft " ARM_LINK,
     NEURIO_ZOO_LIB_DIR "/libnk-m3.a", NULL, NULL, NULL, NULL, NULL},
    {"mps2-an505", "-mcpu=cortex-m33 -mfpu=fpv5-sp-d16 -mfloat-abi=hard " ARM_LINK,
     NEURIO_ZOO_LIB_DIR "/libnk-m33.a", NULL, NEURIO_SOURCE_DIR "/tests/zoo/zoo_an505.ld",
     NULL, NULL, NULL},
    {"mps3-an547", "-mcpu=cortex-m55 -mfloat-abi=hard " ARM_LINK,
     NEURIO_ZOO_LIB_DIR "/libnk-m55.a", NULL, NEURIO_SOURCE_DIR "/tests/zoo/zoo_an547.ld",
     NULL, NULL, NULL},
    /* the riscv plugin's default ISA; picolibc's crt0 and linker script */
    {"riscv-rv32imac", "-march=rv32imac -mabi=ilp32 --specs=picolibc.specs " RV_MEM,
     NEURIO_ZOO_LIB_DIR "/libnk-rv32imac.a", "riscv64-unknown-elf-gcc", "",
     NEURIO_SOURCE_DIR "/tests/zoo/zoo_rv_startup.c", "qemu-system-riscv32",
     "-M virt -cpu rv32,f=false,d=false -bios none -m 128M"},
};
#define N_BOARDS (sizeof boards / sizeof boards[0])

static const char *g_boards; /* NEURIO_ZOO_BOARDS, NULL = the default set */

#define BOARD_TEST(i) static void test_board_##i(void) { run_board(&boards[i]); }
BOARD_TEST(0) BOARD_TEST(1) BOARD_TEST(2) BOARD_TEST(3) BOARD_TEST(4) BOARD_TEST(5)
static void (*const board_tests[N_BOARDS])(void) = {test_board_0, test_board_1, test_board_2,
                                                    test_board_3, test_board_4, test_board_5};

/* Is board i asked for?  Default: the M4 (CI), and the M7 with the full run. */
static int wanted(size_t i)
{
    if (!g_boards)
        return i == 0 || (i == 1 && g_full);
    size_t n = strlen(boards[i].name);
    for (const char *p = g_boards; (p = strstr(p, boards[i].name)) != NULL; p += n)
        if ((p == g_boards || p[-1] == ',') && (p[n] == ',' || p[n] == '\0'))
            return 1;
    return 0;
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
    g_zoo = zoo;
    const char *full = getenv("NEURIO_ZOO_FULL");
    g_full = full && *full == '1';
    g_boards = getenv("NEURIO_ZOO_BOARDS");
    if (g_boards && !*g_boards)
        g_boards = NULL;
    CU_pSuite s = CU_add_suite("zoo_cortexm", NULL, NULL);
    if (!s)
        return -1;
    int n = 0;
    for (size_t i = 0; i < N_BOARDS; i++) {
        if (!wanted(i))
            continue;
        const char *cc = boards[i].cc ? boards[i].cc : "arm-none-eabi-gcc";
        const char *qemu = boards[i].qemu ? boards[i].qemu : "qemu-system-arm";
        char cmd[400], name[160];
        struct stat lib;
        snprintf(cmd, sizeof cmd, "%s --version > /dev/null 2>&1 && %s --version > /dev/null 2>&1",
                 cc, qemu);
        if (system(cmd) != 0 || stat(boards[i].lib, &lib) != 0) {
            fprintf(stderr, "zoo on %s skipped: %s, %s or %s is missing (the kernels: "
                    "cmake --build <build> --target zoo-kernels-boards)\n", boards[i].name, cc,
                    qemu, boards[i].lib);
            continue;
        }
        snprintf(name, sizeof name, "%s zoo case%s on %s", g_full ? "every" : "one",
                 g_full ? "" : " per op x dtype", boards[i].name);
        CU_add_test(s, strdup(name), board_tests[i]);
        n++;
    }
    if (!n)
        neurio_test_skip("no asked-for board has its compiler, QEMU and kernels");
    if (g_boards)
        for (const char *p = g_boards; *p; p += strcspn(p, ","), p += *p == ',') {
            int known = 0;
            for (size_t i = 0; i < N_BOARDS; i++)
                known |= strncmp(p, boards[i].name, strcspn(p, ",")) == 0 &&
                         strlen(boards[i].name) == strcspn(p, ",");
            if (!known) {
                fprintf(stderr, "NEURIO_ZOO_BOARDS: unknown board '%.*s'\n",
                        (int)strcspn(p, ","), p);
                return -1;
            }
        }
    return 0;
}

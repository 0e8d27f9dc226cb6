/* tests/zoo/test_zoo_host.c — conformance: EVERY case of the model zoo
 * (../shared/golden-zoo: public .tflite models with TFLite Micro's reference
 * outputs) on the host device: import, optimize, generate C, compile it,
 * run every sample, compare every output (integers bit-exact, float32
 * within 1e-5 relative).
 *
 * Each case ends as
 *   exact        every output of every sample matches;
 *   unsupported  the importer or the lowering has no kernel for an op x
 *                dtype (the message names each one, from
 *                neurio_codegen_check), counted, never passed silently;
 *   FAIL         a wrong output, or any other error: a bug.
 * The test fails on any FAIL, and when a case listed in expected_host.txt
 * (the cases that pass today: a ratchet) is not exact.  It prints one line
 * per case and the table per op x dtype (meta.json's op_dtypes, as the
 * zoo's README counts them), also written to <build>/tests/zoo/zoo_host.txt.
 *
 * Only the generated C is compiled per case (cc -O1); its nk_* calls bind
 * to the portable kernels built once as a shared library by CMake
 * (NEURIO_ZOO_KERNELS; libneurio keeps its copy hidden).
 * Environment: NEURIO_ZOO_FILTER = run only cases whose name contains it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "host_runner.h"
#include "neurio/codegen.h"
#include "neurio/model.h"
#include "neurio/optimize.h"
#include "neurio/paths.h"
#include "test_util.h"
#include "zoo_case.h"

static const char *g_zoo;
static zoo_table g_table;
static FILE *g_log;

/* Compiles the generated C into a shared object and opens it. */
static int zoo_build(const char *gen, const neurio_codegen_result *gr, nh_module **mod,
                     char *why, size_t wl)
{
    char so[1300], cmd[8192];
    neurio_errbuf e = {{0}};
    snprintf(so, sizeof so, "%s/zoo.so", gen);
    snprintf(cmd, sizeof cmd, "cc -std=c99 -fPIC -shared -O1 -I%s/kernels -I%s/include -o %s %s "
             "'%s' -Wl,-rpath,'%s' > %s/cc.log 2>&1", neurio_firmware_dir(), neurio_firmware_dir(), so,
             gr->source_path, NEURIO_ZOO_KERNELS, NEURIO_ZOO_KERNELS_DIR, gen);
    if (system(cmd) != 0) {
        snprintf(why, wl, "cc failed, see %.900s/cc.log", gen);
        return -1;
    }
    if (nh_open(so, gr->name, gr->sha256, mod, &e)) {
        snprintf(why, wl, "open: %s", e.msg);
        return -1;
    }
    return 0;
}

/* Every sample through the module; ZOO_PASS or ZOO_FAIL. */
static int zoo_run_samples(const zoo_case *c, const neurio_model *m, nh_module *mod, char *why,
                           size_t wl)
{
    void *obuf[ZOO_MAX_IO] = {0};
    int res = ZOO_PASS;
    neurio_errbuf e = {{0}};
    for (int k = 0; k < m->n_outputs; k++)
        obuf[k] = calloc(1, neurio_tensor_bytes(&m->tensors[m->outputs[k]]) + 1);
    for (size_t s = 0; s < c->n_samples && res == ZOO_PASS; s++) {
        const void *ins[ZOO_MAX_IO];
        for (int k = 0; k < c->n_inputs; k++)
            ins[k] = (const char *)c->in[k].data + s * zoo_sample_bytes(&c->in[k]);
        uint64_t ns, cyc;
        if (nh_run(mod, ins, obuf, &ns, &cyc, NULL, NULL, &e)) {
            snprintf(why, wl, "run sample %zu: %s", s, e.msg);
            res = ZOO_FAIL;
            break;
        }
        for (int k = 0; k < m->n_outputs && res == ZOO_PASS; k++) {
            char w[400];
            if (!zoo_compare(&m->tensors[m->outputs[k]], obuf[k], &c->out[k], s, w, sizeof w)) {
                snprintf(why, wl, "output %d %s", k, w);
                res = ZOO_FAIL;
            }
        }
    }
    for (int k = 0; k < ZOO_MAX_IO; k++)
        free(obuf[k]);
    return res;
}

/* One case from the model file to compared outputs. */
static int zoo_case_host(const zoo_case *c, char *why, size_t wl)
{
    neurio_errbuf e = {{0}};
    neurio_model *m = NULL;
    nh_module *mod = NULL;
    int res = ZOO_FAIL;
    int rc = neurio_model_load(c->model, &m, &e);
    if (rc) {
        snprintf(why, wl, "%s%s", rc == NEURIO_ERR_UNSUPPORTED ? "unsupported: import: " : "import: ",
                 e.msg);
        return rc == NEURIO_ERR_UNSUPPORTED ? ZOO_UNSUPPORTED : ZOO_FAIL;
    }
    if (zoo_check_inputs(c, m, why, wl))
        goto done;
    if ((rc = neurio_optimize(m, &e))) {
        snprintf(why, wl, "optimize: %s", e.msg);
        goto done;
    }
    if (zoo_unsupported(m, why, wl) > 0) {
        res = ZOO_UNSUPPORTED;
        goto done;
    }
    char gen[1200];
    snprintf(gen, sizeof gen, "%s/%s", neurio_test_tmpdir(), c->name);
    mkdir(gen, 0777);
    neurio_codegen_options co = {.name = "zoo"};
    neurio_codegen_result gr;
    if ((rc = neurio_codegen(m, gen, &co, &gr, &e))) {
        snprintf(why, wl, "codegen: %s", e.msg);
        goto done;
    }
    if (zoo_build(gen, &gr, &mod, why, wl))
        goto done;
    res = zoo_run_samples(c, m, mod, why, wl);
    if (res == ZOO_PASS)
        snprintf(why, wl, "%zu samples", c->n_samples);
done:
    nh_close(mod);
    neurio_model_free(m);
    return res;
}

static void test_zoo_host(void)
{
    char **names = NULL;
    int n = 0, regressions = 0;
    const char *filter = getenv("NEURIO_ZOO_FILTER");
    const char *expected = NEURIO_SOURCE_DIR "/tests/zoo/expected_host.txt";
    CU_ASSERT_EQUAL_FATAL(zoo_list(g_zoo, &names, &n), 0);
    CU_ASSERT_TRUE(n > 0);
    for (int i = 0; i < n; i++) {
        if (filter && !strstr(names[i], filter)) {
            free(names[i]);
            continue;
        }
        zoo_case c;
        char why[1024] = "";
        int res = zoo_load(g_zoo, names[i], &c, why, sizeof why) ? ZOO_FAIL
                                                                  : zoo_case_host(&c, why, sizeof why);
        static const char *const tag[ZOO_N] = {"exact", "unsupported", "FAIL"};
        int listed = zoo_expected(expected, c.name);
        const char *note = listed && res != ZOO_PASS ? "  <- REGRESSION (listed in expected_host.txt)"
                           : !listed && res == ZOO_PASS ? "  (new: add it to expected_host.txt)" : "";
        regressions += listed && res != ZOO_PASS;
        fprintf(g_log, "%-36s %-11s %s%s\n", c.name, tag[res], why, note);
        printf("  %-36s %-11s %.300s%s\n", c.name, tag[res], why, note);
        zoo_table_add(&g_table, &c, res);
        zoo_free(&c);
        free(names[i]);
    }
    free(names);
    zoo_table_print(stdout, &g_table, "the host device");
    zoo_table_print(g_log, &g_table, "the host device");
    CU_ASSERT_EQUAL(g_table.total[ZOO_FAIL], 0);
    CU_ASSERT_EQUAL(regressions, 0);
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
    g_log = fopen(NEURIO_BINARY_DIR "/tests/zoo/zoo_host.txt", "w");
    if (!g_log)
        g_log = stderr;
    CU_pSuite s = CU_add_suite("zoo_host", NULL, NULL);
    if (!s || !CU_add_test(s, "every zoo case on the host device", test_zoo_host))
        return -1;
    return 0;
}

/* tests/onnx/test_onnx_conformance.c — ONNX backend node tests (generated
 * at test time by Debian's python3-onnx, gen_backend_cases.py) through
 * neurio: every case is imported; what the importer takes is run on the
 * `host` device (optimize -> C code generator -> cc -> shared object, the
 * host plugin's runner) and in the reference interpreter, and compared with
 * the case's expected outputs (float: |d| <= 1e-5 + 1e-3 |ref|, integers
 * exact).  Prints a line per case that did not pass, a table per op (cases
 * using the op, by result, and the largest relative error of a passed float
 * case) and the totals to <build>/tests/onnx/onnx_conformance.txt.
 *
 * A case counts as
 *   passed      host device output matches;
 *   interp-only the code generator refused an op (unsupported on devices)
 *               but the reference interpreter matches;
 *   unsupported the importer (or both the interpreter and the generator)
 *               refused an op, attribute or dtype; the message is kept;
 *   failed      any mismatch, crash-free unexpected error or a model the
 *               importer accepted and then could not run — a bug;
 *   skipped     the importer accepted a case whose data are sequences or
 *               optionals (no tensors to feed).
 *
 * Per case only the generated C is compiled (cc -O0); its nk_* calls bind
 * to the portable kernels built once by CMake (target neurio-zoo-kernels,
 * shared with the zoo tests).  NEURIO_CONF_FULL_BUILD = 1 uses the host
 * plugin's full build (kernels compiled per case: slow).
 *
 * The same program runs other case sets in that format: NEURIO_CONF_GEN =
 * the generator script in tests/onnx (default gen_backend_cases.py;
 * test_onnx_rnn uses gen_rnn_cases.py), NEURIO_CONF_MIN = the passes a full
 * run must reach (default CONF_MIN_PASSED), NEURIO_CONF_TABLE = the table's
 * file name in <build>/tests/onnx (default onnx_conformance.txt).
 *
 * Environment (for quick iterations): NEURIO_CONF_DIR = an existing
 * gen_backend_cases.py output to reuse; NEURIO_CONF_FILTER = run only cases
 * whose name contains it; NEURIO_CONF_NO_HOST = 1 skips the host device
 * (interpreter only; such runs report host results as interp-only). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "host_runner.h"
#include "neurio/codegen.h"
#include "neurio/interp.h"
#include "neurio/npy.h"
#include "neurio/onnx.h"
#include "neurio/optimize.h"
#include "neurio/paths.h"
#include "test_util.h"

enum { R_PASS, R_INTERP, R_UNSUP, R_FAIL, R_SKIP, R_N };
static const char *const r_names[R_N] = { "passed", "interp-only", "unsupported", "failed",
                                          "skipped" };

#define MAX_OPS 256
typedef struct op_row {
    char op[64];
    int n[R_N];
    double max_rel; /* largest |got - want| / |want| of a passed float case */
} op_row;

static op_row g_rows[MAX_OPS];
static int g_n_rows;
static int g_tot[R_N];
static char g_dir[1024];
static const char *g_table = "onnx_conformance.txt"; /* file name in <build>/tests/onnx */
static FILE *g_log;
static double g_last_err; /* max relative error of the last host run */

/* dst = a + b, truncated to n bytes (messages only). */
static void why_set(char *dst, size_t n, const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > n - 1)
        la = n - 1;
    if (lb > n - 1 - la)
        lb = n - 1 - la;
    memmove(dst + la, b, lb);
    memmove(dst, a, la);
    dst[la + lb] = '\0';
}

static op_row *row_for(const char *op)
{
    for (int i = 0; i < g_n_rows; i++)
        if (!strcmp(g_rows[i].op, op))
            return &g_rows[i];
    if (g_n_rows == MAX_OPS)
        return &g_rows[MAX_OPS - 1];
    op_row *r = &g_rows[g_n_rows++];
    snprintf(r->op, sizeof r->op, "%s", op);
    return r;
}

/* Compare n bytes of model output with the expected array. */
static int outputs_match(const neurio_tensor *t, const void *got, const neurio_npy *want,
                         char *why, size_t wl)
{
    size_t n = neurio_tensor_elements(t);
    if (neurio_npy_elements(want) != n) {
        snprintf(why, wl, "output has %zu elements, expected %zu", n, neurio_npy_elements(want));
        return 0;
    }
    if (t->dtype == NEURIO_DT_FLOAT32) {
        double worst = 0;
        for (size_t i = 0; i < n; i++) {
            double g = ((const float *)got)[i];
            double w = want->dtype == NEURIO_DT_FLOAT64 ? ((const double *)want->data)[i]
                                                        : ((const float *)want->data)[i];
            if (isnan(w) && isnan(g))
                continue;
            if (w == g)
                continue;
            double rel = fabs(g - w) / (fabs(w) > 1e-30 ? fabs(w) : 1e-30);
            if (rel > worst)
                worst = rel;
            if (!(fabs(g - w) <= 1e-5 + 1e-3 * fabs(w))) {
                snprintf(why, wl, "element %zu: got %.7g, expected %.7g", i, g, w);
                return 0;
            }
        }
        if (worst > g_last_err)
            g_last_err = worst;
        return 1;
    }
    if (want->dtype != t->dtype) {
        snprintf(why, wl, "output dtype %s, expected %s", neurio_dtype_name(t->dtype),
                 neurio_dtype_name(want->dtype));
        return 0;
    }
    if (memcmp(got, want->data, n * neurio_dtype_size(t->dtype))) {
        snprintf(why, wl, "integer output differs");
        return 0;
    }
    return 1;
}

/* Run through the host device; 1 pass, 0 mismatch, -1 codegen refused
 * (why has the message), -2 other error. */
static int run_host(const neurio_model *m0, const char *case_dir, const void *const *ins,
                    const neurio_npy *outs, char *why, size_t wl)
{
    neurio_errbuf err = { { 0 } };
    neurio_model *m = neurio_model_clone(m0);
    nh_module *mod = NULL;
    void *obuf[16] = { 0 };
    int res = -2;
    char gen[4096], so[4096];
    why_set(gen, sizeof gen, case_dir, "/gen");
    mkdir(gen, 0777);
    if (!m || neurio_optimize(m, &err)) {
        why_set(why, wl, "optimize: ", err.msg);
        goto done;
    }
    neurio_codegen_options co = { .name = "conf" };
    neurio_codegen_result gr;
    int rc = neurio_codegen(m, gen, &co, &gr, &err);
    if (rc == NEURIO_ERR_UNSUPPORTED) {
        why_set(why, wl, "codegen: ", err.msg);
        res = -1;
        goto done;
    }
    if (rc) {
        why_set(why, wl, "codegen: ", err.msg);
        goto done;
    }
    const char *full = getenv("NEURIO_CONF_FULL_BUILD");
    if (full && *full == '1') {
        nh_build_opts bo = { .cflags = "-O1" };
        rc = nh_build(gen, gr.name, neurio_firmware_dir(), &bo, so, sizeof so, NULL, NULL, 0,
                      &err);
    } else {
        /* Only the generated model is compiled per case; its nk_* calls
         * resolve to the portable kernels compiled once into
         * the neurio-zoo-kernels shared object (libneurio keeps them
         * hidden). */
        char cmd[16384];
        why_set(so, sizeof so, gen, "/conf.so");
        snprintf(cmd, sizeof cmd, "cc -std=c99 -fPIC -shared -O0 -I%s/kernels -I%s/include -o %s "
                 "%s %s -Wl,-rpath,%s > %s/cc.log 2>&1", neurio_firmware_dir(),
                 neurio_firmware_dir(), so, gr.source_path, NEURIO_ZOO_KERNELS,
                 NEURIO_ZOO_KERNELS_DIR, gen);
        rc = system(cmd) == 0 ? NEURIO_OK : neurio_fail(&err, NEURIO_ERR_TOOLCHAIN,
                                                        "cc failed, see %s/cc.log", gen);
    }
    if (rc || nh_open(so, gr.name, gr.sha256, &mod, &err)) {
        why_set(why, wl, "build: ", err.msg);
        goto done;
    }
    for (int32_t i = 0; i < m->n_outputs && i < 16; i++)
        obuf[i] = calloc(1, neurio_tensor_bytes(&m->tensors[m->outputs[i]]) + 1);
    g_last_err = 0;
    uint64_t ns, cyc;
    if (nh_run(mod, ins, obuf, &ns, &cyc, NULL, NULL, &err)) {
        why_set(why, wl, "run: ", err.msg);
        goto done;
    }
    res = 1;
    for (int32_t i = 0; i < m->n_outputs && res == 1; i++)
        if (!outputs_match(&m->tensors[m->outputs[i]], obuf[i], &outs[i], why, wl))
            res = 0;
done:
    for (int i = 0; i < 16; i++)
        free(obuf[i]);
    nh_close(mod);
    neurio_model_free(m);
    return res;
}

static int run_interp(const neurio_model *m, const void *const *ins, const neurio_npy *outs,
                      char *why, size_t wl)
{
    neurio_errbuf err = { { 0 } };
    neurio_interp *it = NULL;
    void *obuf[16] = { 0 };
    int res = -2;
    if (neurio_interp_new(m, &it, &err)) {
        why_set(why, wl, "interp: ", err.msg);
        return -1;
    }
    for (int32_t i = 0; i < m->n_outputs && i < 16; i++)
        obuf[i] = calloc(1, neurio_tensor_bytes(&m->tensors[m->outputs[i]]) + 1);
    if (neurio_interp_run(it, ins, obuf, &err)) {
        why_set(why, wl, "interp run: ", err.msg);
    } else {
        res = 1;
        for (int32_t i = 0; i < m->n_outputs && res == 1; i++)
            if (!outputs_match(&m->tensors[m->outputs[i]], obuf[i], &outs[i], why, wl))
                res = 0;
    }
    for (int i = 0; i < 16; i++)
        free(obuf[i]);
    neurio_interp_free(it);
    return res;
}

static int run_case(const char *name, int n_in, int n_out, char *why, size_t wl)
{
    char p[4096];
    neurio_errbuf err = { { 0 } };
    neurio_model *m = NULL;
    neurio_npy in[16], out[16];
    memset(in, 0, sizeof in);
    memset(out, 0, sizeof out);
    int r = R_FAIL;
    snprintf(p, sizeof p, "%s/cases/%s/model.onnx", g_dir, name);
    int rc = neurio_onnx_load(p, &m, &err);
    if (rc) {
        why_set(why, wl, "", err.msg);
        return rc == NEURIO_ERR_UNSUPPORTED ? R_UNSUP : R_FAIL;
    }
    if (n_in > 16 || n_out > 16 || m->n_inputs != n_in || m->n_outputs != n_out) {
        snprintf(why, wl, "model has %d inputs/%d outputs, case has %d/%d", (int)m->n_inputs,
                 (int)m->n_outputs, n_in, n_out);
        goto done;
    }
    const void *ins[16];
    for (int i = 0; i < n_in; i++) {
        snprintf(p, sizeof p, "%s/cases/%s/in_%d.npy", g_dir, name, i);
        const neurio_tensor *t = &m->tensors[m->inputs[i]];
        if (neurio_npy_read(p, &in[i], &err) || in[i].dtype != t->dtype ||
            in[i].bytes != neurio_tensor_bytes(t)) {
            char m2[160];
            snprintf(m2, sizeof m2, "input %d (%s, %zu bytes) does not match the model's %s "
                     "[%zu bytes]: ", i, neurio_dtype_name(in[i].dtype), in[i].bytes,
                     neurio_dtype_name(t->dtype), neurio_tensor_bytes(t));
            why_set(why, wl, m2, err.msg);
            goto done;
        }
        ins[i] = in[i].data;
    }
    for (int i = 0; i < n_out; i++) {
        snprintf(p, sizeof p, "%s/cases/%s/out_%d.npy", g_dir, name, i);
        if (neurio_npy_read(p, &out[i], &err)) {
            why_set(why, wl, "", err.msg);
            goto done;
        }
    }
    int ri = run_interp(m, ins, out, why, wl);
    if (ri == 0 || ri == -2)
        goto done; /* reference mismatch: a bug */
    char hwhy[512] = "host device skipped (NEURIO_CONF_NO_HOST)";
    snprintf(p, sizeof p, "%s/cases/%s", g_dir, name);
    const char *nohost = getenv("NEURIO_CONF_NO_HOST");
    int rh = nohost && *nohost == '1' ? -1 : run_host(m, p, ins, out, hwhy, sizeof hwhy);
    if (rh == 1) {
        r = ri == 1 ? R_PASS : R_FAIL;
        if (ri != 1)
            why_set(why, wl, "host passed but interpreter: ", why);
    } else if (rh == -1 && ri == 1) {
        r = R_INTERP;
        why_set(why, wl, "", hwhy);
    } else if (ri == -1 && rh == -1) {
        r = R_UNSUP;
        why_set(why, wl, "", hwhy);
    } else {
        why_set(why, wl, "host: ", hwhy);
    }
done:
    for (int i = 0; i < 16; i++) {
        neurio_npy_free(&in[i]);
        neurio_npy_free(&out[i]);
    }
    neurio_model_free(m);
    return r;
}

/* A case whose data are sequences/optionals (no .npy): the importer must
 * refuse it with a message (R_UNSUP); R_SKIP if it accepts the model. */
static int import_only(const char *name, char *why, size_t wl)
{
    char p[4096];
    neurio_errbuf err = { { 0 } };
    neurio_model *m = NULL;
    snprintf(p, sizeof p, "%s/cases/%s/model.onnx", g_dir, name);
    int rc = neurio_onnx_load(p, &m, &err);
    neurio_model_free(m);
    if (rc == NEURIO_OK) {
        snprintf(why, wl, "imported, but its data are sequences/optionals (not runnable here)");
        return R_SKIP;
    }
    why_set(why, wl, "", err.msg);
    return rc == NEURIO_ERR_UNSUPPORTED ? R_UNSUP : R_FAIL;
}

/* Minimum number of cases that must pass on the host device in a full run
 * (no NEURIO_CONF_FILTER): the count reached when this was last raised. */
#define CONF_MIN_PASSED 345

static void test_backend_node_cases(void)
{
    char p[1200];
    snprintf(p, sizeof p, "%s/index.tsv", g_dir);
    FILE *f = fopen(p, "r");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    char line[4096];
    const char *filter = getenv("NEURIO_CONF_FILTER");
    while (fgets(line, sizeof line, f)) {
        char name[512], ops[2048];
        int opset, n_in, n_out;
        if (sscanf(line, "%511[^\t]\t%d\t%2047[^\t]\t%d\t%d", name, &opset, ops, &n_in, &n_out) != 5)
            continue;
        if (filter && *filter && !strstr(name, filter))
            continue;
        char tmp[2048];
        /* Every case goes through the importer: an op or variant neurio
         * does not take is refused there with a message naming it. */
        char why[1024] = "";
        int r = strstr(ops, "<non-tensor io>") ? import_only(name, why, sizeof why)
                                               : run_case(name, n_in, n_out, why, sizeof why);
        g_tot[r]++;
        snprintf(tmp, sizeof tmp, "%s", ops);
        for (char *s = strtok(tmp, ","); s; s = strtok(NULL, ","))
            if (*s != '<') {
                op_row *row = row_for(s);
                row->n[r]++;
                if (r == R_PASS && g_last_err > row->max_rel)
                    row->max_rel = g_last_err;
            }
        if (r != R_PASS)
            fprintf(g_log, "%-12s %-50s %s\n", r_names[r], name, why);
    }
    fclose(f);
    fprintf(g_log, "\n%-26s %7s %12s %12s %7s %8s  %s\n", "op (cases using it)", "passed",
            "interp-only", "unsupported", "failed", "skipped", "max rel. err (passed, float)");
    for (int i = 0; i < g_n_rows; i++) {
        const op_row *r = &g_rows[i];
        fprintf(g_log, "%-26s %7d %12d %12d %7d %8d  %.3g\n", r->op, r->n[R_PASS], r->n[R_INTERP],
                r->n[R_UNSUP], r->n[R_FAIL], r->n[R_SKIP], r->max_rel);
    }
    fprintf(g_log, "\ncases: %d passed on the host device, %d interpreter only, %d unsupported "
            "(refused with a message), %d failed, %d skipped (sequence/optional io)\n",
            g_tot[R_PASS], g_tot[R_INTERP], g_tot[R_UNSUP], g_tot[R_FAIL], g_tot[R_SKIP]);
    fflush(g_log);
    printf("\ncases: %d passed on the host device, %d interpreter only, %d unsupported, "
           "%d failed, %d skipped (table: %s/tests/onnx/%s)\n", g_tot[R_PASS],
           g_tot[R_INTERP], g_tot[R_UNSUP], g_tot[R_FAIL], g_tot[R_SKIP], NEURIO_BINARY_DIR,
           g_table);
    CU_ASSERT(g_tot[R_PASS] > 0);
    CU_ASSERT_EQUAL(g_tot[R_FAIL], 0);
    const char *min = getenv("NEURIO_CONF_MIN");
    if (!(filter && *filter) && !getenv("NEURIO_CONF_NO_HOST"))
        CU_ASSERT(g_tot[R_PASS] >= (min && *min ? atoi(min) : CONF_MIN_PASSED));
}

int neurio_register_tests(void)
{
    const char *reuse = getenv("NEURIO_CONF_DIR");
    if (reuse && *reuse) {
        snprintf(g_dir, sizeof g_dir, "%s", reuse);
        goto registered;
    }
    const char *gen = getenv("NEURIO_CONF_GEN");
    if (!gen || !*gen || strspn(gen, "abcdefghijklmnopqrstuvwxyz_.") != strlen(gen))
        gen = "gen_backend_cases.py"; /* a script name of tests/onnx, nothing else */
    snprintf(g_dir, sizeof g_dir, "%s/onnx-cases", neurio_test_tmpdir());
    char cmd[4096], *out = NULL;
    snprintf(cmd, sizeof cmd, "/usr/bin/python3 %s/tests/onnx/%s %s", NEURIO_SOURCE_DIR, gen,
             g_dir);
    int st = neurio_test_run(cmd, &out);
    if (st != 0) {
        fprintf(stderr, "%s\n", out ? out : "");
        free(out);
        neurio_test_skip("could not generate the ONNX test cases (needs Debian's "
                         "python3-onnx and python3-numpy)");
    }
    free(out);
registered:;
    char p[1400];
    const char *table = getenv("NEURIO_CONF_TABLE");
    if (table && *table && !strchr(table, '/'))
        g_table = table;
    snprintf(p, sizeof p, "%s/tests/onnx/%s", NEURIO_BINARY_DIR, g_table);
    g_log = fopen(p, "w");
    if (!g_log)
        g_log = stdout;
    CU_pSuite s = CU_add_suite("onnx_conformance", NULL, NULL);
    CU_add_test(s, "backend_node_cases", test_backend_node_cases);
    return 0;
}

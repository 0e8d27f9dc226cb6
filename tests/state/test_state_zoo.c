/* tests/state/test_state_zoo.c — zoo cases with state (variable tensors)
 * through the host interpreter: every sample against TFLite Micro's output
 * (float within 1e-5 relative, integers bit for bit), state reset before
 * each sample by default; with the interpreter stateful the state carries
 * over (samples after the first differ from the goldens), and resetting it
 * brings the golden back.  Skips (77) when ../shared/golden-zoo is absent. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sys/stat.h>

#include "host_runner.h"
#include "neurio/codegen.h"
#include "neurio/interp.h"
#include "neurio/model.h"
#include "neurio/npy.h"
#include "test_util.h"

static const char *g_zoo;

typedef struct zcase {
    neurio_model *m;
    neurio_npy in, out;
    size_t n, ib, ob;
} zcase;

static int zload(const char *name, zcase *z)
{
    char path[1024];
    neurio_errbuf e = {{0}};
    memset(z, 0, sizeof *z);
    snprintf(path, sizeof path, "%s/%s/model.tflite", g_zoo, name);
    if (neurio_model_load(path, &z->m, &e)) {
        fprintf(stderr, "%s: %s\n", name, e.msg);
        return -1;
    }
    snprintf(path, sizeof path, "%s/%s/input.npy", g_zoo, name);
    if (neurio_npy_read(path, &z->in, &e))
        return -1;
    snprintf(path, sizeof path, "%s/%s/output.npy", g_zoo, name);
    if (neurio_npy_read(path, &z->out, &e))
        return -1;
    z->n = (size_t)z->in.dims[0];
    z->ib = neurio_tensor_bytes(&z->m->tensors[z->m->inputs[0]]);
    z->ob = neurio_tensor_bytes(&z->m->tensors[z->m->outputs[0]]);
    return z->in.bytes == z->n * z->ib && z->out.bytes == z->n * z->ob ? 0 : -1;
}

static void zfree(zcase *z)
{
    neurio_model_free(z->m);
    neurio_npy_free(&z->in);
    neurio_npy_free(&z->out);
}

/* Worst relative error of float outputs (denominator at least 1e-6), or
 * the count of differing bytes for integer outputs. */
static double zcompare(const zcase *z, const void *got, size_t s)
{
    const char *want = (const char *)z->out.data + s * z->ob;
    if (z->out.dtype != NEURIO_DT_FLOAT32)
        return memcmp(got, want, z->ob) ? 1.0 : 0.0;
    double worst = 0;
    for (size_t k = 0; k < z->ob / 4; k++) {
        float a, b;
        memcpy(&a, (const char *)got + 4 * k, 4);
        memcpy(&b, want + 4 * k, 4);
        double d = fabs((double)a - b) / fmax(fabs((double)b), 1e-6);
        worst = fmax(worst, d);
    }
    return worst;
}

/* Every sample through the interpreter, state reset between samples. */
static void interp_case(const char *name, double tol)
{
    zcase z;
    CU_ASSERT_EQUAL_FATAL(zload(name, &z), 0);
    neurio_interp *it = NULL;
    neurio_errbuf e = {{0}};
    CU_ASSERT_EQUAL_FATAL(neurio_interp_new(z.m, &it, &e), NEURIO_OK);
    void *y = malloc(z.ob);
    double worst = 0;
    for (size_t s = 0; s < z.n; s++) {
        const void *ins[1] = {(const char *)z.in.data + s * z.ib};
        void *outs[1] = {y};
        CU_ASSERT_EQUAL_FATAL(neurio_interp_run(it, ins, outs, &e), NEURIO_OK);
        worst = fmax(worst, zcompare(&z, y, s));
    }
    printf("  %s: %zu samples, interpreter, worst %s %.3g\n", name, z.n,
           z.out.dtype == NEURIO_DT_FLOAT32 ? "relative error" : "mismatch", worst);
    CU_ASSERT(worst <= tol);
    free(y);
    neurio_interp_free(it);
    zfree(&z);
}

/* Stateful: sample s runs on the state sample s-1 left; the outputs then
 * differ from the goldens (made with a reset), and a reset restores them. */
static void interp_stateful(const char *name, double tol)
{
    zcase z;
    CU_ASSERT_EQUAL_FATAL(zload(name, &z), 0);
    neurio_interp *it = NULL;
    neurio_errbuf e = {{0}};
    CU_ASSERT_EQUAL_FATAL(neurio_interp_new(z.m, &it, &e), NEURIO_OK);
    neurio_interp_set_stateful(it, 1);
    void *y = malloc(z.ob);
    size_t differ = 0;
    for (size_t s = 0; s < z.n; s++) {
        const void *ins[1] = {(const char *)z.in.data + s * z.ib};
        void *outs[1] = {y};
        CU_ASSERT_EQUAL_FATAL(neurio_interp_run(it, ins, outs, &e), NEURIO_OK);
        double d = zcompare(&z, y, s);
        if (s == 0)
            CU_ASSERT(d <= tol); /* fresh state: as the golden */
        differ += d > tol;
    }
    printf("  %s: stateful, %zu of %zu samples differ from the reset goldens\n", name, differ,
           z.n);
    CU_ASSERT(differ >= z.n / 2);
    /* the difference is the state: reset it and the last sample is golden */
    neurio_interp_reset_state(it);
    const void *ins[1] = {(const char *)z.in.data + (z.n - 1) * z.ib};
    void *outs[1] = {y};
    CU_ASSERT_EQUAL_FATAL(neurio_interp_run(it, ins, outs, &e), NEURIO_OK);
    CU_ASSERT(zcompare(&z, y, z.n - 1) <= tol);
    free(y);
    neurio_interp_free(it);
    zfree(&z);
}

/* Generated C on the host device (cc -> .so -> libffi), every sample;
 * stateful = 1 generates the streaming variant, which must then differ
 * from the goldens after the first sample. */
static void host_case(const char *name, int stateful, double tol)
{
    zcase z;
    char gen[1024], so[1200];
    neurio_errbuf e = {{0}};
    neurio_codegen_result res;
    nh_module *mod = NULL;
    CU_ASSERT_EQUAL_FATAL(zload(name, &z), 0);
    snprintf(gen, sizeof gen, "%s/%s_%d", neurio_test_tmpdir(), name, stateful);
    mkdir(gen, 0777);
    neurio_codegen_options o = {.stateful = stateful};
    int rc = neurio_codegen(z.m, gen, &o, &res, &e);
    if (rc)
        fprintf(stderr, "codegen %s: %s\n", name, e.msg);
    CU_ASSERT_EQUAL_FATAL(rc, NEURIO_OK);
    nh_build_opts bo = {.cflags = "-O2 -pedantic", .layer_hook = 1,
                        .n_layers = (uint32_t)z.m->n_ops};
    rc = nh_build(gen, res.name, NEURIO_SOURCE_DIR "/firmware", &bo, so, sizeof so, NULL, NULL,
                  0, &e);
    if (rc)
        fprintf(stderr, "build %s: %s\n", name, e.msg);
    CU_ASSERT_EQUAL_FATAL(rc, NEURIO_OK);
    CU_ASSERT_EQUAL_FATAL(nh_open(so, res.name, res.sha256, &mod, &e), NEURIO_OK);
    const neurio_model_desc *d = nh_desc(mod);
    CU_ASSERT_EQUAL_FATAL(d->outputs[0].bytes, z.ob);
    void *y = malloc(z.ob);
    uint64_t *layers = calloc(d->n_layers + 1, sizeof *layers);
    double worst = 0;
    size_t differ = 0;
    for (size_t s = 0; s < z.n; s++) {
        const void *ins[1] = {(const char *)z.in.data + s * z.ib};
        void *outs[1] = {y};
        uint64_t ns = 0, cyc = 0;
        uint32_t nl = 0;
        CU_ASSERT_EQUAL_FATAL(nh_run(mod, ins, outs, &ns, &cyc, layers, &nl, &e), NEURIO_OK);
        double dv = zcompare(&z, y, s);
        worst = fmax(worst, dv);
        differ += dv > tol;
    }
    printf("  %s: host device%s, arena %llu bytes, %zu samples, worst %.3g, %zu differ\n", name,
           stateful ? " (stateful)" : "", (unsigned long long)res.arena_bytes, z.n, worst, differ);
    if (stateful) {
        CU_ASSERT(differ >= z.n / 2);
    } else {
        CU_ASSERT(worst <= tol);
    }
    free(layers);
    free(y);
    nh_close(mod);
    zfree(&z);
}

static void test_lstm_host(void) { host_case("trained_lstm", 0, 1e-5); }
static void test_lstm_host_stateful(void) { host_case("trained_lstm", 1, 1e-5); }

static void test_lstm_interp(void) { interp_case("trained_lstm", 1e-5); }
static void test_lstm_stateful(void) { interp_stateful("trained_lstm", 1e-5); }

int neurio_register_tests(void)
{
    const char *shared = neurio_test_shared_dir();
    static char zoo[1024];
    if (!shared)
        neurio_test_skip("../shared is absent: no golden-zoo");
    snprintf(zoo, sizeof zoo, "%s/golden-zoo", shared);
    g_zoo = zoo;
    CU_pSuite s = CU_add_suite("state_zoo", NULL, NULL);
    if (!s || !CU_add_test(s, "trained_lstm: interpreter vs TFLM", test_lstm_interp) ||
        !CU_add_test(s, "trained_lstm: stateful interpreter", test_lstm_stateful) ||
        !CU_add_test(s, "trained_lstm: host device vs TFLM", test_lstm_host) ||
        !CU_add_test(s, "trained_lstm: host device, stateful", test_lstm_host_stateful))
        return -1;
    return 0;
}

/* tests/host/test_host_golden.c — conformance: every model in
 * ../shared/golden through codegen + the host runner (the host plugin's own
 * build/exec code: cc -> .so -> libffi).  int8 models must reproduce
 * output.npy bit for bit; float models within HOST_FLOAT_TOL (max abs
 * error printed).  Skips (77) when ../shared is absent. */
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "host_runner.h"
#include "neurio/codegen.h"
#include "neurio/dataprep.h"
#include "neurio/model.h"
#include "neurio/npy.h"
#include "test_util.h"

/* Float models: our float kernels vs TFLM's reference float kernels differ
 * only in summation order/rounding of exp; stated tolerance on outputs. */
#define HOST_FLOAT_TOL 1e-4

static const char *g_shared;

static void run_golden(const char *model_name)
{
    char path[1024], gen[1024], so[1200];
    neurio_model *m = NULL;
    neurio_npy in = {0}, out = {0};
    neurio_errbuf e = {{0}};
    neurio_codegen_result res;
    nh_module *mod = NULL;
    void *x = NULL;
    char *y = NULL;
    size_t n = 0;

    snprintf(path, sizeof path, "%s/models/%s.tflite", g_shared, model_name);
    int rc = neurio_model_load(path, &m, &e);
    CU_ASSERT_EQUAL_FATAL(rc, NEURIO_OK);
    if (rc) {
        fprintf(stderr, "%s\n", e.msg);
        return;
    }
    snprintf(gen, sizeof gen, "%s/%s", neurio_test_tmpdir(), model_name);
    mkdir(gen, 0777);
    rc = neurio_codegen(m, gen, NULL, &res, &e);
    if (rc)
        fprintf(stderr, "codegen %s: %s\n", model_name, e.msg);
    CU_ASSERT_EQUAL_FATAL(rc, NEURIO_OK);
    nh_build_opts bo = {.cflags = "-O2 -pedantic", .layer_hook = 1,
                        .n_layers = (uint32_t)m->n_ops};
    rc = nh_build(gen, res.name, NEURIO_SOURCE_DIR "/firmware", &bo, so, sizeof so, NULL, NULL, 0, &e);
    if (rc)
        fprintf(stderr, "build %s: %s\n", model_name, e.msg);
    CU_ASSERT_EQUAL_FATAL(rc, NEURIO_OK);
    rc = nh_open(so, res.name, res.sha256, &mod, &e);
    CU_ASSERT_EQUAL_FATAL(rc, NEURIO_OK);

    snprintf(path, sizeof path, "%s/golden/%s/input.npy", g_shared, model_name);
    CU_ASSERT_EQUAL_FATAL(neurio_npy_read(path, &in, &e), NEURIO_OK);
    snprintf(path, sizeof path, "%s/golden/%s/output.npy", g_shared, model_name);
    CU_ASSERT_EQUAL_FATAL(neurio_npy_read(path, &out, &e), NEURIO_OK);
    CU_ASSERT_EQUAL_FATAL(neurio_dataprep_input(m, 0, &in, &x, &n, &e), NEURIO_OK);
    const neurio_model_desc *d = nh_desc(mod);
    CU_ASSERT_EQUAL_FATAL(d->n_inputs, 1);
    CU_ASSERT_EQUAL_FATAL(d->n_outputs, 1);
    size_t ib = d->inputs[0].bytes, ob = d->outputs[0].bytes;
    CU_ASSERT_EQUAL_FATAL(out.bytes, n * ob);
    y = calloc(n, ob);
    uint64_t *layers = calloc(d->n_layers + 1, sizeof *layers);
    uint64_t total_ns = 0;
    for (size_t s = 0; s < n; s++) {
        const void *ins[1] = {(const char *)x + s * ib};
        void *outs[1] = {y + s * ob};
        uint64_t ns = 0, cyc = 0;
        uint32_t nl = 0;
        rc = nh_run(mod, ins, outs, &ns, &cyc, layers, &nl, &e);
        CU_ASSERT_EQUAL_FATAL(rc, NEURIO_OK);
        CU_ASSERT_EQUAL(nl, d->n_layers);
        total_ns += ns;
    }
    int bad = 0;
    if (d->outputs[0].dtype == NEURIO_DESC_DT_FLOAT32) {
        double maxerr = 0;
        const float *got = (const float *)y, *want = out.data;
        for (size_t i = 0; i < n * ob / 4; i++) {
            double diff = fabs((double)got[i] - (double)want[i]);
            if (!(diff <= maxerr))
                maxerr = diff;
        }
        printf("  %-24s float32: %zu samples, max abs error %.3g (tolerance %g), arena %llu "
               "bytes, %.1f us/inference\n", model_name, n, maxerr, HOST_FLOAT_TOL,
               (unsigned long long)res.arena_bytes, total_ns / 1e3 / (double)n);
        bad = !(maxerr <= HOST_FLOAT_TOL);
    } else {
        size_t first = (size_t)-1, diffs = 0;
        for (size_t i = 0; i < n * ob; i++)
            if (y[i] != ((const char *)out.data)[i]) {
                if (first == (size_t)-1)
                    first = i;
                diffs++;
            }
        printf("  %-24s int8: %zu samples, %zu of %zu bytes differ%s, arena %llu bytes, "
               "%.1f us/inference\n", model_name, n, diffs, n * ob,
               diffs ? "" : " (bit-exact)", (unsigned long long)res.arena_bytes,
               total_ns / 1e3 / (double)n);
        if (diffs)
            printf("    first difference: sample %zu byte %zu: got %d, want %d\n",
                   first / ob, first % ob, y[first], ((const signed char *)out.data)[first]);
        bad = diffs != 0;
    }
    CU_ASSERT_FALSE(bad);
    free(layers);
    free(y);
    free(x);
    neurio_npy_free(&in);
    neurio_npy_free(&out);
    nh_close(mod);
    neurio_model_free(m);
}

/* The library built from the kernel cache (NEURIO_KERNEL_CACHE, which
 * CTest sets for every test: neurio_port_kernel_objects in neurio/port.h)
 * holds the code and data of the one built from the kernel sources, byte
 * for byte: what lets every host run of the tests use the cache. */
static void test_kernel_cache_same_library(void)
{
    const char *cache = getenv("NEURIO_KERNEL_CACHE");
    if (!cache || !*cache) {
        fprintf(stderr, " (NEURIO_KERNEL_CACHE unset: nothing to compare) ");
        return;
    }
    char saved[4096], path[1024], gen[1024], so[1200], cmd[4096];
    snprintf(saved, sizeof saved, "%s", cache);
    neurio_model *m = NULL;
    neurio_errbuf e = {{0}};
    neurio_codegen_result res;
    snprintf(path, sizeof path, "%s/models/hello_world_int8.tflite", g_shared);
    CU_ASSERT_EQUAL_FATAL(neurio_model_load(path, &m, &e), NEURIO_OK);
    char md5[2][128] = {"", ""};
    for (int i = 0; i < 2; i++) {
        snprintf(gen, sizeof gen, "%s/kcache-%d", neurio_test_tmpdir(), i);
        mkdir(gen, 0777);
        CU_ASSERT_EQUAL_FATAL(neurio_codegen(m, gen, NULL, &res, &e), NEURIO_OK);
        if (i == 0)
            unsetenv("NEURIO_KERNEL_CACHE"); /* 0: from the sources */
        else
            setenv("NEURIO_KERNEL_CACHE", saved, 1); /* 1: from the cache */
        nh_build_opts bo = {.cflags = "-O2", .layer_hook = 1, .n_layers = (uint32_t)m->n_ops};
        int rc = nh_build(gen, res.name, NEURIO_SOURCE_DIR "/firmware", &bo, so, sizeof so,
                          NULL, NULL, 0, &e);
        if (rc)
            fprintf(stderr, "build: %s\n", e.msg);
        CU_ASSERT_EQUAL_FATAL(rc, NEURIO_OK);
        snprintf(cmd, sizeof cmd, "objcopy -O binary --only-section=.text --only-section=.rodata "
                 "--only-section=.data '%s' '%s.bin' && md5sum < '%s.bin'", so, so, so);
        char *out = NULL;
        CU_ASSERT_EQUAL(neurio_test_run(cmd, &out), 0);
        snprintf(md5[i], sizeof md5[i], "%s", out ? out : "");
        free(out);
    }
    setenv("NEURIO_KERNEL_CACHE", saved, 1);
    printf("  kernel cache: library from the sources %.32s, from the cache %.32s\n", md5[0],
           md5[1]);
    CU_ASSERT_STRING_EQUAL(md5[0], md5[1]);
    neurio_model_free(m);
}

#define GOLDEN(nm) \
    static void test_##nm(void) { run_golden(#nm); }
GOLDEN(ad01_fp32)
GOLDEN(ad01_int8)
GOLDEN(hello_world_float)
GOLDEN(hello_world_int8)
GOLDEN(kws_ref_model)
GOLDEN(micro_speech_quantized)
GOLDEN(pretrainedResnet)
GOLDEN(pretrainedResnet_quant)

int neurio_register_tests(void)
{
    g_shared = neurio_test_shared_dir();
    if (!g_shared)
        neurio_test_skip("../shared (models and goldens) is absent; conformance needs it");
    CU_pSuite s = CU_add_suite("host_golden", NULL, NULL);
    if (!s)
        return -1;
    CU_add_test(s, "ad01_fp32", test_ad01_fp32);
    CU_add_test(s, "ad01_int8", test_ad01_int8);
    CU_add_test(s, "hello_world_float", test_hello_world_float);
    CU_add_test(s, "hello_world_int8", test_hello_world_int8);
    CU_add_test(s, "kws_ref_model", test_kws_ref_model);
    CU_add_test(s, "micro_speech_quantized", test_micro_speech_quantized);
    CU_add_test(s, "kernel cache: the same library", test_kernel_cache_same_library);
    CU_add_test(s, "pretrainedResnet", test_pretrainedResnet);
    CU_add_test(s, "pretrainedResnet_quant", test_pretrainedResnet_quant);
    return 0;
}

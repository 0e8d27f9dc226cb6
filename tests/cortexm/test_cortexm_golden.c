/* tests/cortexm/test_cortexm_golden.c — conformance (label conformance):
 * every model in ../shared/golden that fits the board runs under `neurio
 * run` on the emulated Cortex-M4F (mps2-an386) and Cortex-M7 (mps2-an500),
 * the packed FULLY_CONNECTED weights int16 on the M4 (device.fc_weights =
 * auto), int8 on the M7 (both layouts against the goldens; the log must
 * say so), the M7 with banded execution (device.band_rows = 4).
 * int8 models must reproduce TFLite Micro's golden output.npy bit for bit;
 * float models within 1e-5 (relative to the output range); int8
 * predictions must also be identical to the host device's (float: within
 * the same tolerance).  kws also runs with device.weights = compact on the
 * M4 (int8 weights only, -Os), bit-exact and in less flash.  A model
 * whose image does not fit (refused at link time) is reported and skipped.
 * The link is the plugin's default (rtt) unless NEURIO_TEST_CM_LINK=uart
 * (or rtt) picks the channel.  Skips (exit 77) when ../shared is absent. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm_e2e_util.h"
#include "npy_cmp.h"
#include "test_util.h"


static int is_float_model(const char *m)
{
    return strstr(m, "float") || strstr(m, "fp32") || strcmp(m, "pretrainedResnet") == 0;
}

static char *rig_for(const char *name, const char *model, const char *device)
{
    static char buf[4096];
    const char *g = cm_e2e_golden(model);
    snprintf(buf, sizeof buf,
             "device = { %s };\n"
             "model = { path = \"%s/models/%s.tflite\"; quantize = \"none\"; };\n"
             "data = { inputs = \"%s/input.npy\"; batch_size = 64; };\n"
             "task = { kind = \"none\"; };\n"
             "output = { dir = \"%s\"; predictions = \"pred.npy\"; };\n",
             device, neurio_test_shared_dir(), model, g, cm_e2e_outdir(name));
    return buf;
}

/* 0 = equal (bit-exact for ints, within 1e-5 of the range for float32). */
static int compare(const neurio_npy *a, const neurio_npy *b, double *maxdiff)
{
    return neurio_test_npy_cmp(a, b, b->bytes, 1e-5, maxdiff);
}

static void run_model(const char *model)
{
    cm_e2e_require_tools();
    const char *g = cm_e2e_golden(model);
    if (!g) {
        fprintf(stderr, "\n  %s: no golden data, skipped\n", model);
        return;
    }
    char path[2048];
    neurio_npy golden;
    neurio_errbuf e;
    snprintf(path, sizeof path, "%s/output.npy", g);
    CU_ASSERT_EQUAL_FATAL(neurio_npy_read(path, &golden, &e), NEURIO_OK);
    int fl = is_float_model(model);

    char name[256];
    snprintf(name, sizeof name, "%s-host", model);
    neurio_npy host;
    int host_ok = cm_e2e_run(name, rig_for(name, model, "plugin = \"host\";"), "", NULL) == 0 &&
                  cm_e2e_read_pred(cm_e2e_outdir(name), "pred.npy", &host) == 0;
    CU_ASSERT(host_ok);

    static const char *const boards[] = {"mps2-an386", "mps2-an500"};
    for (int b = 0; b < 2; b++) {
        char dev[256];
        snprintf(name, sizeof name, "%s-%s", model, boards[b]);
        /* NEURIO_TEST_CM_LINK=uart|rtt: the same goldens over one channel
         * (default: the plugin's, rtt on these boards). */
        const char *link = getenv("NEURIO_TEST_CM_LINK");
        /* the packed FULLY_CONNECTED layouts: int16 on the M4 (auto, the
         * board's 4 MiB), int8 on the M7; and banded execution on the M7
         * (4 rows: kws' and ResNet-8's chains, the DSP kernels' band calls;
         * unbanded on the M4, every board in test_cortexm_banded) */
        snprintf(dev, sizeof dev,
                 "plugin = \"cortex-m\"; board = \"%s\"; run_timeout_ms = 600000; link = \"%s\";"
                 " fc_weights = \"%s\"; band_rows = %d;",
                 boards[b], link && (!strcmp(link, "uart") || !strcmp(link, "rtt")) ? link : "auto",
                 b ? "int8" : "auto", b ? 4 : 0);
        char *log = NULL;
        int rc = cm_e2e_run(name, rig_for(name, model, dev), "", &log);
        if (rc != 0 && log && strstr(log, "does not fit")) {
            fprintf(stderr, "\n  %s on %s does not fit, skipped\n", model, boards[b]);
            free(log);
            continue;
        }
        if (log && strstr(log, "packed FULLY_CONNECTED weights"))
            CU_ASSERT_PTR_NOT_NULL(strstr(log, b ? ", 0 int16 (+0 bytes" : "DSP cores): 0 int8, "));
        free(log);
        CU_ASSERT_EQUAL(rc, 0);
        if (rc)
            continue;
        neurio_npy p;
        CU_ASSERT_EQUAL_FATAL(cm_e2e_read_pred(cm_e2e_outdir(name), "pred.npy", &p), 0);
        double d;
        int diff = compare(&p, &golden, &d);
        CU_ASSERT_EQUAL(diff, 0);
        fprintf(stderr, "\n  %s on %s: %s golden (max diff %g)", model, boards[b],
                diff ? "DIFFERS from" : (fl ? "matches" : "bit-identical to"), d);
        if (host_ok) {
            /* int8: bit-identical to the host; float: the host compiler may
             * contract multiply-adds (the firmware is -std=c99: it does
             * not), so the same tolerance as against the golden data. */
            double hd;
            CU_ASSERT_EQUAL(compare(&p, &host, &hd), 0);
            fprintf(stderr, ", %s host (max diff %g)", hd == 0 ? "identical to" : "close to", hd);
        }
        neurio_npy_free(&p);
    }
    if (host_ok)
        neurio_npy_free(&host);
    neurio_npy_free(&golden);
    CU_ASSERT_EQUAL(cm_e2e_count_qemu(neurio_test_tmpdir()), 0);
}

/* profile.json's number after "key": (the first), or -1. */
static double profile_num(const char *json, const char *key)
{
    char pat[96];
    snprintf(pat, sizeof pat, "\"%s\":", key);
    const char *at = json ? strstr(json, pat) : NULL;
    return at ? strtod(at + strlen(pat), NULL) : -1;
}

/* The flash of the run in outdir (text + rodata + data), or -1; its
 * profile.json text in *json_out (caller frees) when wanted. */
static double run_flash(const char *outdir, char **json_out)
{
    char path[2048];
    char *json = neurio_test_run_file(outdir, "profile.json", path, sizeof path) == 0
                     ? neurio_test_read_file(path, NULL) : NULL;
    double f = json ? profile_num(json, "flash_text") + profile_num(json, "flash_rodata") +
                          (profile_num(json, "flash_data") > 0 ? profile_num(json, "flash_data") : 0)
                    : -1;
    if (json_out)
        *json_out = json;
    else
        free(json);
    return f;
}

/* device.weights = compact (int8 weights only, -Os) on the M4: kws (conv,
 * depthwise, 1x1 convolutions that no longer overlap their inputs, a
 * packed int8 FULLY_CONNECTED) bit-exact with the golden, no int16 layout
 * in the report, built -Os, and smaller than the default (fast) image of
 * the golden suite's run above when that ran. */
static void test_compact(void)
{
    cm_e2e_require_tools();
    const char *model = "kws_ref_model", *g = cm_e2e_golden(model);
    if (!g) {
        fprintf(stderr, "\n  %s: no golden data, skipped\n", model);
        return;
    }
    char path[2048];
    neurio_npy golden, p;
    neurio_errbuf e;
    snprintf(path, sizeof path, "%s/output.npy", g);
    CU_ASSERT_EQUAL_FATAL(neurio_npy_read(path, &golden, &e), NEURIO_OK);
    const char *name = "kws-compact";
    char *log = NULL;
    int rc = cm_e2e_run(name,
                        rig_for(name, model,
                                "plugin = \"cortex-m\"; board = \"mps2-an386\"; "
                                "weights = \"compact\"; run_timeout_ms = 600000;"),
                        "", &log);
    if (rc)
        fprintf(stderr, "\n%s\n", log ? log : "");
    CU_ASSERT_PTR_NOT_NULL(log && strstr(log, "(device.weights = compact)"));
    free(log);
    CU_ASSERT_EQUAL_FATAL(rc, 0);
    CU_ASSERT_EQUAL_FATAL(cm_e2e_read_pred(cm_e2e_outdir(name), "pred.npy", &p), 0);
    double d;
    CU_ASSERT_EQUAL(compare(&p, &golden, &d), 0);
    char *json = NULL;
    const double flash = run_flash(cm_e2e_outdir(name), &json);
    CU_ASSERT_PTR_NOT_NULL(json);
    CU_ASSERT_PTR_NULL(json ? strstr(json, "packed int16") : "");
    CU_ASSERT_PTR_NOT_NULL(json ? strstr(json, "\"weights_layout\":\t\"packed int8\"") : NULL);
    CU_ASSERT_EQUAL(profile_num(json, "int16_layers"), 0);
    free(json);
    char *blog = neurio_test_run_file(cm_e2e_outdir(name), "work/firmware/build.log", path,
                                      sizeof path) == 0
                     ? neurio_test_read_file(path, NULL) : NULL;
    CU_ASSERT_PTR_NOT_NULL(blog && strstr(blog, " '-Os' "));
    free(blog);
    snprintf(path, sizeof path, "%s-mps2-an386", model);
    const double fast = run_flash(cm_e2e_outdir(path), NULL);
    CU_ASSERT(flash > 0 && (fast < 0 || flash < fast));
    fprintf(stderr, "\n  %s compact on mps2-an386: %s golden, flash %.0f bytes (fast: %.0f)",
            model, d == 0 ? "bit-identical to" : "DIFFERS from", flash, fast);
    neurio_npy_free(&p);
    neurio_npy_free(&golden);
    CU_ASSERT_EQUAL(cm_e2e_count_qemu(neurio_test_tmpdir()), 0);
}

/* The image built from the kernel cache (NEURIO_KERNEL_CACHE, which CTest
 * sets for every test, neurio_port_kernel_objects in neurio/port.h) is the image built
 * from the kernel sources, byte for byte: what lets the goldens above run
 * from the cache.  Build only (link = "none", --until flash). */
static void test_kernel_cache_same_image(void)
{
    cm_e2e_require_tools();
    const char *cache = getenv("NEURIO_KERNEL_CACHE");
    if (!cache || !*cache) {
        fprintf(stderr, " (NEURIO_KERNEL_CACHE unset: nothing to compare) ");
        return;
    }
    const char *tmp = neurio_test_tmpdir(), *sd = neurio_test_shared_dir();
    char md5[2][128];
    for (int i = 0; i < 2; i++) {
        char rig[1200], text[4096], cmd[8192], name[64];
        snprintf(name, sizeof name, "kcache-%d", i);
        snprintf(rig, sizeof rig, "%s/%s.cfg", tmp, name);
        int n = snprintf(text, sizeof text,
                         "device = { plugin = \"cortex-m\"; board = \"mps2-an386\"; link = \"none\"; };\n"
                         "model = { path = \"%s/models/hello_world_int8.tflite\"; };\n"
                         "output = { dir = \"%s/%s-runs\"; store = \"none\"; };\n",
                         sd, tmp, name);
        CU_ASSERT_FATAL(n > 0 && (size_t)n < sizeof text);
        CU_ASSERT_EQUAL_FATAL(neurio_test_write_file(rig, text, (size_t)n), 0);
        /* 0: from the sources (cache unset), 1: from the cache */
        snprintf(cmd, sizeof cmd,
                 "%s '%s' run '%s' --until flash >/dev/null 2>&1 && "
                 "cd '%s/%s-runs'/*/work/firmware && "
                 "arm-none-eabi-objcopy -O binary fw.elf fw.bin && md5sum < fw.bin",
                 i ? "" : "env -u NEURIO_KERNEL_CACHE",
                 neurio_test_path(NEURIO_BINARY_DIR, "core/neurio"), rig, tmp, name);
        char *out = NULL;
        int rc = neurio_test_run(cmd, &out);
        if (rc)
            fprintf(stderr, "\n$ %s\n%s\n", cmd, out ? out : "");
        CU_ASSERT_EQUAL_FATAL(rc, 0);
        snprintf(md5[i], sizeof md5[i], "%s", out ? out : "");
        free(out);
    }
    fprintf(stderr, "\n  image from the kernel sources %.32s, from the cache %.32s", md5[0], md5[1]);
    CU_ASSERT_STRING_EQUAL(md5[0], md5[1]);
}

int neurio_register_tests(void)
{
    if (!neurio_test_shared_dir())
        neurio_test_skip("../shared (golden models) is absent");
    if (cm_e2e_add_golden_suite("cortexm_golden", run_model) != 0)
        return -1;
    CU_pSuite s = CU_add_suite("cortexm_kernel_cache", NULL, NULL);
    if (!s)
        return -1;
    CU_add_test(s, "kernel cache: the same image", test_kernel_cache_same_image);
    if (!(s = CU_add_suite("cortexm_compact", NULL, NULL)))
        return -1;
    CU_add_test(s, "device.weights = compact: kws bit-exact, int8 layouts, -Os, less flash",
                test_compact);
    return CU_get_error() == CUE_SUCCESS ? 0 : -1;
}

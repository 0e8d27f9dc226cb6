/* tests/cortexm/test_cortexm_rtt.c — the RTT channel on the emulated
 * Cortex-M4F (label e2e): the same golden model (ad01_int8, 16 samples in
 * two batches) run by `neurio run` over device.link = rtt (the firmware's
 * RTT rings through QEMU's gdbstub) and over device.link = uart.  Both must
 * be bit-identical to TFLite Micro's golden output; profile.json must name
 * the channel in its link KPIs; and the measurements must not depend on the
 * channel: every per-inference count and every per-layer mean agree within
 * one tick of the board's counter (40 instructions: the CMSDK timer at
 * 25 MHz under -icount shift=0; two runs over the same channel differ by
 * that tick too, depending on where an inference starts in it).  And a
 * device that reboots mid-batch over RTT is detected and the batch re-sent.
 * Skips (exit 77) without ../shared or the ARM tools. */
#include <cjson/cJSON.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm_e2e_util.h"
#include "test_util.h"

#define N 16
#define TICK 40.0 /* instructions per CMSDK timer tick on mps2 under -icount shift=0 */

static char *rig(const char *name, const char *link, const char *extra)
{
    static char buf[4096];
    const char *g = cm_e2e_golden("ad01_int8");
    snprintf(buf, sizeof buf,
             "device = { plugin = \"cortex-m\"; board = \"mps2-an386\"; link = \"%s\"; %s };\n"
             "model = { path = \"%s/models/ad01_int8.tflite\"; quantize = \"none\"; };\n"
             "data = { inputs = \"%s/input.npy\"; batch_size = 8; limit = %d; };\n"
             "task = { kind = \"none\"; };\n"
             "output = { dir = \"%s\"; predictions = \"pred.npy\"; };\n",
             link, extra, neurio_test_shared_dir(), g, N, cm_e2e_outdir(name));
    return buf;
}

static cJSON *read_profile(const char *name)
{
    char pat[2048];
    snprintf(pat, sizeof pat, "%s/*/profile.json", cm_e2e_outdir(name));
    glob_t g;
    if (glob(pat, 0, NULL, &g) != 0)
        return NULL;
    cJSON *j = NULL;
    if (g.gl_pathc == 1) {
        char *text = neurio_test_read_file(g.gl_pathv[0], NULL);
        j = text ? cJSON_Parse(text) : NULL;
        free(text);
    }
    globfree(&g);
    return j;
}

/* The source of the link KPI group ("rtt (QEMU gdbstub), sliding window"). */
static const char *link_source(const cJSON *p)
{
    const cJSON *k;
    cJSON_ArrayForEach(k, cJSON_GetObjectItem(p, "kpis"))
    {
        const cJSON *grp = cJSON_GetObjectItem(k, "group");
        if (cJSON_IsString(grp) && strcmp(grp->valuestring, "link") == 0)
            return cJSON_GetStringValue(cJSON_GetObjectItem(k, "source"));
    }
    return NULL;
}

/* Run over `link` (with extra device keys), check golden bit-exactness
 * and the channel name; *log_out gets the log if not NULL. */
static cJSON *run_over(const char *tag, const char *link, const char *extra, const char *channel,
                       char **log_out)
{
    char name[64], path[2048];
    snprintf(name, sizeof name, "rtt-%s", tag);
    char *log = NULL;
    int rc = cm_e2e_run(name, rig(name, link, extra), "", &log);
    CU_ASSERT_EQUAL(rc, 0);
    if (rc)
        fprintf(stderr, "\n[%s] %s\n", name, log ? log : "");
    if (log_out)
        *log_out = log;
    else
        free(log);
    if (rc)
        return NULL;
    neurio_npy pred, golden;
    neurio_errbuf e;
    snprintf(path, sizeof path, "%s/output.npy", cm_e2e_golden("ad01_int8"));
    CU_ASSERT_EQUAL_FATAL(neurio_npy_read(path, &golden, &e), NEURIO_OK);
    CU_ASSERT_EQUAL_FATAL(cm_e2e_read_pred(cm_e2e_outdir(name), "pred.npy", &pred), 0);
    CU_ASSERT_EQUAL(pred.dims[0], N);
    CU_ASSERT_EQUAL(pred.dtype, golden.dtype);
    CU_ASSERT(pred.bytes * (size_t)golden.dims[0] == golden.bytes * N);
    if (pred.bytes * (size_t)golden.dims[0] == golden.bytes * N)
        CU_ASSERT_EQUAL(memcmp(pred.data, golden.data, pred.bytes), 0);
    neurio_npy_free(&pred);
    neurio_npy_free(&golden);
    cJSON *p = read_profile(name);
    CU_ASSERT_PTR_NOT_NULL(p);
    const char *src = p ? link_source(p) : NULL;
    CU_ASSERT_PTR_NOT_NULL(src);
    if (src)
        CU_ASSERT_EQUAL(strncmp(src, channel, strlen(channel)), 0);
    return p;
}

static double num(const cJSON *o, const char *key)
{
    return cJSON_GetNumberValue(cJSON_GetObjectItem(o, key));
}

static void test_counts_same_over_rtt_and_uart(void)
{
    cm_e2e_require_tools();
    cJSON *r = run_over("rtt", "rtt", "", "rtt (QEMU gdbstub)", NULL);
    cJSON *u = run_over("uart", "uart", "", "uart (QEMU chardev socket)", NULL);
    if (r && u) {
        const cJSON *mr = cJSON_GetObjectItem(r, "measurements");
        const cJSON *mu = cJSON_GetObjectItem(u, "measurements");
        CU_ASSERT_EQUAL(cJSON_GetArraySize(mr), N);
        CU_ASSERT_EQUAL(cJSON_GetArraySize(mu), N);
        int same = 0;
        for (int i = 0; i < N && i < cJSON_GetArraySize(mr) && i < cJSON_GetArraySize(mu); i++) {
            double a = num(cJSON_GetArrayItem(mr, i), "cycles");
            double b = num(cJSON_GetArrayItem(mu, i), "cycles");
            CU_ASSERT(a > 0 && a - b <= TICK && b - a <= TICK);
            same += a == b;
        }
        const cJSON *lr = cJSON_GetObjectItem(r, "layers"), *lu = cJSON_GetObjectItem(u, "layers");
        CU_ASSERT(cJSON_GetArraySize(lr) > 0);
        CU_ASSERT_EQUAL(cJSON_GetArraySize(lr), cJSON_GetArraySize(lu));
        for (int i = 0; i < cJSON_GetArraySize(lr) && i < cJSON_GetArraySize(lu); i++) {
            double a = num(cJSON_GetArrayItem(lr, i), "mean");
            double b = num(cJSON_GetArrayItem(lu, i), "mean");
            CU_ASSERT(a > 0 && a - b <= TICK && b - a <= TICK);
        }
        fprintf(stderr, "\n  %d of %d inference counts identical over rtt and uart, the rest one tick apart\n",
                same, N);
    }
    cJSON_Delete(r);
    cJSON_Delete(u);
    CU_ASSERT_EQUAL(cm_e2e_count_qemu(neurio_test_tmpdir()), 0);
}

/* The firmware reboots after every 5 inferences (mid-batch: batches of 8)
 * over RTT: the host sees the boot hello in the up ring, re-sends the
 * batch, and every result arrives once, bit-exact. */
static void test_reset_mid_batch_over_rtt(void)
{
    cm_e2e_require_tools();
    char *log = NULL;
    cJSON *r = run_over("reset", "rtt", "reset_after = 5;", "rtt (QEMU gdbstub)", &log);
    CU_ASSERT_PTR_NOT_NULL(log && strstr(log, "device rebooted"));
    free(log);
    cJSON_Delete(r);
    CU_ASSERT_EQUAL(cm_e2e_count_qemu(neurio_test_tmpdir()), 0);
}

int neurio_register_tests(void)
{
    if (!neurio_test_shared_dir() || !cm_e2e_golden("ad01_int8"))
        neurio_test_skip("../shared/golden/ad01_int8 is absent");
    CU_pSuite s = CU_add_suite("cortexm_rtt", NULL, NULL);
    if (!s)
        return -1;
    CU_add_test(s, "counts_same_over_rtt_and_uart", test_counts_same_over_rtt_and_uart);
    CU_add_test(s, "reset_mid_batch_over_rtt", test_reset_mid_batch_over_rtt);
    return 0;
}

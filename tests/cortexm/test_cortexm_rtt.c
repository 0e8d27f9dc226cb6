/* tests/cortexm/test_cortexm_rtt.c — the RTT channel on the emulated
 * Cortex-M4F (label e2e): the same golden model (ad01_int8, 16 samples in
 * two batches) run by `neurio run` over device.link = rtt (the firmware's
 * RTT rings through QEMU's gdbstub) and over device.link = uart.  Both must
 * be bit-identical to TFLite Micro's golden output; profile.json must name
 * the channel in its link KPIs; and the measurements must not depend on the
 * channel nor on the run: every per-inference count and every per-layer
 * mean is identical over rtt, over uart (with link faults), in a second
 * rtt run (with reboots mid-batch and link faults) and over the UART
 * fallback (the firmware resolves the phase of its 40-instruction timer
 * tick, cm_cmsdk.h, so the counts are exact instruction counts).  The rtt
 * run's report must hold the static RAM by part, the stack peak and each
 * layer's weight layout with the choice behind it.  A device that reboots mid-batch over RTT is
 * detected and the batch re-sent.  A gdbstub that cannot be used (made so
 * by the TEST-ONLY option device.test_gdbstub_unusable) is an error with
 * link = rtt and a fallback to the UART, with a warning naming why, with
 * link = auto.  Skips (exit 77) without ../shared or the ARM tools. */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm_e2e_util.h"
#include "test_util.h"

#define N 16

/* Link faults of the uart run and the rtt run with reboots: 0.05 % of the
 * bytes each way corrupted, 0.05 % dropped, 0.05 % duplicated, plus garbage
 * bursts; ad01's 752-byte RESULTs then arrive damaged about 70 % of the
 * time, so some RUNs exhaust their tries and the link falls back to
 * RESULTs without outputs (outputs by READ).  Retransmitted RUNs run the
 * inference again: the counts must still be identical. */
#define FAULTS "fault_rate = 0.0005; fault_seed = 22;"

/* The clean run over RTT, the reference of the other runs' counts. */
static cJSON *rtt_ref;

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
    char path[4096];
    if (neurio_test_run_file(cm_e2e_outdir(name), "profile.json", path, sizeof path) != 0)
        return NULL;
    char *text = neurio_test_read_file(path, NULL);
    cJSON *j = text ? cJSON_Parse(text) : NULL;
    free(text);
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

/* The link KPI `name` of profile p (-1 if absent). */
static double link_kpi(const cJSON *p, const char *name)
{
    const cJSON *k;
    cJSON_ArrayForEach(k, cJSON_GetObjectItem(p, "kpis"))
    {
        const char *g = cJSON_GetStringValue(cJSON_GetObjectItem(k, "group"));
        const char *n = cJSON_GetStringValue(cJSON_GetObjectItem(k, "name"));
        if (g && n && strcmp(g, "link") == 0 && strcmp(n, name) == 0)
            return num(k, "value");
    }
    return -1;
}

/* Every per-inference count and per-layer mean of run p equals the
 * reference run's (the clean run over RTT). */
static void same_counts(const cJSON *p, const char *what)
{
    if (!rtt_ref || !p)
        return;
    const cJSON *mr = cJSON_GetObjectItem(rtt_ref, "measurements");
    const cJSON *mp = cJSON_GetObjectItem(p, "measurements");
    CU_ASSERT_EQUAL(cJSON_GetArraySize(mr), N);
    CU_ASSERT_EQUAL(cJSON_GetArraySize(mp), N);
    int same = 0;
    for (int i = 0; i < N && i < cJSON_GetArraySize(mr) && i < cJSON_GetArraySize(mp); i++) {
        double a = num(cJSON_GetArrayItem(mr, i), "cycles");
        double b = num(cJSON_GetArrayItem(mp, i), "cycles");
        CU_ASSERT(a > 0);
        CU_ASSERT_EQUAL(a, b);
        same += a > 0 && a == b;
    }
    const cJSON *lr = cJSON_GetObjectItem(rtt_ref, "layers"), *lp = cJSON_GetObjectItem(p, "layers");
    CU_ASSERT(cJSON_GetArraySize(lr) > 0);
    CU_ASSERT_EQUAL(cJSON_GetArraySize(lr), cJSON_GetArraySize(lp));
    int lsame = 0;
    for (int i = 0; i < cJSON_GetArraySize(lr) && i < cJSON_GetArraySize(lp); i++) {
        double a = num(cJSON_GetArrayItem(lr, i), "mean");
        double b = num(cJSON_GetArrayItem(lp, i), "mean");
        CU_ASSERT(a > 0);
        CU_ASSERT_EQUAL(a, b);
        lsame += a > 0 && a == b;
    }
    fprintf(stderr, "\n  %s: %d of %d inference counts and %d of %d layer means identical to the rtt run's\n",
            what, same, N, lsame, cJSON_GetArraySize(lr));
}

static void test_counts_same_over_rtt_and_uart(void)
{
    cm_e2e_require_tools();
    rtt_ref = run_over("rtt", "rtt", "", "rtt (QEMU gdbstub)", NULL);
    cJSON *u = run_over("uart", "uart", FAULTS, "uart (QEMU chardev socket)", NULL);
    CU_ASSERT_PTR_NOT_NULL(rtt_ref);
    CU_ASSERT(u == NULL || link_kpi(u, "retransmits") > 0); /* the faults did happen */
    same_counts(u, "uart");
    cJSON_Delete(u);
    CU_ASSERT_EQUAL(cm_e2e_count_qemu(neurio_test_tmpdir()), 0);
}

/* The reference run's report, from the device and the plugin: static RAM
 * by part (ram_bytes = data + bss + stack region), the stack's painted
 * peak beside its region, the packed FULLY_CONNECTED layout of each of
 * ad01's ten layers (auto on 4 MiB of flash: int16 everywhere) and the
 * figures of that choice, in profile.json, the KPIs and report.html. */
static void test_report_memory_and_layouts(void)
{
    cm_e2e_require_tools();
    CU_ASSERT_PTR_NOT_NULL_FATAL(rtt_ref);
    const cJSON *dev = cJSON_GetObjectItem(rtt_ref, "device");
    const cJSON *mem = cJSON_GetObjectItem(dev, "memory");
    double ram = num(mem, "ram_bytes"), bss = num(mem, "ram_bss_bytes");
    double region = num(mem, "stack_region_bytes"), peak = num(mem, "stack_peak_bytes");
    double data = cJSON_GetObjectItem(mem, "ram_data_bytes") ? num(mem, "ram_data_bytes") : 0;
    CU_ASSERT_EQUAL(region, 16384); /* device.stack_bytes' default */
    CU_ASSERT(bss >= num(mem, "arena_bytes"));
    CU_ASSERT_EQUAL(ram, data + bss + region);
    CU_ASSERT(peak > 0 && peak < region);
    double kpi_peak = -1;
    const cJSON *k;
    cJSON_ArrayForEach(k, cJSON_GetObjectItem(rtt_ref, "kpis"))
        if (!strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(k, "name")), "stack_max_bytes"))
            kpi_peak = num(k, "value");
    CU_ASSERT_EQUAL(kpi_peak, peak);
    const cJSON *layers = cJSON_GetObjectItem(rtt_ref, "layers");
    CU_ASSERT_EQUAL(cJSON_GetArraySize(layers), 10);
    double added = 0;
    for (int i = 0; i < cJSON_GetArraySize(layers); i++) {
        const cJSON *l = cJSON_GetArrayItem(layers, i);
        const char *lay = cJSON_GetStringValue(cJSON_GetObjectItem(l, "weights_layout"));
        CU_ASSERT_PTR_NOT_NULL(lay);
        CU_ASSERT(lay && !strcmp(lay, "packed int16"));
        CU_ASSERT(num(l, "weights_layout_bytes") > num(l, "weights_added_bytes"));
        added += num(l, "weights_added_bytes");
    }
    CU_ASSERT_EQUAL(added, 264192); /* 2 x 81920 + 5 x 16384 + 2 x 1024 + 16384 */
    const cJSON *w = cJSON_GetObjectItem(dev, "weights");
    CU_ASSERT_STRING_EQUAL(cJSON_GetStringValue(cJSON_GetObjectItem(w, "setting")), "auto");
    CU_ASSERT_EQUAL(num(w, "int16_layers"), 10);
    CU_ASSERT_EQUAL(num(w, "int8_layers"), 0);
    CU_ASSERT_EQUAL(num(w, "added_bytes"), added);
    CU_ASSERT_EQUAL(num(w, "flash_bytes"), 4194304);
    double flash = num(mem, "flash_text") + num(mem, "flash_rodata") + num(mem, "flash_data");
    CU_ASSERT(num(w, "code_bytes") > 0 && num(w, "code_bytes") + num(w, "const_bytes") == flash);
    CU_ASSERT(num(w, "budget_bytes") >= num(w, "const_bytes"));
    CU_ASSERT_PTR_NOT_NULL(strstr(cJSON_GetStringValue(cJSON_GetObjectItem(w, "decision")),
                                  "int16 for all 10 packed layer(s)"));
    char path[2048];
    char *html = neurio_test_run_file(cm_e2e_outdir("rtt-rtt"), "report.html", path,
                                      sizeof path) == 0
                     ? neurio_test_read_file(path, NULL) : NULL;
    CU_ASSERT_PTR_NOT_NULL(html && strstr(html, "<section id=\"memory\">"));
    CU_ASSERT_PTR_NOT_NULL(html && strstr(html, "<td>packed int16</td>"));
    free(html);
}

/* The firmware reboots after every 5 inferences (mid-batch: batches of 8)
 * over RTT: the host sees the boot hello in the up ring, re-sends the
 * batch, and every result arrives once, bit-exact.  The same run (no extra
 * QEMU run) has a code memory where device.fc_weights = auto decides on
 * the image's measured code, not the 64 KiB estimate. */
static void test_reset_mid_batch_over_rtt(void)
{
    cm_e2e_require_tools();
    char *log = NULL;
    cJSON *r = run_over("reset", "rtt", "reset_after = 5; flash_bytes = 560000; " FAULTS,
                        "rtt (QEMU gdbstub)", &log);
    CU_ASSERT_PTR_NOT_NULL(log && strstr(log, "device rebooted"));
    /* 560,000 bytes of flash less the 64 KiB code estimate left ad01's last
     * layer int8; the measured code (about 10 kB) gives it int16 in a
     * second build: the same code as the reference run, hence the same
     * counts below */
    CU_ASSERT_PTR_NOT_NULL(log && strstr(log, "device.fc_weights = auto, built again (2 builds)"));
    free(log);
    const cJSON *w = cJSON_GetObjectItem(cJSON_GetObjectItem(r, "device"), "weights");
    CU_ASSERT_EQUAL(num(w, "builds"), 2);
    CU_ASSERT_EQUAL(num(w, "flash_bytes"), 560000);
    CU_ASSERT_EQUAL(num(w, "int16_layers"), 10);
    CU_ASSERT(num(w, "budget_bytes") > 560000 - 65536 && num(w, "budget_bytes") < 560000);
    CU_ASSERT(num(w, "code_bytes") > 0 && num(w, "code_bytes") < 65536);
    CU_ASSERT_PTR_NOT_NULL(strstr(cJSON_GetStringValue(cJSON_GetObjectItem(w, "code_source")),
                                  "the flash less the code of a first build"));
    CU_ASSERT(r == NULL || link_kpi(r, "retransmits") > 0);
    same_counts(r, "rtt again, with reboots"); /* a rerun on the same channel */
    cJSON_Delete(r);
    CU_ASSERT_EQUAL(cm_e2e_count_qemu(neurio_test_tmpdir()), 0);
}

/* QEMU's gdbstub made unusable (TEST-ONLY device.test_gdbstub_unusable: the
 * host connects to a socket path that cannot exist): with link = rtt the
 * run fails naming the gdb server; with auto it falls back to the UART,
 * warns why, and runs bit-exact with the same counts. */
static void test_gdbstub_unusable(void)
{
    cm_e2e_require_tools();
    char *log = NULL;
    const char *broken = "test_gdbstub_unusable = true;";
    int rc = cm_e2e_run("rtt-broken", rig("rtt-broken", "rtt", broken), "", &log);
    CU_ASSERT_NOT_EQUAL(rc, 0);
    CU_ASSERT_PTR_NOT_NULL(log && strstr(log, "neurio-test-gdbstub-unusable"));
    free(log);
    log = NULL;
    cJSON *a = run_over("auto-broken", "auto", broken, "uart (QEMU chardev socket)", &log);
    CU_ASSERT_PTR_NOT_NULL(log && strstr(log, "the RTT channel through QEMU's gdbstub failed ("));
    CU_ASSERT_PTR_NOT_NULL(log && strstr(log, "linking over the UART instead"));
    free(log);
    same_counts(a, "uart after the gdbstub fallback");
    cJSON_Delete(a);
    CU_ASSERT_EQUAL(cm_e2e_count_qemu(neurio_test_tmpdir()), 0);
}

static int cleanup(void)
{
    cJSON_Delete(rtt_ref);
    rtt_ref = NULL;
    return 0;
}

int neurio_register_tests(void)
{
    if (!neurio_test_shared_dir() || !cm_e2e_golden("ad01_int8"))
        neurio_test_skip("../shared/golden/ad01_int8 is absent");
    CU_pSuite s = CU_add_suite("cortexm_rtt", NULL, cleanup);
    if (!s)
        return -1;
    CU_add_test(s, "counts_same_over_rtt_and_uart", test_counts_same_over_rtt_and_uart);
    CU_add_test(s, "report_memory_and_layouts", test_report_memory_and_layouts);
    CU_add_test(s, "reset_mid_batch_over_rtt", test_reset_mid_batch_over_rtt);
    CU_add_test(s, "gdbstub_unusable", test_gdbstub_unusable);
    return 0;
}

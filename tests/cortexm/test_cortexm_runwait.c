/* tests/cortexm/test_cortexm_runwait.c — the RUN wait policy on the emulated
 * Cortex-M4F (label e2e, issue 14): a slow but healthy device is never
 * declared hung, a hung one is, in bounded time, naming the channel and
 * the wait, with the results already received kept.  One firmware per
 * channel, built with the TEST-ONLY options device.test_slow_run (every
 * inference first counts to that many million in a busy loop) and
 * device.test_hang_run = 3 (the third RUN is acknowledged, then the core
 * spins forever): samples 1 and 2 are slow and must come back bit-exact,
 * sample 3 must be reported hung.
 *  - RTT (QEMU's gdbstub): run_timeout_ms counts the device's own time
 *    (its counter, read while the core is stopped for the rings; at the
 *    board's clock, as the report's device latency), whatever the host's
 *    load: the slow inferences (7.2 s of device time each) pass a 10 s
 *    limit, and the spin is seen as a core looping in place (every
 *    register unchanged) within seconds.  A third firmware whose first
 *    inference would take 290 s of device time is stopped once it has
 *    run run_timeout_ms = 3000 of them.
 *  - UART: the host cannot see the device; queued RUNs wait behind the
 *    slow one (timeout_ms = 100 is far below an inference), and the hang
 *    is the device's silence for run_timeout_ms.
 * CI size (label e2e, one firmware build, ~10 s): the RTT case;
 * test_cortexm_runwait_all (label long, NEURIO_RUNWAIT_ALL=1) adds the
 * UART and the device-time limit (the host side of both is covered in
 * CI by test_link's "slow device" and "hung device").
 * Skips (exit 77) without ../shared or the ARM tools. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm_e2e_util.h"
#include "test_util.h"

static const char *rig(const char *name, const char *device)
{
    static char dev[1024], data[2048], model[2048];
    const char *g = cm_e2e_golden("ad01_int8");
    snprintf(dev, sizeof dev, "board = \"mps2-an386\"; test_hang_run = 3; %s", device);
    snprintf(model, sizeof model, "%s/models/ad01_int8.tflite", neurio_test_shared_dir());
    snprintf(data, sizeof data, "inputs = \"%s/input.npy\"; batch_size = 4; limit = 4;", g);
    return cm_e2e_rig(name, dev, model, data);
}

/* The run fails as hung after 2 slow samples, which are kept bit-exact;
 * every string of `want` (NULL-ended) is in its log. */
static void hung_after_two(const char *name, const char *device, const char *const *want)
{
    cm_e2e_require_tools();
    char *log = NULL;
    int rc = cm_e2e_run(name, rig(name, device), "", &log);
    CU_ASSERT_NOT_EQUAL(rc, 0);
    for (int i = 0; want[i]; i++) {
        CU_ASSERT_PTR_NOT_NULL(log && strstr(log, want[i]));
        if (!log || !strstr(log, want[i]))
            fprintf(stderr, "\n  [%s] no '%s' in:\n%s\n", name, want[i], log ? log : "");
    }
    const char *msg = log ? strstr(log, "infer failed") : NULL;
    if (msg)
        fprintf(stderr, "\n  %s: %.*s\n", name, (int)strcspn(msg, "\n"), msg);
    /* Over RTT the verdict comes from the device's own state (either one). */
    if (log && strstr(log, "rtt over gdb"))
        CU_ASSERT(strstr(log, "loops in place") != NULL ||
                  strstr(log, "of its own time") != NULL);
    free(log);
    neurio_npy pred, golden;
    neurio_errbuf e;
    char path[2048];
    snprintf(path, sizeof path, "%s/output.npy", cm_e2e_golden("ad01_int8"));
    CU_ASSERT_EQUAL_FATAL(neurio_npy_read(path, &golden, &e), NEURIO_OK);
    CU_ASSERT_EQUAL_FATAL(cm_e2e_read_pred(cm_e2e_outdir(name), "pred.npy", &pred), 0);
    CU_ASSERT_EQUAL(pred.dims[0], 2); /* the two slow samples, kept */
    size_t row = golden.bytes / (size_t)golden.dims[0];
    CU_ASSERT_EQUAL(pred.bytes, 2 * row);
    if (pred.bytes == 2 * row)
        CU_ASSERT_EQUAL(memcmp(pred.data, golden.data, pred.bytes), 0);
    neurio_npy_free(&pred);
    neurio_npy_free(&golden);
    CU_ASSERT_EQUAL(cm_e2e_count_qemu(neurio_test_tmpdir()), 0);
}

/* The hung RUN spins in place, so two verdicts are right and which comes
 * first depends on how fast the host runs QEMU: every register unchanged
 * for 3 s of host polls, or run_timeout_ms of device time (60 s here, a
 * second or two of host time on an idle machine).  Either passes; the test
 * asserts the hang is named, not which clock saw it first. */
static void test_rtt(void)
{
    static const char *const want[] = {"rtt over gdb", "accepted RUN", "the inference hangs",
                                       NULL};
    hung_after_two("runwait-rtt",
                   "link = \"rtt\"; test_slow_run = 30; timeout_ms = 100; run_timeout_ms = 60000;",
                   want);
}

/* A loop that is not in place (its counter moves) but would need 290 s of
 * device time: stopped after run_timeout_ms of device time. */
static void test_rtt_too_long(void)
{
    cm_e2e_require_tools();
    const char *name = "runwait-long";
    char *log = NULL;
    const char *r = rig(name, "link = \"rtt\"; test_slow_run = 1200; run_timeout_ms = 3000;");
    int rc = cm_e2e_run(name, r, "", &log);
    CU_ASSERT_NOT_EQUAL(rc, 0);
    CU_ASSERT_PTR_NOT_NULL(log && strstr(log, "rtt over gdb"));
    CU_ASSERT_PTR_NOT_NULL(log && strstr(log, "of its own time"));
    CU_ASSERT_PTR_NOT_NULL(log && strstr(log, "(run_timeout_ms 3000"));
    const char *msg = log ? strstr(log, "infer failed") : NULL;
    if (msg)
        fprintf(stderr, "\n  %s: %.*s\n", name, (int)strcspn(msg, "\n"), msg);
    else
        fprintf(stderr, "\n  [%s] %s\n", name, log ? log : "");
    free(log);
    CU_ASSERT_EQUAL(cm_e2e_count_qemu(neurio_test_tmpdir()), 0);
}

static void test_uart(void)
{
    static const char *const want[] = {"accepted RUN", "and then sent nothing for",
                                       "run_timeout_ms 8000", "the inference hangs", NULL};
    hung_after_two("runwait-uart",
                   "link = \"uart\"; test_slow_run = 2; timeout_ms = 100; run_timeout_ms = 8000;",
                   want);
}

int neurio_register_tests(void)
{
    if (!neurio_test_shared_dir() || !cm_e2e_golden("ad01_int8"))
        neurio_test_skip("../shared/golden/ad01_int8 is absent");
    CU_pSuite s = CU_add_suite("cortexm_runwait", NULL, NULL);
    if (!s)
        return -1;
    CU_add_test(s, "slow then hung over RTT", test_rtt);
    if (getenv("NEURIO_RUNWAIT_ALL")) {
        CU_add_test(s, "longer than run_timeout_ms of device time", test_rtt_too_long);
        CU_add_test(s, "slow then hung over the UART", test_uart);
    }
    return 0;
}

/* tests/sweep/test_compare_gate.c — CI gating with `neurio compare`
 * (issue 17): per-layer counts go into the store; a run with a deliberate
 * latency regression (test_echo's `slowdown`) fails the threshold with exit
 * 7, an identical rerun passes; a regression in one layer is named by
 * --max-layer-increase, and each layer's weight layout (test_echo's
 * `layout`) is stored and read back by compare and show; differing sample
 * counts warn (and fail with
 * --fail-on-warning); bad threshold values are usage errors. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sweep_util.h"
#include "test_util.h"

static char base[64], same[64], slow[64], layer5[64], shorter[64];
static char db[4200];

static void run_rig(const char *rig, const char *sets, char id[64])
{
    char args[8192], *out = NULL;
    snprintf(args, sizeof args, "run '%s' %s", rig, sets);
    int st = sw_run(args, &out);
    if (st)
        fprintf(stderr, "%s\n", out ? out : "");
    CU_ASSERT_EQUAL(st, 0);
    CU_ASSERT_EQUAL(sw_run_id(out, id), 0);
    free(out);
}

static void test_layers_stored(void)
{
    const char *rig = sw_rig("gate.cfg", NULL, 20, NULL);
    run_rig(rig, "", base);
    run_rig(rig, "", same);
    run_rig(rig, "--set device.slowdown=1.2", slow);
    run_rig(rig, "--set device.slowdown=2 --set device.slow_layer=5 "
                 "--set device.layout=straight-line", layer5);
    run_rig(rig, "--set data.limit=12", shorter);
    snprintf(db, sizeof db, "%s/runs/results.db", sw_dir);
    char sql[512];
    long long v = -1;
    /* kws_ref_model has 13 ops; test_echo counts layer l as 10 * (l + 1). */
    snprintf(sql, sizeof sql, "SELECT count(*) FROM layers WHERE run_id = '%s'", base);
    CU_ASSERT_EQUAL(sw_sql_int(db, sql, &v), 0);
    CU_ASSERT_EQUAL(v, 13);
    snprintf(sql, sizeof sql, "SELECT mean FROM layers WHERE run_id = '%s' AND idx = 5", layer5);
    CU_ASSERT_EQUAL(sw_sql_int(db, sql, &v), 0);
    CU_ASSERT_EQUAL(v, 120);
    /* the layer5 run's plugin reported a weight layout per layer (schema 5) */
    snprintf(sql, sizeof sql, "SELECT weights_layout_bytes + weights_added_bytes FROM layers "
             "WHERE run_id = '%s' AND idx = 5 AND weights_layout = 'straight-line'", layer5);
    CU_ASSERT_EQUAL(sw_sql_int(db, sql, &v), 0);
    CU_ASSERT_EQUAL(v, 6600);
    snprintf(sql, sizeof sql, "SELECT count(*) FROM layers WHERE run_id = '%s' AND "
             "weights_layout IS NULL", base);
    CU_ASSERT_EQUAL(sw_sql_int(db, sql, &v), 0);
    CU_ASSERT_EQUAL(v, 13);
}

static void test_latency_gate(void)
{
    char args[1024], *out = NULL;
    snprintf(args, sizeof args, "compare %s %s --store sqlite:runs/results.db "
             "--max-latency-increase 5%% --max-cycles-increase 5%%", base, slow);
    CU_ASSERT_EQUAL(sw_run(args, &out), 7);
    sw_expect(out, "FAIL  latency device_latency_p50");
    sw_expect(out, "REGRESSION: 2 of 2 thresholds failed");
    free(out);
    /* The identical rerun passes the same gate. */
    snprintf(args, sizeof args, "compare %s %s --store sqlite:runs/results.db "
             "--max-latency-increase 5%% --max-cycles-increase 5%% --max-layer-increase 0",
             base, same);
    CU_ASSERT_EQUAL(sw_run(args, &out), 0);
    sw_expect(out, "PASS  latency device_latency_p50");
    sw_expect(out, "ok: 0 of 3 thresholds failed");
    sw_expect(out, "0 of 13 changed");
    free(out);
    /* A looser limit lets the slower run through. */
    snprintf(args, sizeof args, "compare %s %s --store sqlite:runs/results.db "
             "--max-latency-increase 25", base, slow);
    CU_ASSERT_EQUAL(sw_run(args, &out), 0);
    free(out);
}

static void test_layer_gate(void)
{
    char args[1024], *out = NULL;
    /* Only layer 5 doubled: the whole-run latency is unchanged, the layer
     * gate names layer 5. */
    snprintf(args, sizeof args, "compare %s %s --store sqlite:runs/results.db "
             "--max-latency-increase 5%% --max-layer-increase 10%%", base, layer5);
    CU_ASSERT_EQUAL(sw_run(args, &out), 7);
    sw_expect(out, "PASS  latency");
    sw_expect(out, "FAIL  per-layer counts: largest increase layer 5 DEPTHWISE_CONV_2D");
    sw_expect(out, "1 of 13 changed");
    /* the weight layouts read back: B's differ on every layer */
    sw_expect(out, "weight layouts: 13 of 13 layers differ");
    sw_expect(out, "  5     DEPTHWISE_CONV_2D    -                           - straight-line    "
                   "        6000");
    free(out);
    /* `neurio show` prints each layer's count and layout */
    snprintf(args, sizeof args, "show %s --store sqlite:runs/results.db", layer5);
    CU_ASSERT_EQUAL(sw_run(args, &out), 0);
    sw_expect(out, "layers (cycles, mean per inference; weight layout, bytes, added over int8)");
    sw_expect(out, "  5    DEPTHWISE_CONV_2D");
    sw_expect(out, "120  straight-line          6000        600\n");
    free(out);
}

static void test_warnings_and_usage(void)
{
    char args[1024], *out = NULL;
    snprintf(args, sizeof args, "compare %s %s --store sqlite:runs/results.db "
             "--min-accuracy 0", base, shorter);
    CU_ASSERT_EQUAL(sw_run(args, &out), 0);
    sw_expect(out, "warning: different sample counts (A 20, B 12)");
    free(out);
    snprintf(args, sizeof args, "compare %s %s --store sqlite:runs/results.db "
             "--fail-on-warning", base, shorter);
    CU_ASSERT_EQUAL(sw_run(args, &out), 7);
    sw_expect(out, "FAIL  warnings: 1");
    free(out);
    snprintf(args, sizeof args, "compare %s %s --store sqlite:runs/results.db "
             "--max-latency-increase fast", base, same);
    CU_ASSERT_EQUAL(sw_run(args, &out), 2);
    sw_expect(out, "--max-latency-increase 'fast': expected a percentage such as 5%");
    free(out);
    snprintf(args, sizeof args, "compare %s %s --store sqlite:runs/results.db "
             "--max-flash 1M", base, same);
    CU_ASSERT_EQUAL(sw_run(args, &out), 7); /* test_echo reports no flash figure */
    sw_expect(out, "FAIL  --max-flash 1048576: B has no flash figure to check");
    free(out);
}

int neurio_register_tests(void)
{
    sw_setup();
    CU_pSuite s = CU_add_suite("compare-gate", NULL, NULL);
    if (!s)
        return -1;
    CU_add_test(s, "per-layer counts stored", test_layers_stored);
    CU_add_test(s, "latency regression fails, identical rerun passes", test_latency_gate);
    CU_add_test(s, "one slower layer named", test_layer_gate);
    CU_add_test(s, "warnings, --fail-on-warning, bad values", test_warnings_and_usage);
    return 0;
}

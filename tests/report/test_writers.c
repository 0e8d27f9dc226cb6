/* tests/report/test_writers.c — profile JSON (validated against
 * schema/profile.schema.json, and the schema must reject a broken profile),
 * CSV rows, the terminal summary and the HTML page's structure. */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "report/profile_json.h"
#include "report/report_csv.h"
#include "report/report_html.h"
#include "report/summary.h"
#include "report/sweep_report.h"
#include "kpi/kpi_metrics.h"
#include "test_util.h"

static fixture fx;

static int validate(const char *json_path, char **out)
{
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "/usr/bin/python3 '%s/tests/report/validate_json.py' "
             "'%s/schema/profile.schema.json' '%s'", NEURIO_SOURCE_DIR, NEURIO_SOURCE_DIR,
             json_path);
    return neurio_test_run(cmd, out);
}

static void test_profile_valid(void)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/profile.json", neurio_test_tmpdir());
    neurio_errbuf err = { { 0 } };
    CU_ASSERT_EQUAL_FATAL(nr_profile_write(&fx.d, path, &err), 0);
    char *out = NULL;
    int st = validate(path, &out);
    if (st == 77) {
        free(out);
        neurio_test_skip("python3-jsonschema is not installed (Debian package)");
    }
    if (st != 0)
        fprintf(stderr, "validator: %s\n", out ? out : "");
    CU_ASSERT_EQUAL(st, 0);
    free(out);

    /* Read it back: the NeurIO fields and ours hold what went in. */
    char *text = neurio_test_read_file(path, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(text);
    cJSON *j = cJSON_Parse(text);
    CU_ASSERT_PTR_NOT_NULL_FATAL(j);
    const cJSON *inf = cJSON_GetObjectItemCaseSensitive(j, "inference");
    CU_ASSERT_EQUAL(cJSON_GetObjectItem(inf, "batch_size")->valueint, 4);
    CU_ASSERT_DOUBLE_EQUAL(cJSON_GetObjectItem(inf, "model_load_time")->valuedouble, 1.5, 1e-9);
    const cJSON *it = cJSON_GetObjectItem(inf, "inference_time");
    CU_ASSERT_EQUAL(cJSON_GetArraySize(it), 6);
    /* Device time = instructions / clock: 25000 / 25 MHz = 1 ms. */
    CU_ASSERT_DOUBLE_EQUAL(cJSON_GetArrayItem(it, 0)->valuedouble, 0.001, 1e-12);
    CU_ASSERT_PTR_NOT_NULL(strstr(cJSON_GetObjectItem(inf, "inference_time_source")->valuestring,
                                  "estimated"));
    const cJSON *cm = cJSON_GetObjectItem(cJSON_GetObjectItem(j, "classification"),
                                          "confusion_matrix");
    CU_ASSERT_EQUAL(cJSON_GetArraySize(cm), 4);
    CU_ASSERT_EQUAL(cJSON_GetArrayItem(cJSON_GetArrayItem(cm, 0), 0)->valueint, 2);
    const cJSON *pc = cJSON_GetObjectItem(cJSON_GetObjectItem(j, "classification"), "per_class");
    CU_ASSERT(cJSON_IsNull(cJSON_GetObjectItem(cJSON_GetArrayItem(pc, 3), "recall")));
    const cJSON *prov = cJSON_GetObjectItem(j, "provenance");
    CU_ASSERT_STRING_EQUAL(cJSON_GetObjectItem(prov, "git_revision")->valuestring, "abc1234");
    CU_ASSERT_STRING_EQUAL(cJSON_GetObjectItem(prov, "model_sha256")->valuestring,
                           fx.d.model_sha256);
    int found_energy = 0;
    const cJSON *k;
    cJSON_ArrayForEach(k, cJSON_GetObjectItem(j, "kpis"))
        if (!strcmp(cJSON_GetObjectItem(k, "name")->valuestring, "energy_per_inference")) {
            found_energy = 1;
            CU_ASSERT_STRING_EQUAL(cJSON_GetObjectItem(k, "unit")->valuestring, "uJ");
            CU_ASSERT_PTR_NOT_NULL(strstr(cJSON_GetObjectItem(k, "source")->valuestring,
                                          "estimated"));
        }
    CU_ASSERT(found_energy);
    CU_ASSERT_EQUAL(cJSON_GetArraySize(cJSON_GetObjectItem(j, "layers")), 2);
    CU_ASSERT_EQUAL(cJSON_GetArraySize(cJSON_GetObjectItem(j, "measurements")), 6);
    /* Static RAM by part, the stack's peak beside its region (the deepest
     * of the six: 900 + 4 * 5), each layer's weight layout and the choice. */
    const cJSON *mem = cJSON_GetObjectItem(cJSON_GetObjectItem(j, "device"), "memory");
    CU_ASSERT_EQUAL(cJSON_GetNumberValue(cJSON_GetObjectItem(mem, "ram_data_bytes")), 128);
    CU_ASSERT_EQUAL(cJSON_GetNumberValue(cJSON_GetObjectItem(mem, "ram_bss_bytes")), 4032);
    CU_ASSERT_EQUAL(cJSON_GetNumberValue(cJSON_GetObjectItem(mem, "stack_region_bytes")), 4032);
    CU_ASSERT_EQUAL(cJSON_GetNumberValue(cJSON_GetObjectItem(mem, "stack_peak_bytes")), 920);
    const cJSON *l0 = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "layers"), 0);
    const cJSON *l1 = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "layers"), 1);
    CU_ASSERT_PTR_NULL(cJSON_GetObjectItem(l0, "weights_layout"));
    CU_ASSERT_STRING_EQUAL(cJSON_GetStringValue(cJSON_GetObjectItem(l1, "weights_layout")),
                           "packed int16");
    CU_ASSERT_EQUAL(cJSON_GetNumberValue(cJSON_GetObjectItem(l1, "weights_layout_bytes")), 2112);
    CU_ASSERT_EQUAL(cJSON_GetNumberValue(cJSON_GetObjectItem(l1, "weights_added_bytes")), 1024);
    const cJSON *wc = cJSON_GetObjectItem(cJSON_GetObjectItem(j, "device"), "weights");
    CU_ASSERT_STRING_EQUAL(cJSON_GetStringValue(cJSON_GetObjectItem(wc, "setting")), "auto");
    CU_ASSERT_EQUAL(cJSON_GetNumberValue(cJSON_GetObjectItem(wc, "code_bytes")), 21000);
    CU_ASSERT_EQUAL(cJSON_GetNumberValue(cJSON_GetObjectItem(wc, "budget_bytes")), 44536);
    CU_ASSERT_EQUAL(cJSON_GetNumberValue(cJSON_GetObjectItem(wc, "int16_layers")), 1);
    int found_region = 0;
    const cJSON *km;
    cJSON_ArrayForEach(km, cJSON_GetObjectItem(j, "kpis"))
        found_region += !strcmp(cJSON_GetObjectItem(km, "name")->valuestring,
                                "stack_region_bytes") &&
                        cJSON_GetNumberValue(cJSON_GetObjectItem(km, "value")) == 4032;
    CU_ASSERT_EQUAL(found_region, 1);

    /* The schema has teeth: drop a required NeurIO field, break a type. */
    cJSON_DeleteItemFromObject(cJSON_GetObjectItem(j, "inference"), "inference_time");
    char *broken = cJSON_Print(j);
    char bpath[1100];
    snprintf(bpath, sizeof bpath, "%s/broken.json", neurio_test_tmpdir());
    CU_ASSERT_EQUAL_FATAL(neurio_test_write_file(bpath, broken, strlen(broken)), 0);
    out = NULL;
    CU_ASSERT_EQUAL(validate(bpath, &out), 1);
    CU_ASSERT_PTR_NOT_NULL(out && strstr(out, "inference_time"));
    free(out);
    free(broken);
    cJSON_Delete(j);
    free(text);
}

/* output.profile_inferences: the summarised profile leaves the two
 * per-inference arrays empty with notes saying where the rows are, stays
 * valid, and its size does not depend on the number of inferences. */
static void test_profile_summary(void)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/profile_summary.json", neurio_test_tmpdir());
    neurio_errbuf err = { { 0 } };
    nr_report_data d = fx.d;
    d.profile_summary = 1;
    CU_ASSERT_EQUAL_FATAL(nr_profile_write(&d, path, &err), 0);
    char *out = NULL;
    int st = validate(path, &out);
    if (st != 0 && st != 77)
        fprintf(stderr, "validator: %s\n", out ? out : "");
    CU_ASSERT(st == 0 || st == 77);
    free(out);
    char *text = neurio_test_read_file(path, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(text);
    cJSON *j = cJSON_Parse(text);
    CU_ASSERT_PTR_NOT_NULL_FATAL(j);
    const cJSON *inf = cJSON_GetObjectItem(j, "inference");
    CU_ASSERT_EQUAL(cJSON_GetArraySize(cJSON_GetObjectItem(inf, "inference_time")), 0);
    const cJSON *n1 = cJSON_GetObjectItem(inf, "inference_time_note");
    CU_ASSERT(cJSON_IsString(n1) && strstr(n1->valuestring, "6 per-inference times") &&
              strstr(n1->valuestring, "inferences.csv"));
    CU_ASSERT_EQUAL(cJSON_GetArraySize(cJSON_GetObjectItem(j, "measurements")), 0);
    const cJSON *n2 = cJSON_GetObjectItem(j, "measurements_note");
    CU_ASSERT(cJSON_IsString(n2) && strstr(n2->valuestring, "6 per-inference rows"));
    CU_ASSERT(cJSON_GetArraySize(cJSON_GetObjectItem(j, "kpis")) > 0);
    cJSON_Delete(j);
    free(text);
    /* the rig's modes */
    CU_ASSERT_EQUAL(nr_profile_summarise("all", 10000000), 0);
    CU_ASSERT_EQUAL(nr_profile_summarise("summary", 1), 1);
    CU_ASSERT_EQUAL(nr_profile_summarise("auto", NR_PROFILE_AUTO_MAX), 0);
    CU_ASSERT_EQUAL(nr_profile_summarise(NULL, NR_PROFILE_AUTO_MAX + 1), 1);
}

static void test_profile_minimal_run(void)
{
    /* A run that failed before flashing: no model, no device, no samples. */
    nr_metrics none = { 0 };
    nr_report_data d = { .run_id = "r-failed", .status = "failed", .error = "flash failed: x",
                         .task = "none", .metrics = &none, .model_load_time_s = -1,
                         .started_at = "2026-11-26T06:00:00Z" };
    char path[1024];
    snprintf(path, sizeof path, "%s/failed.json", neurio_test_tmpdir());
    neurio_errbuf err = { { 0 } };
    CU_ASSERT_EQUAL_FATAL(nr_profile_write(&d, path, &err), 0);
    char *out = NULL;
    int st = validate(path, &out);
    if (st != 0)
        fprintf(stderr, "validator: %s\n", out ? out : "");
    CU_ASSERT(st == 0 || st == 77);
    free(out);
    /* Unwritable destination: one line naming the path. */
    CU_ASSERT_EQUAL(nr_profile_write(&d, "/nonexistent-dir/p.json", &err), NEURIO_ERR_IO);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "/nonexistent-dir/p.json"));
}

static void test_csv(void)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/rows.csv", neurio_test_tmpdir());
    neurio_errbuf err = { { 0 } };
    CU_ASSERT_EQUAL_FATAL(nr_report_csv_write(&fx.d, path, &err), 0);
    char *text = neurio_test_read_file(path, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(text);
    CU_ASSERT_EQUAL(strncmp(text, "index,host_ns,cycles,stack_bytes,label,prediction,correct,"
                                  "score,ref_max_abs_error\n", 82), 0);
    /* Sample 1: label 1, predicted 0 (tie), wrong; no score. */
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "\n1,1250000,26000,904,1,0,0,,0.1000000"));
    int lines = 0;
    for (char *p = text; *p; p++)
        lines += *p == '\n';
    CU_ASSERT_EQUAL(lines, 7);
    free(text);
}

static char *capture_summary(int color)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/summary-%d.txt", neurio_test_tmpdir(), color);
    FILE *f = fopen(path, "w");
    if (!f)
        return NULL;
    nr_summary_print(f, &fx.d, color);
    fclose(f);
    return neurio_test_read_file(path, NULL);
}

static void test_summary(void)
{
    char *plain = capture_summary(0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(plain);
    CU_ASSERT_PTR_NULL(strchr(plain, '\033'));
    CU_ASSERT_PTR_NOT_NULL(strstr(plain, "top1_accuracy            50.00 %"));
    CU_ASSERT_PTR_NOT_NULL(strstr(plain, "host latency             mean "));
    CU_ASSERT_PTR_NOT_NULL(strstr(plain, "instructions             mean 26000"));
    CU_ASSERT_PTR_NOT_NULL(strstr(plain, "arena_bytes              2 048 B"));
    /* total static RAM, its parts and the stack's peak, in the terminal */
    CU_ASSERT_PTR_NOT_NULL(strstr(plain, "ram_bytes                8 192 B"));
    CU_ASSERT_PTR_NOT_NULL(strstr(plain, "ram_bss_bytes            4 032 B"));
    CU_ASSERT_PTR_NOT_NULL(strstr(plain, "stack_region_bytes       4 032 B"));
    CU_ASSERT_PTR_NOT_NULL(strstr(plain, "stack_max_bytes          920 B"));
    CU_ASSERT_PTR_NOT_NULL(strstr(plain, "(estimated: 0.012 A x 3.3 V x device latency)"));
    CU_ASSERT_PTR_NULL(strstr(plain, "host_latency_p50")); /* folded into one line */
    char *color = capture_summary(1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(color);
    CU_ASSERT_PTR_NOT_NULL(strstr(color, "\033[1maccuracy\033[0m"));
    /* A file is not a TTY: automatic mode means no colour. */
    char path[1024];
    snprintf(path, sizeof path, "%s/summary-auto.txt", neurio_test_tmpdir());
    FILE *f = fopen(path, "w");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    nr_summary_print(f, &fx.d, -1);
    fclose(f);
    char *autom = neurio_test_read_file(path, NULL);
    CU_ASSERT_PTR_NOT_NULL(autom);
    CU_ASSERT_PTR_NULL(autom ? strchr(autom, '\033') : "x");
    free(autom);
    free(plain);
    free(color);
    char buf[64];
    CU_ASSERT_STRING_EQUAL(nr_summary_format(buf, sizeof buf, 1234567, "bytes"), "1 234 567 B");
    CU_ASSERT_STRING_EQUAL(nr_summary_format(buf, sizeof buf, 0.9375, "ratio"), "93.75 %");
}

static void test_html_structure(void)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/report.html", neurio_test_tmpdir());
    neurio_errbuf err = { { 0 } };
    CU_ASSERT_EQUAL_FATAL(nr_report_html_write(&fx.d, path, &err), 0);
    char *html = neurio_test_read_file(path, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(html);
    CU_ASSERT_PTR_NOT_NULL(strstr(html, "id=\"latency-histogram\""));
    CU_ASSERT_PTR_NOT_NULL(strstr(html, "id=\"layer-bars\""));
    CU_ASSERT_PTR_NOT_NULL(strstr(html, "id=\"confusion-matrix\""));
    CU_ASSERT_PTR_NOT_NULL(strstr(html, "id=\"fidelity-errors\""));
    /* static RAM by part, stack peak 920 B beside the 4 032 B region, the
     * layouts and the (escaped) decision */
    CU_ASSERT_PTR_NOT_NULL(strstr(html, "<section id=\"memory\">"));
    CU_ASSERT_PTR_NOT_NULL(strstr(html, "<td class=\"num\">4 032 B</td><td class=\"num\">920 B</td>"));
    CU_ASSERT_PTR_NOT_NULL(strstr(html, "<td>packed int16</td><td class=\"num\">2 112 B</td>"));
    CU_ASSERT_PTR_NOT_NULL(strstr(html, "auto: int16 for all 1 packed layer(s) &lt;fits&gt;"));
    CU_ASSERT_PTR_NOT_NULL(strstr(html, "tiny &lt;&amp;&gt; &quot;quoted&quot;.cfg"));
    CU_ASSERT_PTR_NULL(strstr(html, "http://") && !strstr(html, "xmlns=\"http://www.w3.org")
                           ? "x" : NULL);
    CU_ASSERT_PTR_NULL(strstr(html, "<script"));
    CU_ASSERT_PTR_NULL(strstr(html, "https://"));
    free(html);
}

/* A sweep over two models: a one-output model has cosine_similarity only
 * (no argmax), the other argmax_agreement first.  Every row then uses the
 * common figure (cosine_similarity), and the front compares like with
 * like; with no common figure, a row is only dominated by rows of its own
 * figure. */
static void test_sweep_figure(void)
{
    static const struct { double cos, agree, lat; } v[3] = {
        { 0.99, NAN, 0.1 }, { 0.95, 1.0, 10 }, { 0.999, 0.5, 20 } };
    nr_sweep_row rows[3];
    memset(rows, 0, sizeof rows);
    for (int i = 0; i < 3; i++) {
        nr_metrics m = { 0 };
        if (!isnan(v[i].agree))
            CU_ASSERT_EQUAL(nr_metrics_add(&m, "fidelity", "argmax_agreement", v[i].agree,
                                           "ratio", "t"), 0);
        CU_ASSERT_EQUAL(nr_metrics_add(&m, "fidelity", "cosine_similarity", v[i].cos, "ratio",
                                       "t"), 0);
        CU_ASSERT_EQUAL(nr_metrics_add(&m, "latency", "device_latency_p50", v[i].lat, "ms",
                                       "t"), 0);
        nr_sweep_row_figures(&rows[i], &m);
        nr_metrics_free(&m);
        rows[i].complete = 1;
    }
    CU_ASSERT_STRING_EQUAL(rows[1].acc_name, "argmax_agreement"); /* its own headline */
    nr_sweep_pareto(rows, 3);
    for (int i = 0; i < 3; i++) {
        CU_ASSERT_STRING_EQUAL(rows[i].acc_name, "cosine_similarity");
        CU_ASSERT_DOUBLE_EQUAL(rows[i].acc, v[i].cos, 1e-12);
    }
    CU_ASSERT(rows[0].front[NR_SW_LAT]);  /* fastest */
    CU_ASSERT(!rows[1].front[NR_SW_LAT]); /* slower and less similar than 0 */
    CU_ASSERT(rows[2].front[NR_SW_LAT]);  /* most similar */
    /* no common figure: row 1 (top1 1.0, 10 ms) cannot push row 2 (roc_auc
     * 0.5, 20 ms) off, the figures are not comparable */
    static const char *const names[3] = { "cosine_similarity", "top1_accuracy", "roc_auc" };
    static const double acc[3] = { 0.99, 1.0, 0.5 };
    for (int i = 0; i < 3; i++) {
        snprintf(rows[i].acc_name, sizeof rows[i].acc_name, "%s", names[i]);
        rows[i].acc = acc[i];
        for (int a = 0; a < NR_SW_N_ACC; a++)
            rows[i].accs[a] = NAN;
    }
    nr_sweep_pareto(rows, 3);
    CU_ASSERT_STRING_EQUAL(rows[2].acc_name, "roc_auc");
    CU_ASSERT(rows[0].front[NR_SW_LAT] && rows[1].front[NR_SW_LAT] && rows[2].front[NR_SW_LAT]);
}

int neurio_register_tests(void)
{
    if (fixture_make(&fx)) {
        fprintf(stderr, "cannot build the report fixture\n");
        return -1;
    }
    CU_pSuite s = CU_add_suite("writers", NULL, NULL);
    if (!s)
        return -1;
    CU_add_test(s, "profile JSON validates against the schema", test_profile_valid);
    CU_add_test(s, "profile JSON of a failed run", test_profile_minimal_run);
    CU_add_test(s, "profile JSON without per-inference arrays", test_profile_summary);
    CU_add_test(s, "CSV rows", test_csv);
    CU_add_test(s, "terminal summary", test_summary);
    CU_add_test(s, "HTML structure", test_html_structure);
    CU_add_test(s, "sweep rows: one accuracy figure for every point", test_sweep_figure);
    return 0;
}

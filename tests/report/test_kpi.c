/* tests/report/test_kpi.c — KPI functions against hand-computed values,
 * including argmax ties, top-k ties, empty classes and degenerate input. */
#include <math.h>
#include <string.h>

#include "kpi/kpi_anomaly.h"
#include "kpi/kpi_classification.h"
#include "kpi/kpi_cost.h"
#include "kpi/kpi_fidelity.h"
#include "kpi/kpi_metrics.h"
#include "kpi/kpi_regression.h"
#include "kpi/kpi_stats.h"
#include "kpi/kpi_stats_stream.h"
#include <stdlib.h>
#include "test_util.h"

#define EPS 1e-6

/* 6 samples, 4 classes.  Class 2 is in the labels but never predicted,
 * class 3 appears nowhere; s1 and s5 have argmax ties (lowest index wins). */
static const float cls_scores[6 * 4] = {
    0.9f, 0.1f, 0.0f, 0.0f, /* label 0 -> pred 0                      */
    0.5f, 0.5f, 0.0f, 0.0f, /* label 1 -> pred 0 (tie), in top-2      */
    0.2f, 0.7f, 0.1f, 0.0f, /* label 1 -> pred 1                      */
    0.6f, 0.3f, 0.1f, 0.0f, /* label 2 -> pred 0, rank 2: not top-2   */
    0.1f, 0.8f, 0.1f, 0.0f, /* label 2 -> pred 1, tie with class 0 at
                               rank 1 loses (lower index first): rank 2 */
    0.3f, 0.3f, 0.3f, 0.1f, /* label 0 -> pred 0 (three-way tie)      */
};
static const int64_t cls_labels[6] = { 0, 1, 1, 2, 2, 0 };

static void test_classification(void)
{
    nr_kpi_classification c;
    neurio_errbuf err = { { 0 } };
    CU_ASSERT_EQUAL_FATAL(nr_kpi_classification_compute(cls_scores, 6, 4, cls_labels, 2, &c, &err), 0);
    CU_ASSERT_DOUBLE_EQUAL(c.top1, 0.5, EPS);
    CU_ASSERT_DOUBLE_EQUAL(c.topk, 4.0 / 6.0, EPS);
    CU_ASSERT_EQUAL(c.top_k, 2);
    static const uint64_t conf[16] = { 2, 0, 0, 0, 1, 1, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0 };
    CU_ASSERT_EQUAL(memcmp(c.confusion, conf, sizeof conf), 0);
    CU_ASSERT_EQUAL(c.support[0], 2);
    CU_ASSERT_EQUAL(c.support[3], 0);
    CU_ASSERT_EQUAL(c.predicted[0], 4);
    CU_ASSERT_DOUBLE_EQUAL(c.precision[0], 0.5, EPS);
    CU_ASSERT_DOUBLE_EQUAL(c.precision[1], 0.5, EPS);
    CU_ASSERT(isnan(c.precision[2]));          /* never predicted: undefined */
    CU_ASSERT(isnan(c.precision[3]));
    CU_ASSERT_DOUBLE_EQUAL(c.recall[0], 1.0, EPS);
    CU_ASSERT_DOUBLE_EQUAL(c.recall[1], 0.5, EPS);
    CU_ASSERT_DOUBLE_EQUAL(c.recall[2], 0.0, EPS);
    CU_ASSERT(isnan(c.recall[3]));             /* empty class: undefined   */
    CU_ASSERT_DOUBLE_EQUAL(c.f1[0], 4.0 / 6.0, EPS);
    CU_ASSERT_DOUBLE_EQUAL(c.f1[1], 0.5, EPS);
    CU_ASSERT_DOUBLE_EQUAL(c.f1[2], 0.0, EPS);
    CU_ASSERT(isnan(c.f1[3]));
    /* Balanced accuracy ignores the empty class: (1 + 0.5 + 0) / 3. */
    CU_ASSERT_DOUBLE_EQUAL(c.balanced_accuracy, 0.5, EPS);
    CU_ASSERT_DOUBLE_EQUAL(c.macro_f1, (4.0 / 6.0 + 0.5 + 0.0) / 3.0, EPS);

    nr_metrics m = { 0 };
    CU_ASSERT_EQUAL(nr_kpi_classification_metrics(&c, "y.npy", &m), 0);
    const nr_metric *t2 = nr_metrics_find(&m, "top2_accuracy");
    CU_ASSERT_PTR_NOT_NULL_FATAL(t2);
    CU_ASSERT_DOUBLE_EQUAL(t2->value, 4.0 / 6.0, EPS);
    CU_ASSERT_STRING_EQUAL(t2->unit, "ratio");
    CU_ASSERT_STRING_EQUAL(t2->source, "y.npy");
    nr_metrics_free(&m);
    nr_kpi_classification_free(&c);

    /* top_k larger than the class count is clamped; top-4 of 4 is 1.0. */
    CU_ASSERT_EQUAL_FATAL(nr_kpi_classification_compute(cls_scores, 6, 4, cls_labels, 9, &c, &err), 0);
    CU_ASSERT_EQUAL(c.top_k, 4);
    CU_ASSERT_DOUBLE_EQUAL(c.topk, 1.0, EPS);
    nr_kpi_classification_free(&c);
}

static void test_classification_bad_input(void)
{
    nr_kpi_classification c;
    neurio_errbuf err = { { 0 } };
    const int64_t bad[6] = { 0, 1, 7, 0, 0, 0 };
    CU_ASSERT_EQUAL(nr_kpi_classification_compute(cls_scores, 6, 4, bad, 1, &c, &err),
                    NEURIO_ERR_INVALID);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "label 7 of sample 2"));
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "0..3"));
    CU_ASSERT_EQUAL(nr_kpi_classification_compute(cls_scores, 0, 4, bad, 1, &c, &err),
                    NEURIO_ERR_INVALID);
    CU_ASSERT_EQUAL(nr_kpi_classification_compute(cls_scores, 6, 1, cls_labels, 1, &c, &err),
                    NEURIO_ERR_INVALID);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "regression"));
    const float tie[3] = { 2.0f, 2.0f, 2.0f };
    CU_ASSERT_EQUAL(nr_kpi_argmax(tie, 3), 0);
}

static void test_regression(void)
{
    const float pred[4] = { 1, 2, 3, 4 }, target[4] = { 1, 1, 5, 4 };
    nr_kpi_regression r;
    neurio_errbuf err = { { 0 } };
    CU_ASSERT_EQUAL_FATAL(nr_kpi_regression_compute(pred, target, 4, &r, &err), 0);
    CU_ASSERT_DOUBLE_EQUAL(r.mae, 0.75, EPS);
    CU_ASSERT_DOUBLE_EQUAL(r.rmse, sqrt(5.0 / 4.0), EPS);
    CU_ASSERT_DOUBLE_EQUAL(r.max_error, 2.0, EPS);
    const float nan_t[2] = { 1, NAN };
    CU_ASSERT_EQUAL(nr_kpi_regression_compute(pred, nan_t, 2, &r, &err), NEURIO_ERR_INVALID);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "target value 1"));
    CU_ASSERT_EQUAL(nr_kpi_regression_compute(pred, target, 0, &r, &err), NEURIO_ERR_INVALID);
}

static void test_roc_auc(void)
{
    neurio_errbuf err = { { 0 } };
    double auc = -1;
    /* The classic 4-sample example: AUC 0.75. */
    const double s1[4] = { 0.1, 0.4, 0.35, 0.8 };
    const int64_t l1[4] = { 0, 0, 1, 1 };
    CU_ASSERT_EQUAL_FATAL(nr_kpi_roc_auc(s1, l1, 4, &auc, &err), 0);
    CU_ASSERT_DOUBLE_EQUAL(auc, 0.75, EPS);
    /* A tie between a normal and an anomaly counts 1/2: (0.5+1+1+1)/4. */
    const double s2[4] = { 0.5, 0.5, 0.2, 0.9 };
    const int64_t l2[4] = { 1, 0, 0, 1 };
    CU_ASSERT_EQUAL_FATAL(nr_kpi_roc_auc(s2, l2, 4, &auc, &err), 0);
    CU_ASSERT_DOUBLE_EQUAL(auc, 0.875, EPS);
    /* Perfectly inverted scores. */
    const int64_t l3[4] = { 1, 1, 0, 0 };
    CU_ASSERT_EQUAL_FATAL(nr_kpi_roc_auc(s1, l3, 4, &auc, &err), 0);
    CU_ASSERT_DOUBLE_EQUAL(auc, 0.25, EPS);
    /* Degenerate: one class only, a label that is not 0/1. */
    const int64_t only0[4] = { 0, 0, 0, 0 };
    CU_ASSERT_EQUAL(nr_kpi_roc_auc(s1, only0, 4, &auc, &err), NEURIO_ERR_INVALID);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "only normal"));
    const int64_t two[4] = { 0, 2, 1, 0 };
    CU_ASSERT_EQUAL(nr_kpi_roc_auc(s1, two, 4, &auc, &err), NEURIO_ERR_INVALID);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "sample 1"));
}

static void test_anomaly_score(void)
{
    nr_score_spec s;
    neurio_errbuf err = { { 0 } };
    const float out[3] = { 1, 2, 3 }, in[3] = { 1, 0, 4 };
    double v = 0;
    CU_ASSERT_EQUAL_FATAL(nr_score_parse(NULL, &s, &err), 0);
    CU_ASSERT_EQUAL(nr_score_sample(&s, out, 3, in, 3, &v, &err), 0);
    CU_ASSERT_DOUBLE_EQUAL(v, 5.0 / 3.0, EPS);
    CU_ASSERT_EQUAL(nr_score_sample(&s, out, 3, in, 2, &v, &err), NEURIO_ERR_INVALID);
    CU_ASSERT_EQUAL_FATAL(nr_score_parse("output:2", &s, &err), 0);
    CU_ASSERT_EQUAL(nr_score_sample(&s, out, 3, NULL, 0, &v, &err), 0);
    CU_ASSERT_DOUBLE_EQUAL(v, 3.0, EPS);
    CU_ASSERT_EQUAL_FATAL(nr_score_parse("output:3", &s, &err), 0);
    CU_ASSERT_EQUAL(nr_score_sample(&s, out, 3, NULL, 0, &v, &err), NEURIO_ERR_INVALID);
    CU_ASSERT_EQUAL(nr_score_parse("psnr", &s, &err), NEURIO_ERR_CONFIG);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "'psnr'"));
    CU_ASSERT_EQUAL(nr_score_parse("output:x", &s, &err), NEURIO_ERR_CONFIG);
}

static void test_fidelity(void)
{
    const float y[4] = { 1, 0, 0, 2 }, ref[4] = { 1, 0, 1, 1 };
    nr_kpi_fidelity f;
    neurio_errbuf err = { { 0 } };
    CU_ASSERT_EQUAL_FATAL(nr_kpi_fidelity_compute(y, ref, 2, 2, &f, &err), 0);
    CU_ASSERT_DOUBLE_EQUAL(f.argmax_agreement, 0.5, EPS); /* ref s1 ties -> class 0 */
    CU_ASSERT_DOUBLE_EQUAL(f.max_abs_error, 1.0, EPS);
    CU_ASSERT_DOUBLE_EQUAL(f.mean_abs_error, 0.5, EPS);
    CU_ASSERT_DOUBLE_EQUAL(f.cosine_similarity, (1.0 + 2.0 / (2.0 * sqrt(2.0))) / 2.0, EPS);
    CU_ASSERT_DOUBLE_EQUAL(f.relative_l2, sqrt(2.0 / 3.0), EPS);
    /* Identical outputs; zero reference vectors. */
    const float z[2] = { 0, 0 };
    CU_ASSERT_EQUAL_FATAL(nr_kpi_fidelity_compute(z, z, 1, 2, &f, &err), 0);
    CU_ASSERT_DOUBLE_EQUAL(f.cosine_similarity, 1.0, EPS);
    CU_ASSERT(isnan(f.relative_l2));
    CU_ASSERT_EQUAL_FATAL(nr_kpi_fidelity_compute(y, ref, 4, 1, &f, &err), 0);
    CU_ASSERT(isnan(f.argmax_agreement)); /* one element per sample */
    nr_metrics m = { 0 };
    CU_ASSERT_EQUAL(nr_kpi_fidelity_metrics(&f, "ref.npy", &m), 0);
    CU_ASSERT_PTR_NULL(nr_metrics_find(&m, "argmax_agreement")); /* NAN not added */
    CU_ASSERT_PTR_NOT_NULL(nr_metrics_find(&m, "max_abs_error"));
    nr_metrics_free(&m);
}

static void test_stats(void)
{
    const double x[5] = { 3, 1, 10, 2, 4 };
    nr_stats s;
    CU_ASSERT_EQUAL_FATAL(nr_stats_compute(x, 5, &s), 0);
    CU_ASSERT_DOUBLE_EQUAL(s.mean, 4.0, EPS);
    CU_ASSERT_DOUBLE_EQUAL(s.std, sqrt(12.5), EPS);
    CU_ASSERT_DOUBLE_EQUAL(s.min, 1.0, EPS);
    CU_ASSERT_DOUBLE_EQUAL(s.max, 10.0, EPS);
    CU_ASSERT_DOUBLE_EQUAL(s.p50, 3.0, EPS);
    CU_ASSERT_DOUBLE_EQUAL(s.p90, 7.6, EPS);
    CU_ASSERT_DOUBLE_EQUAL(s.p99, 9.76, EPS);
    double h = 2.776 * sqrt(12.5) / sqrt(5.0);
    CU_ASSERT_DOUBLE_EQUAL(s.ci95_lo, 4.0 - h, EPS);
    CU_ASSERT_DOUBLE_EQUAL(s.ci95_hi, 4.0 + h, EPS);
    CU_ASSERT_EQUAL(x[0], 3); /* input untouched */
    const double one = 7;
    CU_ASSERT_EQUAL_FATAL(nr_stats_compute(&one, 1, &s), 0);
    CU_ASSERT_DOUBLE_EQUAL(s.std, 0.0, EPS);
    CU_ASSERT(isnan(s.ci95_lo));
    CU_ASSERT_EQUAL(nr_stats_compute(x, 0, &s), NEURIO_ERR_INVALID);
    const double bad[2] = { 1, INFINITY };
    CU_ASSERT_EQUAL(nr_stats_compute(bad, 2, &s), NEURIO_ERR_INVALID);
    CU_ASSERT_DOUBLE_EQUAL(nr_stats_t975(1), 12.706, 1e-9);
    CU_ASSERT_DOUBLE_EQUAL(nr_stats_t975(40), 2.021, 1e-9);
    CU_ASSERT_DOUBLE_EQUAL(nr_stats_t975(1000), 1.9623, 5e-4);
    CU_ASSERT(nr_stats_t975(50) < 2.021 && nr_stats_t975(50) > 2.000);
}

static void test_cost(void)
{
    const neurio_measure m[3] = {
        { .host_ns = 1000000, .cycles = 100, .stack_bytes = 512 },
        { .host_ns = 2000000, .cycles = 200, .stack_bytes = 640 },
        { .host_ns = 3000000, .cycles = 300, .stack_bytes = 600 },
    };
    neurio_device_info dev = { .size = sizeof dev, .cycle_source = "icount",
                               .cycle_unit = "instructions", .clock_hz = 1e5,
                               .flash_text = 1000, .flash_rodata = 200, .arena_bytes = 4096,
                               .active_current_a = 0.01, .supply_voltage_v = 3.3 };
    nr_kpi_cost c;
    neurio_errbuf err = { { 0 } };
    CU_ASSERT_EQUAL_FATAL(nr_kpi_cost_compute(m, 3, &dev, &c, &err), 0);
    CU_ASSERT(c.have_host && c.have_cycles && c.have_device && c.device_estimated);
    CU_ASSERT_DOUBLE_EQUAL(c.host_ms.mean, 2.0, EPS);
    CU_ASSERT_DOUBLE_EQUAL(c.cycles.p50, 200.0, EPS);
    CU_ASSERT_DOUBLE_EQUAL(c.device_ms.max, 3.0, EPS);
    CU_ASSERT_DOUBLE_EQUAL(c.throughput, 500.0, EPS);
    CU_ASSERT_DOUBLE_EQUAL(c.energy_uj, 66.0, EPS); /* 0.01 A x 3.3 V x 2 ms */
    CU_ASSERT_EQUAL(c.stack_max, 640);

    nr_metrics mm = { 0 };
    CU_ASSERT_EQUAL_FATAL(nr_kpi_cost_metrics(&c, &dev, &mm), 0);
    const nr_metric *e = nr_metrics_find(&mm, "energy_per_inference");
    CU_ASSERT_PTR_NOT_NULL_FATAL(e);
    CU_ASSERT_STRING_EQUAL(e->unit, "uJ");
    CU_ASSERT_PTR_NOT_NULL(strstr(e->source, "estimated"));
    const nr_metric *dl = nr_metrics_find(&mm, "device_latency_mean");
    CU_ASSERT_PTR_NOT_NULL_FATAL(dl);
    CU_ASSERT_PTR_NOT_NULL(strstr(dl->source, "estimated: icount"));
    CU_ASSERT_PTR_NULL(nr_metrics_find(&mm, "cycles_p99")); /* not cycles: instructions */
    const nr_metric *cy = nr_metrics_find(&mm, "instructions_p99");
    CU_ASSERT_PTR_NOT_NULL_FATAL(cy);
    CU_ASSERT_STRING_EQUAL(cy->unit, "instructions");
    const nr_metric *ft = nr_metrics_find(&mm, "flash_total");
    CU_ASSERT_PTR_NOT_NULL_FATAL(ft);
    CU_ASSERT_DOUBLE_EQUAL(ft->value, 1200.0, EPS);
    CU_ASSERT_PTR_NULL(nr_metrics_find(&mm, "ram_bytes")); /* 0 = unknown */
    nr_metrics_free(&mm);

    /* No clock, no profile: host latency only, energy absent with a note. */
    neurio_device_info bare = { .size = sizeof bare };
    const neurio_measure m2[2] = { { .host_ns = 500000 }, { .host_ns = 1500000 } };
    CU_ASSERT_EQUAL_FATAL(nr_kpi_cost_compute(m2, 2, &bare, &c, &err), 0);
    CU_ASSERT(c.have_host && !c.have_cycles && !c.have_device && !c.have_energy);
    CU_ASSERT_DOUBLE_EQUAL(c.throughput, 1000.0, EPS);
    CU_ASSERT_PTR_NOT_NULL(strstr(c.energy_note, "no current"));
    CU_ASSERT_EQUAL(nr_kpi_cost_compute(m2, 0, &bare, &c, &err), NEURIO_ERR_INVALID);

    const uint64_t lc[6] = { 10, 20, 30, 30, 40, 50 };
    double mean[3];
    CU_ASSERT_EQUAL(nr_kpi_layer_means(lc, 2, 3, mean), 0);
    CU_ASSERT_DOUBLE_EQUAL(mean[0], 20.0, EPS);
    CU_ASSERT_DOUBLE_EQUAL(mean[2], 40.0, EPS);
}

/* The spilled series gives nr_stats_compute's figures bit for bit: in
 * memory (n <= chunk) and through the external merge (many runs), values
 * as added and mapped v / div * mul (the device latency from cycles). */
static void test_stats_stream(void)
{
    const size_t sizes[] = { 1, 2, 7, 1000, 150001 };
    const size_t chunks[] = { 0, 16 };
    unsigned seed = 12345;
    for (size_t si = 0; si < sizeof sizes / sizeof sizes[0]; si++) {
        size_t n = sizes[si];
        double *x = malloc(n * sizeof *x), *y = malloc(n * sizeof *y);
        CU_ASSERT_PTR_NOT_NULL_FATAL(x);
        CU_ASSERT_PTR_NOT_NULL_FATAL(y);
        for (size_t i = 0; i < n; i++) {
            seed = seed * 1103515245u + 12345u;
            x[i] = (double)(1000 + (seed >> 8) % 5000); /* integer counts, duplicates */
            y[i] = x[i] / 25e6 * 1e3;
        }
        for (size_t ci = 0; ci < 2; ci++) {
            if (chunks[ci] && n > 20000)
                continue; /* the small chunk on the small sizes only */
            nr_stats_stream *st = NULL;
            CU_ASSERT_EQUAL_FATAL(nr_stats_stream_new(NULL, &st), 0);
            nr_stats_stream_set_chunk(st, chunks[ci]);
            for (size_t i = 0; i < n; i++)
                CU_ASSERT_EQUAL(nr_stats_stream_add(st, x[i]), 0);
            nr_stats a, b;
            CU_ASSERT_EQUAL(nr_stats_compute(x, n, &a), 0);
            CU_ASSERT_EQUAL(nr_stats_stream_compute(st, 1.0, 1.0, &b), 0);
            CU_ASSERT_EQUAL(memcmp(&a, &b, sizeof a), 0);
            CU_ASSERT_EQUAL(nr_stats_compute(y, n, &a), 0);
            CU_ASSERT_EQUAL(nr_stats_stream_compute(st, 25e6, 1e3, &b), 0);
            CU_ASSERT_EQUAL(memcmp(&a, &b, sizeof a), 0);
            nr_stats_stream_free(st);
        }
        free(x);
        free(y);
    }
    nr_stats_stream *st = NULL;
    nr_stats out;
    CU_ASSERT_EQUAL_FATAL(nr_stats_stream_new(NULL, &st), 0);
    CU_ASSERT_EQUAL(nr_stats_stream_compute(st, 1.0, 1.0, &out), NEURIO_ERR_INVALID);
    nr_stats_stream_add(st, 1.0);
    nr_stats_stream_add(st, INFINITY);
    CU_ASSERT_EQUAL(nr_stats_stream_compute(st, 1.0, 1.0, &out), NEURIO_ERR_INVALID);
    nr_stats_stream_free(st);
}

/* The spilled ROC AUC equals nr_kpi_roc_auc bit for bit: in memory and
 * through the external merge, with many tied scores across the classes;
 * and it reports the same errors. */
static void test_roc_auc_stream(void)
{
    const size_t sizes[] = { 2, 9, 1000, 70001 };
    const size_t chunks[] = { 0, 7 };
    unsigned seed = 99;
    neurio_errbuf err = { { 0 } };
    for (size_t si = 0; si < sizeof sizes / sizeof sizes[0]; si++) {
        size_t n = sizes[si];
        double *x = malloc(n * sizeof *x);
        int64_t *l = malloc(n * sizeof *l);
        CU_ASSERT_PTR_NOT_NULL_FATAL(x);
        CU_ASSERT_PTR_NOT_NULL_FATAL(l);
        for (size_t i = 0; i < n; i++) {
            seed = seed * 1103515245u + 12345u;
            l[i] = i < 2 ? (int64_t)i : (int64_t)((seed >> 9) % 3 == 0);
            x[i] = (double)((seed >> 12) % 500) / 7.0 + (double)l[i] * 3.0;
        }
        double want = -1;
        CU_ASSERT_EQUAL_FATAL(nr_kpi_roc_auc(x, l, n, &want, &err), 0);
        for (size_t ci = 0; ci < 2; ci++) {
            nr_kpi_auc_acc *a = NULL;
            CU_ASSERT_EQUAL_FATAL(nr_kpi_auc_acc_new(NULL, &a, &err), 0);
            nr_kpi_auc_acc_set_chunk(a, chunks[ci]);
            for (size_t i = 0; i < n; i++)
                CU_ASSERT_EQUAL(nr_kpi_auc_acc_add(a, x[i], l[i]), 0);
            double got = -2;
            CU_ASSERT_EQUAL(nr_kpi_auc_acc_end(a, &got, &err), 0);
            CU_ASSERT_EQUAL(memcmp(&want, &got, sizeof got), 0);
            nr_kpi_auc_acc_free(a);
        }
        free(x);
        free(l);
    }
    /* the errors nr_kpi_roc_auc gives, naming the same sample */
    const double sc[4] = { 0.1, 0.4, NAN, 0.8 };
    const int64_t lb[4] = { 0, 1, 1, 5 };
    nr_kpi_auc_acc *a = NULL;
    double auc;
    CU_ASSERT_EQUAL_FATAL(nr_kpi_auc_acc_new(NULL, &a, &err), 0);
    for (int i = 0; i < 4; i++)
        nr_kpi_auc_acc_add(a, sc[i], lb[i]);
    CU_ASSERT_EQUAL(nr_kpi_auc_acc_end(a, &auc, &err), NEURIO_ERR_INVALID);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "sample 2 is not finite"));
    nr_kpi_auc_acc_free(a);
    CU_ASSERT_EQUAL_FATAL(nr_kpi_auc_acc_new(NULL, &a, &err), 0);
    nr_kpi_auc_acc_add(a, 0.5, 0);
    nr_kpi_auc_acc_add(a, 0.7, 0);
    CU_ASSERT_EQUAL(nr_kpi_auc_acc_end(a, &auc, &err), NEURIO_ERR_INVALID);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "only normal samples (2)"));
    nr_kpi_auc_acc_free(a);
}

/* Batch by batch, the accuracy, regression and fidelity KPIs equal the
 * whole-array ones exactly. */
static void test_kpi_batches(void)
{
    enum { N = 50, C = 4 };
    float y[N * C], r[N * C];
    int64_t lab[N];
    unsigned seed = 7;
    for (size_t i = 0; i < N * C; i++) {
        seed = seed * 1103515245u + 12345u;
        y[i] = (float)((seed >> 8) % 100) / 10.0f;
        r[i] = y[i] + (float)((seed >> 4) % 7) / 50.0f;
    }
    for (size_t i = 0; i < N; i++)
        lab[i] = (int64_t)(i * 7 % C);
    nr_kpi_classification whole, inc;
    neurio_errbuf err;
    CU_ASSERT_EQUAL(nr_kpi_classification_compute(y, N, C, lab, 2, &whole, &err), 0);
    CU_ASSERT_EQUAL(nr_kpi_classification_begin(C, 2, &inc, &err), 0);
    for (size_t f = 0; f < N; f += 16) {
        size_t cnt = N - f < 16 ? N - f : 16;
        CU_ASSERT_EQUAL(nr_kpi_classification_add(&inc, y + f * C, cnt, lab + f, f, &err), 0);
    }
    CU_ASSERT_EQUAL(nr_kpi_classification_end(&inc, &err), 0);
    CU_ASSERT_EQUAL(memcmp(&whole.top1, &inc.top1, 4 * sizeof(double)), 0);
    CU_ASSERT_EQUAL(memcmp(whole.confusion, inc.confusion, C * C * sizeof(uint64_t)), 0);
    lab[33] = C; /* out of range: named by its sample number in the run */
    CU_ASSERT_NOT_EQUAL(nr_kpi_classification_add(&inc, y + 32 * C, 16, lab + 32, 32, &err), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "of sample 33 "));
    nr_kpi_classification_free(&whole);
    nr_kpi_classification_free(&inc);

    nr_kpi_regression rw, ri;
    memset(&ri, 0, sizeof ri);
    CU_ASSERT_EQUAL(nr_kpi_regression_compute(y, r, N * C, &rw, &err), 0);
    for (size_t f = 0; f < N * C; f += 48)
        CU_ASSERT_EQUAL(nr_kpi_regression_add(&ri, y + f, r + f, N * C - f < 48 ? N * C - f : 48,
                                              &err), 0);
    CU_ASSERT_EQUAL(nr_kpi_regression_end(&ri, &err), 0);
    CU_ASSERT_EQUAL(memcmp(&rw, &ri, sizeof rw), 0);

    nr_kpi_fidelity fw, fi;
    memset(&fi, 0, sizeof fi);
    CU_ASSERT_EQUAL(nr_kpi_fidelity_compute(y, r, N, C, &fw, &err), 0);
    for (size_t f = 0; f < N; f += 16)
        CU_ASSERT_EQUAL(nr_kpi_fidelity_add(&fi, y + f * C, r + f * C, N - f < 16 ? N - f : 16,
                                            C, &err), 0);
    CU_ASSERT_EQUAL(nr_kpi_fidelity_end(&fi, &err), 0);
    CU_ASSERT_EQUAL(memcmp(&fw, &fi, sizeof fw), 0);
}

static void test_metrics_list(void)
{
    nr_metrics m = { 0 };
    for (int i = 0; i < 100; i++) {
        char name[16];
        snprintf(name, sizeof name, "m%d", i);
        CU_ASSERT_EQUAL(nr_metrics_add(&m, "g", name, i, "u", "s"), 0);
    }
    CU_ASSERT_EQUAL(m.n, 100);
    CU_ASSERT_EQUAL(nr_metrics_add(&m, "g", "m5", 55, "u", "s"), 0); /* replace */
    CU_ASSERT_EQUAL(m.n, 100);
    CU_ASSERT_DOUBLE_EQUAL(nr_metrics_find(&m, "m5")->value, 55, EPS);
    CU_ASSERT_EQUAL(nr_metrics_add(&m, "g", "nan", NAN, "u", "s"), 0);
    CU_ASSERT_PTR_NULL(nr_metrics_find(&m, "nan"));
    nr_metrics_free(&m);
    CU_ASSERT_EQUAL(m.n, 0);
}

int neurio_register_tests(void)
{
    CU_pSuite s = CU_add_suite("kpi", NULL, NULL);
    if (!s)
        return -1;
    CU_add_test(s, "classification (ties, empty classes)", test_classification);
    CU_add_test(s, "classification bad input", test_classification_bad_input);
    CU_add_test(s, "regression", test_regression);
    CU_add_test(s, "roc auc (ties, degenerate)", test_roc_auc);
    CU_add_test(s, "roc auc of spilled scores (exact)", test_roc_auc_stream);
    CU_add_test(s, "anomaly score", test_anomaly_score);
    CU_add_test(s, "fidelity", test_fidelity);
    CU_add_test(s, "stats", test_stats);
    CU_add_test(s, "cost", test_cost);
    CU_add_test(s, "stats of a spilled series (exact)", test_stats_stream);
    CU_add_test(s, "KPIs batch by batch (exact)", test_kpi_batches);
    CU_add_test(s, "metrics list", test_metrics_list);
    return 0;
}

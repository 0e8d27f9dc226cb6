/* tests/sweep/test_quant_labels.c — the quantization-cost observer reads
 * data.labels as the accuracy KPI does (report/report_inputs.h): class
 * indices [N], one-hot rows [N, C] or scores [N, 1, C] (argmax) give the
 * same class of every sample, so the same float and device top-1 accuracy
 * (before, label i was flat element i of the file: wrong for rank-2
 * labels).  Through the launcher with the TEST-ONLY test_echo plugin on
 * kws (../shared): the float host reference is the real model, the device
 * echoes its inputs, so the two accuracies differ and neither is trivial.
 * A label outside the model's classes is named (the labels ignored, the
 * run goes on). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "neurio/npy.h"
#include "sweep_util.h"
#include "test_util.h"

enum { N = 20, C = 12 };

/* The "top1 accuracy" line of the quantization cost in out (static). */
static const char *acc_line(const char *out)
{
    static char line[256];
    const char *p = out ? strstr(out, "  top1 accuracy      float ") : NULL;
    line[0] = '\0';
    if (p) {
        const char *e = strchr(p, '\n');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        snprintf(line, sizeof line, "%.*s", (int)(n < sizeof line - 1 ? n : sizeof line - 1), p);
    }
    return line;
}

static void test_label_forms(void)
{
    sw_setup(); /* skips without ../shared */
    char gold[4200], path[4300];
    snprintf(gold, sizeof gold, "%s/golden/kws_ref_model/output.npy", sw_shared);
    neurio_npy y;
    neurio_errbuf err = { { 0 } };
    CU_ASSERT_EQUAL_FATAL(neurio_npy_read(gold, &y, &err), 0);
    CU_ASSERT_EQUAL_FATAL(y.dtype, NEURIO_DT_INT8);
    CU_ASSERT_FATAL(neurio_npy_elements(&y) >= (size_t)N * C);
    /* the golden scores' argmax as class indices and as one-hot rows */
    int64_t idx[N];
    uint8_t hot[N * C];
    memset(hot, 0, sizeof hot);
    for (int i = 0; i < N; i++) {
        const int8_t *r = (const int8_t *)y.data + (size_t)i * C;
        int b = 0;
        for (int k = 1; k < C; k++)
            if (r[k] > r[b])
                b = k;
        idx[i] = b;
        hot[i * C + b] = 1;
    }
    neurio_npy_free(&y);
    int64_t d1[1] = { N }, d2[2] = { N, C };
    snprintf(path, sizeof path, "%s/idx.npy", sw_dir);
    CU_ASSERT_EQUAL_FATAL(neurio_npy_write(path, NEURIO_DT_INT64, 1, d1, idx, &err), 0);
    snprintf(path, sizeof path, "%s/hot.npy", sw_dir);
    CU_ASSERT_EQUAL_FATAL(neurio_npy_write(path, NEURIO_DT_UINT8, 2, d2, hot, &err), 0);
    idx[3] = C; /* not a class */
    snprintf(path, sizeof path, "%s/bad.npy", sw_dir);
    CU_ASSERT_EQUAL_FATAL(neurio_npy_write(path, NEURIO_DT_INT64, 1, d1, idx, &err), 0);
    sw_rig("q.cfg", NULL, N, "store = \"none\";");
    char *out = NULL, first[256];
    CU_ASSERT_EQUAL(sw_run("run q.cfg --set model.quantize=int8 --set data.labels=idx.npy",
                           &out), 0);
    snprintf(first, sizeof first, "%s", acc_line(out));
    if (!first[0])
        fprintf(stderr, "\nno accuracy line in:\n%s\n", out ? out : "");
    CU_ASSERT_FATAL(first[0] != '\0');
    /* the float reference (the real model) agrees with its own golden
     * outputs; the echo device does not */
    CU_ASSERT_PTR_NOT_NULL(strstr(first, "float 100.00 %"));
    CU_ASSERT_PTR_NULL(strstr(first, "device 100.00 %"));
    free(out);
    static const char *const forms[2] = { "hot.npy", NULL };
    for (int f = 0; f < 2; f++) {
        char args[4600];
        snprintf(args, sizeof args, "run q.cfg --set model.quantize=int8 --set data.labels=%s",
                 forms[f] ? forms[f] : gold);
        CU_ASSERT_EQUAL(sw_run(args, &out), 0);
        if (strcmp(acc_line(out), first))
            fprintf(stderr, "\n%s: '%s', class indices: '%s'\n", forms[f] ? forms[f] : gold,
                    acc_line(out), first);
        CU_ASSERT_STRING_EQUAL(acc_line(out), first);
        free(out);
    }
    /* task.kind = "none": the report does not read the labels (with
     * "classification" it refuses the run for them) */
    CU_ASSERT_EQUAL(sw_run("run q.cfg --set model.quantize=int8 --set data.labels=bad.npy "
                           "--set task.kind=none", &out), 0);
    sw_expect(out, "quantization cost");
    sw_expect(out, "labels ignored: data.labels (");
    sw_expect(out, "label 12 of sample 3 is not a class of the model's 12 outputs (0..11)");
    CU_ASSERT_PTR_NULL(strstr(out ? out : "", "top1 accuracy      float"));
    free(out);
}

int neurio_register_tests(void)
{
    CU_pSuite s = CU_add_suite("quant_labels", NULL, NULL);
    if (!s)
        return -1;
    CU_add_test(s, "class indices, one-hot and score labels: one accuracy", test_label_forms);
    return 0;
}

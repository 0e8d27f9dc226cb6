/* tests/quantize/test_quantize.c — the int8 post-training quantizer on the
 * digits demo model: the scheme (per-channel symmetric weights, int32
 * biases, fixed softmax params), accuracy of the int8 model in the
 * reference interpreter vs the float model for every calibration method,
 * and the option errors. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "neurio/onnx.h"
#include "neurio/optimize.h"
#include "neurio/quantize.h"
#include "quant_eval.h"
#include "test_util.h"

static char g_dir[1024];

static const char *dpath(const char *f)
{
    static char b[2][1200];
    static int k;
    k ^= 1;
    snprintf(b[k], sizeof b[k], "%s/%s", g_dir, f);
    return b[k];
}

static neurio_model *load_opt(void)
{
    neurio_errbuf err;
    neurio_model *m = NULL;
    if (neurio_onnx_load(dpath("digits.onnx"), &m, &err) || neurio_optimize(m, &err)) {
        fprintf(stderr, "\n    %s\n", err.msg);
        neurio_model_free(m);
        return NULL;
    }
    return m;
}

static neurio_prepare_args args_for(const char *q, const char *calib, const char *method)
{
    neurio_prepare_args a = { .size = sizeof a, .model_path = "", .quantize = q,
                              .calibration = calib, .calibration_method = method };
    return a;
}

static void test_none_is_noop(void)
{
    neurio_errbuf err;
    neurio_model *m = load_opt();
    CU_ASSERT_PTR_NOT_NULL_FATAL(m);
    uint8_t h1[32], h2[32];
    neurio_model_sha256(m, h1);
    neurio_prepare_args a = args_for("none", NULL, NULL);
    CU_ASSERT_EQUAL(neurio_quantize(m, &a, &err), NEURIO_OK);
    neurio_model_sha256(m, h2);
    CU_ASSERT_EQUAL(memcmp(h1, h2, 32), 0);
    neurio_model_free(m);
}

static void test_option_errors(void)
{
    neurio_errbuf err;
    neurio_model *m = load_opt();
    CU_ASSERT_PTR_NOT_NULL_FATAL(m);
    neurio_prepare_args a = args_for("int4", NULL, NULL);
    CU_ASSERT_EQUAL(neurio_quantize(m, &a, &err), NEURIO_ERR_CONFIG);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "int4"));
    a = args_for("int8", NULL, NULL);
    CU_ASSERT_EQUAL(neurio_quantize(m, &a, &err), NEURIO_ERR_CONFIG);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "model.calibration"));
    a = args_for("int8", dpath("calib.npy"), "kl");
    CU_ASSERT_EQUAL(neurio_quantize(m, &a, &err), NEURIO_ERR_CONFIG);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "calibration_method"));
    /* calibration data of the wrong shape names both shapes */
    a = args_for("int8", dpath("test_y.npy"), NULL);
    CU_ASSERT_NOT_EQUAL(neurio_quantize(m, &a, &err), NEURIO_OK);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "calibration file"));
    neurio_model_free(m);
}

static void test_scheme(void)
{
    neurio_errbuf err;
    neurio_model *m = load_opt();
    CU_ASSERT_PTR_NOT_NULL_FATAL(m);
    neurio_prepare_args a = args_for("int8", dpath("calib.npy"), "minmax");
    int rc = neurio_quantize(m, &a, &err);
    if (rc)
        fprintf(stderr, "\n    %s\n", err.msg);
    CU_ASSERT_EQUAL_FATAL(rc, NEURIO_OK);
    int convs = 0;
    for (int32_t i = 0; i < m->n_ops; i++) {
        const neurio_op *op = &m->ops[i];
        const neurio_tensor *y = &m->tensors[op->outputs[0]];
        CU_ASSERT_EQUAL(y->dtype, NEURIO_DT_INT8);
        CU_ASSERT_EQUAL(y->quant.count, 1);
        if (op->kind == NEURIO_OP_CONV_2D || op->kind == NEURIO_OP_FULLY_CONNECTED) {
            const neurio_tensor *w = &m->tensors[op->inputs[1]];
            const neurio_tensor *b = &m->tensors[op->inputs[2]];
            const neurio_tensor *x = &m->tensors[op->inputs[0]];
            CU_ASSERT_EQUAL(w->dtype, NEURIO_DT_INT8);
            CU_ASSERT_EQUAL(w->quant.count, w->dims[0]); /* per output channel */
            CU_ASSERT_EQUAL(w->quant.axis, 0);
            CU_ASSERT_EQUAL(b->dtype, NEURIO_DT_INT32);
            for (int32_t c = 0; c < w->quant.count; c++) {
                CU_ASSERT_EQUAL(w->quant.zero_point[c], 0);
                CU_ASSERT(fabsf(b->quant.scale[c] - x->quant.scale[0] * w->quant.scale[c]) <=
                          1e-6f * b->quant.scale[c]);
            }
            /* symmetric: some weight of each channel hits +-127 */
            const int8_t *q = w->data;
            size_t per = neurio_tensor_elements(w) / (size_t)w->dims[0];
            for (int32_t c = 0; c < w->dims[0]; c++) {
                int peak = 0;
                for (size_t e = 0; e < per; e++)
                    peak = abs(q[c * per + e]) > peak ? abs(q[c * per + e]) : peak;
                CU_ASSERT_EQUAL(peak, 127);
            }
            convs++;
        }
        if (op->kind == NEURIO_OP_SOFTMAX) {
            CU_ASSERT_EQUAL(y->quant.zero_point[0], -128);
            CU_ASSERT_DOUBLE_EQUAL(y->quant.scale[0], 1.0 / 256.0, 1e-12);
        }
    }
    CU_ASSERT_EQUAL(convs, 4);
    CU_ASSERT_EQUAL(m->tensors[m->inputs[0]].dtype, NEURIO_DT_INT8);
    CU_ASSERT_EQUAL(neurio_model_validate(m, &err), NEURIO_OK);
    /* quantizing an int8 model again changes nothing */
    uint8_t h1[32], h2[32];
    neurio_model_sha256(m, h1);
    CU_ASSERT_EQUAL(neurio_quantize(m, &a, &err), NEURIO_OK);
    neurio_model_sha256(m, h2);
    CU_ASSERT_EQUAL(memcmp(h1, h2, 32), 0);
    neurio_model_free(m);
}

static void accuracy_with(const char *method)
{
    neurio_errbuf err;
    neurio_npy x = { 0 }, y = { 0 };
    CU_ASSERT_EQUAL_FATAL(neurio_npy_read(dpath("test_x.npy"), &x, &err), NEURIO_OK);
    CU_ASSERT_EQUAL_FATAL(neurio_npy_read(dpath("test_y.npy"), &y, &err), NEURIO_OK);
    neurio_model *f = load_opt(), *q = load_opt();
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    CU_ASSERT_PTR_NOT_NULL_FATAL(q);
    neurio_prepare_args a = args_for("int8", dpath("calib.npy"), method);
    CU_ASSERT_EQUAL_FATAL(neurio_quantize(q, &a, &err), NEURIO_OK);
    size_t n1, n2, k1, k2;
    float *of = qe_run(f, &x, &n1, &k1), *oq = qe_run(q, &x, &n2, &k2);
    CU_ASSERT_PTR_NOT_NULL_FATAL(of);
    CU_ASSERT_PTR_NOT_NULL_FATAL(oq);
    CU_ASSERT_EQUAL_FATAL(n1, n2);
    double af = qe_accuracy(of, y.data, n1, k1), aq = qe_accuracy(oq, y.data, n2, k2);
    double agree = qe_argmax_agreement(of, oq, n1, k1), l2 = qe_rel_l2(oq, of, n1 * k1);
    printf("\n    %-10s float %.2f%%  int8 %.2f%%  argmax agreement %.2f%%  rel L2 %.4f\n",
           method, af * 100, aq * 100, agree * 100, l2);
    CU_ASSERT(aq >= 0.95);
    CU_ASSERT(af - aq <= 0.01);
    CU_ASSERT(l2 < 0.1);
    free(of);
    free(oq);
    neurio_model_free(f);
    neurio_model_free(q);
    neurio_npy_free(&x);
    neurio_npy_free(&y);
}

static void test_accuracy_minmax(void) { accuracy_with("minmax"); }
static void test_accuracy_percentile(void) { accuracy_with("percentile"); }
static void test_accuracy_mse(void) { accuracy_with("mse"); }

int neurio_register_tests(void)
{
    snprintf(g_dir, sizeof g_dir, "%s/examples/digits", NEURIO_SOURCE_DIR);
    CU_pSuite s = CU_add_suite("quantize", NULL, NULL);
    CU_add_test(s, "none_is_noop", test_none_is_noop);
    CU_add_test(s, "option_errors", test_option_errors);
    CU_add_test(s, "scheme", test_scheme);
    CU_add_test(s, "accuracy_minmax", test_accuracy_minmax);
    CU_add_test(s, "accuracy_percentile", test_accuracy_percentile);
    CU_add_test(s, "accuracy_mse", test_accuracy_mse);
    return 0;
}

/* tests/quantize/test_quantize_fidelity.c — our int8 quantizer on the float
 * TFLite models of ../shared (pretrainedResnet, ad01_fp32,
 * hello_world_float), calibrated with their golden float inputs, against
 * the int8 twins TensorFlow's converter published.  Both int8 models run in
 * the reference interpreter (the int8 kernels the devices run) on the
 * golden float inputs; their dequantized outputs are compared with the
 * golden float outputs (TFLite Micro): argmax agreement and relative L2.
 * Ours must be no worse than the twin (small slack for ties).
 * NEURIO_CALIBRATION_METHOD=percentile|mse reruns with another method. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "neurio/interp.h"
#include "neurio/optimize.h"
#include "neurio/quantize.h"
#include "quant_eval.h"
#include "test_util.h"

static const char *g_shared;

typedef struct fid {
    double agree, l2;
    size_t n;
} fid;

static int eval(const char *model, int quantize, const char *calib, const neurio_npy *x,
                const neurio_npy *ref, fid *out)
{
    neurio_errbuf err;
    neurio_model *m = NULL;
    char p[1200];
    snprintf(p, sizeof p, "%s/models/%s.tflite", g_shared, model);
    if (neurio_model_load(p, &m, &err)) {
        fprintf(stderr, "\n    %s\n", err.msg);
        return -1;
    }
    if (quantize) {
        const char *method = getenv("NEURIO_CALIBRATION_METHOD"); /* default minmax */
        neurio_prepare_args a = { .size = sizeof a, .model_path = p, .quantize = "int8",
                                  .calibration = calib,
                                  .calibration_method = method && *method ? method : "minmax" };
        if (neurio_optimize(m, &err) || neurio_quantize(m, &a, &err)) {
            fprintf(stderr, "\n    %s: %s\n", model, err.msg);
            neurio_model_free(m);
            return -1;
        }
    }
    size_t n, k;
    float *o = qe_run(m, x, &n, &k);
    neurio_model_free(m);
    if (!o || n * k * sizeof(float) != ref->bytes) {
        free(o);
        return -1;
    }
    out->n = n;
    out->agree = k > 1 ? qe_argmax_agreement(o, ref->data, n, k) : NAN;
    out->l2 = qe_rel_l2(o, ref->data, n * k);
    free(o);
    return 0;
}

static void compare(const char *flt, const char *twin)
{
    char xi[1200], yo[1200];
    snprintf(xi, sizeof xi, "%s/golden/%s/input.npy", g_shared, flt);
    snprintf(yo, sizeof yo, "%s/golden/%s/output.npy", g_shared, flt);
    neurio_errbuf err;
    neurio_npy x = { 0 }, y = { 0 };
    CU_ASSERT_EQUAL_FATAL(neurio_npy_read(xi, &x, &err), NEURIO_OK);
    CU_ASSERT_EQUAL_FATAL(neurio_npy_read(yo, &y, &err), NEURIO_OK);
    CU_ASSERT_EQUAL_FATAL(y.dtype, NEURIO_DT_FLOAT32);
    fid ours = { 0 }, theirs = { 0 };
    CU_ASSERT_EQUAL_FATAL(eval(flt, 1, xi, &x, &y, &ours), 0);
    CU_ASSERT_EQUAL_FATAL(eval(twin, 0, NULL, &x, &y, &theirs), 0);
    printf("\n    %-18s n=%-4zu neurio int8: argmax %6.2f%%  rel L2 %.4f | %-22s: argmax "
           "%6.2f%%  rel L2 %.4f\n", flt, ours.n, ours.agree * 100, ours.l2, twin,
           theirs.agree * 100, theirs.l2);
    CU_ASSERT(ours.l2 <= theirs.l2 * 1.10 + 1e-3);
    if (!isnan(ours.agree))
        CU_ASSERT(ours.agree >= theirs.agree - 0.02);
    neurio_npy_free(&x);
    neurio_npy_free(&y);
}

/* The int8 path of the interpreter used above reproduces TFLite Micro's
 * reference kernels bit for bit on the published int8 models. */
static void bit_exact(const char *model)
{
    char p[1200], xi[1200], yo[1200];
    snprintf(p, sizeof p, "%s/models/%s.tflite", g_shared, model);
    snprintf(xi, sizeof xi, "%s/golden/%s/input.npy", g_shared, model);
    snprintf(yo, sizeof yo, "%s/golden/%s/output.npy", g_shared, model);
    neurio_errbuf err;
    neurio_model *m = NULL;
    neurio_npy x = { 0 }, y = { 0 };
    CU_ASSERT_EQUAL_FATAL(neurio_model_load(p, &m, &err), NEURIO_OK);
    CU_ASSERT_EQUAL_FATAL(neurio_npy_read(xi, &x, &err), NEURIO_OK);
    CU_ASSERT_EQUAL_FATAL(neurio_npy_read(yo, &y, &err), NEURIO_OK);
    neurio_interp *it = NULL;
    int rc = neurio_interp_new(m, &it, &err);
    if (rc)
        fprintf(stderr, "\n    %s\n", err.msg);
    CU_ASSERT_EQUAL_FATAL(rc, NEURIO_OK);
    size_t ib = neurio_tensor_bytes(&m->tensors[m->inputs[0]]);
    size_t ob = neurio_tensor_bytes(&m->tensors[m->outputs[0]]);
    size_t n = x.bytes / ib, diff = 0;
    CU_ASSERT_EQUAL_FATAL(y.bytes, n * ob);
    unsigned char *o = malloc(ob);
    for (size_t s = 0; s < n; s++) {
        const void *ins[1] = { (const char *)x.data + s * ib };
        void *outs[1] = { o };
        CU_ASSERT_EQUAL_FATAL(neurio_interp_run(it, ins, outs, &err), NEURIO_OK);
        diff += memcmp(o, (const char *)y.data + s * ob, ob) != 0;
    }
    printf("\n    %s: %zu of %zu samples differ from TFLM\n", model, diff, n);
    CU_ASSERT_EQUAL(diff, 0);
    free(o);
    neurio_interp_free(it);
    neurio_model_free(m);
    neurio_npy_free(&x);
    neurio_npy_free(&y);
}

static void test_bitexact_hello(void) { bit_exact("hello_world_int8"); }
static void test_bitexact_ad01(void) { bit_exact("ad01_int8"); }
static void test_bitexact_resnet(void) { bit_exact("pretrainedResnet_quant"); }
static void test_bitexact_kws(void) { bit_exact("kws_ref_model"); }

static void test_resnet(void) { compare("pretrainedResnet", "pretrainedResnet_quant"); }
static void test_ad01(void) { compare("ad01_fp32", "ad01_int8"); }
static void test_hello(void) { compare("hello_world_float", "hello_world_int8"); }

int neurio_register_tests(void)
{
    g_shared = neurio_test_shared_dir();
    if (!g_shared)
        neurio_test_skip("../shared (published models and goldens) is absent");
    CU_pSuite s = CU_add_suite("quantize_fidelity", NULL, NULL);
    CU_add_test(s, "interp_bitexact_hello_world_int8", test_bitexact_hello);
    CU_add_test(s, "interp_bitexact_ad01_int8", test_bitexact_ad01);
    CU_add_test(s, "interp_bitexact_pretrainedResnet_quant", test_bitexact_resnet);
    CU_add_test(s, "interp_bitexact_kws_ref_model", test_bitexact_kws);
    CU_add_test(s, "hello_world", test_hello);
    CU_add_test(s, "ad01", test_ad01);
    CU_add_test(s, "pretrainedResnet", test_resnet);
    return 0;
}

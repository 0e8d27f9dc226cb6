/* tests/cortexm/test_cortexm_rnn.c — conformance: ONNX LSTM and GRU
 * (unrolled by the ONNX importer into FULLY_CONNECTED, ADD/MUL/SUB,
 * LOGISTIC/TANH, SLICE, RESHAPE, CONCATENATION) through `neurio run` on the
 * emulated Cortex-M4F (mps2-an386).  One graph holds a forward LSTM and a
 * bidirectional GRU on the same input (two outputs, gen_rnn_m4.py); 16
 * sequences in one batch:
 *   float  both outputs within 1e-5 (+ 1e-4 relative) of the numpy
 *          reference of ONNX's equations, and equal to the reference
 *          interpreter up to float rounding of the device build;
 *   int8   (model.quantize = "int8", calibrated on the same sequences)
 *          bit-exact with the reference interpreter run on the model
 *          prepared the same way, and within 0.08 of the float reference
 *          once dequantized.
 * The firmware is built at -O0 (device.opt_level) to keep the two builds
 * short; the kernels at the default -O2 are proven by the zoo tests.
 * Skips (77) without python3-onnx or the tools. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm_e2e_util.h"
#include "neurio/dataprep.h"
#include "neurio/interp.h"
#include "neurio/model.h"
#include "neurio/quantize.h"
#include "test_util.h"

static char g_dir[1024];

static const char *gen(const char *f)
{
    static char buf[4][1200];
    static int k;
    k = (k + 1) % 4;
    snprintf(buf[k], sizeof buf[k], "%s/%s", g_dir, f);
    return buf[k];
}

/* Runs the rig for quantize q on the M4 and reads pred.npy / pred_1.npy. */
static void run_m4(const char *name, const char *q, neurio_npy pred[2])
{
    char rig[4096];
    int cal = strcmp(q, "none") != 0;
    snprintf(rig, sizeof rig,
             "device = { plugin = \"cortex-m\"; board = \"mps2-an386\"; opt_level = \"0\"; "
             "run_timeout_ms = 600000; };\n"
             "model = { path = \"%s\"; quantize = \"%s\"; %s%s%s };\n"
             "data = { inputs = \"%s\"; batch_size = 16; };\n"
             "task = { kind = \"none\"; };\n"
             "output = { dir = \"%s\"; predictions = \"pred.npy\"; store = \"none\"; };\n",
             gen("rnn_m4.onnx"), q, cal ? "calibration = \"" : "", cal ? gen("x.npy") : "",
             cal ? "\";" : "", gen("x.npy"), cm_e2e_outdir(name));
    char *log = NULL;
    int rc = cm_e2e_run(name, rig, "", &log);
    if (rc)
        fprintf(stderr, "%s\n", log ? log : "");
    free(log);
    CU_ASSERT_EQUAL_FATAL(rc, 0);
    CU_ASSERT_EQUAL_FATAL(cm_e2e_read_pred(cm_e2e_outdir(name), "pred.npy", &pred[0]), 0);
    CU_ASSERT_EQUAL_FATAL(cm_e2e_read_pred(cm_e2e_outdir(name), "pred_1.npy", &pred[1]), 0);
}

/* The model prepared as the cortex-m plugin prepares it, and its
 * interpreter's outputs for every sequence of x.npy (outs[k]: n x bytes). */
static neurio_model *interp_all(const char *q, void *outs[2], size_t *n)
{
    neurio_errbuf e = {{0}};
    neurio_model *m = NULL;
    CU_ASSERT_EQUAL_FATAL(neurio_model_load(gen("rnn_m4.onnx"), &m, &e), NEURIO_OK);
    neurio_prepare_args a = { .size = sizeof a, .model_path = gen("rnn_m4.onnx"), .quantize = q,
                              .calibration = gen("x.npy"), .calibration_method = "minmax" };
    int rc = neurio_prepare_default(m, &a, &e);
    if (rc)
        fprintf(stderr, "\n  prepare %s: %s\n", q, e.msg);
    CU_ASSERT_EQUAL_FATAL(rc, NEURIO_OK);
    CU_ASSERT_EQUAL_FATAL(m->n_outputs, 2);
    neurio_npy x = { 0 };
    CU_ASSERT_EQUAL_FATAL(neurio_npy_read(gen("x.npy"), &x, &e), NEURIO_OK);
    void *qx = NULL;
    CU_ASSERT_EQUAL_FATAL(neurio_dataprep_input(m, 0, &x, &qx, n, &e), NEURIO_OK);
    neurio_interp *it = NULL;
    CU_ASSERT_EQUAL_FATAL(neurio_interp_new(m, &it, &e), NEURIO_OK);
    size_t ib = neurio_tensor_bytes(&m->tensors[m->inputs[0]]);
    size_t ob[2] = { neurio_tensor_bytes(&m->tensors[m->outputs[0]]),
                     neurio_tensor_bytes(&m->tensors[m->outputs[1]]) };
    for (int k = 0; k < 2; k++)
        CU_ASSERT_FATAL((outs[k] = malloc(*n * ob[k])) != NULL);
    for (size_t s = 0; s < *n; s++) {
        const void *ins[1] = { (const char *)qx + s * ib };
        void *o[2] = { (char *)outs[0] + s * ob[0], (char *)outs[1] + s * ob[1] };
        CU_ASSERT_EQUAL_FATAL(neurio_interp_run(it, ins, o, &e), NEURIO_OK);
    }
    neurio_interp_free(it);
    free(qx);
    neurio_npy_free(&x);
    return m;
}

/* Largest |got - want| - tol_rel |want| over n floats. */
static double excess(const float *got, const float *want, size_t n, double rel)
{
    double worst = -INFINITY;
    for (size_t i = 0; i < n; i++)
        worst = fmax(worst, fabs((double)got[i] - want[i]) - rel * fabs((double)want[i]));
    return worst;
}

static void test_float_m4(void)
{
    cm_e2e_require_tools();
    neurio_npy pred[2], want[2];
    neurio_errbuf e;
    run_m4("rnn-f32", "none", pred);
    void *ref[2];
    size_t n = 0;
    neurio_model *m = interp_all("none", ref, &n);
    for (int k = 0; k < 2; k++) {
        CU_ASSERT_EQUAL_FATAL(neurio_npy_read(gen(k ? "y1.npy" : "y0.npy"), &want[k], &e),
                              NEURIO_OK);
        CU_ASSERT_EQUAL_FATAL(pred[k].bytes, want[k].bytes);
        size_t cnt = want[k].bytes / 4;
        double dr = excess(pred[k].data, want[k].data, cnt, 1e-4);
        double di = excess(pred[k].data, ref[k], cnt, 1e-5);
        fprintf(stderr, "\n  %s float on mps2-an386: %zu values, excess over 1e-5 + 1e-4|ref| "
                "vs numpy %.3g, vs interpreter (1e-5 rel) %.3g", k ? "GRU" : "LSTM", cnt, dr, di);
        CU_ASSERT(dr <= 1e-5);
        CU_ASSERT(di <= 1e-6);
        neurio_npy_free(&pred[k]);
        neurio_npy_free(&want[k]);
        free(ref[k]);
    }
    neurio_model_free(m);
}

static void test_int8_m4(void)
{
    cm_e2e_require_tools();
    neurio_npy pred[2], want[2];
    neurio_errbuf e;
    run_m4("rnn-s8", "int8", pred);
    void *ref[2];
    size_t n = 0;
    neurio_model *m = interp_all("int8", ref, &n);
    for (int k = 0; k < 2; k++) {
        const neurio_tensor *t = &m->tensors[m->outputs[k]];
        CU_ASSERT_EQUAL_FATAL(t->dtype, NEURIO_DT_INT8);
        size_t ob = neurio_tensor_bytes(t);
        CU_ASSERT_EQUAL_FATAL(pred[k].bytes, n * ob);
        size_t same = 0;
        for (size_t i = 0; i < n * ob; i++)
            same += ((const int8_t *)pred[k].data)[i] == ((const int8_t *)ref[k])[i];
        CU_ASSERT_EQUAL_FATAL(neurio_npy_read(gen(k ? "y1.npy" : "y0.npy"), &want[k], &e),
                              NEURIO_OK);
        CU_ASSERT_EQUAL_FATAL(want[k].bytes, n * ob * 4);
        float *f = malloc(n * ob * sizeof *f);
        CU_ASSERT_FATAL(f != NULL);
        CU_ASSERT_EQUAL(neurio_dataprep_dequantize(m, k, pred[k].data, n, f), NEURIO_OK);
        double worst = 0;
        for (size_t i = 0; i < n * ob; i++)
            worst = fmax(worst, fabs((double)f[i] - ((const float *)want[k].data)[i]));
        fprintf(stderr, "\n  %s int8 on mps2-an386: %zu of %zu values equal the interpreter's; "
                "max abs error to the float reference %.4f", k ? "GRU" : "LSTM", same, n * ob,
                worst);
        CU_ASSERT_EQUAL(same, n * ob);
        CU_ASSERT(worst < 0.08);
        free(f);
        neurio_npy_free(&pred[k]);
        neurio_npy_free(&want[k]);
        free(ref[k]);
    }
    neurio_model_free(m);
}

int neurio_register_tests(void)
{
    snprintf(g_dir, sizeof g_dir, "%s/rnn-models", neurio_test_tmpdir());
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "/usr/bin/python3 %s/tests/cortexm/gen_rnn_m4.py '%s' 2>&1",
             NEURIO_SOURCE_DIR, g_dir);
    char *out = NULL;
    int rc = neurio_test_run(cmd, &out);
    if (rc) {
        fprintf(stderr, "%s\n", out ? out : "");
        free(out);
        neurio_test_skip("gen_rnn_m4.py failed (needs Debian's python3-onnx and python3-numpy)");
    }
    free(out);
    CU_pSuite s = CU_add_suite("cortexm_rnn", NULL, NULL);
    if (!s || !CU_add_test(s, "ONNX LSTM + GRU float on Cortex-M4", test_float_m4) ||
        !CU_add_test(s, "ONNX LSTM + GRU int8 on Cortex-M4", test_int8_m4))
        return -1;
    return 0;
}

/* tests/zoo/test_zoo_cortexm_conv16.c — conformance (label long):
 * the int16x8 convolution kernels on the emulated Cortex-M4F (mps2-an386)
 * through the real launcher (`neurio run`, cortex-m plugin): zoo cases of
 * ../shared/golden-zoo whose outputs TFLite Micro's reference kernels made,
 * every sample compared bit for bit.  One firmware build per case.
 *
 * Cases: seanet_conv0 (CONV_2D int16->int16, int64 bias) as shipped;
 * seanet_transpose_conv2 (TRANSPOSE_CONV int16->int16) rebuilt with its
 * output_shape operand as a constant instead of a second model input: TFLite
 * Micro never reads that operand (the output tensor's shape rules), so the
 * arithmetic and the golden outputs are the same, and `neurio run` takes
 * the model's one remaining input until it accepts a list of inputs (issue
 * 13, item 5).  The rebuilt file carries the original weights, bias,
 * per-channel scales, tensor shapes and options (tests/tflite/tfl_builder).
 * Skips (exit 77) when ../shared/golden-zoo or the ARM tools are absent. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../cortexm/cm_e2e_util.h"
#include "../tflite/tfl_builder.h"
#include "neurio/model.h"
#include "test_util.h"
#include "zoo_case.h"

static const char *g_zoo;

/* A TFLite tensor spec of IR tensor t (its data and quantization). */
static tspec spec_of(const neurio_tensor *t)
{
    static const struct { neurio_dtype dt; int8_t tt; } map[] = {
        {NEURIO_DT_FLOAT32, TT_FLOAT32}, {NEURIO_DT_INT32, TT_INT32}, {NEURIO_DT_INT64, TT_INT64},
        {NEURIO_DT_INT16, TT_INT16}, {NEURIO_DT_INT8, TT_INT8}};
    tspec s = {.name = t->name, .rank = t->rank, .data = t->data,
               .data_len = (uint32_t)t->data_bytes, .quant_dim = t->quant.axis};
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (map[i].dt == t->dtype)
            s.type = map[i].tt;
    for (int32_t i = 0; i < t->rank; i++)
        s.dims[i] = t->dims[i];
    s.n_quant = t->quant.count <= 64 ? t->quant.count : 0;
    for (int32_t i = 0; i < s.n_quant; i++) {
        s.scale[i] = t->quant.scale[i];
        s.zero_point[i] = t->quant.zero_point ? t->quant.zero_point[i] : 0;
    }
    return s;
}

/* Writes <tmp>/<name>.tflite: the case's one TRANSPOSE_CONV with
 * output_shape as a constant and the data input as the only model input. */
static void rebuild_tconv(const char *model, const char *name, char *out, size_t cap)
{
    neurio_errbuf e = {{0}};
    neurio_model *m = NULL;
    CU_ASSERT_EQUAL_FATAL(neurio_model_load(model, &m, &e), NEURIO_OK);
    CU_ASSERT_EQUAL_FATAL(m->n_ops, 1);
    const neurio_op *op = &m->ops[0];
    CU_ASSERT_EQUAL_FATAL(op->kind, NEURIO_OP_TRANSPOSE_CONV);
    const neurio_tensor *x = &m->tensors[op->inputs[0]], *w = &m->tensors[op->inputs[1]];
    const neurio_tensor *y = &m->tensors[op->outputs[0]];
    CU_ASSERT_FATAL(op->inputs[2] >= 0 && w->quant.count <= 64);
    int32_t shape[4];
    for (int i = 0; i < 4; i++)
        shape[i] = y->dims[i];
    tspec t[5] = {
        {.name = "output_shape", .type = TT_INT32, .rank = 1, .dims = {4}, .data = shape,
         .data_len = sizeof shape},
        spec_of(w), spec_of(x), spec_of(&m->tensors[op->inputs[2]]), spec_of(y)};
    fbn *opt = fbt_table();
    const neurio_conv_attr *a = &op->attr.conv;
    fbt_u8(opt, 0, a->padding == NEURIO_PAD_VALID ? 1 : 0);
    fbt_i32(opt, 1, a->stride_w);
    fbt_i32(opt, 2, a->stride_h);
    static const uint8_t tfl_act[] = {[NEURIO_ACT_NONE] = 0, [NEURIO_ACT_RELU] = 1,
                                      [NEURIO_ACT_RELU_N1_TO_1] = 2, [NEURIO_ACT_RELU6] = 3};
    fbt_u8(opt, 3, tfl_act[a->activation]);
    ospec o = {.code = 67, .opt_type = 49, .opt = opt, .n_in = 4, .n_out = 1,
               .in = {0, 1, 2, 3}, .out = {4}};
    int32_t gin[1] = {2}, gout[1] = {4};
    size_t len = 0;
    uint8_t *buf = tfl_build(t, 5, &o, 1, gin, 1, gout, 1, NULL, &len);
    snprintf(out, cap, "%s/%s.tflite", neurio_test_tmpdir(), name);
    FILE *f = fopen(out, "wb");
    CU_ASSERT_FATAL(f && fwrite(buf, 1, len, f) == len);
    fclose(f);
    free(buf);
    neurio_model_free(m);
}

/* Runs case `name` on mps2-an386 (model file `model`, input k of the case)
 * and compares every sample with the case's output. */
static void run_case(const char *name, const char *model, int k)
{
    cm_e2e_require_tools();
    zoo_case c;
    char why[1024] = "", rig[4096], run[160];
    CU_ASSERT_EQUAL_FATAL(zoo_load(g_zoo, name, &c, why, sizeof why), 0);
    CU_ASSERT_FATAL(k < c.n_inputs);
    snprintf(run, sizeof run, "%s-m4", name);
    snprintf(rig, sizeof rig,
             "device = { plugin = \"cortex-m\"; board = \"mps2-an386\"; "
             "run_timeout_ms = 600000; };\n"
             "model = { path = \"%s\"; quantize = \"none\"; };\n"
             "data = { inputs = \"%s\"; batch_size = 8; };\n"
             "task = { kind = \"none\"; };\n"
             "output = { dir = \"%s\"; predictions = \"pred.npy\"; store = \"none\"; };\n",
             model ? model : c.model, c.in_path[k], cm_e2e_outdir(run));
    char *log = NULL;
    int rc = cm_e2e_run(run, rig, "", &log);
    if (rc)
        fprintf(stderr, "\n  %s: neurio run exited %d:\n%s\n", name, rc, log ? log : "");
    free(log);
    CU_ASSERT_EQUAL(rc, 0);
    neurio_npy p;
    if (rc == 0 && cm_e2e_read_pred(cm_e2e_outdir(run), "pred.npy", &p) == 0) {
        /* pred.npy keeps the model's leading batch of 1; output.npy drops
         * it: the same bytes, sample after sample. */
        int same = p.dtype == c.out[0].dtype && p.bytes == c.out[0].bytes &&
                   memcmp(p.data, c.out[0].data, p.bytes) == 0;
        CU_ASSERT_TRUE(same);
        fprintf(stderr, "\n  %s on mps2-an386: %zu samples %s TFLite Micro's outputs\n", name,
                c.n_samples, same ? "bit-identical to" : "DIFFER from");
        neurio_npy_free(&p);
    } else {
        CU_FAIL("no predictions");
    }
    CU_ASSERT_EQUAL(cm_e2e_count_qemu(neurio_test_tmpdir()), 0);
    zoo_free(&c);
}

static void test_conv_s16(void)
{
    run_case("seanet_conv0", NULL, 0);
}

static void test_tconv_s16(void)
{
    char zoo_model[1200], model[1200];
    snprintf(zoo_model, sizeof zoo_model, "%s/seanet_transpose_conv2/model.tflite", g_zoo);
    rebuild_tconv(zoo_model, "tconv2_one_input", model, sizeof model);
    run_case("seanet_transpose_conv2", model, 1);
}

int neurio_register_tests(void)
{
    const char *shared = neurio_test_shared_dir();
    static char zoo[1100];
    struct stat st;
    if (!shared)
        neurio_test_skip("../shared is absent; this test needs ../shared/golden-zoo");
    snprintf(zoo, sizeof zoo, "%s/golden-zoo", shared);
    if (stat(zoo, &st) || !S_ISDIR(st.st_mode))
        neurio_test_skip("%s is absent", zoo);
    g_zoo = zoo;
    CU_pSuite s = CU_add_suite("zoo_cortexm_conv16", NULL, NULL);
    if (!s || !CU_add_test(s, "CONV_2D int16x8 (seanet_conv0) on mps2-an386", test_conv_s16) ||
        !CU_add_test(s, "TRANSPOSE_CONV int16x8 (seanet_transpose_conv2) on mps2-an386",
                     test_tconv_s16))
        return -1;
    return 0;
}

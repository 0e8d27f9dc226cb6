/* tests/codegen/test_codegen_fcpack.c — the packed FULLY_CONNECTED layout
 * as a code generation choice (neurio_codegen_options.fc_weights,
 * flash_budget): int8 and int16 emit their arrays and say so in the
 * result; auto takes int16 only while the model's constants fit the
 * budget (int8 when it is short or unknown, counted as left int8 for the
 * budget); each layer's layout and bytes come back in options.layers; a
 * bad value is refused.  The
 * generated C compiles for Cortex-M4 (where NK_FC_PACKED holds).  The
 * kernels' bit-exactness in both layouts: test_nk_fc_pack (portable) and
 * test_nk_arm_dsp_qemu (DSP, on the emulated board). */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cg_test_util.h"
#include "neurio/codegen.h"
#include "test_util.h"

#define IN 64
#define OUT 16
/* int8 layout: rows 16 x depth 64 bytes; int16: twice that */
#define EXTRA (4 * (NK16_WORDS - NK8_WORDS))
#define NK8_WORDS (OUT * IN / 4)
#define NK16_WORDS (OUT * IN / 2)
/* the model's constants: weights + bias */
#define CONSTS (OUT * IN + OUT * 4)

/* x[1, IN] -> FULLY_CONNECTED (int8 per tensor, bias) -> y[1, OUT] */
static neurio_model *fc_model(void)
{
    neurio_model *m = neurio_model_new("fcp");
    int32_t dx[2] = {1, IN}, dw[2] = {OUT, IN}, db[1] = {OUT}, dy[2] = {1, OUT};
    int32_t x = neurio_model_add_tensor(m, "x", NEURIO_DT_INT8, 2, dx);
    int32_t w = neurio_model_add_tensor(m, "w", NEURIO_DT_INT8, 2, dw);
    int32_t b = neurio_model_add_tensor(m, "b", NEURIO_DT_INT32, 1, db);
    int32_t y = neurio_model_add_tensor(m, "y", NEURIO_DT_INT8, 2, dy);
    cg_consts(m, w, b, OUT * IN, OUT, 0, 7u);
    float sx = 0.05f, sy = 0.2f;
    int32_t zx = -3, zy = 5;
    neurio_tensor_set_quant(m, x, 1, 0, &sx, &zx);
    neurio_tensor_set_quant(m, y, 1, 0, &sy, &zy);
    int32_t ins[3] = {x, w, b};
    neurio_model_add_op(m, NEURIO_OP_FULLY_CONNECTED, 3, ins, 1, &y);
    neurio_model_set_io(m, 1, &x, 1, &y);
    return m;
}

/* The layer's layout of the last gen() (options.layers; the model's one op). */
static neurio_codegen_layer lay[1];

/* Generate m into <tmp>/<name> with fc_weights and budget; the result. */
static neurio_codegen_result gen(const neurio_model *m, const char *name, int fc_weights,
                                 uint64_t budget, char *src, size_t src_size)
{
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/%s", neurio_test_tmpdir(), name);
    mkdir(dir, 0777);
    lay[0] = (neurio_codegen_layer){.layout = -1, .bytes = 1, .added_bytes = 1}; /* overwritten */
    neurio_codegen_options o = {.fc_weights = fc_weights, .flash_budget = budget, .layers = lay};
    neurio_codegen_result res;
    neurio_errbuf e = {{0}};
    int rc = neurio_codegen(m, dir, &o, &res, &e);
    if (rc)
        fprintf(stderr, "codegen: %s\n", e.msg);
    CU_ASSERT_EQUAL_FATAL(rc, NEURIO_OK);
    snprintf(src, src_size, "%s", res.source_path);
    return res;
}

static void test_layouts(void)
{
    neurio_model *m = fc_model();
    char src[4096];
    static const char *const kernels[] = {"conv/nk_fc_pack.c", "arm/nk_arm_fc_packed.c", NULL};

    neurio_codegen_result r = gen(m, "fcp_int8", NEURIO_FC_WEIGHTS_INT8, 0, src, sizeof src);
    CU_ASSERT_EQUAL(r.fc_int8_layers, 1);
    CU_ASSERT_EQUAL(r.fc_int16_layers, 0);
    CU_ASSERT_EQUAL(r.fc_int16_bytes, 0);
    CU_ASSERT_STRING_EQUAL(r.fc_layout, "op 0 int8");
    CU_ASSERT(cg_file_has(src, "ng_fw0[256]"));
    CU_ASSERT(cg_file_has(src, "ng_fp0 = {ng_fw0, ng_fk0, ng_fcx, 64, 1, 0}"));
    CU_ASSERT(cg_file_has(src, "nk_fully_connected_s8_packed(&ng_p0, &ng_fp0"));
    /* the layer's layout for the report: the int8 words and one constant
     * per row (rows of four), nothing added */
    CU_ASSERT_EQUAL(lay[0].layout, NEURIO_LAYOUT_FC_INT8);
    CU_ASSERT_STRING_EQUAL(neurio_codegen_layout_name(lay[0].layout), "packed int8");
    CU_ASSERT_EQUAL(lay[0].bytes, 4 * NK8_WORDS + 4 * OUT);
    CU_ASSERT_EQUAL(lay[0].added_bytes, 0);
    CU_ASSERT_EQUAL(r.fc_budget_int8, 0); /* as asked, not for the budget */
    CU_ASSERT_EQUAL(r.const_bytes, CONSTS);

    r = gen(m, "fcp_int16", NEURIO_FC_WEIGHTS_INT16, 0, src, sizeof src);
    CU_ASSERT_EQUAL(r.fc_int8_layers, 0);
    CU_ASSERT_EQUAL(r.fc_int16_layers, 1);
    CU_ASSERT_EQUAL(r.fc_int16_bytes, EXTRA);
    CU_ASSERT_STRING_EQUAL(r.fc_layout, "op 0 int16 (+1024 B)");
    CU_ASSERT(cg_file_has(src, "ng_fw0[512]"));
    CU_ASSERT(cg_file_has(src, "ng_fp0 = {ng_fw0, ng_fk0, ng_fcx, 64, 1, 1}"));
    CU_ASSERT(cg_file_has(src, "nk_fully_connected_s8_packed16(&ng_p0, &ng_fp0"));
    CU_ASSERT_EQUAL(lay[0].layout, NEURIO_LAYOUT_FC_INT16);
    CU_ASSERT_STRING_EQUAL(neurio_codegen_layout_name(lay[0].layout), "packed int16");
    CU_ASSERT_EQUAL(lay[0].bytes, 4 * NK16_WORDS + 4 * OUT);
    CU_ASSERT_EQUAL(lay[0].added_bytes, EXTRA);
    /* the int16 layout's generated C and kernels compile for Cortex-M4
     * (NK_FC_PACKED: the packed arrays and call) */
    cg_compile_for_m4(src, neurio_test_tmpdir(), kernels);
    neurio_model_free(m);
}

static void test_auto(void)
{
    neurio_model *m = fc_model();
    char src[4096];
    /* budget unknown: int8 */
    neurio_codegen_result r = gen(m, "fcp_auto0", NEURIO_FC_WEIGHTS_AUTO, 0, src, sizeof src);
    CU_ASSERT_EQUAL(r.fc_int8_layers, 1);
    CU_ASSERT_EQUAL(r.fc_int16_layers, 0);
    /* flash one byte short of the int16 layout: int8 */
    r = gen(m, "fcp_auto1", NEURIO_FC_WEIGHTS_AUTO, CONSTS + EXTRA - 1, src, sizeof src);
    CU_ASSERT_EQUAL(r.fc_int8_layers, 1);
    CU_ASSERT_EQUAL(r.fc_int16_layers, 0);
    CU_ASSERT_EQUAL(r.fc_budget_int8, 1); /* int8 for the budget: a plugin may retry */
    CU_ASSERT_EQUAL(lay[0].layout, NEURIO_LAYOUT_FC_INT8);
    CU_ASSERT(cg_file_has(src, "packed int8 weights"));
    /* just enough: int16 */
    r = gen(m, "fcp_auto2", NEURIO_FC_WEIGHTS_AUTO, CONSTS + EXTRA, src, sizeof src);
    CU_ASSERT_EQUAL(r.fc_int8_layers, 0);
    CU_ASSERT_EQUAL(r.fc_int16_layers, 1);
    CU_ASSERT_EQUAL(r.fc_budget_int8, 0);
    CU_ASSERT_EQUAL(lay[0].layout, NEURIO_LAYOUT_FC_INT16);
    CU_ASSERT(cg_file_has(src, "packed int16 weights"));
    /* int8 asked for: int8 whatever the budget */
    r = gen(m, "fcp_auto3", NEURIO_FC_WEIGHTS_INT8, (uint64_t)1 << 40, src, sizeof src);
    CU_ASSERT_EQUAL(r.fc_int16_layers, 0);

    neurio_codegen_options o = {.fc_weights = 3};
    neurio_errbuf e = {{0}};
    CU_ASSERT_EQUAL(neurio_codegen(m, neurio_test_tmpdir(), &o, NULL, &e), NEURIO_ERR_INVALID);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "fc_weights"));
    neurio_model_free(m);
}

/* x[1,6,6,2] -> CONV_2D 3x3 (int8, bias) -> y[1,4,4,4]: packed at
 * generation (nk_conv_pack, int16 weights) and reported as such. */
static void test_conv_layout(void)
{
    neurio_model *m = neurio_model_new("cvp");
    int32_t dx[4] = {1, 6, 6, 2}, dw[4] = {4, 3, 3, 2}, db[1] = {4}, dy[4] = {1, 4, 4, 4};
    int32_t x = cg_tq(m, "x", NEURIO_DT_INT8, dx, 0.05f, -3);
    int32_t w = neurio_model_add_tensor(m, "w", NEURIO_DT_INT8, 4, dw);
    int32_t b = neurio_model_add_tensor(m, "b", NEURIO_DT_INT32, 1, db);
    int32_t y = cg_tq(m, "y", NEURIO_DT_INT8, dy, 0.2f, 5);
    cg_consts(m, w, b, 72, 4, 0, 11u);
    int32_t ins[3] = {x, w, b};
    neurio_model_add_op(m, NEURIO_OP_CONV_2D, 3, ins, 1, &y);
    neurio_model_set_io(m, 1, &x, 1, &y);
    char src[4096];
    gen(m, "cvp", NEURIO_FC_WEIGHTS_AUTO, 0, src, sizeof src);
    CU_ASSERT(cg_file_has(src, "nk_conv2d_s8_packed(&ng_p0, &ng_cp0"));
    CU_ASSERT_EQUAL(lay[0].layout, NEURIO_LAYOUT_CONV_INT16);
    CU_ASSERT_STRING_EQUAL(neurio_codegen_layout_name(lay[0].layout), "packed int16");
    /* int16 weights and four constants per output channel, beyond the
     * model's 72 weight and 16 bias bytes */
    CU_ASSERT(lay[0].bytes >= 2 * 72 + 16 * 4);
    CU_ASSERT_EQUAL(lay[0].added_bytes, lay[0].bytes - (72 + 16));
    neurio_model_free(m);
}

int neurio_register_tests(void)
{
    CU_pSuite s = CU_add_suite("codegen_fcpack", NULL, NULL);
    if (!s)
        return -1;
    CU_add_test(s, "int8 and int16 packed layouts: arrays, result, M4 compile",
                test_layouts);
    CU_add_test(s, "auto: int16 only within the flash budget; bad value refused", test_auto);
    CU_add_test(s, "a packed CONV_2D's layout in options.layers", test_conv_layout);
    return 0;
}

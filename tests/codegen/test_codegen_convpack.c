/* tests/codegen/test_codegen_convpack.c — which packed CONV_2D layout the
 * code generator picks (codegen_convpack.c): an even out_c gets the 2 x 2
 * stream (nk_conv_pack.fl; in_c 3 and 4), an odd out_c the 4-pixel patch
 * layout, a fused ReLU (activation range narrower than int8) the plain
 * call; the generated C compiles for
 * Cortex-M4 (where NK_CONV_PACKED holds).  The kernels' bit-exactness:
 * test_nk_conv_pack (portable) and test_nk_arm_dsp_qemu (DSP). */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cg_test_util.h"
#include "neurio/codegen.h"
#include "test_util.h"

/* x [1, 12, 12, ci] -> CONV_2D 3x3 SAME (int8 per channel, bias) -> y */
static neurio_model *conv_model(int32_t ci, int32_t co, neurio_activation act)
{
    neurio_model *m = neurio_model_new("cvp");
    int32_t dx[4] = {1, 12, 12, ci}, dw[4] = {co, 3, 3, ci}, db[1] = {co}, dy[4] = {1, 12, 12, co};
    int32_t x = cg_tq(m, "x", NEURIO_DT_INT8, dx, 0.05f, -3);
    int32_t w = neurio_model_add_tensor(m, "w", NEURIO_DT_INT8, 4, dw);
    int32_t b = neurio_model_add_tensor(m, "b", NEURIO_DT_INT32, 1, db);
    int32_t y = cg_tq(m, "y", NEURIO_DT_INT8, dy, 0.2f, 5);
    cg_consts(m, w, b, co * 9 * ci, co, 1, 11u);
    int32_t ins[3] = {x, w, b};
    int32_t i = neurio_model_add_op(m, NEURIO_OP_CONV_2D, 3, ins, 1, &y);
    neurio_conv_attr *a = &m->ops[i].attr.conv;
    a->padding = NEURIO_PAD_SAME;
    a->activation = act;
    neurio_model_set_io(m, 1, &x, 1, &y);
    return m;
}

static void gen(const neurio_model *m, const char *name, char *src, size_t src_size)
{
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/%s", neurio_test_tmpdir(), name);
    mkdir(dir, 0777);
    neurio_codegen_result res;
    neurio_errbuf e = {{0}};
    int rc = neurio_codegen(m, dir, NULL, &res, &e);
    if (rc)
        fprintf(stderr, "codegen: %s\n", e.msg);
    CU_ASSERT_EQUAL_FATAL(rc, NEURIO_OK);
    snprintf(src, src_size, "%s", res.source_path);
}

static void test_layout_choice(void)
{
    static const char *const kernels[] = {"conv/nk_conv_pack_fl.c", "arm/nk_arm_conv2d_fl.c",
                                          NULL};
    char src[4096];
    /* 3 channels, 8 outputs: the 2 x 2 stream, 4 pairs of 10 + 4 * 7 words */
    neurio_model *m = conv_model(3, 8, NEURIO_ACT_NONE);
    gen(m, "cvp_fl", src, sizeof src);
    CU_ASSERT(cg_file_has(src, "ng_cf0[152]"));
    CU_ASSERT(cg_file_has(src, "nk_conv_pack ng_cp0 = {NULL, NULL, ng_cf0}"));
    CU_ASSERT(cg_file_has(src, "nk_conv2d_s8_packed(&ng_p0, &ng_cp0"));
    CU_ASSERT(!cg_file_has(src, "ng_cw0"));
    cg_compile_for_m4(src, neurio_test_tmpdir(), kernels);
    neurio_model_free(m);
    /* 4 input channels: the same stream, 4 pairs of 10 + 4 * 9 words */
    m = conv_model(4, 8, NEURIO_ACT_NONE);
    gen(m, "cvp_c4", src, sizeof src);
    CU_ASSERT(cg_file_has(src, "ng_cf0[184]"));
    CU_ASSERT(!cg_file_has(src, "ng_cw0"));
    neurio_model_free(m);
    /* an odd number of outputs: the 4-pixel patch layout (28 taps x 7) */
    m = conv_model(3, 7, NEURIO_ACT_NONE);
    gen(m, "cvp_odd", src, sizeof src);
    CU_ASSERT(cg_file_has(src, "ng_cw0[196]"));
    CU_ASSERT(cg_file_has(src, "nk_conv_pack ng_cp0 = {ng_cw0, ng_ck0, NULL}"));
    CU_ASSERT(!cg_file_has(src, "ng_cf0"));
    neurio_model_free(m);
    /* a fused ReLU: neither layout, the plain call */
    m = conv_model(3, 8, NEURIO_ACT_RELU);
    gen(m, "cvp_relu", src, sizeof src);
    CU_ASSERT(!cg_file_has(src, "ng_cf0") && !cg_file_has(src, "ng_cw0"));
    CU_ASSERT(cg_file_has(src, "nk_conv2d_s8(&ng_p0"));
    neurio_model_free(m);
}

int neurio_register_tests(void)
{
    CU_pSuite s = CU_add_suite("codegen_convpack", NULL, NULL);
    if (!s)
        return -1;
    CU_add_test(s, "2 x 2 stream, patch layout or plain call; M4 compile",
                test_layout_choice);
    return 0;
}

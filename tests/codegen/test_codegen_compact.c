/* tests/codegen/test_codegen_compact.c — neurio_codegen_options.weights =
 * NEURIO_WEIGHTS_COMPACT: every layer keeps its weights int8, one byte per
 * weight.  On a 3x3 CONV_2D followed by a 1x1 CONV_2D (whose input dies
 * there) and on a FULLY_CONNECTED layer, the default (fast) generation
 * emits the int16 layouts (nk_conv_pack, the 1x1 row-pair nk_pw_pack over
 * an overlapped plan, nk_fc_pack int16 when asked), and compact emits none
 * of them: no layer reported CONV_INT16 or FC_INT16, no int16 array, no
 * call of a kernel that reads int16 weights, and no 1x1 layer laid over its
 * input (only the row-pair kernel may: sdk/src/plan/plan_overlap.c).
 * fc_weights auto means int8 under compact, an explicit int16 still widens;
 * a bad value is refused.  With ../shared present the same holds for the
 * golden models (kws, ResNet-8, ad01, hello_world).  The compact C compiles
 * for Cortex-M4 (where NK_CONV_PACKED, NK_CONV_ROWS and NK_FC_PACKED hold). */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cg_test_util.h"
#include "neurio/codegen.h"
#include "neurio/optimize.h"
#include "test_util.h"

#define MAX_OPS 64

static neurio_codegen_layer lay[MAX_OPS];

/* x[1,10,10,8] -> CONV_2D 3x3 SAME -> t[1,10,10,16] -> CONV_2D 1x1 -> u[1,10,10,16]
 * -> CONV_2D 1x1 -> y[1,10,10,16] (t and u in the arena: layer 1 may overlap) */
static neurio_model *conv_model(void)
{
    neurio_model *m = neurio_model_new("cpt");
    int32_t dx[4] = {1, 10, 10, 8}, d16[4] = {1, 10, 10, 16};
    int32_t dw0[4] = {16, 3, 3, 8}, dw1[4] = {16, 1, 1, 16}, db[1] = {16};
    int32_t x = cg_tq(m, "x", NEURIO_DT_INT8, dx, 0.05f, -3);
    int32_t t = cg_tq(m, "t", NEURIO_DT_INT8, d16, 0.1f, 2);
    int32_t u = cg_tq(m, "u", NEURIO_DT_INT8, d16, 0.2f, 5);
    int32_t y = cg_tq(m, "y", NEURIO_DT_INT8, d16, 0.3f, -1);
    int32_t w0 = neurio_model_add_tensor(m, "w0", NEURIO_DT_INT8, 4, dw0);
    int32_t b0 = neurio_model_add_tensor(m, "b0", NEURIO_DT_INT32, 1, db);
    int32_t w1 = neurio_model_add_tensor(m, "w1", NEURIO_DT_INT8, 4, dw1);
    int32_t b1 = neurio_model_add_tensor(m, "b1", NEURIO_DT_INT32, 1, db);
    int32_t w2 = neurio_model_add_tensor(m, "w2", NEURIO_DT_INT8, 4, dw1);
    int32_t b2 = neurio_model_add_tensor(m, "b2", NEURIO_DT_INT32, 1, db);
    cg_consts(m, w0, b0, 16 * 9 * 8, 16, 1, 5u); /* per channel */
    cg_consts(m, w1, b1, 16 * 16, 16, 1, 9u);
    cg_consts(m, w2, b2, 16 * 16, 16, 1, 13u);
    int32_t in0[3] = {x, w0, b0}, in1[3] = {t, w1, b1}, in2[3] = {u, w2, b2};
    int32_t i = neurio_model_add_op(m, NEURIO_OP_CONV_2D, 3, in0, 1, &t);
    m->ops[i].attr.conv.padding = NEURIO_PAD_SAME;
    i = neurio_model_add_op(m, NEURIO_OP_CONV_2D, 3, in1, 1, &u);
    m->ops[i].attr.conv.padding = NEURIO_PAD_VALID;
    i = neurio_model_add_op(m, NEURIO_OP_CONV_2D, 3, in2, 1, &y);
    m->ops[i].attr.conv.padding = NEURIO_PAD_VALID;
    neurio_model_set_io(m, 1, &x, 1, &y);
    return m;
}

/* x[1,64] -> FULLY_CONNECTED (int8 per tensor, bias) -> y[1,16] */
static neurio_model *fc_model(void)
{
    neurio_model *m = neurio_model_new("fct");
    int32_t dx[2] = {1, 64}, dw[2] = {16, 64}, db[1] = {16}, dy[2] = {1, 16};
    int32_t x = neurio_model_add_tensor(m, "x", NEURIO_DT_INT8, 2, dx);
    int32_t w = neurio_model_add_tensor(m, "w", NEURIO_DT_INT8, 2, dw);
    int32_t b = neurio_model_add_tensor(m, "b", NEURIO_DT_INT32, 1, db);
    int32_t y = neurio_model_add_tensor(m, "y", NEURIO_DT_INT8, 2, dy);
    cg_consts(m, w, b, 16 * 64, 16, 0, 3u); /* per tensor */
    float sx = 0.05f, sy = 0.2f;
    int32_t zx = -3, zy = 5;
    neurio_tensor_set_quant(m, x, 1, 0, &sx, &zx);
    neurio_tensor_set_quant(m, y, 1, 0, &sy, &zy);
    int32_t ins[3] = {x, w, b};
    neurio_model_add_op(m, NEURIO_OP_FULLY_CONNECTED, 3, ins, 1, &y);
    neurio_model_set_io(m, 1, &x, 1, &y);
    return m;
}

/* Generate m into <tmp>/<name>; its source text (caller frees). */
static char *gen(const neurio_model *m, const char *name, int weights, int fc_weights,
                 neurio_codegen_result *res, char *src, size_t src_size)
{
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/%s", neurio_test_tmpdir(), name);
    mkdir(dir, 0777);
    CU_ASSERT_FATAL(m->n_ops <= MAX_OPS);
    neurio_codegen_options o = {.weights = weights, .fc_weights = fc_weights,
                                .flash_budget = (uint64_t)1 << 30, .layers = lay};
    neurio_errbuf e = {{0}};
    int rc = neurio_codegen(m, dir, &o, res, &e);
    if (rc)
        fprintf(stderr, "codegen %s: %s\n", name, e.msg);
    CU_ASSERT_EQUAL_FATAL(rc, NEURIO_OK);
    snprintf(src, src_size, "%s", res->source_path);
    char *text = neurio_test_read_file(src, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(text);
    return text;
}

/* What an int16 layout leaves in the generated C. */
static const char *const int16_marks[] = {
    "int16_t NG_ALIGN",        /* widened weight arrays (nk_conv_pack, nk_pw_pack) */
    "nk_conv_pack ng_cp",      /* CONV_2D packed (both layouts widen to int16) */
    "nk_pw_pack ng_pk",        /* 1x1 row-pair layout */
    "nk_conv2d_1x1_s8_rows(",  /* its kernel */
    "nk_conv2d_s8_packed(",    /* the packed CONV_2D kernel */
    "_packed16(",              /* FULLY_CONNECTED int16 */
    NULL};

/* How many int16 marks text holds; the layers' int16 layouts in *n16. */
static int int16_count(const char *text, int32_t n_ops, int *n16)
{
    int found = 0;
    for (int k = 0; int16_marks[k]; k++)
        found += strstr(text, int16_marks[k]) != NULL;
    *n16 = 0;
    for (int32_t i = 0; i < n_ops; i++)
        *n16 += lay[i].layout == NEURIO_LAYOUT_CONV_INT16 ||
                lay[i].layout == NEURIO_LAYOUT_FC_INT16 || lay[i].layout == NEURIO_LAYOUT_PW_INT16;
    return found;
}

static void test_conv_compact(void)
{
    neurio_model *m = conv_model();
    neurio_codegen_result r;
    char src[4096];
    int n16 = 0;
    /* fast (the default): the 3x3 packed, the 1x1 on the row-pair layout,
     * laid over its dying input */
    char *text = gen(m, "cpt_fast", NEURIO_WEIGHTS_FAST, NEURIO_FC_WEIGHTS_AUTO, &r, src,
                     sizeof src);
    CU_ASSERT(int16_count(text, m->n_ops, &n16) >= 3);
    CU_ASSERT_EQUAL(lay[0].layout, NEURIO_LAYOUT_CONV_INT16);
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "nk_pw_pack ng_pk1"));
    /* reported as such: 4 groups (of four input channels) x 4 x 16
     * halfwords and 4 x 16 words in place of 256 weight and 64 bias bytes */
    CU_ASSERT_EQUAL(lay[1].layout, NEURIO_LAYOUT_PW_INT16);
    CU_ASSERT_STRING_EQUAL(neurio_codegen_layout_name(lay[1].layout), "packed int16");
    CU_ASSERT_EQUAL(lay[1].bytes, 2 * 256 + 4 * 64);
    CU_ASSERT_EQUAL(lay[1].added_bytes, 2 * 256 + 4 * 64 - (256 + 64));
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "layer 1: output overlaps its input"));
    const uint64_t arena_fast = r.arena_bytes;
    free(text);
    /* compact: all int8, the plain calls, no 1x1 overlap (a larger arena) */
    text = gen(m, "cpt_compact", NEURIO_WEIGHTS_COMPACT, NEURIO_FC_WEIGHTS_AUTO, &r, src,
               sizeof src);
    CU_ASSERT_EQUAL(int16_count(text, m->n_ops, &n16), 0);
    CU_ASSERT_EQUAL(n16, 0);
    CU_ASSERT_EQUAL(lay[0].layout, NEURIO_LAYOUT_PLAIN);
    CU_ASSERT_EQUAL(lay[1].layout, NEURIO_LAYOUT_PLAIN);
    CU_ASSERT_EQUAL(lay[2].layout, NEURIO_LAYOUT_PLAIN);
    CU_ASSERT_PTR_NULL(strstr(text, "layer 1: output overlaps its input"));
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "nk_conv2d_s8(&ng_p1"));
    CU_ASSERT(r.arena_bytes > arena_fast);
    /* the model's own int8 arrays, once each */
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "int8_t NG_ALIGN ng_c"));
    static const char *const kernels[] = {"conv/nk_conv2d.c", "arm/nk_arm_conv2d.c", NULL};
    cg_compile_for_m4(src, neurio_test_tmpdir(), kernels);
    free(text);
    neurio_model_free(m);
}

static void test_fc_compact(void)
{
    neurio_model *m = fc_model();
    neurio_codegen_result r;
    char src[4096];
    int n16 = 0;
    /* fast, auto with room in flash: int16 */
    char *text = gen(m, "fct_fast", NEURIO_WEIGHTS_FAST, NEURIO_FC_WEIGHTS_AUTO, &r, src,
                     sizeof src);
    CU_ASSERT_EQUAL(r.fc_int16_layers, 1);
    CU_ASSERT(int16_count(text, m->n_ops, &n16) >= 1 && n16 == 1);
    free(text);
    /* compact, auto: int8 (one byte per weight: 16 x 64 bytes) */
    text = gen(m, "fct_compact", NEURIO_WEIGHTS_COMPACT, NEURIO_FC_WEIGHTS_AUTO, &r, src,
               sizeof src);
    CU_ASSERT_EQUAL(int16_count(text, m->n_ops, &n16), 0);
    CU_ASSERT_EQUAL(n16, 0);
    CU_ASSERT_EQUAL(r.fc_int8_layers, 1);
    CU_ASSERT_EQUAL(r.fc_int16_layers, 0);
    CU_ASSERT_EQUAL(r.fc_budget_int8, 0); /* no budget decision: nothing to retry */
    CU_ASSERT_EQUAL(lay[0].layout, NEURIO_LAYOUT_FC_INT8);
    CU_ASSERT_EQUAL(lay[0].added_bytes, 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "ng_fw0[256]"));
    free(text);
    /* compact with fc_weights = int16 set explicitly: the FC layer widens */
    text = gen(m, "fct_compact16", NEURIO_WEIGHTS_COMPACT, NEURIO_FC_WEIGHTS_INT16, &r, src,
               sizeof src);
    CU_ASSERT_EQUAL(r.fc_int16_layers, 1);
    CU_ASSERT_EQUAL(lay[0].layout, NEURIO_LAYOUT_FC_INT16);
    free(text);
    /* a bad value is refused, naming the option */
    neurio_codegen_options o = {.weights = 2};
    neurio_errbuf e = {{0}};
    CU_ASSERT_EQUAL(neurio_codegen(m, neurio_test_tmpdir(), &o, NULL, &e), NEURIO_ERR_INVALID);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "options.weights"));
    neurio_model_free(m);
}

/* The golden models: fast has int16 layouts (kws, ResNet-8 and ad01),
 * compact none. */
static void test_shared_compact(void)
{
    static const char *const models[] = {"kws_ref_model", "pretrainedResnet_quant", "ad01_int8",
                                         "hello_world_int8"};
    const char *shared = neurio_test_shared_dir();
    for (size_t k = 0; k < sizeof models / sizeof models[0]; k++) {
        char path[4096], name[128], src[4096];
        neurio_model *m = NULL;
        neurio_errbuf e = {{0}};
        snprintf(path, sizeof path, "%s/models/%s.tflite", shared, models[k]);
        CU_ASSERT_EQUAL_FATAL(neurio_model_load(path, &m, &e), NEURIO_OK);
        CU_ASSERT_EQUAL_FATAL(neurio_optimize(m, &e), NEURIO_OK);
        neurio_codegen_result r;
        int n16 = 0;
        snprintf(name, sizeof name, "%s_fast", models[k]);
        char *text = gen(m, name, NEURIO_WEIGHTS_FAST, NEURIO_FC_WEIGHTS_AUTO, &r, src,
                         sizeof src);
        const int fast_marks = int16_count(text, m->n_ops, &n16);
        if (k < 3)
            CU_ASSERT(fast_marks > 0 && n16 > 0);
        free(text);
        snprintf(name, sizeof name, "%s_compact", models[k]);
        text = gen(m, name, NEURIO_WEIGHTS_COMPACT, NEURIO_FC_WEIGHTS_AUTO, &r, src, sizeof src);
        CU_ASSERT_EQUAL(int16_count(text, m->n_ops, &n16), 0);
        CU_ASSERT_EQUAL(n16, 0);
        CU_ASSERT_PTR_NULL(strstr(text, "int16_t"));
        fprintf(stderr, "\n  %s: fast %d int16 mark(s), compact none", models[k], fast_marks);
        free(text);
        neurio_model_free(m);
    }
}

int neurio_register_tests(void)
{
    CU_pSuite s = CU_add_suite("codegen_compact", NULL, NULL);
    if (!s)
        return -1;
    CU_add_test(s, "CONV_2D 3x3 and 1x1: fast widens, compact int8 only, no 1x1 overlap",
                test_conv_compact);
    CU_add_test(s, "FULLY_CONNECTED: compact auto = int8, explicit int16 widens, bad value",
                test_fc_compact);
    if (neurio_test_shared_dir())
        CU_add_test(s, "the golden models: compact emits no int16 layout", test_shared_compact);
    else
        printf("note: ../shared absent: the golden models are not generated compact\n");
    return CU_get_error() == CUE_SUCCESS ? 0 : -1;
}

/* tests/codegen/test_codegen.c — the C code generator on hand-built models
 * with hand-computed outputs: the generated code must compile with
 * -std=c99 -Wall -Wextra -pedantic -Werror, run through the host runner
 * (libffi, any number of inputs/outputs) and give the expected numbers;
 * unsupported graphs are refused naming the op. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cg_test_util.h"
#include "host_runner.h"
#include "neurio/codegen.h"
#include "neurio/interp.h"
#include "neurio/model.h"
#include "test_util.h"

static const char *gen_dir(const char *name)
{
    static char buf[1024];
    snprintf(buf, sizeof buf, "%s/%s", neurio_test_tmpdir(), name);
    mkdir(buf, 0777);
    return buf;
}

/* Generate, compile pedantically as a check, build the .so (with the
 * per-layer hook), open it. */
static nh_module *build_and_open(const neurio_model *m, const char *dir,
                                 neurio_codegen_result *res)
{
    nh_build_opts bo = {.cflags = "-O1", .layer_hook = 1, .n_layers = (uint32_t)m->n_ops};
    return cg_gen_build_open(m, dir, &bo, res);
}

static void test_identifier(void)
{
    char b[64];
    neurio_c_identifier("pretrainedResnet_quant.tflite", b, sizeof b);
    CU_ASSERT_STRING_EQUAL(b, "pretrainedResnet_quant");
    neurio_c_identifier("/a/b.c/kws-ref model.v2.onnx", b, sizeof b);
    CU_ASSERT_STRING_EQUAL(b, "kws_ref_model_v2");
    neurio_c_identifier("3dnet.tflite", b, sizeof b);
    CU_ASSERT_STRING_EQUAL(b, "m_3dnet");
    neurio_c_identifier("int", b, sizeof b);
    CU_ASSERT_STRING_EQUAL(b, "int_model");
    neurio_c_identifier("", b, sizeof b);
    CU_ASSERT_STRING_EQUAL(b, "model");
    neurio_c_identifier("abcdefghij", b, 5);
    CU_ASSERT_STRING_EQUAL(b, "abcd");
}

/* int8 FC, scales 1 -> 0.5: x = [1, 2], W = [[1, 2], [3, 4]], b = [1, -1]
 * real y = [6, 10] -> q = [12, 20]; then RESHAPE to [1, 2, 1] (graph
 * output: aliased, written straight into the caller's buffer). */
static void test_int8_fc(void)
{
    neurio_model *m = neurio_model_new("fc8");
    int32_t dx[2] = {1, 2}, dw[2] = {2, 2}, db[1] = {2}, dr[3] = {1, 2, 1};
    int32_t x = neurio_model_add_tensor(m, "x", NEURIO_DT_INT8, 2, dx);
    /* names that would break a C comment or string if copied blindly */
    int32_t w = neurio_model_add_tensor(m, "w*/ int x;\n", NEURIO_DT_INT8, 2, dw);
    int32_t b = neurio_model_add_tensor(m, "b\"\\?\?/", NEURIO_DT_INT32, 1, db);
    int32_t y = neurio_model_add_tensor(m, "y", NEURIO_DT_INT8, 2, dx);
    int32_t r = neurio_model_add_tensor(m, "r", NEURIO_DT_INT8, 3, dr);
    static const int8_t wv[4] = {1, 2, 3, 4};
    static const int32_t bv[2] = {1, -1};
    neurio_tensor_set_data(m, w, wv, sizeof wv);
    neurio_tensor_set_data(m, b, bv, sizeof bv);
    float one = 1.0f, half = 0.5f;
    int32_t zero = 0;
    neurio_tensor_set_quant(m, x, 1, 0, &one, &zero);
    neurio_tensor_set_quant(m, w, 1, 0, &one, &zero);
    neurio_tensor_set_quant(m, b, 1, 0, &one, &zero);
    neurio_tensor_set_quant(m, y, 1, 0, &half, &zero);
    neurio_tensor_set_quant(m, r, 1, 0, &half, &zero);
    int32_t ins[3] = {x, w, b};
    int32_t fc = neurio_model_add_op(m, NEURIO_OP_FULLY_CONNECTED, 3, ins, 1, &y);
    neurio_model_add_op(m, NEURIO_OP_RESHAPE, 1, &y, 1, &r);
    free(m->ops[fc].name);
    m->ops[fc].name = strdup("fc */ evil");
    neurio_model_set_io(m, 1, &x, 1, &r);
    neurio_codegen_result res;
    nh_module *mod = build_and_open(m, gen_dir("fc8"), &res);
    CU_ASSERT_STRING_EQUAL(res.name, "fc8");
    CU_ASSERT_EQUAL(res.arena_bytes, 0); /* y aliases the output buffer */
    CU_ASSERT_EQUAL(res.n_layers, 2);
    const neurio_model_desc *d = nh_desc(mod);
    CU_ASSERT_EQUAL(d->n_layers, 2);
    CU_ASSERT_STRING_EQUAL(d->layer_ops[0], "FULLY_CONNECTED");
    CU_ASSERT_EQUAL(d->layer_macs[0], 4);
    CU_ASSERT_EQUAL(d->inputs[0].dtype, NEURIO_DESC_DT_INT8);
    CU_ASSERT_EQUAL(d->outputs[0].rank, 3);
    CU_ASSERT_EQUAL(d->outputs[0].bytes, 2);
    CU_ASSERT_DOUBLE_EQUAL(d->outputs[0].scale, 0.5, 1e-9);
    CU_ASSERT_EQUAL(strlen(d->sha256), 64);
    const int8_t xin[2] = {1, 2};
    int8_t yout[2] = {0, 0};
    const void *in[1] = {xin};
    void *out[1] = {yout};
    uint64_t layers[2] = {0, 0};
    uint32_t nl = 0;
    neurio_errbuf e = {{0}};
    CU_ASSERT_EQUAL(nh_run(mod, in, out, NULL, NULL, layers, &nl, &e), NEURIO_OK);
    CU_ASSERT_EQUAL(yout[0], 12);
    CU_ASSERT_EQUAL(yout[1], 20);
    CU_ASSERT_EQUAL(nl, 2);
    /* saturation: x = [127, 127] -> 3*127+4*127-1 = 888 -> q 1776 -> 127 */
    const int8_t xbig[2] = {127, 127};
    in[0] = xbig;
    CU_ASSERT_EQUAL(nh_run(mod, in, out, NULL, NULL, NULL, NULL, &e), NEURIO_OK);
    CU_ASSERT_EQUAL(yout[0], 127);
    CU_ASSERT_EQUAL(yout[1], 127);
    nh_close(mod);
    neurio_model_free(m);
}

/* Float, two inputs and two outputs: s = a + b; r = relu6(s * 2) through
 * MUL with a constant; outputs (s, r). */
static void test_float_multi_io(void)
{
    neurio_model *m = neurio_model_new("two io");
    int32_t d[2] = {1, 3};
    int32_t a = neurio_model_add_tensor(m, "a", NEURIO_DT_FLOAT32, 2, d);
    int32_t b = neurio_model_add_tensor(m, "b", NEURIO_DT_FLOAT32, 2, d);
    int32_t s = neurio_model_add_tensor(m, "s", NEURIO_DT_FLOAT32, 2, d);
    int32_t k = neurio_model_add_tensor(m, "k", NEURIO_DT_FLOAT32, 0, NULL);
    int32_t t = neurio_model_add_tensor(m, "t", NEURIO_DT_FLOAT32, 2, d);
    int32_t r = neurio_model_add_tensor(m, "r", NEURIO_DT_FLOAT32, 2, d);
    float two = 2.0f;
    neurio_tensor_set_data(m, k, &two, sizeof two);
    int32_t i1[2] = {a, b}, i2[2] = {s, k};
    neurio_model_add_op(m, NEURIO_OP_ADD, 2, i1, 1, &s);
    neurio_model_add_op(m, NEURIO_OP_MUL, 2, i2, 1, &t);
    neurio_model_add_op(m, NEURIO_OP_RELU6, 1, &t, 1, &r);
    int32_t gi[2] = {a, b}, go[2] = {s, r};
    neurio_model_set_io(m, 2, gi, 2, go);
    neurio_codegen_result res;
    nh_module *mod = build_and_open(m, gen_dir("two_io"), &res);
    CU_ASSERT_STRING_EQUAL(res.name, "two_io");
    const neurio_model_desc *dd = nh_desc(mod);
    CU_ASSERT_EQUAL(dd->n_inputs, 2);
    CU_ASSERT_EQUAL(dd->n_outputs, 2);
    CU_ASSERT_STRING_EQUAL(dd->inputs[1].name, "b");
    const float av[3] = {1.0f, -2.0f, 3.0f}, bv[3] = {0.5f, 0.5f, -4.0f};
    float sv[3] = {0}, rv[3] = {0};
    const void *in[2] = {av, bv};
    void *out[2] = {sv, rv};
    neurio_errbuf e = {{0}};
    CU_ASSERT_EQUAL(nh_run(mod, in, out, NULL, NULL, NULL, NULL, &e), NEURIO_OK);
    CU_ASSERT_DOUBLE_EQUAL(sv[0], 1.5, 1e-7);
    CU_ASSERT_DOUBLE_EQUAL(sv[1], -1.5, 1e-7);
    CU_ASSERT_DOUBLE_EQUAL(sv[2], -1.0, 1e-7);
    CU_ASSERT_DOUBLE_EQUAL(rv[0], 3.0, 1e-7);
    CU_ASSERT_DOUBLE_EQUAL(rv[1], 0.0, 1e-7);
    CU_ASSERT_DOUBLE_EQUAL(rv[2], 0.0, 1e-7);
    nh_close(mod);
    neurio_model_free(m);
}

static void test_refusals(void)
{
    neurio_errbuf e = {{0}};
    const char *dir = gen_dir("refused");
    /* LOGICAL_NOT has a kernel for bool only. */
    neurio_model *m = neurio_model_new("ln");
    int32_t d[2] = {2, 3};
    int32_t x = neurio_model_add_tensor(m, "x", NEURIO_DT_FLOAT32, 2, d);
    int32_t y = neurio_model_add_tensor(m, "y", NEURIO_DT_FLOAT32, 2, d);
    neurio_model_add_op(m, NEURIO_OP_LOGICAL_NOT, 1, &x, 1, &y);
    neurio_model_set_io(m, 1, &x, 1, &y);
    CU_ASSERT_EQUAL(neurio_codegen(m, dir, NULL, NULL, &e), NEURIO_ERR_UNSUPPORTED);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "op 0 (LOGICAL_NOT)"));
    neurio_model_free(m);

    /* Hybrid: float activations, int8 weights. */
    m = neurio_model_new("hy");
    int32_t dx[2] = {1, 2}, dw[2] = {2, 2};
    x = neurio_model_add_tensor(m, "x", NEURIO_DT_FLOAT32, 2, dx);
    int32_t w = neurio_model_add_tensor(m, "w", NEURIO_DT_INT8, 2, dw);
    y = neurio_model_add_tensor(m, "y", NEURIO_DT_FLOAT32, 2, dx);
    static const int8_t wv[4] = {1, 2, 3, 4};
    neurio_tensor_set_data(m, w, wv, sizeof wv);
    float sc = 0.1f;
    int32_t zp = 0;
    neurio_tensor_set_quant(m, w, 1, 0, &sc, &zp);
    int32_t ins[2] = {x, w};
    neurio_model_add_op(m, NEURIO_OP_FULLY_CONNECTED, 2, ins, 1, &y);
    neurio_model_set_io(m, 1, &x, 1, &y);
    CU_ASSERT_EQUAL(neurio_codegen(m, dir, NULL, NULL, &e), NEURIO_ERR_UNSUPPORTED);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "op 0 (FULLY_CONNECTED)"));
    CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "hybrid"));
    neurio_model_free(m);

    /* Not a directory. */
    m = neurio_model_new("nd");
    x = neurio_model_add_tensor(m, "x", NEURIO_DT_FLOAT32, 2, dx);
    y = neurio_model_add_tensor(m, "y", NEURIO_DT_FLOAT32, 2, dx);
    neurio_model_add_op(m, NEURIO_OP_RELU, 1, &x, 1, &y);
    neurio_model_set_io(m, 1, &x, 1, &y);
    CU_ASSERT_EQUAL(neurio_codegen(m, "/nonexistent/dir", NULL, NULL, &e), NEURIO_ERR_IO);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "/nonexistent/dir"));
    neurio_model_free(m);
}

/* Same model twice: byte-identical output (reproducible builds). */
static void test_deterministic(void)
{
    neurio_model *m = neurio_model_new("det");
    int32_t d[4] = {1, 4, 4, 2};
    int32_t x = neurio_model_add_tensor(m, "x", NEURIO_DT_FLOAT32, 4, d);
    int32_t y = neurio_model_add_tensor(m, "y", NEURIO_DT_FLOAT32, 4, d);
    neurio_model_add_op(m, NEURIO_OP_RELU, 1, &x, 1, &y);
    neurio_model_set_io(m, 1, &x, 1, &y);
    neurio_codegen_result r1, r2;
    neurio_errbuf e = {{0}};
    CU_ASSERT_EQUAL_FATAL(neurio_codegen(m, gen_dir("det1"), NULL, &r1, &e), NEURIO_OK);
    CU_ASSERT_EQUAL_FATAL(neurio_codegen(m, gen_dir("det2"), NULL, &r2, &e), NEURIO_OK);
    size_t l1 = 0, l2 = 0;
    char *a = neurio_test_read_file(r1.source_path, &l1);
    char *b = neurio_test_read_file(r2.source_path, &l2);
    CU_ASSERT_PTR_NOT_NULL_FATAL(a);
    CU_ASSERT_PTR_NOT_NULL_FATAL(b);
    CU_ASSERT_EQUAL(l1, l2);
    CU_ASSERT(l1 == l2 && memcmp(a, b, l1) == 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(a, "NEURIO_LAYER_HOOK(1);"));
    CU_ASSERT_PTR_NULL(strstr(a, "stdio.h"));
    CU_ASSERT_PTR_NULL(strstr(a, "malloc"));
    free(a);
    free(b);
    neurio_model_free(m);
}

/* Deterministic pseudo-random floats in [-1, 1). */
static float lcg(uint32_t *st)
{
    *st = *st * 1664525u + 1013904223u;
    return (float)((*st >> 8) & 0xffff) / 32768.0f - 1.0f;
}

static int32_t cst(neurio_model *m, const char *nm, int32_t rank, const int32_t *d,
                   uint32_t *st)
{
    int32_t t = neurio_model_add_tensor(m, nm, NEURIO_DT_FLOAT32, rank, d);
    size_t n = neurio_tensor_elements(&m->tensors[t]);
    float *v = malloc(n * sizeof *v);
    for (size_t i = 0; i < n; i++)
        v[i] = lcg(st) * 0.5f;
    neurio_tensor_set_data(m, t, v, n * sizeof *v);
    free(v);
    return t;
}

static int32_t act(neurio_model *m, const char *nm, int32_t rank, const int32_t *d)
{
    return neurio_model_add_tensor(m, nm, NEURIO_DT_FLOAT32, rank, d);
}

/* A float graph with every layout/element-wise op the goldens lack (PAD,
 * dilated/strided conv, depthwise x2, max/avg pool, logistic, tanh, SUB,
 * broadcast MUL, CONCAT, MEAN, RESHAPE, FC, SOFTMAX), two outputs.  The
 * generated code (one shared arena, aliasing, in place) must give exactly
 * the reference interpreter's results (one buffer per tensor, same kernels). */
static void test_float_ops_vs_interp(void)
{
    uint32_t st = 12345;
    neurio_model *m = neurio_model_new("ops_f32");
    int32_t dx[4] = {1, 8, 8, 3}, dp[4] = {1, 10, 10, 3}, dc[4] = {1, 6, 6, 4},
            dd[4] = {1, 3, 3, 8}, dm[4] = {1, 1, 1, 8}, dcc[4] = {1, 1, 1, 16},
            dav[4] = {1, 3, 3, 8};
    int32_t x = act(m, "x", 4, dx), p = act(m, "p", 4, dp), c1 = act(m, "c1", 4, dc);
    int32_t d1 = act(m, "d1", 4, dd), mp = act(m, "mp", 4, dm), lg = act(m, "lg", 4, dm);
    int32_t th = act(m, "th", 4, dm), sb = act(m, "sb", 4, dm), ml = act(m, "ml", 4, dm);
    int32_t cc = act(m, "cc", 4, dcc), mn = act(m, "mn", 4, dcc), ap = act(m, "ap", 4, dav);
    int32_t d16[2] = {1, 16}, d5[2] = {1, 5};
    int32_t rs = act(m, "rs", 2, d16), fc = act(m, "fc", 2, d5), y = act(m, "y", 2, d5);
    int32_t dpads[2] = {4, 2};
    int32_t pads = neurio_model_add_tensor(m, "pads", NEURIO_DT_INT32, 2, dpads);
    static const int32_t padv[8] = {0, 0, 1, 1, 1, 1, 0, 0};
    neurio_tensor_set_data(m, pads, padv, sizeof padv);
    int32_t dw1[4] = {4, 3, 3, 3}, db1[1] = {4}, dw2[4] = {1, 3, 3, 8}, db2[1] = {8};
    int32_t dk[1] = {8}, dw3[2] = {5, 16}, db3[1] = {5};
    int32_t w1 = cst(m, "w1", 4, dw1, &st), b1 = cst(m, "b1", 1, db1, &st);
    int32_t w2 = cst(m, "w2", 4, dw2, &st), b2 = cst(m, "b2", 1, db2, &st);
    int32_t k = cst(m, "k", 1, dk, &st);
    int32_t w3 = cst(m, "w3", 2, dw3, &st), b3 = cst(m, "b3", 1, db3, &st);
    int32_t o;
    int32_t i_pad[2] = {x, pads};
    neurio_model_add_op(m, NEURIO_OP_PAD, 2, i_pad, 1, &p);
    int32_t i_c1[3] = {p, w1, b1};
    o = neurio_model_add_op(m, NEURIO_OP_CONV_2D, 3, i_c1, 1, &c1);
    m->ops[o].attr.conv.dilation_h = 2; /* 10 - (3-1)*2 = 6 */
    m->ops[o].attr.conv.dilation_w = 2;
    m->ops[o].attr.conv.activation = NEURIO_ACT_RELU;
    int32_t i_d1[3] = {c1, w2, b2};
    o = neurio_model_add_op(m, NEURIO_OP_DEPTHWISE_CONV_2D, 3, i_d1, 1, &d1);
    m->ops[o].attr.conv.depth_multiplier = 2;
    m->ops[o].attr.conv.padding = NEURIO_PAD_SAME;
    m->ops[o].attr.conv.stride_h = m->ops[o].attr.conv.stride_w = 2;
    m->ops[o].attr.conv.activation = NEURIO_ACT_RELU6;
    o = neurio_model_add_op(m, NEURIO_OP_MAX_POOL_2D, 1, &d1, 1, &mp);
    m->ops[o].attr.pool = (neurio_pool_attr){.filter_h = 3, .filter_w = 3, .stride_h = 3,
                                             .stride_w = 3, .padding = NEURIO_PAD_VALID};
    o = neurio_model_add_op(m, NEURIO_OP_AVERAGE_POOL_2D, 1, &d1, 1, &ap);
    m->ops[o].attr.pool = (neurio_pool_attr){.filter_h = 2, .filter_w = 2, .stride_h = 1,
                                             .stride_w = 1, .padding = NEURIO_PAD_SAME};
    neurio_model_add_op(m, NEURIO_OP_LOGISTIC, 1, &mp, 1, &lg);
    neurio_model_add_op(m, NEURIO_OP_TANH, 1, &mp, 1, &th);
    int32_t i_sb[2] = {lg, th}, i_ml[2] = {sb, k}, i_cc[2] = {ml, mp};
    neurio_model_add_op(m, NEURIO_OP_SUB, 2, i_sb, 1, &sb);
    neurio_model_add_op(m, NEURIO_OP_MUL, 2, i_ml, 1, &ml);
    o = neurio_model_add_op(m, NEURIO_OP_CONCATENATION, 2, i_cc, 1, &cc);
    m->ops[o].attr.concat.axis = 3;
    o = neurio_model_add_op(m, NEURIO_OP_MEAN, 1, &cc, 1, &mn);
    m->ops[o].attr.mean.keep_dims = 1;
    m->ops[o].attr.mean.n_axes = 2;
    m->ops[o].attr.mean.axes[0] = 1;
    m->ops[o].attr.mean.axes[1] = 2;
    neurio_model_add_op(m, NEURIO_OP_RESHAPE, 1, &mn, 1, &rs);
    int32_t i_fc[3] = {rs, w3, b3};
    neurio_model_add_op(m, NEURIO_OP_FULLY_CONNECTED, 3, i_fc, 1, &fc);
    o = neurio_model_add_op(m, NEURIO_OP_SOFTMAX, 1, &fc, 1, &y);
    m->ops[o].attr.softmax.beta = 1.0f;
    int32_t go[2] = {y, ap};
    neurio_model_set_io(m, 1, &x, 2, go);
    neurio_errbuf e = {{0}};
    neurio_interp *it = cg_interp(m);
    neurio_codegen_result res;
    nh_module *mod = build_and_open(m, gen_dir("ops_f32"), &res);
    float xin[8 * 8 * 3], y_ref[5], ap_ref[72], y_got[5], ap_got[72];
    for (int trial = 0; trial < 4; trial++) {
        for (size_t i = 0; i < sizeof xin / sizeof xin[0]; i++)
            xin[i] = lcg(&st) * 3.0f;
        const void *in[1] = {xin};
        void *ref[2] = {y_ref, ap_ref}, *got[2] = {y_got, ap_got};
        CU_ASSERT_EQUAL_FATAL(neurio_interp_run(it, in, ref, &e), NEURIO_OK);
        CU_ASSERT_EQUAL_FATAL(nh_run(mod, in, got, NULL, NULL, NULL, NULL, &e), NEURIO_OK);
        CU_ASSERT_EQUAL(memcmp(y_ref, y_got, sizeof y_ref), 0);
        CU_ASSERT_EQUAL(memcmp(ap_ref, ap_got, sizeof ap_ref), 0);
        float sum = 0;
        for (int i = 0; i < 5; i++)
            sum += y_got[i];
        CU_ASSERT_DOUBLE_EQUAL(sum, 1.0, 1e-5);
        CU_ASSERT(y_got[0] != y_got[1]);   /* real data flowed through */
        CU_ASSERT(ap_got[0] != ap_got[71]);
    }
    /* The arena is smaller than the sum of all activations (reuse works). */
    CU_ASSERT(res.arena_bytes < (uint64_t)(300 + 144 + 72) * 4);
    nh_close(mod);
    neurio_interp_free(it);
    neurio_model_free(m);
}

static int32_t q8(neurio_model *m, const char *nm, int32_t rank, const int32_t *d, float sc,
                  int32_t zp)
{
    int32_t t = neurio_model_add_tensor(m, nm, NEURIO_DT_INT8, rank, d);
    neurio_tensor_set_quant(m, t, 1, 0, &sc, &zp);
    return t;
}

static int32_t cw8(neurio_model *m, const char *nm, int32_t rank, const int32_t *d,
                   int32_t n_scales, const float *scales, uint32_t *st)
{
    int32_t t = neurio_model_add_tensor(m, nm, NEURIO_DT_INT8, rank, d);
    size_t n = neurio_tensor_elements(&m->tensors[t]);
    int8_t *v = malloc(n);
    for (size_t i = 0; i < n; i++)
        v[i] = (int8_t)(lcg(st) * 127.0f);
    neurio_tensor_set_data(m, t, v, n);
    free(v);
    int32_t zps[8] = {0};
    neurio_tensor_set_quant(m, t, n_scales, 0, scales, zps);
    return t;
}

static int32_t cb32(neurio_model *m, const char *nm, int32_t n, uint32_t *st)
{
    int32_t d[1] = {n};
    int32_t t = neurio_model_add_tensor(m, nm, NEURIO_DT_INT32, 1, d);
    int32_t v[16];
    for (int32_t i = 0; i < n; i++)
        v[i] = (int32_t)(lcg(st) * 2000.0f);
    neurio_tensor_set_data(m, t, v, (size_t)n * sizeof v[0]);
    return t;
}

/* The int8 counterpart: QUANTIZE (float->int8 and requantize), PAD with the
 * zero point, per-channel CONV with fused RELU, max/avg pool, ADD (in
 * place), MUL, LOGISTIC, TANH, SUB, standalone RELU/RELU6/CLIP, CONCAT,
 * MEAN with rescaling, RESHAPE, per-tensor FC, SOFTMAX, DEQUANTIZE; two
 * outputs (float and int8).  Generated code == reference interpreter. */
static void test_int8_ops_vs_interp(void)
{
    uint32_t st = 777;
    neurio_model *m = neurio_model_new("ops_s8");
    int32_t dx[4] = {1, 4, 4, 2}, dpd[4] = {1, 6, 6, 2}, dcv[4] = {1, 4, 4, 3};
    int32_t d2[4] = {1, 2, 2, 3}, dcc[4] = {1, 2, 2, 6}, dmn[4] = {1, 1, 1, 6};
    int32_t d6[2] = {1, 6}, d4[2] = {1, 4};
    int32_t x = act(m, "x", 4, dx);
    int32_t q = q8(m, "q", 4, dx, 0.05f, 3), rq = q8(m, "rq", 4, dx, 0.1f, -5);
    int32_t pd = q8(m, "pd", 4, dpd, 0.1f, -5), cv = q8(m, "cv", 4, dcv, 0.2f, -100);
    int32_t mp = q8(m, "mp", 4, d2, 0.2f, -100), av = q8(m, "av", 4, d2, 0.2f, -100);
    int32_t ad = q8(m, "ad", 4, d2, 0.3f, -60), mu = q8(m, "mu", 4, d2, 0.5f, 2);
    int32_t lg = q8(m, "lg", 4, d2, 1.0f / 256, -128), th = q8(m, "th", 4, d2, 1.0f / 128, 0);
    int32_t sb = q8(m, "sb", 4, d2, 0.02f, 0), rl = q8(m, "rl", 4, d2, 0.02f, 0);
    int32_t r6 = q8(m, "r6", 4, d2, 0.02f, 0), cl = q8(m, "cl", 4, d2, 1.0f / 128, 0);
    int32_t cc = q8(m, "cc", 4, dcc, 0.02f, 0), mn = q8(m, "mn", 4, dmn, 0.01f, 1);
    int32_t rs = q8(m, "rs", 2, d6, 0.01f, 1), fc = q8(m, "fc", 2, d4, 0.1f, 0);
    int32_t sm = q8(m, "sm", 2, d4, 1.0f / 256, -128), y = act(m, "y", 2, d4);
    int32_t dpads[2] = {4, 2};
    int32_t pads = neurio_model_add_tensor(m, "pads", NEURIO_DT_INT32, 2, dpads);
    static const int32_t padv[8] = {0, 0, 1, 1, 1, 1, 0, 0};
    neurio_tensor_set_data(m, pads, padv, sizeof padv);
    int32_t dw1[4] = {3, 3, 3, 2}, dw2[2] = {4, 6};
    const float s1[3] = {0.01f, 0.02f, 0.015f}, s2[1] = {0.004f};
    int32_t w1 = cw8(m, "w1", 4, dw1, 3, s1, &st), b1 = cb32(m, "b1", 3, &st);
    int32_t w2 = cw8(m, "w2", 2, dw2, 1, s2, &st), b2 = cb32(m, "b2", 4, &st);
    int32_t o;
    neurio_model_add_op(m, NEURIO_OP_QUANTIZE, 1, &x, 1, &q);
    neurio_model_add_op(m, NEURIO_OP_QUANTIZE, 1, &q, 1, &rq);
    int32_t i_pad[2] = {rq, pads};
    neurio_model_add_op(m, NEURIO_OP_PAD, 2, i_pad, 1, &pd);
    int32_t i_cv[3] = {pd, w1, b1};
    o = neurio_model_add_op(m, NEURIO_OP_CONV_2D, 3, i_cv, 1, &cv);
    m->ops[o].attr.conv.activation = NEURIO_ACT_RELU;
    o = neurio_model_add_op(m, NEURIO_OP_MAX_POOL_2D, 1, &cv, 1, &mp);
    m->ops[o].attr.pool = (neurio_pool_attr){.filter_h = 2, .filter_w = 2, .stride_h = 2,
                                             .stride_w = 2};
    o = neurio_model_add_op(m, NEURIO_OP_AVERAGE_POOL_2D, 1, &cv, 1, &av);
    m->ops[o].attr.pool = (neurio_pool_attr){.filter_h = 2, .filter_w = 2, .stride_h = 2,
                                             .stride_w = 2};
    int32_t i_ad[2] = {av, mp}, i_mu[2] = {ad, mp}, i_sb[2] = {lg, th}, i_cc[2] = {rl, r6};
    neurio_model_add_op(m, NEURIO_OP_ADD, 2, i_ad, 1, &ad);
    neurio_model_add_op(m, NEURIO_OP_MUL, 2, i_mu, 1, &mu);
    neurio_model_add_op(m, NEURIO_OP_LOGISTIC, 1, &mu, 1, &lg);
    neurio_model_add_op(m, NEURIO_OP_TANH, 1, &mu, 1, &th);
    neurio_model_add_op(m, NEURIO_OP_SUB, 2, i_sb, 1, &sb);
    neurio_model_add_op(m, NEURIO_OP_RELU, 1, &sb, 1, &rl);
    neurio_model_add_op(m, NEURIO_OP_RELU6, 1, &sb, 1, &r6);
    o = neurio_model_add_op(m, NEURIO_OP_CLIP, 1, &th, 1, &cl);
    m->ops[o].attr.clip.min = -0.5f;
    m->ops[o].attr.clip.max = 0.5f;
    o = neurio_model_add_op(m, NEURIO_OP_CONCATENATION, 2, i_cc, 1, &cc);
    m->ops[o].attr.concat.axis = 3;
    o = neurio_model_add_op(m, NEURIO_OP_MEAN, 1, &cc, 1, &mn);
    m->ops[o].attr.mean.keep_dims = 1;
    m->ops[o].attr.mean.n_axes = 2;
    m->ops[o].attr.mean.axes[0] = 1;
    m->ops[o].attr.mean.axes[1] = 2;
    neurio_model_add_op(m, NEURIO_OP_RESHAPE, 1, &mn, 1, &rs);
    int32_t i_fc[3] = {rs, w2, b2};
    neurio_model_add_op(m, NEURIO_OP_FULLY_CONNECTED, 3, i_fc, 1, &fc);
    o = neurio_model_add_op(m, NEURIO_OP_SOFTMAX, 1, &fc, 1, &sm);
    m->ops[o].attr.softmax.beta = 1.0f;
    neurio_model_add_op(m, NEURIO_OP_DEQUANTIZE, 1, &sm, 1, &y);
    int32_t go[2] = {y, cl};
    neurio_model_set_io(m, 1, &x, 2, go);
    neurio_errbuf e = {{0}};
    neurio_interp *it = cg_interp(m);
    neurio_codegen_result res;
    nh_module *mod = build_and_open(m, gen_dir("ops_s8"), &res);
    float xin[32], y_ref[4], y_got[4];
    int8_t cl_ref[12], cl_got[12];
    int distinct = 0;
    for (int trial = 0; trial < 8; trial++) {
        for (size_t i = 0; i < 32; i++)
            xin[i] = lcg(&st) * 6.0f;
        const void *in[1] = {xin};
        void *ref[2] = {y_ref, cl_ref}, *got[2] = {y_got, cl_got};
        int r1 = neurio_interp_run(it, in, ref, &e);
        if (r1)
            fprintf(stderr, "interp run: %s\n", e.msg);
        CU_ASSERT_EQUAL_FATAL(r1, NEURIO_OK);
        int r2 = nh_run(mod, in, got, NULL, NULL, NULL, NULL, &e);
        if (r2)
            fprintf(stderr, "run: %s\n", e.msg);
        CU_ASSERT_EQUAL_FATAL(r2, NEURIO_OK);
        CU_ASSERT_EQUAL(memcmp(y_ref, y_got, sizeof y_ref), 0);
        CU_ASSERT_EQUAL(memcmp(cl_ref, cl_got, sizeof cl_ref), 0);
        for (int i = 1; i < 12; i++)
            distinct |= cl_got[i] != cl_got[0];
    }
    CU_ASSERT(distinct); /* real data flowed through */
    nh_close(mod);
    neurio_interp_free(it);
    neurio_model_free(m);
}

int neurio_register_tests(void)
{
    CU_pSuite s = CU_add_suite("codegen", NULL, NULL);
    if (!s)
        return -1;
    CU_add_test(s, "identifier", test_identifier);
    CU_add_test(s, "int8_fc", test_int8_fc);
    CU_add_test(s, "float_multi_io", test_float_multi_io);
    CU_add_test(s, "float_ops_vs_interp", test_float_ops_vs_interp);
    CU_add_test(s, "int8_ops_vs_interp", test_int8_ops_vs_interp);
    CU_add_test(s, "refusals", test_refusals);
    CU_add_test(s, "deterministic", test_deterministic);
    return 0;
}

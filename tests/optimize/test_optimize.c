/* tests/optimize/test_optimize.c — each optimizer pass on a small graph:
 * the rewrite happened (op counts, attributes) and the graph still computes
 * the same function (reference interpreter before vs after). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "neurio/interp.h"
#include "neurio/onnx.h"
#include "neurio/optimize.h"
#include "neurio/planner.h"
#include "neurio/npy.h"
#include "test_util.h"

static unsigned g_seed = 12345;
static float frand(void)
{
    g_seed = g_seed * 1103515245u + 12345u;
    return (float)((g_seed >> 8) & 0xffff) / 32768.0f - 1.0f;
}

static int32_t cst(neurio_model *m, const char *name, int32_t rank, const int32_t *dims)
{
    int32_t t = neurio_model_add_tensor(m, name, NEURIO_DT_FLOAT32, rank, dims);
    size_t n = neurio_tensor_elements(&m->tensors[t]);
    float *d = malloc(n * sizeof *d);
    for (size_t i = 0; i < n; i++)
        d[i] = frand();
    neurio_tensor_set_data(m, t, d, n * sizeof *d);
    free(d);
    return t;
}

static int32_t act(neurio_model *m, const char *name, int32_t rank, const int32_t *dims)
{
    return neurio_model_add_tensor(m, name, NEURIO_DT_FLOAT32, rank, dims);
}

static int count(const neurio_model *m, neurio_op_kind k)
{
    int n = 0;
    for (int32_t i = 0; i < m->n_ops; i++)
        n += m->ops[i].kind == k;
    return n;
}

/* Max |difference| of output 0 between a and b on one random input. */
static double max_diff(const neurio_model *a, const neurio_model *b)
{
    neurio_errbuf err;
    neurio_interp *ia = NULL, *ib = NULL;
    if (neurio_interp_new(a, &ia, &err) || neurio_interp_new(b, &ib, &err)) {
        fprintf(stderr, "\n    %s\n", err.msg);
        return INFINITY;
    }
    size_t ni = neurio_tensor_elements(&a->tensors[a->inputs[0]]);
    size_t no = neurio_tensor_elements(&a->tensors[a->outputs[0]]);
    float *x = malloc(ni * 4), *ya = malloc(no * 4), *yb = malloc(no * 4);
    for (size_t i = 0; i < ni; i++)
        x[i] = frand() * 4;
    const void *ins[1] = { x };
    void *oa[1] = { ya }, *ob[1] = { yb };
    double d = INFINITY;
    if (neurio_interp_run(ia, ins, oa, &err) == 0 && neurio_interp_run(ib, ins, ob, &err) == 0) {
        d = 0;
        for (size_t i = 0; i < no; i++)
            d = fmax(d, fabs((double)ya[i] - (double)yb[i]));
    }
    free(x);
    free(ya);
    free(yb);
    neurio_interp_free(ia);
    neurio_interp_free(ib);
    return d;
}

static void test_fold_constants(void)
{
    neurio_errbuf err;
    neurio_model *m = neurio_model_new("fold");
    int32_t d4[1] = { 4 };
    int32_t x = act(m, "x", 1, d4), a = cst(m, "a", 1, d4), b = cst(m, "b", 1, d4);
    int32_t c = act(m, "c", 1, d4), r = act(m, "r", 1, d4), y = act(m, "y", 1, d4);
    int32_t i1[2] = { a, b }, i2[1] = { c }, i3[2] = { x, r };
    neurio_model_add_op(m, NEURIO_OP_ADD, 2, i1, 1, &c);
    neurio_model_add_op(m, NEURIO_OP_RELU, 1, i2, 1, &r);
    neurio_model_add_op(m, NEURIO_OP_MUL, 2, i3, 1, &y);
    neurio_model_set_io(m, 1, &x, 1, &y);
    neurio_model *ref = neurio_model_clone(m);
    CU_ASSERT_EQUAL_FATAL(neurio_opt_fold_constants(m, &err), NEURIO_OK);
    CU_ASSERT_EQUAL(m->n_ops, 1);
    CU_ASSERT_EQUAL(count(m, NEURIO_OP_MUL), 1);
    CU_ASSERT_PTR_NOT_NULL(m->tensors[m->ops[0].inputs[1]].data);
    CU_ASSERT(max_diff(ref, m) < 1e-6);
    neurio_model_free(ref);
    neurio_model_free(m);
}

static neurio_model *conv_bn_model(int with_conv)
{
    neurio_model *m = neurio_model_new("bn");
    int32_t xd[4] = { 1, 5, 5, 2 }, wd[4] = { 3, 3, 3, 2 }, cd[1] = { 3 }, yd[4] = { 1, 5, 5, 3 };
    int32_t x = act(m, "x", 4, xd), h = -1;
    int32_t C = with_conv ? 3 : 2;
    cd[0] = C;
    if (with_conv) {
        int32_t w = cst(m, "w", 4, wd), b = cst(m, "b", 1, cd);
        h = act(m, "h", 4, yd);
        int32_t in[3] = { x, w, b };
        int32_t o = neurio_model_add_op(m, NEURIO_OP_CONV_2D, 3, in, 1, &h);
        m->ops[o].attr.conv.padding = NEURIO_PAD_SAME;
        m->ops[o].attr.conv.pad[0] = m->ops[o].attr.conv.pad[1] = 1;
        m->ops[o].attr.conv.pad[2] = m->ops[o].attr.conv.pad[3] = 1;
    } else {
        h = x;
    }
    int32_t g = cst(m, "gamma", 1, cd), be = cst(m, "beta", 1, cd), mu = cst(m, "mean", 1, cd);
    int32_t var = cst(m, "var", 1, cd);
    float *vd = m->tensors[var].data;
    for (int32_t i = 0; i < C; i++)
        vd[i] = fabsf(vd[i]) + 0.1f;
    int32_t od[4] = { 1, 5, 5, C };
    int32_t y = act(m, "y", 4, od);
    int32_t in[5] = { h, g, be, mu, var };
    int32_t o = neurio_model_add_op(m, NEURIO_OP_BATCH_NORM, 5, in, 1, &y);
    m->ops[o].attr.batch_norm.epsilon = 1e-3f;
    neurio_model_set_io(m, 1, &x, 1, &y);
    return m;
}

static void test_fold_batch_norm_into_conv(void)
{
    neurio_errbuf err;
    neurio_model *m = conv_bn_model(1), *ref = neurio_model_clone(m);
    CU_ASSERT_EQUAL_FATAL(neurio_opt_fold_batch_norm(m, &err), NEURIO_OK);
    CU_ASSERT_EQUAL(m->n_ops, 1);
    CU_ASSERT_EQUAL(count(m, NEURIO_OP_CONV_2D), 1);
    CU_ASSERT_EQUAL(count(m, NEURIO_OP_BATCH_NORM), 0);
    CU_ASSERT(max_diff(ref, m) < 1e-4);
    neurio_model_free(ref);
    neurio_model_free(m);
}

static void test_batch_norm_alone_becomes_mul_add(void)
{
    neurio_errbuf err;
    neurio_model *m = conv_bn_model(0), *ref = neurio_model_clone(m);
    CU_ASSERT_EQUAL_FATAL(neurio_opt_fold_batch_norm(m, &err), NEURIO_OK);
    CU_ASSERT_EQUAL(count(m, NEURIO_OP_BATCH_NORM), 0);
    CU_ASSERT_EQUAL(count(m, NEURIO_OP_MUL), 1);
    CU_ASSERT_EQUAL(count(m, NEURIO_OP_ADD), 1);
    CU_ASSERT(max_diff(ref, m) < 1e-4);
    neurio_model_free(ref);
    neurio_model_free(m);
}

static void test_fuse_activations(void)
{
    neurio_errbuf err;
    neurio_model *m = neurio_model_new("fuse");
    int32_t xd[2] = { 1, 6 }, wd[2] = { 4, 6 }, bd[1] = { 4 }, yd[2] = { 1, 4 };
    int32_t x = act(m, "x", 2, xd), w = cst(m, "w", 2, wd), b = cst(m, "b", 1, bd);
    int32_t h = act(m, "h", 2, yd), y = act(m, "y", 2, yd), z = act(m, "z", 2, yd);
    int32_t in[3] = { x, w, b };
    neurio_model_add_op(m, NEURIO_OP_FULLY_CONNECTED, 3, in, 1, &h);
    int32_t o = neurio_model_add_op(m, NEURIO_OP_CLIP, 1, &h, 1, &y);
    m->ops[o].attr.clip.min = 0.0f;
    m->ops[o].attr.clip.max = 6.0f;
    /* a second activation cannot fuse (the FC already has one) */
    neurio_model_add_op(m, NEURIO_OP_RELU, 1, &y, 1, &z);
    neurio_model_set_io(m, 1, &x, 1, &z);
    neurio_model *ref = neurio_model_clone(m);
    CU_ASSERT_EQUAL_FATAL(neurio_opt_fuse_activations(m, &err), NEURIO_OK);
    CU_ASSERT_EQUAL(m->n_ops, 2);
    CU_ASSERT_EQUAL(m->ops[0].kind, NEURIO_OP_FULLY_CONNECTED);
    CU_ASSERT_EQUAL(m->ops[0].attr.fc.activation, NEURIO_ACT_RELU6);
    CU_ASSERT_EQUAL(count(m, NEURIO_OP_RELU), 1);
    CU_ASSERT(max_diff(ref, m) < 1e-6);
    neurio_model_free(ref);
    neurio_model_free(m);
}

static void test_remove_identity(void)
{
    neurio_errbuf err;
    neurio_model *m = neurio_model_new("ident");
    int32_t d[4] = { 1, 3, 1, 4 }, d2[4] = { 1, 1, 3, 4 }, pd[2] = { 4, 2 };
    int32_t x = act(m, "x", 4, d), a = act(m, "a", 4, d), b = act(m, "b", 4, d);
    int32_t c = act(m, "c", 4, d2), e = act(m, "e", 4, d2), y = act(m, "y", 4, d2);
    int32_t p = neurio_model_add_tensor(m, "pads", NEURIO_DT_INT32, 2, pd);
    int32_t zeros[8] = { 0 };
    neurio_tensor_set_data(m, p, zeros, sizeof zeros);
    neurio_model_add_op(m, NEURIO_OP_RESHAPE, 1, &x, 1, &a);             /* same shape */
    int32_t o = neurio_model_add_op(m, NEURIO_OP_TRANSPOSE, 1, &a, 1, &b); /* identity */
    for (int i = 0; i < 4; i++)
        m->ops[o].attr.transpose.perm[i] = i;
    o = neurio_model_add_op(m, NEURIO_OP_TRANSPOSE, 1, &b, 1, &c);         /* moves a 1 */
    m->ops[o].attr.transpose.perm[0] = 0;
    m->ops[o].attr.transpose.perm[1] = 2;
    m->ops[o].attr.transpose.perm[2] = 1;
    m->ops[o].attr.transpose.perm[3] = 3;
    int32_t pin[2] = { c, p };
    neurio_model_add_op(m, NEURIO_OP_PAD, 2, pin, 1, &e);                  /* zero pad */
    neurio_model_add_op(m, NEURIO_OP_RELU, 1, &e, 1, &y);
    neurio_model_set_io(m, 1, &x, 1, &y);
    neurio_model *ref = neurio_model_clone(m);
    CU_ASSERT_EQUAL_FATAL(neurio_opt_remove_identity(m, &err), NEURIO_OK);
    CU_ASSERT_EQUAL(count(m, NEURIO_OP_TRANSPOSE), 0);
    CU_ASSERT_EQUAL(count(m, NEURIO_OP_PAD), 0);
    CU_ASSERT_EQUAL(count(m, NEURIO_OP_RESHAPE), 1); /* the real reshape stays */
    CU_ASSERT_EQUAL(m->n_ops, 2);
    CU_ASSERT(max_diff(ref, m) < 1e-9);
    neurio_model_free(ref);
    neurio_model_free(m);
}

static void test_remove_dead(void)
{
    neurio_errbuf err;
    neurio_model *m = neurio_model_new("dead");
    int32_t d[1] = { 8 };
    int32_t x = act(m, "x", 1, d), y = act(m, "y", 1, d), u = act(m, "unused", 1, d);
    int32_t v = act(m, "unused2", 1, d);
    neurio_model_add_op(m, NEURIO_OP_RELU, 1, &x, 1, &y);
    neurio_model_add_op(m, NEURIO_OP_TANH, 1, &x, 1, &u);
    neurio_model_add_op(m, NEURIO_OP_LOGISTIC, 1, &u, 1, &v);
    neurio_model_set_io(m, 1, &x, 1, &y);
    CU_ASSERT_EQUAL_FATAL(neurio_opt_remove_dead(m, &err), NEURIO_OK);
    CU_ASSERT_EQUAL(m->n_ops, 1);
    CU_ASSERT_EQUAL(m->ops[0].kind, NEURIO_OP_RELU);
    CU_ASSERT_EQUAL(m->n_tensors, 2);
    neurio_model_free(m);
}

#ifndef NEURIO_NO_ONNX
static void test_optimize_digits(void)
{
    char p[1024];
    snprintf(p, sizeof p, "%s/examples/digits/digits.onnx", NEURIO_SOURCE_DIR);
    neurio_errbuf err;
    neurio_model *m = NULL;
    CU_ASSERT_EQUAL_FATAL(neurio_onnx_load(p, &m, &err), NEURIO_OK);
    neurio_model *ref = neurio_model_clone(m);
    int before = m->n_ops;
    int rc = neurio_optimize(m, &err);
    if (rc)
        fprintf(stderr, "\n    %s\n", err.msg);
    CU_ASSERT_EQUAL_FATAL(rc, NEURIO_OK);
    /* ReLU x2 and the ReLU6 fuse into the convs, the zero PAD goes */
    CU_ASSERT_EQUAL(count(m, NEURIO_OP_RELU) + count(m, NEURIO_OP_RELU6), 0);
    CU_ASSERT_EQUAL(count(m, NEURIO_OP_PAD), 0);
    /* the NHWC->NCHW transpose before Flatten moved into the FC weights */
    CU_ASSERT_EQUAL(count(m, NEURIO_OP_TRANSPOSE), 0);
    CU_ASSERT(m->n_ops <= before - 5);
    CU_ASSERT(max_diff(ref, m) < 1e-5);
    printf("\n    digits: %d ops -> %d ops\n", before, (int)m->n_ops);
    neurio_model_free(ref);
    neurio_model_free(m);
}
#endif

/* One-channel depthwise -> CONV_2D (float graph built here): the op kind
 * changes, the filter moves to OHWI, the function is unchanged. */
static void test_depthwise_to_conv_float(void)
{
    neurio_model *m = neurio_model_new("dw1");
    const int32_t xd[4] = {1, 9, 7, 1}, wd[4] = {1, 3, 2, 5}, bd[1] = {5}, yd[4] = {1, 5, 7, 5};
    int32_t x = act(m, "x", 4, xd), w = cst(m, "w", 4, wd), b = cst(m, "b", 1, bd);
    int32_t y = act(m, "y", 4, yd);
    const int32_t ins[3] = {x, w, b};
    int32_t op = neurio_model_add_op(m, NEURIO_OP_DEPTHWISE_CONV_2D, 3, ins, 1, &y);
    m->ops[op].attr.conv.depth_multiplier = 5;
    m->ops[op].attr.conv.stride_h = 2;
    m->ops[op].attr.conv.padding = NEURIO_PAD_SAME;
    neurio_model_set_io(m, 1, &x, 1, &y);
    neurio_errbuf err;
    CU_ASSERT_EQUAL_FATAL(neurio_model_validate(m, &err), NEURIO_OK);
    neurio_model *ref = neurio_model_clone(m);
    CU_ASSERT_EQUAL_FATAL(neurio_opt_depthwise_to_conv(m, &err), NEURIO_OK);
    CU_ASSERT_EQUAL(count(m, NEURIO_OP_DEPTHWISE_CONV_2D), 0);
    CU_ASSERT_EQUAL_FATAL(count(m, NEURIO_OP_CONV_2D), 1);
    const neurio_tensor *nw = &m->tensors[m->ops[0].inputs[1]];
    CU_ASSERT(nw->dims[0] == 5 && nw->dims[1] == 3 && nw->dims[2] == 2 && nw->dims[3] == 1);
    /* W'[c][ky][kx][0] = W[0][ky][kx][c] */
    const float *ow = ref->tensors[w].data, *cw = nw->data;
    CU_ASSERT(cw[3 * 6 + 2 * 2 + 1] == ow[(2 * 2 + 1) * 5 + 3]);
    CU_ASSERT_EQUAL(neurio_model_validate(m, &err), NEURIO_OK);
    CU_ASSERT(max_diff(ref, m) < 1e-5);
    neurio_model_free(ref);
    neurio_model_free(m);
}

/* The shared int8 micro_speech model (depthwise 1 -> 8 channels): after
 * neurio_optimize the first layer is a CONV_2D, with per-channel weight
 * quantization on axis 0, and int8 outputs stay bit-identical. */
static void test_depthwise_to_conv_int8(void)
{
    char p[1024];
    snprintf(p, sizeof p, "%s/models/micro_speech_quantized.tflite", neurio_test_shared_dir());
    FILE *f = fopen(p, "rb");
    if (!f) {
        printf("\n    skipped: %s absent\n", p);
        return;
    }
    fclose(f);
    neurio_errbuf err;
    neurio_model *m = NULL;
    CU_ASSERT_EQUAL_FATAL(neurio_model_load(p, &m, &err), NEURIO_OK);
    neurio_model *ref = neurio_model_clone(m);
    CU_ASSERT_FATAL(count(ref, NEURIO_OP_DEPTHWISE_CONV_2D) == 1);
    CU_ASSERT_EQUAL_FATAL(neurio_optimize(m, &err), NEURIO_OK);
    CU_ASSERT_EQUAL(count(m, NEURIO_OP_DEPTHWISE_CONV_2D), 0);
    int checked = 0;
    int32_t t_conv = -1, t_dw = -1;
    for (int32_t i = 0; i < m->n_ops; i++)
        if (m->ops[i].kind == NEURIO_OP_CONV_2D) {
            const neurio_tensor *w = &m->tensors[m->ops[i].inputs[1]];
            CU_ASSERT(w->dims[3] == 1 && (w->quant.count <= 1 || w->quant.axis == 0));
            t_conv = m->ops[i].outputs[0];
            checked++;
        }
    for (int32_t i = 0; i < ref->n_ops; i++)
        if (ref->ops[i].kind == NEURIO_OP_DEPTHWISE_CONV_2D)
            t_dw = ref->ops[i].outputs[0];
    CU_ASSERT_EQUAL_FATAL(checked, 1);
    const size_t nl = neurio_tensor_bytes(&m->tensors[t_conv]);
    CU_ASSERT_FATAL(nl == neurio_tensor_bytes(&ref->tensors[t_dw]));
    neurio_interp *ia = NULL, *ib = NULL;
    CU_ASSERT_EQUAL_FATAL(neurio_interp_new(ref, &ia, &err), NEURIO_OK);
    CU_ASSERT_EQUAL_FATAL(neurio_interp_new(m, &ib, &err), NEURIO_OK);
    size_t ni = neurio_tensor_bytes(&ref->tensors[ref->inputs[0]]);
    size_t no = neurio_tensor_bytes(&ref->tensors[ref->outputs[0]]);
    int8_t *x = malloc(ni), *ya = malloc(no), *yb = malloc(no);
    long differ = 0;
    for (int s = 0; s < 8; s++) {
        for (size_t i = 0; i < ni; i++)
            x[i] = (int8_t)(frand() * 127.f);
        const void *in[1] = {x};
        void *oa[1] = {ya}, *ob[1] = {yb};
        CU_ASSERT_EQUAL_FATAL(neurio_interp_run(ia, in, oa, &err), NEURIO_OK);
        CU_ASSERT_EQUAL_FATAL(neurio_interp_run(ib, in, ob, &err), NEURIO_OK);
        differ += memcmp(ya, yb, no) != 0;
        /* the rewritten layer's own output, not only the softmax after it */
        differ += memcmp(neurio_interp_tensor(ia, t_dw), neurio_interp_tensor(ib, t_conv), nl) != 0;
    }
    CU_ASSERT_EQUAL(differ, 0);
    free(x);
    free(ya);
    free(yb);
    neurio_interp_free(ia);
    neurio_interp_free(ib);
    neurio_model_free(ref);
    neurio_model_free(m);
}

/* A residual block's downsampling: x -> relu -> d; d -> conv3x3 s2 -> e ->
 * conv3x3 -> f; d -> conv1x1 s2 -> g; f + g.  The 1x1 (op 3, 16 elements
 * out of d's 64) moves before the strided 3x3: d dies at the 3x3, whose
 * output then overlaps it, so the plan shrinks; same function. */
static int32_t sched_conv(neurio_model *m, int32_t x, int32_t k, int32_t s, int32_t y)
{
    int32_t wd[4] = {4, k, k, 4}, bd[1] = {4};
    int32_t ins[3] = {x, cst(m, "w", 4, wd), cst(m, "b", 1, bd)};
    int32_t i = neurio_model_add_op(m, NEURIO_OP_CONV_2D, 3, ins, 1, &y);
    m->ops[i].attr.conv.stride_h = m->ops[i].attr.conv.stride_w = s;
    m->ops[i].attr.conv.padding = NEURIO_PAD_SAME;
    return i;
}

static void test_schedule_memory(void)
{
    neurio_errbuf err;
    neurio_model *m = neurio_model_new("sched");
    int32_t dx[4] = {1, 8, 8, 4}, dh[4] = {1, 4, 4, 4};
    int32_t x = act(m, "x", 4, dx), d = act(m, "d", 4, dx), e = act(m, "e", 4, dh),
            f = act(m, "f", 4, dh), g = act(m, "g", 4, dh), y = act(m, "y", 4, dh);
    neurio_model_add_op(m, NEURIO_OP_RELU, 1, &x, 1, &d);
    sched_conv(m, d, 3, 2, e);
    sched_conv(m, e, 3, 1, f);
    sched_conv(m, d, 1, 2, g);
    int32_t ia[2] = {f, g};
    neurio_model_add_op(m, NEURIO_OP_ADD, 2, ia, 1, &y);
    neurio_model_set_io(m, 1, &x, 1, &y);
    neurio_model *ref = neurio_model_clone(m);
    neurio_plan *p0 = NULL, *p1 = NULL;
    CU_ASSERT_EQUAL_FATAL(neurio_plan_model(m, NULL, &p0, &err), NEURIO_OK);
    CU_ASSERT_EQUAL_FATAL(neurio_opt_schedule_memory(m, &err), NEURIO_OK);
    /* tensors are renumbered by compaction: compare names */
    CU_ASSERT_STRING_EQUAL(m->tensors[m->ops[1].outputs[0]].name, "g"); /* the 1x1 first */
    CU_ASSERT_STRING_EQUAL(m->tensors[m->ops[2].outputs[0]].name, "e");
    CU_ASSERT_STRING_EQUAL(m->tensors[m->ops[3].outputs[0]].name, "f");
    CU_ASSERT_EQUAL_FATAL(neurio_opt_schedule_memory(m, &err), NEURIO_OK); /* stable */
    CU_ASSERT_STRING_EQUAL(m->tensors[m->ops[1].outputs[0]].name, "g");
    CU_ASSERT_STRING_EQUAL(m->tensors[m->ops[2].outputs[0]].name, "e");
    CU_ASSERT_EQUAL_FATAL(neurio_plan_model(m, NULL, &p1, &err), NEURIO_OK);
    CU_ASSERT(p1->arena_bytes < p0->arena_bytes);
    CU_ASSERT_EQUAL(neurio_plan_check(m, p1, &err), NEURIO_OK);
    CU_ASSERT(max_diff(ref, m) == 0.0);
    neurio_plan_free(p0);
    neurio_plan_free(p1);
    neurio_model_free(ref);
    neurio_model_free(m);
}

int neurio_register_tests(void)
{
    CU_pSuite s = CU_add_suite("optimize", NULL, NULL);
    CU_add_test(s, "fold_constants", test_fold_constants);
    CU_add_test(s, "fold_batch_norm_into_conv", test_fold_batch_norm_into_conv);
    CU_add_test(s, "batch_norm_alone_becomes_mul_add", test_batch_norm_alone_becomes_mul_add);
    CU_add_test(s, "fuse_activations", test_fuse_activations);
    CU_add_test(s, "remove_identity", test_remove_identity);
    CU_add_test(s, "remove_dead", test_remove_dead);
#ifndef NEURIO_NO_ONNX /* the digits model is ONNX */
    CU_add_test(s, "optimize_digits", test_optimize_digits);
#endif
    CU_add_test(s, "depthwise_to_conv_float", test_depthwise_to_conv_float);
    CU_add_test(s, "depthwise_to_conv_int8 (shared micro_speech)", test_depthwise_to_conv_int8);
    CU_add_test(s, "schedule_memory (sibling 1x1 first)", test_schedule_memory);
    return 0;
}

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

int neurio_register_tests(void)
{
    CU_pSuite s = CU_add_suite("optimize", NULL, NULL);
    CU_add_test(s, "fold_constants", test_fold_constants);
    CU_add_test(s, "fold_batch_norm_into_conv", test_fold_batch_norm_into_conv);
    CU_add_test(s, "batch_norm_alone_becomes_mul_add", test_batch_norm_alone_becomes_mul_add);
    CU_add_test(s, "fuse_activations", test_fuse_activations);
    CU_add_test(s, "remove_identity", test_remove_identity);
    CU_add_test(s, "remove_dead", test_remove_dead);
    CU_add_test(s, "optimize_digits", test_optimize_digits);
    return 0;
}

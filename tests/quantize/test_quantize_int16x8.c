/* tests/quantize/test_quantize_int16x8.c — model.quantize = "int16x8" on a
 * hand-built float model (CONV_2D, LEAKY_RELU, ADD of a constant, PAD,
 * STRIDED_SLICE, RESHAPE, FULLY_CONNECTED): the scheme (int16 activations
 * with zero point 0 and the calibrated peak at 32767, int8 per-channel
 * weights, int64 biases, an int16 constant), the quantized model runs in
 * the reference interpreter, and its outputs are closer to the float
 * model's than those of the same model quantized "int8".  A second model
 * (pools, LOGISTIC, TANH, CONCATENATION of two scales, PRELU, ABS, SOFTMAX)
 * quantizes to int16 kernels only and stays within 1% of float. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "neurio/quantize.h"
#include "quant_eval.h"
#include "test_util.h"

static float frand(uint32_t *s)
{
    *s = *s * 1664525u + 1013904223u;
    return (float)((int32_t)(*s >> 8) - (1 << 23)) / (float)(1 << 23); /* [-1, 1) */
}

static int32_t fconst(neurio_model *m, const char *name, int32_t rank, const int32_t *dims,
                      uint32_t *seed, float amp)
{
    int32_t t = neurio_model_add_tensor(m, name, NEURIO_DT_FLOAT32, rank, dims);
    size_t n = neurio_tensor_elements(&m->tensors[t]);
    float *v = malloc(n * sizeof *v);
    for (size_t i = 0; i < n; i++)
        v[i] = amp * frand(seed);
    neurio_tensor_set_data(m, t, v, n * sizeof *v);
    free(v);
    return t;
}

static int32_t iconst(neurio_model *m, const char *name, int32_t rank, const int32_t *dims,
                      const int32_t *v)
{
    int32_t t = neurio_model_add_tensor(m, name, NEURIO_DT_INT32, rank, dims);
    neurio_tensor_set_data(m, t, v, neurio_tensor_elements(&m->tensors[t]) * sizeof *v);
    return t;
}

static neurio_model *build(void)
{
    uint32_t seed = 4242;
    neurio_model *m = neurio_model_new("q16x8");
    const int32_t dx[4] = {1, 8, 8, 2}, dw[4] = {4, 3, 3, 2}, d4 = 4, dc[4] = {1, 6, 6, 4};
    const int32_t dp[4] = {1, 8, 8, 4}, ds[4] = {1, 4, 4, 4}, dr[2] = {1, 64};
    const int32_t dfw[2] = {3, 64}, d3 = 3, dy[2] = {1, 3}, dpp[2] = {4, 2};
    int32_t x = neurio_model_add_tensor(m, "x", NEURIO_DT_FLOAT32, 4, dx);
    int32_t w = fconst(m, "w", 4, dw, &seed, 0.5f), b = fconst(m, "b", 1, &d4, &seed, 0.2f);
    int32_t cv = neurio_model_add_tensor(m, "cv", NEURIO_DT_FLOAT32, 4, dc);
    int32_t lr = neurio_model_add_tensor(m, "lr", NEURIO_DT_FLOAT32, 4, dc);
    int32_t k = fconst(m, "k", 1, &d4, &seed, 0.3f);
    int32_t ad = neurio_model_add_tensor(m, "ad", NEURIO_DT_FLOAT32, 4, dc);
    static const int32_t padv[8] = {0, 0, 1, 1, 1, 1, 0, 0};
    int32_t pads = iconst(m, "pads", 2, dpp, padv);
    int32_t pd = neurio_model_add_tensor(m, "pd", NEURIO_DT_FLOAT32, 4, dp);
    static const int32_t sb[4] = {0, 0, 1, 0}, se[4] = {1, 8, 8, 4}, st[4] = {1, 2, 2, 1};
    int32_t tb = iconst(m, "sb", 1, &d4, sb), te = iconst(m, "se", 1, &d4, se);
    int32_t ts = iconst(m, "st", 1, &d4, st);
    int32_t ss = neurio_model_add_tensor(m, "ss", NEURIO_DT_FLOAT32, 4, ds);
    int32_t rs = neurio_model_add_tensor(m, "rs", NEURIO_DT_FLOAT32, 2, dr);
    int32_t fw = fconst(m, "fw", 2, dfw, &seed, 0.3f), fb = fconst(m, "fb", 1, &d3, &seed, 0.1f);
    int32_t y = neurio_model_add_tensor(m, "y", NEURIO_DT_FLOAT32, 2, dy);
    int32_t i_cv[3] = {x, w, b}, i_ad[2] = {lr, k}, i_pd[2] = {ad, pads};
    int32_t i_ss[4] = {pd, tb, te, ts}, i_fc[3] = {rs, fw, fb};
    int32_t o = neurio_model_add_op(m, NEURIO_OP_CONV_2D, 3, i_cv, 1, &cv);
    m->ops[o].attr.conv.padding = NEURIO_PAD_VALID;
    o = neurio_model_add_op(m, NEURIO_OP_LEAKY_RELU, 1, &cv, 1, &lr);
    m->ops[o].attr.leaky_relu.alpha = 0.1f;
    neurio_model_add_op(m, NEURIO_OP_ADD, 2, i_ad, 1, &ad);
    neurio_model_add_op(m, NEURIO_OP_PAD, 2, i_pd, 1, &pd);
    o = neurio_model_add_op(m, NEURIO_OP_STRIDED_SLICE, 4, i_ss, 1, &ss);
    m->ops[o].attr.strided_slice.begin_mask = 0x2; /* rows from 0, columns from 1 */
    neurio_model_add_op(m, NEURIO_OP_RESHAPE, 1, &ss, 1, &rs);
    neurio_model_add_op(m, NEURIO_OP_FULLY_CONNECTED, 3, i_fc, 1, &y);
    neurio_model_set_io(m, 1, &x, 1, &y);
    return m;
}

/* [N, 8, 8, 2] uniform in [-1, 1) into <tmp>/<name>.npy. */
static const char *write_inputs(const char *name, int64_t n, uint32_t seed, neurio_npy *a)
{
    static char path[2][1024];
    static int k;
    k ^= 1;
    snprintf(path[k], sizeof path[k], "%s/%s.npy", neurio_test_tmpdir(), name);
    int64_t dims[4] = {n, 8, 8, 2};
    size_t cnt = (size_t)n * 128;
    float *v = malloc(cnt * sizeof *v);
    for (size_t i = 0; i < cnt; i++)
        v[i] = frand(&seed);
    neurio_errbuf e = {{0}};
    CU_ASSERT_EQUAL(neurio_npy_write(path[k], NEURIO_DT_FLOAT32, 4, dims, v, &e), NEURIO_OK);
    if (a)
        *a = (neurio_npy){.dtype = NEURIO_DT_FLOAT32, .rank = 4, .dims = {n, 8, 8, 2},
                          .data = v, .bytes = cnt * sizeof *v};
    else
        free(v);
    return path[k];
}

static neurio_model *quantized(const char *mode, const char *calib)
{
    neurio_model *m = build();
    neurio_prepare_args a = {.size = sizeof a, .model_path = "", .quantize = mode,
                             .calibration = calib, .calibration_method = "minmax"};
    neurio_errbuf e = {{0}};
    int rc = neurio_quantize(m, &a, &e);
    if (rc)
        fprintf(stderr, "\n    quantize %s: %s\n", mode, e.msg);
    CU_ASSERT_EQUAL(rc, NEURIO_OK);
    return m;
}

static void check_scheme(const neurio_model *m)
{
    int convs = 0, consts16 = 0;
    for (int32_t t = 0; t < m->n_tensors; t++) {
        const neurio_tensor *tt = &m->tensors[t];
        if (!tt->data) {
            CU_ASSERT_EQUAL(tt->dtype, NEURIO_DT_INT16);
            CU_ASSERT_EQUAL(tt->quant.count, 1);
            CU_ASSERT_EQUAL(tt->quant.zero_point[0], 0);
        } else if (tt->dtype == NEURIO_DT_INT16) {
            consts16++;
            int peak = 0;
            for (size_t i = 0; i < neurio_tensor_elements(tt); i++)
                peak = abs(((const int16_t *)tt->data)[i]) > peak
                           ? abs(((const int16_t *)tt->data)[i]) : peak;
            CU_ASSERT_EQUAL(peak, 32767); /* symmetric: the peak hits 32767 */
        }
    }
    for (int32_t i = 0; i < m->n_ops; i++) {
        const neurio_op *op = &m->ops[i];
        if (op->kind == NEURIO_OP_STRIDED_SLICE || op->kind == NEURIO_OP_PAD) /* raw copies */
            CU_ASSERT_EQUAL(m->tensors[op->outputs[0]].quant.scale[0],
                            m->tensors[op->inputs[0]].quant.scale[0]);
        if (op->kind != NEURIO_OP_CONV_2D && op->kind != NEURIO_OP_FULLY_CONNECTED)
            continue;
        const neurio_tensor *w = &m->tensors[op->inputs[1]], *b = &m->tensors[op->inputs[2]];
        CU_ASSERT_EQUAL(w->dtype, NEURIO_DT_INT8);
        CU_ASSERT_EQUAL(w->quant.count, w->dims[0]);
        CU_ASSERT_EQUAL(b->dtype, NEURIO_DT_INT64);
        convs++;
    }
    CU_ASSERT_EQUAL(convs, 2);
    CU_ASSERT_EQUAL(consts16, 1); /* ADD's constant */
}

static void test_int16x8(void)
{
    const char *calib = write_inputs("calib16", 64, 11, NULL);
    neurio_npy x;
    write_inputs("test16", 32, 97, &x);
    neurio_model *f = build(), *q16 = quantized("int16x8", calib), *q8 = quantized("int8", calib);
    CU_ASSERT_PTR_NOT_NULL_FATAL(q16);
    check_scheme(q16);
    size_t n0, n1, n2, k0, k1, k2;
    float *of = qe_run(f, &x, &n0, &k0), *o16 = qe_run(q16, &x, &n1, &k1);
    float *o8 = qe_run(q8, &x, &n2, &k2);
    CU_ASSERT_PTR_NOT_NULL_FATAL(of);
    CU_ASSERT_PTR_NOT_NULL_FATAL(o16);
    CU_ASSERT_PTR_NOT_NULL_FATAL(o8);
    CU_ASSERT_EQUAL_FATAL(n0 * k0, n1 * k1);
    double l16 = qe_rel_l2(o16, of, n0 * k0), l8 = qe_rel_l2(o8, of, n0 * k0);
    printf("\n    rel L2 vs float: int16x8 %.5f, int8 %.5f\n", l16, l8);
    CU_ASSERT(l16 < 0.02);
    CU_ASSERT(l16 < l8);
    free(of);
    free(o16);
    free(o8);
    neurio_npy_free(&x);
    neurio_model_free(f);
    neurio_model_free(q16);
    neurio_model_free(q8);
}

/* x [1,8,8,2] -> AVERAGE_POOL 2x2 SAME -> MAX_POOL 2x2 /2 -> [1,4,4,2];
 * LOGISTIC and TANH of it, CONCATENATION of both (two scales), PRELU
 * (int8 alpha), ABS, RESHAPE [1,64], SOFTMAX: the int16 activation kernels
 * of issue 13. */
static neurio_model *build_act(void)
{
    neurio_model *m = neurio_model_new("q16act");
    const int32_t dx[4] = {1, 8, 8, 2}, dp[4] = {1, 4, 4, 2}, dc[4] = {1, 4, 4, 4};
    const int32_t dr[2] = {1, 64};
    int32_t x = neurio_model_add_tensor(m, "x", NEURIO_DT_FLOAT32, 4, dx);
    int32_t av = neurio_model_add_tensor(m, "av", NEURIO_DT_FLOAT32, 4, dx);
    int32_t mp = neurio_model_add_tensor(m, "mp", NEURIO_DT_FLOAT32, 4, dp);
    int32_t lg = neurio_model_add_tensor(m, "lg", NEURIO_DT_FLOAT32, 4, dp);
    int32_t th = neurio_model_add_tensor(m, "th", NEURIO_DT_FLOAT32, 4, dp);
    int32_t ct = neurio_model_add_tensor(m, "ct", NEURIO_DT_FLOAT32, 4, dc);
    int32_t pr = neurio_model_add_tensor(m, "pr", NEURIO_DT_FLOAT32, 4, dc);
    uint32_t seed = 77;
    const int32_t d4 = 4;
    int32_t al = fconst(m, "alpha", 1, &d4, &seed, 0.5f);
    int32_t ab = neurio_model_add_tensor(m, "ab", NEURIO_DT_FLOAT32, 4, dc);
    int32_t rs = neurio_model_add_tensor(m, "rs", NEURIO_DT_FLOAT32, 2, dr);
    int32_t y = neurio_model_add_tensor(m, "y", NEURIO_DT_FLOAT32, 2, dr);
    int32_t o = neurio_model_add_op(m, NEURIO_OP_AVERAGE_POOL_2D, 1, &x, 1, &av);
    m->ops[o].attr.pool = (neurio_pool_attr){.padding = NEURIO_PAD_SAME, .filter_h = 2,
                                             .filter_w = 2, .stride_h = 1, .stride_w = 1};
    o = neurio_model_add_op(m, NEURIO_OP_MAX_POOL_2D, 1, &av, 1, &mp);
    m->ops[o].attr.pool = (neurio_pool_attr){.padding = NEURIO_PAD_VALID, .filter_h = 2,
                                             .filter_w = 2, .stride_h = 2, .stride_w = 2};
    neurio_model_add_op(m, NEURIO_OP_LOGISTIC, 1, &mp, 1, &lg);
    neurio_model_add_op(m, NEURIO_OP_TANH, 1, &mp, 1, &th);
    int32_t i_ct[2] = {lg, th};
    o = neurio_model_add_op(m, NEURIO_OP_CONCATENATION, 2, i_ct, 1, &ct);
    m->ops[o].attr.concat.axis = 3;
    int32_t i_pr[2] = {ct, al};
    neurio_model_add_op(m, NEURIO_OP_PRELU, 2, i_pr, 1, &pr);
    neurio_model_add_op(m, NEURIO_OP_ABS, 1, &pr, 1, &ab);
    neurio_model_add_op(m, NEURIO_OP_RESHAPE, 1, &ab, 1, &rs);
    o = neurio_model_add_op(m, NEURIO_OP_SOFTMAX, 1, &rs, 1, &y);
    m->ops[o].attr.softmax.beta = 4.0f;
    neurio_model_set_io(m, 1, &x, 1, &y);
    return m;
}

static void test_int16x8_activations(void)
{
    const char *calib = write_inputs("calib16a", 64, 13, NULL);
    neurio_npy x;
    write_inputs("test16a", 32, 71, &x);
    neurio_model *f = build_act(), *q = build_act();
    neurio_prepare_args a = {.size = sizeof a, .model_path = "", .quantize = "int16x8",
                             .calibration = calib, .calibration_method = "minmax"};
    neurio_errbuf e = {{0}};
    int rc = neurio_quantize(q, &a, &e);
    if (rc)
        fprintf(stderr, "\n    quantize: %s\n", e.msg);
    CU_ASSERT_EQUAL_FATAL(rc, NEURIO_OK);
    for (int32_t t = 0; t < q->n_tensors; t++)
        if (!q->tensors[t].data)
            CU_ASSERT_EQUAL(q->tensors[t].dtype, NEURIO_DT_INT16);
    size_t n0, n1, k0, k1;
    float *of = qe_run(f, &x, &n0, &k0), *oq = qe_run(q, &x, &n1, &k1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(of);
    CU_ASSERT_PTR_NOT_NULL_FATAL(oq); /* every op lowered to an int16 kernel */
    CU_ASSERT_EQUAL_FATAL(n0 * k0, n1 * k1);
    double l = qe_rel_l2(oq, of, n0 * k0);
    printf("\n    pools/LOGISTIC/TANH/CONCATENATION/PRELU/ABS/SOFTMAX rel L2 vs float: %.5f\n", l);
    CU_ASSERT(l < 0.01);
    free(of);
    free(oq);
    neurio_npy_free(&x);
    neurio_model_free(f);
    neurio_model_free(q);
}


static void test_errors(void)
{
    neurio_model *m = build();
    neurio_prepare_args a = {.size = sizeof a, .model_path = "", .quantize = "int16x8"};
    neurio_errbuf e = {{0}};
    CU_ASSERT_EQUAL(neurio_quantize(m, &a, &e), NEURIO_ERR_CONFIG);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "int16x8"));
    CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "model.calibration"));
    a.quantize = "int16";
    CU_ASSERT_EQUAL(neurio_quantize(m, &a, &e), NEURIO_ERR_CONFIG);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "\"int16x8\""));
    neurio_model_free(m);
}

int neurio_register_tests(void)
{
    CU_pSuite s = CU_add_suite("quantize_int16x8", NULL, NULL);
    if (!s)
        return -1;
    CU_add_test(s, "int16x8 scheme and fidelity vs int8", test_int16x8);
    CU_add_test(s, "int16x8 pools, LOGISTIC, TANH, CONCATENATION, PRELU, ABS, SOFTMAX",
                test_int16x8_activations);
    CU_add_test(s, "int16x8 option errors", test_errors);
    return 0;
}

/* tests/codegen/test_codegen_ext.c — the extended operator set (issue 13)
 * through the one lowering: hand-built models of every newly wired op,
 * run by the reference interpreter AND by the generated C (compiled
 * pedantically, run through the host runner).  Both must give the same
 * bytes, and those bytes the hand-computed values (layout, int32, bool and
 * float ops) or, for the int8 ops, the float function of the dequantized
 * input within one or two output steps (a check of each op's requantization
 * constants: a wrong shift or multiplier is off by a factor, not a step). */
#include <math.h>
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

#define FW NEURIO_SOURCE_DIR "/firmware"
#define MAXO 24

static int32_t tn(neurio_model *m, const char *nm, neurio_dtype dt, int32_t rank, const int32_t *d)
{
    return neurio_model_add_tensor(m, nm, dt, rank, d);
}

static int32_t cn(neurio_model *m, const char *nm, neurio_dtype dt, int32_t rank, const int32_t *d,
                  const void *v)
{
    int32_t t = tn(m, nm, dt, rank, d);
    neurio_tensor_set_data(m, t, v, neurio_tensor_bytes(&m->tensors[t]));
    return t;
}

static int32_t q8(neurio_model *m, const char *nm, int32_t rank, const int32_t *d, float sc,
                  int32_t zp)
{
    int32_t t = tn(m, nm, NEURIO_DT_INT8, rank, d);
    neurio_tensor_set_quant(m, t, 1, 0, &sc, &zp);
    return t;
}

static int32_t op1(neurio_model *m, neurio_op_kind k, int32_t a, int32_t y)
{
    return neurio_model_add_op(m, k, 1, &a, 1, &y);
}

static int32_t op2(neurio_model *m, neurio_op_kind k, int32_t a, int32_t b, int32_t y)
{
    int32_t in[2] = {a, b};
    return neurio_model_add_op(m, k, 2, in, 1, &y);
}

/* Runs m on the interpreter and on its generated C; the outputs must be
 * the same bytes.  out[k] receives output k (caller frees). */
static void run_both(neurio_model *m, const char *name, const void *const *in, void **out)
{
    neurio_errbuf e = {{0}};
    neurio_interp *it = cg_interp(m);
    void *iout[MAXO], *gout[MAXO];
    for (int32_t k = 0; k < m->n_outputs; k++) {
        size_t b = neurio_tensor_bytes(&m->tensors[m->outputs[k]]);
        iout[k] = calloc(1, b + 1);
        gout[k] = calloc(1, b + 1);
    }
    int rc = neurio_interp_run(it, in, iout, &e);
    if (rc)
        fprintf(stderr, "interp run: %s\n", e.msg);
    CU_ASSERT_EQUAL(rc, NEURIO_OK);
    neurio_interp_free(it);

    nh_module *mod = cg_build_and_open(m, name);
    rc = nh_run(mod, in, gout, NULL, NULL, NULL, NULL, &e);
    if (rc)
        fprintf(stderr, "run: %s\n", e.msg);
    CU_ASSERT_EQUAL(rc, NEURIO_OK);
    nh_close(mod);
    for (int32_t k = 0; k < m->n_outputs; k++) {
        size_t b = neurio_tensor_bytes(&m->tensors[m->outputs[k]]);
        if (memcmp(iout[k], gout[k], b))
            fprintf(stderr, "%s: output %d differs between interpreter and generated C\n", name,
                    (int)k);
        CU_ASSERT_EQUAL(memcmp(iout[k], gout[k], b), 0);
        out[k] = iout[k];
        free(gout[k]);
    }
}

static void expect_f(const void *p, const float *want, int n, double tol)
{
    const float *v = p;
    for (int i = 0; i < n; i++) {
        if (fabs((double)v[i] - (double)want[i]) > tol)
            fprintf(stderr, "  element %d: %g, expected %g\n", i, (double)v[i], (double)want[i]);
        CU_ASSERT(fabs((double)v[i] - (double)want[i]) <= tol);
    }
}

static void expect_i32(const void *p, const int32_t *want, int n)
{
    CU_ASSERT_EQUAL(memcmp(p, want, (size_t)n * 4), 0);
}

static void expect_u8(const void *p, const uint8_t *want, int n)
{
    CU_ASSERT_EQUAL(memcmp(p, want, (size_t)n), 0);
}

/* SLICE, TRANSPOSE, SPLIT + PACK, GATHER, CAST, LESS + NEG + SELECT,
 * SPACE_TO_DEPTH + DEPTH_TO_SPACE, RESIZE_NEAREST_NEIGHBOR on float. */
static void test_move_ops(void)
{
    neurio_model *m = neurio_model_new("move");
    int32_t d23[2] = {2, 3}, d22[2] = {2, 2}, d32[2] = {3, 2}, d21[2] = {2, 1}, d321[3] = {3, 2, 1};
    int32_t d2[1] = {2}, dz[4] = {1, 2, 2, 1}, dd[4] = {1, 1, 1, 4}, dr[4] = {1, 4, 4, 1};
    int32_t x = tn(m, "x", NEURIO_DT_FLOAT32, 2, d23), z = tn(m, "z", NEURIO_DT_FLOAT32, 4, dz);
    static const int32_t beg[2] = {0, 1}, sz[2] = {2, 2}, idx[2] = {2, 0};
    static const float half = 2.5f;
    int32_t tb = cn(m, "b", NEURIO_DT_INT32, 1, d2, beg), ts = cn(m, "s", NEURIO_DT_INT32, 1, d2, sz);
    int32_t ti = cn(m, "i", NEURIO_DT_INT32, 1, d2, idx);
    int32_t tk = cn(m, "k", NEURIO_DT_FLOAT32, 0, NULL, &half);
    int32_t sl = tn(m, "sl", NEURIO_DT_FLOAT32, 2, d22), tr = tn(m, "tr", NEURIO_DT_FLOAT32, 2, d32);
    int32_t s[3], pk = tn(m, "pk", NEURIO_DT_FLOAT32, 3, d321);
    int32_t g = tn(m, "g", NEURIO_DT_FLOAT32, 2, d22), ci = tn(m, "ci", NEURIO_DT_INT32, 2, d23);
    int32_t lt = tn(m, "lt", NEURIO_DT_BOOL, 2, d23), ng = tn(m, "ng", NEURIO_DT_FLOAT32, 2, d23);
    int32_t se = tn(m, "se", NEURIO_DT_FLOAT32, 2, d23);
    int32_t s2d = tn(m, "s2d", NEURIO_DT_FLOAT32, 4, dd), d2s = tn(m, "d2s", NEURIO_DT_FLOAT32, 4, dz);
    int32_t rn = tn(m, "rn", NEURIO_DT_FLOAT32, 4, dr);
    for (int i = 0; i < 3; i++)
        s[i] = tn(m, i == 0 ? "s0" : i == 1 ? "s1" : "s2", NEURIO_DT_FLOAT32, 2, d21);
    neurio_model_add_op(m, NEURIO_OP_SLICE, 3, (int32_t[]){x, tb, ts}, 1, &sl);
    int32_t o = op1(m, NEURIO_OP_TRANSPOSE, x, tr);
    m->ops[o].attr.transpose.perm[0] = 1;
    m->ops[o].attr.transpose.perm[1] = 0;
    o = neurio_model_add_op(m, NEURIO_OP_SPLIT, 1, &x, 3, s);
    m->ops[o].attr.ext.axis = 1;
    neurio_model_add_op(m, NEURIO_OP_PACK, 3, s, 1, &pk);
    o = op2(m, NEURIO_OP_GATHER, x, ti, g);
    m->ops[o].attr.ext.axis = 1;
    op1(m, NEURIO_OP_CAST, x, ci);
    op2(m, NEURIO_OP_LESS, x, tk, lt);
    op1(m, NEURIO_OP_NEG, x, ng);
    neurio_model_add_op(m, NEURIO_OP_SELECT, 3, (int32_t[]){lt, x, ng}, 1, &se);
    o = op1(m, NEURIO_OP_SPACE_TO_DEPTH, z, s2d);
    m->ops[o].attr.ext.block = 2;
    o = op1(m, NEURIO_OP_DEPTH_TO_SPACE, s2d, d2s);
    m->ops[o].attr.ext.block = 2;
    op1(m, NEURIO_OP_RESIZE_NEAREST, z, rn);
    int32_t outs[] = {sl, tr, pk, g, ci, lt, se, d2s, rn, s2d};
    neurio_model_set_io(m, 2, (int32_t[]){x, z}, 10, outs);
    static const float xv[6] = {0, 1, 2, 3, 4, 5}, zv[4] = {0, 1, 2, 3};
    const void *in[2] = {xv, zv};
    void *out[MAXO] = {0};
    run_both(m, "move", in, out);
    expect_f(out[0], (const float[]){1, 2, 4, 5}, 4, 0);
    expect_f(out[1], (const float[]){0, 3, 1, 4, 2, 5}, 6, 0);
    expect_f(out[2], (const float[]){0, 3, 1, 4, 2, 5}, 6, 0);
    expect_f(out[3], (const float[]){2, 0, 5, 3}, 4, 0);
    expect_i32(out[4], (const int32_t[]){0, 1, 2, 3, 4, 5}, 6);
    expect_u8(out[5], (const uint8_t[]){1, 1, 1, 0, 0, 0}, 6);
    expect_f(out[6], (const float[]){0, 1, 2, -3, -4, -5}, 6, 0);
    expect_f(out[7], zv, 4, 0);
    expect_f(out[8], (const float[]){0, 0, 1, 1, 0, 0, 1, 1, 2, 2, 3, 3, 2, 2, 3, 3}, 16, 0);
    for (int k = 0; k < 10; k++)
        free(out[k]);
    neurio_model_free(m);
}

/* int32 DIV, MAXIMUM, MINIMUM, ADD, SUB, MUL, NEG, SQUARED_DIFFERENCE,
 * GREATER (TFLite's plain integer kernels), CONCATENATION of int32. */
static void test_int32_ops(void)
{
    neurio_model *m = neurio_model_new("i32");
    int32_t d4[1] = {4}, d8[1] = {8};
    int32_t a = tn(m, "a", NEURIO_DT_INT32, 1, d4), b = tn(m, "b", NEURIO_DT_INT32, 1, d4);
    static const neurio_op_kind ks[] = {NEURIO_OP_DIV, NEURIO_OP_MAXIMUM, NEURIO_OP_MINIMUM,
                                        NEURIO_OP_ADD, NEURIO_OP_SUB, NEURIO_OP_MUL,
                                        NEURIO_OP_SQUARED_DIFFERENCE};
    int32_t outs[10];
    for (int i = 0; i < 7; i++) {
        char nm[8];
        snprintf(nm, sizeof nm, "o%d", i);
        outs[i] = tn(m, nm, NEURIO_DT_INT32, 1, d4);
        op2(m, ks[i], a, b, outs[i]);
    }
    outs[7] = tn(m, "neg", NEURIO_DT_INT32, 1, d4);
    op1(m, NEURIO_OP_NEG, a, outs[7]);
    outs[8] = tn(m, "gt", NEURIO_DT_BOOL, 1, d4);
    op2(m, NEURIO_OP_GREATER, a, b, outs[8]);
    outs[9] = tn(m, "cat", NEURIO_DT_INT32, 1, d8);
    int32_t o = op2(m, NEURIO_OP_CONCATENATION, a, b, outs[9]);
    m->ops[o].attr.concat.axis = 0;
    neurio_model_set_io(m, 2, (int32_t[]){a, b}, 10, outs);
    static const int32_t av[4] = {7, -7, 9, -100}, bv[4] = {2, 2, -3, -1};
    const void *in[2] = {av, bv};
    void *out[MAXO] = {0};
    run_both(m, "i32", in, out);
    expect_i32(out[0], (const int32_t[]){3, -3, -3, 100}, 4);
    expect_i32(out[1], (const int32_t[]){7, 2, 9, -1}, 4);
    expect_i32(out[2], (const int32_t[]){2, -7, -3, -100}, 4);
    expect_i32(out[3], (const int32_t[]){9, -5, 6, -101}, 4);
    expect_i32(out[4], (const int32_t[]){5, -9, 12, -99}, 4);
    expect_i32(out[5], (const int32_t[]){14, -14, -27, 100}, 4);
    expect_i32(out[6], (const int32_t[]){25, 81, 144, 9801}, 4);
    expect_i32(out[7], (const int32_t[]){-7, 7, -9, 100}, 4);
    expect_u8(out[8], (const uint8_t[]){1, 0, 1, 0}, 4);
    expect_i32(out[9], (const int32_t[]){7, -7, 9, -100, 2, 2, -3, -1}, 8);
    for (int k = 0; k < 10; k++)
        free(out[k]);
    neurio_model_free(m);
}

/* Float SQRT, RSQRT, EXP, LOG, ABS, HARD_SWISH, SUM, REDUCE_MAX,
 * L2_NORMALIZATION, LOG_SOFTMAX, PRELU, BATCH_MATMUL. */
static void test_float_math(void)
{
    neurio_model *m = neurio_model_new("fmath");
    int32_t d4[1] = {4}, d1[1] = {1}, d14[2] = {1, 4}, d22[2] = {2, 2}, d0[1] = {1};
    int32_t u = tn(m, "u", NEURIO_DT_FLOAT32, 1, d4), v = tn(m, "v", NEURIO_DT_FLOAT32, 2, d14);
    int32_t w = tn(m, "w", NEURIO_DT_FLOAT32, 2, d22);
    static const float alpha[4] = {0.5f, 0.5f, 0.5f, 0.5f};
    static const int32_t ax0[1] = {0};
    int32_t ta = cn(m, "alpha", NEURIO_DT_FLOAT32, 2, d14, alpha);
    int32_t tax = cn(m, "axes", NEURIO_DT_INT32, 1, d0, ax0);
    static const neurio_op_kind un[] = {NEURIO_OP_SQRT, NEURIO_OP_RSQRT, NEURIO_OP_EXP,
                                        NEURIO_OP_LOG};
    int32_t outs[12];
    for (int i = 0; i < 4; i++) {
        char nm[8];
        snprintf(nm, sizeof nm, "u%d", i);
        outs[i] = tn(m, nm, NEURIO_DT_FLOAT32, 1, d4);
        op1(m, un[i], u, outs[i]);
    }
    outs[4] = tn(m, "abs", NEURIO_DT_FLOAT32, 2, d14);
    op1(m, NEURIO_OP_ABS, v, outs[4]);
    outs[5] = tn(m, "hs", NEURIO_DT_FLOAT32, 2, d14);
    op1(m, NEURIO_OP_HARD_SWISH, v, outs[5]);
    outs[6] = tn(m, "sum", NEURIO_DT_FLOAT32, 1, d1);
    int32_t o = op2(m, NEURIO_OP_SUM, u, tax, outs[6]);
    m->ops[o].attr.mean.n_axes = 1;
    outs[7] = tn(m, "max", NEURIO_DT_FLOAT32, 1, d1);
    o = op2(m, NEURIO_OP_REDUCE_MAX, u, tax, outs[7]);
    m->ops[o].attr.mean.n_axes = 1;
    outs[8] = tn(m, "l2", NEURIO_DT_FLOAT32, 2, d14);
    op1(m, NEURIO_OP_L2_NORMALIZATION, v, outs[8]);
    outs[9] = tn(m, "lsm", NEURIO_DT_FLOAT32, 2, d14);
    op1(m, NEURIO_OP_LOG_SOFTMAX, v, outs[9]);
    outs[10] = tn(m, "prelu", NEURIO_DT_FLOAT32, 2, d14);
    op2(m, NEURIO_OP_PRELU, v, ta, outs[10]);
    outs[11] = tn(m, "bmm", NEURIO_DT_FLOAT32, 2, d22);
    op2(m, NEURIO_OP_BATCH_MATMUL, w, w, outs[11]);
    neurio_model_set_io(m, 3, (int32_t[]){u, v, w}, 12, outs);
    static const float uv[4] = {0.25f, 1, 4, 9}, vv[4] = {-1, 2, -3, 4}, wv[4] = {1, 2, 3, 4};
    const void *in[3] = {uv, vv, wv};
    void *out[MAXO] = {0};
    run_both(m, "fmath", in, out);
    expect_f(out[0], (const float[]){0.5f, 1, 2, 3}, 4, 1e-6);
    expect_f(out[1], (const float[]){2, 1, 0.5f, 1.0f / 3}, 4, 1e-6);
    expect_f(out[2], (const float[]){expf(0.25f), expf(1), expf(4), expf(9)}, 4, 1e-2);
    expect_f(out[3], (const float[]){logf(0.25f), 0, logf(4), logf(9)}, 4, 1e-6);
    expect_f(out[4], (const float[]){1, 2, 3, 4}, 4, 0);
    expect_f(out[5], (const float[]){-1.0f / 3, 10.0f / 6, 0, 4}, 4, 1e-6);
    expect_f(out[6], (const float[]){14.25f}, 1, 1e-6);
    expect_f(out[7], (const float[]){9}, 1, 0);
    float r = sqrtf(30.0f), mx = 4, se = 0;
    for (int i = 0; i < 4; i++)
        se += expf(vv[i] - mx);
    expect_f(out[8], (const float[]){-1 / r, 2 / r, -3 / r, 4 / r}, 4, 1e-6);
    float ls = logf(se);
    expect_f(out[9], (const float[]){-1 - mx - ls, 2 - mx - ls, -3 - mx - ls, 4 - mx - ls}, 4,
             1e-5);
    expect_f(out[10], (const float[]){-0.5f, 2, -1.5f, 4}, 4, 0);
    expect_f(out[11], (const float[]){7, 10, 15, 22}, 4, 0);
    for (int k = 0; k < 12; k++)
        free(out[k]);
    neurio_model_free(m);
}

/* One int8 op on a [1, 16] input (and a second operand for binary ops):
 * the dequantized output must match f within tol output steps. */
typedef struct q_case {
    neurio_op_kind kind;
    float xs, ys, bs;
    int32_t xz, yz, bz;
    int binary, reduce, bool_out;
    double tol;                 /* output steps */
} q_case;

static float q_ref(neurio_op_kind k, float a, float b, const float *row, int n)
{
    switch (k) {
    case NEURIO_OP_DIV: return a / b;
    case NEURIO_OP_SQUARED_DIFFERENCE: return (a - b) * (a - b);
    case NEURIO_OP_PRELU: return a >= 0 ? a : a * b;
    case NEURIO_OP_HARD_SWISH: return a * fminf(6.0f, fmaxf(0.0f, a + 3.0f)) / 6.0f;
    case NEURIO_OP_RSQRT: return 1.0f / sqrtf(a);
    case NEURIO_OP_ABS: return fabsf(a);
    case NEURIO_OP_MAXIMUM: return fmaxf(a, b);
    case NEURIO_OP_LESS: return a < b;
    case NEURIO_OP_BATCH_MATMUL: return a * b; /* [16 x 1] x [1 x 1] */
    case NEURIO_OP_SUM: {
        float s = 0;
        for (int i = 0; i < n; i++)
            s += row[i];
        return s;
    }
    case NEURIO_OP_LOG_SOFTMAX: {
        float mx = row[0], s = 0;
        for (int i = 1; i < n; i++)
            mx = fmaxf(mx, row[i]);
        for (int i = 0; i < n; i++)
            s += expf(row[i] - mx);
        return a - mx - logf(s);
    }
    default: return 0;
    }
}

static void run_q_case(const q_case *qc)
{
    neurio_model *m = neurio_model_new(neurio_op_name(qc->kind));
    int32_t d[2] = {1, 16}, d1[1] = {1}, dcol[2] = {16, 1}, d11[2] = {1, 1};
    int bmm = qc->kind == NEURIO_OP_BATCH_MATMUL;
    int32_t x = q8(m, "x", 2, bmm ? dcol : d, qc->xs, qc->xz);
    int32_t b = qc->binary ? q8(m, "b", 2, bmm ? d11 : d, qc->bs, qc->bz) : -1;
    int32_t y;
    if (qc->bool_out)
        y = tn(m, "y", NEURIO_DT_BOOL, 2, d);
    else
        y = q8(m, "y", qc->reduce ? 1 : 2, qc->reduce ? d1 : bmm ? dcol : d, qc->ys, qc->yz);
    if (qc->reduce) {
        static const int32_t ax[2] = {0, 1};
        int32_t d2[1] = {2};
        int32_t ta = cn(m, "axes", NEURIO_DT_INT32, 1, d2, ax);
        int32_t o = op2(m, qc->kind, x, ta, y);
        m->ops[o].attr.mean.n_axes = 2;
        m->ops[o].attr.mean.axes[1] = 1;
    } else if (qc->binary) {
        op2(m, qc->kind, x, b, y);
    } else {
        op1(m, qc->kind, x, y);
    }
    neurio_model_set_io(m, qc->binary ? 2 : 1, (int32_t[]){x, b}, 1, &y);
    int8_t xv[16], bv[16];
    float xf[16];
    for (int i = 0; i < 16; i++) {
        xv[i] = (int8_t)(qc->kind == NEURIO_OP_RSQRT ? qc->xz + 1 + i * 7 : -120 + i * 16);
        bv[i] = (int8_t)(qc->kind == NEURIO_OP_DIV ? (i % 2 ? 40 + i : -40 - i) : 100 - i * 13);
        xf[i] = qc->xs * (float)(xv[i] - qc->xz);
    }
    const void *in[2] = {xv, bv};
    void *out[MAXO] = {0};
    char name[64];
    snprintf(name, sizeof name, "q_%s", neurio_op_name(qc->kind));
    run_both(m, name, in, out);
    int n = qc->reduce ? 1 : 16;
    for (int i = 0; i < n; i++) {
        float bf = qc->binary ? qc->bs * (float)((bmm ? bv[0] : bv[i]) - qc->bz) : 0;
        float want = q_ref(qc->kind, xf[i], bf, xf, 16);
        double got = qc->bool_out ? ((const uint8_t *)out[0])[i]
                                  : qc->ys * (double)(((const int8_t *)out[0])[i] - qc->yz);
        double lo = qc->ys * (-128 - qc->yz), hi = qc->ys * (127 - qc->yz);
        double clamped = qc->bool_out ? want : fmin(hi, fmax(lo, (double)want));
        double tol = qc->bool_out ? 0 : qc->tol * qc->ys + 1e-6;
        if (fabs(got - clamped) > tol)
            fprintf(stderr, "  %s element %d: %g, expected %g (x %g, b %g)\n",
                    neurio_op_name(qc->kind), i, got, clamped, (double)xf[i], (double)bf);
        CU_ASSERT(fabs(got - clamped) <= tol);
    }
    free(out[0]);
    neurio_model_free(m);
}

static void test_int8_constants(void)
{
    static const q_case cases[] = {
        {NEURIO_OP_DIV, 0.05f, 0.1f, 0.02f, 3, -2, 0, 1, 0, 0, 1.0},
        {NEURIO_OP_SQUARED_DIFFERENCE, 0.05f, 0.4f, 0.04f, 0, -128, 5, 1, 0, 0, 1.0},
        {NEURIO_OP_PRELU, 0.05f, 0.04f, 0.004f, -3, 1, 0, 1, 0, 0, 1.0},
        {NEURIO_OP_HARD_SWISH, 0.05f, 0.03f, 0, 0, -40, 0, 0, 0, 0, 1.0},
        {NEURIO_OP_RSQRT, 0.01f, 0.02f, 0, -128, -128, 0, 0, 0, 0, 1.0},
        {NEURIO_OP_ABS, 0.05f, 0.03f, 0, 7, -128, 0, 0, 0, 0, 1.0},
        {NEURIO_OP_MAXIMUM, 0.05f, 0.05f, 0.05f, 2, 2, 2, 1, 0, 0, 0.0},
        {NEURIO_OP_LESS, 0.05f, 0, 0.04f, 2, 0, -1, 1, 0, 1, 0.0},
        {NEURIO_OP_SUM, 0.05f, 0.5f, 0, 4, 0, 0, 0, 1, 0, 1.0},
        {NEURIO_OP_LOG_SOFTMAX, 0.05f, 16.0f / 256, 0, 0, 127, 0, 0, 0, 0, 1.0},
        {NEURIO_OP_BATCH_MATMUL, 0.05f, 0.05f, 0.02f, 1, -3, 2, 1, 0, 0, 1.0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        run_q_case(&cases[i]);
}

/* int8 CONCATENATION of inputs quantized unlike the output: each input
 * requantized onto the output's scale (within one step of the float). */
static void test_concat_requant(void)
{
    neurio_model *m = neurio_model_new("cat_rq");
    int32_t d2[2] = {1, 4}, d4[2] = {1, 8};
    int32_t a = q8(m, "a", 2, d2, 0.1f, 3), b = q8(m, "b", 2, d2, 0.2f, 0);
    int32_t y = q8(m, "y", 2, d4, 0.2f, 0);
    int32_t o = op2(m, NEURIO_OP_CONCATENATION, a, b, y);
    m->ops[o].attr.concat.axis = 1;
    neurio_model_set_io(m, 2, (int32_t[]){a, b}, 1, &y);
    static const int8_t av[4] = {-128, 3, 50, 127}, bv[4] = {-128, -1, 0, 127};
    const void *in[2] = {av, bv};
    void *out[MAXO] = {0};
    run_both(m, "cat_rq", in, out);
    const int8_t *yv = out[0];
    for (int i = 0; i < 8; i++) {
        double want = i < 4 ? 0.1 * (av[i] - 3) : 0.2 * bv[i - 4];
        want = fmin(0.2 * 127, fmax(0.2 * -128, want));
        CU_ASSERT(fabs(0.2 * yv[i] - want) <= 0.2 + 1e-6);
    }
    for (int i = 4; i < 8; i++) /* same quantization: copied */
        CU_ASSERT_EQUAL(yv[i], bv[i - 4]);
    free(out[0]);
    neurio_model_free(m);
}

int neurio_register_tests(void)
{
    CU_pSuite s = CU_add_suite("codegen_ext", NULL, NULL);
    if (!s || !CU_add_test(s, "layout ops: interpreter = generated C = hand values",
                           test_move_ops) ||
        !CU_add_test(s, "int32 and bool ops", test_int32_ops) ||
        !CU_add_test(s, "float math ops", test_float_math) ||
        !CU_add_test(s, "int8 constants against the float function", test_int8_constants) ||
        !CU_add_test(s, "int8 CONCATENATION with requantized inputs", test_concat_requant))
        return -1;
    return 0;
}

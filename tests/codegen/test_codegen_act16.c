/* tests/codegen/test_codegen_act16.c — int16 AVERAGE_POOL_2D, MAX_POOL_2D,
 * LOGISTIC, TANH and SOFTMAX through the one lowering: a hand-built int16
 * chain, generated C compiled with -std=c99 -pedantic -Werror (and for
 * Cortex-M4 when arm-none-eabi-gcc is installed), run through the host
 * runner and compared byte for byte with the reference interpreter; the
 * SOFTMAX rows sum to ~1; refusals name the quantization TFLite requires.
 * Likewise the int16 forms of SQUARED_DIFFERENCE, MAXIMUM, PRELU (int8
 * alpha), GREATER, ABS, SUM, MEAN, BATCH_MATMUL and CONCATENATION with a
 * requantized input, one small model each.
 * (The arithmetic itself is checked against references in
 * tests/kernels/test_nk_act_s16.c.) */
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

/* The generated C compiles for Cortex-M4 (hard float), kernels included. */
static void compile_for_m4(const char *name)
{
    static const char *const kernels[] = {"activation/nk_act_s16.c", "pool/nk_avg_pool2d.c",
                                          "pool/nk_max_pool2d.c", NULL};
    char dir[1024], src[1200];
    snprintf(dir, sizeof dir, "%s/%s", neurio_test_tmpdir(), name);
    snprintf(src, sizeof src, "%s/%s.c", dir, name);
    cg_compile_for_m4(src, dir, kernels);
}

/* x [1,6,6,4] int16 (1/4096) -> AVERAGE_POOL 2x2 s1 SAME -> MAX_POOL 3x3 s2
 * SAME [1,3,3,4] -> LOGISTIC (2^-15) -> TANH (2^-15) -> RESHAPE [1,36] ->
 * SOFTMAX (2^-15).  logistic_zp != 0 makes LOGISTIC's input unacceptable. */
static neurio_model *act16_chain(int32_t logistic_zp, float softmax_out_scale)
{
    neurio_model *m = neurio_model_new("act16");
    const neurio_dtype s16 = NEURIO_DT_INT16;
    int32_t dx[4] = {1, 6, 6, 4}, dp[4] = {1, 3, 3, 4}, d36[2] = {1, 36};
    const float q12 = 1.0f / 4096.0f, q15 = 1.0f / 32768.0f;
    int32_t x = cg_tq(m, "x", s16, dx, q12, 0), a = cg_tq(m, "avg", s16, dx, q12, 0);
    int32_t mx = cg_tq(m, "max", s16, dp, q12, logistic_zp), lg = cg_tq(m, "logistic", s16, dp, q15, 0);
    int32_t th = cg_tq(m, "tanh", s16, dp, q15, 0);
    int32_t r = neurio_model_add_tensor(m, "r", s16, 2, d36);
    int32_t sm = neurio_model_add_tensor(m, "softmax", s16, 2, d36);
    int32_t z0 = 0;
    neurio_tensor_set_quant(m, r, 1, 0, &q15, &z0);
    neurio_tensor_set_quant(m, sm, 1, 0, &softmax_out_scale, &z0);
    int32_t o = neurio_model_add_op(m, NEURIO_OP_AVERAGE_POOL_2D, 1, &x, 1, &a);
    m->ops[o].attr.pool = (neurio_pool_attr){.padding = NEURIO_PAD_SAME, .filter_h = 2,
                                             .filter_w = 2, .stride_h = 1, .stride_w = 1};
    o = neurio_model_add_op(m, NEURIO_OP_MAX_POOL_2D, 1, &a, 1, &mx);
    m->ops[o].attr.pool = (neurio_pool_attr){.padding = NEURIO_PAD_SAME, .filter_h = 3,
                                             .filter_w = 3, .stride_h = 2, .stride_w = 2};
    neurio_model_add_op(m, NEURIO_OP_LOGISTIC, 1, &mx, 1, &lg);
    neurio_model_add_op(m, NEURIO_OP_TANH, 1, &lg, 1, &th);
    neurio_model_add_op(m, NEURIO_OP_RESHAPE, 1, &th, 1, &r);
    o = neurio_model_add_op(m, NEURIO_OP_SOFTMAX, 1, &r, 1, &sm);
    m->ops[o].attr.softmax.beta = 8.0f;
    neurio_model_set_io(m, 1, &x, 1, &sm);
    return m;
}

static void test_act16_chain(void)
{
    neurio_model *m = act16_chain(0, 1.0f / 32768.0f);
    cg_compare_interp_codegen(m, "act16", 144 * 2, 36 * 2, NEURIO_DT_INT16);
    compile_for_m4("act16");
    /* the softmax output is a distribution */
    neurio_errbuf e = {{0}};
    neurio_interp *it = NULL;
    CU_ASSERT_EQUAL_FATAL(neurio_interp_new(m, &it, &e), NEURIO_OK);
    int16_t x[144], y[36];
    uint32_t st = 7;
    for (int i = 0; i < 144; i++)
        x[i] = (int16_t)(int32_t)((cg_lcg(&st) & 0xffff) - 32768);
    const void *in[1] = {x};
    void *out[1] = {y};
    CU_ASSERT_EQUAL_FATAL(neurio_interp_run(it, in, out, &e), NEURIO_OK);
    int32_t sum = 0;
    for (int i = 0; i < 36; i++) {
        CU_ASSERT(y[i] >= 0);
        sum += y[i];
    }
    CU_ASSERT(sum > 32768 - 200 && sum < 32768 + 200);
    neurio_interp_free(it);
    neurio_model_free(m);
}

static void test_act16_refusals(void)
{
    neurio_errbuf e = {{0}};
    neurio_unsupported_op u[4];
    neurio_model *m = act16_chain(3, 1.0f / 32768.0f);
    int32_t n = neurio_codegen_check(m, u, 4, &e);
    CU_ASSERT(n >= 1);
    CU_ASSERT(n >= 1 && strstr(u[n - 1].reason, "zero points 0") != NULL);
    neurio_model_free(m);
    m = act16_chain(0, 1.0f / 256.0f);
    n = neurio_codegen_check(m, u, 4, &e);
    CU_ASSERT_EQUAL(n, 1);
    CU_ASSERT(n == 1 && strstr(u[0].reason, "scale 1/32768") != NULL);
    neurio_model_free(m);
}

/* A constant int16 (int8 when dt says so) tensor of n values, one scale. */
static int32_t cq(neurio_model *m, const char *nm, neurio_dtype dt, int32_t rank,
                  const int32_t *d, float sc, uint32_t *st)
{
    int32_t t = neurio_model_add_tensor(m, nm, dt, rank, d);
    size_t n = neurio_tensor_elements(&m->tensors[t]);
    int16_t v16[64];
    int8_t v8[64];
    for (size_t i = 0; i < n && i < 64; i++) {
        v16[i] = (int16_t)(int32_t)((cg_lcg(st) & 0xffff) - 32768);
        v8[i] = (int8_t)(int32_t)((cg_lcg(st) & 0xff) - 128);
    }
    if (dt == NEURIO_DT_INT8)
        neurio_tensor_set_data(m, t, v8, n);
    else
        neurio_tensor_set_data(m, t, v16, n * 2);
    int32_t z0 = 0;
    neurio_tensor_set_quant(m, t, 1, 0, &sc, &z0);
    return t;
}

enum { B_SQDIFF, B_MAX, B_PRELU, B_GREATER, B_ABS, B_SUM, B_BMM, B_CONCAT, B_MEAN, B_COUNT };

/* x [1,4,5] int16 (scale 1/4096) and one op of kind `which` on it and a
 * constant: the output's shape, dtype and byte size in *out_bytes. */
static neurio_model *binary16(int which, const char *name, size_t *out_bytes)
{
    uint32_t st = 5150u + (uint32_t)which;
    neurio_model *m = neurio_model_new(name);
    const neurio_dtype s16 = NEURIO_DT_INT16;
    int32_t d3[3] = {1, 4, 5}, d5[1] = {5}, d2[2] = {1, 4}, dw[3] = {1, 5, 3}, dy[3] = {1, 4, 3};
    int32_t dc[3] = {1, 4, 2}, dcy[3] = {1, 4, 7};
    const float q12 = 1.0f / 4096.0f;
    int32_t z0 = 0, x = neurio_model_add_tensor(m, "x", s16, 3, d3), y = -1, o = -1;
    neurio_tensor_set_quant(m, x, 1, 0, &q12, &z0);
    float sy = 0.0007f;
    switch (which) {
    case B_SQDIFF: case B_MAX: case B_GREATER: {
        int32_t c = cq(m, "c", s16, 3, d3, which == B_SQDIFF ? 0.0003f : q12, &st);
        neurio_op_kind k = which == B_SQDIFF ? NEURIO_OP_SQUARED_DIFFERENCE
                           : which == B_MAX ? NEURIO_OP_MAXIMUM : NEURIO_OP_GREATER;
        y = neurio_model_add_tensor(m, "y", which == B_GREATER ? NEURIO_DT_BOOL : s16, 3, d3);
        if (which != B_GREATER) {
            float s = which == B_SQDIFF ? 0.02f : q12;
            neurio_tensor_set_quant(m, y, 1, 0, &s, &z0);
        }
        int32_t in[2] = {x, c};
        neurio_model_add_op(m, k, 2, in, 1, &y);
        *out_bytes = which == B_GREATER ? 20 : 40;
        break;
    }
    case B_PRELU: {
        int32_t a = cq(m, "alpha", NEURIO_DT_INT8, 1, d5, 0.004f, &st);
        y = neurio_model_add_tensor(m, "y", s16, 3, d3);
        neurio_tensor_set_quant(m, y, 1, 0, &sy, &z0);
        int32_t in[2] = {x, a};
        neurio_model_add_op(m, NEURIO_OP_PRELU, 2, in, 1, &y);
        *out_bytes = 40;
        break;
    }
    case B_ABS:
        y = neurio_model_add_tensor(m, "y", s16, 3, d3);
        neurio_tensor_set_quant(m, y, 1, 0, &sy, &z0);
        neurio_model_add_op(m, NEURIO_OP_ABS, 1, &x, 1, &y);
        *out_bytes = 40;
        break;
    case B_SUM: case B_MEAN:
        y = neurio_model_add_tensor(m, "y", s16, 2, d2);
        sy = which == B_SUM ? 0.001f : 0.0002f;
        neurio_tensor_set_quant(m, y, 1, 0, &sy, &z0);
        o = neurio_model_add_op(m, which == B_SUM ? NEURIO_OP_SUM : NEURIO_OP_MEAN, 1, &x, 1, &y);
        m->ops[o].attr.mean.n_axes = 1;
        m->ops[o].attr.mean.axes[0] = 2;
        *out_bytes = 8;
        break;
    case B_BMM: {
        int32_t w = cq(m, "w", s16, 3, dw, 0.0005f, &st);
        y = neurio_model_add_tensor(m, "y", s16, 3, dy);
        sy = 0.0004f;
        neurio_tensor_set_quant(m, y, 1, 0, &sy, &z0);
        int32_t in[2] = {x, w};
        neurio_model_add_op(m, NEURIO_OP_BATCH_MATMUL, 2, in, 1, &y);
        *out_bytes = 24;
        break;
    }
    case B_CONCAT: { /* CONCATENATION of x and a constant quantized otherwise */
        int32_t c = cq(m, "c", s16, 3, dc, 1.0f / 1024.0f, &st);
        y = neurio_model_add_tensor(m, "y", s16, 3, dcy);
        sy = 1.0f / 2048.0f;
        neurio_tensor_set_quant(m, y, 1, 0, &sy, &z0);
        int32_t in[2] = {x, c};
        o = neurio_model_add_op(m, NEURIO_OP_CONCATENATION, 2, in, 1, &y);
        m->ops[o].attr.concat.axis = 2;
        *out_bytes = 56;
        break;
    }
    default: break;
    }
    neurio_model_set_io(m, 1, &x, 1, &y);
    return m;
}

static void test_binary16(void)
{
    static const char *const names[B_COUNT] = {"sqdiff16", "max16", "prelu16", "greater16",
                                               "abs16", "sum16", "bmm16", "concat16",
                                               "mean16"};
    for (int k = 0; k < B_COUNT; k++) {
        size_t ob = 0;
        neurio_model *m = binary16(k, names[k], &ob);
        cg_compare_interp_codegen(m, names[k], 40, ob, NEURIO_DT_INT16);
        compile_for_m4(names[k]);
        neurio_model_free(m);
    }
}

/* int8 NEG (neurio's quantized form; TFLite Micro's NEG is float only):
 * x [1,40] (0.05, zp 3) -> y (0.07, zp -5). */
static void test_neg_s8(void)
{
    neurio_model *m = neurio_model_new("neg8");
    int32_t d[2] = {1, 40}, x = neurio_model_add_tensor(m, "x", NEURIO_DT_INT8, 2, d);
    int32_t y = neurio_model_add_tensor(m, "y", NEURIO_DT_INT8, 2, d), zx = 3, zy = -5;
    float sx = 0.05f, sy = 0.07f;
    neurio_tensor_set_quant(m, x, 1, 0, &sx, &zx);
    neurio_tensor_set_quant(m, y, 1, 0, &sy, &zy);
    neurio_model_add_op(m, NEURIO_OP_NEG, 1, &x, 1, &y);
    neurio_model_set_io(m, 1, &x, 1, &y);
    cg_compare_interp_codegen(m, "neg8", 40, 40, NEURIO_DT_INT8);
    compile_for_m4("neg8");
    neurio_errbuf e = {{0}};
    neurio_interp *it = NULL;
    CU_ASSERT_EQUAL_FATAL(neurio_interp_new(m, &it, &e), NEURIO_OK);
    int8_t in[40], out[40];
    for (int i = 0; i < 40; i++)
        in[i] = (int8_t)(i * 6 - 120);
    const void *ins[1] = {in};
    void *outs[1] = {out};
    CU_ASSERT_EQUAL_FATAL(neurio_interp_run(it, ins, outs, &e), NEURIO_OK);
    int far = 0;
    for (int i = 0; i < 40; i++) {
        double want = -(in[i] - 3) * 0.05 / 0.07 - 5;
        want = want < -128 ? -128 : want > 127 ? 127 : want;
        far += fabs(out[i] - want) > 0.51;
    }
    CU_ASSERT_EQUAL(far, 0);
    neurio_interp_free(it);
    neurio_model_free(m);
}

/* What TFLite Micro has no int16 form of is refused by name. */
static void test_binary16_refusals(void)
{
    neurio_errbuf e = {{0}};
    neurio_unsupported_op u[2];
    size_t ob;
    neurio_model *m = binary16(B_GREATER, "less16", &ob);
    m->ops[0].kind = NEURIO_OP_LESS;
    CU_ASSERT_EQUAL(neurio_codegen_check(m, u, 2, &e), 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(u[0].reason, "only in GREATER"));
    neurio_model_free(m);
    m = binary16(B_BMM, "bmm16z", &ob);
    int32_t z = 3;
    m->tensors[m->ops[0].inputs[1]].quant.zero_point[0] = z;
    CU_ASSERT_EQUAL(neurio_codegen_check(m, u, 2, &e), 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(u[0].reason, "zero points 0"));
    neurio_model_free(m);
}

int neurio_register_tests(void)
{
    CU_pSuite s = CU_add_suite("codegen_act16", NULL, NULL);
    if (!s ||
        !CU_add_test(s, "int16 pools, LOGISTIC, TANH, SOFTMAX: interp, C, Cortex-M4",
                     test_act16_chain) ||
        !CU_add_test(s, "int16 activation refusals", test_act16_refusals) ||
        !CU_add_test(s, "int16 SQUARED_DIFFERENCE, MAXIMUM, PRELU, GREATER, ABS, SUM, "
                        "BATCH_MATMUL, CONCATENATION, MEAN: interp, C, Cortex-M4",
                     test_binary16) ||
        !CU_add_test(s, "int16 binary refusals", test_binary16_refusals) ||
        !CU_add_test(s, "int8 NEG: interp, C, Cortex-M4, vs real arithmetic", test_neg_s8))
        return -1;
    return 0;
}

/* tests/codegen/test_codegen_conv16.c — the int16x8 convolution family and
 * TRANSPOSE_CONV through the one lowering: hand-built models (TRANSPOSE_CONV
 * float / int8 / int16x8; an int16x8 chain CONV_2D -> DEPTHWISE_CONV_2D ->
 * TRANSPOSE_CONV -> FULLY_CONNECTED, with int64 or int32 biases; TRANSPOSE_CONV
 * also with an int16 bias), generated C compiled with -std=c99
 * -pedantic -Werror, run through the host runner and compared byte for byte
 * with the reference interpreter; int16 refusals name what is wrong.  (The
 * arithmetic itself is checked against independent references in
 * tests/kernels and against TFLite Micro by the zoo.) */
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

/* Constant weights of dtype dt (int8 or float32), n_scales scales on axis. */
static int32_t weights(neurio_model *m, const char *nm, neurio_dtype dt, int32_t rank,
                       const int32_t *d, int32_t n_scales, int32_t axis, uint32_t *st)
{
    int32_t t = neurio_model_add_tensor(m, nm, dt, rank, d);
    size_t n = neurio_tensor_elements(&m->tensors[t]);
    if (dt == NEURIO_DT_FLOAT32) {
        float *v = malloc(n * sizeof *v);
        for (size_t i = 0; i < n; i++)
            v[i] = (float)((int32_t)(cg_lcg(st) % 2001) - 1000) / 1500.0f;
        neurio_tensor_set_data(m, t, v, n * sizeof *v);
        free(v);
        return t;
    }
    int8_t *v = malloc(n);
    for (size_t i = 0; i < n; i++)
        v[i] = (int8_t)((int32_t)(cg_lcg(st) % 255) - 127);
    neurio_tensor_set_data(m, t, v, n);
    free(v);
    float sc[16];
    int32_t zp[16] = {0};
    for (int32_t i = 0; i < n_scales; i++)
        sc[i] = 0.002f + 0.0005f * (float)i;
    neurio_tensor_set_quant(m, t, n_scales, axis, sc, zp);
    return t;
}

/* A constant bias of n values: int16, int32, int64 or float32. */
static int32_t bias(neurio_model *m, const char *nm, neurio_dtype dt, int32_t n, uint32_t *st)
{
    int32_t d[1] = {n};
    int32_t t = neurio_model_add_tensor(m, nm, dt, 1, d);
    int64_t v64[16];
    int32_t v32[16];
    int16_t v16[16];
    float vf[16];
    for (int32_t i = 0; i < n; i++) {
        v32[i] = (int32_t)(cg_lcg(st) % 4001) - 2000;
        v64[i] = (int64_t)v32[i] * 100;
        vf[i] = (float)v32[i] / 4000.0f;
        v16[i] = (int16_t)(v32[i] * 16);
    }
    if (dt == NEURIO_DT_INT16) { /* quantized, as TFLite writes an int16 bias */
        float sc[16];
        int32_t zp[16] = {0};
        for (int32_t i = 0; i < n; i++)
            sc[i] = 1e-6f;
        neurio_tensor_set_data(m, t, v16, (size_t)n * 2);
        neurio_tensor_set_quant(m, t, n, 0, sc, zp);
    }
    else if (dt == NEURIO_DT_INT64)
        neurio_tensor_set_data(m, t, v64, (size_t)n * 8);
    else if (dt == NEURIO_DT_INT32)
        neurio_tensor_set_data(m, t, v32, (size_t)n * 4);
    else
        neurio_tensor_set_data(m, t, vf, (size_t)n * 4);
    return t;
}

/* TRANSPOSE_CONV [1,3,4,3] -> [1,6,8,4], 3x3 filter, stride 2, SAME, of
 * dtype dt (float32 with RELU, int8 per-channel, int16x8 per-channel). */
static void run_tconv(neurio_dtype dt, const char *name, neurio_dtype bias_dt)
{
    uint32_t st = 4242;
    neurio_model *m = neurio_model_new(name);
    int32_t dx[4] = {1, 3, 4, 3}, dy[4] = {1, 6, 8, 4}, dw[4] = {4, 3, 3, 3}, d1[1] = {4};
    float sx = dt == NEURIO_DT_INT16 ? 0.0005f : 0.05f, sy = dt == NEURIO_DT_INT16 ? 0.0002f : 0.02f;
    int32_t zx = dt == NEURIO_DT_INT8 ? 3 : 0, zy = dt == NEURIO_DT_INT8 ? -7 : 0;
    int quant = dt != NEURIO_DT_FLOAT32;
    int32_t x = cg_tq(m, "x", dt, dx, quant ? sx : 0, zx), y = cg_tq(m, "y", dt, dy, quant ? sy : 0, zy);
    int32_t w = weights(m, "w", quant ? NEURIO_DT_INT8 : NEURIO_DT_FLOAT32, 4, dw, quant ? 4 : 0,
                        0, &st);
    int32_t b = bias(m, "b", bias_dt, 4, &st);
    int32_t shape = neurio_model_add_tensor(m, "output_shape", NEURIO_DT_INT32, 1, d1);
    neurio_tensor_set_data(m, shape, dy, sizeof dy);
    int32_t ins[4] = {x, w, b, shape};
    int32_t o = neurio_model_add_op(m, NEURIO_OP_TRANSPOSE_CONV, 4, ins, 1, &y);
    m->ops[o].attr.conv.padding = NEURIO_PAD_SAME;
    m->ops[o].attr.conv.stride_h = m->ops[o].attr.conv.stride_w = 2;
    if (!quant)
        m->ops[o].attr.conv.activation = NEURIO_ACT_RELU;
    neurio_model_set_io(m, 1, &x, 1, &y);
    size_t es = dt == NEURIO_DT_INT8 ? 1 : (dt == NEURIO_DT_INT16 ? 2 : 4);
    cg_compare_interp_codegen(m, name, 36 * es, 192 * es, dt);
    neurio_model_free(m);
}

static void test_tconv_f32(void) { run_tconv(NEURIO_DT_FLOAT32, "tconv_f32", NEURIO_DT_FLOAT32); }
static void test_tconv_s8(void) { run_tconv(NEURIO_DT_INT8, "tconv_s8", NEURIO_DT_INT32); }
static void test_tconv_s16(void)
{
    run_tconv(NEURIO_DT_INT16, "tconv_s16", NEURIO_DT_INT64);
    run_tconv(NEURIO_DT_INT16, "tconv_s16_b16", NEURIO_DT_INT16); /* TFLM widens it */
}

/* int16x8 chain: CONV_2D (per-channel, RELU) [1,6,6,2] -> [1,6,6,4],
 * DEPTHWISE_CONV_2D (dm 2, stride 2) -> [1,3,3,8], TRANSPOSE_CONV (VALID,
 * stride 1, 2x2) -> [1,4,4,3], RESHAPE, FULLY_CONNECTED (per-tensor) -> 5. */
static neurio_model *int16_chain(int32_t bad_zp, neurio_dtype fc_bias_dt,
                                 neurio_dtype conv_bias_dt)
{
    uint32_t st = 1616;
    neurio_model *m = neurio_model_new("chain_s16");
    int32_t dx[4] = {1, 6, 6, 2}, dc[4] = {1, 6, 6, 4}, dd[4] = {1, 3, 3, 8},
            dt[4] = {1, 4, 4, 3};
    int32_t wc[4] = {4, 3, 3, 2}, wd[4] = {1, 3, 3, 8}, wt[4] = {3, 2, 2, 8}, wf[2] = {5, 48};
    int32_t d48[2] = {1, 48}, d5[2] = {1, 5};
    const neurio_dtype s16 = NEURIO_DT_INT16;
    int32_t x = cg_tq(m, "x", s16, dx, 0.001f, 0), c = cg_tq(m, "c", s16, dc, 0.0004f, bad_zp);
    int32_t d = cg_tq(m, "d", s16, dd, 0.0003f, 0), t = cg_tq(m, "t", s16, dt, 0.0006f, 0);
    int32_t r = neurio_model_add_tensor(m, "r", s16, 2, d48);
    float sr = 0.0006f, sf = 0.002f;
    int32_t z0 = 0;
    neurio_tensor_set_quant(m, r, 1, 0, &sr, &z0);
    int32_t f = neurio_model_add_tensor(m, "f", s16, 2, d5);
    neurio_tensor_set_quant(m, f, 1, 0, &sf, &z0);
    int32_t i1[3] = {x, weights(m, "wc", NEURIO_DT_INT8, 4, wc, 4, 0, &st),
                     bias(m, "bc", conv_bias_dt, 4, &st)};
    int32_t o = neurio_model_add_op(m, NEURIO_OP_CONV_2D, 3, i1, 1, &c);
    m->ops[o].attr.conv.padding = NEURIO_PAD_SAME;
    m->ops[o].attr.conv.activation = NEURIO_ACT_RELU;
    int32_t i2[3] = {c, weights(m, "wd", NEURIO_DT_INT8, 4, wd, 8, 3, &st),
                     bias(m, "bd", conv_bias_dt, 8, &st)};
    o = neurio_model_add_op(m, NEURIO_OP_DEPTHWISE_CONV_2D, 3, i2, 1, &d);
    m->ops[o].attr.conv.padding = NEURIO_PAD_SAME;
    m->ops[o].attr.conv.depth_multiplier = 2;
    m->ops[o].attr.conv.stride_h = m->ops[o].attr.conv.stride_w = 2;
    int32_t i3[3] = {d, weights(m, "wt", NEURIO_DT_INT8, 4, wt, 3, 0, &st),
                     bias(m, "bt", NEURIO_DT_INT64, 3, &st)};
    o = neurio_model_add_op(m, NEURIO_OP_TRANSPOSE_CONV, 3, i3, 1, &t);
    m->ops[o].attr.conv.padding = NEURIO_PAD_VALID;
    neurio_model_add_op(m, NEURIO_OP_RESHAPE, 1, &t, 1, &r);
    int32_t i4[3] = {r, weights(m, "wf", NEURIO_DT_INT8, 2, wf, 1, 0, &st),
                     bias(m, "bf", fc_bias_dt, 5, &st)};
    neurio_model_add_op(m, NEURIO_OP_FULLY_CONNECTED, 3, i4, 1, &f);
    neurio_model_set_io(m, 1, &x, 1, &f);
    return m;
}

static void test_int16_chain(void)
{
    neurio_model *m = int16_chain(0, NEURIO_DT_INT64, NEURIO_DT_INT64);
    cg_compare_interp_codegen(m, "chain_s16", 72 * 2, 5 * 2, NEURIO_DT_INT16);
    neurio_model_free(m);
    /* int32 biases (TFLite Micro's other 16x8 form) on conv, depthwise, fc */
    m = int16_chain(0, NEURIO_DT_INT32, NEURIO_DT_INT32);
    cg_compare_interp_codegen(m, "chain_s16_b32", 72 * 2, 5 * 2, NEURIO_DT_INT16);
    neurio_model_free(m);
}

/* int16 activations need zero point 0 and int64/int32 biases: clear refusals. */
static void test_int16_refusals(void)
{
    neurio_errbuf e = {{0}};
    neurio_model *m = int16_chain(5, NEURIO_DT_INT64, NEURIO_DT_INT64);
    neurio_unsupported_op u[4];
    int32_t n = neurio_codegen_check(m, u, 4, &e);
    CU_ASSERT(n >= 1); /* the conv writing it and the depthwise reading it */
    CU_ASSERT_PTR_NOT_NULL(strstr(u[0].reason, "zero point 5"));
    neurio_model_free(m);
    m = int16_chain(0, NEURIO_DT_FLOAT32, NEURIO_DT_INT64);
    int rc = neurio_model_validate(m, &e);
    CU_ASSERT_EQUAL(rc, NEURIO_ERR_INVALID);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "expected int64 or int32"));
    neurio_model_free(m);
}

int neurio_register_tests(void)
{
    CU_pSuite s = CU_add_suite("codegen_conv16", NULL, NULL);
    if (!s || !CU_add_test(s, "TRANSPOSE_CONV float32 (RELU)", test_tconv_f32) ||
        !CU_add_test(s, "TRANSPOSE_CONV int8 per-channel", test_tconv_s8) ||
        !CU_add_test(s, "TRANSPOSE_CONV int16x8", test_tconv_s16) ||
        !CU_add_test(s, "int16x8 conv, depthwise, transpose conv, fc chain", test_int16_chain) ||
        !CU_add_test(s, "int16x8 refusals", test_int16_refusals))
        return -1;
    return 0;
}

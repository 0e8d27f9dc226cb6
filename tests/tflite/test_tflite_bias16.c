/* tests/tflite/test_tflite_bias16.c — bias-less int16x8 FULLY_CONNECTED and
 * CONV_2D and TFLite's quantized_bias_type option (FullyConnectedOptions
 * field 4, Conv2DOptions field 6): the importer keeps it, and the lowering
 * takes TFLite Micro's rule (lower_conv.c, lw_biasless_acc32): INT32 = the
 * int32 accumulator and 32-bit requantization, INT64 or absent = int64.
 * Checked on hand-built files (tfl_builder) run in the reference
 * interpreter: with INT32 the outputs equal those of the same layer with an
 * all-zero int32 bias (the *_S16_B32 path), with INT64 or no option those
 * of an all-zero int64 bias, and the two differ (the int32 accumulator
 * wraps on these data). */
#include <stdlib.h>
#include <string.h>

#include "neurio/interp.h"
#include "neurio/model.h"
#include "neurio/tflite.h"
#include "test_util.h"
#include "tfl_builder.h"

enum { D = 600, N = 4 };
enum { BIAS_NONE, BIAS_ZERO32, BIAS_ZERO64 };

static int16_t g_x[D];
static int8_t g_w[N * D];
static int32_t g_b32[N];
static int64_t g_b64[N];

static void fill(void)
{
    for (int i = 0; i < D; i++)
        g_x[i] = (int16_t)(32767 - (i * 37) % 200);
    for (int o = 0; o < N; o++)
        for (int i = 0; i < D; i++)
            g_w[o * D + i] = (int8_t)(o == 0 ? 127 - (i % 5) : (int)((i * 31 + o * 17) % 255) - 127);
}

/* conv: x [1,1,1,D], w [N,1,1,D], y [1,1,1,N]; fc: x [1,D], w [N,D], y [1,N].
 * qbt: the option's TensorType (0 = not written), bias: BIAS_*. */
static uint8_t *model(int conv, int qbt, int bias, size_t *len)
{
    tspec t[4] = {
        {.name = "x", .type = TT_INT16, .rank = conv ? 4 : 2,
         .dims = {1, conv ? 1 : D, 1, D}, .n_quant = 1, .scale = {1.0f / 1024}},
        {.name = "w", .type = TT_INT8, .rank = conv ? 4 : 2, .dims = {N, conv ? 1 : D, 1, D},
         .data = g_w, .data_len = sizeof g_w, .n_quant = 1, .scale = {0.01f}},
        {.name = "y", .type = TT_INT16, .rank = conv ? 4 : 2,
         .dims = {1, conv ? 1 : N, 1, N}, .n_quant = 1, .scale = {0.5f}},
        {.name = "b", .type = bias == BIAS_ZERO64 ? TT_INT64 : TT_INT32, .rank = 1, .dims = {N},
         .data = bias == BIAS_ZERO64 ? (const void *)g_b64 : (const void *)g_b32,
         .data_len = bias == BIAS_ZERO64 ? sizeof g_b64 : sizeof g_b32, .n_quant = 1,
         .scale = {1.0f / 1024 * 0.01f}},
    };
    fbn *opt = fbt_table();
    if (conv) {
        fbt_u8(opt, 0, 1); /* VALID */
        fbt_i32(opt, 1, 1);
        fbt_i32(opt, 2, 1);
        if (qbt)
            fbt_u8(opt, 6, (uint8_t)qbt);
    } else if (qbt) {
        fbt_u8(opt, 4, (uint8_t)qbt);
    }
    ospec o = {.code = conv ? 3 : 9, .opt_type = conv ? 1 : 8, .opt = opt, .n_in = 3,
               .in = {0, 1, bias == BIAS_NONE ? -1 : 3}, .n_out = 1, .out = {2}};
    int32_t gin[1] = {0}, gout[1] = {2};
    return tfl_build(t, bias == BIAS_NONE ? 3 : 4, &o, 1, gin, 1, gout, 1, NULL, len);
}

/* Imports and runs the model; out[N]; the op's quantized_bias_type in *qbt. */
static void run(int conv, int qbt, int bias, int16_t out[N], neurio_dtype *hint)
{
    size_t len = 0;
    uint8_t *buf = model(conv, qbt, bias, &len);
    CU_ASSERT_PTR_NOT_NULL_FATAL(buf);
    neurio_errbuf e = {{0}};
    neurio_model *m = NULL;
    int rc = neurio_tflite_parse(buf, len, "bias16", &m, &e);
    if (rc)
        fprintf(stderr, "\n  parse: %s\n", e.msg);
    CU_ASSERT_EQUAL_FATAL(rc, NEURIO_OK);
    CU_ASSERT_EQUAL_FATAL(m->n_ops, 1);
    *hint = conv ? m->ops[0].attr.conv.quantized_bias_type
                 : m->ops[0].attr.fc.quantized_bias_type;
    neurio_interp *it = NULL;
    rc = neurio_interp_new(m, &it, &e);
    if (rc)
        fprintf(stderr, "\n  interp: %s\n", e.msg);
    CU_ASSERT_EQUAL_FATAL(rc, NEURIO_OK);
    const void *ins[1] = {g_x};
    void *outs[1] = {out};
    CU_ASSERT_EQUAL_FATAL(neurio_interp_run(it, ins, outs, &e), NEURIO_OK);
    neurio_interp_free(it);
    neurio_model_free(m);
    free(buf);
    fbt_reset();
}

static void check(int conv)
{
    fill();
    int16_t none32[N], none64[N], noopt[N], zero32[N], zero64[N];
    neurio_dtype h;
    run(conv, TT_INT32, BIAS_NONE, none32, &h);
    CU_ASSERT_EQUAL(h, NEURIO_DT_INT32);
    run(conv, TT_INT64, BIAS_NONE, none64, &h);
    CU_ASSERT_EQUAL(h, NEURIO_DT_INT64);
    run(conv, 0, BIAS_NONE, noopt, &h);
    CU_ASSERT_EQUAL(h, NEURIO_DT_UNKNOWN);
    run(conv, 0, BIAS_ZERO32, zero32, &h);
    run(conv, 0, BIAS_ZERO64, zero64, &h);
    CU_ASSERT_EQUAL(memcmp(none32, zero32, sizeof none32), 0);
    CU_ASSERT_EQUAL(memcmp(none64, zero64, sizeof none64), 0);
    CU_ASSERT_EQUAL(memcmp(noopt, zero64, sizeof noopt), 0);
    CU_ASSERT_NOT_EQUAL(memcmp(zero32, zero64, sizeof zero32), 0); /* the paths differ */
    fprintf(stderr, "\n  %s row 0: int32 accumulator %d, int64 accumulator %d", conv ? "conv" : "fc",
            none32[0], none64[0]);
}

static void test_fc(void) { check(0); }
static void test_conv(void) { check(1); }

int neurio_register_tests(void)
{
    CU_pSuite s = CU_add_suite("tflite_bias16", NULL, NULL);
    if (!s || !CU_add_test(s, "bias-less int16x8 FULLY_CONNECTED and quantized_bias_type", test_fc) ||
        !CU_add_test(s, "bias-less int16x8 CONV_2D and quantized_bias_type", test_conv))
        return -1;
    return 0;
}

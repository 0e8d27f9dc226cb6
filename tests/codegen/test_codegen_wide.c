/* tests/codegen/test_codegen_wide.c — the ops of issue 13 part A through
 * the one lowering, on hand-built models: STRIDED_SLICE (float32, int8,
 * int16, int32; begin/end masks, negative strides, shrink, ellipsis, new
 * axis, offset, the implicit trailing ellipsis), LEAKY_RELU (int8, int16,
 * float32), ADD/SUB/MUL/PAD on int16 with broadcasting, SOFTMAX int8 ->
 * int16, and QUANTIZE/DEQUANTIZE
 * between float32, int8, int16 and int32.  Each output is checked against
 * values computed here from the op's definition (index formulas written
 * out per case; real arithmetic within one step for the quantized ops),
 * the generated C must give the interpreter's bytes, compile with
 * -pedantic -Werror, and compile for Cortex-M4 with arm-none-eabi-gcc
 * (that step is skipped, saying so, when the cross compiler is absent). */
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

static const int32_t g_dx[4] = {2, 3, 4, 5}; /* x[a][b][c][d], flat = ((a*3+b)*4+c)*5+d */

static int32_t tensor(neurio_model *m, const char *name, neurio_dtype dt, int32_t rank,
                      const int32_t *dims, float scale)
{
    int32_t t = neurio_model_add_tensor(m, name, dt, rank, dims);
    int32_t zero = 0;
    if (scale > 0.0f)
        neurio_tensor_set_quant(m, t, 1, 0, &scale, &zero);
    return t;
}

static int32_t ivec(neurio_model *m, const char *name, int32_t n, const int32_t *v)
{
    int32_t t = neurio_model_add_tensor(m, name, NEURIO_DT_INT32, 1, &n);
    neurio_tensor_set_data(m, t, v, (size_t)n * sizeof *v);
    return t;
}

typedef struct ss_spec {
    int32_t n, begin[5], end[5], strides[5];
    int32_t bm, em, ell, nax, shr, off;
} ss_spec;

static void add_ss(neurio_model *m, int32_t x, int32_t y, const ss_spec *s, const char *tag)
{
    char nm[3][32];
    snprintf(nm[0], sizeof nm[0], "%s_b", tag);
    snprintf(nm[1], sizeof nm[1], "%s_e", tag);
    snprintf(nm[2], sizeof nm[2], "%s_s", tag);
    int32_t in[4] = {x, ivec(m, nm[0], s->n, s->begin), ivec(m, nm[1], s->n, s->end),
                     ivec(m, nm[2], s->n, s->strides)};
    int32_t o = neurio_model_add_op(m, NEURIO_OP_STRIDED_SLICE, 4, in, 1, &y);
    m->ops[o].attr.strided_slice.begin_mask = s->bm;
    m->ops[o].attr.strided_slice.end_mask = s->em;
    m->ops[o].attr.strided_slice.ellipsis_mask = s->ell;
    m->ops[o].attr.strided_slice.new_axis_mask = s->nax;
    m->ops[o].attr.strided_slice.shrink_axis_mask = s->shr;
    m->ops[o].attr.strided_slice.offset = s->off;
}

/* x[0:1, -1::-1, 3::-2, 0::2] with axis 0 shrunk: [3, 2, 3]. */
static const ss_spec g_s1 = {4, {0, -1, 3, 0}, {1, 0, 0, 0}, {1, -1, -2, 2}, 0, 0xe, 0, 0, 1, 0};
/* x[..., None, 1:3]: [2, 3, 4, 1, 2]. */
static const ss_spec g_s2 = {3, {0, 0, 1}, {0, 0, 3}, {1, 1, 1}, 0, 0, 1, 2, 0, 0};
/* offset: begin (1, 0, 2), size (1, 2, 2), last axis implicit: [1, 2, 2, 5]. */
static const ss_spec g_s3 = {3, {1, 0, 2}, {1, 2, 2}, {1, 1, 1}, 0, 0, 0, 0, 0, 1};

static int s1_src(int i) /* output flat i of g_s1 -> input flat */
{
    int b = 2 - i / 6, c = 3 - 2 * (i / 3 % 2), d = 2 * (i % 3);
    return ((0 * 3 + b) * 4 + c) * 5 + d;
}

static int s2_src(int i)
{
    int a = i / 24, b = i / 8 % 3, c = i / 2 % 4, e = i % 2;
    return ((a * 3 + b) * 4 + c) * 5 + 1 + e;
}

static int s3_src(int i)
{
    int b = i / 10, c = 2 + i / 5 % 2, d = i % 5;
    return ((1 * 3 + b) * 4 + c) * 5 + d;
}

/* The model: inputs xf (float), x8, x16, x32, b16 ([5]); outputs listed in
 * g_outs order. */
enum { O_F1, O_F2, O_F3, O_8, O_16, O_32, O_LRF, O_LR8, O_LR16, O_ADD, O_SUB, O_PAD, O_Q8,
       O_Q32, O_DQ, O_MUL, O_SM, O_COUNT };

static neurio_model *build(void)
{
    neurio_model *m = neurio_model_new("wide_ops");
    const int32_t d1[3] = {3, 2, 3}, d2[5] = {2, 3, 4, 1, 2}, d3[4] = {1, 2, 2, 5};
    const int32_t d5 = 5, dpad[4] = {2, 3, 6, 5}, dp2[2] = {4, 2};
    int32_t xf = tensor(m, "xf", NEURIO_DT_FLOAT32, 4, g_dx, 0);
    int32_t x8 = tensor(m, "x8", NEURIO_DT_INT8, 4, g_dx, 0.05f);
    int32_t x16 = tensor(m, "x16", NEURIO_DT_INT16, 4, g_dx, 0.0005f);
    int32_t x32 = tensor(m, "x32", NEURIO_DT_INT32, 4, g_dx, 0);
    int32_t b16 = tensor(m, "b16", NEURIO_DT_INT16, 1, &d5, 0.0003f);
    int32_t o[O_COUNT];
    o[O_F1] = tensor(m, "f1", NEURIO_DT_FLOAT32, 3, d1, 0);
    o[O_F2] = tensor(m, "f2", NEURIO_DT_FLOAT32, 5, d2, 0);
    o[O_F3] = tensor(m, "f3", NEURIO_DT_FLOAT32, 4, d3, 0);
    o[O_8] = tensor(m, "s8", NEURIO_DT_INT8, 3, d1, 0.05f);
    o[O_16] = tensor(m, "s16", NEURIO_DT_INT16, 5, d2, 0.0005f);
    o[O_32] = tensor(m, "s32", NEURIO_DT_INT32, 4, d3, 0);
    o[O_LRF] = tensor(m, "lrf", NEURIO_DT_FLOAT32, 4, g_dx, 0);
    o[O_LR8] = tensor(m, "lr8", NEURIO_DT_INT8, 4, g_dx, 0.04f);
    o[O_LR16] = tensor(m, "lr16", NEURIO_DT_INT16, 4, g_dx, 0.0004f);
    o[O_ADD] = tensor(m, "add", NEURIO_DT_INT16, 4, g_dx, 0.0007f);
    o[O_SUB] = tensor(m, "sub", NEURIO_DT_INT16, 4, g_dx, 0.0007f);
    o[O_PAD] = tensor(m, "pad", NEURIO_DT_INT16, 4, dpad, 0.0005f);
    o[O_Q8] = tensor(m, "q8", NEURIO_DT_INT8, 4, g_dx, 0.1f);
    o[O_Q32] = tensor(m, "q32", NEURIO_DT_INT32, 4, g_dx, 1e-6f);
    o[O_DQ] = tensor(m, "dq", NEURIO_DT_FLOAT32, 4, g_dx, 0);
    o[O_MUL] = tensor(m, "mul", NEURIO_DT_INT16, 4, g_dx, 0.005f);
    o[O_SM] = tensor(m, "sm", NEURIO_DT_INT16, 4, g_dx, 1.0f / 65536);
    const float sm_scale = 1.0f / 65536;
    const int32_t sm_zp = -32768;
    neurio_tensor_set_quant(m, o[O_SM], 1, 0, &sm_scale, &sm_zp);
    int32_t q16 = tensor(m, "q16", NEURIO_DT_INT16, 4, g_dx, 1.0f / 1024);
    add_ss(m, xf, o[O_F1], &g_s1, "f1");
    add_ss(m, xf, o[O_F2], &g_s2, "f2");
    add_ss(m, xf, o[O_F3], &g_s3, "f3");
    add_ss(m, x8, o[O_8], &g_s1, "i8");
    add_ss(m, x16, o[O_16], &g_s2, "i16");
    add_ss(m, x32, o[O_32], &g_s3, "i32");
    int32_t k = neurio_model_add_op(m, NEURIO_OP_LEAKY_RELU, 1, &xf, 1, &o[O_LRF]);
    m->ops[k].attr.leaky_relu.alpha = 0.25f;
    k = neurio_model_add_op(m, NEURIO_OP_LEAKY_RELU, 1, &x8, 1, &o[O_LR8]);
    m->ops[k].attr.leaky_relu.alpha = 0.1f;
    k = neurio_model_add_op(m, NEURIO_OP_LEAKY_RELU, 1, &x16, 1, &o[O_LR16]);
    m->ops[k].attr.leaky_relu.alpha = 0.3f;
    int32_t ab[2] = {x16, b16};
    k = neurio_model_add_op(m, NEURIO_OP_ADD, 2, ab, 1, &o[O_ADD]);
    m->ops[k].attr.eltwise.activation = NEURIO_ACT_RELU;
    neurio_model_add_op(m, NEURIO_OP_SUB, 2, ab, 1, &o[O_SUB]);
    neurio_model_add_op(m, NEURIO_OP_MUL, 2, ab, 1, &o[O_MUL]);
    k = neurio_model_add_op(m, NEURIO_OP_SOFTMAX, 1, &x8, 1, &o[O_SM]);
    m->ops[k].attr.softmax.beta = 1.0f;
    static const int32_t padv[8] = {0, 0, 0, 0, 1, 1, 0, 0};
    int32_t pads = neurio_model_add_tensor(m, "pads", NEURIO_DT_INT32, 2, dp2);
    neurio_tensor_set_data(m, pads, padv, sizeof padv);
    int32_t pin[2] = {x16, pads};
    neurio_model_add_op(m, NEURIO_OP_PAD, 2, pin, 1, &o[O_PAD]);
    neurio_model_add_op(m, NEURIO_OP_QUANTIZE, 1, &x16, 1, &o[O_Q8]);
    neurio_model_add_op(m, NEURIO_OP_QUANTIZE, 1, &o[O_Q8], 1, &q16);
    neurio_model_add_op(m, NEURIO_OP_QUANTIZE, 1, &q16, 1, &o[O_Q32]);
    int32_t qf = tensor(m, "qf", NEURIO_DT_INT16, 4, g_dx, 1.0f / 512);
    neurio_model_add_op(m, NEURIO_OP_QUANTIZE, 1, &xf, 1, &qf);
    neurio_model_add_op(m, NEURIO_OP_DEQUANTIZE, 1, &qf, 1, &o[O_DQ]);
    int32_t ins[5] = {xf, x8, x16, x32, b16};
    neurio_model_set_io(m, 5, ins, O_COUNT, o);
    return m;
}

/* Output element counts and sizes, in g_outs order. */
static const size_t g_n[O_COUNT] = {18, 48, 20, 18, 48, 20, 120, 120, 120, 120, 120, 144,
                                    120, 120, 120, 120, 120};
static const size_t g_es[O_COUNT] = {4, 4, 4, 1, 2, 4, 4, 1, 2, 2, 2, 2, 1, 4, 4, 2, 2};

typedef struct wide_io {
    float xf[120];
    int8_t x8[120];
    int16_t x16[120], b16[5];
    int32_t x32[120];
    void *out[O_COUNT];
} wide_io;

static void fill(wide_io *w, uint32_t seed)
{
    for (int i = 0; i < 120; i++) {
        seed = seed * 1664525u + 1013904223u;
        w->xf[i] = (float)((int32_t)(seed >> 8) % 4096) / 1024.0f; /* [-4, 4) in 1/1024 */
        w->x8[i] = (int8_t)(seed >> 24);
        w->x16[i] = (int16_t)(seed >> 16);
        w->x32[i] = (int32_t)(seed ^ 0x9e3779b9u);
    }
    w->x16[0] = -32768;
    w->x16[1] = 32767;
    for (int i = 0; i < 5; i++)
        w->b16[i] = (int16_t)(i * 16000 - 32000);
}

static int near(double got, double want, double tol)
{
    return fabs(got - want) <= tol;
}

static double clampd(double v, double lo, double hi)
{
    return v < lo ? lo : (v > hi ? hi : v);
}

/* Every output against the definitions. */
static void check_outputs(const wide_io *w)
{
    const float *f1 = w->out[O_F1], *f2 = w->out[O_F2], *f3 = w->out[O_F3];
    const int8_t *s8 = w->out[O_8], *lr8 = w->out[O_LR8], *q8 = w->out[O_Q8];
    const int16_t *s16 = w->out[O_16], *lr16 = w->out[O_LR16], *add = w->out[O_ADD];
    const int16_t *sub = w->out[O_SUB], *pad = w->out[O_PAD];
    const int32_t *s32 = w->out[O_32], *q32 = w->out[O_Q32];
    const float *lrf = w->out[O_LRF], *dq = w->out[O_DQ];
    const int16_t *mul = w->out[O_MUL], *sm = w->out[O_SM];
    int bad = 0;
    for (int i = 0; i < 18; i++)
        bad += f1[i] != w->xf[s1_src(i)] || s8[i] != w->x8[s1_src(i)];
    for (int i = 0; i < 48; i++)
        bad += f2[i] != w->xf[s2_src(i)] || s16[i] != w->x16[s2_src(i)];
    for (int i = 0; i < 20; i++)
        bad += f3[i] != w->xf[s3_src(i)] || s32[i] != w->x32[s3_src(i)];
    CU_ASSERT_EQUAL(bad, 0);
    int far = 0;
    for (int i = 0; i < 120; i++) {
        const double x = w->xf[i], r8 = 0.05 * w->x8[i], r16 = 0.0005 * w->x16[i];
        const double rb = 0.0003 * w->b16[i % 5];
        bad += lrf[i] != (w->xf[i] > 0 ? w->xf[i] : w->xf[i] * 0.25f);
        far += !near(lr8[i], clampd((r8 >= 0 ? r8 : 0.1 * r8) / 0.04, -128, 127), 1.0);
        far += !near(lr16[i], clampd((r16 >= 0 ? r16 : 0.3 * r16) / 0.0004, -32768, 32767), 1.0);
        far += !near(add[i], clampd((r16 + rb) / 0.0007, 0, 32767), 1.0);
        far += !near(sub[i], clampd((r16 - rb) / 0.0007, -32768, 32767), 1.0);
        far += !near(q8[i], clampd(r16 / 0.1, -128, 127), 1.0);
        far += !near(q32[i] * 1e-6, q8[i] * 0.1, 0.0006);
        far += !near(dq[i], x, 1.0 / 1024 + 1e-7);
        far += !near(mul[i], clampd(r16 * rb / 0.005, -32768, 32767), 1.0);
    }
    for (int r = 0; r < 24; r++) { /* softmax of each row of 5 (x8 scale 0.05) */
        double sum = 0, mx = -1e9;
        for (int d = 0; d < 5; d++)
            mx = fmax(mx, 0.05 * w->x8[r * 5 + d]);
        for (int d = 0; d < 5; d++)
            sum += exp(0.05 * w->x8[r * 5 + d] - mx);
        for (int d = 0; d < 5; d++)
            far += !near(sm[r * 5 + d] + 32768.0,
                         fmin(exp(0.05 * w->x8[r * 5 + d] - mx) / sum * 65536.0, 65535.0), 16.0);
    }
    for (int i = 0; i < 144; i++) { /* axis 2 padded by 1 on each side with 0 */
        int c = i / 5 % 6, a = i / 90, b = i / 30 % 3, d = i % 5;
        bad += pad[i] != (c == 0 || c == 5 ? 0 : w->x16[((a * 3 + b) * 4 + c - 1) * 5 + d]);
    }
    CU_ASSERT_EQUAL(bad, 0);
    CU_ASSERT_EQUAL(far, 0);
}

static void test_wide_ops(void)
{
    neurio_model *m = build();
    neurio_errbuf e = {{0}};
    neurio_interp *it = cg_interp(m);
    int rc;
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/wide_ops", neurio_test_tmpdir());
    mkdir(dir, 0777);
    neurio_codegen_result res;
    /* the kernels too built -pedantic -Werror */
    nh_build_opts bo = {.cflags = "-O1 -std=c99 -Wall -Wextra -pedantic -Werror"};
    nh_module *mod = cg_gen_build_open(m, dir, &bo, &res);
    static const char *const kernels[] = {"elementwise/nk_binary_s16.c",
        "activation/nk_softmax.c", "activation/nk_leaky_relu.c", "quant/nk_requantize_wide.c",
        "shape/nk_pad.c", "shape/nk_slice.c", NULL};
    cg_compile_for_m4(res.source_path, dir, kernels);
    static wide_io ref, got;
    static unsigned char bufs[2][O_COUNT][600];
    for (int k = 0; k < O_COUNT; k++) {
        ref.out[k] = bufs[0][k];
        got.out[k] = bufs[1][k];
    }
    for (uint32_t trial = 0; trial < 4; trial++) {
        fill(&ref, 1234u + trial);
        fill(&got, 1234u + trial);
        const void *in[5] = {ref.xf, ref.x8, ref.x16, ref.x32, ref.b16};
        rc = neurio_interp_run(it, in, ref.out, &e);
        if (rc)
            fprintf(stderr, "interp run: %s\n", e.msg);
        CU_ASSERT_EQUAL_FATAL(rc, NEURIO_OK);
        CU_ASSERT_EQUAL_FATAL(nh_run(mod, in, got.out, NULL, NULL, NULL, NULL, &e), NEURIO_OK);
        check_outputs(&ref);
        for (int k = 0; k < O_COUNT; k++)
            CU_ASSERT_EQUAL(memcmp(ref.out[k], got.out[k], g_n[k] * g_es[k]), 0);
    }
    nh_close(mod);
    neurio_interp_free(it);
    neurio_model_free(m);
}

/* A wrong output shape or a second ellipsis is refused naming the op. */
static void test_slice_refusals(void)
{
    neurio_model *m = neurio_model_new("ss_bad");
    const int32_t dy[3] = {3, 2, 2};
    int32_t x = tensor(m, "x", NEURIO_DT_FLOAT32, 4, g_dx, 0);
    int32_t y = tensor(m, "y", NEURIO_DT_FLOAT32, 3, dy, 0);
    add_ss(m, x, y, &g_s1, "bad");
    neurio_model_set_io(m, 1, &x, 1, &y);
    neurio_errbuf e = {{0}};
    CU_ASSERT_EQUAL(neurio_model_validate(m, &e), NEURIO_OK);
    neurio_interp *it = NULL;
    CU_ASSERT_NOT_EQUAL(neurio_interp_new(m, &it, &e), NEURIO_OK);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "STRIDED_SLICE"));
    CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "[3, 2, 3]"));
    neurio_interp_free(it);
    m->ops[0].attr.strided_slice.ellipsis_mask = 3;
    it = NULL;
    CU_ASSERT_NOT_EQUAL(neurio_interp_new(m, &it, &e), NEURIO_OK);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "ellipsis"));
    neurio_interp_free(it);
    int32_t *st = m->tensors[m->ops[0].inputs[3]].data;
    st[1] = 0;
    CU_ASSERT_EQUAL(neurio_model_validate(m, &e), NEURIO_ERR_INVALID);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "stride 1 is 0"));
    neurio_model_free(m);
}

int neurio_register_tests(void)
{
    CU_pSuite s = CU_add_suite("codegen_wide", NULL, NULL);
    if (!s)
        return -1;
    CU_add_test(s, "STRIDED_SLICE, LEAKY_RELU, int16 ops: interp, C, Cortex-M4", test_wide_ops);
    CU_add_test(s, "STRIDED_SLICE refusals", test_slice_refusals);
    return 0;
}

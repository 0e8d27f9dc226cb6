/* tests/planner/test_plan_overlap.c — the planner's overlap table
 * (sdk/src/plan/plan_overlap.c) for DEPTHWISE_CONV_2D and 1x1 CONV_2D:
 * hand-computed gaps and arenas, the checker refusing a pair placed closer
 * than the table allows, and the portable kernels run where the plan puts
 * their buffers giving the bytes they give on separate buffers. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "neurio/model.h"
#include "neurio/planner.h"
#include "nk.h"
#include "test_util.h"

static int32_t t_nhwc(neurio_model *m, const char *name, int32_t h, int32_t w, int32_t c)
{
    int32_t d[4] = {1, h, w, c};
    return neurio_model_add_tensor(m, name, NEURIO_DT_INT8, 4, d);
}

static int32_t t_filter(neurio_model *m, int32_t o, int32_t k, int32_t i)
{
    int32_t d[4] = {o, k, k, i};
    int32_t t = neurio_model_add_tensor(m, "w", NEURIO_DT_INT8, 4, d);
    void *buf = calloc((size_t)o * k * k * i, 1);
    neurio_tensor_set_data(m, t, buf, (size_t)o * k * k * i);
    free(buf);
    return t;
}

static int32_t add_op(neurio_model *m, neurio_op_kind k, int32_t x, int32_t w, int32_t y,
                      int32_t stride)
{
    int32_t ins[2] = {x, w};
    int32_t i = neurio_model_add_op(m, k, w >= 0 ? 2 : 1, ins, 1, &y);
    m->ops[i].attr.conv.stride_h = m->ops[i].attr.conv.stride_w = stride;
    m->ops[i].attr.conv.padding = NEURIO_PAD_SAME;
    m->ops[i].attr.conv.depth_multiplier = 1;
    return i;
}

/* kws DS-CNN's body: x -> RELU -> a -> dw -> b -> pw -> c -> dw -> d -> pw
 * -> e -> RELU -> y, all [1,25,5,64] int8 (8000 bytes, 320-byte rows).
 * Depthwise (portable loop pixel by pixel, pad_top 1): at the last pixel
 * of row r >= 1 it has written (5r + 5) * 64 bytes and still reads row
 * r - 1: gap = 640.  Pointwise (the portable loop reads pixel q while
 * writing it): gap 64.  Arena 8000 + 2 (640 + 64) = 9408 instead of 16000;
 * without op_rows_1x1 the 1x1 layers do not overlap. */
static neurio_model *kws_body(int32_t *t)
{
    neurio_model *m = neurio_model_new("kws");
    const char *names[7] = {"x", "a", "b", "c", "d", "e", "y"};
    for (int k = 0; k < 7; k++)
        t[k] = t_nhwc(m, names[k], 25, 5, 64);
    add_op(m, NEURIO_OP_RELU, t[0], -1, t[1], 1);
    for (int k = 1; k < 5; k++) {
        int dw = k % 2 == 1;
        add_op(m, dw ? NEURIO_OP_DEPTHWISE_CONV_2D : NEURIO_OP_CONV_2D, t[k],
               t_filter(m, dw ? 1 : 64, dw ? 3 : 1, 64), t[k + 1], 1);
    }
    add_op(m, NEURIO_OP_RELU, t[5], -1, t[6], 1);
    neurio_model_set_io(m, 1, &t[0], 1, &t[6]);
    return m;
}

static void test_kws_body(void)
{
    int32_t t[7];
    neurio_model *m = kws_body(t);
    uint8_t rows[6] = {0, 0, 1, 0, 1, 0};
    neurio_plan_options o = {.alignment = 16, .op_rows_1x1 = rows};
    neurio_plan *p = NULL;
    neurio_errbuf e = {{0}};
    CU_ASSERT_EQUAL_FATAL(neurio_plan_model(m, &o, &p, &e), NEURIO_OK);
    CU_ASSERT_EQUAL(p->op_overlap_gap[1], 640);
    CU_ASSERT_EQUAL(p->op_overlap_gap[2], 64);
    CU_ASSERT_EQUAL(p->op_overlap_gap[3], 640);
    CU_ASSERT_EQUAL(p->op_overlap_gap[4], 64);
    CU_ASSERT_EQUAL(p->arena_bytes, 9408);
    CU_ASSERT_EQUAL(neurio_plan_check(m, p, &e), NEURIO_OK);
    /* one pixel closer than the table allows: the checker names the pair */
    for (int k = 1; k < 5; k++) {
        size_t keep = p->tensors[t[k + 1]].offset;
        if (p->tensors[t[k]].offset < (size_t)p->op_overlap_gap[k])
            continue;
        p->tensors[t[k + 1]].offset = p->tensors[t[k]].offset - (size_t)p->op_overlap_gap[k] + 16;
        CU_ASSERT_EQUAL(neurio_plan_check(m, p, &e), NEURIO_ERR_INTERNAL);
        p->tensors[t[k + 1]].offset = keep;
    }
    CU_ASSERT_EQUAL(neurio_plan_check(m, p, &e), NEURIO_OK);
    neurio_plan_free(p);
    o.op_rows_1x1 = NULL;
    CU_ASSERT_EQUAL_FATAL(neurio_plan_model(m, &o, &p, &e), NEURIO_OK);
    CU_ASSERT_EQUAL(p->op_overlap_gap[1], 640);
    CU_ASSERT_EQUAL(p->op_overlap_gap[2], -1);
    CU_ASSERT_EQUAL(p->arena_bytes, 16000);
    neurio_plan_free(p);
    neurio_model_free(m);
}

/* Depthwise shapes outside the table's row: no overlap. */
static void test_dw_refused(void)
{
    static const int32_t cases[][5] = {
        /* h, w, c, stride, depth multiplier */
        {25, 5, 62, 1, 1},  /* c % 4 */
        {25, 5, 64, 2, 1},  /* stride 2 */
        {25, 5, 32, 1, 2},  /* depth multiplier */
        {60, 9, 16, 1, 1},  /* planes too large for the DSP kernel's whole image */
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        const int32_t *c = cases[k];
        int32_t oh = (c[0] + c[3] - 1) / c[3], ow = (c[1] + c[3] - 1) / c[3];
        neurio_model *m = neurio_model_new("dw");
        int32_t x = t_nhwc(m, "x", c[0], c[1], c[2]), a = t_nhwc(m, "a", c[0], c[1], c[2]);
        int32_t b = t_nhwc(m, "b", oh, ow, c[2] * c[4]), y = t_nhwc(m, "y", oh, ow, c[2] * c[4]);
        add_op(m, NEURIO_OP_RELU, x, -1, a, 1);
        int32_t i = add_op(m, NEURIO_OP_DEPTHWISE_CONV_2D, a, t_filter(m, 1, 3, c[2] * c[4]), b,
                           c[3]);
        m->ops[i].attr.conv.depth_multiplier = c[4];
        add_op(m, NEURIO_OP_RELU, b, -1, y, 1);
        neurio_model_set_io(m, 1, &x, 1, &y);
        neurio_plan *p = NULL;
        neurio_errbuf e = {{0}};
        CU_ASSERT_EQUAL_FATAL(neurio_plan_model(m, NULL, &p, &e), NEURIO_OK);
        CU_ASSERT_EQUAL(p->op_overlap_gap[1], -1);
        CU_ASSERT_EQUAL(p->op_overlap[1], 0);
        neurio_plan_free(p);
        neurio_model_free(m);
    }
}

/* x -> RELU -> a -> HARD_SWISH -> b -> LEAKY_RELU -> c; MAXIMUM(c, d) -> e
 * (d: a second graph input) -> ABS -> y, [1,8,4,4] int8 (128 bytes): every
 * op after the first writes in place over its dying input, so a..e share
 * one 128-byte buffer; broadcasting MAXIMUM may not. */
static void test_elementwise_in_place(void)
{
    for (int bcast = 0; bcast < 2; bcast++) {
        neurio_model *m = neurio_model_new("ew");
        int32_t x = t_nhwc(m, "x", 8, 4, 4), a = t_nhwc(m, "a", 8, 4, 4),
                b = t_nhwc(m, "b", 8, 4, 4), c = t_nhwc(m, "c", 8, 4, 4),
                d = bcast ? t_nhwc(m, "d", 1, 1, 4) : t_nhwc(m, "d", 8, 4, 4),
                f = t_nhwc(m, "e", 8, 4, 4), y = t_nhwc(m, "y", 8, 4, 4);
        add_op(m, NEURIO_OP_RELU, x, -1, a, 1);
        add_op(m, NEURIO_OP_HARD_SWISH, a, -1, b, 1);
        add_op(m, NEURIO_OP_LEAKY_RELU, b, -1, c, 1);
        add_op(m, NEURIO_OP_MAXIMUM, c, d, f, 1);
        add_op(m, NEURIO_OP_ABS, f, -1, y, 1);
        int32_t ins[2] = {x, d};
        neurio_model_set_io(m, 2, ins, 1, &y);
        neurio_plan *p = NULL;
        neurio_errbuf e = {{0}};
        CU_ASSERT_EQUAL_FATAL(neurio_plan_model(m, NULL, &p, &e), NEURIO_OK);
        CU_ASSERT_EQUAL(p->tensors[b].alias_of, a);
        CU_ASSERT_EQUAL(p->tensors[c].alias_of, b);
        if (bcast) {
            CU_ASSERT_EQUAL(p->tensors[f].alias_of, -1);
            CU_ASSERT_EQUAL(p->arena_bytes, 256);
        } else {
            CU_ASSERT_EQUAL(p->tensors[f].alias_of, c);
            CU_ASSERT_EQUAL(p->arena_bytes, 128);
        }
        CU_ASSERT_EQUAL(neurio_plan_check(m, p, &e), NEURIO_OK);
        neurio_plan_free(p);
        neurio_model_free(m);
    }
}

static uint32_t rs = 777u;
static uint32_t rnd(void)
{
    rs ^= rs << 13;
    rs ^= rs >> 17;
    rs ^= rs << 5;
    return rs;
}
static int32_t rnd_in(int32_t lo, int32_t hi)
{
    return lo + (int32_t)(rnd() % (uint32_t)(hi - lo + 1));
}

/* Random depthwise 3x3 stride-1 and 1x1 (stride 1..2) layers between two
 * RELUs, planned with op_rows_1x1; the portable kernels (and the row-pair
 * kernel's portable twin) run on the plan's arena and must give the bytes
 * they give on separate buffers. */
static void test_kernels_on_plan(void)
{
    int overlapped = 0;
    for (int iter = 0; iter < 300; iter++) {
        int dw = iter & 1;
        int32_t h = rnd_in(1, 14), w = rnd_in(1, 9), ic = dw ? 4 * rnd_in(1, 8) : rnd_in(1, 40);
        int32_t oc = dw ? ic : 2 * rnd_in(1, 24), s = dw ? 1 : rnd_in(1, 2);
        int32_t oh = (h + s - 1) / s, ow = (w + s - 1) / s;
        neurio_model *m = neurio_model_new("k");
        int32_t x = t_nhwc(m, "x", h, w, ic), a = t_nhwc(m, "a", h, w, ic),
                b = t_nhwc(m, "b", oh, ow, oc), y = t_nhwc(m, "y", oh, ow, oc);
        add_op(m, NEURIO_OP_RELU, x, -1, a, 1);
        add_op(m, dw ? NEURIO_OP_DEPTHWISE_CONV_2D : NEURIO_OP_CONV_2D, a,
               t_filter(m, dw ? 1 : oc, dw ? 3 : 1, dw ? oc : ic), b, s);
        add_op(m, NEURIO_OP_RELU, b, -1, y, 1);
        neurio_model_set_io(m, 1, &x, 1, &y);
        nk_conv_params pr;
        memset(&pr, 0, sizeof pr);
        pr.batches = 1;
        pr.in_h = h; pr.in_w = w; pr.in_c = ic;
        pr.out_h = oh; pr.out_w = ow; pr.out_c = oc;
        pr.filter_h = pr.filter_w = dw ? 3 : 1;
        pr.stride_h = pr.stride_w = s;
        pr.dilation_h = pr.dilation_w = pr.depth_multiplier = 1;
        pr.pad_top = pr.pad_left = dw ? 1 : 0;
        int32_t mult[64], shift[64], bias[64];
        for (int k = 0; k < 64; k++) {
            mult[k] = rnd_in(1 << 30, 0x7fffffff);
            shift[k] = rnd_in(-12, -4);
            bias[k] = rnd_in(-3000, 3000);
        }
        pr.in_zp = rnd_in(-128, 127);
        pr.out_zp = rnd_in(-128, 127);
        pr.per_channel = 1; pr.out_mult = mult; pr.out_shift = shift;
        pr.act_min = -128; pr.act_max = 127;
        size_t in_b = (size_t)h * w * ic, out_b = (size_t)oh * ow * oc;
        size_t wn = (size_t)oc * (dw ? 9 : ic);
        int8_t *in = malloc(in_b), *ref = malloc(out_b), *filt = malloc(wn);
        int16_t *pw = malloc((size_t)NK_PW_PACK_HALVES(ic, oc) * sizeof *pw);
        int32_t pt[4 * 48];
        for (size_t k = 0; k < in_b; k++)
            in[k] = (int8_t)rnd();
        for (size_t k = 0; k < wn; k++)
            filt[k] = (int8_t)rnd();
        CU_ASSERT_EQUAL(dw ? nk_depthwise_conv2d_s8(&pr, in, filt, bias, ref)
                           : nk_conv2d_s8(&pr, in, filt, bias, ref), NK_OK);
        CU_ASSERT(dw || nk_pw_pack_s8(&pr, filt, bias, pw, pt) == NK_OK);
        const nk_pw_pack pk = {pw, pt};
        uint8_t rows[3] = {0, 1, 0};
        for (int run = 0; run < (dw ? 1 : 2); run++) {
            neurio_plan_options o = {.alignment = (size_t)(iter & 2 ? 16 : 1), .op_rows_1x1 = rows};
            neurio_plan *p = NULL;
            neurio_errbuf e = {{0}};
            CU_ASSERT_EQUAL_FATAL(neurio_plan_model(m, &o, &p, &e), NEURIO_OK);
            CU_ASSERT_EQUAL(neurio_plan_check(m, p, &e), NEURIO_OK);
            int8_t *arena = malloc(p->arena_bytes);
            memset(arena, 0x5a, p->arena_bytes);
            memcpy(arena + p->tensors[a].offset, in, in_b);
            overlapped += p->op_overlap[1];
            int8_t *xi = arena + p->tensors[a].offset, *yo = arena + p->tensors[b].offset;
            int rc = dw ? nk_depthwise_conv2d_s8(&pr, xi, filt, bias, yo)
                 : run ? nk_conv2d_1x1_s8_rows(&pr, &pk, xi, yo)
                       : nk_conv2d_s8(&pr, xi, filt, bias, yo);
            CU_ASSERT_EQUAL(rc, NK_OK);
            if (memcmp(yo, ref, out_b)) {
                printf("\n  iter %d: %s %dx%dx%d -> %dx%dx%d s%d gap %lld: output differs when "
                       "overlapped\n", iter, dw ? "depthwise" : run ? "1x1 rows" : "1x1", h, w,
                       ic, oh, ow, oc, s, (long long)p->op_overlap_gap[1]);
                CU_FAIL("kernel broke the overlap table");
            }
            free(arena);
            neurio_plan_free(p);
        }
        free(in);
        free(ref);
        free(filt);
        free(pw);
        neurio_model_free(m);
    }
    CU_ASSERT(overlapped > 100);
}

int neurio_register_tests(void)
{
    CU_pSuite s = CU_add_suite("plan_overlap", NULL, NULL);
    if (!s)
        return -1;
    CU_add_test(s, "kws_body", test_kws_body);
    CU_add_test(s, "dw_refused", test_dw_refused);
    CU_add_test(s, "elementwise_in_place", test_elementwise_in_place);
    CU_add_test(s, "kernels_on_plan", test_kernels_on_plan);
    return 0;
}

/* tests/planner/test_planner.c — memory planner on hand-built graphs with
 * hand-computed arenas. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "neurio/model.h"
#include "neurio/optimize.h"
#include "neurio/planner.h"
#include "nk.h"
#include "test_util.h"

static int32_t t_act(neurio_model *m, const char *name, int32_t n)
{
    int32_t d[2] = {1, n};
    return neurio_model_add_tensor(m, name, NEURIO_DT_INT8, 2, d);
}

static int32_t t_const(neurio_model *m, const char *name, int32_t n)
{
    int32_t d[1] = {n};
    int32_t t = neurio_model_add_tensor(m, name, NEURIO_DT_INT8, 1, d);
    int8_t *buf = calloc((size_t)n, 1);
    neurio_tensor_set_data(m, t, buf, (size_t)n);
    free(buf);
    return t;
}

static int32_t add_op1(neurio_model *m, neurio_op_kind k, int32_t in, int32_t w, int32_t out)
{
    int32_t ins[2] = {in, w};
    return neurio_model_add_op(m, k, w >= 0 ? 2 : 1, ins, 1, &out);
}

/* x(100) -> FC -> a(200) -> FC -> b(300) -> FC -> y(40) */
static void test_chain(void)
{
    neurio_model *m = neurio_model_new("chain");
    int32_t x = t_act(m, "x", 100), a = t_act(m, "a", 200), b = t_act(m, "b", 300),
            y = t_act(m, "y", 40);
    int32_t w = t_const(m, "w", 8);
    add_op1(m, NEURIO_OP_FULLY_CONNECTED, x, w, a);
    add_op1(m, NEURIO_OP_FULLY_CONNECTED, a, w, b);
    add_op1(m, NEURIO_OP_FULLY_CONNECTED, b, w, y);
    neurio_model_set_io(m, 1, &x, 1, &y);
    neurio_plan *p = NULL;
    neurio_errbuf e = {{0}};
    CU_ASSERT_EQUAL_FATAL(neurio_plan_model(m, NULL, &p, &e), NEURIO_OK);
    /* a and b overlap in time (op 1): 208 + 304 */
    CU_ASSERT_EQUAL(p->arena_bytes, 208 + 304);
    CU_ASSERT_EQUAL(p->peak_live_bytes, 208 + 304);
    CU_ASSERT_EQUAL(p->tensors[x].kind, NEURIO_MEM_INPUT);
    CU_ASSERT_EQUAL(p->tensors[y].kind, NEURIO_MEM_OUTPUT);
    CU_ASSERT_EQUAL(p->tensors[w].kind, NEURIO_MEM_CONST);
    CU_ASSERT_EQUAL(p->tensors[a].kind, NEURIO_MEM_ARENA);
    CU_ASSERT_EQUAL(p->tensors[a].first_op, 0);
    CU_ASSERT_EQUAL(p->tensors[a].last_op, 1);
    CU_ASSERT_EQUAL(neurio_plan_check(m, p, &e), NEURIO_OK);
    neurio_plan_free(p);

    /* TFLite Micro's accounting: x, y in the arena as well.
     * x[0,0] a[0,1] b[1,2] y[2,2]: peak at op 0/1/2 — best is 304+208 = 512
     * with x sharing b's or y's space: x(112 aligned) dies at op 0, y born
     * at op 2 so x, y can share; arena = max over ops = 512. */
    neurio_plan_options o = {.io_in_arena = 1};
    CU_ASSERT_EQUAL_FATAL(neurio_plan_model(m, &o, &p, &e), NEURIO_OK);
    CU_ASSERT_EQUAL(p->tensors[x].kind, NEURIO_MEM_ARENA);
    CU_ASSERT_EQUAL(p->tensors[y].kind, NEURIO_MEM_ARENA);
    CU_ASSERT_EQUAL(p->arena_bytes, 512);
    CU_ASSERT(p->naive_bytes == 112 + 208 + 304 + 48);
    CU_ASSERT_EQUAL(neurio_plan_check(m, p, &e), NEURIO_OK);
    neurio_plan_free(p);
    neurio_model_free(m);
}

/* x -> FC -> a(64) -> RESHAPE -> b(64) -> FC -> y: b aliases a */
static void test_reshape_alias(void)
{
    neurio_model *m = neurio_model_new("rs");
    int32_t x = t_act(m, "x", 10), a = t_act(m, "a", 64), y = t_act(m, "y", 4);
    int32_t d4[4] = {1, 4, 4, 4};
    int32_t b = neurio_model_add_tensor(m, "b", NEURIO_DT_INT8, 4, d4);
    int32_t w = t_const(m, "w", 8);
    add_op1(m, NEURIO_OP_FULLY_CONNECTED, x, w, a);
    add_op1(m, NEURIO_OP_RESHAPE, a, -1, b);
    add_op1(m, NEURIO_OP_FULLY_CONNECTED, b, w, y);
    neurio_model_set_io(m, 1, &x, 1, &y);
    neurio_plan *p = NULL;
    neurio_errbuf e = {{0}};
    CU_ASSERT_EQUAL_FATAL(neurio_plan_model(m, NULL, &p, &e), NEURIO_OK);
    CU_ASSERT_EQUAL(p->arena_bytes, 64);
    CU_ASSERT_EQUAL(p->tensors[b].alias_of, a);
    CU_ASSERT_EQUAL(p->tensors[b].offset, p->tensors[a].offset);
    CU_ASSERT_EQUAL(p->tensors[a].last_op, 2);
    CU_ASSERT_EQUAL(p->op_elided[1], 1);
    CU_ASSERT_EQUAL(p->op_elided[0], 0);
    CU_ASSERT_EQUAL(neurio_plan_check(m, p, &e), NEURIO_OK);
    neurio_plan_free(p);

    neurio_plan_options o = {.no_alias = 1};
    CU_ASSERT_EQUAL_FATAL(neurio_plan_model(m, &o, &p, &e), NEURIO_OK);
    CU_ASSERT_EQUAL(p->arena_bytes, 128);
    CU_ASSERT_EQUAL(p->op_elided[1], 0);
    CU_ASSERT_EQUAL(p->tensors[b].alias_of, -1);
    neurio_plan_free(p);
    neurio_model_free(m);
}

/* A graph output produced by RESHAPE: the producer writes straight into the
 * caller's output buffer, no arena at all. */
static void test_reshape_to_output(void)
{
    neurio_model *m = neurio_model_new("rso");
    int32_t x = t_act(m, "x", 10), a = t_act(m, "a", 64);
    int32_t d3[3] = {1, 8, 8};
    int32_t y = neurio_model_add_tensor(m, "y", NEURIO_DT_INT8, 3, d3);
    int32_t w = t_const(m, "w", 8);
    add_op1(m, NEURIO_OP_FULLY_CONNECTED, x, w, a);
    add_op1(m, NEURIO_OP_RESHAPE, a, -1, y);
    neurio_model_set_io(m, 1, &x, 1, &y);
    neurio_plan *p = NULL;
    neurio_errbuf e = {{0}};
    CU_ASSERT_EQUAL_FATAL(neurio_plan_model(m, NULL, &p, &e), NEURIO_OK);
    CU_ASSERT_EQUAL(p->arena_bytes, 0);
    CU_ASSERT_EQUAL(p->tensors[a].kind, NEURIO_MEM_OUTPUT);
    CU_ASSERT_EQUAL(p->tensors[a].index, 0);
    CU_ASSERT_EQUAL(p->op_elided[1], 1);
    neurio_plan_free(p);
    neurio_model_free(m);
}

/* Residual: x -> FC -> a(96); a -> FC -> b(96); ADD(a, b) -> c(96); c -> FC -> y
 * ADD writes in place into a (or b): both die at the ADD.  Peak = a + b. */
static void test_inplace_add(void)
{
    neurio_model *m = neurio_model_new("res");
    int32_t x = t_act(m, "x", 10), a = t_act(m, "a", 96), b = t_act(m, "b", 96),
            c = t_act(m, "c", 96), y = t_act(m, "y", 4);
    int32_t w = t_const(m, "w", 8);
    add_op1(m, NEURIO_OP_FULLY_CONNECTED, x, w, a);
    add_op1(m, NEURIO_OP_FULLY_CONNECTED, a, w, b);
    add_op1(m, NEURIO_OP_ADD, a, b, c);
    add_op1(m, NEURIO_OP_FULLY_CONNECTED, c, w, y);
    neurio_model_set_io(m, 1, &x, 1, &y);
    neurio_plan *p = NULL;
    neurio_errbuf e = {{0}};
    CU_ASSERT_EQUAL_FATAL(neurio_plan_model(m, NULL, &p, &e), NEURIO_OK);
    CU_ASSERT_EQUAL(p->arena_bytes, 192);
    CU_ASSERT(p->tensors[c].alias_of == a || p->tensors[c].alias_of == b);
    CU_ASSERT_EQUAL(neurio_plan_check(m, p, &e), NEURIO_OK);
    neurio_plan_free(p);

    neurio_plan_options o = {.no_inplace = 1};
    CU_ASSERT_EQUAL_FATAL(neurio_plan_model(m, &o, &p, &e), NEURIO_OK);
    CU_ASSERT_EQUAL(p->arena_bytes, 288);
    CU_ASSERT_EQUAL(p->tensors[c].alias_of, -1);
    CU_ASSERT_EQUAL(neurio_plan_check(m, p, &e), NEURIO_OK);
    neurio_plan_free(p);
    neurio_model_free(m);
}

/* ADD(a, b) where a is still read later: must not overwrite a; b dies, so
 * the ADD may go into b. RELU on a graph input never goes in place. */
static void test_inplace_refused(void)
{
    neurio_model *m = neurio_model_new("nip");
    int32_t x = t_act(m, "x", 32), r = t_act(m, "r", 32), a = t_act(m, "a", 32),
            c = t_act(m, "c", 32), y = t_act(m, "y", 32);
    int32_t w = t_const(m, "w", 8);
    add_op1(m, NEURIO_OP_RELU, x, -1, r);                 /* 0 */
    add_op1(m, NEURIO_OP_FULLY_CONNECTED, r, w, a);       /* 1 */
    add_op1(m, NEURIO_OP_ADD, a, r, c);                   /* 2: r dies, a lives */
    add_op1(m, NEURIO_OP_ADD, a, c, y);                   /* 3 */
    neurio_model_set_io(m, 1, &x, 1, &y);
    neurio_plan *p = NULL;
    neurio_errbuf e = {{0}};
    CU_ASSERT_EQUAL_FATAL(neurio_plan_model(m, NULL, &p, &e), NEURIO_OK);
    CU_ASSERT_EQUAL(p->tensors[r].alias_of, -1);  /* x is the caller's */
    CU_ASSERT_EQUAL(p->tensors[c].alias_of, r);   /* r dies at op 2 */
    CU_ASSERT_EQUAL(p->tensors[y].kind, NEURIO_MEM_OUTPUT);
    CU_ASSERT_EQUAL(p->tensors[y].alias_of, -1);
    CU_ASSERT_EQUAL(p->arena_bytes, 64);
    CU_ASSERT_EQUAL(neurio_plan_check(m, p, &e), NEURIO_OK);
    neurio_plan_free(p);
    neurio_model_free(m);
}

static void test_scratch_and_alignment(void)
{
    neurio_model *m = neurio_model_new("scr");
    int32_t x = t_act(m, "x", 10), a = t_act(m, "a", 33), y = t_act(m, "y", 4);
    int32_t w = t_const(m, "w", 8);
    add_op1(m, NEURIO_OP_FULLY_CONNECTED, x, w, a);
    add_op1(m, NEURIO_OP_MEAN, a, -1, y);
    neurio_model_set_io(m, 1, &x, 1, &y);
    size_t scratch[2] = {0, 100};
    neurio_plan_options o = {.alignment = 8, .op_scratch = scratch};
    neurio_plan *p = NULL;
    neurio_errbuf e = {{0}};
    CU_ASSERT_EQUAL_FATAL(neurio_plan_model(m, &o, &p, &e), NEURIO_OK);
    CU_ASSERT_EQUAL(p->alignment, 8);
    CU_ASSERT_EQUAL(p->arena_bytes, 40 + 104);
    CU_ASSERT_EQUAL(p->scratch_bytes[1], 100);
    CU_ASSERT_EQUAL(p->scratch_offset[1] % 8, 0);
    CU_ASSERT_EQUAL(neurio_plan_check(m, p, &e), NEURIO_OK);
    /* Corrupt the plan: the checker must notice. */
    p->scratch_offset[1] = p->tensors[a].offset;
    CU_ASSERT_EQUAL(neurio_plan_check(m, p, &e), NEURIO_ERR_INTERNAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "scratch of op 1"));
    neurio_plan_free(p);
    neurio_model_free(m);
}

static void test_check_detects_overlap(void)
{
    neurio_model *m = neurio_model_new("ov");
    int32_t x = t_act(m, "x", 10), a = t_act(m, "a", 50), b = t_act(m, "b", 50),
            y = t_act(m, "y", 4);
    int32_t w = t_const(m, "w", 8);
    add_op1(m, NEURIO_OP_FULLY_CONNECTED, x, w, a);
    add_op1(m, NEURIO_OP_FULLY_CONNECTED, a, w, b);
    add_op1(m, NEURIO_OP_FULLY_CONNECTED, b, w, y);
    neurio_model_set_io(m, 1, &x, 1, &y);
    neurio_plan *p = NULL;
    neurio_errbuf e = {{0}};
    CU_ASSERT_EQUAL_FATAL(neurio_plan_model(m, NULL, &p, &e), NEURIO_OK);
    CU_ASSERT_NOT_EQUAL(p->tensors[a].offset, p->tensors[b].offset);
    p->tensors[b].offset = p->tensors[a].offset;
    CU_ASSERT_EQUAL(neurio_plan_check(m, p, &e), NEURIO_ERR_INTERNAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "'a'"));
    CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "'b'"));
    neurio_plan_free(p);
    neurio_model_free(m);
}

static void test_bad_index(void)
{
    neurio_model *m = neurio_model_new("bad");
    int32_t x = t_act(m, "x", 10), y = t_act(m, "y", 4);
    add_op1(m, NEURIO_OP_RELU, x, -1, y);
    neurio_model_set_io(m, 1, &x, 1, &y);
    m->ops[0].inputs[0] = 99; /* corrupt on purpose */
    neurio_plan *p = NULL;
    neurio_errbuf e = {{0}};
    CU_ASSERT_EQUAL(neurio_plan_model(m, NULL, &p, &e), NEURIO_ERR_INVALID);
    CU_ASSERT_PTR_NULL(p);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "op 0 (RELU)"));
    CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "tensor 99"));
    m->ops[0].inputs[0] = x;
    neurio_model_free(m);
}


/* ------------------------------------------------ conv output over input */

static int32_t t_nhwc(neurio_model *m, const char *name, neurio_dtype dt, int32_t n,
                      int32_t h, int32_t w, int32_t c)
{
    int32_t d[4] = {n, h, w, c};
    return neurio_model_add_tensor(m, name, dt, 4, d);
}

static int32_t t_filter(neurio_model *m, neurio_dtype dt, int32_t o, int32_t kh, int32_t kw,
                        int32_t i)
{
    int32_t d[4] = {o, kh, kw, i};
    int32_t t = neurio_model_add_tensor(m, "w", dt, 4, d);
    size_t n = (size_t)o * kh * kw * i * neurio_dtype_size(dt);
    void *buf = calloc(n, 1);
    neurio_tensor_set_data(m, t, buf, n);
    free(buf);
    return t;
}

static int32_t add_conv(neurio_model *m, int depthwise, int32_t x, int32_t w, int32_t y,
                        int32_t stride, neurio_padding pad)
{
    int32_t ins[2] = {x, w};
    int32_t i = neurio_model_add_op(m, depthwise ? NEURIO_OP_DEPTHWISE_CONV_2D
                                                 : NEURIO_OP_CONV_2D, 2, ins, 1, &y);
    m->ops[i].attr.conv.stride_h = m->ops[i].attr.conv.stride_w = stride;
    m->ops[i].attr.conv.padding = pad;
    return i;
}

/* x -> conv3x3 -> a -> conv3x3 -> b -> conv3x3 -> c -> dw3x3 -> y, all
 * [1,16,4,4] int8 (4-byte pixels, 16-byte rows, 256 bytes).  Ops 1 and 2:
 * pad_top 1, blocks of max(8, 2 * 4) = 8 pixels; a block starting at the
 * last pixel of row r >= 1 has written pixels up to 4r + 11 and still needs
 * input row r - 1: gap = (4r + 11) * 4 - (r - 1) * 16 = 60.  Chain: c at 0,
 * b at 64, a at 128: arena 384 instead of 512.  Op 0 reads the caller's
 * input, op 3 is depthwise: no overlap. */
static void test_overlap_chain(void)
{
    neurio_model *m = neurio_model_new("ovc");
    int32_t x = t_nhwc(m, "x", NEURIO_DT_INT8, 1, 16, 4, 4),
            a = t_nhwc(m, "a", NEURIO_DT_INT8, 1, 16, 4, 4),
            b = t_nhwc(m, "b", NEURIO_DT_INT8, 1, 16, 4, 4),
            c = t_nhwc(m, "c", NEURIO_DT_INT8, 1, 16, 4, 4),
            y = t_nhwc(m, "y", NEURIO_DT_INT8, 1, 16, 4, 4);
    int32_t w3 = t_filter(m, NEURIO_DT_INT8, 4, 3, 3, 4), wd = t_filter(m, NEURIO_DT_INT8, 1, 3, 3, 4);
    add_conv(m, 0, x, w3, a, 1, NEURIO_PAD_SAME);
    add_conv(m, 0, a, w3, b, 1, NEURIO_PAD_SAME);
    add_conv(m, 0, b, w3, c, 1, NEURIO_PAD_SAME);
    add_conv(m, 1, c, wd, y, 1, NEURIO_PAD_SAME);
    neurio_model_set_io(m, 1, &x, 1, &y);
    neurio_plan *p = NULL;
    neurio_errbuf e = {{0}};
    CU_ASSERT_EQUAL_FATAL(neurio_plan_model(m, NULL, &p, &e), NEURIO_OK);
    CU_ASSERT_EQUAL(p->op_overlap_gap[0], -1); /* reads the caller's input */
    CU_ASSERT_EQUAL(p->op_overlap_gap[1], 60);
    CU_ASSERT_EQUAL(p->op_overlap_gap[2], 60);
    CU_ASSERT_EQUAL(p->op_overlap_gap[3], -1); /* depthwise */
    CU_ASSERT_EQUAL(p->arena_bytes, 384);
    CU_ASSERT_EQUAL(p->peak_live_bytes, 320); /* max(256, 64 + 256) */
    CU_ASSERT(p->op_overlap[1] && p->op_overlap[2]);
    CU_ASSERT(p->tensors[b].offset + 60 <= p->tensors[a].offset);
    CU_ASSERT(p->tensors[c].offset + 60 <= p->tensors[b].offset);
    CU_ASSERT_EQUAL(neurio_plan_check(m, p, &e), NEURIO_OK);
    /* closer than the gap: the checker refuses */
    size_t keep = p->tensors[c].offset;
    p->tensors[c].offset = p->tensors[b].offset - 48;
    CU_ASSERT_EQUAL(neurio_plan_check(m, p, &e), NEURIO_ERR_INTERNAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "'c'"));
    /* output above its input: refused too */
    p->tensors[c].offset = p->tensors[b].offset + 16;
    CU_ASSERT_EQUAL(neurio_plan_check(m, p, &e), NEURIO_ERR_INTERNAL);
    p->tensors[c].offset = keep;
    neurio_plan_free(p);

    neurio_plan_options o = {.no_overlap = 1};
    CU_ASSERT_EQUAL_FATAL(neurio_plan_model(m, &o, &p, &e), NEURIO_OK);
    CU_ASSERT_EQUAL(p->arena_bytes, 512);
    CU_ASSERT_EQUAL(p->op_overlap_gap[1], -1);
    CU_ASSERT_EQUAL(neurio_plan_check(m, p, &e), NEURIO_OK);
    neurio_plan_free(p);

    /* stride 2, VALID, 3x3 on 8 rows -> 3x1x8 (3 pixels, one block of 8):
     * gap = 3 * 8 - 0 = 24; a 1x1 conv never overlaps. */
    neurio_model *m2 = neurio_model_new("ovs");
    int32_t x2 = t_nhwc(m2, "x", NEURIO_DT_INT8, 1, 8, 4, 4),
            a2 = t_nhwc(m2, "a", NEURIO_DT_INT8, 1, 8, 4, 4),
            b2 = t_nhwc(m2, "b", NEURIO_DT_INT8, 1, 3, 1, 8),
            c2 = t_nhwc(m2, "c", NEURIO_DT_INT8, 1, 3, 1, 8),
            y2 = t_nhwc(m2, "y", NEURIO_DT_INT8, 1, 3, 1, 8);
    int32_t w2 = t_filter(m2, NEURIO_DT_INT8, 8, 3, 3, 4), w11 = t_filter(m2, NEURIO_DT_INT8, 8, 1, 1, 8);
    add_op1(m2, NEURIO_OP_RELU, x2, -1, a2);
    add_conv(m2, 0, a2, w2, b2, 2, NEURIO_PAD_VALID);
    add_conv(m2, 0, b2, w11, c2, 1, NEURIO_PAD_VALID);
    add_op1(m2, NEURIO_OP_RELU, c2, -1, y2);
    neurio_model_set_io(m2, 1, &x2, 1, &y2);
    CU_ASSERT_EQUAL_FATAL(neurio_plan_model(m2, NULL, &p, &e), NEURIO_OK);
    CU_ASSERT_EQUAL(p->op_overlap_gap[1], 24);
    CU_ASSERT_EQUAL(p->op_overlap_gap[2], -1);
    CU_ASSERT_EQUAL(neurio_plan_check(m2, p, &e), NEURIO_OK);
    neurio_plan_free(p);
    neurio_model_free(m2);
    neurio_model_free(m);
}

/* No overlap when the conv's input is read again later (residual), when it
 * is a graph output (io_in_arena), or for FULLY_CONNECTED. */
static void test_overlap_refused(void)
{
    neurio_model *m = neurio_model_new("ovr");
    int32_t x = t_nhwc(m, "x", NEURIO_DT_INT8, 1, 8, 4, 4),
            a = t_nhwc(m, "a", NEURIO_DT_INT8, 1, 8, 4, 4),
            b = t_nhwc(m, "b", NEURIO_DT_INT8, 1, 8, 4, 4),
            y = t_nhwc(m, "y", NEURIO_DT_INT8, 1, 8, 4, 4);
    int32_t w3 = t_filter(m, NEURIO_DT_INT8, 4, 3, 3, 4);
    add_op1(m, NEURIO_OP_RELU, x, -1, a);
    add_conv(m, 0, a, w3, b, 1, NEURIO_PAD_SAME);
    add_op1(m, NEURIO_OP_ADD, a, b, y);
    neurio_model_set_io(m, 1, &x, 1, &y);
    neurio_plan *p = NULL;
    neurio_errbuf e = {{0}};
    CU_ASSERT_EQUAL_FATAL(neurio_plan_model(m, NULL, &p, &e), NEURIO_OK);
    CU_ASSERT_EQUAL(p->op_overlap_gap[1], -1);
    CU_ASSERT_EQUAL(p->arena_bytes, 256);
    neurio_plan_free(p);
    neurio_model_free(m);

    /* a is a graph output as well as the conv's input */
    m = neurio_model_new("ovo");
    x = t_nhwc(m, "x", NEURIO_DT_INT8, 1, 8, 4, 4);
    a = t_nhwc(m, "a", NEURIO_DT_INT8, 1, 8, 4, 4);
    b = t_nhwc(m, "b", NEURIO_DT_INT8, 1, 8, 4, 4);
    w3 = t_filter(m, NEURIO_DT_INT8, 4, 3, 3, 4);
    add_op1(m, NEURIO_OP_RELU, x, -1, a);
    add_conv(m, 0, a, w3, b, 1, NEURIO_PAD_SAME);
    int32_t outs[2] = {b, a};
    neurio_model_set_io(m, 1, &x, 2, outs);
    neurio_plan_options o = {.io_in_arena = 1};
    CU_ASSERT_EQUAL_FATAL(neurio_plan_model(m, &o, &p, &e), NEURIO_OK);
    CU_ASSERT_EQUAL(p->op_overlap_gap[1], -1);
    CU_ASSERT_EQUAL(neurio_plan_check(m, p, &e), NEURIO_OK);
    neurio_plan_free(p);
    neurio_model_free(m);
}

/* ------------------------------------ byte-level simulation of a plan */

/* Runs the plan op by op over an arena of owners (one per byte: which
 * tensor's data is stored there).  An op may interleave its reads and
 * writes in any order, so after writing its outputs every arena tensor it
 * reads must still be all its own bytes (unless it shares the output's
 * storage group: in place / RESHAPE alias).  Scratch clobbers its bytes for
 * the op.  CONV_2D with more than one tap follows nk.h's pixel-block
 * contract instead: it writes its output in blocks of max(8, 2 * out_w)
 * consecutive pixels starting at every pixel, and after each block must
 * still find intact every input row from the block's first row's first
 * input row on (computed here independently of the planner).  Graph
 * outputs in the arena must be intact at the end.  Returns 0, or the op
 * index + 1 where a read found overwritten data. */
static int32_t sim_first_row(const neurio_model *m, const neurio_op *op, int32_t r)
{
    const neurio_tensor *x = &m->tensors[op->inputs[0]], *w = &m->tensors[op->inputs[1]],
                        *y = &m->tensors[op->outputs[0]];
    const neurio_conv_attr *a = &op->attr.conv;
    int32_t sh = a->stride_h > 0 ? a->stride_h : 1, dh = a->dilation_h > 0 ? a->dilation_h : 1;
    int32_t pt = 0;
    if (a->padding == NEURIO_PAD_EXPLICIT)
        pt = a->pad[0];
    else if (a->padding == NEURIO_PAD_SAME) {
        int32_t tot = (y->dims[1] - 1) * sh + (w->dims[1] - 1) * dh + 1 - x->dims[1];
        pt = tot > 0 ? tot / 2 : 0;
    }
    int32_t f = r * sh - pt;
    return f < 0 ? 0 : (f > x->dims[1] ? x->dims[1] : f);
}

static int sim_intact(const int32_t *own, size_t off, size_t n, int32_t id)
{
    for (size_t k = 0; k < n; k++)
        if (own[off + k] != id)
            return 0;
    return 1;
}

static int32_t simulate_plan(const neurio_model *m, const neurio_plan *p)
{
    size_t na = p->arena_bytes ? p->arena_bytes : 1;
    int32_t *own = malloc(na * sizeof *own);
    int32_t *did = malloc((size_t)(m->n_tensors ? m->n_tensors : 1) * sizeof *did);
    int32_t bad = 0;
    for (size_t k = 0; k < na; k++)
        own[k] = -1;
    for (int32_t t = 0; t < m->n_tensors; t++) {
        did[t] = t;
        if (p->tensors[t].kind == NEURIO_MEM_ARENA &&
            p->tensors[t].offset + neurio_tensor_bytes(&m->tensors[t]) > p->arena_bytes)
            bad = -1;
    }
    for (int32_t i = 0; i < m->n_inputs && !bad; i++) {
        int32_t t = m->inputs[i];
        if (p->tensors[t].kind == NEURIO_MEM_ARENA)
            for (size_t k = 0; k < neurio_tensor_bytes(&m->tensors[t]); k++)
                own[p->tensors[t].offset + k] = t;
    }
    for (int32_t i = 0; i < m->n_ops && !bad; i++) {
        const neurio_op *op = &m->ops[i];
        if (p->op_elided[i]) {
            did[op->outputs[0]] = did[op->inputs[0]];
            continue;
        }
        for (size_t k = 0; k < p->scratch_bytes[i]; k++)
            own[p->scratch_offset[i] + k] = -2 - i;
        for (int32_t k = 0; k < op->n_inputs && !bad; k++) {
            int32_t t = op->inputs[k];
            if (t >= 0 && p->tensors[t].kind == NEURIO_MEM_ARENA &&
                !sim_intact(own, p->tensors[t].offset, neurio_tensor_bytes(&m->tensors[t]),
                            did[t]))
                bad = i + 1;
        }
        if (bad)
            break;
        int32_t y = op->outputs[0];
        const neurio_tensor *wt = op->n_inputs > 1 && op->inputs[1] >= 0 ? &m->tensors[op->inputs[1]] : NULL;
        /* the portable walks (plan_overlap.c): CONV_2D blocks of the
         * contract, DEPTHWISE_CONV_2D pixel by pixel */
        int dwo = op->kind == NEURIO_OP_DEPTHWISE_CONV_2D && p->op_overlap_gap[i] >= 0;
        int conv = (op->kind == NEURIO_OP_CONV_2D || dwo) && wt && wt->rank == 4 &&
                   (wt->dims[1] * wt->dims[2] > 1 || dwo) && m->tensors[op->inputs[0]].rank == 4 &&
                   m->tensors[y].rank == 4 && p->tensors[op->inputs[0]].kind == NEURIO_MEM_ARENA &&
                   p->tensors[y].kind == NEURIO_MEM_ARENA;
        if (conv) {
            const neurio_tensor *xt = &m->tensors[op->inputs[0]], *yt = &m->tensors[y];
            size_t es = neurio_dtype_size(xt->dtype);
            size_t in_row = (size_t)xt->dims[2] * xt->dims[3] * es;
            size_t out_pix = (size_t)yt->dims[3] * es;
            size_t npix = (size_t)yt->dims[1] * yt->dims[2];
            size_t nb = dwo ? 1 : 2 * (size_t)yt->dims[2] > 8 ? 2 * (size_t)yt->dims[2] : 8;
            size_t xo = p->tensors[op->inputs[0]].offset, yo = p->tensors[y].offset;
            size_t xb = neurio_tensor_bytes(xt);
            for (int32_t n = 0; n < yt->dims[0] && !bad; n++)
                for (size_t q = 0; q < npix && !bad; q++) {
                    size_t end = q + nb < npix ? q + nb : npix;
                    for (size_t k = ((size_t)n * npix + q) * out_pix;
                         k < ((size_t)n * npix + end) * out_pix; k++)
                        own[yo + k] = did[y];
                    int32_t r = (int32_t)(q / (size_t)yt->dims[2]);
                    size_t from = ((size_t)n * xt->dims[1] + sim_first_row(m, op, r)) * in_row;
                    if (!sim_intact(own, xo + from, xb - from, did[op->inputs[0]]))
                        bad = i + 1;
                }
            continue;
        }
        for (int32_t k = 0; k < op->n_outputs; k++) {
            int32_t t = op->outputs[k];
            if (p->tensors[t].kind == NEURIO_MEM_ARENA)
                for (size_t q = 0; q < neurio_tensor_bytes(&m->tensors[t]); q++)
                    own[p->tensors[t].offset + q] = did[t];
        }
        for (int32_t k = 0; k < op->n_inputs && !bad; k++) {
            int32_t t = op->inputs[k];
            int eltwise = 0;
            switch (op->kind) { /* planner.c pl_is_elementwise */
            case NEURIO_OP_ADD: case NEURIO_OP_SUB: case NEURIO_OP_MUL: case NEURIO_OP_DIV:
            case NEURIO_OP_SQUARED_DIFFERENCE: case NEURIO_OP_MAXIMUM: case NEURIO_OP_MINIMUM:
            case NEURIO_OP_RELU: case NEURIO_OP_RELU6: case NEURIO_OP_CLIP:
            case NEURIO_OP_LOGISTIC: case NEURIO_OP_TANH: case NEURIO_OP_QUANTIZE:
            case NEURIO_OP_LEAKY_RELU: case NEURIO_OP_HARD_SWISH: case NEURIO_OP_ABS:
            case NEURIO_OP_NEG: case NEURIO_OP_SQRT: case NEURIO_OP_RSQRT: case NEURIO_OP_EXP:
            case NEURIO_OP_LOG: eltwise = 1; break;
            default: break;
            }
            if (t < 0 || p->tensors[t].kind != NEURIO_MEM_ARENA ||
                (eltwise && p->tensors[y].kind == NEURIO_MEM_ARENA &&
                 p->tensors[t].group == p->tensors[y].group &&
                 p->tensors[t].offset == p->tensors[y].offset))
                continue; /* in place: the op reads each element before writing it */
            if (!sim_intact(own, p->tensors[t].offset, neurio_tensor_bytes(&m->tensors[t]), did[t]))
                bad = i + 1;
        }
    }
    for (int32_t i = 0; i < m->n_outputs && !bad; i++) {
        int32_t t = m->outputs[i];
        if (p->tensors[t].kind == NEURIO_MEM_ARENA &&
            !sim_intact(own, p->tensors[t].offset, neurio_tensor_bytes(&m->tensors[t]), did[t]))
            bad = m->n_ops + 1;
    }
    free(own);
    free(did);
    return bad;
}

static void test_simulation_catches_overlap(void)
{
    neurio_model *m = neurio_model_new("sim");
    int32_t x = t_nhwc(m, "x", NEURIO_DT_INT8, 1, 8, 4, 4),
            a = t_nhwc(m, "a", NEURIO_DT_INT8, 1, 8, 4, 4),
            b = t_nhwc(m, "b", NEURIO_DT_INT8, 1, 8, 4, 4),
            y = t_nhwc(m, "y", NEURIO_DT_INT8, 1, 8, 4, 4);
    int32_t w3 = t_filter(m, NEURIO_DT_INT8, 4, 3, 3, 4);
    add_op1(m, NEURIO_OP_RELU, x, -1, a);
    add_conv(m, 0, a, w3, b, 1, NEURIO_PAD_SAME);
    add_op1(m, NEURIO_OP_RELU, b, -1, y);
    neurio_model_set_io(m, 1, &x, 1, &y);
    neurio_plan *p = NULL;
    neurio_errbuf e = {{0}};
    neurio_plan_options o = {.alignment = 1};
    CU_ASSERT_EQUAL_FATAL(neurio_plan_model(m, &o, &p, &e), NEURIO_OK);
    CU_ASSERT_EQUAL(p->op_overlap_gap[1], 60);
    CU_ASSERT_EQUAL(p->arena_bytes, 60 + 128);
    CU_ASSERT_EQUAL(simulate_plan(m, p), 0);
    p->tensors[b].offset = 1;
    p->tensors[a].offset = 60; /* one byte short of the gap */
    CU_ASSERT_EQUAL(simulate_plan(m, p), 2);
    CU_ASSERT_EQUAL(neurio_plan_check(m, p, &e), NEURIO_ERR_INTERNAL);
    neurio_plan_free(p);
    neurio_model_free(m);
}

/* Every shared model (optimized as codegen does, and as imported), planned
 * with several options: the checker and the byte-level simulation agree
 * that nothing live is overwritten, and the arenas are what we promise. */
static void test_shared_models(void)
{
    const char *shared = neurio_test_shared_dir();
    if (!shared) {
        printf("\n  (../shared absent: shared-model planner checks skipped)\n");
        return;
    }
    static const struct { const char *name; size_t max_arena; } limits[] = {
        {"pretrainedResnet_quant", 46700}, /* issue 9: <= 0.85 x TFLM */
        {"kws_ref_model", 16000},          /* no model's arena may grow */
        {"ad01_int8", 272},
        {"hello_world_int8", 32},
    };
    char dir[4300];
    snprintf(dir, sizeof dir, "%s/models", shared);
    DIR *d = opendir(dir);
    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    struct dirent *de;
    int n_models = 0;
    while ((de = readdir(d)) != NULL) {
        size_t len = strlen(de->d_name);
        if (len < 8 || strcmp(de->d_name + len - 7, ".tflite"))
            continue;
        char path[4700];
        snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
        for (int optimized = 0; optimized < 2; optimized++) {
            neurio_model *m = NULL;
            neurio_errbuf e = {{0}};
            if (neurio_model_load(path, &m, &e) != NEURIO_OK)
                continue; /* not importable: nothing to plan */
            if (optimized && neurio_optimize(m, &e) != NEURIO_OK) {
                neurio_model_free(m);
                continue;
            }
            n_models += optimized;
            size_t *scratch = calloc((size_t)(m->n_ops ? m->n_ops : 1), sizeof *scratch);
            for (int32_t i = 0; i < m->n_ops; i++)
                scratch[i] = (size_t)(i * 37 % 5 == 0 ? 100 + i * 13 : 0);
            const neurio_plan_options opts[] = {
                {.alignment = 16}, {.alignment = 1}, {.alignment = 4, .io_in_arena = 1},
                {.alignment = 8, .op_scratch = scratch}, {.alignment = 16, .no_inplace = 1},
                {.alignment = 16, .no_overlap = 1}, {.alignment = 16, .io_in_arena = 1},
            };
            size_t with = 0, without = 0, io = 0;
            for (size_t k = 0; k < sizeof opts / sizeof opts[0]; k++) {
                neurio_plan *p = NULL;
                if (neurio_plan_model(m, &opts[k], &p, &e) != NEURIO_OK) {
                    printf("\n  %s: plan failed: %s\n", de->d_name, e.msg);
                    CU_FAIL("plan failed");
                    continue;
                }
                if (neurio_plan_check(m, p, &e) != NEURIO_OK) {
                    printf("\n  %s (options %zu): %s\n", de->d_name, k, e.msg);
                    CU_FAIL("plan check failed");
                }
                int32_t bad = simulate_plan(m, p);
                if (bad) {
                    printf("\n  %s (options %zu, optimized %d): data overwritten before op %d "
                           "reads it\n", de->d_name, k, optimized, bad - 1);
                    CU_FAIL("simulation found a live tensor overwritten");
                }
                CU_ASSERT(p->arena_bytes >= p->peak_live_bytes || opts[k].alignment != 16);
                if (k == 0)
                    with = p->arena_bytes;
                if (k == 5)
                    without = p->arena_bytes;
                if (k == 6)
                    io = p->arena_bytes;
                neurio_plan_free(p);
            }
            CU_ASSERT(with <= without);
            for (size_t k = 0; optimized && k < sizeof limits / sizeof limits[0]; k++)
                if (len == strlen(limits[k].name) + 7 &&
                    !strncmp(de->d_name, limits[k].name, len - 7)) {
                    printf("\n  %s: arena %zu bytes (limit %zu, without overlap %zu; "
                           "with the graph input/output inside, TFLM-style: %zu)",
                           limits[k].name, with, limits[k].max_arena, without, io);
                    CU_ASSERT(with <= limits[k].max_arena);
                }
            free(scratch);
            neurio_model_free(m);
        }
    }
    closedir(d);
    CU_ASSERT(n_models >= 4);
}

/* --------------------- the portable kernels keep the pixel-block contract */

static uint32_t rng_state = 12345u;
static uint32_t rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 17;
    rng_state ^= rng_state << 5;
    return rng_state;
}
static int32_t rng_in(int32_t lo, int32_t hi)
{
    return lo + (int32_t)(rng() % (uint32_t)(hi - lo + 1));
}

/* Random conv / depthwise shapes (int8 and float32): a one-conv model
 * x -> RELU -> a -> conv -> b -> RELU -> y is planned (alignment 1 and 16),
 * then the portable kernel runs with a and b where the plan put them, and
 * must give the bytes it gives with separate buffers. */
static void test_kernels_on_overlap(void)
{
    int overlapped = 0;
    for (int iter = 0; iter < 600; iter++) {
        int dw = iter & 1, f32 = (iter >> 1) % 3 == 0;
        neurio_dtype dt = f32 ? NEURIO_DT_FLOAT32 : NEURIO_DT_INT8;
        size_t es = f32 ? 4 : 1;
        int32_t n = rng_in(1, 2), h = rng_in(1, 12), w = rng_in(1, 9), ic = rng_in(1, 12);
        int32_t oc = dw ? ic : rng_in(1, 24);
        int32_t fh = rng_in(1, 4), fw = rng_in(1, 4), s = rng_in(1, 3);
        int32_t dil = rng_in(1, 2);
        int same = (int)(rng() & 1);
        int32_t eh = (fh - 1) * dil + 1, ew = (fw - 1) * dil + 1;
        if (!same && (eh > h || ew > w))
            continue;
        int32_t oh = same ? (h + s - 1) / s : (h - eh) / s + 1;
        int32_t ow = same ? (w + s - 1) / s : (w - ew) / s + 1;
        neurio_model *m = neurio_model_new("k");
        int32_t x = t_nhwc(m, "x", dt, n, h, w, ic), a = t_nhwc(m, "a", dt, n, h, w, ic),
                b = t_nhwc(m, "b", dt, n, oh, ow, oc), y = t_nhwc(m, "y", dt, n, oh, ow, oc);
        int32_t wt = dw ? t_filter(m, dt, 1, fh, fw, oc) : t_filter(m, dt, oc, fh, fw, ic);
        add_op1(m, NEURIO_OP_RELU, x, -1, a);
        int32_t ci = add_conv(m, dw, a, wt, b, s, same ? NEURIO_PAD_SAME : NEURIO_PAD_VALID);
        m->ops[ci].attr.conv.dilation_h = m->ops[ci].attr.conv.dilation_w = dil;
        m->ops[ci].attr.conv.depth_multiplier = 1;
        add_op1(m, NEURIO_OP_RELU, b, -1, y);
        neurio_model_set_io(m, 1, &x, 1, &y);

        nk_conv_params pr;
        memset(&pr, 0, sizeof pr);
        pr.batches = n; pr.in_h = h; pr.in_w = w; pr.in_c = ic;
        pr.out_h = oh; pr.out_w = ow; pr.out_c = oc;
        pr.filter_h = fh; pr.filter_w = fw; pr.stride_h = pr.stride_w = s;
        pr.dilation_h = pr.dilation_w = dil; pr.depth_multiplier = 1;
        if (same) {
            int32_t th = (oh - 1) * s + eh - h, tw = (ow - 1) * s + ew - w;
            pr.pad_top = th > 0 ? th / 2 : 0;
            pr.pad_left = tw > 0 ? tw / 2 : 0;
        }
        int32_t mult[32], shift[32], bias[32];
        float fbias[32];
        for (int k = 0; k < 32; k++) {
            mult[k] = rng_in(1 << 30, 0x7fffffff);
            shift[k] = rng_in(-10, -4);
            bias[k] = rng_in(-3000, 3000);
            fbias[k] = (float)rng_in(-100, 100) / 16.0f;
        }
        pr.in_zp = rng_in(-128, 127); pr.out_zp = rng_in(-128, 127);
        pr.per_channel = 1; pr.out_mult = mult; pr.out_shift = shift;
        pr.act_min = -128; pr.act_max = 127;
        pr.act_min_f = -1e30f; pr.act_max_f = 1e30f;

        size_t in_b = neurio_tensor_bytes(&m->tensors[a]);
        size_t out_b = neurio_tensor_bytes(&m->tensors[b]);
        size_t wn = (size_t)(dw ? 1 : oc) * fh * fw * (dw ? oc : ic);
        unsigned char *in = malloc(in_b), *ref = malloc(out_b), *filt = malloc(wn * es);
        for (size_t k = 0; k < in_b; k++)
            in[k] = (unsigned char)rng();
        if (f32)
            for (size_t k = 0; k < in_b / 4; k++)
                ((float *)(void *)in)[k] = (float)rng_in(-64, 64) / 8.0f;
        for (size_t k = 0; k < wn; k++) {
            if (f32)
                ((float *)(void *)filt)[k] = (float)rng_in(-8, 8) / 4.0f;
            else
                filt[k] = (unsigned char)rng();
        }
#define RUN(inp, outp)                                                                   \
    (f32 ? (dw ? nk_depthwise_conv2d_f32(&pr, (const float *)(const void *)(inp),         \
                                         (const float *)(const void *)filt, fbias,         \
                                         (float *)(void *)(outp))                          \
               : nk_conv2d_f32(&pr, (const float *)(const void *)(inp),                  \
                               (const float *)(const void *)filt, fbias,                  \
                               (float *)(void *)(outp)))                                   \
         : (dw ? nk_depthwise_conv2d_s8(&pr, (const int8_t *)(inp), (const int8_t *)filt,  \
                                        bias, (int8_t *)(outp))                            \
               : nk_conv2d_s8(&pr, (const int8_t *)(inp), (const int8_t *)filt, bias,      \
                              (int8_t *)(outp))))
        CU_ASSERT_EQUAL(RUN(in, ref), NK_OK);
        for (int al = 0; al < 2; al++) {
            neurio_plan_options o = {.alignment = al ? 16 : 1};
            neurio_plan *p = NULL;
            neurio_errbuf e = {{0}};
            CU_ASSERT_EQUAL_FATAL(neurio_plan_model(m, &o, &p, &e), NEURIO_OK);
            CU_ASSERT_EQUAL(simulate_plan(m, p), 0);
            unsigned char *arena = malloc(p->arena_bytes);
            memset(arena, 0x5a, p->arena_bytes);
            memcpy(arena + p->tensors[a].offset, in, in_b);
            overlapped += p->op_overlap[1];
            if (!dw && fh == 1 && fw == 1)
                CU_ASSERT_EQUAL(p->op_overlap_gap[1], -1); /* no op_rows_1x1 */
            CU_ASSERT_EQUAL(RUN(arena + p->tensors[a].offset, arena + p->tensors[b].offset),
                            NK_OK);
            if (memcmp(arena + p->tensors[b].offset, ref, out_b)) {
                printf("\n  iter %d: %s %s %dx%dx%dx%d -> %dx%dx%d k%dx%d s%d d%d %s gap %lld: "
                       "output differs when overlapped\n", iter, f32 ? "f32" : "s8",
                       dw ? "depthwise" : "conv", n, h, w, ic, oh, ow, oc, fh, fw, s, dil,
                       same ? "same" : "valid", (long long)p->op_overlap_gap[1]);
                CU_FAIL("kernel broke the pixel-block contract");
            }
            free(arena);
            neurio_plan_free(p);
        }
#undef RUN
        free(in);
        free(ref);
        free(filt);
        neurio_model_free(m);
    }
    CU_ASSERT(overlapped > 100);
}

int neurio_register_tests(void)
{
    CU_pSuite s = CU_add_suite("planner", NULL, NULL);
    if (!s)
        return -1;
    CU_add_test(s, "chain", test_chain);
    CU_add_test(s, "reshape_alias", test_reshape_alias);
    CU_add_test(s, "reshape_to_output", test_reshape_to_output);
    CU_add_test(s, "inplace_add", test_inplace_add);
    CU_add_test(s, "inplace_refused", test_inplace_refused);
    CU_add_test(s, "scratch_and_alignment", test_scratch_and_alignment);
    CU_add_test(s, "check_detects_overlap", test_check_detects_overlap);
    CU_add_test(s, "bad_index", test_bad_index);
    CU_add_test(s, "overlap_chain", test_overlap_chain);
    CU_add_test(s, "overlap_refused", test_overlap_refused);
    CU_add_test(s, "simulation_catches_overlap", test_simulation_catches_overlap);
    CU_add_test(s, "shared_models", test_shared_models);
    CU_add_test(s, "kernels_on_overlap", test_kernels_on_overlap);
    return 0;
}

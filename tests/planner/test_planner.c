/* tests/planner/test_planner.c — memory planner on hand-built graphs with
 * hand-computed arenas. */
#include <stdlib.h>
#include <string.h>

#include "neurio/model.h"
#include "neurio/planner.h"
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
    return 0;
}

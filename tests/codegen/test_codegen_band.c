/* tests/codegen/test_codegen_band.c — banded execution (neurio/planner.h,
 * "Banded execution"): hand-built chains of convolutions, depthwise
 * convolutions and a residual ADD, and the shared kws / ResNet models,
 * generated with band_rows 1..H and run through the host runner (portable
 * kernels): the outputs must be the interpreter's bytes, the plans must
 * pass neurio_plan_check and take less arena than unbanded; a plan moved
 * into an unsafe overlap, or with a window too small, must fail the
 * check.  Built twice: test_codegen_band (unit: one generated build) and
 * test_codegen_band_long (long: every height, the shared models). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cg_test_util.h"
#include "neurio/codegen.h"
#include "neurio/model.h"
#include "neurio/optimize.h"
#include "neurio/planner.h"
#include "test_util.h"

static uint32_t g_st = 12345;

static int32_t bt_const(neurio_model *m, const char *nm, neurio_dtype dt, int32_t rank,
                        const int32_t *d)
{
    int32_t t = neurio_model_add_tensor(m, nm, dt, rank, d);
    size_t n = neurio_tensor_bytes(&m->tensors[t]);
    unsigned char *v = malloc(n);
    for (size_t i = 0; i < n; i++)
        v[i] = (unsigned char)cg_lcg(&g_st);
    if (dt == NEURIO_DT_INT32) /* bias: small */
        for (size_t i = 0; i < n / 4; i++) {
            int32_t b = (int32_t)(cg_lcg(&g_st) % 2001) - 1000;
            memcpy(v + 4 * i, &b, 4);
        }
    neurio_tensor_set_data(m, t, v, n);
    free(v);
    return t;
}

/* y = conv (kh x kw, SAME, stride 1) of x [1,h,w,ci] into co channels
 * (depthwise: co == ci), int8 per-tensor. */
static int32_t bt_conv(neurio_model *m, int dw, int32_t x, int32_t kh, int32_t kw, int32_t co)
{
    const neurio_tensor *tx = &m->tensors[x];
    int32_t h = tx->dims[1], w = tx->dims[2], ci = tx->dims[3];
    int32_t dy[4] = {1, h, w, co};
    int32_t dw4[4] = {dw ? 1 : co, kh, kw, dw ? co : ci}, db[1] = {co};
    float sx = tx->quant.count ? tx->quant.scale[0] : 0.05f;
    int32_t y = cg_tq(m, "y", NEURIO_DT_INT8, dy, 0.08f, (int32_t)(cg_lcg(&g_st) % 21) - 10);
    int32_t wt = bt_const(m, "w", NEURIO_DT_INT8, 4, dw4);
    float sw = 0.01f, sb = sx * sw;
    int32_t zero = 0;
    neurio_tensor_set_quant(m, wt, 1, 0, &sw, &zero);
    int32_t b = bt_const(m, "b", NEURIO_DT_INT32, 1, db);
    neurio_tensor_set_quant(m, b, 1, 0, &sb, &zero);
    int32_t ins[3] = {x, wt, b};
    int32_t i = neurio_model_add_op(m, dw ? NEURIO_OP_DEPTHWISE_CONV_2D : NEURIO_OP_CONV_2D, 3,
                                    ins, 1, &y);
    neurio_conv_attr *a = &m->ops[i].attr.conv;
    a->stride_h = a->stride_w = 1;
    a->dilation_h = a->dilation_w = 1;
    a->padding = NEURIO_PAD_SAME;
    a->depth_multiplier = 1;
    a->activation = NEURIO_ACT_RELU;
    return y;
}

static int32_t bt_add(neurio_model *m, int32_t a, int32_t b)
{
    int32_t y = cg_tq(m, "sum", NEURIO_DT_INT8, m->tensors[a].dims, 0.1f, -3);
    int32_t ins[2] = {a, b};
    neurio_model_add_op(m, NEURIO_OP_ADD, 2, ins, 1, &y);
    return y;
}

/* x [1,h,w,c] -> conv0 -> a -> [dw3x3 -> 1x1 -> conv3x3 -> ADD(., a)] ->
 * dw3x3 -> 1x1 -> y: one residual chain and one dw/pw pair. */
static neurio_model *bt_model(int32_t h, int32_t w, int32_t c)
{
    neurio_model *m = neurio_model_new("band");
    int32_t dx[4] = {1, h, w, c};
    int32_t x = cg_tq(m, "x", NEURIO_DT_INT8, dx, 0.05f, 3);
    int32_t a = bt_conv(m, 0, x, 3, 3, c);
    int32_t t = bt_conv(m, 1, a, 3, 3, c);
    t = bt_conv(m, 0, t, 1, 1, c);
    t = bt_conv(m, 0, t, 3, 3, c);
    t = bt_add(m, t, a);
    t = bt_conv(m, 1, t, 3, 3, c);
    t = bt_conv(m, 0, t, 1, 1, c);
    neurio_model_set_io(m, 1, &x, 1, &t);
    return m;
}

static size_t bt_arena(const neurio_model *m, int32_t rows, neurio_plan **keep)
{
    neurio_plan_options o = {.alignment = 16, .band_rows = rows};
    neurio_plan *p = NULL;
    neurio_errbuf e = {{0}};
    CU_ASSERT_EQUAL_FATAL(neurio_plan_model(m, &o, &p, &e), NEURIO_OK);
    int rc = neurio_plan_check(m, p, &e);
    if (rc)
        fprintf(stderr, "plan check (band rows %d): %s\n", rows, e.msg);
    CU_ASSERT_EQUAL(rc, NEURIO_OK);
    size_t a = p->arena_bytes;
    if (keep)
        *keep = p;
    else
        neurio_plan_free(p);
    return a;
}

/* Band heights on a few shapes: interpreter == generated code; the plan
 * is banded exactly when that makes the arena smaller.  The unit run
 * builds one shape at 2 rows per band (a residual chain in place and a
 * dw/pw pair stepping down); BAND_LONG every listed height. */
static void test_band_chains(void)
{
    static const int32_t shapes[][3] = {{9, 5, 8}, {7, 3, 4}, {12, 4, 12}};
#ifdef BAND_LONG
    const size_t n_shapes = sizeof shapes / sizeof shapes[0];
#else
    const size_t n_shapes = 1;
#endif
    for (size_t s = 0; s < n_shapes; s++) {
        neurio_model *m = bt_model(shapes[s][0], shapes[s][1], shapes[s][2]);
        size_t plain = bt_arena(m, 0, NULL);
        int smaller = 0;
        for (int32_t rows = 1; rows <= shapes[s][0]; rows += rows < 3 ? 1 : 3) {
            neurio_plan *p = NULL;
            size_t banded = bt_arena(m, rows, &p);
            CU_ASSERT(banded <= plain);
            CU_ASSERT_EQUAL(p->n_chains > 0, banded < plain);
            smaller |= banded < plain;
            neurio_plan_free(p);
#ifndef BAND_LONG
            if (rows != 2)
                continue;
#endif
            char name[64];
            snprintf(name, sizeof name, "band_%zu_%d", s, rows);
            neurio_codegen_options o = {.band_rows = rows};
            cg_codegen_opts = &o;
            size_t in = (size_t)shapes[s][0] * shapes[s][1] * shapes[s][2];
            cg_compare_interp_codegen(m, name, in, in, NEURIO_DT_INT8);
            cg_codegen_opts = NULL;
        }
        CU_ASSERT(smaller);
        neurio_model_free(m);
    }
}

/* The check refuses a chain output moved into its input's live rows, and a
 * window shrunk below what the schedule needs. */
static void test_band_check(void)
{
    neurio_model *m = bt_model(9, 5, 8);
    neurio_plan *p = NULL;
    neurio_errbuf e = {{0}};
    bt_arena(m, 1, &p); /* chains: ops 1..4 in place, op 5 over its input */
    int found = 0;
    for (int32_t c = 0; c < p->n_chains; c++) {
        const neurio_band_chain *ch = &p->chains[c];
        neurio_tensor_place *pi = &p->tensors[ch->in_tensor], *po = &p->tensors[ch->out_tensor];
        if (ch->gap <= 0 || ch->in_place || pi->group == po->group)
            continue;
        found = 1;
        size_t keep = po->offset;
        po->offset = pi->offset >= 16 ? pi->offset - 16 : pi->offset; /* less than the gap */
        CU_ASSERT_EQUAL(neurio_plan_check(m, p, &e), NEURIO_ERR_INTERNAL);
        po->offset = keep;
        CU_ASSERT_EQUAL(neurio_plan_check(m, p, &e), NEURIO_OK);
    }
    CU_ASSERT(found); /* the dw at the end overlaps its input */
    for (int32_t c = 0; c < p->n_chains; c++) {
        const neurio_band_chain *ch = &p->chains[c];
        if (ch->last_op == ch->first_op)
            continue;
        neurio_tensor_place *pw = &p->tensors[m->ops[ch->first_op].outputs[0]];
        size_t keep = pw->bytes;
        pw->bytes -= 1;
        CU_ASSERT_EQUAL(neurio_plan_check(m, p, &e), NEURIO_ERR_INTERNAL);
        pw->bytes = keep;
    }
    neurio_plan_free(p);
    neurio_model_free(m);
}

/* neurio_codegen_options.arena_budget: unbanded when the plain arena fits;
 * else the most rows per band whose arena fits; none fits: the smallest
 * arena (the most rows giving it). */
static void test_band_budget(void)
{
    neurio_model *m = bt_model(9, 5, 8);
    const size_t plain = bt_arena(m, 0, NULL);
    size_t arena[10], least = plain;
    int32_t least_rows = 0;
    for (int32_t r = 9; r >= 1; r--) {
        arena[r] = bt_arena(m, r, NULL);
        if (arena[r] < least) {
            least = arena[r];
            least_rows = r;
        }
    }
    CU_ASSERT_FATAL(least < plain);
    /* a budget between the smallest arena and the plain one: the most rows
     * that fit */
    size_t mid = least + (plain - least) / 2;
    int32_t mid_rows = 0;
    for (int32_t r = 9; r >= 1 && !mid_rows; r--)
        if (arena[r] <= mid && arena[r] < plain)
            mid_rows = r;
    const struct {
        uint64_t budget;
        int32_t rows;
        size_t arena;
    } cases[] = {{plain, 0, plain}, {plain + 1000, 0, plain}, {least, least_rows, least},
                 {mid, mid_rows, arena[mid_rows > 0 ? mid_rows : 1]}, {1, least_rows, least}};
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/band_budget", neurio_test_tmpdir());
    mkdir(dir, 0755);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        neurio_codegen_options o = {.arena_budget = cases[i].budget};
        neurio_codegen_result res;
        neurio_errbuf e = {{0}};
        CU_ASSERT_EQUAL_FATAL(neurio_codegen(m, dir, &o, &res, &e), NEURIO_OK);
        CU_ASSERT_EQUAL(res.band_rows, cases[i].rows);
        CU_ASSERT_EQUAL(res.arena_bytes, cases[i].arena);
        if (cases[i].rows > 0 && cases[i].budget > 1)
            CU_ASSERT(res.arena_bytes <= cases[i].budget);
    }
    /* band_rows given: the budget is not consulted */
    neurio_codegen_options o = {.band_rows = 9, .arena_budget = 1};
    neurio_codegen_result res;
    neurio_errbuf e = {{0}};
    CU_ASSERT_EQUAL(neurio_codegen(m, dir, &o, &res, &e), NEURIO_OK);
    CU_ASSERT_EQUAL(res.arena_bytes, arena[9]);
    neurio_model_free(m);
}

/* The shared kws and ResNet models, banded: the interpreter's bytes. */
static void test_band_shared(void)
{
    static const char *const models[] = {"kws_ref_model", "pretrainedResnet_quant"};
    const char *shared = neurio_test_shared_dir();
    for (size_t k = 0; k < 2; k++) {
        char path[1024];
        snprintf(path, sizeof path, "%s/models/%s.tflite", shared, models[k]);
        neurio_model *m = NULL;
        neurio_errbuf e = {{0}};
        CU_ASSERT_EQUAL_FATAL(neurio_model_load(path, &m, &e), NEURIO_OK);
        CU_ASSERT_EQUAL_FATAL(neurio_optimize(m, &e), NEURIO_OK);
        size_t plain = bt_arena(m, 0, NULL), banded = bt_arena(m, 4, NULL);
        printf("  %s: arena %zu unbanded, %zu with 4-row bands\n", models[k], plain, banded);
        CU_ASSERT(banded < plain);
        neurio_codegen_options o = {.band_rows = 4};
        cg_codegen_opts = &o;
        const neurio_tensor *ti = &m->tensors[m->inputs[0]], *to = &m->tensors[m->outputs[0]];
        cg_compare_interp_codegen(m, models[k], neurio_tensor_bytes(ti), neurio_tensor_bytes(to),
                                  ti->dtype);
        cg_codegen_opts = NULL;
        neurio_model_free(m);
    }
}

int neurio_register_tests(void)
{
    CU_pSuite s = CU_add_suite("codegen_band", NULL, NULL);
    if (!s || !CU_add_test(s, "band chains: interpreter = generated C", test_band_chains) ||
        !CU_add_test(s, "band plans: unsafe overlap and short windows refused",
                     test_band_check) ||
        !CU_add_test(s, "arena budget: the most rows per band that fit", test_band_budget))
        return -1;
#ifdef BAND_LONG
    if (neurio_test_shared_dir()) {
        if (!CU_add_test(s, "kws and ResNet banded: interpreter = generated C",
                         test_band_shared))
            return -1;
    } else {
        printf("note: ../shared absent: the shared models are not run banded\n");
    }
#else
    (void)test_band_shared;
#endif
    return 0;
}

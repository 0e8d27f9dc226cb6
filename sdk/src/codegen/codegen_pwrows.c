/* sdk/src/codegen/codegen_pwrows.c — 1x1 CONV_2D int8 layers whose output
 * the plan lays over their input (the planner's overlap table, sdk/src/
 * plan/plan_overlap.c), and small ones that are faster that way: their
 * weights packed for the row-pair kernel
 * (nk.h, nk_pw_pack: widened at generation, read one pair of pixels at a
 * time) under #if NK_CONV_ROWS, the plain weights and bias under #else
 * (the portable loop, pixel by pixel).  The default 1x1 kernel on DSP cores
 * (arm/nk_arm_gemm.c) goes over the whole image once per chunk of columns,
 * so a layer the packer refuses must not overlap: cg_pw_rows_mask tells
 * the planner which layers may. */
#include <stdlib.h>

#include "codegen_internal.h"

/* Layers not overlapped take the row-pair kernel up to this many int8
 * weights (as codegen_convpack.c's CG_CONV_PACK_MAX_BYTES): it doubles
 * their flash for fewer instructions (measured, bench_cortexm on
 * mps2-an386: ResNet-8's stride-2 1x1 shortcuts 200,092 -> 181,029 and
 * 158,292 -> 133,654 instructions, +4.5 kB flash). */
#define CG_PW_ROWS_MAX_BYTES 9216

/* The constant tensor t, read by no op but oi (and no graph output). */
static int cg_pw_exclusive(const neurio_model *m, int32_t oi, int32_t t)
{
    if (t < 0 || t >= m->n_tensors || !m->tensors[t].data)
        return 0;
    for (int32_t j = 0; j < m->n_ops; j++)
        for (int32_t i = 0; i < m->ops[j].n_inputs; i++)
            if (m->ops[j].inputs[i] == t && j != oi)
                return 0;
    for (int32_t i = 0; i < m->n_outputs; i++)
        if (m->outputs[i] == t)
            return 0;
    return 1;
}

/* Packs l (a lowered CONV_2D int8) into freshly allocated *w, *t;
 * NEURIO_OK with *w NULL when the layout does not suit it. */
static int cg_pw_pack(const neurio_model *m, const lw_op *l, int16_t **w, int32_t **t)
{
    *w = NULL;
    *t = NULL;
    const nk_conv_params *cp = &l->p.conv;
    if (l->kernel != LW_K_CONV2D_S8 || l->n_args != 4 || l->args[1] < 0 ||
        cp->filter_h != 1 || cp->filter_w != 1 || cp->in_c < 1 ||
        cp->in_c > NK_PW_PACK_MAX_IN_C || cp->out_c < 2)
        return NEURIO_OK;
    const neurio_tensor *wt = &m->tensors[l->args[1]];
    const neurio_tensor *bt = l->args[2] >= 0 ? &m->tensors[l->args[2]] : NULL;
    const size_t n_w = (size_t)cp->out_c * (size_t)cp->in_c;
    if (!cg_pack_input_ok(wt, bt, n_w, cp->out_c))
        return NEURIO_OK;
    int16_t *pw = malloc((size_t)NK_PW_PACK_HALVES(cp->in_c, cp->out_c) * sizeof *pw);
    int32_t *pt = malloc((size_t)cp->out_c * 4 * sizeof *pt), *bias = NULL;
    if (cg_bias_copy(bt, cp->out_c, &bias) || !pw || !pt) {
        free(pw);
        free(pt);
        free(bias);
        return NEURIO_ERR_NOMEM;
    }
    if (nk_pw_pack_s8(cp, (const int8_t *)wt->data, bias, pw, pt) == NK_OK) {
        *w = pw;
        *t = pt;
    } else {
        free(pw);
        free(pt);
    }
    free(bias);
    return NEURIO_OK;
}

int cg_pw_rows_mask(const neurio_model *m, uint8_t *mask)
{
    for (int32_t i = 0; i < m->n_ops; i++) {
        mask[i] = 0;
        const neurio_op *op = &m->ops[i];
        if (op->kind != NEURIO_OP_CONV_2D || op->n_inputs < 2 || op->inputs[1] < 0)
            continue;
        lw_op l;
        neurio_errbuf e = {{0}};
        if (lw_lower(m, i, &l, &e) != NEURIO_OK)
            continue; /* the emitter reports it */
        int16_t *w = NULL;
        int32_t *t = NULL;
        int rc = cg_pw_pack(m, &l, &w, &t);
        mask[i] = w && cg_pw_exclusive(m, i, l.args[1]) &&
                  (l.args[2] < 0 || cg_pw_exclusive(m, i, l.args[2]));
        free(w);
        free(t);
        lw_op_free(&l);
        if (rc)
            return rc;
    }
    return NEURIO_OK;
}

int cg_pw_rows_wanted(const cg_ctx *c, int32_t oi, const lw_op *l)
{
    const nk_conv_params *cp = &l->p.conv;
    if (l->kernel != LW_K_CONV2D_S8 || cp->filter_h != 1 || cp->filter_w != 1)
        return 0;
    if (c->compact) /* int16 weights: never (the plan overlaps no 1x1 then) */
        return c->plan->op_overlap[oi];
    return c->plan->op_overlap[oi] ||
           (c->pw_rows && c->pw_rows[oi] &&
            (int64_t)cp->in_c * cp->out_c <= CG_PW_ROWS_MAX_BYTES);
}

int cg_pw_rows_decl(cg_ctx *c, int32_t oi, const lw_op *l, char (*p)[160], int *done)
{
    int32_t wsrc = -1, bsrc = -1;
    int16_t *w = NULL;
    int32_t *t = NULL;
    *done = 0;
    if (c->compact)
        return NEURIO_OK; /* int16 weights: not in compact mode */
    int rc = cg_pw_pack(c->m, l, &w, &t);
    if (rc)
        return neurio_fail(c->err, rc, "codegen: out of memory");
    if (!w || !cg_exclusive_const(c, oi, l->args[1], &wsrc) ||
        (l->args[2] >= 0 && !cg_exclusive_const(c, oi, l->args[2], &bsrc)))
        goto out; /* nothing written */
    const nk_conv_params *cp = &l->p.conv;
    const int32_t n_h = NK_PW_PACK_HALVES(cp->in_c, cp->out_c), n_t = 4 * cp->out_c;
    fputs("#if NK_CONV_ROWS\n/* weights widened for the row-pair kernel (nk.h, "
          "nk_pw_pack): the output overlaps the input */\n",
          c->decl);
    cg_pack_i16(c, "pw", oi, w, n_h);
    cg_pack_i32(c, "pt", oi, t, n_t, 8);
    fprintf(c->decl, "static const nk_pw_pack ng_pk%d = {ng_pw%d, ng_pt%d};\n#endif\n", oi, oi,
            oi);
    if ((rc = cg_plain_consts(c, l, p, "NK_CONV_ROWS")))
        goto out;
    *done = 1;
    /* the report: int16 weights and 4 constants per channel */
    cg_conv_note(c, oi, l, NEURIO_LAYOUT_PW_INT16, 2u * (uint64_t)n_h + 4u * (uint64_t)n_t);
out:
    free(w);
    free(t);
    return rc;
}

int cg_pw_rows(cg_ctx *c, int32_t oi, const lw_op *l, char (*p)[160])
{
    int done = 0;
    int rc = cg_pw_rows_decl(c, oi, l, p, &done);
    if (rc)
        return rc;
    if (!done)
        return neurio_fail(c->err, NEURIO_ERR_INTERNAL,
                           "codegen: layer %d (1x1 CONV_2D) overlaps its input in the plan but "
                           "its weights do not suit the row-pair kernel (nk_pw_pack_s8)", oi);
    cg_packed_call(c, oi, p, "NK_CONV_ROWS", "nk_conv2d_1x1_s8_rows", "ng_pk");
    cg_plain_call(c, oi, l, p, "nk_conv2d_s8");
    return NEURIO_OK;
}

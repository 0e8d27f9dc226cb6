/* sdk/src/codegen/codegen_band.c — a band chain (neurio/planner.h,
 * "Banded execution") → its kernel calls: for every band, every op of the
 * chain computes its rows (a copy of its parameters with in_h, out_h and
 * pad_top of the band, ADD with flat_size of the band), reading and
 * writing the windows the planner gave the tensors inside the chain; a
 * window first drops the rows no later call reads (nk_copy, overlap
 * allowed).  The parameters and constants are those of the plain call. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codegen_internal.h"

#define CG_BPTR 160

/* A tensor's row r as an expression: base + (r - lo) * row bytes. */
static void cg_band_row(char *buf, size_t n, const char *base, int32_t r, int32_t lo,
                        size_t row)
{
    snprintf(buf, n, "(%s + %lld)", base, (long long)(r - lo) * (long long)row);
}

static size_t cg_row_bytes(const neurio_model *m, int32_t t)
{
    return (size_t)m->tensors[t].dims[2] * (size_t)m->tensors[t].dims[3];
}

/* One band of op k: its call (nothing when it computes no row). */
static void cg_band_call(cg_ctx *c, const neurio_band_chain *ch, int32_t k, const lw_op *l,
                         int packed, const neurio_band_call *bc, const neurio_band_call *prev,
                         char (*base)[CG_BPTR], char (*wb)[CG_BPTR])
{
    const neurio_model *m = c->m;
    const neurio_op *op = &m->ops[k];
    const int32_t j = k - ch->first_op;
    const size_t r_out = cg_row_bytes(m, op->outputs[0]);
    char out[CG_BPTR + 32], in[CG_BPTR + 32], in0[CG_BPTR + 32];
    if (bc->drop > 0 && bc->keep > 0 && k < ch->last_op)
        fprintf(c->body, "    (void)nk_copy(%s + %lld, %s, %lluu);\n", base[j + 1],
                (long long)bc->drop * (long long)r_out, base[j + 1],
                (unsigned long long)bc->keep * r_out);
    if (bc->out_hi <= bc->out_lo)
        return;
    cg_band_row(out, sizeof out, base[j + 1], bc->out_lo, k < ch->last_op ? bc->win_lo : 0,
                r_out);
    /* input 0 (conv) / the chain's tensor (ADD): the chain input or a window */
    const int32_t tin = j == 0 ? ch->in_tensor : m->ops[k - 1].outputs[0];
    const int32_t in_lo = op->kind == NEURIO_OP_ADD ? bc->out_lo : bc->in_lo;
    cg_band_row(in, sizeof in, base[j], in_lo, j == 0 ? 0 : prev->win_lo,
                cg_row_bytes(m, tin));
    if (op->kind == NEURIO_OP_ADD) {
        cg_band_row(in0, sizeof in0, base[0], bc->out_lo, 0, cg_row_bytes(m, ch->in_tensor));
        const int first_is_chain = op->inputs[0] == tin;
        fprintf(c->body,
                "    {\n        nk_binary_params ng_b = ng_p%d;\n"
                "        ng_b.flat_size = %lld;\n"
                "        if (nk_add_s8(&ng_b, %s, %s, %s) != NK_OK) return "
                "NEURIO_RUN_ERR_LAYER + %d;\n    }\n",
                k, (long long)(bc->out_hi - bc->out_lo) * (long long)r_out,
                first_is_chain ? in : in0, first_is_chain ? in0 : in, out, k);
        return;
    }
    fprintf(c->body,
            "    {\n        nk_conv_params ng_b = ng_p%d;\n"
            "        ng_b.in_h = %d;\n        ng_b.out_h = %d;\n        ng_b.pad_top = %d;\n",
            k, bc->in_hi - bc->in_lo, bc->out_hi - bc->out_lo, bc->pad_top);
    if (packed) /* the weights packed at generation (codegen_convpack.c) */
        fprintf(c->body,
                "#if NK_CONV_PACKED\n"
                "        if (nk_conv2d_s8_packed(&ng_b, &ng_cp%d, %s, %s) != NK_OK) return "
                "NEURIO_RUN_ERR_LAYER + %d;\n#else\n",
                k, in, out, k);
    fprintf(c->body,
            "        if (%s(&ng_b, %s, %s, %s, %s) != NK_OK) return "
            "NEURIO_RUN_ERR_LAYER + %d;\n%s    }\n",
            lw_kernel_get(l->kernel)->name, in, wb[2 * j], wb[2 * j + 1], out, k,
            packed ? "#endif\n" : "");
}

/* Lowers and declares op k of the chain and its weight/bias expressions
 * (wb[0], wb[1]); only the int8 CONV_2D, DEPTHWISE_CONV_2D and ADD kernels
 * are banded.  *packed: a CONV_2D whose weights are packed at generation
 * (cg_conv_pack_decl), called as nk_conv2d_s8_packed under
 * #if NK_CONV_PACKED, as the plain layer is. */
static int cg_band_lower(cg_ctx *c, int32_t k, lw_op *l, char (*wb)[CG_BPTR], int *packed)
{
    const neurio_op *op = &c->m->ops[k];
    neurio_errbuf e = {{0}};
    fprintf(c->decl, "\n/* layer %d: %s '", k, neurio_op_name(op->kind));
    cg_comment(c->decl, op->name);
    fputs("' (banded) */\n", c->decl);
    int rc = lw_lower(c->m, k, l, &e);
    if (rc)
        return neurio_fail(c->err, rc, "codegen: %s", e.msg);
    const int conv = l->kernel == LW_K_CONV2D_S8 || l->kernel == LW_K_DWCONV2D_S8;
    if ((!conv && l->kernel != LW_K_ADD_S8) || (conv && l->n_args != 4) ||
        (!conv && (l->n_args != 3 || l->p.binary.broadcast)))
        return neurio_fail(c->err, NEURIO_ERR_INTERNAL,
                           "codegen: op %d (%s) '%s' is in a band chain but lowers to %s",
                           k, neurio_op_name(op->kind), op->name,
                           lw_kernel_get(l->kernel)->name);
    if ((rc = cg_emit_params(c, k, l)))
        return rc;
    snprintf(wb[0], CG_BPTR, "NULL");
    snprintf(wb[1], CG_BPTR, "NULL");
    *packed = 0;
    if (l->kernel == LW_K_CONV2D_S8) {
        char p[4][CG_BPTR];
        if ((rc = cg_conv_pack_decl(c, k, l, p, packed)))
            return rc;
        if (*packed) {
            snprintf(wb[0], CG_BPTR, "%s", p[1]);
            if (l->args[2] >= 0)
                snprintf(wb[1], CG_BPTR, "%s", p[2]);
            return NEURIO_OK;
        }
    }
    for (int32_t i = 1; conv && i < 3; i++)
        if (l->args[i] >= 0 && (rc = cg_ptr(c, l->args[i], wb[i - 1], CG_BPTR)))
            return rc;
    return NEURIO_OK;
}

int cg_emit_chain(cg_ctx *c, int32_t ci)
{
    const neurio_band_chain *ch = &c->plan->chains[ci];
    const int32_t n = ch->last_op - ch->first_op + 1;
    lw_op *l = calloc((size_t)n, sizeof *l);
    char (*wb)[CG_BPTR] = calloc((size_t)(2 * n), sizeof *wb);
    char (*base)[CG_BPTR] = calloc((size_t)(n + 1), sizeof *base);
    neurio_band_call *bc = calloc((size_t)n, sizeof *bc);
    int *packed = calloc((size_t)n, sizeof *packed);
    int rc = NEURIO_ERR_NOMEM;
    if (!l || !wb || !base || !bc || !packed) {
        neurio_fail(c->err, rc, "codegen: out of memory");
        goto done;
    }
    for (int32_t j = 0; j < n; j++)
        if ((rc = cg_band_lower(c, ch->first_op + j, &l[j], wb + 2 * j, &packed[j])))
            goto done;
    if ((rc = cg_ptr(c, ch->in_tensor, base[0], CG_BPTR)))
        goto done;
    for (int32_t j = 0; j < n; j++)
        if ((rc = cg_ptr(c, c->m->ops[ch->first_op + j].outputs[0], base[j + 1], CG_BPTR)))
            goto done;
    fprintf(c->body, "    /* layers %d..%d: banded, %d rows per band (%d bands); the "
                     "instructions count on layer %d */\n",
            ch->first_op, ch->last_op, ch->rows, ch->n_steps, ch->first_op);
    for (int32_t s = 0; s < ch->n_steps; s++)
        for (int32_t j = 0; j < n; j++) {
            if ((rc = neurio_band_call_of(c->m, ch, ch->first_op + j, s, &bc[j]))) {
                neurio_fail(c->err, NEURIO_ERR_INTERNAL,
                            "codegen: band chain of ops %d..%d has no schedule",
                            ch->first_op, ch->last_op);
                goto done;
            }
            cg_band_call(c, ch, ch->first_op + j, &l[j], packed[j], &bc[j],
                         j ? &bc[j - 1] : NULL, base, wb);
        }
    rc = NEURIO_OK;
done:
    for (int32_t j = 0; l && j < n; j++)
        lw_op_free(&l[j]);
    free(l);
    free(wb);
    free(base);
    free(bc);
    free(packed);
    return rc;
}

int cg_plan(const neurio_model *m, neurio_plan_options *po, uint64_t budget, neurio_plan **out,
            neurio_errbuf *err)
{
    int rc = neurio_plan_model(m, po, out, err);
    if (rc || po->band_rows > 0 || budget == 0 || (*out)->arena_bytes <= budget)
        return rc;
    int32_t h = 0; /* the tallest activation: more rows per band change nothing */
    for (int32_t t = 0; t < m->n_tensors; t++)
        if (m->tensors[t].rank == 4 && m->tensors[t].dims[1] > h)
            h = m->tensors[t].dims[1];
    neurio_plan *best = *out;
    for (int32_t r = h; r >= 1 && best->arena_bytes > budget; r--) {
        neurio_plan *p = NULL;
        po->band_rows = r;
        if ((rc = neurio_plan_model(m, po, &p, err))) {
            neurio_plan_free(best);
            *out = NULL;
            return rc;
        }
        if (p->n_chains > 0 && p->arena_bytes < best->arena_bytes) {
            neurio_plan_free(best);
            best = p;
        } else {
            neurio_plan_free(p);
        }
    }
    po->band_rows = best->n_chains > 0 ? best->chains[0].rows : 0;
    *out = best;
    return NEURIO_OK;
}

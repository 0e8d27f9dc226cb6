/* sdk/src/codegen/codegen_fcpack.c — FULLY_CONNECTED int8 on weights packed
 * at code generation (nk.h, nk_fc_pack): the packed words and folded
 * per-row constants are emitted under #if NK_FC_PACKED (cores with the DSP
 * extension), the plain weights and bias under #else, so each build holds
 * one layout; the parameter struct ng_p<oi> serves both calls.  The packed
 * weights are int8 or int16 (options.fc_weights; auto by flash_budget).  Layers of
 * at most CG_FC_SMALL MACs become straight-line C with the weights as
 * constants instead (same #if). */
#include <stdlib.h>
#include <string.h>

#include "codegen_internal.h"
#include "kernels/arm/nk_arm_requant.h"

/* Const tensor src, referenced by op oi's input slot only, not emitted
 * yet: then its emission can go under #else. */
int cg_exclusive_const(const cg_ctx *c, int32_t oi, int32_t t, int32_t *src)
{
    const neurio_tensor_place *pl = &c->plan->tensors[t];
    if (pl->kind != NEURIO_MEM_CONST || c->const_done[pl->index])
        return 0;
    *src = pl->index;
    int uses = 0;
    for (int32_t j = 0; j < c->m->n_ops; j++) {
        const neurio_op *op = &c->m->ops[j];
        for (int32_t i = 0; i < op->n_inputs; i++) {
            const int32_t u = op->inputs[i];
            if (u >= 0 && u < c->m->n_tensors && c->plan->tensors[u].kind == NEURIO_MEM_CONST &&
                c->plan->tensors[u].index == *src)
                uses += j == oi ? 1 : 1000;
        }
    }
    for (int32_t i = 0; i < c->m->n_outputs; i++)
        if (c->plan->tensors[c->m->outputs[i]].kind == NEURIO_MEM_CONST)
            uses += 1000;
    return uses == 1;
}

/* A layer of at most CG_FC_SMALL MACs and one batch as straight-line C:
 * each row is nk_fc_q_x2 of 2 (bias - in_zp sum w) + sum 2 w x with the
 * weights as constants, when every partial sum stays below 2^29 and the
 * requantization suits nk_fc_q_x2 (else *done = 0). */
#define CG_FC_SMALL 128
static int cg_fc_small(cg_ctx *c, int32_t oi, const lw_op *l, char (*p)[160],
                       const int8_t *w, const int32_t *bias, int *done)
{
    const nk_fc_params *fp = &l->p.fc;
    const int32_t depth = fp->in_depth;
    int64_t *k2 = calloc((size_t)fp->out_depth, sizeof *k2);
    if (!k2)
        return neurio_fail(c->err, NEURIO_ERR_NOMEM, "codegen: out of memory");
    for (int32_t o = 0; o < fp->out_depth; o++) {
        const int32_t q = fp->per_channel ? o : 0;
        const int64_t b = bias ? bias[o] : 0;
        int64_t sum = 0, mag = 0;
        for (int32_t d = 0; d < depth; d++) {
            const int32_t v = w[(size_t)o * depth + d];
            sum += v;
            mag += v < 0 ? -v : v;
        }
        const int64_t zp = fp->in_zp < 0 ? -(int64_t)fp->in_zp : fp->in_zp;
        if (!nk_arm_requant_x2_ok(fp->out_mult[q], fp->out_shift[q], fp->out_zp) ||
            (b < 0 ? -b : b) + (zp + 128) * mag >= ((int64_t)1 << 29)) {
            free(k2);
            return NEURIO_OK;
        }
        k2[o] = 2 * (b - (int64_t)fp->in_zp * sum);
    }
    int rc = cg_plain_consts(c, l, p, "NK_FC_PACKED");
    if (rc) {
        free(k2);
        return rc;
    }
    fprintf(c->body, "#if NK_FC_PACKED\n    {   /* straight-line: nk_fc_q_x2 (nk.h) */\n"
                     "        const int8_t *const ng_x = %s;\n        int8_t *const ng_y = %s;\n",
            p[0], p[3]);
    for (int32_t d = 0; d < depth; d++)
        fprintf(c->body, "        const int32_t ng_x%d = ng_x[%d];\n", d, d);
    for (int32_t o = 0; o < fp->out_depth; o++) {
        const int32_t q = fp->per_channel ? o : 0, e = -fp->out_shift[q];
        fprintf(c->body, "        ng_y[%d] = nk_fc_q_x2(%lld", o, (long long)k2[o]);
        for (int32_t d = 0; d < depth; d++)
            if (w[(size_t)o * depth + d])
                fprintf(c->body, " + %d * ng_x%d", 2 * w[(size_t)o * depth + d], d);
        fprintf(c->body, ", %ld, %ld, %d, %d, %d);\n", (long)fp->out_mult[q],
                (long)nk_arm_requant_x2_c0(fp->out_shift[q], fp->out_zp), (int)e,
                (int)fp->act_min, (int)fp->act_max);
    }
    fputs("    }\n", c->body);
    cg_plain_call(c, oi, l, p, "nk_fully_connected_s8");
    free(k2);
    if (c->layers)
        c->layers[oi].layout = NEURIO_LAYOUT_FC_STRAIGHT;
    *done = 1;
    return NEURIO_OK;
}

/* Flash the int16 layout of fp's weights takes beyond the int8 one. */
static uint64_t cg_fc_extra(const nk_fc_params *fp)
{
    return 4u * (uint64_t)(NK_FC_PACK_WORDS16(fp->in_depth, fp->out_depth) -
                           NK_FC_PACK_WORDS(fp->in_depth, fp->out_depth));
}

/* Compact mode packs (int8) a layer whose layout's padding (depth to 8,
 * rows to 4) adds at most CG_FC_COMPACT_PAD bytes, below 16 inputs per
 * row too (slower there, but the plain call links
 * nk_fully_connected_s8_dsp, 1,944 bytes of code at -O2, and the DSP
 * GEMM it calls, about 7 kB more: ad01's 8x128 layer), and no other. */
#define CG_FC_COMPACT_PAD 256
static int cg_fc_compact_pad(const nk_fc_params *fp, size_t n_w)
{
    return 4u * (uint64_t)NK_FC_PACK_WORDS(fp->in_depth, fp->out_depth) <=
           (uint64_t)n_w + CG_FC_COMPACT_PAD;
}

/* The layout of the next packed layer: as options.fc_weights says; auto =
 * int16 while the model's constants plus the int16 layouts chosen so far
 * and this one's stay within options.flash_budget (0: int8). */
static int cg_fc_wide(const cg_ctx *c, const nk_fc_params *fp)
{
    if (c->fc_weights != NEURIO_FC_WEIGHTS_AUTO)
        return c->fc_weights == NEURIO_FC_WEIGHTS_INT16;
    return c->flash_budget && c->const_bytes + c->fc16_bytes + cg_fc_extra(fp) <= c->flash_budget;
}

/* Count the layer (bytes: its packed arrays) and name its layout in
 * c->fc_layout ("..." once full) and c->layers. */
static void cg_fc_note(cg_ctx *c, int32_t oi, int wide, uint64_t extra, uint64_t bytes)
{
    char item[64];
    if (c->layers)
        c->layers[oi] = (neurio_codegen_layer){
            .layout = wide ? NEURIO_LAYOUT_FC_INT16 : NEURIO_LAYOUT_FC_INT8,
            .bytes = bytes, .added_bytes = wide ? extra : 0};
    if (wide) {
        c->fc_n16++;
        c->fc16_bytes += extra;
        snprintf(item, sizeof item, "op %d int16 (+%llu B)", (int)oi, (unsigned long long)extra);
    } else {
        c->fc_n8++;
        snprintf(item, sizeof item, "op %d int8", (int)oi);
    }
    const size_t len = strlen(c->fc_layout);
    if (len && strcmp(c->fc_layout + len - 3, "...") == 0)
        return;
    if (len + strlen(item) + 2 + 5 >= sizeof c->fc_layout)
        snprintf(c->fc_layout + len, sizeof c->fc_layout - len, "%s...", len ? ", " : "");
    else
        snprintf(c->fc_layout + len, sizeof c->fc_layout - len, "%s%s", len ? ", " : "", item);
}

const char *neurio_codegen_layout_name(int layout)
{
    static const char *const names[] = {NULL,           "plain",         "packed int8",
                                        "packed int16", "straight-line", "packed int16",
                                        "packed int16"};
    return layout > 0 && layout < (int)(sizeof names / sizeof names[0]) ? names[layout] : NULL;
}

int cg_fc_packed(cg_ctx *c, int32_t oi, const lw_op *l, char (*p)[160], int *done)
{
    *done = 0;
    const nk_fc_params *fp = &l->p.fc;
    int32_t wsrc = -1, bsrc = -1;
    if (l->kernel != LW_K_FC_S8 || l->n_args != 4 || fp->filter_zp != 0 || l->args[1] < 0 ||
        !cg_exclusive_const(c, oi, l->args[1], &wsrc) ||
        (l->args[2] >= 0 && !cg_exclusive_const(c, oi, l->args[2], &bsrc)))
        return NEURIO_OK;
    const neurio_tensor *wt = &c->m->tensors[wsrc];
    const neurio_tensor *bt = bsrc >= 0 ? &c->m->tensors[bsrc] : NULL;
    const size_t n_w = (size_t)fp->out_depth * (size_t)fp->in_depth;
    if (!cg_pack_input_ok(wt, bt, n_w, fp->out_depth))
        return NEURIO_OK;
    /* compact too: at most CG_FC_SMALL weights as instructions (a few bytes
     * each) link no FULLY_CONNECTED kernel at all (measured, bench_cortexm
     * --weights compact on mps2-an386: hello_world 20,332 bytes of flash
     * with its 1x16 and 16x1 layers plain/packed (nk_fully_connected_s8_dsp
     * and the GEMM it calls), 11,332 straight-line) */
    if (fp->batches == 1 && n_w <= CG_FC_SMALL) {
        int32_t *bias = NULL;
        if (cg_bias_copy(bt, fp->out_depth, &bias))
            return neurio_fail(c->err, NEURIO_ERR_NOMEM, "codegen: out of memory");
        int rc = cg_fc_small(c, oi, l, p, (const int8_t *)wt->data, bias, done);
        free(bias);
        if (rc || *done)
            return rc;
    }
    /* below 16 inputs per row (8 with int16 weights) the per-call work
     * outweighs the saving (measured: hello_world 1x16 and ad01 8x128 ran
     * slower with int8 packing; ad01 8x128: 4,971 -> 2,424 with int16) */
    const int wide = cg_fc_wide(c, fp);
    if (!wide && c->fc_weights == NEURIO_FC_WEIGHTS_AUTO && fp->in_depth >= 8)
        c->fc_budget8++; /* int16 would have been taken with more flash */
    if (c->compact && !wide ? !cg_fc_compact_pad(fp, n_w) : fp->in_depth < (wide ? 8 : 16))
        return NEURIO_OK;
    const int32_t n_words = wide ? NK_FC_PACK_WORDS16(fp->in_depth, fp->out_depth)
                                 : NK_FC_PACK_WORDS(fp->in_depth, fp->out_depth);
    const int32_t n_rows = NK_FC_PACK_ROWS(fp->out_depth);
    int32_t *w = malloc((size_t)n_words * sizeof *w);
    int32_t *k = malloc((size_t)n_rows * sizeof *k), *bias = NULL;
    int32_t x2 = 0;
    int rc = NEURIO_OK;
    if (cg_bias_copy(bt, fp->out_depth, &bias) || !w || !k) {
        rc = neurio_fail(c->err, NEURIO_ERR_NOMEM, "codegen: out of memory");
        goto fail;
    }
    if ((wide ? nk_fc_pack_s8_w16(fp, (const int8_t *)wt->data, bias, w, k, &x2)
              : nk_fc_pack_s8(fp, (const int8_t *)wt->data, bias, w, k, &x2)) != NK_OK)
        goto fail; /* a weight pair the layout cannot hold: the plain call */
    const uint64_t extra = cg_fc_extra(fp);
    fprintf(c->decl, "#if NK_FC_PACKED\n/* packed %s weights and folded constants (nk.h, "
                     "nk_fc_pack)%s */\n", wide ? "int16" : "int8",
            wide ? ": twice the int8 layout's flash" : "");
    cg_pack_i32(c, "fw", oi, w, n_words, 8);
    cg_pack_i32(c, "fk", oi, k, n_rows, 8);
    fprintf(c->decl,
            "static const nk_fc_pack ng_fp%d = {ng_fw%d, ng_fk%d, ng_fcx, %d, %d, %d};\n#endif\n",
            oi, oi, oi, NK_FC_PACK_DEPTH(fp->in_depth), (int)x2, wide);
    cg_fc_note(c, oi, wide, extra, 4u * ((uint64_t)n_words + (uint64_t)n_rows));
    if ((rc = cg_plain_consts(c, l, p, "NK_FC_PACKED")))
        goto fail;
    if (NK_FC_PACK_XWORDS(fp->in_depth) > c->fc_xwords)
        c->fc_xwords = NK_FC_PACK_XWORDS(fp->in_depth);
    cg_packed_call(c, oi, p, "NK_FC_PACKED",
                   wide ? "nk_fully_connected_s8_packed16" : "nk_fully_connected_s8_packed", "ng_fp");
    cg_plain_call(c, oi, l, p, "nk_fully_connected_s8");
    *done = 1;
fail:
    free(w);
    free(k);
    free(bias);
    return rc;
}

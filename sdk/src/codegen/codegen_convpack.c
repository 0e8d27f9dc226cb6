/* sdk/src/codegen/codegen_convpack.c — CONV_2D int8 on weights packed at
 * code generation (nk.h, nk_conv_pack): int16 weights in the order the DSP
 * patch kernel reads them and folded per-channel requantization constants
 * are emitted under #if NK_CONV_PACKED (cores with the DSP extension), the
 * plain weights and bias under #else, so each build holds one layout; the
 * parameter struct ng_p<oi> serves both calls.  The packed layout doubles
 * the weights' flash, so only layers of at most CG_CONV_PACK_MAX_BYTES
 * int8 weights take it (ResNet-8's first layer and its 3x3 layers over 16
 * and 32 input channels, flash +24 kB, 11 % fewer instructions; kws'
 * first layer). */
#include <stdlib.h>

#include "codegen_internal.h"

#define CG_CONV_PACK_MAX_BYTES 9216

/* The plain arrays under #if !NK_CONV_PACKED and (call) the call of both. */
static int cg_conv_packed_call(cg_ctx *c, int32_t oi, const lw_op *l, char (*p)[160], int call)
{
    int rc = cg_plain_consts(c, l, p, "NK_CONV_PACKED");
    if (rc || !call)
        return rc;
    cg_packed_call(c, oi, p, "NK_CONV_PACKED", "nk_conv2d_s8_packed", "ng_cp");
    cg_plain_call(c, oi, l, p, "nk_conv2d_s8");
    return NEURIO_OK;
}

/* The 2 x 2 layout (nk.h, nk_conv_pack.fl: an even out_c, at most
 * NK_CONV_PACK_FL_MAX_GROUPS groups; first layers read from a padded input
 * band, in_c % 4 == 0 from the input): one int32 stream, blocks of 2
 * pixels x 2 channels (arm/nk_arm_conv2d_fl.c).  Measured against the
 * 4-pixel patch layout (bench/arm/nk_arm_bench_main.c, "packed"): ResNet-8
 * 32x32x3 0.64 -> 0.94 MACs/instr, 32x32x16 3x3 1.15 -> 1.31, 16x16x32
 * 1.30 -> 1.44, 32x32x16 -> 32 s2 1.20 -> 1.36; kws 10x4x1 0.96 -> 1.07.
 * Band calls (codegen_band.c) take it too. */
static int cg_conv_packed_fl(cg_ctx *c, int32_t oi, const lw_op *l, const neurio_tensor *wt,
                             const neurio_tensor *bt, char (*p)[160], int *done, int call)
{
    const nk_conv_params *cp = &l->p.conv;
    const int32_t n = NK_CONV_PACK_FL_WORDS(cp);
    int32_t *fl = malloc((size_t)n * sizeof *fl), *bias = NULL;
    int rc = NEURIO_OK;
    if (cg_bias_copy(bt, cp->out_c, &bias) || !fl) {
        rc = neurio_fail(c->err, NEURIO_ERR_NOMEM, "codegen: out of memory");
        goto out;
    }
    if (nk_conv_pack_s8_fl(cp, (const int8_t *)wt->data, bias, fl) != NK_OK)
        goto out; /* a layer the layout does not suit: the plain call */
    fputs("#if NK_CONV_PACKED\n/* 2 x 2 packed stream (nk.h, nk_conv_pack.fl) */\n", c->decl);
    cg_pack_i32(c, "cf", oi, fl, n, 8);
    fprintf(c->decl, "static const nk_conv_pack ng_cp%d = {NULL, NULL, ng_cf%d};\n#endif\n", oi,
            oi);
    if ((rc = cg_conv_packed_call(c, oi, l, p, call)) == NEURIO_OK) {
        cg_conv_note(c, oi, l, NEURIO_LAYOUT_CONV_INT16, 4u * (uint64_t)n);
        *done = 1;
    }
out:
    free(fl);
    free(bias);
    return rc;
}

/* cg_conv_packed (call) or cg_conv_pack_decl (!call: no call; band calls
 * through nk_conv2d_s8_packed on either layout, whose partial windows, any
 * pad_top and a bottom cut inside the filter reach, test_nk_arm_dsp_qemu
 * covers: test_conv_packed, test_conv_packed_fl). */
static int cg_conv_pack_emit(cg_ctx *c, int32_t oi, const lw_op *l, char (*p)[160], int *done,
                             int call)
{
    *done = 0;
    const nk_conv_params *cp = &l->p.conv;
    int32_t wsrc = -1, bsrc = -1;
    if (c->compact)
        return NEURIO_OK; /* both layouts widen to int16: the plain call */
    if (l->kernel != LW_K_CONV2D_S8 || l->n_args != 4 || l->args[1] < 0 ||
        !cg_exclusive_const(c, oi, l->args[1], &wsrc) ||
        (l->args[2] >= 0 && !cg_exclusive_const(c, oi, l->args[2], &bsrc)))
        return NEURIO_OK;
    const int64_t len = (int64_t)cp->filter_h * cp->filter_w * cp->in_c;
    const int64_t n_w = (int64_t)cp->out_c * len;
    if (len < 1 || n_w > CG_CONV_PACK_MAX_BYTES || NK_CONV_PACK_LEN(len) > NK_CONV_PACK_MAX_LEN)
        return NEURIO_OK;
    /* 1x1: the GEMM core (nk_arm_conv2d_1x1.c) is as fast without doubling
     * the flash (measured: ResNet-8's stride-2 shortcuts, 200092 and 158290
     * instructions plain, 214308 and 145028 packed) */
    if (cp->filter_h == 1 && cp->filter_w == 1)
        return NEURIO_OK;
    const neurio_tensor *wt = &c->m->tensors[wsrc];
    const neurio_tensor *bt = bsrc >= 0 ? &c->m->tensors[bsrc] : NULL;
    if (!cg_pack_input_ok(wt, bt, (size_t)n_w, cp->out_c))
        return NEURIO_OK;
    int rc = NEURIO_OK;
    if (nk_conv_pack_fl_ok(cp) &&
        ((rc = cg_conv_packed_fl(c, oi, l, wt, bt, p, done, call)) || *done))
        return rc;
    const int32_t n_h = NK_CONV_PACK_HALVES((int32_t)len, cp->out_c), n_k = 4 * cp->out_c;
    int16_t *w = malloc((size_t)n_h * sizeof *w);
    int32_t *k = malloc((size_t)n_k * sizeof *k), *bias = NULL;
    if (cg_bias_copy(bt, cp->out_c, &bias) || !w || !k) {
        rc = neurio_fail(c->err, NEURIO_ERR_NOMEM, "codegen: out of memory");
        goto out;
    }
    if (nk_conv_pack_s8(cp, (const int8_t *)wt->data, bias, w, k) != NK_OK)
        goto out; /* a layer the layout does not suit: the plain call */
    fputs("#if NK_CONV_PACKED\n/* packed weights and folded constants (nk.h, nk_conv_pack) */\n",
          c->decl);
    cg_pack_i16(c, "cw", oi, w, n_h);
    cg_pack_i32(c, "ck", oi, k, n_k, 4);
    fprintf(c->decl, "static const nk_conv_pack ng_cp%d = {ng_cw%d, ng_ck%d, NULL};\n#endif\n", oi,
            oi, oi);
    if ((rc = cg_conv_packed_call(c, oi, l, p, call)) == NEURIO_OK) {
        cg_conv_note(c, oi, l, NEURIO_LAYOUT_CONV_INT16,
                     2u * (uint64_t)n_h + 4u * (uint64_t)n_k);
        *done = 1;
    }
out:
    free(w);
    free(k);
    free(bias);
    return rc;
}

int cg_conv_packed(cg_ctx *c, int32_t oi, const lw_op *l, char (*p)[160], int *done)
{
    return cg_conv_pack_emit(c, oi, l, p, done, 1);
}

int cg_conv_pack_decl(cg_ctx *c, int32_t oi, const lw_op *l, char (*p)[160], int *done)
{
    return cg_conv_pack_emit(c, oi, l, p, done, 0);
}

/* sdk/src/lower/lower_move.c — the ops that move or convert values without
 * arithmetic on them (issue 13): SLICE, TRANSPOSE, SPLIT/SPLIT_V/UNPACK,
 * GATHER, DEPTH_TO_SPACE/SPACE_TO_DEPTH, SELECT, RESIZE_NEAREST_NEIGHBOR
 * and RESIZE_BILINEAR, CAST.  Every geometry the kernel indexes with is
 * checked against the tensors' shapes here, so a model whose shapes
 * disagree is refused before anything runs. */
#include <stdlib.h>

#include "lower_internal.h"

static int32_t lw_esize(const lw_ctx *c, int32_t t)
{
    return (int32_t)neurio_dtype_size(lw_t(c, t)->dtype);
}

int lw_same_quant(lw_ctx *c, int32_t a, int32_t b)
{
    const neurio_quant *qa = &lw_t(c, a)->quant, *qb = &lw_t(c, b)->quant;
    if (qa->count == 0 && qb->count == 0)
        return NEURIO_OK;
    if (qa->count == 1 && qb->count == 1 && qa->scale[0] == qb->scale[0] &&
        (qa->zero_point ? qa->zero_point[0] : 0) == (qb->zero_point ? qb->zero_point[0] : 0))
        return NEURIO_OK;
    return lw_fail(c, NEURIO_ERR_UNSUPPORTED,
                   "tensors %d '%s' and %d '%s' must share one quantization (this op moves "
                   "raw values)", a, lw_t(c, a)->name, b, lw_t(c, b)->name);
}

static int lw_rank_ok(lw_ctx *c, int32_t t)
{
    int32_t r = lw_t(c, t)->rank;
    if (r < 1 || r > NK_MAX_DIMS)
        return lw_fail(c, NEURIO_ERR_UNSUPPORTED, "tensor %d '%s' has rank %d (1..%d supported)",
                       t, lw_t(c, t)->name, r, NK_MAX_DIMS);
    return NEURIO_OK;
}

int lw_slice(lw_ctx *c)
{
    int32_t in[3], y;
    int rc = lw_operands(c, 3, in, &y, NULL);
    if (rc || (rc = lw_rank_ok(c, in[0])) || (rc = lw_same_quant(c, in[0], y)))
        return rc;
    const neurio_tensor *tx = lw_t(c, in[0]), *tb = lw_t(c, in[1]), *ts = lw_t(c, in[2]);
    const neurio_tensor *ty = lw_t(c, y);
    int32_t r = tx->rank;
    if (!tb->data || !ts->data || (tb->dtype != NEURIO_DT_INT32 && tb->dtype != NEURIO_DT_INT64) ||
        (ts->dtype != NEURIO_DT_INT32 && ts->dtype != NEURIO_DT_INT64) ||
        neurio_tensor_elements(tb) != (size_t)r || neurio_tensor_elements(ts) != (size_t)r ||
        ty->rank != r || ty->dtype != tx->dtype)
        return lw_fail(c, NEURIO_ERR_UNSUPPORTED, "begin and size must be constant int32 "
                       "vectors of %d entries and the output a rank-%d %s tensor", r, r,
                       neurio_dtype_name(tx->dtype));
    nk_slice_params *p = &c->out->p.slice;
    p->rank = r;
    p->elem_size = lw_esize(c, y);
    for (int32_t d = 0; d < r; d++) {
        int64_t b = lw_const_int(tb, (size_t)d), s = lw_const_int(ts, (size_t)d);
        if (s == -1)
            s = tx->dims[d] - b;
        if (b < 0 || s < 0 || b + s > tx->dims[d] || s != ty->dims[d])
            return lw_fail(c, NEURIO_ERR_INVALID, "axis %d: begin %lld size %lld over %d gives "
                           "not the output's %d", d, (long long)b, (long long)s, tx->dims[d],
                           ty->dims[d]);
        p->in_dims[d] = tx->dims[d];
        p->begin[d] = (int32_t)b;
        p->step[d] = 1;
        p->out_dims[d] = ty->dims[d];
    }
    return lw_set(c, LW_K_SLICE, 2, (int32_t[]){in[0], y});
}

int lw_transpose(lw_ctx *c)
{
    int32_t x, y;
    int rc = lw_operands(c, 1, &x, &y, NULL);
    if (rc || (rc = lw_rank_ok(c, x)) || (rc = lw_same_quant(c, x, y)))
        return rc;
    const neurio_tensor *tx = lw_t(c, x), *ty = lw_t(c, y);
    nk_transpose_params *p = &c->out->p.transpose;
    unsigned seen = 0;
    p->rank = tx->rank;
    p->elem_size = lw_esize(c, x);
    if (ty->rank != tx->rank || ty->dtype != tx->dtype)
        return lw_fail(c, NEURIO_ERR_INVALID, "output rank or dtype differs from the input's");
    for (int32_t d = 0; d < tx->rank; d++) {
        int32_t q = c->op->attr.transpose.perm[d];
        if (q < 0 || q >= tx->rank || (seen & (1u << q)) || ty->dims[d] != tx->dims[q])
            return lw_fail(c, NEURIO_ERR_INVALID, "perm is not a permutation giving the output "
                           "shape (entry %d = %d)", d, q);
        seen |= 1u << q;
        p->in_dims[d] = tx->dims[d];
        p->perm[d] = q;
    }
    return lw_set(c, LW_K_TRANSPOSE, 2, (int32_t[]){x, y});
}

/* SPLIT, SPLIT_V (outputs keep the rank) and UNPACK (outputs drop the
 * axis): output i takes out_inner[i] elements per outer step. */
int lw_split(lw_ctx *c)
{
    const neurio_op *op = c->op;
    int rc = NEURIO_OK;
    int32_t x = lw_in(c, 0, &rc), n = op->n_outputs;
    if (x < 0 || (rc = lw_rank_ok(c, x)))
        return rc;
    const neurio_tensor *tx = lw_t(c, x);
    int32_t axis = op->attr.ext.axis, unpack = op->kind == NEURIO_OP_UNPACK;
    if (axis < 0 || axis >= tx->rank)
        return lw_fail(c, NEURIO_ERR_INVALID, "axis %d out of range for rank %d", axis, tx->rank);
    int32_t outer = 1, inner = 1, total = 0;
    for (int32_t d = 0; d < axis; d++)
        outer *= tx->dims[d];
    for (int32_t d = axis + 1; d < tx->rank; d++)
        inner *= tx->dims[d];
    int32_t *oi = lw_array_new(c, 0, "inner", n);
    int32_t *args = oi ? malloc(((size_t)n + 1) * sizeof *args) : NULL;
    if (!args)
        return oi ? neurio_fail(c->err, NEURIO_ERR_NOMEM, "out of memory") : NEURIO_ERR_NOMEM;
    args[0] = x;
    for (int32_t i = 0; i < n && !rc; i++) {
        const neurio_tensor *ty = lw_t(c, op->outputs[i]);
        int32_t part = unpack ? 1 : (ty->rank == tx->rank ? ty->dims[axis] : -1);
        if (ty->dtype != tx->dtype || part < 0 ||
            neurio_tensor_elements(ty) != (size_t)outer * (size_t)part * (size_t)inner)
            rc = lw_fail(c, NEURIO_ERR_INVALID, "output %d's shape is not a part of the input "
                         "along axis %d", i, axis);
        else if (!(rc = lw_same_quant(c, x, op->outputs[i]))) {
            oi[i] = part * inner;
            total += part;
            args[i + 1] = op->outputs[i];
        }
    }
    if (!rc && total != tx->dims[axis])
        rc = lw_fail(c, NEURIO_ERR_INVALID, "the outputs take %d of the %d entries along axis %d",
                     total, tx->dims[axis], axis);
    if (!rc) {
        c->out->p.split = (nk_split_params){.n_outputs = n, .outer = outer,
                                            .elem_size = lw_esize(c, x), .out_inner = oi};
        rc = lw_set(c, LW_K_SPLIT, n + 1, args);
    }
    free(args);
    return rc;
}

int lw_gather(lw_ctx *c)
{
    int32_t in[2], y;
    int rc = lw_operands(c, 2, in, &y, NULL);
    if (rc || (rc = lw_rank_ok(c, in[0])) || (rc = lw_same_quant(c, in[0], y)))
        return rc;
    const neurio_tensor *tx = lw_t(c, in[0]), *ti = lw_t(c, in[1]), *ty = lw_t(c, y);
    int32_t axis = c->op->attr.ext.axis, bd = c->op->attr.ext.batch_dims;
    if (bd < 0)
        bd += ti->rank;
    if (ti->dtype != NEURIO_DT_INT32 && ti->dtype != NEURIO_DT_INT64)
        return lw_fail(c, NEURIO_ERR_UNSUPPORTED, "indices are %s (int32 or int64 supported)",
                       neurio_dtype_name(ti->dtype));
    if (axis < 0 || axis >= tx->rank || bd < 0 || bd > axis || bd > ti->rank)
        return lw_fail(c, NEURIO_ERR_INVALID, "axis %d / batch_dims %d out of range", axis, bd);
    nk_gather_params *p = &c->out->p.gather;
    int64_t batches = 1, outer = 1, inner = 1, coords = 1;
    for (int32_t d = 0; d < bd; d++)
        batches *= tx->dims[d];
    for (int32_t d = bd; d < axis; d++)
        outer *= tx->dims[d];
    for (int32_t d = axis + 1; d < tx->rank; d++)
        inner *= tx->dims[d];
    for (int32_t d = bd; d < ti->rank; d++)
        coords *= ti->dims[d];
    if (ty->dtype != tx->dtype ||
        (int64_t)neurio_tensor_elements(ty) != batches * outer * coords * inner ||
        (int64_t)neurio_tensor_elements(ti) != batches * coords)
        return lw_fail(c, NEURIO_ERR_INVALID, "output shape does not match input, indices, "
                       "axis %d and batch_dims %d", axis, bd);
    *p = (nk_gather_params){.batches = (int32_t)batches, .outer = (int32_t)outer,
                            .axis_size = tx->dims[axis], .coords = (int32_t)coords,
                            .inner = (int32_t)inner, .elem_size = lw_esize(c, in[0]),
                            .index_size = (int32_t)neurio_dtype_size(ti->dtype)};
    return lw_set(c, LW_K_GATHER, 3, (int32_t[]){in[0], in[1], y});
}

int lw_space_depth(lw_ctx *c)
{
    int32_t x, y;
    int rc = lw_operands(c, 1, &x, &y, NULL);
    if (rc || (rc = lw_rank4(c, x, "input")) || (rc = lw_rank4(c, y, "output")) ||
        (rc = lw_same_quant(c, x, y)))
        return rc;
    const neurio_tensor *tx = lw_t(c, x), *ty = lw_t(c, y);
    int32_t b = c->op->attr.ext.block, d2s = c->op->kind == NEURIO_OP_DEPTH_TO_SPACE;
    int ok = b >= 1 && ty->dims[0] == tx->dims[0];
    if (ok && d2s)
        ok = tx->dims[3] % (b * b) == 0 && ty->dims[1] == tx->dims[1] * b &&
             ty->dims[2] == tx->dims[2] * b && ty->dims[3] == tx->dims[3] / (b * b);
    else if (ok)
        ok = tx->dims[1] % b == 0 && tx->dims[2] % b == 0 && ty->dims[1] == tx->dims[1] / b &&
             ty->dims[2] == tx->dims[2] / b && ty->dims[3] == tx->dims[3] * b * b;
    if (!ok)
        return lw_fail(c, NEURIO_ERR_INVALID, "block %d does not map the input shape onto the "
                       "output's", b);
    c->out->p.space_depth = (nk_space_depth_params){
        .batches = tx->dims[0], .in_h = tx->dims[1], .in_w = tx->dims[2], .in_c = tx->dims[3],
        .block = b, .elem_size = lw_esize(c, x)};
    return lw_set(c, d2s ? LW_K_DEPTH_TO_SPACE : LW_K_SPACE_TO_DEPTH, 2, (int32_t[]){x, y});
}

/* Element strides of t broadcast onto the output dims (0 on broadcast
 * axes); TFLite's SELECT with a rank-1 condition selects along axis 0. */
static int lw_bstrides(lw_ctx *c, int32_t t, const neurio_tensor *ty, int32_t *s, int sel_rank1)
{
    const neurio_tensor *tt = lw_t(c, t);
    int32_t r = ty->rank, stride = 1;
    if (sel_rank1) {
        for (int32_t d = 0; d < r; d++)
            s[d] = 0;
        s[0] = 1;
        return NEURIO_OK;
    }
    if (tt->rank > r)
        return lw_fail(c, NEURIO_ERR_INVALID, "tensor %d has a higher rank than the output", t);
    for (int32_t d = r - 1; d >= 0; d--) {
        int32_t id = d - (r - tt->rank), dim = id >= 0 ? tt->dims[id] : 1;
        if (dim != 1 && dim != ty->dims[d])
            return lw_fail(c, NEURIO_ERR_INVALID, "tensor %d dim %d is %d, output's is %d (not "
                           "broadcastable)", t, id, dim, ty->dims[d]);
        s[d] = dim == 1 ? 0 : stride;
        stride *= dim;
    }
    return NEURIO_OK;
}

int lw_select(lw_ctx *c)
{
    int32_t in[3], y;
    int rc = lw_operands(c, 3, in, &y, NULL);
    if (rc || (rc = lw_rank_ok(c, y)) || (rc = lw_same_quant(c, in[1], y)) ||
        (rc = lw_same_quant(c, in[2], y)))
        return rc;
    const neurio_tensor *tc = lw_t(c, in[0]), *ty = lw_t(c, y);
    if (tc->dtype != NEURIO_DT_BOOL || lw_t(c, in[1])->dtype != ty->dtype ||
        lw_t(c, in[2])->dtype != ty->dtype)
        return lw_fail(c, NEURIO_ERR_INVALID, "condition must be bool and both values the "
                       "output's dtype");
    nk_select_params *p = &c->out->p.select;
    p->rank = ty->rank;
    p->elem_size = lw_esize(c, y);
    for (int32_t d = 0; d < ty->rank; d++)
        p->out_dims[d] = ty->dims[d];
    int rank1 = tc->rank == 1 && ty->rank > 1 && tc->dims[0] == ty->dims[0];
    if ((rc = lw_bstrides(c, in[0], ty, p->cond_strides, rank1)) ||
        (rc = lw_bstrides(c, in[1], ty, p->x_strides, 0)) ||
        (rc = lw_bstrides(c, in[2], ty, p->y_strides, 0)))
        return rc;
    if (rank1) /* the condition's row index steps once per output row */
        p->cond_strides[0] = 1;
    return lw_set(c, LW_K_SELECT, 4, (int32_t[]){in[0], in[1], in[2], y});
}

int lw_resize(lw_ctx *c)
{
    int rc = NEURIO_OK;
    int32_t x = lw_in(c, 0, &rc), y = c->op->outputs[0];
    if (x < 0 || (rc = lw_rank4(c, x, "input")) || (rc = lw_rank4(c, y, "output")) ||
        (rc = lw_same_quant(c, x, y)))
        return rc;
    const neurio_tensor *tx = lw_t(c, x), *ty = lw_t(c, y);
    if (tx->dtype != ty->dtype || tx->dims[0] != ty->dims[0] || tx->dims[3] != ty->dims[3])
        return lw_fail(c, NEURIO_ERR_INVALID, "output batch, channels or dtype differ from the "
                       "input's");
    c->out->p.resize = (nk_resize_params){
        .batches = tx->dims[0], .in_h = tx->dims[1], .in_w = tx->dims[2], .channels = tx->dims[3],
        .out_h = ty->dims[1], .out_w = ty->dims[2],
        .align_corners = c->op->attr.ext.align_corners,
        .half_pixel_centers = c->op->attr.ext.half_pixel_centers, .elem_size = lw_esize(c, x)};
    lw_kernel k = LW_K_RESIZE_NEAREST;
    if (c->op->kind == NEURIO_OP_RESIZE_BILINEAR) {
        switch (tx->dtype) {
        case NEURIO_DT_INT8: k = LW_K_RESIZE_BILINEAR_S8; break;
        case NEURIO_DT_INT16: k = LW_K_RESIZE_BILINEAR_S16; break;
        case NEURIO_DT_FLOAT32: k = LW_K_RESIZE_BILINEAR_F32; break;
        default:
            return lw_fail(c, NEURIO_ERR_UNSUPPORTED, "dtype %s (int8, int16, float32 kernels)",
                           neurio_dtype_name(tx->dtype));
        }
    }
    return lw_set(c, k, 2, (int32_t[]){x, y});
}

/* NK_DT_* of a tensor dtype, or -1. */
static int32_t lw_nk_dt(neurio_dtype dt)
{
    switch (dt) {
    case NEURIO_DT_BOOL: return NK_DT_BOOL;
    case NEURIO_DT_INT8: return NK_DT_S8;
    case NEURIO_DT_UINT8: return NK_DT_U8;
    case NEURIO_DT_INT16: return NK_DT_S16;
    case NEURIO_DT_INT32: return NK_DT_S32;
    case NEURIO_DT_UINT32: return NK_DT_U32;
    case NEURIO_DT_INT64: return NK_DT_S64;
    case NEURIO_DT_UINT64: return NK_DT_U64;
    case NEURIO_DT_FLOAT32: return NK_DT_F32;
    default: return -1;
    }
}

int lw_cast(lw_ctx *c)
{
    int32_t x, y;
    int rc = lw_operands(c, 1, &x, &y, NULL);
    if (rc)
        return rc;
    const neurio_tensor *tx = lw_t(c, x), *ty = lw_t(c, y);
    int32_t from = lw_nk_dt(tx->dtype), to = lw_nk_dt(ty->dtype);
    if (from < 0 || to < 0)
        return lw_fail(c, NEURIO_ERR_UNSUPPORTED, "cast from %s to %s",
                       neurio_dtype_name(tx->dtype), neurio_dtype_name(ty->dtype));
    if (neurio_tensor_elements(tx) != neurio_tensor_elements(ty))
        return lw_fail(c, NEURIO_ERR_INVALID, "input and output element counts differ");
    c->out->p.cast = (nk_cast_params){.size = (int32_t)neurio_tensor_elements(tx), .from = from,
                                      .to = to};
    return lw_set(c, LW_K_CAST, 2, (int32_t[]){x, y});
}

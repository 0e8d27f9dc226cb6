/* sdk/src/import/tflite/tflite_ext_ops.c — the extended operator set of
 * issue 13 (SLICE, SPLIT, GATHER, comparisons, reductions, ...): TFLite
 * builtin code -> neurio op kind, and their options (field numbers from the
 * public schema.fbs option tables) into op->attr. */
#include <stdio.h>

#include "tflite_internal.h"

/* BuiltinOptions union type ids of the options read here. */
enum {
    OPT_L2NORM = 12, OPT_RESIZE_BILINEAR = 15, OPT_SPACE_TO_DEPTH = 19, OPT_GATHER = 23,
    OPT_DIV = 29, OPT_PACK = 59, OPT_UNPACK = 64, OPT_RESIZE_NEAREST = 74,
    OPT_DEPTH_TO_SPACE = 94, OPT_BATCH_MATMUL = 101
};

static const struct {
    int32_t code;
    neurio_op_kind kind;
    uint8_t opt;
} ext_map[] = {
    {65, NEURIO_OP_SLICE, 0},
    {49, NEURIO_OP_SPLIT, 0},
    {102, NEURIO_OP_SPLIT_V, 0},
    {88, NEURIO_OP_UNPACK, OPT_UNPACK},
    {83, NEURIO_OP_PACK, OPT_PACK},
    {36, NEURIO_OP_GATHER, OPT_GATHER},
    {5, NEURIO_OP_DEPTH_TO_SPACE, OPT_DEPTH_TO_SPACE},
    {26, NEURIO_OP_SPACE_TO_DEPTH, OPT_SPACE_TO_DEPTH},
    {64, NEURIO_OP_SELECT, 0},
    {123, NEURIO_OP_SELECT, 0},
    {97, NEURIO_OP_RESIZE_NEAREST, OPT_RESIZE_NEAREST},
    {23, NEURIO_OP_RESIZE_BILINEAR, OPT_RESIZE_BILINEAR},
    {117, NEURIO_OP_HARD_SWISH, 0},
    {54, NEURIO_OP_PRELU, 0},
    {50, NEURIO_OP_LOG_SOFTMAX, 0},
    {11, NEURIO_OP_L2_NORMALIZATION, OPT_L2NORM},
    {42, NEURIO_OP_DIV, OPT_DIV},
    {99, NEURIO_OP_SQUARED_DIFFERENCE, 0},
    {55, NEURIO_OP_MAXIMUM, 0},
    {57, NEURIO_OP_MINIMUM, 0},
    {71, NEURIO_OP_EQUAL, 0},
    {72, NEURIO_OP_NOT_EQUAL, 0},
    {58, NEURIO_OP_LESS, 0},
    {63, NEURIO_OP_LESS_EQUAL, 0},
    {61, NEURIO_OP_GREATER, 0},
    {62, NEURIO_OP_GREATER_EQUAL, 0},
    {86, NEURIO_OP_LOGICAL_AND, 0},
    {84, NEURIO_OP_LOGICAL_OR, 0},
    {87, NEURIO_OP_LOGICAL_NOT, 0},
    {101, NEURIO_OP_ABS, 0},
    {59, NEURIO_OP_NEG, 0},
    {76, NEURIO_OP_RSQRT, 0},
    {75, NEURIO_OP_SQRT, 0},
    {47, NEURIO_OP_EXP, 0},
    {73, NEURIO_OP_LOG, 0},
    {53, NEURIO_OP_CAST, 0},
    {74, NEURIO_OP_SUM, OPT_REDUCER},
    {82, NEURIO_OP_REDUCE_MAX, OPT_REDUCER},
    {89, NEURIO_OP_REDUCE_MIN, OPT_REDUCER},
    {126, NEURIO_OP_BATCH_MATMUL, OPT_BATCH_MATMUL},
    {43, NEURIO_OP_SQUEEZE, 0},
    {70, NEURIO_OP_EXPAND_DIMS, 0},
};

int ntfl_map_ext_kind(int32_t code, neurio_op_kind *k, uint8_t *opt_type)
{
    for (size_t i = 0; i < sizeof ext_map / sizeof ext_map[0]; i++)
        if (ext_map[i].code == code) {
            *k = ext_map[i].kind;
            *opt_type = ext_map[i].opt;
            return 1;
        }
    return 0;
}

/* One constant int32/int64 scalar (or 1-element vector) input k. */
static int const_scalar(ntfl_opctx *o, neurio_op *op, int k, const char *what, int32_t *v)
{
    int32_t vals[1], n = 0;
    int rc = ntfl_const_ints(o, op, k, what, vals, 1, &n);
    if (rc)
        return rc;
    if (n != 1)
        return ntfl_op_fail(o, NEURIO_ERR_FORMAT, "%s (input %d) must hold one value", what, k);
    *v = vals[0];
    return NEURIO_OK;
}

/* axis in -rank..rank-1 -> 0..rank-1 into *out. */
static int norm_axis(ntfl_opctx *o, int32_t axis, int32_t rank, int32_t *out)
{
    if (axis < -rank || axis >= rank)
        return ntfl_op_fail(o, NEURIO_ERR_FORMAT, "axis %d is outside -%d..%d", axis, rank,
                            rank - 1);
    *out = axis < 0 ? axis + rank : axis;
    return NEURIO_OK;
}

static int32_t rank_of(const ntfl_opctx *o, int32_t t)
{
    return t >= 0 ? o->t->m->tensors[t].rank : 0;
}

/* SPLIT (axis, x) and SPLIT_V (x, size_splits, axis) become (x) with
 * attr.ext.axis; the split sizes are the outputs' shapes. */
static int split_inputs(ntfl_opctx *o, neurio_op *op)
{
    int is_v = op->kind == NEURIO_OP_SPLIT_V;
    int32_t axis = 0;
    int rc;
    if (op->n_inputs != (is_v ? 3 : 2))
        return ntfl_op_fail(o, NEURIO_ERR_FORMAT, "has %d inputs, expected %d", op->n_inputs,
                            is_v ? 3 : 2);
    if ((rc = const_scalar(o, op, is_v ? 2 : 0, "axis", &axis)))
        return rc;
    int32_t x = op->inputs[is_v ? 0 : 1];
    if (x < 0)
        return ntfl_op_fail(o, NEURIO_ERR_FORMAT, "the data input is absent");
    op->inputs[0] = x;
    op->n_inputs = 1;
    return norm_axis(o, axis, rank_of(o, x), &op->attr.ext.axis);
}

int ntfl_ext_options(ntfl_opctx *o, neurio_op *op)
{
    nfb_buf *b = &o->t->b;
    int rc = NEURIO_OK;
    int32_t i32 = 0, i32b = 0;
    uint8_t u8a = 0, u8b = 0;
    int32_t x = op->n_inputs > 0 ? op->inputs[0] : -1;
    switch (op->kind) {
    case NEURIO_OP_SPLIT:
    case NEURIO_OP_SPLIT_V: return split_inputs(o, op);
    case NEURIO_OP_UNPACK:
    case NEURIO_OP_PACK:
        if (o->has_opt && (rc = nfb_i32(b, &o->opt, 1, "axis", 0, &i32)))
            return rc;
        return norm_axis(o, i32,
                         op->kind == NEURIO_OP_PACK ? rank_of(o, op->outputs[0]) : rank_of(o, x),
                         &op->attr.ext.axis);
    case NEURIO_OP_GATHER:
        if (o->has_opt && ((rc = nfb_i32(b, &o->opt, 0, "axis", 0, &i32)) ||
                           (rc = nfb_i32(b, &o->opt, 1, "batch_dims", 0, &i32b))))
            return rc;
        op->attr.ext.batch_dims = i32b;
        return norm_axis(o, i32, rank_of(o, x), &op->attr.ext.axis);
    case NEURIO_OP_DEPTH_TO_SPACE:
    case NEURIO_OP_SPACE_TO_DEPTH:
        if (o->has_opt && (rc = nfb_i32(b, &o->opt, 0, "block_size", 0, &i32)))
            return rc;
        if (i32 < 1)
            return ntfl_op_fail(o, NEURIO_ERR_FORMAT, "block_size %d must be >= 1", i32);
        op->attr.ext.block = i32;
        return NEURIO_OK;
    case NEURIO_OP_RESIZE_BILINEAR:
    case NEURIO_OP_RESIZE_NEAREST: {
        int base = op->kind == NEURIO_OP_RESIZE_BILINEAR ? 2 : 0;
        if (o->has_opt && ((rc = nfb_u8(b, &o->opt, base, "align_corners", 0, &u8a)) ||
                           (rc = nfb_u8(b, &o->opt, base + 1, "half_pixel_centers", 0, &u8b))))
            return rc;
        op->attr.ext.align_corners = u8a != 0;
        op->attr.ext.half_pixel_centers = u8b != 0;
        return NEURIO_OK;
    }
    case NEURIO_OP_DIV:
    case NEURIO_OP_L2_NORMALIZATION:
        if (o->has_opt && (rc = nfb_u8(b, &o->opt, 0, "fused_activation_function", 0, &u8a)))
            return rc;
        if (u8a > 3)
            return ntfl_op_fail(o, NEURIO_ERR_UNSUPPORTED, "fused activation %u is not "
                                "supported; neurio fuses NONE, RELU, RELU_N1_TO_1 and RELU6",
                                u8a);
        if (op->kind == NEURIO_OP_L2_NORMALIZATION && u8a != 0)
            return ntfl_op_fail(o, NEURIO_ERR_UNSUPPORTED, "a fused activation on "
                                "L2_NORMALIZATION is not supported (TFLite Micro has none)");
        op->attr.eltwise.activation = u8a == 1   ? NEURIO_ACT_RELU
                                      : u8a == 2 ? NEURIO_ACT_RELU_N1_TO_1
                                      : u8a == 3 ? NEURIO_ACT_RELU6
                                                 : NEURIO_ACT_NONE;
        return NEURIO_OK;
    case NEURIO_OP_SUM:
    case NEURIO_OP_REDUCE_MAX:
    case NEURIO_OP_REDUCE_MIN: {
        int32_t vals[NEURIO_MAX_RANK], n = 0, rank = rank_of(o, x);
        if (o->has_opt && (rc = nfb_u8(b, &o->opt, 0, "keep_dims", 0, &u8a)))
            return rc;
        if ((rc = ntfl_const_ints(o, op, 1, "axes", vals, NEURIO_MAX_RANK, &n)))
            return rc;
        op->attr.mean.keep_dims = u8a != 0;
        op->attr.mean.n_axes = n;
        for (int32_t i = 0; i < n; i++)
            if ((rc = norm_axis(o, vals[i], rank, &op->attr.mean.axes[i])))
                return rc;
        return NEURIO_OK;
    }
    case NEURIO_OP_BATCH_MATMUL:
        if (o->has_opt && ((rc = nfb_u8(b, &o->opt, 0, "adj_x", 0, &u8a)) ||
                           (rc = nfb_u8(b, &o->opt, 1, "adj_y", 0, &u8b))))
            return rc;
        op->attr.ext.adj_x = u8a != 0;
        op->attr.ext.adj_y = u8b != 0;
        return NEURIO_OK;
    default:
        return NEURIO_OK; /* the output tensors' shapes and dtypes say the rest */
    }
}

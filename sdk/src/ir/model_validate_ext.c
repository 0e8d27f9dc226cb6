/* sdk/src/ir/model_validate_ext.c — neurio_model_validate()'s rules for the
 * extended operator set (issue 13): input and output counts, which inputs
 * must be constants, the dtypes an op ties together and the element counts
 * of the shape-preserving ops.  The lowering (sdk/src/lower/) checks the
 * geometry each kernel needs before anything runs. */
#include <stdio.h>

#include "model_validate_internal.h"

typedef struct ext_rule {
    neurio_op_kind kind;
    int16_t min_in, max_in;  /* input count range                           */
    int16_t n_out;           /* output count, -1: one or more                */
    int16_t same_dtype;      /* output 0 (every output) has input 0's dtype   */
    int16_t same_count;      /* output 0 has input 0's element count          */
    int16_t const_from;      /* inputs from this index on must be constants
                                (-1: none)                                    */
} ext_rule;

static const ext_rule ext_rules[] = {
    {NEURIO_OP_SLICE, 3, 3, 1, 1, 0, 1},
    {NEURIO_OP_SPLIT, 1, 1, -1, 1, 0, -1},
    {NEURIO_OP_SPLIT_V, 1, 1, -1, 1, 0, -1},
    {NEURIO_OP_UNPACK, 1, 1, -1, 1, 0, -1},
    {NEURIO_OP_PACK, 1, 1024, 1, 1, 0, -1},
    {NEURIO_OP_GATHER, 2, 2, 1, 1, 0, -1},
    {NEURIO_OP_DEPTH_TO_SPACE, 1, 1, 1, 1, 1, -1},
    {NEURIO_OP_SPACE_TO_DEPTH, 1, 1, 1, 1, 1, -1},
    {NEURIO_OP_SELECT, 3, 3, 1, 0, 0, -1},
    {NEURIO_OP_RESIZE_NEAREST, 1, 2, 1, 1, 0, 1},
    {NEURIO_OP_RESIZE_BILINEAR, 1, 2, 1, 1, 0, 1},
    {NEURIO_OP_HARD_SWISH, 1, 1, 1, 1, 1, -1},
    {NEURIO_OP_PRELU, 2, 2, 1, 1, 1, -1},
    {NEURIO_OP_LOG_SOFTMAX, 1, 1, 1, 1, 1, -1},
    {NEURIO_OP_L2_NORMALIZATION, 1, 1, 1, 1, 1, -1},
    {NEURIO_OP_DIV, 2, 2, 1, 1, 0, -1},
    {NEURIO_OP_SQUARED_DIFFERENCE, 2, 2, 1, 1, 0, -1},
    {NEURIO_OP_MAXIMUM, 2, 2, 1, 1, 0, -1},
    {NEURIO_OP_MINIMUM, 2, 2, 1, 1, 0, -1},
    {NEURIO_OP_EQUAL, 2, 2, 1, 0, 0, -1},
    {NEURIO_OP_NOT_EQUAL, 2, 2, 1, 0, 0, -1},
    {NEURIO_OP_LESS, 2, 2, 1, 0, 0, -1},
    {NEURIO_OP_LESS_EQUAL, 2, 2, 1, 0, 0, -1},
    {NEURIO_OP_GREATER, 2, 2, 1, 0, 0, -1},
    {NEURIO_OP_GREATER_EQUAL, 2, 2, 1, 0, 0, -1},
    {NEURIO_OP_LOGICAL_AND, 2, 2, 1, 1, 0, -1},
    {NEURIO_OP_LOGICAL_OR, 2, 2, 1, 1, 0, -1},
    {NEURIO_OP_LOGICAL_NOT, 1, 1, 1, 1, 1, -1},
    {NEURIO_OP_ABS, 1, 1, 1, 1, 1, -1},
    {NEURIO_OP_NEG, 1, 1, 1, 1, 1, -1},
    {NEURIO_OP_RSQRT, 1, 1, 1, 1, 1, -1},
    {NEURIO_OP_SQRT, 1, 1, 1, 1, 1, -1},
    {NEURIO_OP_EXP, 1, 1, 1, 1, 1, -1},
    {NEURIO_OP_LOG, 1, 1, 1, 1, 1, -1},
    {NEURIO_OP_CAST, 1, 1, 1, 0, 1, -1},
    {NEURIO_OP_SUM, 1, 2, 1, 1, 0, 1},
    {NEURIO_OP_REDUCE_MAX, 1, 2, 1, 1, 0, 1},
    {NEURIO_OP_REDUCE_MIN, 1, 2, 1, 1, 0, 1},
    {NEURIO_OP_BATCH_MATMUL, 2, 2, 1, 1, 0, -1},
    {NEURIO_OP_SQUEEZE, 1, 1, 1, 1, 1, -1},
    {NEURIO_OP_EXPAND_DIMS, 1, 2, 1, 1, 1, 1},
};

static const ext_rule *ext_rule_of(neurio_op_kind k)
{
    for (size_t i = 0; i < sizeof ext_rules / sizeof ext_rules[0]; i++)
        if (ext_rules[i].kind == k)
            return &ext_rules[i];
    return NULL;
}

int nir_is_ext_op(neurio_op_kind k)
{
    return ext_rule_of(k) != NULL;
}

int nir_check_ext_op(vctx *c)
{
    const ext_rule *r = ext_rule_of(c->op->kind);
    const neurio_op *op = c->op;
    if (!r)
        return nir_op_fail(c, NEURIO_ERR_INVALID, "unknown op kind %d", (int)op->kind);
    if (op->n_inputs < r->min_in || op->n_inputs > r->max_in)
        return nir_op_fail(c, NEURIO_ERR_INVALID, "has %d inputs, expected %d..%d", op->n_inputs,
                           r->min_in, r->max_in);
    if (r->n_out >= 0 ? op->n_outputs != r->n_out : op->n_outputs < 1)
        return nir_op_fail(c, NEURIO_ERR_INVALID, "has %d outputs, expected %s%d",
                           op->n_outputs, r->n_out >= 0 ? "" : "at least ",
                           r->n_out >= 0 ? r->n_out : 1);
    for (int32_t k = 0; k < op->n_inputs; k++) {
        if (op->inputs[k] < 0)
            return nir_op_fail(c, NEURIO_ERR_INVALID, "input %d is absent", (int)k);
        if (r->const_from >= 0 && k >= r->const_from && !c->m->tensors[op->inputs[k]].data)
            return nir_op_fail(c, NEURIO_ERR_UNSUPPORTED,
                               "input %d ('%.60s') must be a constant; computed shapes, "
                               "axes and sizes are not supported", (int)k,
                               c->m->tensors[op->inputs[k]].name);
    }
    const neurio_tensor *x = &c->m->tensors[op->inputs[0]];
    for (int32_t k = 0; k < op->n_outputs; k++) {
        const neurio_tensor *y = &c->m->tensors[op->outputs[k]];
        if (r->same_dtype && y->dtype != x->dtype)
            return nir_op_fail(c, NEURIO_ERR_INVALID,
                               "output %d '%.60s' is %s but input 0 '%.60s' is %s", (int)k,
                               y->name, neurio_dtype_name(y->dtype), x->name,
                               neurio_dtype_name(x->dtype));
        if (r->same_count && neurio_tensor_elements(y) != neurio_tensor_elements(x))
            return nir_op_fail(c, NEURIO_ERR_INVALID,
                               "output '%.60s' has %zu elements, input '%.60s' has %zu",
                               y->name, neurio_tensor_elements(y), x->name,
                               neurio_tensor_elements(x));
    }
    return NEURIO_OK;
}

int nir_op_moves_raw_values(neurio_op_kind k)
{
    switch (k) {
    case NEURIO_OP_RESHAPE:
    case NEURIO_OP_TRANSPOSE:
    case NEURIO_OP_CAST:
    case NEURIO_OP_SLICE:
    case NEURIO_OP_SPLIT:
    case NEURIO_OP_SPLIT_V:
    case NEURIO_OP_UNPACK:
    case NEURIO_OP_PACK:
    case NEURIO_OP_GATHER:
    case NEURIO_OP_DEPTH_TO_SPACE:
    case NEURIO_OP_SPACE_TO_DEPTH:
    case NEURIO_OP_SELECT:
    case NEURIO_OP_RESIZE_NEAREST:
    case NEURIO_OP_SQUEEZE:
    case NEURIO_OP_EXPAND_DIMS: return 1;
    default: return 0;
    }
}

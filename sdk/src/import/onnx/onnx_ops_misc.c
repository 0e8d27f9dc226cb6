/* sdk/src/import/onnx/onnx_ops_misc.c — ONNX BatchNormalization, Constant,
 * QuantizeLinear/DequantizeLinear (QDQ graphs as quantized tensors) and the
 * Identity/Dropout aliases. */
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "onnx_internal.h"

int ox_batchnorm(ox_ctx *c)
{
    const ox_value *x = ox_need(c, 0, "X");
    if (!x)
        return NEURIO_ERR_FORMAT;
    if (ox_attr_int(c, "training_mode", 0) || c->node->n_output > 1)
        return ox_fail(c, NEURIO_ERR_UNSUPPORTED, "training mode");
    const neurio_tensor *t = &c->m->tensors[x->t];
    if (!x->nhwc && t->rank != 2)
        return ox_fail(c, NEURIO_ERR_UNSUPPORTED, "rank-%d input (only NCHW 4-D or [N,C])", (int)t->rank);
    int32_t C = t->dims[t->rank - 1];
    int32_t ins[5] = { x->t };
    for (int i = 1; i < 5; i++) {
        const ox_value *v = ox_need(c, i, "scale/B/mean/var");
        if (!v)
            return NEURIO_ERR_FORMAT;
        size_t n;
        if (!ox_const_floats(c, v, &n) || n != (size_t)C)
            return ox_fail(c, NEURIO_ERR_UNSUPPORTED, "input %d '%s' must be a constant float[%d]",
                           i, v->name, (int)C);
        ins[i] = v->t;
    }
    int32_t bd[NEURIO_MAX_RANK];
    memcpy(bd, t->dims, sizeof bd);
    int32_t op = ox_emit(c, NEURIO_OP_BATCH_NORM, 5, ins, t->dtype, t->rank, bd, -1, x->nhwc);
    if (op < 0)
        return NEURIO_ERR_NOMEM;
    c->m->ops[op].attr.batch_norm.epsilon = ox_attr_float(c, "epsilon", 1e-5f);
    return NEURIO_OK;
}

int ox_constant(ox_ctx *c)
{
    const Onnx__AttributeProto *a;
    const char *name = c->node->output[0];
    int32_t t;
    if ((a = ox_attr(c, "value")) && a->t) {
        t = ox_tensor_from_proto(c, a->t, name);
        if (t == -2)
            return ox_fail(c, NEURIO_ERR_UNSUPPORTED, "empty constant");
    } else if ((a = ox_attr(c, "value_float")) && a->has_f) {
        t = ox_new_const(c, name, NEURIO_DT_FLOAT32, 0, NULL, &a->f);
    } else if ((a = ox_attr(c, "value_int")) && a->has_i) {
        t = ox_new_const(c, name, NEURIO_DT_INT64, 0, NULL, &a->i);
    } else if ((a = ox_attr(c, "value_floats")) && a->n_floats) {
        int32_t n = (int32_t)a->n_floats;
        t = ox_new_const(c, name, NEURIO_DT_FLOAT32, 1, &n, a->floats);
    } else if ((a = ox_attr(c, "value_ints")) && a->n_ints) {
        int32_t n = (int32_t)a->n_ints;
        t = ox_new_const(c, name, NEURIO_DT_INT64, 1, &n, a->ints);
    } else {
        return ox_fail(c, NEURIO_ERR_UNSUPPORTED, "Constant without a value/value_float(s)/value_int(s)");
    }
    if (t < 0)
        return NEURIO_ERR_FORMAT;
    return ox_bind(c, name, t, 0);
}

/* QDQ: DequantizeLinear on a constant quantizes that constant; on an
 * activation it is an alias of the quantized tensor. */
static int ox_qparams(ox_ctx *c, int32_t *count, float **scale, int32_t **zp, neurio_dtype *zdt)
{
    const ox_value *s = ox_need(c, 1, "scale"), *z = ox_input(c, 2);
    if (!s)
        return NEURIO_ERR_FORMAT;
    size_t n;
    const float *sf = ox_const_floats(c, s, &n);
    if (!sf || n == 0)
        return ox_fail(c, NEURIO_ERR_UNSUPPORTED, "scale must be a float constant");
    *count = (int32_t)n;
    *scale = malloc(n * sizeof **scale);
    *zp = calloc(n, sizeof **zp);
    if (!*scale || !*zp)
        return ox_fail(c, NEURIO_ERR_NOMEM, "out of memory");
    memcpy(*scale, sf, n * sizeof **scale);
    *zdt = NEURIO_DT_UINT8;
    if (z) {
        const neurio_tensor *zt = &c->m->tensors[z->t];
        if (!zt->data || neurio_tensor_elements(zt) != n ||
            (zt->dtype != NEURIO_DT_INT8 && zt->dtype != NEURIO_DT_UINT8 && zt->dtype != NEURIO_DT_INT32))
            return ox_fail(c, NEURIO_ERR_UNSUPPORTED, "zero_point must be an int8/uint8 constant like scale");
        *zdt = zt->dtype;
        for (size_t i = 0; i < n; i++)
            (*zp)[i] = zt->dtype == NEURIO_DT_INT8 ? ((const int8_t *)zt->data)[i]
                     : zt->dtype == NEURIO_DT_UINT8 ? ((const uint8_t *)zt->data)[i]
                     : ((const int32_t *)zt->data)[i];
    }
    return NEURIO_OK;
}

int ox_qdq(ox_ctx *c, int dequant)
{
    const ox_value *x = ox_need(c, 0, "x");
    if (!x)
        return NEURIO_ERR_FORMAT;
    int32_t count = 0, *zp = NULL, rc;
    float *scale = NULL;
    neurio_dtype zdt;
    if ((rc = ox_qparams(c, &count, &scale, &zp, &zdt)) != NEURIO_OK)
        goto fail;
    x = ox_input(c, 0);
    int32_t xt = x->t, nhwc = x->nhwc;
    neurio_tensor *t = &c->m->tensors[xt];
    /* uint8 QDQ inside the graph becomes int8 with zero point - 128 (the
     * same real values; neurio's kernels are int8).  Constant uint8 data is
     * shifted too; graph inputs/outputs keep their uint8 type. */
    int u8 = zdt == NEURIO_DT_UINT8 &&
             (dequant ? (t->data != NULL && t->dtype == NEURIO_DT_UINT8)
                      : !ox_is_graph_output(c, c->node->output[0]));
    if (u8) {
        for (int32_t i = 0; i < count; i++)
            zp[i] -= 128;
        zdt = NEURIO_DT_INT8;
        if (dequant) {
            uint8_t *d = t->data;
            size_t n = neurio_tensor_elements(t);
            for (size_t i = 0; i < n; i++)
                d[i] = (uint8_t)(int8_t)((int)d[i] - 128);
            t->dtype = NEURIO_DT_INT8;
        }
    }
    int32_t axis = (int32_t)ox_attr_int(c, "axis", 1);
    if (axis < 0)
        axis += t->rank;
    if (count > 1 && (axis < 0 || axis >= t->rank || t->dims[axis] != count || nhwc)) {
        rc = ox_fail(c, NEURIO_ERR_UNSUPPORTED, "per-axis quantization on axis %d", (int)axis);
        goto fail;
    }
    if (dequant) {
        if (t->dtype != NEURIO_DT_INT8 && t->dtype != NEURIO_DT_UINT8 && t->dtype != NEURIO_DT_INT32) {
            rc = ox_fail(c, NEURIO_ERR_UNSUPPORTED, "dequantizing %s", neurio_dtype_name(t->dtype));
            goto fail;
        }
        if (t->data || t->quant.count == 0) {
            if ((rc = neurio_tensor_set_quant(c->m, xt, count, count > 1 ? axis : 0, scale, zp)))
                goto fail;
        }
        if (!t->data && ox_is_graph_output(c, c->node->output[0])) {
            int32_t dd[NEURIO_MAX_RANK];
            memcpy(dd, t->dims, sizeof dd);
            int32_t out = ox_new_output(c, 0, NEURIO_DT_FLOAT32, t->rank, dd);
            if (out < 0 || ox_add_op(c, NEURIO_OP_DEQUANTIZE, 1, &xt, 1, &out) < 0) {
                rc = NEURIO_ERR_NOMEM;
                goto fail;
            }
            rc = ox_bind(c, c->node->output[0], out, nhwc);
            goto fail;
        }
        rc = ox_bind(c, c->node->output[0], xt, nhwc);
        goto fail;
    }
    /* QuantizeLinear */
    if (count != 1) {
        rc = ox_fail(c, NEURIO_ERR_UNSUPPORTED, "per-axis QuantizeLinear of an activation");
        goto fail;
    }
    if (t->dtype != NEURIO_DT_FLOAT32) {
        rc = ox_fail(c, NEURIO_ERR_UNSUPPORTED, "quantizing %s", neurio_dtype_name(t->dtype));
        goto fail;
    }
    int32_t prod = t->producer;
    int retype = !t->data && prod >= 0 && ox_use_count(c, x->name) == 0 &&
                 c->m->ops[prod].kind != NEURIO_OP_DEQUANTIZE;
    if (retype) {
        /* the producer computes in int8 when its first input is int8 */
        int32_t pin = c->m->ops[prod].n_inputs ? c->m->ops[prod].inputs[0] : -1;
        neurio_dtype pdt = pin >= 0 ? c->m->tensors[pin].dtype : NEURIO_DT_FLOAT32;
        retype = pdt == NEURIO_DT_INT8 || pdt == NEURIO_DT_UINT8;
    }
    if (retype) {
        t->dtype = zdt == NEURIO_DT_INT8 ? NEURIO_DT_INT8 : NEURIO_DT_UINT8;
        if ((rc = neurio_tensor_set_quant(c->m, xt, 1, 0, scale, zp)))
            goto fail;
        rc = ox_bind(c, c->node->output[0], xt, nhwc);
        goto fail;
    }
    int32_t dims[NEURIO_MAX_RANK];
    memcpy(dims, t->dims, sizeof dims);
    int32_t out = ox_new_output(c, 0, zdt == NEURIO_DT_INT8 ? NEURIO_DT_INT8 : NEURIO_DT_UINT8,
                                t->rank, dims);
    if (out < 0 || neurio_tensor_set_quant(c->m, out, 1, 0, scale, zp) ||
        ox_add_op(c, NEURIO_OP_QUANTIZE, 1, &xt, 1, &out) < 0) {
        rc = NEURIO_ERR_NOMEM;
        goto fail;
    }
    rc = ox_bind(c, c->node->output[0], out, nhwc);
fail:
    free(scale);
    free(zp);
    return rc;
}

int ox_alias(ox_ctx *c)
{
    const ox_value *x = ox_need(c, 0, "input");
    if (!x)
        return NEURIO_ERR_FORMAT;
    if (c->node->n_output > 1 && c->node->output[1] && *c->node->output[1] &&
        ox_use_count(c, c->node->output[1]) > 0)
        return ox_fail(c, NEURIO_ERR_UNSUPPORTED, "the mask output is used");
    const ox_value *tm = !strcmp(c->node->op_type, "Dropout") ? ox_input(c, 2) : NULL;
    if (tm) {
        const neurio_tensor *tt = &c->m->tensors[tm->t];
        if (!tt->data || ((const uint8_t *)tt->data)[0])
            return ox_fail(c, NEURIO_ERR_UNSUPPORTED,
                           "training_mode is not constant false (inference only)");
    }
    if (ox_attr_int(c, "is_test", 1) == 0 && !strcmp(c->node->op_type, "Dropout") && c->opset < 7)
        return ox_fail(c, NEURIO_ERR_UNSUPPORTED, "training mode");
    int32_t t = x->t, nhwc = x->nhwc;
    if (ox_is_graph_output(c, c->node->output[0])) /* keep a computed output */
        return ox_unary(c, NEURIO_OP_RESHAPE, NULL);
    return ox_bind(c, c->node->output[0], t, nhwc);
}

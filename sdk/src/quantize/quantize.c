/* sdk/src/quantize/quantize.c — neurio_quantize(): "none" leaves the model alone;
 * "int8" is TFLite-style full-integer post-training quantization of a float
 * model, "int16x8" the same with int16 activations (symmetric, zero point 0)
 * and int64 biases (see neurio/quantize.h for the scheme).  Calibration ranges come from
 * quantize_calib.c. */
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "neurio/quantize.h"
#include "quantize_internal.h"

/* Asymmetric int8 parameters covering [lo, hi] (always including 0); with
 * wide, symmetric int16 ones (zero point 0, max(|lo|, |hi|) at 32767). */
static void nq_act_params(float lo, float hi, int wide, float *scale, int32_t *zp)
{
    lo = fminf(lo, 0.0f);
    hi = fmaxf(hi, 0.0f);
    if (wide) {
        float mag = fmaxf(-lo, hi);
        *scale = (mag < 1e-8f ? 1e-8f : mag) / 32767.0f;
        *zp = 0;
        return;
    }
    if (hi - lo < 1e-8f)
        hi = lo + 1e-8f;
    *scale = (hi - lo) / 255.0f;
    double z = round(-128.0 - (double)lo / (double)*scale);
    if (isnan(z)) /* a degenerate range: no finite zero point, take 0 */
        z = 0.0;
    *zp = (int32_t)(z < -128 ? -128 : z > 127 ? 127 : z);
}

static int nq_fail_op(const neurio_model *m, int32_t i, neurio_errbuf *err, int st,
                      const char *what)
{
    return neurio_fail(err, st, "quantize: op %d (%s '%s'): %s", (int)i,
                       neurio_op_name(m->ops[i].kind), m->ops[i].name ? m->ops[i].name : "", what);
}

static int nq_is_act(const neurio_tensor *t)
{
    return !t->data && t->dtype == NEURIO_DT_FLOAT32;
}

/* Replace constant input k of op i by a new int8 tensor: per-channel
 * symmetric along axis when axis >= 0, else per-tensor asymmetric (wide:
 * an int16 tensor, per-tensor symmetric, as the activations it meets). */
static int nq_weights(neurio_model *m, int32_t i, int k, int32_t axis, int wide,
                      neurio_errbuf *err)
{
    int32_t src = m->ops[i].inputs[k];
    const neurio_tensor *w = &m->tensors[src];
    size_t n = neurio_tensor_elements(w);
    int32_t C = axis >= 0 ? w->dims[axis] : 1;
    size_t inner = 1;
    if (axis >= 0)
        for (int32_t d = axis + 1; d < w->rank; d++)
            inner *= (size_t)w->dims[d];
    float *scale = calloc((size_t)C, sizeof *scale);
    int32_t *zp = calloc((size_t)C, sizeof *zp);
    int8_t *q = malloc((n ? n : 1) * (wide ? 2 : 1));
    int16_t *q16 = (int16_t *)(void *)q;
    int rc = NEURIO_OK;
    if (!scale || !zp || !q) {
        rc = neurio_fail(err, NEURIO_ERR_NOMEM, "out of memory");
        goto done;
    }
    const float *f = w->data;
    if (axis >= 0) {
        for (size_t e = 0; e < n; e++) {
            int32_t c = (int32_t)((e / inner) % (size_t)C);
            scale[c] = fmaxf(scale[c], fabsf(f[e]));
        }
        for (int32_t c = 0; c < C; c++)
            scale[c] = scale[c] > 0 ? scale[c] / 127.0f : 1e-6f;
        for (size_t e = 0; e < n; e++) {
            int32_t c = (int32_t)((e / inner) % (size_t)C);
            double v = round((double)f[e] / (double)scale[c]);
            if (isnan(v)) /* a NaN weight: the cast below would be undefined */
                v = 0.0;
            q[e] = (int8_t)(v < -127 ? -127 : v > 127 ? 127 : v);
        }
    } else {
        float lo = 0, hi = 0;
        for (size_t e = 0; e < n; e++) {
            lo = fminf(lo, f[e]);
            hi = fmaxf(hi, f[e]);
        }
        nq_act_params(lo, hi, wide && axis < 0, &scale[0], &zp[0]);
        for (size_t e = 0; e < n; e++) {
            double v = round((double)f[e] / (double)scale[0]) + zp[0];
            if (isnan(v)) /* a NaN weight: the cast below would be undefined */
                v = 0.0;
            if (wide && axis < 0)
                q16[e] = (int16_t)(v < -32768 ? -32768 : v > 32767 ? 32767 : v);
            else
                q[e] = (int8_t)(v < -128 ? -128 : v > 127 ? 127 : v);
        }
    }
    char name[300];
    int32_t dims[NEURIO_MAX_RANK];
    memcpy(dims, w->dims, sizeof dims);
    int32_t rank = w->rank;
    const int w16 = wide && axis < 0;
    snprintf(name, sizeof name, "%s_%s", w->name, w16 ? "int16" : "int8");
    int32_t t = neurio_model_add_tensor(m, name, w16 ? NEURIO_DT_INT16 : NEURIO_DT_INT8, rank,
                                        dims);
    if (t < 0 || neurio_tensor_set_data(m, t, q, n * (w16 ? 2 : 1)) ||
        neurio_tensor_set_quant(m, t, C, axis >= 0 ? axis : 0, scale, zp)) {
        rc = neurio_fail(err, NEURIO_ERR_NOMEM, "out of memory");
        goto done;
    }
    m->ops[i].inputs[k] = t;
done:
    free(scale);
    free(zp);
    free(q);
    return rc;
}

/* int32 bias for op i (wide: int64, as TFLite's 16x8 scheme): scale =
 * input scale * weight scale[c]. */
static int nq_bias(neurio_model *m, int32_t i, int wide, neurio_errbuf *err)
{
    neurio_op *op = &m->ops[i];
    if (op->n_inputs < 3 || op->inputs[2] < 0)
        return NEURIO_OK;
    const neurio_tensor *x = &m->tensors[op->inputs[0]], *w = &m->tensors[op->inputs[1]];
    const neurio_tensor *b = &m->tensors[op->inputs[2]];
    if (!b->data || b->dtype != NEURIO_DT_FLOAT32)
        return nq_fail_op(m, i, err, NEURIO_ERR_UNSUPPORTED, "bias must be a float constant");
    int32_t C = (int32_t)neurio_tensor_elements(b);
    if (w->quant.count != C && w->quant.count != 1)
        return nq_fail_op(m, i, err, NEURIO_ERR_INVALID, "bias size does not match the weights");
    if (x->quant.count < 1 || !x->quant.scale || w->quant.count < 1 || !w->quant.scale)
        return nq_fail_op(m, i, err, NEURIO_ERR_INVALID,
                          "the bias needs a quantized input and quantized weights (one has no scale)");
    float *scale = malloc((size_t)C * sizeof *scale);
    int32_t *zp = calloc((size_t)C, sizeof *zp);
    int64_t *q = malloc((size_t)C * sizeof *q);
    int32_t *q32 = (int32_t *)(void *)q;
    int rc = NEURIO_OK;
    if (!scale || !zp || !q) {
        rc = neurio_fail(err, NEURIO_ERR_NOMEM, "out of memory");
        goto done;
    }
    const float *f = b->data;
    for (int32_t c = 0; c < C; c++) {
        scale[c] = x->quant.scale[0] * w->quant.scale[w->quant.count == 1 ? 0 : c];
        double v = round((double)f[c] / (double)scale[c]);
        if (isnan(v)) {
            char what[160];
            snprintf(what, sizeof what,
                     "bias element %d is not a number after scaling (bias %g, scale %g)", (int)c,
                     (double)f[c], (double)scale[c]);
            rc = nq_fail_op(m, i, err, NEURIO_ERR_INVALID, what);
            goto done;
        }
        if (wide)
            q[c] = (int64_t)(v < -9.2e18 ? -9.2e18 : v > 9.2e18 ? 9.2e18 : v);
        else
            q32[c] = (int32_t)(v < -2147483647.0 ? -2147483647.0
                               : v > 2147483647.0 ? 2147483647.0 : v);
    }
    char name[300];
    snprintf(name, sizeof name, "%s_%s", b->name, wide ? "int64" : "int32");
    int32_t t = neurio_model_add_tensor(m, name, wide ? NEURIO_DT_INT64 : NEURIO_DT_INT32, 1, &C);
    if (t < 0 || neurio_tensor_set_data(m, t, q, (size_t)C * (wide ? 8 : 4)) ||
        neurio_tensor_set_quant(m, t, C, 0, scale, zp)) {
        rc = neurio_fail(err, NEURIO_ERR_NOMEM, "out of memory");
        goto done;
    }
    m->ops[i].inputs[2] = t;
done:
    free(scale);
    free(zp);
    free(q);
    return rc;
}

static int nq_set_act(neurio_model *m, int32_t t, int wide, float scale, int32_t zp)
{
    m->tensors[t].dtype = wide ? NEURIO_DT_INT16 : NEURIO_DT_INT8;
    return neurio_tensor_set_quant(m, t, 1, 0, &scale, &zp);
}

/* Already-quantized models are left as they are; mixed ones are refused. */
static int nq_check_float(const neurio_model *m, const char *mode, int *all_int8,
                          neurio_errbuf *err)
{
    int n_float = 0, n_q = 0;
    for (int32_t t = 0; t < m->n_tensors; t++) {
        const neurio_tensor *tt = &m->tensors[t];
        if (tt->data)
            continue;
        if (tt->dtype == NEURIO_DT_FLOAT32)
            n_float++;
        else if (tt->dtype == NEURIO_DT_INT8 || tt->dtype == NEURIO_DT_UINT8 ||
                 tt->dtype == NEURIO_DT_INT16)
            n_q++;
    }
    *all_int8 = n_q > 0 && n_float == 0;
    if (n_q > 0 && n_float > 0)
        return neurio_fail(err, NEURIO_ERR_UNSUPPORTED,
                           "quantize = \"%s\": the model mixes float and quantized activations "
                           "(%d float, %d quantized); give a float model or a quantized model",
                           mode, n_float, n_q);
    return NEURIO_OK;
}

static int nq_check_ops(const neurio_model *m, neurio_errbuf *err)
{
    for (int32_t i = 0; i < m->n_ops; i++) {
        switch (m->ops[i].kind) {
        case NEURIO_OP_BATCH_NORM:
        case NEURIO_OP_MATMUL:
        case NEURIO_OP_QUANTIZE:
        case NEURIO_OP_DEQUANTIZE:
            return nq_fail_op(m, i, err, NEURIO_ERR_UNSUPPORTED,
                              "has no int8 form in neurio (run neurio_optimize first to fold "
                              "batch norms)");
        default:
            break;
        }
    }
    return NEURIO_OK;
}

static int nq_int8(neurio_model *m, const neurio_prepare_args *args, int wide,
                   neurio_errbuf *err)
{
    const char *mode = wide ? "int16x8" : "int8";
    nq_method method;
    int all_int8, rc;
    if ((rc = nq_parse_method(args->size >= offsetof(neurio_prepare_args, calibration_method) +
                                                  sizeof(const char *)
                                  ? args->calibration_method : NULL,
                              &method, err)) != NEURIO_OK)
        return rc;
    if ((rc = nq_check_float(m, mode, &all_int8, err)) != NEURIO_OK)
        return rc;
    if (all_int8)
        return NEURIO_OK; /* already quantized (e.g. a quantized TFLite model) */
    if (!args->calibration || !*args->calibration)
        return neurio_fail(err, NEURIO_ERR_CONFIG,
                           "model.quantize = \"%s\" on a float model needs model.calibration "
                           "= \"samples.npy\" (a few hundred typical inputs, [N] + input shape)",
                           mode);
    if ((rc = nq_check_ops(m, err)) != NEURIO_OK)
        return rc;
    nq_range *r = calloc((size_t)m->n_tensors + 1, sizeof *r);
    if (!r)
        return neurio_fail(err, NEURIO_ERR_NOMEM, "out of memory");
    size_t used = 0;
    int have_list = args->size >= offsetof(neurio_prepare_args, n_calibrations) +
                                      sizeof args->n_calibrations &&
                    args->n_calibrations > 0 && args->calibrations;
    if ((rc = nq_calibrate(m, have_list ? args->calibrations : &args->calibration,
                           have_list ? args->n_calibrations : 1, method, r, &used, err)) !=
        NEURIO_OK)
        goto done;
    int32_t n_tensors = m->n_tensors; /* tensors added below are constants */
    float *scale = calloc((size_t)n_tensors + 1, sizeof *scale);
    int32_t *zp = calloc((size_t)n_tensors + 1, sizeof *zp);
    unsigned char *done_t = calloc((size_t)n_tensors + 1, 1);
    if (!scale || !zp || !done_t) {
        free(scale);
        free(zp);
        free(done_t);
        rc = neurio_fail(err, NEURIO_ERR_NOMEM, "out of memory");
        goto done;
    }
    /* 1. activation parameters, in execution order */
    for (int32_t k = 0; k < m->n_inputs; k++) {
        int32_t t = m->inputs[k];
        nq_act_params(r[t].lo, r[t].hi, wide, &scale[t], &zp[t]);
        done_t[t] = 1;
    }
    for (int32_t i = 0; i < m->n_ops && !rc; i++) {
        const neurio_op *op = &m->ops[i];
        int32_t y = op->outputs[0], x = op->n_inputs > 0 ? op->inputs[0] : -1;
        if (!nq_is_act(&m->tensors[y]))
            continue;
        switch (op->kind) {
        case NEURIO_OP_SOFTMAX:
        case NEURIO_OP_LOGISTIC:
            scale[y] = wide ? 1.0f / 32768.0f : 1.0f / 256.0f;
            zp[y] = wide ? 0 : -128;
            break;
        case NEURIO_OP_TANH:
            scale[y] = wide ? 1.0f / 32768.0f : 1.0f / 128.0f;
            zp[y] = 0;
            break;
        case NEURIO_OP_RESHAPE:
        case NEURIO_OP_MAX_POOL_2D:
        case NEURIO_OP_AVERAGE_POOL_2D:
        case NEURIO_OP_PAD:
        case NEURIO_OP_STRIDED_SLICE:
        case NEURIO_OP_SLICE:
        case NEURIO_OP_TRANSPOSE:
        case NEURIO_OP_SQUEEZE:
        case NEURIO_OP_EXPAND_DIMS:
        case NEURIO_OP_DEPTH_TO_SPACE:
        case NEURIO_OP_SPACE_TO_DEPTH: /* copies: the output keeps the input's quantization */
            if (x >= 0 && done_t[x]) {
                scale[y] = scale[x];
                zp[y] = zp[x];
                break;
            }
            /* fall through */
        default:
            if (!r[y].seen)
                rc = nq_fail_op(m, i, err, NEURIO_ERR_INTERNAL, "output never observed");
            nq_act_params(r[y].lo, r[y].hi, wide, &scale[y], &zp[y]);
            break;
        }
        done_t[y] = 1;
    }
    for (int32_t t = 0; t < n_tensors && !rc; t++)
        if (done_t[t])
            rc = nq_set_act(m, t, wide, scale[t], zp[t]);
    free(scale);
    free(zp);
    free(done_t);
    /* 2. constants */
    for (int32_t i = 0; i < m->n_ops && !rc; i++) {
        neurio_op *op = &m->ops[i];
        switch (op->kind) {
        case NEURIO_OP_CONV_2D:
        case NEURIO_OP_FULLY_CONNECTED:
        case NEURIO_OP_DEPTHWISE_CONV_2D:
        case NEURIO_OP_TRANSPOSE_CONV: {
            const neurio_tensor *w = &m->tensors[op->inputs[1]];
            if (!w->data || w->dtype != NEURIO_DT_FLOAT32) {
                rc = nq_fail_op(m, i, err, NEURIO_ERR_UNSUPPORTED, "weights must be float constants");
                break;
            }
            int32_t axis = op->kind == NEURIO_OP_DEPTHWISE_CONV_2D ? w->rank - 1 : 0;
            if (!(rc = nq_weights(m, i, 1, axis, wide, err)))
                rc = nq_bias(m, i, wide, err);
            break;
        }
        default:
            for (int32_t k = 0; k < op->n_inputs && !rc; k++) {
                int32_t t = op->inputs[k];
                if (t < 0 || !m->tensors[t].data || m->tensors[t].dtype != NEURIO_DT_FLOAT32)
                    continue;
                if (op->kind == NEURIO_OP_ADD || op->kind == NEURIO_OP_SUB ||
                    op->kind == NEURIO_OP_MUL || op->kind == NEURIO_OP_CONCATENATION)
                    rc = nq_weights(m, i, (int)k, -1, wide, err);
                else if (op->kind == NEURIO_OP_PRELU && k == 1) /* int8 alpha, also 16x8 */
                    rc = nq_weights(m, i, (int)k, -1, 0, err);
                else
                    rc = nq_fail_op(m, i, err, NEURIO_ERR_UNSUPPORTED,
                                    "has a float constant input with no quantized form");
            }
            break;
        }
    }
    if (!rc)
        rc = neurio_model_compact(m, err);
    if (!rc)
        rc = neurio_model_validate(m, err);
done:
    free(r);
    return rc;
}

int neurio_quantize(neurio_model *m, const neurio_prepare_args *args, neurio_errbuf *err)
{
    if (!m)
        return neurio_fail(err, NEURIO_ERR_INVALID, "quantize: no model");
    if (!args || !args->quantize || !*args->quantize || strcmp(args->quantize, "none") == 0)
        return NEURIO_OK;
    if (strcmp(args->quantize, "int8") == 0)
        return nq_int8(m, args, 0, err);
    if (strcmp(args->quantize, "int16x8") == 0)
        return nq_int8(m, args, 1, err);
    return neurio_fail(err, NEURIO_ERR_CONFIG,
                       "model.quantize = \"%s\": expected \"none\", \"int8\" or \"int16x8\"",
                       args->quantize);
}

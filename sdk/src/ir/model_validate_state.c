/* sdk/src/ir/model_validate_state.c — structural checks of SVDF,
 * UNIDIRECTIONAL_SEQUENCE_LSTM and the Signal ops: what their kernels
 * (firmware/kernels/nk_seq.h, nk_signal.h) assume about shapes, dtypes,
 * state tensors and attributes, checked once here so the interpreter and
 * the code generator can rely on it. */
#include <stdarg.h>
#include <stdio.h>

#include "model_validate_internal.h"

typedef struct sctx {
    const neurio_model *m;
    const neurio_op *op;
    int32_t i;
    neurio_errbuf *err;
} sctx;

static int sfail(sctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int sfail(sctx *c, const char *fmt, ...)
{
    char msg[360];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return neurio_fail(c->err, NEURIO_ERR_INVALID, "op %d (%s '%s'): %s", (int)c->i,
                       neurio_op_name(c->op->kind), c->op->name ? c->op->name : "", msg);
}

static const neurio_tensor *sin_t(sctx *c, int k)
{
    return k < c->op->n_inputs && c->op->inputs[k] >= 0 ? &c->m->tensors[c->op->inputs[k]]
                                                       : NULL;
}

/* Input k present with the given dtype and rank (rank < 0: any). */
static int sneed(sctx *c, int k, const char *role, neurio_dtype dt, int rank,
                 const neurio_tensor **out)
{
    const neurio_tensor *t = sin_t(c, k);
    if (!t)
        return sfail(c, "input %d (%s) is missing", k, role);
    if (dt != NEURIO_DT_UNKNOWN && t->dtype != dt)
        return sfail(c, "input %d (%s) '%.60s' is %s, expected %s", k, role, t->name,
                     neurio_dtype_name(t->dtype), neurio_dtype_name(dt));
    if (rank >= 0 && t->rank != rank)
        return sfail(c, "input %d (%s) '%.60s' has rank %d, expected %d", k, role, t->name,
                     t->rank, rank);
    *out = t;
    return NEURIO_OK;
}

static int sout(sctx *c, int k, neurio_dtype dt, const neurio_tensor **out)
{
    if (k >= c->op->n_outputs)
        return sfail(c, "output %d is missing", k);
    const neurio_tensor *t = &c->m->tensors[c->op->outputs[k]];
    if (dt != NEURIO_DT_UNKNOWN && t->dtype != dt)
        return sfail(c, "output %d '%.60s' is %s, expected %s", k, t->name,
                     neurio_dtype_name(t->dtype), neurio_dtype_name(dt));
    *out = t;
    return NEURIO_OK;
}

static int svariable(sctx *c, const neurio_tensor *t, int k, size_t elements)
{
    if (!t->is_variable)
        return sfail(c, "input %d '%.60s' must be a variable (state) tensor", k, t->name);
    if (neurio_tensor_elements(t) != elements)
        return sfail(c, "state input %d '%.60s' has %zu elements, expected %zu", k, t->name,
                     neurio_tensor_elements(t), elements);
    return NEURIO_OK;
}

static int check_svdf(sctx *c)
{
    const neurio_tensor *x = NULL, *wf = NULL, *wt = NULL, *st = NULL, *y = NULL;
    int rc;
    if ((rc = sneed(c, 0, "input", NEURIO_DT_UNKNOWN, 2, &x)) ||
        (rc = sneed(c, 1, "weights_feature", NEURIO_DT_UNKNOWN, 2, &wf)) ||
        (rc = sneed(c, 2, "weights_time", NEURIO_DT_UNKNOWN, 2, &wt)) ||
        (rc = sneed(c, 4, "activation_state", NEURIO_DT_UNKNOWN, 2, &st)) ||
        (rc = sout(c, 0, x->dtype, &y)))
        return rc;
    const int32_t rank = c->op->attr.svdf.rank, nf = wf->dims[0], nm = wt->dims[1];
    if (rank < 1 || nf % rank)
        return sfail(c, "rank %d does not divide the %d filters", rank, nf);
    if (wf->dims[1] != x->dims[1] || wt->dims[0] != nf || !wf->data || !wt->data)
        return sfail(c, "weights_feature [%d, %d] and weights_time [%d, %d] must be constants "
                     "of [filters, input %d] and [filters, memory]", wf->dims[0], wf->dims[1],
                     wt->dims[0], wt->dims[1], x->dims[1]);
    if (y->rank != 2 || y->dims[0] != x->dims[0] || y->dims[1] != nf / rank)
        return sfail(c, "output '%.60s' must be [batches %d, units %d]", y->name, x->dims[0],
                     nf / rank);
    if ((rc = svariable(c, st, 4, (size_t)x->dims[0] * nf * nm)))
        return rc;
    if (x->dtype == NEURIO_DT_FLOAT32) {
        if (wf->dtype != x->dtype || wt->dtype != x->dtype || st->dtype != x->dtype)
            return sfail(c, "float SVDF needs float weights and state");
    } else if (x->dtype == NEURIO_DT_INT8) {
        if (wf->dtype != NEURIO_DT_INT8 ||
            (wt->dtype != NEURIO_DT_INT8 && wt->dtype != NEURIO_DT_INT16) || st->dtype != wt->dtype)
            return sfail(c, "int8 SVDF needs int8 weights_feature and int8 or int16 "
                         "weights_time and state of the same type (has %s, %s, %s)",
                         neurio_dtype_name(wf->dtype), neurio_dtype_name(wt->dtype),
                         neurio_dtype_name(st->dtype));
    } else {
        return sfail(c, "input is %s; SVDF runs on float32 and int8",
                     neurio_dtype_name(x->dtype));
    }
    const neurio_tensor *b = sin_t(c, 3);
    if (b && (!b->data || neurio_tensor_elements(b) != (size_t)(nf / rank)))
        return sfail(c, "bias '%.60s' must be a constant of %d elements", b->name, nf / rank);
    return NEURIO_OK;
}

static int check_lstm(sctx *c)
{
    const neurio_tensor *x = NULL, *y = NULL, *w = NULL;
    int rc;
    if (c->op->n_inputs != 24)
        return sfail(c, "has %d inputs; UNIDIRECTIONAL_SEQUENCE_LSTM has 24", c->op->n_inputs);
    if ((rc = sneed(c, 0, "input", NEURIO_DT_UNKNOWN, 3, &x)) || (rc = sout(c, 0, x->dtype, &y)))
        return rc;
    if (x->dtype != NEURIO_DT_FLOAT32)
        return sfail(c, "input is %s; only float32 LSTMs are supported (integer LSTMs are "
                     "not implemented)", neurio_dtype_name(x->dtype));
    const int tm = c->op->attr.lstm.time_major;
    const int32_t nb = tm ? x->dims[1] : x->dims[0], ni = x->dims[2];
    if ((rc = sneed(c, 4, "input_to_forget_weights", NEURIO_DT_FLOAT32, 2, &w)))
        return rc;
    const int32_t nu = w->dims[0];
    for (int k = 1; k <= 8; k++) {
        if ((rc = sneed(c, k, k <= 4 ? "input weights" : "recurrent weights",
                        NEURIO_DT_FLOAT32, 2, &w)))
            return rc;
        if (!w->data || w->dims[0] != nu || w->dims[1] != (k <= 4 ? ni : nu))
            return sfail(c, "weights input %d '%.60s' must be a constant [%d, %d]", k, w->name,
                         nu, k <= 4 ? ni : nu);
    }
    for (int k = 9; k <= 11; k++)
        if (sin_t(c, k))
            return sfail(c, "peephole weights (input %d) are not supported", k);
    for (int k = 16; k <= 17; k++)
        if (sin_t(c, k))
            return sfail(c, "projection (input %d) is not supported", k);
    for (int k = 20; k <= 23; k++)
        if (sin_t(c, k))
            return sfail(c, "layer normalisation (input %d) is not supported", k);
    for (int k = 12; k <= 15; k++) {
        const neurio_tensor *b = sin_t(c, k);
        if (b && (!b->data || b->dtype != NEURIO_DT_FLOAT32 ||
                  neurio_tensor_elements(b) != (size_t)nu))
            return sfail(c, "gate bias (input %d) must be a float constant of %d", k, nu);
    }
    for (int k = 18; k <= 19; k++) {
        const neurio_tensor *s = NULL;
        if ((rc = sneed(c, k, k == 18 ? "output_state" : "cell_state", NEURIO_DT_FLOAT32, -1,
                        &s)) ||
            (rc = svariable(c, s, k, (size_t)nb * nu)))
            return rc;
    }
    if (neurio_tensor_elements(y) != neurio_tensor_elements(x) / (size_t)ni * (size_t)nu)
        return sfail(c, "output '%.60s' must have %d units per time step", y->name, nu);
    return NEURIO_OK;
}

static int check_signal(sctx *c)
{
    const neurio_tensor *x = NULL, *y = NULL, *t = NULL;
    const neurio_op *op = c->op;
    int rc;
    switch (op->kind) {
    case NEURIO_OP_SIGNAL_WINDOW:
        if ((rc = sneed(c, 0, "input", NEURIO_DT_INT16, -1, &x)) ||
            (rc = sneed(c, 1, "window", NEURIO_DT_INT16, 1, &t)) ||
            (rc = sout(c, 0, NEURIO_DT_INT16, &y)))
            return rc;
        if (!t->data || neurio_tensor_elements(x) % neurio_tensor_elements(t))
            return sfail(c, "window must be a constant whose length divides the input");
        return NEURIO_OK;
    case NEURIO_OP_SIGNAL_RFFT:
        if ((rc = sneed(c, 0, "input", NEURIO_DT_INT16, -1, &x)) ||
            (rc = sout(c, 0, NEURIO_DT_INT16, &y)))
            return rc;
        if (x->rank < 1 || y->rank != x->rank ||
            y->dims[y->rank - 1] != 2 * (op->attr.signal.fft_length / 2 + 1) ||
            x->dims[x->rank - 1] > op->attr.signal.fft_length)
            return sfail(c, "fft_length %d does not fit input '%.60s' and output '%.60s'",
                         op->attr.signal.fft_length, x->name, y->name);
        return NEURIO_OK;
    case NEURIO_OP_SIGNAL_FFT_AUTO_SCALE:
        if ((rc = sneed(c, 0, "input", NEURIO_DT_INT16, 1, &x)) ||
            (rc = sout(c, 0, NEURIO_DT_INT16, &y)) || (rc = sout(c, 1, NEURIO_DT_INT32, &t)))
            return rc;
        return NEURIO_OK;
    case NEURIO_OP_SIGNAL_ENERGY:
        if ((rc = sneed(c, 0, "input", NEURIO_DT_INT16, 1, &x)) ||
            (rc = sout(c, 0, NEURIO_DT_UINT32, &y)))
            return rc;
        if (neurio_tensor_elements(x) != 2 * neurio_tensor_elements(y) ||
            op->attr.signal.start_index < 0 ||
            op->attr.signal.end_index < op->attr.signal.start_index ||
            op->attr.signal.end_index > (int32_t)neurio_tensor_elements(y))
            return sfail(c, "start_index %d / end_index %d do not fit %zu bins",
                         op->attr.signal.start_index, op->attr.signal.end_index,
                         neurio_tensor_elements(y));
        return NEURIO_OK;
    case NEURIO_OP_SIGNAL_FILTER_BANK:
        if ((rc = sneed(c, 0, "input", NEURIO_DT_UINT32, 1, &x)) ||
            (rc = sout(c, 0, NEURIO_DT_UINT64, &y)))
            return rc;
        for (int k = 1; k <= 5; k++)
            if ((rc = sneed(c, k, "filter bank table", NEURIO_DT_INT16, 1, &t)) || !t->data)
                return rc ? rc : sfail(c, "filter bank table (input %d) must be a constant", k);
        if (op->attr.signal.num_channels < 1 ||
            neurio_tensor_elements(y) != (size_t)op->attr.signal.num_channels)
            return sfail(c, "num_channels %d does not match output '%.60s'",
                         op->attr.signal.num_channels, y->name);
        for (int k = 3; k <= 5; k++)
            if (neurio_tensor_elements(sin_t(c, k)) < (size_t)op->attr.signal.num_channels + 1)
                return sfail(c, "channel table (input %d) needs num_channels + 1 entries", k);
        return NEURIO_OK;
    case NEURIO_OP_SIGNAL_FILTER_BANK_SQRT:
        if ((rc = sneed(c, 0, "input", NEURIO_DT_UINT64, 1, &x)) ||
            (rc = sneed(c, 1, "scale_bits", NEURIO_DT_INT32, 0, &t)) ||
            (rc = sout(c, 0, NEURIO_DT_UINT32, &y)))
            return rc;
        return NEURIO_OK;
    case NEURIO_OP_SIGNAL_SPECTRAL_SUBTRACTION:
        if ((rc = sneed(c, 0, "input", NEURIO_DT_UINT32, 1, &x)) ||
            (rc = sneed(c, 1, "noise state", NEURIO_DT_UINT32, 1, &t)) ||
            (rc = svariable(c, t, 1, (size_t)op->attr.signal.num_channels)) ||
            (rc = sout(c, 0, NEURIO_DT_UINT32, &y)))
            return rc;
        if (neurio_tensor_elements(x) != (size_t)op->attr.signal.num_channels)
            return sfail(c, "num_channels %d does not match input '%.60s'",
                         op->attr.signal.num_channels, x->name);
        return NEURIO_OK;
    case NEURIO_OP_SIGNAL_FILTER_BANK_LOG:
        if ((rc = sneed(c, 0, "input", NEURIO_DT_UINT32, 1, &x)) ||
            (rc = sout(c, 0, NEURIO_DT_INT16, &y)))
            return rc;
        return NEURIO_OK;
    case NEURIO_OP_SIGNAL_PCAN:
        if ((rc = sneed(c, 0, "input", NEURIO_DT_UINT32, 1, &x)) ||
            (rc = sneed(c, 1, "noise_estimate", NEURIO_DT_UINT32, 1, &t)) ||
            (rc = sout(c, 0, NEURIO_DT_UINT32, &y)))
            return rc;
        if (neurio_tensor_elements(t) != neurio_tensor_elements(x) ||
            (rc = sneed(c, 2, "gain_lut", NEURIO_DT_INT16, 1, &t)) || !t->data)
            return rc ? rc : sfail(c, "noise estimate must match the input and gain_lut must "
                                      "be a constant");
        return NEURIO_OK;
    default:
        return sfail(c, "not a Signal op");
    }
}

int nir_check_state_op(const neurio_model *m, int32_t i, neurio_errbuf *err)
{
    sctx c = {.m = m, .op = &m->ops[i], .i = i, .err = err};
    if (c.op->kind == NEURIO_OP_SVDF)
        return check_svdf(&c);
    if (c.op->kind == NEURIO_OP_LSTM)
        return check_lstm(&c);
    return check_signal(&c);
}

int nir_op_takes_raw_integers(neurio_op_kind k)
{
    return (k >= NEURIO_OP_SIGNAL_WINDOW && k <= NEURIO_OP_SIGNAL_PCAN) ||
           nir_op_moves_raw_values(k);
}

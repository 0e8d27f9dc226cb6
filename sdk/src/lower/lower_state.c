/* sdk/src/lower/lower_state.c — parameters of the stateful and Signal
 * kernels from the IR (see lower_state.h).  The SVDF multipliers follow
 * TFLite Micro's Prepare: scale products computed in float, then
 * QuantizeMultiplier in double. */
#include "lower/lower_state.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "neurio/requant.h"

static int lw_fail(const neurio_model *m, int32_t oi, neurio_errbuf *err, const char *what)
{
    const neurio_op *op = &m->ops[oi];
    return neurio_fail(err, NEURIO_ERR_UNSUPPORTED, "op %d (%s '%s'): %s", (int)oi,
                       neurio_op_name(op->kind), op->name ? op->name : "", what);
}

static const neurio_tensor *lw_in(const neurio_model *m, const neurio_op *op, int k)
{
    return k < op->n_inputs && op->inputs[k] >= 0 ? &m->tensors[op->inputs[k]] : NULL;
}

int nlw_is_state_op(neurio_op_kind k)
{
    return k == NEURIO_OP_SVDF || k == NEURIO_OP_LSTM ||
           (k >= NEURIO_OP_SIGNAL_WINDOW && k <= NEURIO_OP_SIGNAL_PCAN);
}

int nlw_state_reset_byte(const neurio_tensor *t)
{
    if (t->dtype == NEURIO_DT_INT8 && t->quant.count >= 1 && t->quant.zero_point)
        return t->quant.zero_point[0] & 0xff;
    return 0;
}

size_t nlw_state_scratch(const neurio_model *m, int32_t oi)
{
    const neurio_op *op = &m->ops[oi];
    const neurio_tensor *x = lw_in(m, op, 0);
    switch (op->kind) {
    case NEURIO_OP_LSTM: {
        const neurio_tensor *h = lw_in(m, op, 18);
        return h ? 4 * neurio_tensor_bytes(h) : 0;
    }
    case NEURIO_OP_SIGNAL_RFFT:
        return op->attr.signal.fft_length > 0 ? 4 * (size_t)op->attr.signal.fft_length : 0;
    case NEURIO_OP_SIGNAL_FILTER_BANK:
        return op->attr.signal.num_channels > 0
                   ? 8 * ((size_t)op->attr.signal.num_channels + 1) : 0;
    default:
        (void)x;
        return 0;
    }
}

static int lw_scale(const neurio_tensor *t, float *s, int32_t *zp)
{
    if (!t || t->quant.count < 1 || !(t->quant.scale[0] > 0))
        return -1;
    *s = t->quant.scale[0];
    *zp = t->quant.zero_point ? t->quant.zero_point[0] : 0;
    return 0;
}

int nlw_svdf(const neurio_model *m, int32_t oi, nk_svdf_params *p, neurio_errbuf *err)
{
    const neurio_op *op = &m->ops[oi];
    const neurio_tensor *x = lw_in(m, op, 0), *wf = lw_in(m, op, 1), *wt = lw_in(m, op, 2);
    const neurio_tensor *st = lw_in(m, op, 4), *y = &m->tensors[op->outputs[0]];
    memset(p, 0, sizeof *p);
    if (!x || !wf || !wt || !st)
        return lw_fail(m, oi, err, "missing inputs");
    p->batches = x->dims[0];
    p->input_size = x->dims[1];
    p->num_filters = wf->dims[0];
    p->memory_size = wt->dims[1];
    p->rank = op->attr.svdf.rank;
    neurio_act_range_f32(op->attr.svdf.activation, &p->act_min_f, &p->act_max_f);
    if (x->dtype == NEURIO_DT_FLOAT32)
        return NEURIO_OK;
    float xs, wfs, wts, ss, ys;
    int32_t xz, wfz, wtz, sz, yz;
    if (lw_scale(x, &xs, &xz) || lw_scale(wf, &wfs, &wfz) || lw_scale(wt, &wts, &wtz) ||
        lw_scale(st, &ss, &sz) || lw_scale(y, &ys, &yz))
        return lw_fail(m, oi, err, "int8 SVDF needs per-tensor scales on the input, weights, "
                                   "state and output");
    const float e1 = xs * wfs / ss, e2 = ss * wts / ys; /* float, as TFLite Micro */
    neurio_quantize_multiplier((double)e1, &p->mult1, &p->shift1);
    neurio_quantize_multiplier((double)e2, &p->mult2, &p->shift2);
    p->state_bits = st->dtype == NEURIO_DT_INT16 ? 16 : 8;
    p->in_zp = xz;
    p->state_zp = sz;
    p->out_zp = yz;
    return NEURIO_OK;
}

int nlw_lstm(const neurio_model *m, int32_t oi, nk_lstm_params *p, int32_t w_in[4],
             int32_t w_rec[4], int32_t bias[4], neurio_errbuf *err)
{
    const neurio_op *op = &m->ops[oi];
    const neurio_tensor *x = lw_in(m, op, 0), *w = lw_in(m, op, 2);
    memset(p, 0, sizeof *p);
    if (!x || !w || op->n_inputs != 24)
        return lw_fail(m, oi, err, "missing inputs");
    p->time_major = op->attr.lstm.time_major;
    p->time_steps = p->time_major ? x->dims[0] : x->dims[1];
    p->batches = p->time_major ? x->dims[1] : x->dims[0];
    p->input_size = x->dims[2];
    p->units = w->dims[0];
    p->cell_clip = op->attr.lstm.cell_clip;
    for (int g = 0; g < 4; g++) {
        w_in[g] = op->inputs[1 + g];
        w_rec[g] = op->inputs[5 + g];
        bias[g] = op->inputs[12 + g];
    }
    return NEURIO_OK;
}

int nlw_signal_rfft(const neurio_model *m, int32_t oi, nlw_rfft *r, neurio_errbuf *err)
{
    const neurio_op *op = &m->ops[oi];
    const neurio_tensor *x = lw_in(m, op, 0), *y = &m->tensors[op->outputs[0]];
    const int32_t n = op->attr.signal.fft_length;
    memset(r, 0, sizeof *r);
    if (!x || x->rank < 1 || n < 4)
        return lw_fail(m, oi, err, "bad input or fft_length");
    r->twiddles = calloc((size_t)n, sizeof *r->twiddles);
    r->super_twiddles = calloc((size_t)n / 2, sizeof *r->super_twiddles);
    if (!r->twiddles || !r->super_twiddles) {
        nlw_rfft_free(r);
        return neurio_fail(err, NEURIO_ERR_NOMEM, "out of memory for FFT tables");
    }
    int32_t nf = 0;
    int rc = neurio_rfft_tables_s16(n, r->factors, &nf, r->twiddles, r->super_twiddles, err);
    if (rc) {
        nlw_rfft_free(r);
        return rc;
    }
    r->p.input_length = x->dims[x->rank - 1];
    r->p.rows = r->p.input_length ? (int32_t)(neurio_tensor_elements(x) / (size_t)r->p.input_length)
                                  : 0;
    r->p.fft_length = n;
    r->p.output_length = y->dims[y->rank - 1] / 2;
    r->p.n_factors = nf;
    r->p.factors = r->factors;
    r->p.twiddles = r->twiddles;
    r->p.super_twiddles = r->super_twiddles;
    return NEURIO_OK;
}

void nlw_rfft_free(nlw_rfft *r)
{
    free(r->twiddles);
    free(r->super_twiddles);
    r->twiddles = r->super_twiddles = NULL;
}

int nlw_signal_filter_bank(const neurio_model *m, int32_t oi, nk_filter_bank_params *p,
                           neurio_errbuf *err)
{
    const neurio_op *op = &m->ops[oi];
    const neurio_tensor *t[6];
    for (int k = 0; k < 6; k++)
        if (!(t[k] = lw_in(m, op, k)) || (k > 0 && !t[k]->data))
            return lw_fail(m, oi, err, "filter bank tables must be constants");
    memset(p, 0, sizeof *p);
    p->num_channels = op->attr.signal.num_channels;
    p->input_size = (int32_t)neurio_tensor_elements(t[0]);
    p->n_weights = (int32_t)neurio_tensor_elements(t[1]);
    if (neurio_tensor_elements(t[2]) < (size_t)p->n_weights)
        return lw_fail(m, oi, err, "unweights are shorter than weights");
    p->weights = t[1]->data;
    p->unweights = t[2]->data;
    p->freq_starts = t[3]->data;
    p->weight_starts = t[4]->data;
    p->widths = t[5]->data;
    /* the kernel checks each channel's range on every call; check once here
     * too, so a bad table is an import-time error naming the channel */
    for (int32_t i = 0; i <= p->num_channels; i++) {
        int32_t fs = p->freq_starts[i], ws = p->weight_starts[i], w = p->widths[i];
        if (fs < 0 || ws < 0 || w < 0 || fs + w > p->input_size || ws + w > p->n_weights) {
            char msg[160];
            snprintf(msg, sizeof msg, "channel %d reads bins %d..%d and weights %d..%d, "
                     "outside the %d bins and %d weights", (int)i, (int)fs, (int)(fs + w),
                     (int)ws, (int)(ws + w), (int)p->input_size, (int)p->n_weights);
            return lw_fail(m, oi, err, msg);
        }
    }
    return NEURIO_OK;
}

int nlw_signal_spectral_sub(const neurio_model *m, int32_t oi, nk_spectral_sub_params *p,
                            neurio_errbuf *err)
{
    const neurio_op *op = &m->ops[oi];
    (void)err;
    memset(p, 0, sizeof *p);
    p->num_channels = op->attr.signal.num_channels;
    p->smoothing = (uint32_t)op->attr.signal.smoothing;
    p->one_minus_smoothing = (uint32_t)op->attr.signal.one_minus_smoothing;
    p->alternate_smoothing = (uint32_t)op->attr.signal.alternate_smoothing;
    p->alternate_one_minus_smoothing = (uint32_t)op->attr.signal.alternate_one_minus_smoothing;
    p->min_signal_remaining = (uint32_t)op->attr.signal.min_signal_remaining;
    p->smoothing_bits = (uint32_t)op->attr.signal.smoothing_bits;
    p->spectral_subtraction_bits = (uint32_t)op->attr.signal.spectral_subtraction_bits;
    p->clamping = op->attr.signal.clamping != 0;
    return NEURIO_OK;
}

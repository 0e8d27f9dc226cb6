/* sdk/src/interp/interp_state.c — SVDF, UNIDIRECTIONAL_SEQUENCE_LSTM and the
 * Signal ops in the reference interpreter: parameters from lower/ (the same
 * the code generator emits), the portable kernels, the variable tensors'
 * buffers as their state, scratch from the heap. */
#include <stdlib.h>
#include <string.h>

#include "interp_internal.h"
#include "kernels/nk.h"
#include "lower/lower_state.h"

static void *st_buf(neurio_interp *it, const neurio_op *op, int k)
{
    return k < op->n_inputs && op->inputs[k] >= 0 ? it->buf[op->inputs[k]] : NULL;
}

static int st_lstm(neurio_interp *it, int32_t oi, void *scratch, neurio_errbuf *err)
{
    const neurio_op *op = &it->m->ops[oi];
    nk_lstm_params p;
    int32_t wi[4], wr[4], b[4];
    int rc = nlw_lstm(it->m, oi, &p, wi, wr, b, err);
    if (rc)
        return rc;
    const float *win[4], *wrec[4], *bias[4];
    for (int g = 0; g < 4; g++) {
        win[g] = it->buf[wi[g]];
        wrec[g] = it->buf[wr[g]];
        bias[g] = b[g] >= 0 ? it->buf[b[g]] : NULL;
    }
    return nk_lstm_f32(&p, st_buf(it, op, 0), win, wrec, bias, st_buf(it, op, 18),
                       st_buf(it, op, 19), scratch, it->buf[op->outputs[0]]);
}

static int st_signal(neurio_interp *it, int32_t oi, void *scratch, neurio_errbuf *err)
{
    const neurio_model *m = it->m;
    const neurio_op *op = &m->ops[oi];
    const neurio_tensor *x = &m->tensors[op->inputs[0]];
    const int32_t n = (int32_t)neurio_tensor_elements(x);
    void *in = st_buf(it, op, 0), *out = it->buf[op->outputs[0]];
    int rc;
    switch (op->kind) {
    case NEURIO_OP_SIGNAL_WINDOW:
        return nk_signal_window_s16(n, (int32_t)neurio_tensor_elements(&m->tensors[op->inputs[1]]),
                                    op->attr.signal.shift, in, st_buf(it, op, 1), out);
    case NEURIO_OP_SIGNAL_RFFT: {
        nlw_rfft r;
        if ((rc = nlw_signal_rfft(m, oi, &r, err)))
            return rc;
        rc = nk_signal_rfft_s16(&r.p, in, scratch, out);
        nlw_rfft_free(&r);
        return rc;
    }
    case NEURIO_OP_SIGNAL_FFT_AUTO_SCALE:
        return nk_signal_fft_auto_scale_s16(n, in, out, it->buf[op->outputs[1]]);
    case NEURIO_OP_SIGNAL_ENERGY:
        return nk_signal_energy(n / 2, op->attr.signal.start_index, op->attr.signal.end_index,
                                in, out);
    case NEURIO_OP_SIGNAL_FILTER_BANK: {
        nk_filter_bank_params p;
        if ((rc = nlw_signal_filter_bank(m, oi, &p, err)))
            return rc;
        return nk_signal_filter_bank(&p, in, scratch, out);
    }
    case NEURIO_OP_SIGNAL_FILTER_BANK_SQRT:
        return nk_signal_filter_bank_sqrt(n, in, st_buf(it, op, 1), out);
    case NEURIO_OP_SIGNAL_SPECTRAL_SUBTRACTION: {
        nk_spectral_sub_params p;
        if ((rc = nlw_signal_spectral_sub(m, oi, &p, err)))
            return rc;
        return nk_signal_spectral_subtraction(&p, in, st_buf(it, op, 1), out,
                                              op->n_outputs > 1 ? it->buf[op->outputs[1]]
                                                                : NULL);
    }
    case NEURIO_OP_SIGNAL_FILTER_BANK_LOG:
        return nk_signal_filter_bank_log(n, op->attr.signal.output_scale,
                                         op->attr.signal.input_correction_bits, in, out);
    case NEURIO_OP_SIGNAL_PCAN:
        return nk_signal_pcan(n, op->attr.signal.snr_shift, in, st_buf(it, op, 1),
                              st_buf(it, op, 2),
                              (int32_t)neurio_tensor_elements(&m->tensors[op->inputs[2]]), out);
    default:
        return NK_ERR_PARAMS;
    }
}

int nit_op_state(neurio_interp *it, int32_t oi, neurio_errbuf *err)
{
    const neurio_model *m = it->m;
    const neurio_op *op = &m->ops[oi];
    size_t sb = nlw_state_scratch(m, oi);
    void *scratch = sb ? malloc(sb) : NULL;
    int rc;
    if (sb && !scratch)
        return neurio_fail(err, NEURIO_ERR_NOMEM, "out of memory for %zu scratch bytes", sb);
    if (op->kind == NEURIO_OP_SVDF) {
        nk_svdf_params p;
        rc = nlw_svdf(m, oi, &p, err);
        if (!rc) {
            const int fl = m->tensors[op->inputs[0]].dtype == NEURIO_DT_FLOAT32;
            rc = fl ? nk_svdf_f32(&p, st_buf(it, op, 0), st_buf(it, op, 1), st_buf(it, op, 2),
                                  st_buf(it, op, 3), st_buf(it, op, 4), it->buf[op->outputs[0]])
                    : nk_svdf_s8(&p, st_buf(it, op, 0), st_buf(it, op, 1), st_buf(it, op, 2),
                                 st_buf(it, op, 3), st_buf(it, op, 4), it->buf[op->outputs[0]]);
        }
    } else if (op->kind == NEURIO_OP_LSTM) {
        rc = st_lstm(it, oi, scratch, err);
    } else {
        rc = st_signal(it, oi, scratch, err);
    }
    free(scratch);
    return rc;
}

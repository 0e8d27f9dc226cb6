/* sdk/src/import/tflite/tflite_state_ops.c — the stateful builtins (SVDF,
 * UNIDIRECTIONAL_SEQUENCE_LSTM: option tables of schema.fbs) and TFLite
 * Micro's Signal library custom ops (FlexBuffers custom_options, keys as
 * TFLite Micro's kernels read them). */
#include <stdio.h>
#include <string.h>

#include "flexbuf.h"
#include "tflite_internal.h"

static const struct {
    const char *name;
    neurio_op_kind kind;
} ntfl_custom_ops[] = {
    {"SignalWindow", NEURIO_OP_SIGNAL_WINDOW},
    {"SignalRfft", NEURIO_OP_SIGNAL_RFFT},
    {"SignalFftAutoScale", NEURIO_OP_SIGNAL_FFT_AUTO_SCALE},
    {"SignalEnergy", NEURIO_OP_SIGNAL_ENERGY},
    {"SignalFilterBank", NEURIO_OP_SIGNAL_FILTER_BANK},
    {"SignalFilterBankSquareRoot", NEURIO_OP_SIGNAL_FILTER_BANK_SQRT},
    {"SignalFilterBankSpectralSubtraction", NEURIO_OP_SIGNAL_SPECTRAL_SUBTRACTION},
    {"SignalFilterBankLog", NEURIO_OP_SIGNAL_FILTER_BANK_LOG},
    {"SignalPCAN", NEURIO_OP_SIGNAL_PCAN},
};

int ntfl_map_custom(const char *name, neurio_op_kind *k)
{
    for (size_t i = 0; name && i < sizeof ntfl_custom_ops / sizeof ntfl_custom_ops[0]; i++)
        if (!strcmp(name, ntfl_custom_ops[i].name)) {
            *k = ntfl_custom_ops[i].kind;
            return 1;
        }
    return 0;
}

int ntfl_state_options(ntfl_opctx *o, neurio_op *op)
{
    nfb_buf *b = &o->t->b;
    uint8_t act = 0, tm = 0;
    int rc;
    if (o->code == TFL_SVDF) {
        int32_t rank = 0;
        if (!o->has_opt)
            return ntfl_op_fail(o, NEURIO_ERR_FORMAT, "has no SVDFOptions (rank is required)");
        if ((rc = nfb_i32(b, &o->opt, 0, "rank", 0, &rank)) ||
            (rc = nfb_u8(b, &o->opt, 1, "fused_activation_function", 0, &act)))
            return rc;
        if (rank < 1)
            return ntfl_op_fail(o, NEURIO_ERR_FORMAT, "rank %d must be >= 1", rank);
        op->attr.svdf.rank = rank;
        if (act > 3)
            return ntfl_op_fail(o, NEURIO_ERR_UNSUPPORTED, "fused activation %u is not "
                                "supported (NONE, RELU, RELU_N1_TO_1, RELU6 are)", act);
        op->attr.svdf.activation = act == 0 ? NEURIO_ACT_NONE : act == 1 ? NEURIO_ACT_RELU
                                   : act == 2 ? NEURIO_ACT_RELU_N1_TO_1 : NEURIO_ACT_RELU6;
        return NEURIO_OK;
    }
    /* UnidirectionalSequenceLSTMOptions: activation, cell_clip, proj_clip,
     * time_major, asymmetric_quantize_inputs, diagonal_recurrent_tensors */
    float cc = 0.0f, pc = 0.0f;
    uint8_t diag = 0;
    act = 4;
    if (o->has_opt &&
        ((rc = nfb_u8(b, &o->opt, 0, "fused_activation_function", 0, &act)) ||
         (rc = nfb_f32(b, &o->opt, 1, "cell_clip", 0.0f, &cc)) ||
         (rc = nfb_f32(b, &o->opt, 2, "proj_clip", 0.0f, &pc)) ||
         (rc = nfb_u8(b, &o->opt, 3, "time_major", 0, &tm)) ||
         (rc = nfb_u8(b, &o->opt, 5, "diagonal_recurrent_tensors", 0, &diag))))
        return rc;
    if (act != 4)
        return ntfl_op_fail(o, NEURIO_ERR_UNSUPPORTED, "cell activation %u is not supported "
                            "(TANH, 4, is; TFLite Micro supports no other)", act);
    if (diag)
        return ntfl_op_fail(o, NEURIO_ERR_UNSUPPORTED, "diagonal recurrent tensors are not "
                            "supported");
    if (!(cc >= 0.0f) || !(pc >= 0.0f))
        return ntfl_op_fail(o, NEURIO_ERR_FORMAT, "cell_clip %g and proj_clip %g must be >= 0",
                            (double)cc, (double)pc);
    op->attr.lstm.time_major = tm != 0;
    op->attr.lstm.cell_clip = cc;
    op->attr.lstm.proj_clip = pc;
    return NEURIO_OK;
}

/* One int32 option (required). */
static int flx_i32(ntfl_opctx *o, const nflx_map *m, const char *key, int32_t *out)
{
    int64_t v = 0;
    const char *why = NULL;
    int f = nflx_map_int(m, key, &v, &why);
    if (f < 0)
        return ntfl_op_fail(o, NEURIO_ERR_FORMAT, "custom option '%s': %s", key, why);
    if (f == 0)
        return ntfl_op_fail(o, NEURIO_ERR_FORMAT, "custom option '%s' is missing", key);
    if (v < INT32_MIN || v > INT32_MAX)
        return ntfl_op_fail(o, NEURIO_ERR_FORMAT, "custom option '%s' = %lld does not fit 32 "
                            "bits", key, (long long)v);
    *out = (int32_t)v;
    return NEURIO_OK;
}

int ntfl_custom_options(ntfl_opctx *o, neurio_op *op, const uint8_t *buf, size_t len)
{
    nflx_map m;
    const char *why = NULL;
    int rc = NEURIO_OK;
    __typeof__(op->attr.signal) *s = &op->attr.signal;
    if (op->kind == NEURIO_OP_SIGNAL_FFT_AUTO_SCALE || op->kind == NEURIO_OP_SIGNAL_FILTER_BANK_SQRT)
        return NEURIO_OK; /* no options */
    if (nflx_root_map(buf, len, &m, &why))
        return ntfl_op_fail(o, NEURIO_ERR_FORMAT, "%s (%zu bytes)", why, len);
    switch (op->kind) {
    case NEURIO_OP_SIGNAL_WINDOW: return flx_i32(o, &m, "shift", &s->shift);
    case NEURIO_OP_SIGNAL_RFFT: {
        int32_t type = 0;
        if ((rc = flx_i32(o, &m, "fft_length", &s->fft_length)) ||
            (rc = flx_i32(o, &m, "T", &type)))
            return rc;
        if (type != 7) /* TensorType INT16 */
            return ntfl_op_fail(o, NEURIO_ERR_UNSUPPORTED, "SignalRfft of tensor type %d: only "
                                "the int16 FFT (type 7) is supported", type);
        return NEURIO_OK;
    }
    case NEURIO_OP_SIGNAL_ENERGY:
        if ((rc = flx_i32(o, &m, "start_index", &s->start_index)))
            return rc;
        return flx_i32(o, &m, "end_index", &s->end_index);
    case NEURIO_OP_SIGNAL_FILTER_BANK: return flx_i32(o, &m, "num_channels", &s->num_channels);
    case NEURIO_OP_SIGNAL_SPECTRAL_SUBTRACTION:
        if ((rc = flx_i32(o, &m, "num_channels", &s->num_channels)) ||
            (rc = flx_i32(o, &m, "smoothing", &s->smoothing)) ||
            (rc = flx_i32(o, &m, "one_minus_smoothing", &s->one_minus_smoothing)) ||
            (rc = flx_i32(o, &m, "alternate_smoothing", &s->alternate_smoothing)) ||
            (rc = flx_i32(o, &m, "alternate_one_minus_smoothing",
                          &s->alternate_one_minus_smoothing)) ||
            (rc = flx_i32(o, &m, "min_signal_remaining", &s->min_signal_remaining)) ||
            (rc = flx_i32(o, &m, "smoothing_bits", &s->smoothing_bits)) ||
            (rc = flx_i32(o, &m, "spectral_subtraction_bits", &s->spectral_subtraction_bits)) ||
            (rc = flx_i32(o, &m, "clamping", &s->clamping)))
            return rc;
        if (s->smoothing_bits < 0 || s->smoothing_bits > 31 ||
            s->spectral_subtraction_bits < 0 || s->spectral_subtraction_bits > 63)
            return ntfl_op_fail(o, NEURIO_ERR_FORMAT, "smoothing_bits %d or "
                                "spectral_subtraction_bits %d out of range", s->smoothing_bits,
                                s->spectral_subtraction_bits);
        return NEURIO_OK;
    case NEURIO_OP_SIGNAL_FILTER_BANK_LOG:
        if ((rc = flx_i32(o, &m, "input_correction_bits", &s->input_correction_bits)) ||
            (rc = flx_i32(o, &m, "output_scale", &s->output_scale)))
            return rc;
        if (s->input_correction_bits < 0 || s->input_correction_bits > 31)
            return ntfl_op_fail(o, NEURIO_ERR_FORMAT, "input_correction_bits %d out of range",
                                s->input_correction_bits);
        return NEURIO_OK;
    case NEURIO_OP_SIGNAL_PCAN:
        if ((rc = flx_i32(o, &m, "snr_shift", &s->snr_shift)))
            return rc;
        if (s->snr_shift < 0 || s->snr_shift > 63)
            return ntfl_op_fail(o, NEURIO_ERR_FORMAT, "snr_shift %d out of range", s->snr_shift);
        return NEURIO_OK;
    default:
        return ntfl_op_fail(o, NEURIO_ERR_INTERNAL, "not a Signal op");
    }
}

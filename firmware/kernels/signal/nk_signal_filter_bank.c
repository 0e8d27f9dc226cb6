/* firmware/kernels/signal/nk_signal_filter_bank.c — SignalFilterBank: each
 * energy bin feeds two neighbouring channels, with `weight` and `unweight`
 * (TFLite Micro's accumulation order, uint64 sums, int16 weights widened
 * as signed).  Every table index is checked before anything is read. */
#include "nk.h"

int nk_signal_filter_bank(const nk_filter_bank_params *p, const uint32_t *input,
                          uint64_t *scratch, uint64_t *output)
{
    if (!p || p->num_channels < 1 || p->input_size < 0 || p->n_weights < 0 || !p->weights ||
        !p->unweights || !p->freq_starts || !p->weight_starts || !p->widths || !input ||
        !scratch || !output)
        return NK_ERR_PARAMS;
    for (int32_t i = 0; i <= p->num_channels; ++i) {
        const int32_t fs = p->freq_starts[i], ws = p->weight_starts[i], w = p->widths[i];
        if (fs < 0 || ws < 0 || w < 0 || fs + w > p->input_size || ws + w > p->n_weights)
            return NK_ERR_PARAMS;
    }
    uint64_t wacc = 0, uacc = 0;
    for (int32_t i = 0; i <= p->num_channels; ++i) {
        const int32_t fs = p->freq_starts[i], ws = p->weight_starts[i], w = p->widths[i];
        for (int32_t j = 0; j < w; ++j) {
            const uint64_t x = input[fs + j];
            wacc += (uint64_t)(int64_t)p->weights[ws + j] * x;
            uacc += (uint64_t)(int64_t)p->unweights[ws + j] * x;
        }
        scratch[i] = wacc;
        wacc = uacc;
        uacc = 0;
    }
    for (int32_t i = 0; i < p->num_channels; ++i)
        output[i] = scratch[i + 1];
    return NK_OK;
}

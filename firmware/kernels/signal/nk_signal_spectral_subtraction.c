/* firmware/kernels/signal/nk_signal_spectral_subtraction.c —
 * SignalFilterBankSpectralSubtraction: per-channel low-pass noise estimate
 * (alternate coefficients on odd channels), subtracted from the signal with
 * a floor of min_signal_remaining; TFLite Micro's uint32/uint64 steps. */
#include "nk.h"

int nk_signal_spectral_subtraction(const nk_spectral_sub_params *p, const uint32_t *input,
                                   uint32_t *noise, uint32_t *output, uint32_t *noise_out)
{
    if (!p || p->num_channels < 0 || p->smoothing_bits > 31 ||
        p->spectral_subtraction_bits > 63 || !input || !noise || !output)
        return NK_ERR_PARAMS;
    for (int32_t i = 0; i < p->num_channels; ++i) {
        const int odd = i & 1;
        const uint32_t sm = odd ? p->alternate_smoothing : p->smoothing;
        const uint32_t om = odd ? p->alternate_one_minus_smoothing : p->one_minus_smoothing;
        const uint32_t up = input[i] << p->smoothing_bits;
        noise[i] = (uint32_t)(((uint64_t)up * sm + (uint64_t)noise[i] * om) >>
                              p->spectral_subtraction_bits);
        uint32_t est = noise[i];
        if (est > up) {
            est = up;
            if (p->clamping)
                noise[i] = est;
        }
        const uint32_t floor_v =
            (uint32_t)(((uint64_t)input[i] * p->min_signal_remaining) >>
                       p->spectral_subtraction_bits);
        const uint32_t sub = (up - est) >> p->smoothing_bits;
        output[i] = sub > floor_v ? sub : floor_v;
    }
    if (noise_out && noise_out != noise)
        for (int32_t i = 0; i < p->num_channels; ++i)
            noise_out[i] = noise[i];
    return NK_OK;
}

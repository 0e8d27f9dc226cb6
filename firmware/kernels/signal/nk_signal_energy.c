/* firmware/kernels/signal/nk_signal_energy.c — SignalEnergy: squared
 * magnitude of complex int16 bins (re^2 + im^2 as uint32).  TFLite Micro
 * leaves bins outside [start, end) untouched; they are zeroed here so the
 * result never depends on what the arena held before. */
#include "nk.h"

int nk_signal_energy(int32_t size, int32_t start, int32_t end, const int16_t *input,
                     uint32_t *output)
{
    if (size < 0 || start < 0 || end < start || end > size || !input || !output)
        return NK_ERR_PARAMS;
    for (int32_t i = 0; i < size; ++i) {
        if (i < start || i >= end) {
            output[i] = 0;
            continue;
        }
        const int32_t re = input[2 * i], im = input[2 * i + 1];
        output[i] = (uint32_t)(re * re) + (uint32_t)(im * im);
    }
    return NK_OK;
}

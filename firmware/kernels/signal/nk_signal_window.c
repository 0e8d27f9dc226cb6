/* firmware/kernels/signal/nk_signal_window.c — SignalWindow (int16 samples
 * times an int16 window, shifted right, saturated), as TFLite Micro. */
#include "nk.h"

int nk_signal_window_s16(int32_t size, int32_t window_size, int32_t shift,
                         const int16_t *input, const int16_t *window, int16_t *output)
{
    if (size < 0 || window_size < 1 || size % window_size || shift < 0 || shift > 31 ||
        !input || !window || !output)
        return NK_ERR_PARAMS;
    for (int32_t i = 0; i < size; ++i) {
        int32_t v = ((int32_t)input[i] * window[i % window_size]) >> shift;
        output[i] = (int16_t)(v < -32768 ? -32768 : (v > 32767 ? 32767 : v));
    }
    return NK_OK;
}

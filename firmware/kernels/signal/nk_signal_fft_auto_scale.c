/* firmware/kernels/signal/nk_signal_fft_auto_scale.c — SignalFftAutoScale.
 * TFLite Micro keeps the running maximum magnitude in an int16, so a
 * sample of -32768 makes it wrap (to -32768, later replaced by any larger
 * sample), and takes the most significant bit of 0 as 32 (GCC build): both
 * are reproduced, since the zoo's outputs come from that build. */
#include "nk.h"

static int32_t fas_msb32(uint32_t x)
{
    int32_t n = 0;
    if (!x)
        return 32;
    while (x) {
        x >>= 1;
        ++n;
    }
    return n;
}

int nk_signal_fft_auto_scale_s16(int32_t size, const int16_t *input, int16_t *output,
                                 int32_t *scale_bits)
{
    if (size < 0 || !input || !output || !scale_bits)
        return NK_ERR_PARAMS;
    int16_t max = 0;
    for (int32_t i = 0; i < size; ++i) {
        const int16_t v = input[i];
        if (v > max)
            max = v;
        else if (-(int32_t)v > max)
            max = (int16_t)-(int32_t)v;
    }
    int32_t bits = 16 - fas_msb32((uint32_t)(int32_t)max) - 1;
    if (bits < 0)
        bits = 0;
    for (int32_t i = 0; i < size; ++i)
        output[i] = (int16_t)((int32_t)input[i] * ((int32_t)1 << bits));
    *scale_bits = bits;
    return NK_OK;
}

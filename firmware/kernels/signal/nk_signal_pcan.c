/* firmware/kernels/signal/nk_signal_pcan.c — SignalPCAN (per-channel
 * amplitude normalisation): gain from the noise estimate through the wide
 * dynamic function (piecewise quadratic from the gain table), SNR, then the
 * shrink function; TFLite Micro's fixed-point steps (12 SNR bits, 6 output
 * bits).  Table reads are bounds-checked (TFLite does not check). */
#include "nk.h"

#define PCAN_SNR_BITS 12
#define PCAN_OUT_BITS 6

static int32_t pcan_msb32(uint32_t x)
{
    int32_t n = 0;
    while (x) {
        x >>= 1;
        ++n;
    }
    return n;
}

/* Returns 0 and the gain, or -1 when the table is too short for x. */
static int pcan_gain(uint32_t x, const int16_t *lut, int32_t lut_size, int16_t *gain)
{
    if (x <= 2) {
        if ((int32_t)x >= lut_size)
            return -1;
        *gain = lut[x];
        return 0;
    }
    const int32_t interval = pcan_msb32(x);
    const int32_t base = 4 * interval - 6;
    if (base + 2 >= lut_size)
        return -1;
    const int16_t *l = lut + base;
    const int32_t frac =
        (int32_t)(int16_t)(((interval < 11) ? (x << (11 - interval)) : (x >> (interval - 11))) &
                           0x3FF);
    int32_t r = ((int32_t)l[2] * frac) >> 5;
    r = (int32_t)((uint32_t)r + ((uint32_t)(int32_t)l[1] << 5));
    r = (int32_t)((uint32_t)r * (uint32_t)frac);
    r = (int32_t)((uint32_t)r + (1u << 14)) >> 15;
    r += l[0];
    *gain = (int16_t)r;
    return 0;
}

static uint32_t pcan_shrink(uint32_t x)
{
    if (x < (2u << PCAN_SNR_BITS))
        return (x * x) >> (2 + 2 * PCAN_SNR_BITS - PCAN_OUT_BITS);
    return (x >> (PCAN_SNR_BITS - PCAN_OUT_BITS)) - (1u << PCAN_OUT_BITS);
}

int nk_signal_pcan(int32_t size, int32_t snr_shift, const uint32_t *input,
                   const uint32_t *noise_estimate, const int16_t *gain_lut, int32_t lut_size,
                   uint32_t *output)
{
    if (size < 0 || snr_shift < 0 || snr_shift > 63 || !input || !noise_estimate ||
        !gain_lut || lut_size < 3 || !output)
        return NK_ERR_PARAMS;
    for (int32_t i = 0; i < size; ++i) {
        int16_t g;
        if (pcan_gain(noise_estimate[i], gain_lut, lut_size, &g))
            return NK_ERR_PARAMS;
        const uint32_t gain = (uint32_t)(int32_t)g;
        const uint32_t snr = (uint32_t)(((uint64_t)input[i] * gain) >> snr_shift);
        output[i] = pcan_shrink(snr);
    }
    return NK_OK;
}

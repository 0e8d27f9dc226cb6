/* firmware/kernels/signal/nk_signal_filter_bank_log.c — SignalFilterBankLog:
 * fixed-point natural log of each channel (log2 from the most significant
 * bit plus a 128-segment interpolated correction table, times ln 2 in Q16,
 * times output_scale in Q16), saturated to int16, as TFLite Micro's Signal
 * library (and the micro speech front end before it) computes it.  The
 * correction table is that published front end's constant data. */
#include "nk.h"

static const uint16_t fbl_lut[130] = {
    0,    224,  442,  654,  861,  1063, 1259, 1450, 1636, 1817, 1992, 2163, 2329, 2490,
    2646, 2797, 2944, 3087, 3224, 3358, 3487, 3611, 3732, 3848, 3960, 4068, 4172, 4272,
    4368, 4460, 4549, 4633, 4714, 4791, 4864, 4934, 5001, 5063, 5123, 5178, 5231, 5280,
    5326, 5368, 5408, 5444, 5477, 5507, 5533, 5557, 5578, 5595, 5610, 5622, 5631, 5637,
    5640, 5641, 5638, 5633, 5626, 5615, 5602, 5586, 5568, 5547, 5524, 5498, 5470, 5439,
    5406, 5370, 5332, 5291, 5249, 5203, 5156, 5106, 5054, 5000, 4944, 4885, 4825, 4762,
    4697, 4630, 4561, 4490, 4416, 4341, 4264, 4184, 4103, 4020, 3935, 3848, 3759, 3668,
    3575, 3481, 3384, 3286, 3186, 3084, 2981, 2875, 2768, 2659, 2549, 2437, 2323, 2207,
    2090, 1971, 1851, 1729, 1605, 1480, 1353, 1224, 1094, 963,  830,  695,  559,  421,
    282,  142,  0,    0};

static uint32_t fbl_msb32(uint32_t x)
{
    uint32_t n = 0;
    while (x) {
        x >>= 1;
        ++n;
    }
    return n;
}

/* Q16 fraction of log2(x) given its integer part. */
static uint32_t fbl_log2_frac(uint32_t x, uint32_t log2x)
{
    int32_t frac = (int32_t)(x - ((uint32_t)1 << log2x));
    if (log2x < 16)
        frac = (int32_t)((uint32_t)frac << (16 - log2x));
    else
        frac >>= log2x - 16;
    const uint32_t seg = (uint32_t)frac >> 9;
    const int32_t c0 = fbl_lut[seg], c1 = fbl_lut[seg + 1];
    const int32_t seg_base = (int32_t)(512u * seg);
    const int32_t rel = ((c1 - c0) * (frac - seg_base)) >> 16;
    return (uint32_t)(frac + c0 + rel);
}

static uint32_t fbl_log32(uint32_t x, uint32_t out_scale)
{
    const uint32_t integer = fbl_msb32(x) - 1;
    const uint32_t log2 = (integer << 16) + fbl_log2_frac(x, integer);
    const uint32_t loge = (uint32_t)(((uint64_t)45426 * log2 + 32768u) >> 16);
    return (out_scale * loge + 32768u) >> 16;
}

int nk_signal_filter_bank_log(int32_t size, int32_t output_scale, int32_t correction_bits,
                              const uint32_t *input, int16_t *output)
{
    if (size < 0 || correction_bits < 0 || correction_bits > 31 || !input || !output)
        return NK_ERR_PARAMS;
    for (int32_t i = 0; i < size; ++i) {
        const uint32_t scaled = input[i] << correction_bits;
        if (scaled > 1) {
            const uint32_t v = fbl_log32(scaled, (uint32_t)output_scale);
            output[i] = (int16_t)(v < 32767u ? v : 32767u);
        } else {
            output[i] = 0;
        }
    }
    return NK_OK;
}

/* firmware/kernels/signal/nk_signal_filter_bank_sqrt.c —
 * SignalFilterBankSquareRoot: TFLite Micro's rounding integer square root
 * (32-bit shortcut below 2^32, so results there saturate at 0xFFFF), then
 * a right shift by the FFT's scale bits. */
#include "nk.h"

static int32_t sq_msb64(uint64_t x)
{
    int32_t n = 0;
    if (!x)
        return 64;
    while (x) {
        x >>= 1;
        ++n;
    }
    return n;
}

static uint32_t sq_sqrt32(uint32_t num)
{
    if (!num)
        return 0;
    uint32_t res = 0;
    int32_t top = (32 - sq_msb64(num)) | 1;
    uint32_t bit = (uint32_t)1 << (31 - top);
    int32_t it = (31 - top) / 2 + 1;
    while (it--) {
        if (num >= res + bit) {
            num -= res + bit;
            res = (res >> 1) + bit;
        } else {
            res >>= 1;
        }
        bit >>= 2;
    }
    if (num > res && res != 0xFFFFu)
        ++res;
    return res & 0xFFFFu;
}

static uint32_t sq_sqrt64(uint64_t num)
{
    if ((num >> 32) == 0)
        return sq_sqrt32((uint32_t)num);
    uint64_t res = 0;
    int32_t top = (64 - sq_msb64(num)) | 1;
    uint64_t bit = (uint64_t)1 << (63 - top);
    int32_t it = (63 - top) / 2 + 1;
    while (it--) {
        if (num >= res + bit) {
            num -= res + bit;
            res = (res >> 1) + bit;
        } else {
            res >>= 1;
        }
        bit >>= 2;
    }
    if (num > res && res != 0xFFFFFFFFu)
        ++res;
    return (uint32_t)res;
}

int nk_signal_filter_bank_sqrt(int32_t size, const uint64_t *input, const int32_t *scale_bits,
                               uint32_t *output)
{
    if (size < 0 || !input || !scale_bits || !output || *scale_bits < 0 || *scale_bits > 31)
        return NK_ERR_PARAMS;
    const int32_t s = *scale_bits;
    for (int32_t i = 0; i < size; ++i)
        output[i] = sq_sqrt64(input[i]) >> s;
    return NK_OK;
}

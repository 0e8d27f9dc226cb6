/* sdk/src/ir/rfft_tables.c — the fixed-point real FFT's tables (see
 * neurio/signal.h).  KISS FFT v130, 16-bit FIXED_POINT: a twiddle is
 * floor(0.5 + 32767 * cos(phase)) (and sin) of phase = -2 pi i / n for the
 * complex FFT of n = fft_length / 2 points, and of
 * phase = -pi ((i + 1) / n + 0.5) for the real split; its factorisation
 * takes fours while they divide, then twos. */
#include "neurio/signal.h"

#include <math.h>

static int16_t rt_q15(double v)
{
    return (int16_t)floor(0.5 + 32767.0 * v);
}

int neurio_rfft_tables_s16(int32_t fft_length, int32_t factors[2 * NEURIO_RFFT_MAX_FACTORS],
                           int32_t *n_factors, int16_t *twiddles, int16_t *super_twiddles,
                           neurio_errbuf *err)
{
    const double pi = 3.14159265358979323846264338327950288;
    if (fft_length < 4 || (fft_length & (fft_length - 1)))
        return neurio_fail(err, NEURIO_ERR_UNSUPPORTED,
                           "SignalRfft: fft_length %d is not a power of two >= 4 (the int16 "
                           "kernel has radix-4 and radix-2 stages only)", (int)fft_length);
    const int32_t n = fft_length / 2;
    int32_t k = 0, rest = n;
    while (rest > 1) {
        const int32_t p = rest % 4 == 0 ? 4 : 2;
        rest /= p;
        factors[2 * k] = p;
        factors[2 * k + 1] = rest;
        k++;
    }
    *n_factors = k;
    for (int32_t i = 0; i < n; ++i) {
        const double phase = -2 * pi * i / n;
        twiddles[2 * i] = rt_q15(cos(phase));
        twiddles[2 * i + 1] = rt_q15(sin(phase));
    }
    for (int32_t i = 0; i < n / 2; ++i) {
        const double phase = -pi * ((double)(i + 1) / n + .5);
        super_twiddles[2 * i] = rt_q15(cos(phase));
        super_twiddles[2 * i + 1] = rt_q15(sin(phase));
    }
    return NEURIO_OK;
}

/* sdk/include/neurio/signal.h — host-side constants of the Signal kernels
 * (firmware/kernels/nk_signal.h) that TFLite Micro computes when it
 * initialises an op: the fixed-point FFT's factors and twiddles.  Computed
 * here once, on the host, with the same double-precision formulas KISS FFT
 * v130 uses, and emitted as constant tables, so the interpreter and every
 * device run on identical bits. */
#ifndef NEURIO_SIGNAL_H
#define NEURIO_SIGNAL_H

#include "neurio/api.h"

#include <stdint.h>

#include "neurio/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Most (radix, remaining length) pairs an FFT of up to 2^31 points has. */
#define NEURIO_RFFT_MAX_FACTORS 32

/* Tables of the int16 real FFT of fft_length points (a power of two >= 4):
 * factors[2 * k], factors[2 * k + 1] = radix and remaining length of stage
 * k (KISS FFT's factorisation: fours first, then a two), *n_factors pairs;
 * twiddles: fft_length / 2 complex Q15 values (interleaved re, im);
 * super_twiddles: fft_length / 4 complex Q15 values.  The caller provides
 * the arrays.  NEURIO_ERR_UNSUPPORTED (with a message naming the length)
 * for lengths that are not a power of two. */
NEURIO_API int neurio_rfft_tables_s16(int32_t fft_length, int32_t factors[2 * NEURIO_RFFT_MAX_FACTORS],
                           int32_t *n_factors, int16_t *twiddles, int16_t *super_twiddles,
                           neurio_errbuf *err);

#ifdef __cplusplus
}
#endif
#endif /* NEURIO_SIGNAL_H */

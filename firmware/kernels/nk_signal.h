/* firmware/kernels/nk_signal.h — TFLite Micro's Signal library ops (the
 * audio front end: window, real FFT, energy, mel filter bank, noise
 * reduction, log, PCAN), bit-exact with its reference kernels (included
 * by nk.h; the conventions there hold).
 *
 * Tables that TFLite Micro computes when it initialises an op (the FFT's
 * twiddle factors) are computed on the host by libneurio
 * (neurio_rfft_tables_s16(), neurio/signal.h) and passed in as constants,
 * so the device needs no libm for them and host and device use the same
 * bits.  Ops with state (FilterBankSpectralSubtraction's noise estimate)
 * take it as a caller-kept buffer, like the variable tensors of nk_seq.h. */
#ifndef NEURIO_NK_SIGNAL_H
#define NEURIO_NK_SIGNAL_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* SignalWindow: out[i] = sat16((in[i] * window[i % window_size]) >> shift)
 * over `size` elements (size a multiple of window_size). */
int nk_signal_window_s16(int32_t size, int32_t window_size, int32_t shift,
                         const int16_t *input, const int16_t *window, int16_t *output);

/* SignalRfft, int16 (KISS FFT v130 fixed-point real FFT as TFLite Micro
 * builds it): each row of input_length samples is zero-padded to
 * fft_length and transformed into fft_length / 2 + 1 complex bins
 * (interleaved real, imag) of the output row (output_length bins).
 * fft_length must be a power of two >= 4 (radix-4 and radix-2 stages;
 * other lengths need KISS FFT's radix-3/5/generic stages, not here).
 * twiddles: the complex FFT's fft_length / 2 factors; super_twiddles:
 * fft_length / 4 factors of the real-FFT split; factors: KISS FFT's
 * (radix, remaining length) pairs, n_factors pairs.  All from
 * neurio_rfft_tables_s16().  scratch: fft_length + fft_length int16. */
typedef struct nk_rfft_params {
    int32_t rows;
    int32_t input_length;
    int32_t fft_length;
    int32_t output_length;           /* complex bins per output row */
    int32_t n_factors;
    const int32_t *factors;          /* [2 * n_factors] */
    const int16_t *twiddles;         /* [fft_length / 2][2] */
    const int16_t *super_twiddles;   /* [fft_length / 4][2] */
} nk_rfft_params;

int nk_signal_rfft_s16(const nk_rfft_params *p, const int16_t *input, int16_t *scratch,
                       int16_t *output);

/* SignalFftAutoScale: shifts the block left by the largest amount that
 * keeps every sample in int16 (TFLite Micro's arithmetic, including its
 * handling of -32768 and of an all-zero block); *scale_bits receives it. */
int nk_signal_fft_auto_scale_s16(int32_t size, const int16_t *input, int16_t *output,
                                 int32_t *scale_bits);

/* SignalEnergy: out[i] = re^2 + im^2 (uint32) for start <= i < end of the
 * complex int16 input; out[i] = 0 outside that range. */
int nk_signal_energy(int32_t size, int32_t start, int32_t end, const int16_t *input,
                     uint32_t *output);

/* SignalFilterBank: triangular mel channels over uint32 energies into
 * uint64 sums.  weights/unweights: int16 per weight; channel tables have
 * num_channels + 1 entries (entry 0 is the scratch channel TFLite keeps).
 * scratch: num_channels + 1 uint64. */
typedef struct nk_filter_bank_params {
    int32_t num_channels;
    int32_t input_size;              /* uint32 elements of the input */
    int32_t n_weights;
    const int16_t *weights;
    const int16_t *unweights;
    const int16_t *freq_starts;      /* [num_channels + 1] */
    const int16_t *weight_starts;    /* [num_channels + 1] */
    const int16_t *widths;           /* [num_channels + 1] */
} nk_filter_bank_params;

int nk_signal_filter_bank(const nk_filter_bank_params *p, const uint32_t *input,
                          uint64_t *scratch, uint64_t *output);

/* SignalFilterBankSquareRoot: out[i] = isqrt64(in[i]) >> scale_bits
 * (TFLite Micro's rounding integer square root). */
int nk_signal_filter_bank_sqrt(int32_t size, const uint64_t *input, const int32_t *scale_bits,
                               uint32_t *output);

/* SignalFilterBankSpectralSubtraction: noise estimate smoothing and
 * subtraction.  noise (num_channels uint32) is the op's state: read and
 * updated; noise_out (may be NULL) receives a copy, as TFLite's second
 * output. */
typedef struct nk_spectral_sub_params {
    int32_t num_channels;
    uint32_t smoothing, one_minus_smoothing;
    uint32_t alternate_smoothing, alternate_one_minus_smoothing;
    uint32_t min_signal_remaining;
    uint32_t smoothing_bits;
    uint32_t spectral_subtraction_bits;
    int32_t clamping;
} nk_spectral_sub_params;

int nk_signal_spectral_subtraction(const nk_spectral_sub_params *p, const uint32_t *input,
                                   uint32_t *noise, uint32_t *output, uint32_t *noise_out);

/* SignalFilterBankLog: out[i] = min(log_scaled(in[i] << correction_bits),
 * 32767) (0 when the shifted input is 0 or 1). */
int nk_signal_filter_bank_log(int32_t size, int32_t output_scale, int32_t correction_bits,
                              const uint32_t *input, int16_t *output);

/* SignalPCAN: per-channel automatic gain control from the noise estimate
 * and the gain lookup table (int16). */
int nk_signal_pcan(int32_t size, int32_t snr_shift, const uint32_t *input,
                   const uint32_t *noise_estimate, const int16_t *gain_lut, int32_t lut_size,
                   uint32_t *output);

#ifdef __cplusplus
}
#endif
#endif /* NEURIO_NK_SIGNAL_H */

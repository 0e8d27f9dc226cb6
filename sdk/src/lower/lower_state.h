/* sdk/src/lower/lower_state.h — IR op -> kernel parameters for the
 * stateful ops (SVDF, LSTM) and the Signal ops: the one place their
 * fixed-point constants, shapes and tables are derived, used by both the
 * host interpreter (sdk/src/interp/) and the C generator (sdk/src/codegen/).
 * Every function checks what it reads and fails with a message naming the
 * op.  Pointers placed in parameter structs point into the model's constant
 * data and stay valid as long as the model. */
#ifndef NEURIO_LOWER_STATE_H
#define NEURIO_LOWER_STATE_H

#include <stddef.h>
#include <stdint.h>

#include "kernels/nk.h"
#include "neurio/model.h"
#include "neurio/signal.h"

/* 1 when op kind k is lowered here. */
int nlw_is_state_op(neurio_op_kind k);

/* Byte value a variable tensor is reset to before a sample (TFLite Micro:
 * the zero point for int8, 0 otherwise). */
int nlw_state_reset_byte(const neurio_tensor *t);

/* Scratch bytes op oi needs during its execution only (0: none). */
size_t nlw_state_scratch(const neurio_model *m, int32_t oi);

int nlw_svdf(const neurio_model *m, int32_t oi, nk_svdf_params *p, neurio_errbuf *err);
/* LSTM shapes; w_in/w_rec/bias receive tensor indices (-1 absent bias):
 * gate order input, forget, cell, output. */
int nlw_lstm(const neurio_model *m, int32_t oi, nk_lstm_params *p, int32_t w_in[4],
             int32_t w_rec[4], int32_t bias[4], neurio_errbuf *err);

/* The FFT's tables, caller-owned (sizes from NEURIO_RFFT_MAX_FACTORS and
 * fft_length). */
typedef struct nlw_rfft {
    nk_rfft_params p;
    int32_t factors[2 * NEURIO_RFFT_MAX_FACTORS];
    int16_t *twiddles;        /* [fft_length] (fft_length / 2 complex)   */
    int16_t *super_twiddles;  /* [fft_length / 2]                         */
} nlw_rfft;
/* Fills r (allocating the twiddle arrays: free with nlw_rfft_free). */
int nlw_signal_rfft(const neurio_model *m, int32_t oi, nlw_rfft *r, neurio_errbuf *err);
void nlw_rfft_free(nlw_rfft *r);

int nlw_signal_filter_bank(const neurio_model *m, int32_t oi, nk_filter_bank_params *p,
                           neurio_errbuf *err);
int nlw_signal_spectral_sub(const neurio_model *m, int32_t oi, nk_spectral_sub_params *p,
                            neurio_errbuf *err);

#endif

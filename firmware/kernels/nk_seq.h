/* firmware/kernels/nk_seq.h — the stateful sequence kernels: SVDF and
 * UNIDIRECTIONAL_SEQUENCE_LSTM, as TFLite Micro's reference kernels define
 * them (included by nk.h; the conventions there hold).
 *
 * State: both ops read and update a state buffer the caller keeps between
 * calls (TFLite's variable tensors).  The code generator places it in the
 * tensor arena where nothing else ever lives (sdk/src/plan/: the state
 * prefix of the arena) and zeroes it before each inference unless the model
 * is built stateful; these kernels never clear it themselves. */
#ifndef NEURIO_NK_SEQ_H
#define NEURIO_NK_SEQ_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------- svdf */

/* SVDF (rank-r singular value decomposition filter).
 *   input          [batches][input_size]
 *   weights_feature[num_filters][input_size]
 *   weights_time   [num_filters][memory_size]
 *   bias           [num_units] (num_units = num_filters / rank) or NULL
 *   state          [batches][num_filters][memory_size] (updated)
 *   output         [batches][num_units]
 * Per call the state shifts left by one (the whole buffer, as TFLite Micro
 * does), the newest column gets weights_feature x input, and each unit sums
 * rank filters of weights_time . state (plus bias).
 * int8: input/weights_feature int8; weights_time and state int8 or int16
 * (state_bits 8 or 16); bias int32.  The feature product is rescaled by
 * mult1/shift1 (in_scale * wf_scale / state_scale), plus state_zp,
 * saturated to the state type; the sum by mult2/shift2 (state_scale *
 * wt_scale / out_scale), plus out_zp, saturated to int8 (no fused
 * activation, as TFLite Micro's integer kernel).
 * float: fused activation as act_min_f/act_max_f. */
typedef struct nk_svdf_params {
    int32_t batches;
    int32_t input_size;
    int32_t num_filters;
    int32_t memory_size;
    int32_t rank;                    /* >= 1, divides num_filters */
    /* int8 */
    int32_t state_bits;              /* 8 or 16 */
    int32_t in_zp, state_zp, out_zp;
    int32_t mult1, shift1;
    int32_t mult2, shift2;
    /* float */
    float act_min_f, act_max_f;
} nk_svdf_params;

int nk_svdf_s8(const nk_svdf_params *p, const int8_t *input, const int8_t *weights_feature,
               const void *weights_time, const int32_t *bias, void *state, int8_t *output);
int nk_svdf_f32(const nk_svdf_params *p, const float *input, const float *weights_feature,
                const float *weights_time, const float *bias, float *state, float *output);

/* ---------------------------------------------------------------- lstm */

/* UNIDIRECTIONAL_SEQUENCE_LSTM, float32, TFLite Micro's reference order of
 * operations: per time step, each gate is FC(x_t) + bias plus FC(h) (no
 * peephole, no projection, no layer norm), then sigmoid (input, forget,
 * output gates) or tanh (cell gate); c = f * c + i * g, clipped to
 * +-cell_clip when cell_clip > 0; h = o * tanh(c); the output row is h.
 *   input  time_major: [time][batches][input_size], else [batches][time][input_size]
 *   output the same layout with units instead of input_size
 *   w_in[g]  [units][input_size], w_rec[g] [units][units], bias[g] [units]
 *            (g = 0 input, 1 forget, 2 cell, 3 output gate; bias may be NULL)
 *   hidden, cell [batches][units] (updated)
 *   scratch  4 * batches * units floats */
typedef struct nk_lstm_params {
    int32_t time_steps;
    int32_t batches;
    int32_t input_size;
    int32_t units;
    int32_t time_major;
    float cell_clip;                 /* 0: no clipping */
} nk_lstm_params;

int nk_lstm_f32(const nk_lstm_params *p, const float *input, const float *const w_in[4],
                const float *const w_rec[4], const float *const bias[4], float *hidden,
                float *cell, float *scratch, float *output);

#ifdef __cplusplus
}
#endif
#endif /* NEURIO_NK_SEQ_H */

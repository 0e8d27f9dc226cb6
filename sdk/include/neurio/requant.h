/* sdk/include/neurio/requant.h — host-side derivation of the fixed-point
 * constants the int8 kernels (firmware/kernels/nk.h) take, exactly as
 * TensorFlow Lite (Micro) derives them from the float scales, so that
 * generated code is bit-exact with TFLite's reference kernels.
 *
 * Conventions: a (multiplier, shift) pair means real ~= mult * 2^shift /
 * 2^31 with mult in [2^30, 2^31) (or 0) and shift > 0 a left shift, as
 * TFLite's QuantizeMultiplier.  Scales are the float scales stored in the
 * model; every function widens them to double in the same places TFLite
 * does (this matters for bit-exactness).  Functions returning int give
 * NEURIO_OK or NEURIO_ERR_INVALID with a one-line message in `err` naming
 * the bad value (non-positive or non-finite scale, ...).  No allocation;
 * all outputs are caller-owned.
 */
#ifndef NEURIO_REQUANT_H
#define NEURIO_REQUANT_H

#include "neurio/api.h"

#include <stdint.h>

#include "neurio/model.h"
#include "neurio/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* TFLite QuantizeMultiplier: frexp, round half away from zero, the
 * q == 2^31 case folded into the exponent, shifts below -31 flushed to
 * (0, 0).  real == 0 gives (0, 0).  real must be finite and >= 0. */
NEURIO_API void neurio_quantize_multiplier(double real, int32_t *mult, int32_t *shift);

/* TFLite CalculateInputRadius (floor of the largest input magnitude that
 * does not saturate after the left shift). */
NEURIO_API int32_t neurio_calculate_input_radius(int input_integer_bits, int input_left_shift,
                                      int total_signed_bits);

/* TFLite PreprocessSoftmaxScaling (double-rounding build): multiplier and
 * left shift for beta * input_scale in Q(input_integer_bits). */
NEURIO_API void neurio_preprocess_softmax_scaling(double beta, double input_scale, int input_integer_bits,
                                       int32_t *mult, int32_t *left_shift);

/* CONV_2D / DEPTHWISE_CONV_2D: per output channel,
 * QuantizeMultiplier((double)in_scale * (double)filter_scale[i] /
 * (double)out_scale).  n_filter_scales is 1 (per-tensor: one pair written)
 * or the number of output channels (n pairs written). */
NEURIO_API int neurio_conv_multipliers(float in_scale, const float *filter_scales, int32_t n_filter_scales,
                            float out_scale, int32_t *mult, int32_t *shift, neurio_errbuf *err);

/* FULLY_CONNECTED: per-channel as conv; per-tensor (n == 1) as TFLite
 * Micro's GetQuantizedConvolutionMultipler, which multiplies the two float
 * scales in float before widening: (double)(in_scale * filter_scale) /
 * (double)out_scale. */
NEURIO_API int neurio_fc_multipliers(float in_scale, const float *filter_scales, int32_t n_filter_scales,
                          float out_scale, int32_t *mult, int32_t *shift, neurio_errbuf *err);

/* Quantized fused-activation range for an int8 output (TFLite
 * CalculateActivationRangeQuantized): NONE -> [-128, 127]; RELU ->
 * [max(-128, zp + round(0/s)), 127]; RELU6 -> up to zp + round(6/s);
 * RELU_N1_TO_1 -> [zp + round(-1/s), zp + round(1/s)], clamped to int8. */
NEURIO_API int neurio_act_range_s8(neurio_activation act, float out_scale, int32_t out_zp,
                        int32_t *act_min, int32_t *act_max, neurio_errbuf *err);

/* Float fused-activation range: NONE -> [-FLT_MAX, FLT_MAX], RELU ->
 * [0, FLT_MAX], RELU6 -> [0, 6], RELU_N1_TO_1 -> [-1, 1]. */
NEURIO_API void neurio_act_range_f32(neurio_activation act, float *act_min, float *act_max);

/* ADD / SUB (int8): TFLite's left_shift = 20, twice_max_input_scale =
 * 2 * max(s1, s2), input multipliers s_i / twice_max and output multiplier
 * twice_max / (2^20 * s_out), all QuantizeMultiplier'd (each < 1). */
typedef struct neurio_add_quant {
    int32_t left_shift;
    int32_t in1_mult, in1_shift;
    int32_t in2_mult, in2_shift;
    int32_t out_mult, out_shift;
} neurio_add_quant;

NEURIO_API int neurio_add_params_s8(float in1_scale, float in2_scale, float out_scale,
                         neurio_add_quant *q, neurio_errbuf *err);

/* MUL (int8): QuantizeMultiplier((double)s1 * (double)s2 / (double)s_out). */
NEURIO_API int neurio_mul_params_s8(float in1_scale, float in2_scale, float out_scale, int32_t *mult,
                         int32_t *shift, neurio_errbuf *err);

/* SOFTMAX (int8 in, int8 out with scale 1/256 and zp -128): beta and the
 * input scale give input_multiplier/input_left_shift for Q5.26 differences
 * and diff_min = -CalculateInputRadius(5, left_shift, 31). */
NEURIO_API int neurio_softmax_params_s8(float beta, float in_scale, int32_t *mult, int32_t *left_shift,
                             int32_t *diff_min, neurio_errbuf *err);

/* LOGISTIC and TANH (int8): TFLite Micro's own derivation (not
 * QuantizeMultiplier): frexp(in_scale * 2^27) -> multiplier =
 * round(q * 2^31), left shift = exponent; range radius =
 * CalculateInputRadius(4, left_shift, 31).  Same numbers for both ops. */
NEURIO_API int neurio_logistic_params_s8(float in_scale, int32_t *mult, int32_t *left_shift,
                              int32_t *range_radius, neurio_errbuf *err);
NEURIO_API int neurio_tanh_params_s8(float in_scale, int32_t *mult, int32_t *left_shift,
                          int32_t *range_radius, neurio_errbuf *err);

/* QUANTIZE int8 -> int8 (requantize): QuantizeMultiplier((double)in_scale /
 * (double)out_scale). */
NEURIO_API int neurio_requant_params_s8(float in_scale, float out_scale, int32_t *mult, int32_t *shift,
                             neurio_errbuf *err);

/* Standalone RELU / RELU6 / RELU_N1_TO_1 (int8), for nk_relu_s8():
 * multiplier for in_scale / out_scale and the activation range on the
 * output quantization (TFLite Micro's ReluQuantized / Relu6: the same
 * numbers when input and output share their quantization). */
NEURIO_API int neurio_relu_params_s8(neurio_activation act, float in_scale, float out_scale, int32_t out_zp,
                          int32_t *mult, int32_t *shift, int32_t *act_min, int32_t *act_max,
                          neurio_errbuf *err);

/* MEAN (int8) over `count` elements: mult = 0 when input and output share
 * scale and zero point (TFLite's plain integer mean); otherwise TFLite's
 * QuantizedMeanOrSum rescaling folded at generation time:
 * QuantizeMultiplier(in_scale / out_scale), then with s = min(floor(log2
 * count), 32, 31 + shift): mult = (mult << s) / count, shift -= s. */
NEURIO_API int neurio_mean_params_s8(float in_scale, int32_t in_zp, float out_scale, int32_t out_zp,
                          int64_t count, int32_t *mult, int32_t *shift, neurio_errbuf *err);

/* Output size and leading (top/left) padding of one spatial axis, as
 * TFLite's ComputeOutSize / ComputePaddingWithOffset.  SAME: out =
 * ceil(in / stride); VALID: out = floor((in - eff) / stride) + 1 with eff =
 * (filter - 1) * dilation + 1; pad = max(0, (out - 1) * stride + eff - in) / 2.
 * EXPLICIT: out = (in + pad_before + pad_after - eff) / stride + 1 and
 * pad_before is passed through (give it in *pad_before).  Fails (naming the
 * numbers) when the output would be empty or an argument is < 1. */
NEURIO_API int neurio_compute_padding(neurio_padding padding, int32_t in, int32_t filter, int32_t stride,
                           int32_t dilation, int32_t pad_after_explicit, int32_t *out_size,
                           int32_t *pad_before, neurio_errbuf *err);

/* ---- int16 activations (TFLite's int16x8) and LEAKY_RELU (requant_wide.c) */

/* Fused-activation range of a quantized output whose type holds qmin..qmax
 * (TFLite's CalculateActivationRangeQuantized: zp + round(f / scale),
 * clamped to the type). */
NEURIO_API int neurio_act_range_q(neurio_activation act, float out_scale, int32_t out_zp, int32_t qmin,
                       int32_t qmax, int32_t *act_min, int32_t *act_max, neurio_errbuf *err);

/* ADD / SUB (int16): as neurio_add_params_s8 with left_shift 15.  TFLite
 * Micro computes ADD's ratios in double and SUB's in float (then widened):
 * is_sub selects SUB's arithmetic, so the multipliers match bit for bit. */
NEURIO_API int neurio_add_params_s16(float in1_scale, float in2_scale, float out_scale, int is_sub,
                          neurio_add_quant *q, neurio_errbuf *err);

/* LEAKY_RELU (int8/int16, TFLM leaky_relu_common.cc): identity multiplier
 * QuantizeMultiplier((double)(in_scale / out_scale)), alpha multiplier
 * QuantizeMultiplier((double)(in_scale * alpha / out_scale)), the ratios in
 * float.  A negative alpha is refused (UNSUPPORTED). */
NEURIO_API int neurio_leaky_relu_params(float in_scale, float out_scale, float alpha, int32_t *mult_id,
                             int32_t *shift_id, int32_t *mult_alpha, int32_t *shift_alpha,
                             neurio_errbuf *err);

/* QUANTIZE between integer types (TFLM quantize_common.cc):
 * QuantizeMultiplier((double)in_scale / (double)out_scale), any ratio. */
NEURIO_API int neurio_requant_params(float in_scale, float out_scale, int32_t *mult, int32_t *shift,
                          neurio_errbuf *err);

#ifdef __cplusplus
}
#endif
#endif /* NEURIO_REQUANT_H */

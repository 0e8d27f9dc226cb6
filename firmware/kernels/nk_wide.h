/* firmware/kernels/nk_wide.h — the int16-activation (TFLite's "int16x8")
 * kernels of the element-wise, activation, layout and quantization ops, and
 * LEAKY_RELU; included by nk.h, whose conventions hold.  Integer arithmetic
 * follows TFLite Micro's reference kernels bit for bit (the comment of each
 * kernel names the TFLM source it matches). */
#ifndef NEURIO_NK_WIDE_H
#define NEURIO_NK_WIDE_H

#include <stddef.h>
#include <stdint.h>

#include "nk.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ADD / SUB int16 (TFLM add.cc, sub.cc: reference_ops::Add with
 * pot_scale = false and SubElementwise, i.e. the general rescaling path):
 * nk_binary_params as int8 ADD, with left_shift 15 (the lowering computes
 * the multipliers as TFLM's CalculateOpDataAdd / CalculateOpDataSub).
 * In-place allowed when broadcast == 0. */
int nk_add_s16(const nk_binary_params *p, const int16_t *in1, const int16_t *in2,
               int16_t *output);
int nk_sub_s16(const nk_binary_params *p, const int16_t *in1, const int16_t *in2,
               int16_t *output);
/* MUL int16 (TFLM mul_common.cc, integer MulElementwise; zero points 0):
 * out_zp + MBQM(q1 * q2, out_mult, out_shift) clamped to act_min..act_max,
 * out_mult/out_shift = QuantizeMultiplier((double)s1 * s2 / s_out). */
int nk_mul_s16(const nk_binary_params *p, const int16_t *in1, const int16_t *in2,
               int16_t *output);

/* SOFTMAX int8 -> int16 (TFLM softmax.cc: reference Softmax with an int16
 * output): as nk_softmax_s8, the output scale 1/65536 and zero point
 * -32768. */
int nk_softmax_s8_s16(const nk_softmax_params *p, const int8_t *input, int16_t *output);

/* LEAKY_RELU (TFLM leaky_relu.cc, reference QuantizeLeakyRelu): with
 * v = q - in_zp, out = out_zp + MBQM(v, mult_identity, shift_identity) when
 * v >= 0, else out_zp + MBQM(v, mult_alpha, shift_alpha), clamped to the
 * output type.  float: x > 0 ? x : x * alpha.  In-place allowed. */
typedef struct nk_leaky_relu_params {
    int32_t size;
    int32_t in_zp, out_zp;
    int32_t mult_identity, shift_identity;
    int32_t mult_alpha, shift_alpha;
    float alpha;                     /* float kernel only */
} nk_leaky_relu_params;

int nk_leaky_relu_s8(const nk_leaky_relu_params *p, const int8_t *input, int8_t *output);
int nk_leaky_relu_s16(const nk_leaky_relu_params *p, const int16_t *input, int16_t *output);
int nk_leaky_relu_f32(const nk_leaky_relu_params *p, const float *input, float *output);

/* PAD int16 with pad_value (nk_pad_params, as nk_pad_s8). */
int nk_pad_s16(const nk_pad_params *p, const int16_t *input, int16_t *output);

/* QUANTIZE between integer types (TFLM quantize.cc, reference Requantize):
 * out = clamp(out_zp + MBQM(q - in_zp, mult, shift), act_min, act_max)
 * with mult/shift = QuantizeMultiplier(in_scale / out_scale) and act_min/
 * act_max the output type's range.  shift may reach +31 (int32 outputs of
 * fine scale).  In-place allowed when both types have one size. */
int nk_requantize_s16_s8(const nk_requant_params *p, const int16_t *input, int8_t *output);
int nk_requantize_s16_s16(const nk_requant_params *p, const int16_t *input, int16_t *output);
int nk_requantize_s16_s32(const nk_requant_params *p, const int16_t *input, int32_t *output);
int nk_requantize_s8_s16(const nk_requant_params *p, const int8_t *input, int16_t *output);
int nk_requantize_s8_s32(const nk_requant_params *p, const int8_t *input, int32_t *output);

/* QUANTIZE float32 -> int16 (AffineQuantize, as nk_quantize_f32_s8) and
 * DEQUANTIZE int16 -> float32 (x = (float)((double)scale * (q - zp))). */
int nk_quantize_f32_s16(const nk_quantize_params *p, const float *input, int16_t *output);
int nk_dequantize_s16_f32(const nk_quantize_params *p, const int16_t *input, float *output);

#ifdef __cplusplus
}
#endif
#endif /* NEURIO_NK_WIDE_H */

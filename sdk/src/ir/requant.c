/* sdk/src/ir/requant.c — fixed-point constants for the int8 kernels, derived
 * from float scales the way TensorFlow Lite (Micro) does (see
 * neurio/requant.h for the contract of each function). */
#include "neurio/requant.h"
#include "requant_internal.h"

#include <float.h>
#include <math.h>
#include <stdio.h>

/* Scales must be finite and > 0; names the argument otherwise. */
int nrq_check_scale(const char *what, float s, neurio_errbuf *err)
{
    if (!(s > 0.0f) || !isfinite(s))
        return neurio_fail(err, NEURIO_ERR_INVALID,
                           "%s is %g: a quantization scale must be finite and > 0 "
                           "(fix the model's quantization parameters)",
                           what, (double)s);
    return NEURIO_OK;
}

void neurio_quantize_multiplier(double real, int32_t *mult, int32_t *shift)
{
    if (real == 0.0 || !isfinite(real) || real < 0.0) {
        *mult = 0;
        *shift = 0;
        return;
    }
    int exponent = 0;
    const double q = frexp(real, &exponent);
    int64_t q_fixed = (int64_t)round(q * 2147483648.0);
    if (q_fixed == ((int64_t)1 << 31)) {
        q_fixed /= 2;
        ++exponent;
    }
    if (exponent < -31) {
        exponent = 0;
        q_fixed = 0;
    }
    *mult = (int32_t)q_fixed;
    *shift = (int32_t)exponent;
}

int32_t neurio_calculate_input_radius(int input_integer_bits, int input_left_shift,
                                      int total_signed_bits)
{
    const double max_input_rescaled = 1.0 * (double)((1 << input_integer_bits) - 1) *
                                      (double)((int64_t)1 << (total_signed_bits - input_integer_bits)) /
                                      (double)((int64_t)1 << input_left_shift);
    return (int32_t)floor(max_input_rescaled);
}

void neurio_preprocess_softmax_scaling(double beta, double input_scale, int input_integer_bits,
                                       int32_t *mult, int32_t *left_shift)
{
    const double max_real_multiplier = (double)(((int64_t)1 << 31) - 1);
    double real = beta * input_scale * (double)(1 << (31 - input_integer_bits));
    if (real > max_real_multiplier)
        real = max_real_multiplier;
    neurio_quantize_multiplier(real, mult, left_shift);
}

static int channel_multipliers(int fc, float in_scale, const float *filter_scales, int32_t n,
                               float out_scale, int32_t *mult, int32_t *shift,
                               neurio_errbuf *err)
{
    const char *op = fc ? "FULLY_CONNECTED" : "CONV";
    if (!filter_scales || !mult || !shift || n < 1)
        return neurio_fail(err, NEURIO_ERR_INVALID,
                           "%s multipliers: %d filter scales given (need >= 1 and non-NULL buffers)",
                           op, (int)n);
    int rc = nrq_check_scale("input scale", in_scale, err);
    if (rc == NEURIO_OK)
        rc = nrq_check_scale("output scale", out_scale, err);
    if (rc != NEURIO_OK)
        return rc;
    for (int32_t i = 0; i < n; ++i) {
        char what[64];
        snprintf(what, sizeof what, "filter scale [%d]", (int)i);
        if ((rc = nrq_check_scale(what, filter_scales[i], err)) != NEURIO_OK)
            return rc;
        double real;
        if (fc && n == 1)
            real = (double)(in_scale * filter_scales[0]) / (double)out_scale;
        else
            real = (double)in_scale * (double)filter_scales[i] / (double)out_scale;
        neurio_quantize_multiplier(real, &mult[i], &shift[i]);
    }
    return NEURIO_OK;
}

int neurio_conv_multipliers(float in_scale, const float *filter_scales, int32_t n_filter_scales,
                            float out_scale, int32_t *mult, int32_t *shift, neurio_errbuf *err)
{
    return channel_multipliers(0, in_scale, filter_scales, n_filter_scales, out_scale, mult,
                               shift, err);
}

int neurio_fc_multipliers(float in_scale, const float *filter_scales, int32_t n_filter_scales,
                          float out_scale, int32_t *mult, int32_t *shift, neurio_errbuf *err)
{
    return channel_multipliers(1, in_scale, filter_scales, n_filter_scales, out_scale, mult,
                               shift, err);
}

/* The int8 case of neurio_act_range_q (requant_wide.c): zp + round(f /
 * scale), clamped to [-128, 127]. */
int neurio_act_range_s8(neurio_activation act, float out_scale, int32_t out_zp,
                        int32_t *act_min, int32_t *act_max, neurio_errbuf *err)
{
    return neurio_act_range_q(act, out_scale, out_zp, -128, 127, act_min, act_max, err);
}

void neurio_act_range_f32(neurio_activation act, float *act_min, float *act_max)
{
    switch (act) {
    case NEURIO_ACT_RELU:
        *act_min = 0.0f;
        *act_max = FLT_MAX;
        break;
    case NEURIO_ACT_RELU6:
        *act_min = 0.0f;
        *act_max = 6.0f;
        break;
    case NEURIO_ACT_RELU_N1_TO_1:
        *act_min = -1.0f;
        *act_max = 1.0f;
        break;
    case NEURIO_ACT_NONE:
    default:
        *act_min = -FLT_MAX;
        *act_max = FLT_MAX;
        break;
    }
}

int neurio_add_params_s8(float in1_scale, float in2_scale, float out_scale,
                         neurio_add_quant *q, neurio_errbuf *err)
{
    int rc = nrq_check_scale("ADD input 1 scale", in1_scale, err);
    if (rc == NEURIO_OK)
        rc = nrq_check_scale("ADD input 2 scale", in2_scale, err);
    if (rc == NEURIO_OK)
        rc = nrq_check_scale("ADD output scale", out_scale, err);
    if (rc != NEURIO_OK)
        return rc;
    q->left_shift = 20;
    const double twice_max_input_scale =
        2.0 * (double)(in1_scale > in2_scale ? in1_scale : in2_scale);
    const double real_in1 = (double)in1_scale / twice_max_input_scale;
    const double real_in2 = (double)in2_scale / twice_max_input_scale;
    const double real_out =
        twice_max_input_scale / ((double)(1 << q->left_shift) * (double)out_scale);
    neurio_quantize_multiplier(real_in1, &q->in1_mult, &q->in1_shift);
    neurio_quantize_multiplier(real_in2, &q->in2_mult, &q->in2_shift);
    neurio_quantize_multiplier(real_out, &q->out_mult, &q->out_shift);
    if (real_out >= 1.0)
        return neurio_fail(err, NEURIO_ERR_UNSUPPORTED,
                           "ADD/SUB output multiplier %g >= 1 (output scale %g is more than "
                           "2^-19 times smaller than the inputs'); TFLite refuses this too",
                           real_out, (double)out_scale);
    return NEURIO_OK;
}

int neurio_mul_params_s8(float in1_scale, float in2_scale, float out_scale, int32_t *mult,
                         int32_t *shift, neurio_errbuf *err)
{
    int rc = nrq_check_scale("MUL input 1 scale", in1_scale, err);
    if (rc == NEURIO_OK)
        rc = nrq_check_scale("MUL input 2 scale", in2_scale, err);
    if (rc == NEURIO_OK)
        rc = nrq_check_scale("MUL output scale", out_scale, err);
    if (rc != NEURIO_OK)
        return rc;
    neurio_quantize_multiplier((double)in1_scale * (double)in2_scale / (double)out_scale, mult,
                               shift);
    return NEURIO_OK;
}

int neurio_softmax_params_s8(float beta, float in_scale, int32_t *mult, int32_t *left_shift,
                             int32_t *diff_min, neurio_errbuf *err)
{
    int rc = nrq_check_scale("SOFTMAX input scale", in_scale, err);
    if (rc != NEURIO_OK)
        return rc;
    if (!(beta > 0.0f) || !isfinite(beta))
        return neurio_fail(err, NEURIO_ERR_INVALID,
                           "SOFTMAX beta is %g: it must be finite and > 0", (double)beta);
    static const int scaled_diff_integer_bits = 5;
    neurio_preprocess_softmax_scaling((double)beta, (double)in_scale, scaled_diff_integer_bits,
                                      mult, left_shift);
    if (*left_shift < 0 || *left_shift > 31)
        return neurio_fail(err, NEURIO_ERR_UNSUPPORTED,
                           "SOFTMAX input scale %g with beta %g gives left shift %d "
                           "(TFLite requires a multiplier > 1)",
                           (double)in_scale, (double)beta, (int)*left_shift);
    *diff_min = (int32_t)(-1.0 * (double)neurio_calculate_input_radius(scaled_diff_integer_bits,
                                                                       (int)*left_shift, 31));
    return NEURIO_OK;
}

static int sigmoid_params(const char *op, float in_scale, int32_t *mult, int32_t *left_shift,
                          int32_t *range_radius, neurio_errbuf *err)
{
    char what[48];
    snprintf(what, sizeof what, "%s input scale", op);
    int rc = nrq_check_scale(what, in_scale, err);
    if (rc != NEURIO_OK)
        return rc;
    static const int input_integer_bits = 4;
    const double real = (double)in_scale * (double)(1 << (31 - input_integer_bits));
    int exponent = 0;
    const double q = frexp(real, &exponent);
    const double m = round(q * 2147483648.0);
    if (exponent > 31 || exponent < 0 || m >= 2147483648.0)
        return neurio_fail(err, NEURIO_ERR_UNSUPPORTED,
                           "%s input scale %g is out of the range TFLite supports "
                           "(left shift %d)", op, (double)in_scale, exponent);
    *mult = (int32_t)m;
    *left_shift = (int32_t)exponent;
    *range_radius = neurio_calculate_input_radius(input_integer_bits, exponent, 31);
    return NEURIO_OK;
}

int neurio_logistic_params_s8(float in_scale, int32_t *mult, int32_t *left_shift,
                              int32_t *range_radius, neurio_errbuf *err)
{
    return sigmoid_params("LOGISTIC", in_scale, mult, left_shift, range_radius, err);
}

int neurio_tanh_params_s8(float in_scale, int32_t *mult, int32_t *left_shift,
                          int32_t *range_radius, neurio_errbuf *err)
{
    return sigmoid_params("TANH", in_scale, mult, left_shift, range_radius, err);
}

int neurio_requant_params_s8(float in_scale, float out_scale, int32_t *mult, int32_t *shift,
                             neurio_errbuf *err)
{
    int rc = nrq_check_scale("input scale", in_scale, err);
    if (rc == NEURIO_OK)
        rc = nrq_check_scale("output scale", out_scale, err);
    if (rc != NEURIO_OK)
        return rc;
    neurio_quantize_multiplier((double)in_scale / (double)out_scale, mult, shift);
    if (*shift > 30)
        return neurio_fail(err, NEURIO_ERR_UNSUPPORTED,
                           "requantize ratio %g / %g is too large (shift %d > 30)",
                           (double)in_scale, (double)out_scale, (int)*shift);
    return NEURIO_OK;
}

int neurio_relu_params_s8(neurio_activation act, float in_scale, float out_scale, int32_t out_zp,
                          int32_t *mult, int32_t *shift, int32_t *act_min, int32_t *act_max,
                          neurio_errbuf *err)
{
    if (act == NEURIO_ACT_NONE)
        return neurio_fail(err, NEURIO_ERR_INVALID,
                           "standalone RELU needs an activation (RELU, RELU6 or RELU_N1_TO_1)");
    int rc = neurio_requant_params_s8(in_scale, out_scale, mult, shift, err);
    if (rc != NEURIO_OK)
        return rc;
    return neurio_act_range_s8(act, out_scale, out_zp, act_min, act_max, err);
}

int neurio_mean_params_s8(float in_scale, int32_t in_zp, float out_scale, int32_t out_zp,
                          int64_t count, int32_t *mult, int32_t *shift, neurio_errbuf *err)
{
    int rc = nrq_check_scale("MEAN input scale", in_scale, err);
    if (rc == NEURIO_OK)
        rc = nrq_check_scale("MEAN output scale", out_scale, err);
    if (rc != NEURIO_OK)
        return rc;
    if (count < 1 || count > 0x7fffffff)
        return neurio_fail(err, NEURIO_ERR_INVALID,
                           "MEAN over %lld elements: the count must be in 1..2^31-1",
                           (long long)count);
    if (in_zp == out_zp && in_scale == out_scale) {
        *mult = 0;
        *shift = 0;
        return NEURIO_OK;
    }
    int32_t m = 0, s = 0;
    neurio_quantize_multiplier((double)in_scale / (double)out_scale, &m, &s);
    int lg = 0;
    while (((uint64_t)count >> (lg + 1)) != 0)
        lg++;
    int sh = lg < 32 ? lg : 32;
    if (sh > 31 + s)
        sh = 31 + s;
    if (sh < 0)
        sh = 0;
    *mult = (int32_t)(((int64_t)m * ((int64_t)1 << sh)) / count);
    *shift = s - sh;
    return NEURIO_OK;
}

int neurio_compute_padding(neurio_padding padding, int32_t in, int32_t filter, int32_t stride,
                           int32_t dilation, int32_t pad_after_explicit, int32_t *out_size,
                           int32_t *pad_before, neurio_errbuf *err)
{
    if (in < 1 || filter < 1 || stride < 1 || dilation < 1)
        return neurio_fail(err, NEURIO_ERR_INVALID,
                           "padding: input %d, filter %d, stride %d, dilation %d must all be >= 1",
                           (int)in, (int)filter, (int)stride, (int)dilation);
    const int64_t eff = (int64_t)(filter - 1) * dilation + 1;
    int64_t out;
    switch (padding) {
    case NEURIO_PAD_SAME:
        out = ((int64_t)in + stride - 1) / stride;
        break;
    case NEURIO_PAD_VALID:
        out = ((int64_t)in + stride - eff) / stride;
        break;
    case NEURIO_PAD_EXPLICIT: {
        const int64_t pb = *pad_before;
        if (pb < 0 || pad_after_explicit < 0)
            return neurio_fail(err, NEURIO_ERR_INVALID,
                               "explicit padding %lld/%d must be >= 0", (long long)pb,
                               (int)pad_after_explicit);
        const int64_t span = (int64_t)in + pb + pad_after_explicit - eff;
        out = span < 0 ? 0 : span / stride + 1;
        if (out < 1)
            return neurio_fail(err, NEURIO_ERR_INVALID,
                               "input %d padded by %lld+%d is smaller than the effective "
                               "filter %lld: empty output",
                               (int)in, (long long)pb, (int)pad_after_explicit, (long long)eff);
        *out_size = (int32_t)out;
        return NEURIO_OK;
    }
    default:
        return neurio_fail(err, NEURIO_ERR_INVALID, "unknown padding kind %d", (int)padding);
    }
    if (out < 1)
        return neurio_fail(err, NEURIO_ERR_INVALID,
                           "input %d is smaller than the effective filter %lld with VALID "
                           "padding: empty output (use SAME or a smaller filter)",
                           (int)in, (long long)eff);
    int64_t total = (out - 1) * stride + eff - in;
    if (total < 0)
        total = 0;
    *out_size = (int32_t)out;
    *pad_before = (int32_t)(total / 2);
    return NEURIO_OK;
}

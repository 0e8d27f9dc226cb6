/* firmware/kernels/activation/nk_softmax.c — SOFTMAX over the last dimension.
 * int8: TFLite's reference quantized softmax (gemmlowp fixed point: input
 * differences to the row maximum scaled to Q5.26, exp on negative values,
 * sum in Q12.19, reciprocal by Newton-Raphson), output scale 1/256 and zero
 * point -128.  float32: exp((x - max) * beta) / sum, as TFLite. */
#include <math.h>

#include "nk.h"
#include "nk_fixedpoint.h"

enum { SCALED_DIFF_INTEGER_BITS = 5, ACCUM_INTEGER_BITS = 12 };

/* int8 input; the output is int8 (out8) or int16 (out16): TFLite's
 * Softmax<int8_t, OutputT> shifts by num_bits_over_unit + 31 - bits(OutputT)
 * and adds OutputT's minimum. */
static int softmax_s8_any(const nk_softmax_params *p, const int8_t *input, int8_t *out8,
                          int16_t *out16)
{
    if (!p || p->rows < 1 || p->depth < 1 || !input || (!out8 && !out16) ||
        p->input_left_shift < 0 || p->input_left_shift > 31 || p->diff_min > 0)
        return NK_ERR_PARAMS;
    const int32_t depth = p->depth;
    const int bits = out8 ? 8 : 16;
    const int32_t qmin = out8 ? -128 : -32768, qmax = out8 ? 127 : 32767;
    for (int32_t r = 0; r < p->rows; ++r) {
        const int8_t *in = input + (size_t)r * depth;
        const size_t row = (size_t)r * depth;
        int32_t max_in_row = -128;
        for (int32_t c = 0; c < depth; ++c)
            if (in[c] > max_in_row)
                max_in_row = in[c];

        int32_t sum_of_exps = 0; /* Q12.19 */
        for (int32_t c = 0; c < depth; ++c) {
            const int32_t diff = (int32_t)in[c] - max_in_row;
            if (diff >= p->diff_min) {
                const int32_t scaled =
                    nk_mbqm_gt1(diff, p->input_multiplier, p->input_left_shift);
                const int32_t e = nk_exp_on_negative_values(scaled, SCALED_DIFF_INTEGER_BITS);
                sum_of_exps = nk_wrap_add(sum_of_exps, nk_rdbpot(e, ACCUM_INTEGER_BITS));
            }
        }

        /* GetReciprocal(sum, 12): sum >= 1.0 because the maximum contributes
         * exp(0); it must stay below 2^28 for the output shift (TFLite aborts
         * otherwise; only possible with depth >= 512). */
        if (sum_of_exps <= 0 || sum_of_exps >= ((int32_t)1 << 28))
            return NK_ERR_PARAMS;
        const int headroom_plus_one = nk_clz32((uint32_t)sum_of_exps);
        const int num_bits_over_unit = ACCUM_INTEGER_BITS - headroom_plus_one;
        const int32_t shifted_sum_minus_one =
            (int32_t)(((uint32_t)sum_of_exps << headroom_plus_one) - ((uint32_t)1 << 31));
        const int32_t shifted_scale = nk_one_over_one_plus_x(shifted_sum_minus_one);
        const int exponent = num_bits_over_unit + 31 - bits;

        for (int32_t c = 0; c < depth; ++c) {
            const int32_t diff = (int32_t)in[c] - max_in_row;
            int32_t v = qmin;
            if (diff >= p->diff_min) {
                const int32_t scaled =
                    nk_mbqm_gt1(diff, p->input_multiplier, p->input_left_shift);
                const int32_t e = nk_exp_on_negative_values(scaled, SCALED_DIFF_INTEGER_BITS);
                const int32_t unsat = nk_rdbpot(nk_srdhm(shifted_scale, e), exponent);
                v = nk_clamp(unsat + qmin, qmin, qmax);
            }
            if (out8)
                out8[row + (size_t)c] = (int8_t)v;
            else
                out16[row + (size_t)c] = (int16_t)v;
        }
    }
    return NK_OK;
}

int nk_softmax_s8(const nk_softmax_params *p, const int8_t *input, int8_t *output)
{
    return output ? softmax_s8_any(p, input, output, NULL) : NK_ERR_PARAMS;
}

int nk_softmax_s8_s16(const nk_softmax_params *p, const int8_t *input, int16_t *output)
{
    return output ? softmax_s8_any(p, input, NULL, output) : NK_ERR_PARAMS;
}

int nk_softmax_f32(const nk_softmax_params *p, const float *input, float *output)
{
    if (!p || p->rows < 1 || p->depth < 1 || !input || !output)
        return NK_ERR_PARAMS;
    const int32_t depth = p->depth;
    for (int32_t r = 0; r < p->rows; ++r) {
        const float *in = input + (size_t)r * depth;
        float *out = output + (size_t)r * depth;
        float max = -3.402823466e+38f;
        for (int32_t c = 0; c < depth; ++c)
            if (in[c] > max)
                max = in[c];
        float sum = 0.0f;
        for (int32_t c = 0; c < depth; ++c) {
            const float e = expf((in[c] - max) * p->beta);
            out[c] = e;
            sum += e;
        }
        for (int32_t c = 0; c < depth; ++c)
            out[c] = out[c] / sum;
    }
    return NK_OK;
}

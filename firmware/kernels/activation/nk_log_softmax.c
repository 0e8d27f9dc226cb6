/* firmware/kernels/activation/nk_log_softmax.c — LOG_SOFTMAX over the last
 * dimension.  int8: TFLite's LogSoftmaxQuantized (differences to the row
 * maximum in Q5.26, exp on negative values summed in Q12.19, log of the sum
 * in Q5.26, output (diff - log sum) in Q4 with zero point 127 = log(1)).
 * float: x - max - log(sum(exp(x - max))), in float as TFLite. */
#include <math.h>

#include "nk.h"
#include "nk_fixedpoint.h"
#include "nk_fixedpoint_math.h"

enum { IN_IB = 5, ACCUM_IB = 12, OUT_IB = 4 };

int nk_log_softmax_s8(const nk_log_softmax_params *p, const int8_t *input, int8_t *output)
{
    if (!p || p->rows < 1 || p->depth < 1 || !input || !output || p->input_left_shift < 0 ||
        p->input_left_shift > 31 || p->reverse_scaling_shift > 0 ||
        p->reverse_scaling_shift < -31 || p->diff_min > 0)
        return NK_ERR_PARAMS;
    const int32_t depth = p->depth;
    for (int32_t r = 0; r < p->rows; ++r) {
        const int8_t *in = input + (size_t)r * (size_t)depth;
        int8_t *out = output + (size_t)r * (size_t)depth;
        int32_t max_in_row = -128;
        for (int32_t c = 0; c < depth; ++c)
            if (in[c] > max_in_row)
                max_in_row = in[c];
        int32_t sum_q12 = 0;
        for (int32_t c = 0; c < depth; ++c) {
            const int32_t diff = (int32_t)in[c] - max_in_row;
            if (diff >= p->diff_min) {
                const int32_t d5 = nk_mbqm(diff, p->input_multiplier, p->input_left_shift);
                sum_q12 = nk_wrap_add(
                    sum_q12, nk_rescale(nk_exp_on_negative_values(d5, IN_IB), 0, ACCUM_IB));
            }
        }
        const int32_t log_sum_q5 = nk_log_x_ge1(sum_q12, ACCUM_IB, IN_IB);
        const int32_t shifted_log_sum = nk_wrap_add(log_sum_q5, NK_INT32_MIN);
        const int32_t scaled = nk_mbqm(shifted_log_sum, p->reverse_scaling_divisor,
                                       p->reverse_scaling_shift);
        const int32_t adjusted_diff_min = p->diff_min - 1 > scaled ? p->diff_min - 1 : scaled;
        for (int32_t c = 0; c < depth; ++c) {
            const int32_t diff = (int32_t)in[c] - max_in_row;
            if (diff > adjusted_diff_min) {
                const int32_t d5 = nk_mbqm(diff, p->input_multiplier, p->input_left_shift);
                const int32_t o = nk_rdbpot(nk_wrap_sub(d5, log_sum_q5), 31 - IN_IB - OUT_IB) + 127;
                out[c] = (int8_t)nk_clamp(o, -128, 127);
            } else {
                out[c] = -128;
            }
        }
    }
    return NK_OK;
}

int nk_log_softmax_f32(const nk_log_softmax_params *p, const float *input, float *output)
{
    if (!p || p->rows < 1 || p->depth < 1 || !input || !output)
        return NK_ERR_PARAMS;
    const int32_t depth = p->depth;
    for (int32_t r = 0; r < p->rows; ++r) {
        const float *in = input + (size_t)r * (size_t)depth;
        float *out = output + (size_t)r * (size_t)depth;
        float max = -3.402823466e+38f;
        for (int32_t c = 0; c < depth; ++c)
            max = in[c] > max ? in[c] : max;
        float sum = 0.0f;
        for (int32_t c = 0; c < depth; ++c)
            sum += expf(in[c] - max);
        const float log_sum = logf(sum);
        for (int32_t c = 0; c < depth; ++c)
            out[c] = in[c] - max - log_sum;
    }
    return NK_OK;
}

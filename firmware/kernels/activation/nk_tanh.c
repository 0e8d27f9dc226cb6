/* firmware/kernels/activation/nk_tanh.c — TANH.  int8: TFLite's reference integer
 * Tanh (input rescaled to Q4.27, gemmlowp tanh, output scale 1/128, zero
 * point 0, saturation outside the input radius).  float32: tanhf. */
#include <math.h>

#include "nk.h"
#include "nk_fixedpoint.h"

int nk_tanh_s8(const nk_sigmoid_params *p, const int8_t *input, int8_t *output)
{
    if (!p || p->size < 0 || !input || !output || p->in_left_shift > 31 ||
        p->in_left_shift < -31 || p->in_range_radius < 0)
        return NK_ERR_PARAMS;
    for (int32_t i = 0; i < p->size; ++i) {
        const int32_t x = (int32_t)input[i] - p->in_zp;
        if (x <= -p->in_range_radius) {
            output[i] = -128;
        } else if (x >= p->in_range_radius) {
            output[i] = 127;
        } else {
            const int32_t in_q4 = nk_mbqm(x, p->in_mult, p->in_left_shift);
            const int32_t out_q0 = nk_tanh_q4(in_q4);
            const int32_t out_q24 = nk_rdbpot(out_q0, 31 - 7);
            output[i] = (int8_t)nk_clamp(out_q24, -128, 127);
        }
    }
    return NK_OK;
}

int nk_tanh_f32(int32_t size, const float *input, float *output)
{
    if (size < 0 || !input || !output)
        return NK_ERR_PARAMS;
    for (int32_t i = 0; i < size; ++i)
        output[i] = tanhf(input[i]);
    return NK_OK;
}

/* firmware/kernels/activation/nk_logistic.c — LOGISTIC.  int8: TFLite's reference
 * integer Logistic (input rescaled to Q4.27, gemmlowp logistic, output
 * scale 1/256, zero point -128, saturation outside the input radius).
 * float32: TFLite's reference (cut-offs at 16.619 and -9). */
#include <math.h>

#include "nk.h"
#include "nk_fixedpoint.h"

int nk_logistic_s8(const nk_sigmoid_params *p, const int8_t *input, int8_t *output)
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
            const int32_t out_q0 = nk_logistic_q4(in_q4);
            const int32_t out_q23 = nk_rdbpot(out_q0, 31 - 8);
            output[i] = (int8_t)nk_clamp(out_q23 - 128, -128, 127);
        }
    }
    return NK_OK;
}

int nk_logistic_f32(int32_t size, const float *input, float *output)
{
    if (size < 0 || !input || !output)
        return NK_ERR_PARAMS;
    static const float cutoff_upper = 16.619047164916992188f;
    static const float cutoff_lower = -9.0f;
    for (int32_t i = 0; i < size; ++i) {
        const float v = input[i];
        float r;
        if (v > cutoff_upper)
            r = 1.0f;
        else if (v < cutoff_lower)
            r = expf(v);
        else
            r = 1.0f / (1.0f + expf(-v));
        output[i] = r;
    }
    return NK_OK;
}

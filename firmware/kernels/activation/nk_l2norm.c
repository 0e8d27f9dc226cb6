/* firmware/kernels/activation/nk_l2norm.c — L2_NORMALIZATION over the last
 * dimension.  int8: TFLite's reference_integer_ops::L2Normalization (sum of
 * squares of q - zp, fixed-point inverse square root, output on scale 1/128
 * with zero point 0).  float: x / max(sqrt(sum x^2), 1e-6). */
#include <math.h>

#include "nk.h"
#include "nk_fixedpoint.h"
#include "nk_fixedpoint_math.h"

int nk_l2norm_s8(const nk_l2norm_params *p, const int8_t *input, int8_t *output)
{
    if (!p || p->rows < 1 || p->depth < 1 || !input || !output)
        return NK_ERR_PARAMS;
    const int32_t depth = p->depth;
    for (int32_t r = 0; r < p->rows; ++r) {
        const int8_t *in = input + (size_t)r * (size_t)depth;
        int8_t *out = output + (size_t)r * (size_t)depth;
        int32_t acc = 0;
        for (int32_t c = 0; c < depth; ++c) {
            const int32_t v = (int32_t)in[c] - p->in_zp;
            acc = nk_wrap_add(acc, v * v);
        }
        int32_t mult, shift;
        nk_inv_sqrt_multiplier(acc, &mult, &shift);
        for (int32_t c = 0; c < depth; ++c) {
            const int32_t v = (int32_t)in[c] - p->in_zp;
            out[c] = (int8_t)nk_clamp(nk_mbqm(v, mult, shift + 7), -128, 127);
        }
    }
    return NK_OK;
}

int nk_l2norm_f32(const nk_l2norm_params *p, const float *input, float *output)
{
    if (!p || p->rows < 1 || p->depth < 1 || !input || !output)
        return NK_ERR_PARAMS;
    const int32_t depth = p->depth;
    for (int32_t r = 0; r < p->rows; ++r) {
        const float *in = input + (size_t)r * (size_t)depth;
        float *out = output + (size_t)r * (size_t)depth;
        float sq = 0.0f;
        for (int32_t c = 0; c < depth; ++c)
            sq += in[c] * in[c];
        float norm = sqrtf(sq);
        norm = norm < 1e-6f ? 1e-6f : norm;
        for (int32_t c = 0; c < depth; ++c)
            out[c] = in[c] / norm;
    }
    return NK_OK;
}

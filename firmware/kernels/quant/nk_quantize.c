/* firmware/kernels/quant/nk_quantize.c — QUANTIZE float32 -> int8, as TFLite's
 * AffineQuantize: q = round_half_away(x / scale) + zp, saturated to int8.
 * The division is done in float, like TFLite.  Values beyond the int32
 * range saturate (TFLite's cast is undefined there); NaN maps to zp. */
#include "nk.h"
#include "nk_fixedpoint.h"

int nk_quantize_f32_s8(const nk_quantize_params *p, const float *input, int8_t *output)
{
    if (!p || p->size < 0 || !input || !output || !(p->scale > 0.0f))
        return NK_ERR_PARAMS;
    for (int32_t i = 0; i < p->size; ++i) {
        const int32_t r = nk_round_f32_to_i32(input[i] / p->scale);
        /* saturating add of the zero point, then clamp to int8 */
        const int64_t q = (int64_t)r + p->zp;
        output[i] = (int8_t)(q < -128 ? -128 : (q > 127 ? 127 : q));
    }
    return NK_OK;
}

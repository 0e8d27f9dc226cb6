/* firmware/kernels/quant/nk_dequantize.c — DEQUANTIZE int8 -> float32, as
 * TFLite's reference Dequantize: (float)((double)scale * (q - zp)). */
#include "nk.h"

int nk_dequantize_s8_f32(const nk_quantize_params *p, const int8_t *input, float *output)
{
    if (!p || p->size < 0 || !input || !output)
        return NK_ERR_PARAMS;
    const double scale = (double)p->scale;
    for (int32_t i = 0; i < p->size; ++i)
        output[i] = (float)(scale * (double)((int32_t)input[i] - p->zp));
    return NK_OK;
}

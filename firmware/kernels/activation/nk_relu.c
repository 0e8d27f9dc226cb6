/* firmware/kernels/activation/nk_relu.c — standalone RELU / RELU6 / RELU_N1_TO_1 /
 * CLIP.  int8: TFLite's ReluQuantized (rescale from the input to the output
 * quantization, then clamp to the activation range, which
 * neurio_relu_params_s8() derives); float32: min(max(x, lo), hi). */
#include "nk.h"
#include "nk_fixedpoint.h"

int nk_relu_s8(const nk_requant_params *p, const int8_t *input, int8_t *output)
{
    return nk_requantize_s8(p, input, output);
}

int nk_relu_f32(int32_t size, float lo, float hi, const float *input, float *output)
{
    if (size < 0 || !input || !output || !(lo <= hi))
        return NK_ERR_PARAMS;
    for (int32_t i = 0; i < size; ++i)
        output[i] = nk_fminmax(input[i], lo, hi);
    return NK_OK;
}

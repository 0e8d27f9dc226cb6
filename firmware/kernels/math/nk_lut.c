/* firmware/kernels/math/nk_lut.c — int8 table lookup: out = lut[(uint8_t)in]
 * (TFLite's LUTLookup for int8; the table is built at generation time). */
#include "nk.h"

int nk_lut_s8(int32_t size, const int8_t *lut, const int8_t *input, int8_t *output)
{
    if (size < 0 || !lut || !input || !output)
        return NK_ERR_PARAMS;
    for (int32_t i = 0; i < size; ++i)
        output[i] = lut[(uint8_t)input[i]];
    return NK_OK;
}

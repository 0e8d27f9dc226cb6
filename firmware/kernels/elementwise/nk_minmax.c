/* firmware/kernels/elementwise/nk_minmax.c — MAXIMUM and MINIMUM with
 * broadcasting (TFLM maximum_minimum.cc: a > b ? a : b and a < b ? a : b on
 * the raw values). */
#include "nk.h"
#include "nk_internal.h"

#define NK_MINMAX(NAME, T, CMP)                                                               \
    int NAME(const nk_binary_params *p, const T *in1, const T *in2, T *output)                \
    {                                                                                         \
        const int32_t n = nk_binary_count(p);                                                 \
        if (n < 0 || !in1 || !in2 || !output)                                                 \
            return NK_ERR_PARAMS;                                                             \
        NK_BINARY_EACH(p, n, i, o1, o2,                                                       \
                       output[i] = in1[o1] CMP in2[o2] ? in1[o1] : in2[o2]);                  \
        return NK_OK;                                                                         \
    }

NK_MINMAX(nk_maximum_s8, int8_t, >)
NK_MINMAX(nk_maximum_s16, int16_t, >)
NK_MINMAX(nk_maximum_s32, int32_t, >)
NK_MINMAX(nk_maximum_f32, float, >)
NK_MINMAX(nk_minimum_s8, int8_t, <)
NK_MINMAX(nk_minimum_s16, int16_t, <)
NK_MINMAX(nk_minimum_s32, int32_t, <)
NK_MINMAX(nk_minimum_f32, float, <)

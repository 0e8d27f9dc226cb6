/* firmware/kernels/math/nk_abs_neg.c — ABS on int8/int16 (TFLM elementwise.cc
 * AbsEvalQuantized: |q - zp|, rescaled when the scales differ, plus the
 * output zero point, clamped to the type), NEG on int8 (the same with the
 * sign flipped; TFLite Micro has NEG in float only) and on int32 (wrapping). */
#include "nk.h"
#include "nk_fixedpoint.h"

#define NK_ABS_Q(NAME, T, LO, HI)                                                             \
    int NAME(const nk_requant_params *p, const T *input, T *output)                           \
    {                                                                                         \
        if (!p || p->size < 0 || !input || !output || p->shift > 30 || p->shift < -31)       \
            return NK_ERR_PARAMS;                                                             \
        for (int32_t i = 0; i < p->size; ++i) {                                               \
            int32_t v = (int32_t)input[i] - p->in_zp;                                         \
            v = v < 0 ? -v : v;                                                               \
            if (p->mult != 0)                                                                 \
                v = nk_mbqm(v, p->mult, p->shift);                                            \
            output[i] = (T)nk_clamp(v + p->out_zp, LO, HI);                                   \
        }                                                                                     \
        return NK_OK;                                                                         \
    }

NK_ABS_Q(nk_abs_s8, int8_t, -128, 127)
NK_ABS_Q(nk_abs_s16, int16_t, -32768, 32767)

/* NEG on int8: -(q - in_zp), rescaled by mult/shift when the scales
 * differ (mult 0: not rescaled), plus out_zp, clamped; ABS's arithmetic
 * with the sign flipped instead of dropped. */
int nk_neg_s8(const nk_requant_params *p, const int8_t *input, int8_t *output)
{
    if (!p || p->size < 0 || !input || !output || p->shift > 30 || p->shift < -31)
        return NK_ERR_PARAMS;
    for (int32_t i = 0; i < p->size; ++i) {
        int32_t v = p->in_zp - (int32_t)input[i];
        if (p->mult != 0)
            v = nk_mbqm(v, p->mult, p->shift);
        output[i] = (int8_t)nk_clamp(v + p->out_zp, -128, 127);
    }
    return NK_OK;
}

int nk_neg_s32(int32_t size, const int32_t *input, int32_t *output)
{
    if (size < 0 || !input || !output)
        return NK_ERR_PARAMS;
    for (int32_t i = 0; i < size; ++i)
        output[i] = nk_wrap_neg(input[i]);
    return NK_OK;
}

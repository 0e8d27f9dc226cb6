/* firmware/kernels/quant/nk_requantize_wide.c — QUANTIZE between int8,
 * int16 and int32 (TFLite Micro quantize.cc, reference Requantize):
 * out = clamp(out_zp + MBQM(q - in_zp, mult, shift), act_min, act_max);
 * QUANTIZE float32 -> int16 (AffineQuantize) and DEQUANTIZE int16 ->
 * float32. */
#include "nk.h"
#include "nk_fixedpoint.h"

static int rq_check(const nk_requant_params *p, const void *in, const void *out)
{
    /* shift up to +31: MBQM shifts the (at most 17-bit) input left first */
    if (!p || p->size < 0 || !in || !out || p->shift > 31 || p->shift < -31 ||
        p->act_min > p->act_max)
        return NK_ERR_PARAMS;
    return NK_OK;
}

/* One element: MBQM's left shift of a 17-bit value by up to 14 bits stays
 * in int32; beyond that TFLite's own arithmetic wraps, and so does this. */
static inline int32_t rq_one(const nk_requant_params *p, int32_t q)
{
    return nk_clamp(nk_mbqm(q - p->in_zp, p->mult, p->shift) + p->out_zp, p->act_min,
                    p->act_max);
}

#define NK_RQ_KERNEL(name, tin, tout)                                                     \
    int name(const nk_requant_params *p, const tin *input, tout *output)                  \
    {                                                                                     \
        if (rq_check(p, input, output) != NK_OK)                                          \
            return NK_ERR_PARAMS;                                                         \
        for (int32_t i = 0; i < p->size; ++i)                                             \
            output[i] = (tout)rq_one(p, input[i]);                                        \
        return NK_OK;                                                                     \
    }

NK_RQ_KERNEL(nk_requantize_s16_s8, int16_t, int8_t)
NK_RQ_KERNEL(nk_requantize_s16_s16, int16_t, int16_t)
NK_RQ_KERNEL(nk_requantize_s16_s32, int16_t, int32_t)
NK_RQ_KERNEL(nk_requantize_s8_s16, int8_t, int16_t)
NK_RQ_KERNEL(nk_requantize_s8_s32, int8_t, int32_t)

int nk_quantize_f32_s16(const nk_quantize_params *p, const float *input, int16_t *output)
{
    if (!p || p->size < 0 || !input || !output || !(p->scale > 0.0f))
        return NK_ERR_PARAMS;
    for (int32_t i = 0; i < p->size; ++i) {
        const int64_t q = (int64_t)nk_round_f32_to_i32(input[i] / p->scale) + p->zp;
        output[i] = (int16_t)(q < -32768 ? -32768 : (q > 32767 ? 32767 : q));
    }
    return NK_OK;
}

int nk_dequantize_s16_f32(const nk_quantize_params *p, const int16_t *input, float *output)
{
    if (!p || p->size < 0 || !input || !output)
        return NK_ERR_PARAMS;
    const double scale = (double)p->scale;
    for (int32_t i = 0; i < p->size; ++i)
        output[i] = (float)(scale * (double)((int32_t)input[i] - p->zp));
    return NK_OK;
}

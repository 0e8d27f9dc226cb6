/* firmware/kernels/math/nk_unary_f32.c — the float element-wise functions
 * (ABS, NEG, SQRT, RSQRT, EXP, LOG, FLOOR, CEIL, ROUND, SQUARE, SIN, COS) as
 * TFLite's reference computes them in float; ROUND is TFLite's
 * RoundToNearest (ties to even). */
#include <math.h>

#include "nk.h"

static float round_half_even(float v)
{
    const float f = floorf(v);
    const float diff = v - f;
    if (diff < 0.5f || (diff == 0.5f && (int32_t)f % 2 == 0))
        return f;
    return f + 1.0f;
}

static float apply(int32_t kind, float x)
{
    switch (kind) {
    case NK_UNARY_ABS: return fabsf(x);
    case NK_UNARY_NEG: return -x;
    case NK_UNARY_SQRT: return sqrtf(x);
    case NK_UNARY_RSQRT: return 1.0f / sqrtf(x);
    case NK_UNARY_EXP: return expf(x);
    case NK_UNARY_LOG: return logf(x);
    case NK_UNARY_FLOOR: return floorf(x);
    case NK_UNARY_CEIL: return ceilf(x);
    case NK_UNARY_ROUND: return round_half_even(x);
    case NK_UNARY_SQUARE: return x * x;
    case NK_UNARY_SIN: return sinf(x);
    default: return cosf(x);
    }
}

int nk_unary_f32(int32_t kind, int32_t size, const float *input, float *output)
{
    if (kind < NK_UNARY_ABS || kind > NK_UNARY_COS || size < 0 || !input || !output)
        return NK_ERR_PARAMS;
    for (int32_t i = 0; i < size; ++i)
        output[i] = apply(kind, input[i]);
    return NK_OK;
}

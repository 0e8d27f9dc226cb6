/* firmware/kernels/pool/nk_max_pool2d.c — MAX_POOL_2D, int8, int16 and float32
 * (TFLite semantics: taps outside the image are ignored, then clamp). */
#include "nk.h"
#include "nk_fixedpoint.h"
#include "nk_internal.h"
#include "pool/nk_pool_walk.h"
#include "mve/nk_mve.h"

/* The largest tap of each window, from the dtype's lowest value (ACC),
 * stored as STORE(m). */
#define MAX_POOL(T, ACC, LOWEST, STORE)                                   \
    NK_POOL_WALK(p, T, input, output,                                     \
        ACC m = LOWEST;                                                   \
        for (int32_t fy = fy0; fy < fy1; ++fy)                            \
            for (int32_t fx = fx0; fx < fx1; ++fx) {                      \
                const ACC v = NK_POOL_TAP(p, fy, fx);                     \
                if (v > m)                                                \
                    m = v;                                                \
            }                                                             \
        out[c] = STORE(m);)
#define STORE_S8(m) (int8_t)nk_clamp(m, p->act_min, p->act_max)
#define STORE_S16(m) (int16_t)nk_clamp(m, p->act_min, p->act_max)
#define STORE_F32(m) nk_fminmax(m, p->act_min_f, p->act_max_f)

int nk_max_pool2d_s8(const nk_pool_params *p, const int8_t *input, int8_t *output)
{
    if (nk_pool_check(p) != NK_OK || !input || !output || p->act_min > p->act_max)
        return NK_ERR_PARAMS;
#if NK_HAVE_MVE
    if (nk_max_pool2d_s8_mve(p, input, output) == NK_OK)
        return NK_OK; /* else: a case the Helium version leaves to the loop */
#endif
    MAX_POOL(int8_t, int32_t, -128, STORE_S8);
    return NK_OK;
}

int nk_max_pool2d_f32(const nk_pool_params *p, const float *input, float *output)
{
    if (nk_pool_check(p) != NK_OK || !input || !output)
        return NK_ERR_PARAMS;
    MAX_POOL(float, float, -3.402823466e+38f /* numeric_limits<float>::lowest() */, STORE_F32);
    return NK_OK;
}

int nk_max_pool2d_s16(const nk_pool_params *p, const int16_t *input, int16_t *output)
{
    if (nk_pool_check(p) != NK_OK || !input || !output || p->act_min > p->act_max)
        return NK_ERR_PARAMS;
    MAX_POOL(int16_t, int32_t, -32768, STORE_S16);
    return NK_OK;
}

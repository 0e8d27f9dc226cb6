/* firmware/kernels/pool/nk_mean.c — MEAN over any set of axes, int8, int16
 * and float32.  int8 (and int16) follows TFLite (Micro)'s integer mean: when input and output share
 * scale and zero point (mult == 0 here) the raw values are summed and
 * divided with C truncation (reference_ops::Mean); otherwise the
 * zero-point-corrected sum is scaled by mult/shift, which already include
 * 1/count (reference_ops::QuantizedMeanOrSum), plus out_zp, clamped.
 * float: sum in input order, divided by the element count. */
#include "nk.h"
#include "nk_fixedpoint.h"
#include "nk_internal.h"

/* The walk over the reduced axes (nk_reduce_geometry/_base/_next) for every
 * output o: `sum` (ACC) of its inputs, then `store` (o, sum, g.count). */
#define MEAN_WALK(ACC, ...)                                                    \
    for (int32_t o = 0; o < g.n_out; ++o) {                                   \
        int32_t ridx[NK_MAX_DIMS] = {0};                                       \
        int32_t off = nk_reduce_base(p, &g, o);                                \
        ACC sum = 0;                                                           \
        do {                                                                   \
            sum += input[off];                                                 \
        } while (nk_reduce_next(p, &g, ridx, &off));                           \
        __VA_ARGS__                                                            \
    }

/* int8 and int16 (TFLite's integer mean templated on the type): the raw
 * sum divided with C truncation, or zero-point corrected and scaled. */
#define MEAN_INT(T, LO, HI)                                                    \
    nk_reduce_geom g;                                                          \
    if (nk_reduce_geometry(p, &g) != NK_OK || !input || !output || p->shift > 30 || \
        p->shift < -31)                                                        \
        return NK_ERR_PARAMS;                                                  \
    MEAN_WALK(int32_t,                                                         \
        int32_t v;                                                             \
        if (p->mult == 0) {                                                    \
            v = sum / g.count;                                                 \
        } else {                                                               \
            const int32_t shifted = sum - p->in_zp * g.count;                  \
            v = nk_mbqm(shifted, p->mult, p->shift) + p->out_zp;               \
        }                                                                      \
        output[o] = (T)nk_clamp(v, LO, HI);)                                   \
    return NK_OK

int nk_mean_s8(const nk_mean_params *p, const int8_t *input, int8_t *output)
{
    MEAN_INT(int8_t, -128, 127);
}

int nk_mean_s16(const nk_mean_params *p, const int16_t *input, int16_t *output)
{
    MEAN_INT(int16_t, -32768, 32767);
}

int nk_mean_f32(const nk_mean_params *p, const float *input, float *output)
{
    nk_reduce_geom g;
    if (nk_reduce_geometry(p, &g) != NK_OK || !input || !output)
        return NK_ERR_PARAMS;
    MEAN_WALK(float, output[o] = sum / (float)g.count;)
    return NK_OK;
}

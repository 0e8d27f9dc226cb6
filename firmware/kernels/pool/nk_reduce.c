/* firmware/kernels/pool/nk_reduce.c — SUM, REDUCE_MAX, REDUCE_MIN and
 * REDUCE_PROD over any set of axes (nk_mean_params).  int8/int16 SUM is
 * TFLM's QuantizedMeanOrSum with compute_sum: the int32 sum of q minus
 * in_zp * count, MultiplyByQuantizedMultiplier(mult, shift), plus out_zp,
 * clamped.  MAX/MIN keep the raw values (shared quantization).  float
 * accumulates in input order as TFLite's ReduceGeneric. */
#include "nk.h"
#include "nk_fixedpoint.h"
#include "nk_internal.h"

/* Visits every output o with the offset of its first input element;
 * BODY then loops `do { ... input[off] ... } while (nk_reduce_next(...))`. */
#define NK_REDUCE_EACH(p, g, o, ridx, off, ...)                                               \
    for (int32_t o = 0; o < (g).n_out; ++o) {                                                 \
        int32_t ridx[NK_MAX_DIMS] = {0};                                                      \
        int32_t off = nk_reduce_base((p), &(g), o);                                           \
        __VA_ARGS__;                                                                          \
    }

#define NK_REDUCE_SUM_Q(NAME, T, LO, HI)                                                      \
    int NAME(const nk_mean_params *p, const T *input, T *output)                              \
    {                                                                                         \
        nk_reduce_geom g;                                                                     \
        if (nk_reduce_geometry(p, &g) != NK_OK || !input || !output || p->shift > 30 ||       \
            p->shift < -31)                                                                   \
            return NK_ERR_PARAMS;                                                             \
        NK_REDUCE_EACH(p, g, o, ridx, off, {                                                  \
            int32_t sum = 0;                                                                  \
            do {                                                                              \
                sum = nk_wrap_add(sum, input[off]);                                           \
            } while (nk_reduce_next(p, &g, ridx, &off));                                      \
            const int32_t shifted = nk_wrap_sub(sum, (int32_t)((uint32_t)p->in_zp *           \
                                                               (uint32_t)g.count));           \
            output[o] = (T)nk_clamp(nk_mbqm(shifted, p->mult, p->shift) + p->out_zp, LO, HI); \
        });                                                                                   \
        return NK_OK;                                                                         \
    }

NK_REDUCE_SUM_Q(nk_reduce_sum_s8, int8_t, -128, 127)
NK_REDUCE_SUM_Q(nk_reduce_sum_s16, int16_t, -32768, 32767)

/* Generic reduction: start from INIT, fold with acc = EXPR(acc, v). */
#define NK_REDUCE_FOLD(NAME, T, INIT, FOLD)                                                   \
    int NAME(const nk_mean_params *p, const T *input, T *output)                              \
    {                                                                                         \
        nk_reduce_geom g;                                                                     \
        if (nk_reduce_geometry(p, &g) != NK_OK || !input || !output)                          \
            return NK_ERR_PARAMS;                                                             \
        NK_REDUCE_EACH(p, g, o, ridx, off, {                                                  \
            T acc = (INIT);                                                                   \
            do {                                                                              \
                const T v = input[off];                                                       \
                acc = (FOLD);                                                                 \
            } while (nk_reduce_next(p, &g, ridx, &off));                                      \
            output[o] = acc;                                                                  \
        });                                                                                   \
        return NK_OK;                                                                         \
    }

NK_REDUCE_FOLD(nk_reduce_max_s8, int8_t, -128, v > acc ? v : acc)
NK_REDUCE_FOLD(nk_reduce_max_s16, int16_t, -32768, v > acc ? v : acc)
NK_REDUCE_FOLD(nk_reduce_max_f32, float, -3.402823466e+38f, v > acc ? v : acc)
NK_REDUCE_FOLD(nk_reduce_min_s8, int8_t, 127, v < acc ? v : acc)
NK_REDUCE_FOLD(nk_reduce_min_s16, int16_t, 32767, v < acc ? v : acc)
NK_REDUCE_FOLD(nk_reduce_min_f32, float, 3.402823466e+38f, v < acc ? v : acc)
NK_REDUCE_FOLD(nk_reduce_sum_f32, float, 0.0f, v + acc)
NK_REDUCE_FOLD(nk_reduce_prod_f32, float, 1.0f, v * acc)

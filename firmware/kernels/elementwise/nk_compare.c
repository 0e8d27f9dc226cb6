/* firmware/kernels/elementwise/nk_compare.c — EQUAL, NOT_EQUAL, LESS,
 * LESS_EQUAL, GREATER, GREATER_EQUAL with broadcasting, bool output.
 * int8/int16 compare the rescaled values of TFLite's ComparisonWithScaling
 * ((q - zp) << left_shift, times the input scale as a multiplier below
 * one); int32, float and bool compare the raw values. */
#include "nk.h"
#include "nk_fixedpoint.h"
#include "nk_internal.h"

#define NK_CMP_CASES(a, b)                                                                    \
    switch (op) {                                                                             \
    case NK_CMP_EQUAL: r = (a) == (b); break;                                                 \
    case NK_CMP_NOT_EQUAL: r = (a) != (b); break;                                             \
    case NK_CMP_LESS: r = (a) < (b); break;                                                   \
    case NK_CMP_LESS_EQUAL: r = (a) <= (b); break;                                            \
    case NK_CMP_GREATER: r = (a) > (b); break;                                                \
    default: r = (a) >= (b); break;                                                           \
    }

static int32_t check(const nk_binary_params *p, int32_t op, const void *a, const void *b,
                     const void *o)
{
    const int32_t n = nk_binary_count(p);
    if (n < 0 || !a || !b || !o || op < NK_CMP_EQUAL || op > NK_CMP_GREATER_EQUAL)
        return -1;
    return n;
}

static inline uint8_t cmp_q(const nk_binary_params *p, int32_t op, int32_t a, int32_t b)
{
    const int32_t x = nk_mbqm((a - p->in1_zp) * (1 << p->left_shift), p->in1_mult, p->in1_shift);
    const int32_t y = nk_mbqm((b - p->in2_zp) * (1 << p->left_shift), p->in2_mult, p->in2_shift);
    int r;
    NK_CMP_CASES(x, y)
    return (uint8_t)r;
}

#define NK_COMPARE_Q(NAME, T)                                                                 \
    int NAME(const nk_binary_params *p, int32_t op, const T *in1, const T *in2,               \
             uint8_t *output)                                                                 \
    {                                                                                         \
        const int32_t n = check(p, op, in1, in2, output);                                     \
        if (n < 0 || p->left_shift < 0 || p->left_shift > 15 || p->in1_shift > 0 ||          \
            p->in2_shift > 0)                                                                 \
            return NK_ERR_PARAMS;                                                             \
        NK_BINARY_EACH(p, n, i, o1, o2, output[i] = cmp_q(p, op, in1[o1], in2[o2]));          \
        return NK_OK;                                                                         \
    }

#define NK_COMPARE_RAW(NAME, T)                                                               \
    int NAME(const nk_binary_params *p, int32_t op, const T *in1, const T *in2,               \
             uint8_t *output)                                                                 \
    {                                                                                         \
        const int32_t n = check(p, op, in1, in2, output);                                     \
        if (n < 0)                                                                            \
            return NK_ERR_PARAMS;                                                             \
        NK_BINARY_EACH(p, n, i, o1, o2, {                                                     \
            int r;                                                                            \
            NK_CMP_CASES(in1[o1], in2[o2])                                                    \
            output[i] = (uint8_t)r;                                                           \
        });                                                                                   \
        return NK_OK;                                                                         \
    }

NK_COMPARE_Q(nk_compare_s8, int8_t)
NK_COMPARE_Q(nk_compare_s16, int16_t)
NK_COMPARE_RAW(nk_compare_s32, int32_t)
NK_COMPARE_RAW(nk_compare_f32, float)

int nk_compare_b(const nk_binary_params *p, int32_t op, const uint8_t *in1, const uint8_t *in2,
                 uint8_t *output)
{
    const int32_t n = check(p, op, in1, in2, output);
    if (n < 0)
        return NK_ERR_PARAMS;
    NK_BINARY_EACH(p, n, i, o1, o2, {
        const int a = in1[o1] != 0, b = in2[o2] != 0;
        int r;
        NK_CMP_CASES(a, b)
        output[i] = (uint8_t)r;
    });
    return NK_OK;
}

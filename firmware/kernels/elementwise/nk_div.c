/* firmware/kernels/elementwise/nk_div.c — DIV with broadcasting.
 * int8: TFLite's DivElementwise (divisor made positive, Q0.31 reciprocal,
 * dividend normalised by its sign-bit headroom, one rescale by
 * out_mult/out_shift).  int32: C division (truncating) then the activation
 * clamp.  float: a / b then the clamp.  A zero divisor is refused before
 * anything is written (TFLite leaves it undefined). */
#include "nk.h"
#include "nk_fixedpoint.h"
#include "nk_fixedpoint_math.h"
#include "nk_internal.h"

/* RoundingDivideByPOT for any exponent >= 0 (TFLite's C++ shifts beyond 31
 * are undefined; this is the rounded quotient those would mean). */
static inline int32_t rdbpot_any(int32_t x, int exponent)
{
    if (exponent <= 31)
        return nk_rdbpot(x, exponent);
    if (exponent > 62)
        exponent = 62;
    const int64_t xx = x, mask = ((int64_t)1 << exponent) - 1;
    const int64_t remainder = xx & mask, threshold = (mask >> 1) + (xx < 0 ? 1 : 0);
    return (int32_t)((xx >> exponent) + (remainder > threshold ? 1 : 0));
}

static inline int8_t div_s8_one(const nk_binary_params *p, int32_t a, int32_t b)
{
    int32_t x = a - p->in1_zp, y = b - p->in2_zp;
    if (y < 0) {
        x = -x;
        y = -y;
    }
    int recip_shift;
    const int32_t recip = nk_reciprocal(y, 31, &recip_shift);
    const int headroom = nk_clrsb32(x);
    const int32_t quotient = nk_srdhm((int32_t)((uint32_t)x << headroom), recip);
    const int total_shift = (int)p->out_shift - recip_shift - headroom; /* <= 0, see nk.h */
    const int32_t r = rdbpot_any(nk_srdhm(quotient, p->out_mult), -total_shift) + p->out_zp;
    return (int8_t)nk_clamp(r, p->act_min, p->act_max);
}

int nk_div_s8(const nk_binary_params *p, const int8_t *in1, const int8_t *in2, int8_t *output)
{
    const int32_t n = nk_binary_count(p);
    /* out_shift <= 23 keeps every total shift a right shift (|q - zp| <= 255
     * has at least 23 sign bits of headroom). */
    if (n < 0 || !in1 || !in2 || !output || p->act_min > p->act_max || p->act_min < -128 ||
        p->act_max > 127 || p->out_shift > 23)
        return NK_ERR_PARAMS;
    NK_BINARY_EACH(p, n, i, o1, o2, if (in2[o2] == p->in2_zp) return NK_ERR_PARAMS);
    NK_BINARY_EACH(p, n, i, o1, o2, output[i] = div_s8_one(p, in1[o1], in2[o2]));
    return NK_OK;
}

int nk_div_s32(const nk_binary_params *p, const int32_t *in1, const int32_t *in2,
               int32_t *output)
{
    const int32_t n = nk_binary_count(p);
    if (n < 0 || !in1 || !in2 || !output || p->act_min > p->act_max)
        return NK_ERR_PARAMS;
    NK_BINARY_EACH(p, n, i, o1, o2, if (in2[o2] == 0) return NK_ERR_PARAMS);
    NK_BINARY_EACH(p, n, i, o1, o2, {
        const int32_t a = in1[o1], b = in2[o2];
        const int32_t q = (a == NK_INT32_MIN && b == -1) ? NK_INT32_MIN : a / b;
        output[i] = nk_clamp(q, p->act_min, p->act_max);
    });
    return NK_OK;
}

int nk_div_f32(const nk_binary_params *p, const float *in1, const float *in2, float *output)
{
    const int32_t n = nk_binary_count(p);
    if (n < 0 || !in1 || !in2 || !output)
        return NK_ERR_PARAMS;
    NK_BINARY_EACH(p, n, i, o1, o2,
                   output[i] = nk_fminmax(in1[o1] / in2[o2], p->act_min_f, p->act_max_f));
    return NK_OK;
}

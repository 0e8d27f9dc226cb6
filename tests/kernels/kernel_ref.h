/* tests/kernels/kernel_ref.h — independent reference arithmetic for the
 * kernel tests.  The requantization is re-derived from its definition
 * (exact integer division with explicit rounding rules) rather than with
 * the bit tricks the kernels use:
 *   step 1 (SaturatingRoundingDoublingHighMul): floor((x * m + 2^30) / 2^31),
 *          i.e. round half up, with INT32_MIN * INT32_MIN saturating;
 *   step 2 (RoundingDivideByPOT): divide by 2^rs rounding half away from 0. */
#ifndef NEURIO_TESTS_KERNEL_REF_H
#define NEURIO_TESTS_KERNEL_REF_H

#include <math.h>
#include <stdint.h>
#include <stdlib.h>

static inline int64_t ref_floor_div(int64_t num, int64_t den)
{
    int64_t q = num / den;
    if ((num % den != 0) && ((num < 0) != (den < 0)))
        q -= 1;
    return q;
}

static inline int64_t ref_div_half_away(int64_t num, int64_t den)
{
    int64_t q = num / den, r = num % den;
    if (2 * llabs(r) >= den)
        q += num < 0 ? -1 : 1;
    return q;
}

static inline int32_t ref_requant(int64_t acc, int32_t mult, int32_t shift)
{
    const int ls = shift > 0 ? shift : 0, rs = shift > 0 ? 0 : -shift;
    const int64_t x = acc * ((int64_t)1 << ls);
    if (x == INT32_MIN && mult == INT32_MIN)
        return INT32_MAX;
    const int64_t hi = ref_floor_div(x * (int64_t)mult + ((int64_t)1 << 30), (int64_t)1 << 31);
    return (int32_t)ref_div_half_away(hi, (int64_t)1 << rs);
}

static inline int32_t ref_clamp(int32_t v, int32_t lo, int32_t hi)
{
    return v < lo ? lo : (v > hi ? hi : v);
}

/* Deterministic pseudo-random generator (xorshift32) for test data. */
static inline uint32_t ref_rand(uint32_t *s)
{
    uint32_t x = *s;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    *s = x;
    return x;
}

static inline int8_t ref_rand_s8(uint32_t *s)
{
    return (int8_t)(int32_t)((ref_rand(s) & 0xff) - 128);
}

/* A multiplier/shift pair from a real number via frexp (independent of
 * libneurio's implementation; used only to make test parameters). */
static inline void ref_multiplier(double real, int32_t *m, int32_t *s)
{
    int e = 0;
    double q = frexp(real, &e);
    long long f = llround(q * 2147483648.0);
    if (f == (1LL << 31)) {
        f /= 2;
        e++;
    }
    *m = (int32_t)f;
    *s = e;
}

#endif

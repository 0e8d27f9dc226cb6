/* tests/kernels/quant/test_nk_arm_requant.c — the fast kernels' requantization
 * (firmware/kernels/arm/nk_arm_requant.h, plain C) must equal nk_mbqm (the
 * TFLite double-rounding MultiplyByQuantizedMultiplier the portable
 * kernels use) for every shift TFLite produces, on edge and random
 * accumulators and multipliers. */
#include <stdint.h>

#include "arm/nk_arm_requant.h"
#include "nk_fixedpoint.h"
#include "test_util.h"

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint32_t rng32(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (uint32_t)(rng_state >> 11);
}

static const int32_t edge_x[] = {0, 1, -1, 2, -2, 3, -3, 127, -128, 255, -256,
                                 (1 << 15), -(1 << 15), (1 << 20) + 1, -(1 << 20) - 1,
                                 NK_INT32_MAX, NK_INT32_MIN, NK_INT32_MAX - 1, NK_INT32_MIN + 1,
                                 (1 << 30), -(1 << 30), (1 << 30) - 1, -(1 << 30) + 1};
static const int32_t edge_m[] = {0, 1 << 30, NK_INT32_MAX, (1 << 30) + 1, 1518500250, 2039655759};

static void test_edges(void)
{
    long mismatches = 0;
    for (int32_t shift = -31; shift <= 30; ++shift)
        for (size_t i = 0; i < sizeof edge_x / sizeof edge_x[0]; ++i)
            for (size_t j = 0; j < sizeof edge_m / sizeof edge_m[0]; ++j) {
                const int32_t x = edge_x[i], m = edge_m[j];
                if (nk_arm_requant(x, m, shift) != nk_mbqm(x, m, shift))
                    ++mismatches;
            }
    CU_ASSERT_EQUAL(mismatches, 0);
}

/* Ties: x * m / 2^31 lands exactly on a half for some right shifts; both
 * signs must round away from zero like nk_mbqm. */
static void test_ties(void)
{
    long mismatches = 0, checked = 0;
    for (int32_t right = 1; right <= 20; ++right)
        for (int32_t k = -300; k <= 300; ++k) {
            /* m = 2^30 halves x exactly; x = (2k + 1) * 2^right gives a
             * SRDHM result of (2k + 1) * 2^(right - 1): a tie */
            const int64_t x = (int64_t)(2 * k + 1) * ((int64_t)1 << right);
            if (x > NK_INT32_MAX || x < NK_INT32_MIN)
                continue;
            ++checked;
            if (nk_arm_requant((int32_t)x, 1 << 30, -right) !=
                nk_mbqm((int32_t)x, 1 << 30, -right))
                ++mismatches;
        }
    CU_ASSERT(checked > 10000);
    CU_ASSERT_EQUAL(mismatches, 0);
}

static void test_random(void)
{
    long mismatches = 0;
    for (long n = 0; n < 4000000; ++n) {
        const uint32_t pick = rng32();
        /* accumulators of every magnitude: random bit length */
        const int bits = (int)(pick % 32);
        int32_t x = (int32_t)(rng32() >> (31 - bits));
        if (pick & 0x100)
            x = nk_wrap_neg(x);
        const int32_t m = (int32_t)((1u << 30) | (rng32() >> 2));
        const int32_t shift = (int32_t)(rng32() % 62) - 31;
        if (nk_arm_requant(x, m, shift) != nk_mbqm(x, m, shift))
            ++mismatches;
    }
    CU_ASSERT_EQUAL(mismatches, 0);
}

/* nk_arm_requant_rz (mult in (2^30, 2^31), shift in [-23, -2], |zp| <= 128)
 * must equal nk_mbqm(x, mult, shift) + zp: every allowed shift and zero
 * point on the edge accumulators and multipliers, the ties, then random. */
static int32_t rz_ref(int32_t x, int32_t m, int32_t shift, int32_t zp)
{
    return nk_mbqm(x, m, shift) + zp;
}

static int32_t rz_fast(int32_t x, int32_t m, int32_t shift, int32_t zp)
{
    return nk_arm_requant_rz(x, m, nk_arm_requant_rz_hi0(shift, zp), -shift - 1);
}

static void test_rz(void)
{
    static const int32_t rz_m[] = {(1 << 30) + 1, (1 << 30) + 2, NK_INT32_MAX, NK_INT32_MAX - 1,
                                   1518500250, 2039655759, 1117272080};
    static const int32_t rz_zp[] = {-128, -127, -1, 0, 1, 5, 127, 128};
    long mismatches = 0, checked = 0;
    CU_ASSERT(!nk_arm_requant_rz_ok(1 << 30, -5, 0));
    CU_ASSERT(!nk_arm_requant_rz_ok((1 << 30) + 1, -1, 0));
    CU_ASSERT(!nk_arm_requant_rz_ok((1 << 30) + 1, -24, 0));
    CU_ASSERT(!nk_arm_requant_rz_ok((1 << 30) + 1, -5, 129));
    CU_ASSERT(!nk_arm_requant_rz_ok((1 << 30) + 1, -5, -129));
    CU_ASSERT(nk_arm_requant_rz_ok(NK_INT32_MAX, -23, -128));
    for (int32_t shift = -23; shift <= -2; ++shift)
        for (size_t z = 0; z < sizeof rz_zp / sizeof rz_zp[0]; ++z) {
            for (size_t i = 0; i < sizeof edge_x / sizeof edge_x[0]; ++i)
                for (size_t j = 0; j < sizeof rz_m / sizeof rz_m[0]; ++j) {
                    const int32_t x = edge_x[i], m = rz_m[j], zp = rz_zp[z];
                    ++checked;
                    if (rz_fast(x, m, shift, zp) != rz_ref(x, m, shift, zp))
                        ++mismatches;
                }
            /* near-ties: x * m / 2^31 within a few units of a half */
            for (int32_t k = -200; k <= 200; ++k)
                for (int32_t d = -2; d <= 2; ++d) {
                    const int32_t m = rz_m[(size_t)(k + 200) % (sizeof rz_m / sizeof rz_m[0])];
                    const int64_t target = (int64_t)(2 * k + 1) * ((int64_t)1 << (-shift - 1 + 31));
                    int64_t x = target / m + d;
                    if (x > NK_INT32_MAX || x < NK_INT32_MIN)
                        continue;
                    ++checked;
                    if (rz_fast((int32_t)x, m, shift, rz_zp[z]) !=
                        rz_ref((int32_t)x, m, shift, rz_zp[z]))
                        ++mismatches;
                }
        }
    for (long n = 0; n < 4000000; ++n) {
        const uint32_t pick = rng32();
        const int bits = (int)(pick % 32);
        int32_t x = (int32_t)(rng32() >> (31 - bits));
        if (pick & 0x100)
            x = nk_wrap_neg(x);
        int32_t m = (int32_t)((1u << 30) | (rng32() >> 2));
        if (m == (1 << 30))
            m++;
        const int32_t shift = -2 - (int32_t)(rng32() % 22);
        const int32_t zp = (int32_t)(rng32() % 257) - 128;
        ++checked;
        if (rz_fast(x, m, shift, zp) != rz_ref(x, m, shift, zp))
            ++mismatches;
    }
    CU_ASSERT(checked > 4000000);
    CU_ASSERT_EQUAL(mismatches, 0);
}

/* nk_arm_requant_x2 (doubled accumulator, |x| < 2^30) must equal
 * nk_mbqm(x, mult, shift) + zp wherever nk_arm_requant_x2_ok holds. */
static int32_t x2_fast(int32_t x, int32_t m, int32_t shift, int32_t zp)
{
    return nk_arm_requant_x2(2 * x, m, nk_arm_requant_x2_c0(shift, zp), -shift);
}

static void test_x2(void)
{
    static const int32_t x2_m[] = {(1 << 30) + 1, (1 << 30) + 2, NK_INT32_MAX, NK_INT32_MAX - 1,
                                   1518500250, 2039655759, 1117272080};
    static const int32_t x2_zp[] = {-128, -127, -1, 0, 1, 5, 127, 128};
    static const int32_t x2_x[] = {0, 1, -1, 2, -2, 3, -3, 127, -128, 255, -256, (1 << 15),
                                   -(1 << 15), (1 << 20) + 1, -(1 << 20) - 1, (1 << 30) - 1,
                                   -(1 << 30) + 1, (1 << 29), -(1 << 29), (1 << 29) + 12345,
                                   -(1 << 29) - 12345};
    long mismatches = 0, checked = 0;
    CU_ASSERT(!nk_arm_requant_x2_ok((1 << 30) + 1, -23, 0));
    CU_ASSERT(!nk_arm_requant_x2_ok(1 << 30, -5, 0));
    CU_ASSERT(nk_arm_requant_x2_ok(NK_INT32_MAX, -22, 128));
    for (int32_t shift = -22; shift <= -2; ++shift)
        for (size_t z = 0; z < sizeof x2_zp / sizeof x2_zp[0]; ++z) {
            for (size_t i = 0; i < sizeof x2_x / sizeof x2_x[0]; ++i)
                for (size_t j = 0; j < sizeof x2_m / sizeof x2_m[0]; ++j) {
                    ++checked;
                    if (x2_fast(x2_x[i], x2_m[j], shift, x2_zp[z]) !=
                        rz_ref(x2_x[i], x2_m[j], shift, x2_zp[z]))
                        ++mismatches;
                }
            for (int32_t k = -200; k <= 200; ++k)
                for (int32_t d = -2; d <= 2; ++d) {
                    const int32_t m = x2_m[(size_t)(k + 200) % (sizeof x2_m / sizeof x2_m[0])];
                    const int64_t target = (int64_t)(2 * k + 1) * ((int64_t)1 << (-shift - 1 + 31));
                    const int64_t x = target / m + d;
                    if (x >= (1 << 30) || x <= -(1 << 30))
                        continue;
                    ++checked;
                    if (x2_fast((int32_t)x, m, shift, x2_zp[z]) !=
                        rz_ref((int32_t)x, m, shift, x2_zp[z]))
                        ++mismatches;
                }
        }
    for (long n = 0; n < 4000000; ++n) {
        const uint32_t pick = rng32();
        const int bits = (int)(pick % 30) + 1;
        int32_t x = (int32_t)(rng32() >> (32 - bits)); /* below 2^30 */
        if (pick & 0x100)
            x = -x;
        int32_t m = (int32_t)((1u << 30) | (rng32() >> 2));
        if (m == (1 << 30))
            m++;
        const int32_t shift = -2 - (int32_t)(rng32() % 21);
        const int32_t zp = (int32_t)(rng32() % 257) - 128;
        ++checked;
        if (x2_fast(x, m, shift, zp) != rz_ref(x, m, shift, zp))
            ++mismatches;
    }
    CU_ASSERT(checked > 4000000);
    CU_ASSERT_EQUAL(mismatches, 0);
}

int neurio_register_tests(void)
{
    CU_pSuite s = CU_add_suite("nk_arm_requant", NULL, NULL);
    if (!s)
        return -1;
    CU_add_test(s, "edge accumulators and multipliers, every shift", test_edges);
    CU_add_test(s, "ties round away from zero", test_ties);
    CU_add_test(s, "4M random cases equal nk_mbqm", test_random);
    CU_add_test(s, "nk_arm_requant_rz equals nk_mbqm + zp (shift -2..-23)", test_rz);
    CU_add_test(s, "nk_arm_requant_x2 equals nk_mbqm + zp (shift -2..-22)", test_x2);
    return 0;
}

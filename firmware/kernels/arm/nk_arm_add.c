/* firmware/kernels/arm/nk_arm_add.c — ADD int8 (same shapes, no broadcast)
 * for cores with the DSP extension.  Each input's rescaled value
 * nk_mbqm((q - zp) << left_shift, mult, shift) depends on one int8 only, so
 * for long tensors both inputs go through a 256-entry table built once per
 * call (2 kB of stack); the sum is rescaled to the output with
 * nk_arm_requant_x2 (tables doubled; when every table value is below 2^29
 * in magnitude and nk_arm_requant_x2_ok) or nk_arm_requant_rz (when
 * nk_arm_requant_rz_ok), nk_arm_requant otherwise.  Four
 * elements per pass: one word of each input, one word stored, so output ==
 * in1 or in2 (in place) works; other overlaps, broadcasting and short
 * tensors (where the tables would cost more than they save) return
 * NK_ERR_PARAMS, writing nothing, and take the portable loop.
 * Bit-exact with ../nk_add.c. */
#include "nk_arm.h"

#if defined(__ARM_FEATURE_DSP) && __ARM_FEATURE_DSP

#include "../nk_fixedpoint.h"
#include "nk_arm_dot.h"
#include "nk_arm_requant.h"

#ifndef NK_ARM_ADD_MIN_TABLE
#define NK_ARM_ADD_MIN_TABLE 512 /* elements; below this the portable loop is cheaper */
#endif

/* One element: table sums, output requantization, activation range. */
static inline __attribute__((always_inline)) int32_t
add_one(const int32_t *t1, const int32_t *t2, uint32_t a, uint32_t b, int32_t mult, int32_t shift,
        int32_t hi0, int32_t sh, int32_t lo, int32_t hi, int fast, int full)
{
    const int32_t s = (int32_t)((uint32_t)t1[a] + (uint32_t)t2[b]);
    int32_t v = fast == 2 ? nk_arm_requant_x2(s, mult, hi0, sh)
                : fast    ? nk_arm_requant_rz(s, mult, hi0, sh)
                          : nk_arm_requant(s, mult, shift) + hi0;
    v = __ssat(v, 8);
    if (!full)
        v = nk_clamp(v, lo, hi);
    return v;
}

static inline __attribute__((always_inline)) void
add_run(const int32_t *t1, const int32_t *t2, const int8_t *in1, const int8_t *in2, int8_t *out,
        int32_t n, int32_t mult, int32_t shift, int32_t hi0, int32_t sh, int32_t lo, int32_t hi,
        int fast, int full)
{
    int32_t i = 0;
    for (; i + 4 <= n; i += 4) {
        const uint32_t a = nk_arm_load32(in1 + i), b = nk_arm_load32(in2 + i);
        const int32_t r0 =
            add_one(t1, t2, a & 0xff, b & 0xff, mult, shift, hi0, sh, lo, hi, fast, full);
        const int32_t r1 = add_one(t1, t2, (a >> 8) & 0xff, (b >> 8) & 0xff, mult, shift, hi0, sh,
                                   lo, hi, fast, full);
        const int32_t r2 = add_one(t1, t2, (a >> 16) & 0xff, (b >> 16) & 0xff, mult, shift, hi0,
                                   sh, lo, hi, fast, full);
        const int32_t r3 =
            add_one(t1, t2, a >> 24, b >> 24, mult, shift, hi0, sh, lo, hi, fast, full);
        out[i] = (int8_t)r0; /* four byte stores: fewer instructions than packing */
        out[i + 1] = (int8_t)r1;
        out[i + 2] = (int8_t)r2;
        out[i + 3] = (int8_t)r3;
    }
    for (; i < n; ++i)
        out[i] = (int8_t)add_one(t1, t2, (uint8_t)in1[i], (uint8_t)in2[i], mult, shift, hi0, sh,
                                 lo, hi, fast, full);
}

/* The three loops the kernel picks from, each with its constants in
 * registers (noinline: the tables are reached through pointers, not sp). */
static __attribute__((noinline)) void add_x2_full(const int32_t *t1, const int32_t *t2,
                                                  const int8_t *in1, const int8_t *in2,
                                                  int8_t *out, int32_t n, int32_t mult,
                                                  int32_t c0, int32_t e)
{
    add_run(t1, t2, in1, in2, out, n, mult, 0, c0, e, -128, 127, 2, 1);
}

static __attribute__((noinline)) void add_fast_full(const int32_t *t1, const int32_t *t2,
                                                    const int8_t *in1, const int8_t *in2,
                                                    int8_t *out, int32_t n, int32_t mult,
                                                    int32_t hi0, int32_t sh)
{
    add_run(t1, t2, in1, in2, out, n, mult, 0, hi0, sh, -128, 127, 1, 1);
}

static __attribute__((noinline)) void add_fast_clamp(const int32_t *t1, const int32_t *t2,
                                                     const int8_t *in1, const int8_t *in2,
                                                     int8_t *out, int32_t n, int32_t mult,
                                                     int32_t hi0, int32_t sh, int32_t lo,
                                                     int32_t hi)
{
    add_run(t1, t2, in1, in2, out, n, mult, 0, hi0, sh, lo, hi, 1, 0);
}

static __attribute__((noinline)) void add_generic(const int32_t *t1, const int32_t *t2,
                                                  const int8_t *in1, const int8_t *in2,
                                                  int8_t *out, int32_t n, int32_t mult,
                                                  int32_t shift, int32_t zp, int32_t lo,
                                                  int32_t hi)
{
    add_run(t1, t2, in1, in2, out, n, mult, shift, zp, 0, lo, hi, 0, 0);
}

/* 1 when [a, a + n) and [b, b + n) overlap without being the same block */
static int partial_overlap(const int8_t *a, const int8_t *b, int32_t n)
{
    const uintptr_t x = (uintptr_t)a, y = (uintptr_t)b;
    return x != y && x < y + (uintptr_t)n && y < x + (uintptr_t)n;
}

int nk_add_s8_dsp(const nk_binary_params *p, const int8_t *in1, const int8_t *in2,
                  int8_t *output)
{
    const int32_t n = p->flat_size;
    if (p->broadcast || n < NK_ARM_ADD_MIN_TABLE || partial_overlap(output, in1, n) ||
        partial_overlap(output, in2, n) || p->left_shift < 0 || p->left_shift > 31 ||
        p->act_min < -128 || p->act_max > 127)
        return NK_ERR_PARAMS;
    int32_t t1[256], t2[256];
    for (int32_t v = -128; v < 128; ++v) {
        t1[(uint8_t)v] =
            nk_arm_requant((int32_t)((uint32_t)(v - p->in1_zp) << p->left_shift), p->in1_mult,
                           p->in1_shift);
        t2[(uint8_t)v] =
            nk_arm_requant((int32_t)((uint32_t)(v - p->in2_zp) << p->left_shift), p->in2_mult,
                           p->in2_shift);
    }
    const int full = p->act_min == -128 && p->act_max == 127;
    if (full && nk_arm_requant_x2_ok(p->out_mult, p->out_shift, p->out_zp)) {
        /* doubled tables when every doubled sum fits an int32 */
        uint32_t m1 = 0, m2 = 0;
        for (int32_t i = 0; i < 256; ++i) {
            const uint32_t a1 = t1[i] < 0 ? 0u - (uint32_t)t1[i] : (uint32_t)t1[i];
            const uint32_t a2 = t2[i] < 0 ? 0u - (uint32_t)t2[i] : (uint32_t)t2[i];
            m1 = a1 > m1 ? a1 : m1;
            m2 = a2 > m2 ? a2 : m2;
        }
        if (m1 < (1u << 29) && m2 < (1u << 29)) {
            for (int32_t i = 0; i < 256; ++i) {
                t1[i] *= 2;
                t2[i] *= 2;
            }
            add_x2_full(t1, t2, in1, in2, output, n, p->out_mult,
                        nk_arm_requant_x2_c0(p->out_shift, p->out_zp), -p->out_shift);
            return NK_OK;
        }
    }
    if (nk_arm_requant_rz_ok(p->out_mult, p->out_shift, p->out_zp)) {
        const int32_t hi0 = nk_arm_requant_rz_hi0(p->out_shift, p->out_zp);
        const int32_t sh = -p->out_shift - 1;
        if (full)
            add_fast_full(t1, t2, in1, in2, output, n, p->out_mult, hi0, sh);
        else
            add_fast_clamp(t1, t2, in1, in2, output, n, p->out_mult, hi0, sh, p->act_min,
                           p->act_max);
    } else {
        add_generic(t1, t2, in1, in2, output, n, p->out_mult, p->out_shift, p->out_zp,
                    p->act_min, p->act_max);
    }
    return NK_OK;
}

#else
typedef int nk_arm_add_unused; /* ISO C: no empty translation unit */
#endif

/* firmware/kernels/mve/nk_mve_add.c — ADD int8 (same shapes, no broadcast)
 * on Helium.  Each input's rescaled value mbqm((q - zp) << left_shift, m,
 * s) depends on its byte only, so both are tabled once per call (256
 * int32 each, computed four entries at a time) and read with gather loads
 * indexed by the bytes themselves; the sum's requantization runs on four
 * lanes (nk_mve_requant.h).  Bit-exact with ../elementwise/nk_add.c. */
#include "nk_mve.h"

#if defined(__ARM_FEATURE_MVE) && (__ARM_FEATURE_MVE & 1)

#include <arm_mve.h>

#include "nk_mve_requant.h"

/* Shortest tensor worth building the two tables for. */
#define NK_MVE_ADD_MIN 64

/* t[u] = mbqm(((int8)u - zp) << ls, m, s) for u = 0..255. */
static void build_table(int32_t *t, int32_t zp, int32_t ls, int32_t m, int32_t s)
{
    for (int32_t u = 0; u < 256; u += 4) {
        /* lanes u..u+3 as int8 values: (int8)u sign-extended */
        const int32x4_t idx = vreinterpretq_s32_u32(vidupq_n_u32((uint32_t)u, 1));
        const int32x4_t q = vsubq_n_s32(vshrq_n_s32(vshlq_n_s32(idx, 24), 24), zp);
        vst1q_s32(t + u, nk_mve_mbqm(vshlq_r_s32(q, ls), m, s));
    }
}

int nk_add_s8_mve(const nk_binary_params *p, const int8_t *in1, const int8_t *in2,
                  int8_t *output)
{
    const int32_t n = p->flat_size;
    if (p->broadcast || n < NK_MVE_ADD_MIN || p->left_shift < 0 || p->left_shift > 31)
        return NK_ERR_PARAMS;
    const int32_t sh[3] = {p->in1_shift, p->in2_shift, p->out_shift};
    for (int i = 0; i < 3; ++i)
        if (sh[i] < -31 || sh[i] > 31)
            return NK_ERR_PARAMS;
    /* in place on an input is fine (each group is read before it is
     * written); any other overlap is not */
    for (int i = 0; i < 2; ++i) {
        const int8_t *in = i ? in2 : in1;
        if (in != output && in < output + n && output < in + n)
            return NK_ERR_PARAMS;
    }
    int32_t t1[256], t2[256];
    build_table(t1, p->in1_zp, p->left_shift, p->in1_mult, p->in1_shift);
    build_table(t2, p->in2_zp, p->left_shift, p->in2_mult, p->in2_shift);
    const int32x4_t lo = vdupq_n_s32(p->act_min), hi = vdupq_n_s32(p->act_max);
    const int32_t m = p->out_mult, s = p->out_shift, zp = p->out_zp;
    for (int32_t i = 0; i < n; i += 4) {
        const mve_pred16_t pr = vctp32q((uint32_t)(n - i));
        const uint32x4_t a = vldrbq_z_u32((const uint8_t *)in1 + i, pr);
        const uint32x4_t b = vldrbq_z_u32((const uint8_t *)in2 + i, pr);
        const int32x4_t x = vaddq_s32(vldrwq_gather_shifted_offset_s32(t1, a),
                                      vldrwq_gather_shifted_offset_s32(t2, b));
        nk_mve_store4(output + i, nk_mve_mbqm(x, m, s), zp, lo, hi, pr);
    }
    return NK_OK;
}

#else
typedef int nk_mve_add_unused; /* ISO C: no empty translation unit */
#endif

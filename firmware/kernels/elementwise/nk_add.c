/* firmware/kernels/elementwise/nk_add.c — ADD, int8 and float32, with numpy
 * broadcasting through precomputed strides (see nk_binary_params).
 * int8 as TFLite's reference AddFunc: inputs shifted left by left_shift (20), rescaled, summed, rescaled to the output. */
#include "nk.h"
#include "nk_fixedpoint.h"
#include "arm/nk_arm.h"
#include "mve/nk_mve.h"
#include "nk_internal.h"

static inline int8_t add_s8_one(const nk_binary_params *p, int32_t a, int32_t b)
{
    const int32_t s1 = nk_mbqm((int32_t)((uint32_t)(a - p->in1_zp) << p->left_shift),
                               p->in1_mult, p->in1_shift);
    const int32_t s2 = nk_mbqm((int32_t)((uint32_t)(b - p->in2_zp) << p->left_shift),
                               p->in2_mult, p->in2_shift);
    const int32_t raw = nk_mbqm(nk_wrap_add(s1, s2), p->out_mult, p->out_shift) + p->out_zp;
    return (int8_t)nk_clamp(raw, p->act_min, p->act_max);
}

int nk_add_s8(const nk_binary_params *p, const int8_t *in1, const int8_t *in2, int8_t *output)
{
    const int32_t n = nk_binary_count(p);
    if (n < 0 || !in1 || !in2 || !output || p->act_min > p->act_max)
        return NK_ERR_PARAMS;
#if NK_HAVE_MVE
    if (nk_add_s8_mve(p, in1, in2, output) == NK_OK)
        return NK_OK; /* else: a case the Helium version leaves to the next */
#endif
#if NK_HAVE_ARM_DSP
    if (nk_add_s8_dsp(p, in1, in2, output) == NK_OK)
        return NK_OK; /* else: a case the DSP version leaves to this loop */
#endif
    if (!p->broadcast) {
        for (int32_t i = 0; i < n; ++i)
            output[i] = add_s8_one(p, in1[i], in2[i]);
        return NK_OK;
    }
    int32_t idx[NK_MAX_DIMS] = {0}, o1 = 0, o2 = 0;
    for (int32_t i = 0; i < n; ++i) {
        output[i] = add_s8_one(p, in1[o1], in2[o2]);
        nk_bcast_next(p, idx, &o1, &o2);
    }
    return NK_OK;
}

int nk_add_f32(const nk_binary_params *p, const float *in1, const float *in2, float *output)
{
    const int32_t n = nk_binary_count(p);
    if (n < 0 || !in1 || !in2 || !output)
        return NK_ERR_PARAMS;
    if (!p->broadcast) {
        for (int32_t i = 0; i < n; ++i)
            output[i] = nk_fminmax(in1[i] + in2[i], p->act_min_f, p->act_max_f);
        return NK_OK;
    }
    int32_t idx[NK_MAX_DIMS] = {0}, o1 = 0, o2 = 0;
    for (int32_t i = 0; i < n; ++i) {
        output[i] = nk_fminmax(in1[o1] + in2[o2], p->act_min_f, p->act_max_f);
        nk_bcast_next(p, idx, &o1, &o2);
    }
    return NK_OK;
}

/* firmware/kernels/arm/nk_arm_conv2d_1x1.c — CONV_2D int8 with a 1x1
 * filter and no padding on the DSP extension: per batch a matrix product
 * (rows = output pixels, reading input pixel (oy * stride_h, ox *
 * stride_w); depth = in_c; columns = out_c) through nk_arm_gemm.c.
 * Bit-exact with ../nk_conv2d.c. */
#include "nk_arm.h"

#if defined(__ARM_FEATURE_DSP) && __ARM_FEATURE_DSP

#include "nk_arm_gemm.h"

int nk_conv2d_1x1_s8_dsp(const nk_conv_params *p, const int8_t *input, const int8_t *filter,
                         const int32_t *bias, int8_t *output)
{
    if (p->filter_h != 1 || p->filter_w != 1 || p->pad_top != 0 || p->pad_left != 0 ||
        (p->out_h - 1) * p->stride_h >= p->in_h || (p->out_w - 1) * p->stride_w >= p->in_w)
        return NK_ERR_PARAMS;
    nk_arm_gemm g;
    g.rows = p->out_h * p->out_w;
    g.row_n = p->out_w;
    g.row_inner = (ptrdiff_t)p->stride_w * p->in_c;
    g.row_outer = (ptrdiff_t)p->stride_h * p->in_w * p->in_c;
    g.depth = p->in_c;
    g.cols = p->out_c;
    g.in_zp = p->in_zp;
    g.w = filter;
    g.bias = bias;
    g.mult = p->out_mult;
    g.shift = p->out_shift;
    g.per_channel = p->per_channel;
    g.out_zp = p->out_zp;
    g.act_min = p->act_min;
    g.act_max = p->act_max;
    for (int32_t b = 0; b < p->batches; ++b) {
        g.a = input + (size_t)b * p->in_h * p->in_w * p->in_c;
        g.out = output + (size_t)b * g.rows * p->out_c;
        if (nk_arm_gemm_s8(&g) != NK_OK)
            return NK_ERR_PARAMS; /* refused before writing anything (depends on in_c only) */
    }
    return NK_OK;
}

#else
typedef int nk_arm_conv2d_1x1_unused; /* ISO C: no empty translation unit */
#endif

/* firmware/kernels/arm/nk_arm_conv2d_1x1.c — CONV_2D int8 with a 1x1
 * filter and no padding on the DSP extension: per batch a matrix product
 * (rows = output pixels, reading input pixel (oy * stride_h, ox *
 * stride_w); depth = in_c; columns = out_c) through nk_arm_gemm.c.
 * Also nk_conv2d_1x1_s8_rows_dsp (nk.h nk_pw_pack: weights widened at code
 * generation, row pair by row pair).  Bit-exact with ../nk_conv2d.c. */
#include "nk_arm.h"

#if defined(__ARM_FEATURE_DSP) && __ARM_FEATURE_DSP

#include "nk_arm_dot.h"
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

/* nk.h nk_pw_pack: for every pair of output pixels (both input pixels
 * widened into xbuf first, the tail groups and the padding to G groups in
 * C), one nk_arm_mm2x2qu call over every column pair of the packed
 * weights: no weight widening at run time, each row pair widened once, and
 * the output may overlap the input (the planner's overlap table: a pair's
 * outputs are written only after both its input pixels are read).  A last
 * odd pixel goes as a pair of itself with row stride 0 (both rows give the
 * same bytes). */
int nk_conv2d_1x1_s8_rows_dsp(const nk_conv_params *p, const nk_pw_pack *k,
                              const int8_t *input, int8_t *output)
{
    int32_t xbuf[4 * 32];
    const int32_t depth = p->in_c, cols = p->out_c, G = NK_PW_PACK_GROUPS(depth);
    const int32_t d4 = depth >> 2, rows = p->out_h * p->out_w, zp = p->in_zp;
    const int32_t skip = (32 - G) * 44;
    const uint32_t off2 = nk_arm_offset2(zp);
    const ptrdiff_t inner = (ptrdiff_t)p->stride_w * depth;
    const ptrdiff_t outer = (ptrdiff_t)p->stride_h * p->in_w * depth;
    for (int32_t g = d4; g < G; ++g)
        xbuf[4 * g] = xbuf[4 * g + 1] = xbuf[4 * g + 2] = xbuf[4 * g + 3] = 0;
    for (int32_t b = 0; b < p->batches; ++b) {
        const int8_t *in_b = input + (size_t)b * p->in_h * p->in_w * depth;
        int8_t *o = output + (size_t)b * rows * cols;
        int32_t oy = 0, ox = 0;
        for (int32_t r = 0; r < rows; r += 2, o += 2 * cols) {
            const int8_t *x0 = in_b + oy * outer + ox * inner, *x1 = x0;
            if (++ox == p->out_w) {
                ox = 0;
                ++oy;
            }
            const int two = r + 1 < rows;
            if (two) {
                x1 = in_b + oy * outer + ox * inner;
                if (++ox == p->out_w) {
                    ox = 0;
                    ++oy;
                }
            }
            if (d4)
                nk_arm_widen2(x0, x1, d4, xbuf, off2);
            if (depth & 3) {
                int32_t e0[4], e1[4];
                for (int32_t i = 0; i < 4; ++i) {
                    const int32_t d = 4 * d4 + i;
                    e0[i] = d < depth ? (int32_t)x0[d] - zp : 0;
                    e1[i] = d < depth ? (int32_t)x1[d] - zp : 0;
                }
                int32_t *t = xbuf + 4 * d4;
                t[0] = (int32_t)(((uint32_t)e0[0] & 0xffffu) | ((uint32_t)e0[2] << 16));
                t[1] = (int32_t)(((uint32_t)e0[1] & 0xffffu) | ((uint32_t)e0[3] << 16));
                t[2] = (int32_t)(((uint32_t)e1[0] & 0xffffu) | ((uint32_t)e1[2] << 16));
                t[3] = (int32_t)(((uint32_t)e1[1] & 0xffffu) | ((uint32_t)e1[3] << 16));
            }
            nk_arm_mm2x2qu(xbuf, (const int32_t *)(const void *)k->w, skip, k->t, o, cols >> 1,
                           two ? cols : 0);
        }
    }
    return NK_OK;
}

#else
typedef int nk_arm_conv2d_1x1_unused; /* ISO C: no empty translation unit */
#endif

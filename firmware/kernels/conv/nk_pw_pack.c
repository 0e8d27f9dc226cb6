/* firmware/kernels/conv/nk_pw_pack.c — the packed 1x1 CONV_2D layout of
 * the row-pair kernel (nk_pw_pack in nk.h): the packer the code generator
 * runs, and the kernel in portable C (the arithmetic of the DSP version,
 * arm/nk_arm_conv2d_1x1.c: doubled weights, the fused requantization),
 * bit-exact with nk_conv2d_s8. */
#include "nk.h"
#include "nk_fixedpoint.h"
#include "nk_internal.h"
#include "arm/nk_arm.h"

/* position of input channel d % 4 inside its group (SXTB16 lanes 0, 2, 1, 3) */
static const uint8_t pwp_lane[4] = {0, 2, 1, 3};

static int pwp_check(const nk_conv_params *p)
{
    return nk_conv_check(p, 0) == NK_OK && p->filter_h == 1 && p->filter_w == 1 &&
           p->pad_top == 0 && p->pad_left == 0 && p->in_c <= NK_PW_PACK_MAX_IN_C &&
           (p->out_c & 1) == 0 && p->act_min == -128 && p->act_max == 127 &&
           p->out_zp >= -128 && p->out_zp <= 127 &&
           (p->out_h - 1) * p->stride_h < p->in_h && (p->out_w - 1) * p->stride_w < p->in_w;
}

int nk_pw_pack_s8(const nk_conv_params *p, const int8_t *filter, const int32_t *bias,
                  int16_t *w, int32_t *t)
{
    if (!pwp_check(p) || !filter || !w || !t || !p->out_mult || !p->out_shift)
        return NK_ERR_PARAMS;
    const int32_t depth = p->in_c, g4 = 4 * NK_PW_PACK_GROUPS(depth);
    for (int32_t c = 0; c < p->out_c; ++c) {
        const int32_t q = p->per_channel ? c : 0;
        const int32_t b = bias ? bias[c] : 0, e = -p->out_shift[q];
        if (e < 1 || e > 20 || b < -(1 << 29) || b >= (1 << 29))
            return NK_ERR_PARAMS;
        /* column c is half `c & 1` of its pair's four-word groups */
        int16_t *wc = w + (size_t)(c >> 1) * 2 * g4 + 4 * (c & 1);
        for (int32_t d = 0; d < g4; ++d) {
            const int32_t v = d < depth ? filter[(size_t)c * depth + d] : 0;
            wc[(d >> 2) * 8 + pwp_lane[d & 3]] = (int16_t)(2 * v);
        }
        int32_t *tc = t + (size_t)(c >> 1) * 8;
        tc[c & 1] = 2 * b;
        tc[2 + 3 * (c & 1)] = p->out_mult[q];
        tc[3 + 3 * (c & 1)] = (int32_t)((1u << (e - 1)) + ((uint32_t)p->out_zp << e));
        tc[4 + 3 * (c & 1)] = e;
    }
    return NK_OK;
}

int nk_conv2d_1x1_s8_rows(const nk_conv_params *p, const nk_pw_pack *k, const int8_t *input,
                          int8_t *output)
{
    if (!pwp_check(p) || !k || !k->w || !k->t || !input || !output)
        return NK_ERR_PARAMS;
#if NK_HAVE_ARM_DSP
    return nk_conv2d_1x1_s8_rows_dsp(p, k, input, output);
#else
    /* SMMULR(acc, m) below: the rounded high word of acc * m */
    const int32_t depth = p->in_c, cols = p->out_c, g4 = 4 * NK_PW_PACK_GROUPS(depth);
    for (int32_t b = 0; b < p->batches; ++b) {
        const int8_t *in_b = input + (size_t)b * p->in_h * p->in_w * depth;
        for (int32_t oy = 0; oy < p->out_h; ++oy)
            for (int32_t ox = 0; ox < p->out_w; ++ox) {
                const int8_t *x =
                    in_b + ((size_t)oy * p->stride_h * p->in_w + (size_t)ox * p->stride_w) * depth;
                int8_t *o = output + (((size_t)b * p->out_h + oy) * p->out_w + ox) * cols;
                /* the pixel first (the kernel's contract: read, then write) */
                int32_t xz[NK_PW_PACK_MAX_IN_C];
                for (int32_t d = 0; d < depth; ++d)
                    xz[d] = (int32_t)x[d] - p->in_zp;
                for (int32_t c = 0; c < cols; ++c) {
                    const int16_t *wc = k->w + (size_t)(c >> 1) * 2 * g4 + 4 * (c & 1);
                    const int32_t *tc = k->t + (size_t)(c >> 1) * 8;
                    int32_t acc = tc[c & 1]; /* the doubled sum */
                    for (int32_t d = 0; d < depth; ++d)
                        acc += (int32_t)wc[(d >> 2) * 8 + pwp_lane[d & 3]] * xz[d];
                    const int32_t m = tc[2 + 3 * (c & 1)], kk = tc[3 + 3 * (c & 1)];
                    const int32_t e = tc[4 + 3 * (c & 1)];
                    const int32_t r = (int32_t)(((int64_t)acc * m + ((int64_t)1 << 31)) >> 32);
                    const int32_t v = (int32_t)((int64_t)r + kk - (r < 0)) >> e;
                    o[c] = (int8_t)nk_clamp(v, -128, 127);
                }
            }
    }
    return NK_OK;
#endif
}

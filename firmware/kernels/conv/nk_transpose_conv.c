/* firmware/kernels/conv/nk_transpose_conv.c — TRANSPOSE_CONV, int8
 * (per-tensor or per-channel), int16x8 and float32; NHWC input, OHWI filter
 * [out_c][kh][kw][in_c].
 *
 * TFLite's reference kernels scatter every input pixel into an output-sized
 * accumulator buffer.  These kernels gather instead, one output element at a
 * time, so they need no scratch memory: output (oy, ox) takes input row
 * iy = (oy + pad_top - fy) / stride_h for every filter row fy where that
 * division is exact and iy is inside the image (columns alike).  The taps
 * are visited in increasing (iy, ix, ic) order, the order in which the
 * scatter loop adds them, so even the float sums are the reference's; the
 * integer sums are exact in any order.  Then bias, requantization (integer)
 * and the fused-activation clamp, as TFLite Micro (which applies the fused
 * activation to every dtype). */
#include "nk.h"
#include "nk_fixedpoint.h"
#include "nk_fixedpoint_math.h"

/* Shapes a transpose conv needs (no dilation; pads may be any >= 0). */
static int tconv_check(const nk_conv_params *p)
{
    if (!p || p->batches < 1 || p->in_h < 1 || p->in_w < 1 || p->in_c < 1 || p->out_h < 1 ||
        p->out_w < 1 || p->out_c < 1 || p->filter_h < 1 || p->filter_w < 1 ||
        p->stride_h < 1 || p->stride_w < 1 || p->pad_top < 0 || p->pad_left < 0)
        return NK_ERR_PARAMS;
    return NK_OK;
}

/* The filter taps of output coordinate o along one axis: taps fk (counted
 * down from k-1, so that the input coordinate rises) with
 * o + pad - fk = stride * i, 0 <= i < in.  Writes the pairs into tap/pos,
 * returns how many. */
static int32_t tconv_taps(int32_t o, int32_t pad, int32_t k, int32_t stride, int32_t in,
                          int32_t *tap, int32_t *pos)
{
    int32_t n = 0;
    for (int32_t f = k - 1; f >= 0; --f) {
        const int32_t t = o + pad - f;
        if (t < 0 || t % stride != 0 || t / stride >= in)
            continue;
        tap[n] = f;
        pos[n] = t / stride;
        n++;
    }
    return n;
}

/* Taps per axis are at most ceil(k / stride) <= k; the kernels keep them
 * on the stack up to this filter size. */
#define NK_TCONV_MAX_K 64

/* The integer accumulation of output element (oy, ox, oc) of batch b. */
#define NK_TCONV_SUM(ACC, IN_T, OFFSET)                                                   \
    for (int32_t a = 0; a < ny; ++a) {                                                    \
        const IN_T *row = in_b + (size_t)py[a] * p->in_w * p->in_c;                       \
        const int8_t *frow = f_oc + (size_t)fy[a] * p->filter_w * p->in_c;                \
        for (int32_t c = 0; c < nx; ++c) {                                                \
            const IN_T *ip = row + (size_t)px[c] * p->in_c;                               \
            const int8_t *fp = frow + (size_t)fx[c] * p->in_c;                            \
            for (int32_t ic = 0; ic < p->in_c; ++ic)                                      \
                ACC += (int32_t)fp[ic] * ((int32_t)ip[ic] - (OFFSET));                    \
        }                                                                                 \
    }

int nk_transpose_conv_s8(const nk_conv_params *p, const int8_t *input, const int8_t *filter,
                         const int32_t *bias, int8_t *output)
{
    int32_t fy[NK_TCONV_MAX_K], py[NK_TCONV_MAX_K], fx[NK_TCONV_MAX_K], px[NK_TCONV_MAX_K];
    if (tconv_check(p) != NK_OK || !input || !filter || !output || !p->out_mult ||
        !p->out_shift || p->act_min > p->act_max || p->filter_h > NK_TCONV_MAX_K ||
        p->filter_w > NK_TCONV_MAX_K)
        return NK_ERR_PARAMS;
    for (int32_t b = 0; b < p->batches; ++b) {
        const int8_t *in_b = input + (size_t)b * p->in_h * p->in_w * p->in_c;
        for (int32_t oy = 0; oy < p->out_h; ++oy) {
            const int32_t ny = tconv_taps(oy, p->pad_top, p->filter_h, p->stride_h, p->in_h, fy, py);
            for (int32_t ox = 0; ox < p->out_w; ++ox) {
                const int32_t nx =
                    tconv_taps(ox, p->pad_left, p->filter_w, p->stride_w, p->in_w, fx, px);
                int8_t *out = output + (((size_t)b * p->out_h + oy) * p->out_w + ox) * p->out_c;
                for (int32_t oc = 0; oc < p->out_c; ++oc) {
                    const int8_t *f_oc = filter + (size_t)oc * p->filter_h * p->filter_w * p->in_c;
                    int32_t acc = 0;
                    NK_TCONV_SUM(acc, int8_t, p->in_zp)
                    if (bias)
                        acc += bias[oc];
                    const int32_t q = p->per_channel ? oc : 0;
                    acc = nk_mbqm(acc, p->out_mult[q], p->out_shift[q]) + p->out_zp;
                    out[oc] = (int8_t)nk_clamp(acc, p->act_min, p->act_max);
                }
            }
        }
    }
    return NK_OK;
}

/* int16x8: int16 activations (zero points 0: in_zp/out_zp are not read),
 * int8 weights, int64 bias and accumulator, nk_mbqm64. */
static int tconv_s16(const nk_conv_params *p, const int16_t *input, const int8_t *filter,
                     const int64_t *bias, const int16_t *bias16, int16_t *output)
{
    int32_t fy[NK_TCONV_MAX_K], py[NK_TCONV_MAX_K], fx[NK_TCONV_MAX_K], px[NK_TCONV_MAX_K];
    if (tconv_check(p) != NK_OK || !input || !filter || !output || !p->out_mult ||
        !p->out_shift || p->act_min > p->act_max || p->filter_h > NK_TCONV_MAX_K ||
        p->filter_w > NK_TCONV_MAX_K)
        return NK_ERR_PARAMS;
    for (int32_t b = 0; b < p->batches; ++b) {
        const int16_t *in_b = input + (size_t)b * p->in_h * p->in_w * p->in_c;
        for (int32_t oy = 0; oy < p->out_h; ++oy) {
            const int32_t ny = tconv_taps(oy, p->pad_top, p->filter_h, p->stride_h, p->in_h, fy, py);
            for (int32_t ox = 0; ox < p->out_w; ++ox) {
                const int32_t nx =
                    tconv_taps(ox, p->pad_left, p->filter_w, p->stride_w, p->in_w, fx, px);
                int16_t *out = output + (((size_t)b * p->out_h + oy) * p->out_w + ox) * p->out_c;
                for (int32_t oc = 0; oc < p->out_c; ++oc) {
                    const int8_t *f_oc = filter + (size_t)oc * p->filter_h * p->filter_w * p->in_c;
                    int64_t acc = 0;
                    NK_TCONV_SUM(acc, int16_t, 0)
                    if (bias)
                        acc += bias[oc];
                    if (bias16)
                        acc += bias16[oc];
                    const int32_t q = p->per_channel ? oc : 0;
                    const int32_t v = nk_mbqm64(acc, p->out_mult[q], p->out_shift[q]);
                    out[oc] = (int16_t)nk_clamp(v, p->act_min, p->act_max);
                }
            }
        }
    }
    return NK_OK;
}

int nk_transpose_conv_s16(const nk_conv_params *p, const int16_t *input, const int8_t *filter,
                          const int64_t *bias, int16_t *output)
{
    return tconv_s16(p, input, filter, bias, NULL, output);
}

/* int16x8 with an int16 bias: TFLite Micro widens it to int64 first. */
int nk_transpose_conv_s16_b16(const nk_conv_params *p, const int16_t *input,
                              const int8_t *filter, const int16_t *bias, int16_t *output)
{
    if (!bias)
        return NK_ERR_PARAMS;
    return tconv_s16(p, input, filter, NULL, bias, output);
}

int nk_transpose_conv_f32(const nk_conv_params *p, const float *input, const float *filter,
                          const float *bias, float *output)
{
    int32_t fy[NK_TCONV_MAX_K], py[NK_TCONV_MAX_K], fx[NK_TCONV_MAX_K], px[NK_TCONV_MAX_K];
    if (tconv_check(p) != NK_OK || !input || !filter || !output ||
        p->filter_h > NK_TCONV_MAX_K || p->filter_w > NK_TCONV_MAX_K)
        return NK_ERR_PARAMS;
    const int32_t in_w = p->in_w, in_c = p->in_c, fw = p->filter_w;
    for (int32_t b = 0; b < p->batches; ++b) {
        const float *in_b = input + (size_t)b * p->in_h * in_w * in_c;
        for (int32_t oy = 0; oy < p->out_h; ++oy) {
            const int32_t ny = tconv_taps(oy, p->pad_top, p->filter_h, p->stride_h, p->in_h, fy, py);
            for (int32_t ox = 0; ox < p->out_w; ++ox) {
                const int32_t nx = tconv_taps(ox, p->pad_left, fw, p->stride_w, in_w, fx, px);
                float *out = output + (((size_t)b * p->out_h + oy) * p->out_w + ox) * p->out_c;
                for (int32_t oc = 0; oc < p->out_c; ++oc) {
                    const float *f_oc = filter + (size_t)oc * p->filter_h * fw * in_c;
                    float acc = 0.0f;
                    for (int32_t a = 0; a < ny; ++a) {
                        const float *row = in_b + (size_t)py[a] * in_w * in_c;
                        const float *frow = f_oc + (size_t)fy[a] * fw * in_c;
                        for (int32_t c = 0; c < nx; ++c) {
                            const float *ip = row + (size_t)px[c] * in_c;
                            const float *fp = frow + (size_t)fx[c] * in_c;
                            for (int32_t ic = 0; ic < in_c; ++ic)
                                acc += ip[ic] * fp[ic];
                        }
                    }
                    if (bias)
                        acc += bias[oc];
                    out[oc] = nk_fminmax(acc, p->act_min_f, p->act_max_f);
                }
            }
        }
    }
    return NK_OK;
}

/* firmware/kernels/pool/nk_max_pool2d.c — MAX_POOL_2D, int8, int16 and float32
 * (TFLite semantics: taps outside the image are ignored, then clamp). */
#include "nk.h"
#include "nk_fixedpoint.h"
#include "nk_internal.h"
#include "mve/nk_mve.h"

int nk_max_pool2d_s8(const nk_pool_params *p, const int8_t *input, int8_t *output)
{
    if (nk_pool_check(p) != NK_OK || !input || !output || p->act_min > p->act_max)
        return NK_ERR_PARAMS;
#if NK_HAVE_MVE
    if (nk_max_pool2d_s8_mve(p, input, output) == NK_OK)
        return NK_OK; /* else: a case the Helium version leaves to the loop */
#endif
    const int32_t c_n = p->channels;
    for (int32_t b = 0; b < p->batches; ++b) {
        const int8_t *in_b = input + (size_t)b * p->in_h * p->in_w * c_n;
        for (int32_t oy = 0; oy < p->out_h; ++oy) {
            const int32_t y0 = oy * p->stride_h - p->pad_top;
            const int32_t fy0 = y0 < 0 ? -y0 : 0;
            const int32_t fy1 = p->in_h - y0 < p->filter_h ? p->in_h - y0 : p->filter_h;
            for (int32_t ox = 0; ox < p->out_w; ++ox) {
                const int32_t x0 = ox * p->stride_w - p->pad_left;
                const int32_t fx0 = x0 < 0 ? -x0 : 0;
                const int32_t fx1 = p->in_w - x0 < p->filter_w ? p->in_w - x0 : p->filter_w;
                int8_t *out = output + (((size_t)b * p->out_h + oy) * p->out_w + ox) * c_n;
                for (int32_t c = 0; c < c_n; ++c) {
                    int32_t m = -128;
                    for (int32_t fy = fy0; fy < fy1; ++fy)
                        for (int32_t fx = fx0; fx < fx1; ++fx) {
                            const int32_t v =
                                in_b[((size_t)(y0 + fy) * p->in_w + (x0 + fx)) * c_n + c];
                            if (v > m)
                                m = v;
                        }
                    out[c] = (int8_t)nk_clamp(m, p->act_min, p->act_max);
                }
            }
        }
    }
    return NK_OK;
}

int nk_max_pool2d_f32(const nk_pool_params *p, const float *input, float *output)
{
    if (nk_pool_check(p) != NK_OK || !input || !output)
        return NK_ERR_PARAMS;
    const int32_t c_n = p->channels;
    for (int32_t b = 0; b < p->batches; ++b) {
        const float *in_b = input + (size_t)b * p->in_h * p->in_w * c_n;
        for (int32_t oy = 0; oy < p->out_h; ++oy) {
            const int32_t y0 = oy * p->stride_h - p->pad_top;
            const int32_t fy0 = y0 < 0 ? -y0 : 0;
            const int32_t fy1 = p->in_h - y0 < p->filter_h ? p->in_h - y0 : p->filter_h;
            for (int32_t ox = 0; ox < p->out_w; ++ox) {
                const int32_t x0 = ox * p->stride_w - p->pad_left;
                const int32_t fx0 = x0 < 0 ? -x0 : 0;
                const int32_t fx1 = p->in_w - x0 < p->filter_w ? p->in_w - x0 : p->filter_w;
                float *out = output + (((size_t)b * p->out_h + oy) * p->out_w + ox) * c_n;
                for (int32_t c = 0; c < c_n; ++c) {
                    float m = -3.402823466e+38f; /* numeric_limits<float>::lowest() */
                    for (int32_t fy = fy0; fy < fy1; ++fy)
                        for (int32_t fx = fx0; fx < fx1; ++fx) {
                            const float v =
                                in_b[((size_t)(y0 + fy) * p->in_w + (x0 + fx)) * c_n + c];
                            if (v > m)
                                m = v;
                        }
                    out[c] = nk_fminmax(m, p->act_min_f, p->act_max_f);
                }
            }
        }
    }
    return NK_OK;
}

int nk_max_pool2d_s16(const nk_pool_params *p, const int16_t *input, int16_t *output)
{
    if (nk_pool_check(p) != NK_OK || !input || !output || p->act_min > p->act_max)
        return NK_ERR_PARAMS;
    const int32_t c_n = p->channels;
    for (int32_t b = 0; b < p->batches; ++b) {
        const int16_t *in_b = input + (size_t)b * p->in_h * p->in_w * c_n;
        for (int32_t oy = 0; oy < p->out_h; ++oy) {
            const int32_t y0 = oy * p->stride_h - p->pad_top;
            const int32_t fy0 = y0 < 0 ? -y0 : 0;
            const int32_t fy1 = p->in_h - y0 < p->filter_h ? p->in_h - y0 : p->filter_h;
            for (int32_t ox = 0; ox < p->out_w; ++ox) {
                const int32_t x0 = ox * p->stride_w - p->pad_left;
                const int32_t fx0 = x0 < 0 ? -x0 : 0;
                const int32_t fx1 = p->in_w - x0 < p->filter_w ? p->in_w - x0 : p->filter_w;
                int16_t *out = output + (((size_t)b * p->out_h + oy) * p->out_w + ox) * c_n;
                for (int32_t c = 0; c < c_n; ++c) {
                    int32_t m = -32768;
                    for (int32_t fy = fy0; fy < fy1; ++fy)
                        for (int32_t fx = fx0; fx < fx1; ++fx) {
                            const int32_t v =
                                in_b[((size_t)(y0 + fy) * p->in_w + (x0 + fx)) * c_n + c];
                            if (v > m)
                                m = v;
                        }
                    out[c] = (int16_t)nk_clamp(m, p->act_min, p->act_max);
                }
            }
        }
    }
    return NK_OK;
}

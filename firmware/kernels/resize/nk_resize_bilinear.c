/* firmware/kernels/resize/nk_resize_bilinear.c — RESIZE_BILINEAR, NHWC.
 * int8/int16: TFLite's ResizeBilinearInteger (10-bit fixed-point source
 * positions, 64-bit weighted sum, round half away from zero by 2^20).
 * float: TFLite's ResizeBilinear, the same float expression in the same
 * order. */
#include <math.h>

#include "nk.h"

static int check(const nk_resize_params *p, const void *in, const void *out)
{
    if (!p || !in || !out || p->batches < 1 || p->in_h < 1 || p->in_w < 1 || p->channels < 1 ||
        p->out_h < 1 || p->out_w < 1 || (p->align_corners && p->half_pixel_centers))
        return NK_ERR_PARAMS;
    return NK_OK;
}

/* ------------------------------------------------------------ integer */

static int32_t scale_10(int32_t in, int32_t out, int32_t align_corners)
{
    if (align_corners && out > 1)
        return ((1 << 10) * (in - 1) + (out - 1) / 2) / (out - 1);
    return ((1 << 10) * in + out / 2) / out;
}

/* ComputeInterpolationValuesInteger. */
static void interp_int(int32_t v, int32_t s10, int32_t half_pixel, int32_t in_size, int32_t *pos,
                       int32_t *lo, int32_t *hi)
{
    *pos = half_pixel ? v * s10 + s10 / 2 - (1 << 9) : v * s10;
    *lo = *pos / (1 << 10);
    if (*lo < 0)
        *lo = 0;
    *hi = (*pos + (1 << 10) - 1) / (1 << 10);
    if (*hi > in_size - 1)
        *hi = in_size - 1;
}

static int64_t blend_int(int64_t v00, int64_t v10, int64_t v01, int64_t v11, int32_t dy,
                         int32_t dx)
{
    const int64_t s = v00 * ((1 << 10) - dy) * ((1 << 10) - dx) + v10 * dy * ((1 << 10) - dx) +
                      v01 * ((1 << 10) - dy) * dx + v11 * dy * dx;
    const int64_t round = s > 0 ? (1 << 19) : -(1 << 19);
    return (s + round) / (1 << 20);
}

#define NK_RESIZE_BILINEAR_INT(NAME, T)                                                       \
    int NAME(const nk_resize_params *p, const T *input, T *output)                            \
    {                                                                                         \
        if (check(p, input, output))                                                          \
            return NK_ERR_PARAMS;                                                             \
        const int32_t sh = scale_10(p->in_h, p->out_h, p->align_corners);                     \
        const int32_t sw = scale_10(p->in_w, p->out_w, p->align_corners);                     \
        const int32_t C = p->channels;                                                        \
        const size_t row = (size_t)p->in_w * (size_t)C;                                       \
        for (int32_t b = 0; b < p->batches; ++b) {                                            \
            const T *img = input + (size_t)b * (size_t)p->in_h * row;                         \
            for (int32_t y = 0; y < p->out_h; ++y) {                                          \
                int32_t iy, y0, y1;                                                           \
                interp_int(y, sh, p->half_pixel_centers, p->in_h, &iy, &y0, &y1);             \
                for (int32_t x = 0; x < p->out_w; ++x) {                                      \
                    int32_t ix, x0, x1;                                                       \
                    interp_int(x, sw, p->half_pixel_centers, p->in_w, &ix, &x0, &x1);         \
                    const T *r0 = img + (size_t)y0 * row, *r1 = img + (size_t)y1 * row;       \
                    for (int32_t c = 0; c < C; ++c)                                           \
                        *output++ = (T)blend_int(r0[(size_t)x0 * C + c], r1[(size_t)x0 * C + c], \
                                                 r0[(size_t)x1 * C + c], r1[(size_t)x1 * C + c], \
                                                 iy - (1 << 10) * y0, ix - (1 << 10) * x0);   \
                }                                                                             \
            }                                                                                 \
        }                                                                                     \
        return NK_OK;                                                                         \
    }

NK_RESIZE_BILINEAR_INT(nk_resize_bilinear_s8, int8_t)
NK_RESIZE_BILINEAR_INT(nk_resize_bilinear_s16, int16_t)

/* -------------------------------------------------------------- float */

/* ComputeInterpolationValues. */
static void interp_f32(int32_t v, float scale, int32_t half_pixel, int32_t in_size, float *pos,
                       int32_t *lo, int32_t *hi)
{
    *pos = half_pixel ? ((float)v + 0.5f) * scale - 0.5f : (float)v * scale;
    *lo = (int32_t)floorf(*pos);
    if (*lo < 0)
        *lo = 0;
    *hi = (int32_t)ceilf(*pos);
    if (*hi > in_size - 1)
        *hi = in_size - 1;
}

int nk_resize_bilinear_f32(const nk_resize_params *p, const float *input, float *output)
{
    if (check(p, input, output))
        return NK_ERR_PARAMS;
    float hs = (float)p->in_h / (float)p->out_h, ws = (float)p->in_w / (float)p->out_w;
    if (p->align_corners && p->out_h > 1)
        hs = (float)(p->in_h - 1) / (float)(p->out_h - 1);
    if (p->align_corners && p->out_w > 1)
        ws = (float)(p->in_w - 1) / (float)(p->out_w - 1);
    const int32_t C = p->channels;
    const size_t row = (size_t)p->in_w * (size_t)C;
    for (int32_t b = 0; b < p->batches; ++b) {
        const float *img = input + (size_t)b * (size_t)p->in_h * row;
        for (int32_t y = 0; y < p->out_h; ++y) {
            float iy;
            int32_t y0, y1;
            interp_f32(y, hs, p->half_pixel_centers, p->in_h, &iy, &y0, &y1);
            const float fy = iy - (float)y0;
            const float *r0 = img + (size_t)y0 * row, *r1 = img + (size_t)y1 * row;
            for (int32_t x = 0; x < p->out_w; ++x) {
                float ix;
                int32_t x0, x1;
                interp_f32(x, ws, p->half_pixel_centers, p->in_w, &ix, &x0, &x1);
                const float fx = ix - (float)x0;
                const float *a = r0 + (size_t)x0 * C, *bb = r1 + (size_t)x0 * C;
                const float *c1 = r0 + (size_t)x1 * C, *d = r1 + (size_t)x1 * C;
                for (int32_t c = 0; c < C; ++c)
                    *output++ = a[c] * (1.0f - fy) * (1.0f - fx) + bb[c] * fy * (1.0f - fx) +
                                c1[c] * (1.0f - fy) * fx + d[c] * fy * fx + 0.0f;
            }
        }
    }
    return NK_OK;
}

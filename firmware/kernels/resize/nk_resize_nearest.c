/* firmware/kernels/resize/nk_resize_nearest.c — RESIZE_NEAREST_NEIGHBOR, NHWC,
 * any element type.  The source index of each output row/column is TFLite's
 * GetNearestNeighbor, computed in float exactly as there (scale in float,
 * round half away from zero with align_corners, floor otherwise). */
#include <math.h>
#include <string.h>

#include "nk.h"
#include "nk_fixedpoint.h"

static int32_t nearest(int32_t v, int32_t in_size, int32_t out_size, int32_t align_corners,
                       int32_t half_pixel)
{
    const float scale = (align_corners && out_size > 1)
                            ? (float)(in_size - 1) / (float)(out_size - 1)
                            : (float)in_size / (float)out_size;
    const float offset = half_pixel ? 0.5f : 0.0f;
    const float pos = ((float)v + offset) * scale;
    int32_t r = align_corners ? nk_round_f32_to_i32(pos) : (int32_t)floorf(pos);
    if (r > in_size - 1)
        r = in_size - 1;
    if (half_pixel && r < 0)
        r = 0;
    return r;
}

int nk_resize_nearest(const nk_resize_params *p, const void *input, void *output)
{
    if (!p || !input || !output || p->batches < 1 || p->in_h < 1 || p->in_w < 1 ||
        p->channels < 1 || p->out_h < 1 || p->out_w < 1 || p->elem_size < 1)
        return NK_ERR_PARAMS;
    const size_t run = (size_t)p->channels * (size_t)p->elem_size;
    const size_t row = (size_t)p->in_w * run, image = (size_t)p->in_h * row;
    const char *in = (const char *)input;
    char *out = (char *)output;
    for (int32_t b = 0; b < p->batches; ++b, in += image)
        for (int32_t y = 0; y < p->out_h; ++y) {
            const int32_t iy =
                nearest(y, p->in_h, p->out_h, p->align_corners, p->half_pixel_centers);
            for (int32_t x = 0; x < p->out_w; ++x, out += run) {
                const int32_t ix =
                    nearest(x, p->in_w, p->out_w, p->align_corners, p->half_pixel_centers);
                memcpy(out, in + (size_t)iy * row + (size_t)ix * run, run);
            }
        }
    return NK_OK;
}

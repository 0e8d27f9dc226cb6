/* firmware/kernels/nk_conv_walk.h — the output walk of the portable
 * convolution loops (conv/nk_conv2d.c, conv/nk_conv_pack.c): every output
 * pixel of every batch image in raster order, with where its taps start in
 * the input and where its outputs go.  The walk and the pixel function are
 * inlined into the kernel (always_inline, the function a constant), so a
 * kernel compiles as if it had written the three loops itself. */
#ifndef NK_CONV_WALK_H
#define NK_CONV_WALK_H

#include <stddef.h>
#include <stdint.h>

#include "nk.h"

/* One output pixel (b, oy, ox) */
typedef struct nk_conv_px {
    size_t in;      /* the batch image's first input element: b * in_h * in_w * in_c */
    size_t out;     /* the pixel's first output element: ((b * out_h + oy) * out_w + ox) * out_c */
    int32_t y0, x0; /* the input row and column of tap (0, 0) (outside the image in padding) */
} nk_conv_px;

/* what a kernel does at one pixel; ctx: its own arguments */
typedef void (*nk_conv_pixel_fn)(const nk_conv_params *p, const nk_conv_px *px, void *ctx);

static inline __attribute__((always_inline)) void nk_conv_walk(const nk_conv_params *p,
                                                               nk_conv_pixel_fn pixel, void *ctx)
{
    const size_t in_img = (size_t)p->in_h * p->in_w * p->in_c;
    for (int32_t b = 0; b < p->batches; ++b) {
        nk_conv_px px;
        px.in = (size_t)b * in_img;
        for (int32_t oy = 0; oy < p->out_h; ++oy) {
            px.y0 = oy * p->stride_h - p->pad_top;
            for (int32_t ox = 0; ox < p->out_w; ++ox) {
                px.x0 = ox * p->stride_w - p->pad_left;
                px.out = (((size_t)b * p->out_h + oy) * p->out_w + ox) * p->out_c;
                pixel(p, &px, ctx);
            }
        }
    }
}

#endif

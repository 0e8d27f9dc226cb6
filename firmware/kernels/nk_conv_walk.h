/* firmware/kernels/nk_conv_walk.h — the walks of the portable convolution
 * loops (conv/nk_conv2d.c, conv/nk_depthwise_conv2d.c, conv/nk_conv_pack.c;
 * int8, int16x8 and float): every output pixel of every batch image in
 * raster order, with where its taps start in the input and where its
 * outputs go; and the taps of one output inside the image.  The walks and
 * the functions they call are inlined into the kernel (always_inline, the
 * function a constant), so a kernel compiles as if it had written the
 * loops itself. */
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

/* what a kernel does at one tap inside the image: in, the input element
 * of the tap's first channel (from the batch image); f, the tap's index
 * fy * filter_w + fx */
typedef void (*nk_conv_tap_fn)(void *ctx, size_t in, int32_t f);

/* The taps of pixel px inside the image in (fy, fx) order (those in the
 * implicit zero-point padding skipped). */
static inline __attribute__((always_inline)) void nk_conv_taps(const nk_conv_params *p,
                                                               const nk_conv_px *px,
                                                               nk_conv_tap_fn tap, void *ctx)
{
    /* in locals: the tap function's stores may alias *p */
    const int32_t in_h = p->in_h, in_w = p->in_w, in_c = p->in_c;
    const int32_t fh = p->filter_h, fw = p->filter_w, dh = p->dilation_h, dw = p->dilation_w;
    for (int32_t fy = 0; fy < fh; ++fy) {
        const int32_t iy = px->y0 + dh * fy;
        if (iy < 0 || iy >= in_h)
            continue;
        for (int32_t fx = 0; fx < fw; ++fx) {
            const int32_t ix = px->x0 + dw * fx;
            if (ix < 0 || ix >= in_w)
                continue;
            tap(ctx, ((size_t)iy * in_w + ix) * in_c, fy * fw + fx);
        }
    }
}

#endif

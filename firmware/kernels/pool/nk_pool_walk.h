/* firmware/kernels/pool/nk_pool_walk.h — the one output walk of the 2-D
 * pooling kernels (MAX_POOL_2D, AVERAGE_POOL_2D) for every dtype.
 *
 * NK_POOL_WALK(p, T, input, output, body...) runs `body` once per output
 * value, in NHWC order, with in scope:
 *   in_b            the batch's input (const T *)
 *   out             the output pixel's first channel (T *); out[c] is this value
 *   c, c_n          the channel and the channel count
 *   y0, x0          the window's top-left tap in the image (may be < 0)
 *   fy0..fy1, fx0..fx1  the window's taps inside the image, relative to y0, x0
 * and NK_POOL_TAP(p, fy, fx) the tap's input value.  The dtype's own part
 * (what a tap adds, how the value is stored) stays in the kernel; a macro,
 * so that each dtype is compiled to its own loop as before (same code). */
#ifndef NEURIO_NK_POOL_WALK_H
#define NEURIO_NK_POOL_WALK_H

#include <stddef.h>
#include <stdint.h>

#define NK_POOL_TAP(p, fy, fx) \
    in_b[((size_t)(y0 + (fy)) * (p)->in_w + (x0 + (fx))) * c_n + c]

#define NK_POOL_WALK(p, T, input, output, ...)                                              \
    do {                                                                                    \
        const int32_t c_n = (p)->channels;                                                  \
        for (int32_t b = 0; b < (p)->batches; ++b) {                                        \
            const T *in_b = (input) + (size_t)b * (p)->in_h * (p)->in_w * c_n;              \
            for (int32_t oy = 0; oy < (p)->out_h; ++oy) {                                   \
                const int32_t y0 = oy * (p)->stride_h - (p)->pad_top;                       \
                const int32_t fy0 = y0 < 0 ? -y0 : 0;                                       \
                const int32_t fy1 =                                                         \
                    (p)->in_h - y0 < (p)->filter_h ? (p)->in_h - y0 : (p)->filter_h;        \
                for (int32_t ox = 0; ox < (p)->out_w; ++ox) {                               \
                    const int32_t x0 = ox * (p)->stride_w - (p)->pad_left;                  \
                    const int32_t fx0 = x0 < 0 ? -x0 : 0;                                   \
                    const int32_t fx1 =                                                     \
                        (p)->in_w - x0 < (p)->filter_w ? (p)->in_w - x0 : (p)->filter_w;    \
                    T *out = (output) + (((size_t)b * (p)->out_h + oy) * (p)->out_w + ox) * \
                                            c_n;                                            \
                    for (int32_t c = 0; c < c_n; ++c) {                                     \
                        __VA_ARGS__                                                         \
                    }                                                                       \
                }                                                                           \
            }                                                                               \
        }                                                                                   \
    } while (0)

#endif /* NEURIO_NK_POOL_WALK_H */

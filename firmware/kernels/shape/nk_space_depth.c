/* firmware/kernels/shape/nk_space_depth.c — DEPTH_TO_SPACE and
 * SPACE_TO_DEPTH (NHWC, TFLite's reference order: the channel block index
 * is (by * block + bx) * C + c), any element type. */
#include <string.h>

#include "nk.h"

static int check(const nk_space_depth_params *p, const void *in, const void *out)
{
    if (!p || !in || !out || p->batches < 1 || p->in_h < 1 || p->in_w < 1 || p->in_c < 1 ||
        p->block < 1 || p->elem_size < 1)
        return NK_ERR_PARAMS;
    return NK_OK;
}

int nk_depth_to_space(const nk_space_depth_params *p, const void *input, void *output)
{
    if (check(p, input, output) || p->in_c % (p->block * p->block))
        return NK_ERR_PARAMS;
    const int32_t bs = p->block, oc = p->in_c / (bs * bs);
    const int32_t oh = p->in_h * bs, ow = p->in_w * bs;
    const size_t es = (size_t)p->elem_size, run = (size_t)oc * es;
    const char *in = (const char *)input;
    char *out = (char *)output;
    for (int32_t b = 0; b < p->batches; ++b)
        for (int32_t y = 0; y < oh; ++y)
            for (int32_t x = 0; x < ow; ++x) {
                const int32_t iy = y / bs, ix = x / bs;
                const int32_t ic = ((y % bs) * bs + (x % bs)) * oc;
                const size_t src =
                    (((size_t)b * (size_t)p->in_h + (size_t)iy) * (size_t)p->in_w + (size_t)ix) *
                        (size_t)p->in_c + (size_t)ic;
                memcpy(out, in + src * es, run);
                out += run;
            }
    return NK_OK;
}

int nk_space_to_depth(const nk_space_depth_params *p, const void *input, void *output)
{
    if (check(p, input, output) || p->in_h % p->block || p->in_w % p->block)
        return NK_ERR_PARAMS;
    const int32_t bs = p->block, oh = p->in_h / bs, ow = p->in_w / bs;
    const size_t es = (size_t)p->elem_size, run = (size_t)p->in_c * es;
    const char *in = (const char *)input;
    char *out = (char *)output;
    for (int32_t b = 0; b < p->batches; ++b)
        for (int32_t y = 0; y < oh; ++y)
            for (int32_t x = 0; x < ow; ++x)
                for (int32_t by = 0; by < bs; ++by)
                    for (int32_t bx = 0; bx < bs; ++bx) {
                        const size_t src = (((size_t)b * (size_t)p->in_h +
                                             (size_t)(y * bs + by)) * (size_t)p->in_w +
                                            (size_t)(x * bs + bx)) * (size_t)p->in_c;
                        memcpy(out, in + src * es, run);
                        out += run;
                    }
    return NK_OK;
}

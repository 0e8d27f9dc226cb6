/* firmware/kernels/shape/nk_pad.c — PAD with a constant, up to NK_MAX_DIMS
 * dimensions, for int8, int16 and float32.  Writes the output in row-major order:
 * each innermost input row is copied, the rest filled with the pad value. */
#include <string.h>

#include "nk.h"

static int pad_check(const nk_pad_params *p)
{
    if (!p || p->rank < 1 || p->rank > NK_MAX_DIMS)
        return NK_ERR_PARAMS;
    for (int32_t d = 0; d < p->rank; ++d)
        if (p->in_dims[d] < 1 || p->pad_before[d] < 0 || p->pad_after[d] < 0)
            return NK_ERR_PARAMS;
    return NK_OK;
}

/* Generic walker over the output; fill(dst, n) writes n pad values. */
typedef void (*pad_fill_fn)(void *dst, int32_t n, const nk_pad_params *p);

static void pad_walk(const nk_pad_params *p, const char *in, char *out, size_t es,
                     pad_fill_fn fill)
{
    const int32_t rank = p->rank;
    int32_t out_dims[NK_MAX_DIMS];
    for (int32_t d = 0; d < rank; ++d)
        out_dims[d] = p->pad_before[d] + p->in_dims[d] + p->pad_after[d];
    /* iterate over all output rows (all dims but the last) */
    int32_t idx[NK_MAX_DIMS] = {0};
    const int32_t last = rank - 1;
    size_t rows = 1;
    for (int32_t d = 0; d < last; ++d)
        rows *= (size_t)out_dims[d];
    for (size_t r = 0; r < rows; ++r) {
        int inside = 1;
        for (int32_t d = 0; d < last; ++d)
            if (idx[d] < p->pad_before[d] || idx[d] >= p->pad_before[d] + p->in_dims[d])
                inside = 0;
        if (!inside) {
            fill(out, out_dims[last], p);
        } else {
            size_t in_row = 0;
            for (int32_t d = 0; d < last; ++d)
                in_row = in_row * (size_t)p->in_dims[d] + (size_t)(idx[d] - p->pad_before[d]);
            fill(out, p->pad_before[last], p);
            memcpy(out + (size_t)p->pad_before[last] * es,
                   in + in_row * (size_t)p->in_dims[last] * es, (size_t)p->in_dims[last] * es);
            fill(out + (size_t)(p->pad_before[last] + p->in_dims[last]) * es, p->pad_after[last], p);
        }
        out += (size_t)out_dims[last] * es;
        for (int32_t d = last - 1; d >= 0; --d) {
            if (++idx[d] < out_dims[d])
                break;
            idx[d] = 0;
        }
    }
}

static void fill_s8(void *dst, int32_t n, const nk_pad_params *p)
{
    memset(dst, (int)(int8_t)p->pad_value, (size_t)n);
}

static void fill_s16(void *dst, int32_t n, const nk_pad_params *p)
{
    int16_t *v = (int16_t *)dst;
    for (int32_t i = 0; i < n; ++i)
        v[i] = (int16_t)p->pad_value;
}

static void fill_f32(void *dst, int32_t n, const nk_pad_params *p)
{
    float *f = (float *)dst;
    for (int32_t i = 0; i < n; ++i)
        f[i] = p->pad_value_f;
}

int nk_pad_s8(const nk_pad_params *p, const int8_t *input, int8_t *output)
{
    if (pad_check(p) != NK_OK || !input || !output || p->pad_value < -128 || p->pad_value > 127)
        return NK_ERR_PARAMS;
    pad_walk(p, (const char *)input, (char *)output, 1, fill_s8);
    return NK_OK;
}

int nk_pad_s16(const nk_pad_params *p, const int16_t *input, int16_t *output)
{
    if (pad_check(p) != NK_OK || !input || !output || p->pad_value < -32768 ||
        p->pad_value > 32767)
        return NK_ERR_PARAMS;
    pad_walk(p, (const char *)input, (char *)output, sizeof(int16_t), fill_s16);
    return NK_OK;
}

int nk_pad_f32(const nk_pad_params *p, const float *input, float *output)
{
    if (pad_check(p) != NK_OK || !input || !output)
        return NK_ERR_PARAMS;
    pad_walk(p, (const char *)input, (char *)output, sizeof(float), fill_f32);
    return NK_OK;
}

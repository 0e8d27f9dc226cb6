/* firmware/kernels/nk_internal.h — parameter checks and the broadcast
 * walker shared by several kernels (internal; not part of nk.h). */
#ifndef NEURIO_NK_INTERNAL_H
#define NEURIO_NK_INTERNAL_H

#include "nk.h"

/* Shape checks shared by CONV_2D and DEPTHWISE_CONV_2D. */
static inline int nk_conv_check(const nk_conv_params *p, int depthwise)
{
    if (!p)
        return NK_ERR_PARAMS;
    if (p->batches < 1 || p->in_h < 1 || p->in_w < 1 || p->in_c < 1 ||
        p->out_h < 1 || p->out_w < 1 || p->out_c < 1 || p->filter_h < 1 ||
        p->filter_w < 1 || p->stride_h < 1 || p->stride_w < 1 ||
        p->dilation_h < 1 || p->dilation_w < 1 || p->pad_top < 0 || p->pad_left < 0)
        return NK_ERR_PARAMS;
    if (depthwise && (p->depth_multiplier < 1 || p->out_c != p->in_c * p->depth_multiplier))
        return NK_ERR_PARAMS;
    return NK_OK;
}

/* CONV_2D on the 2 x 2 packed layout (nk.h, nk_conv_pack.fl) in
 * portable C; p checked by nk_conv_pack_fl_ok (conv/nk_conv_pack_fl.c). */
int nk_conv2d_s8_packed_fl(const nk_conv_params *p, const int32_t *fl, const int8_t *input,
                           int8_t *output);

/* Shape checks shared by the pooling kernels. */
static inline int nk_pool_check(const nk_pool_params *p)
{
    if (!p || p->batches < 1 || p->in_h < 1 || p->in_w < 1 || p->channels < 1 ||
        p->out_h < 1 || p->out_w < 1 || p->filter_h < 1 || p->filter_w < 1 ||
        p->stride_h < 1 || p->stride_w < 1 || p->pad_top < 0 || p->pad_left < 0)
        return NK_ERR_PARAMS;
    return NK_OK;
}

/* Validates a binary-op parameter block; returns the number of output
 * elements, or -1. */
static inline int32_t nk_binary_count(const nk_binary_params *p)
{
    if (!p)
        return -1;
    if (!p->broadcast)
        return p->flat_size >= 0 ? p->flat_size : -1;
    if (p->rank < 1 || p->rank > NK_MAX_DIMS)
        return -1;
    int64_t n = 1;
    for (int32_t d = 0; d < p->rank; ++d) {
        if (p->out_dims[d] < 1 || p->in1_strides[d] < 0 || p->in2_strides[d] < 0)
            return -1;
        n *= p->out_dims[d];
        if (n > 0x7fffffff)
            return -1;
    }
    return (int32_t)n;
}

/* Broadcast walker: the element offsets of in1/in2 for successive output
 * elements (row-major).  Start with idx[] = 0, *o1 = *o2 = 0. */
static inline void nk_bcast_next(const nk_binary_params *p, int32_t *idx, int32_t *o1,
                                 int32_t *o2)
{
    for (int32_t d = p->rank - 1; d >= 0; --d) {
        idx[d]++;
        *o1 += p->in1_strides[d];
        *o2 += p->in2_strides[d];
        if (idx[d] < p->out_dims[d])
            return;
        *o1 -= p->in1_strides[d] * p->out_dims[d];
        *o2 -= p->in2_strides[d] * p->out_dims[d];
        idx[d] = 0;
    }
}

/* Runs the statement(s) after the first five arguments once per output
 * element i (0..n), with o1/o2 the element offsets of in1/in2 (equal to i
 * without broadcasting).  Used by the element-wise kernels. */
#define NK_BINARY_EACH(p, n, i, o1, o2, ...)                                                  \
    do {                                                                                      \
        int32_t nk_idx_[NK_MAX_DIMS] = {0}, o1 = 0, o2 = 0;                                   \
        for (int32_t i = 0; i < (n); ++i) {                                                   \
            if (!(p)->broadcast)                                                              \
                o1 = o2 = i;                                                                  \
            __VA_ARGS__;                                                                      \
            if ((p)->broadcast)                                                               \
                nk_bcast_next((p), nk_idx_, &o1, &o2);                                        \
        }                                                                                     \
    } while (0)

/* Reduction geometry shared by MEAN and the other reductions (nk_mean_params):
 * output dims, input strides, elements per output, number of outputs. */
typedef struct nk_reduce_geom {
    int32_t out_dims[NK_MAX_DIMS];
    int32_t in_strides[NK_MAX_DIMS];
    int32_t count;      /* elements reduced into one output */
    int32_t n_out;
} nk_reduce_geom;

static inline int nk_reduce_geometry(const nk_mean_params *p, nk_reduce_geom *g)
{
    if (!p || p->rank < 1 || p->rank > NK_MAX_DIMS)
        return NK_ERR_PARAMS;
    int64_t stride = 1, count = 1, n_out = 1;
    for (int32_t d = p->rank - 1; d >= 0; --d) {
        if (p->in_dims[d] < 1)
            return NK_ERR_PARAMS;
        g->in_strides[d] = (int32_t)stride;
        stride *= p->in_dims[d];
        if (stride > 0x7fffffff)
            return NK_ERR_PARAMS;
        if (p->reduce[d]) {
            g->out_dims[d] = 1;
            count *= p->in_dims[d];
        } else {
            g->out_dims[d] = p->in_dims[d];
            n_out *= p->in_dims[d];
        }
    }
    g->count = (int32_t)count;
    g->n_out = (int32_t)n_out;
    return NK_OK;
}

/* Offset of the first input element of output `o` (row-major over out_dims). */
static inline int32_t nk_reduce_base(const nk_mean_params *p, const nk_reduce_geom *g,
                                     int32_t o)
{
    int32_t off = 0;
    for (int32_t d = p->rank - 1; d >= 0; --d) {
        const int32_t i = o % g->out_dims[d];
        o /= g->out_dims[d];
        off += i * g->in_strides[d];
    }
    return off;
}

/* Advances the reduced-axes index; returns the next input offset delta
 * applied to *off, 0 when done. */
static inline int nk_reduce_next(const nk_mean_params *p, const nk_reduce_geom *g,
                                 int32_t *ridx, int32_t *off)
{
    for (int32_t d = p->rank - 1; d >= 0; --d) {
        if (!p->reduce[d])
            continue;
        ridx[d]++;
        *off += g->in_strides[d];
        if (ridx[d] < p->in_dims[d])
            return 1;
        *off -= g->in_strides[d] * p->in_dims[d];
        ridx[d] = 0;
    }
    return 0;
}

#endif /* NEURIO_NK_INTERNAL_H */

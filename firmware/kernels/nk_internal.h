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

#endif /* NEURIO_NK_INTERNAL_H */

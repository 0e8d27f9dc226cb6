/* sdk/src/optimize/optimize_depthwise.c — a DEPTHWISE_CONV_2D whose input has one
 * channel is an ordinary CONV_2D with depth_multiplier output channels:
 * output channel m sums filter[0][ky][kx][m] * x over the taps, exactly
 * what CONV_2D computes with the OHWI filter W'[m][ky][kx][0].  The rewrite
 * moves the filter into OHWI order (per-channel quantization moves from
 * axis 3 to axis 0) so the layer runs on the convolution kernels, which are
 * blocked over output channels (micro_speech's first layer, 1 -> 8
 * channels, 8x10 filter).  Integer results are identical: the same
 * products are summed into the same int32 accumulator and requantized with
 * the same per-channel constants. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "optimize_internal.h"

static int rewrite_at(neurio_model *m, int32_t i, neurio_errbuf *err)
{
    neurio_op *op = &m->ops[i];
    if (op->n_inputs < 2 || op->inputs[0] < 0 || op->inputs[1] < 0)
        return 0;
    const neurio_tensor *x = &m->tensors[op->inputs[0]];
    const neurio_tensor *w = &m->tensors[op->inputs[1]];
    if (x->rank != 4 || x->dims[3] != 1 || w->rank != 4 || w->dims[0] != 1 || !w->data)
        return 0;
    const size_t es = neurio_dtype_size(w->dtype);
    const int32_t kh = w->dims[1], kw = w->dims[2], M = w->dims[3];
    const size_t taps = (size_t)kh * (size_t)kw;
    if (es == 0 || M < 1 || w->data_bytes != taps * (size_t)M * es)
        return 0;
    if (w->quant.count > 1 && (w->quant.axis != 3 || w->quant.count != M))
        return 0;
    uint8_t *nw = malloc(w->data_bytes);
    if (!nw)
        return neurio_fail(err, NEURIO_ERR_NOMEM, "out of memory");
    const uint8_t *ow = w->data;
    for (size_t t = 0; t < taps; t++)
        for (int32_t c = 0; c < M; c++)
            memcpy(nw + ((size_t)c * taps + t) * es, ow + (t * (size_t)M + (size_t)c) * es, es);
    char name[300];
    snprintf(name, sizeof name, "%s_ohwi", w->name);
    const int32_t nd[4] = {M, kh, kw, 1};
    const int32_t nt = neurio_model_add_tensor(m, name, w->dtype, 4, nd);
    /* add_tensor may move m->tensors: re-read w through its index */
    w = &m->tensors[op->inputs[1]];
    int rc = nt < 0 ? NEURIO_ERR_NOMEM : neurio_tensor_set_data(m, nt, nw, w->data_bytes);
    free(nw);
    if (!rc && w->quant.count > 0)
        rc = neurio_tensor_set_quant(m, nt, w->quant.count, 0,
                                     w->quant.scale, w->quant.zero_point);
    if (rc)
        return neurio_fail(err, NEURIO_ERR_NOMEM, "out of memory");
    op->inputs[1] = nt;
    op->kind = NEURIO_OP_CONV_2D;
    op->attr.conv.depth_multiplier = 1;
    return 1;
}

int nopt_depthwise_to_conv(neurio_model *m, neurio_errbuf *err)
{
    int n = 0;
    for (int32_t i = 0; i < m->n_ops; i++) {
        if (m->ops[i].removed || m->ops[i].kind != NEURIO_OP_DEPTHWISE_CONV_2D)
            continue;
        int r = rewrite_at(m, i, err);
        if (r < 0)
            return r;
        n += r;
    }
    return n;
}

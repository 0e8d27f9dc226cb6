/* sdk/src/lower/lower_tconv.c — TRANSPOSE_CONV (int8, int16x8, float32):
 * shapes, TFLite's transpose-conv padding, per-channel requantization and
 * the fused-activation range.  IR operands (model.h): x, weights
 * [out_c][kh][kw][in_c], bias or -1, output_shape or -1 (not read: the
 * output tensor's shape is authoritative, as in TFLite Micro). */
#include "lower_internal.h"

/* TFLite's padding for TRANSPOSE_CONV along one axis: the padding a
 * forward conv of this filter and stride would need over the transpose
 * conv's *output* (ComputePaddingHeightWidth called with the output size
 * as the image size). */
static int32_t lw_tconv_pad(neurio_padding pad, int32_t explicit_before, int32_t out,
                            int32_t filter, int32_t stride)
{
    if (pad == NEURIO_PAD_EXPLICIT)
        return explicit_before;
    int32_t n = pad == NEURIO_PAD_SAME ? (out + stride - 1) / stride
                                       : (out + stride - filter) / stride;
    int32_t total = (n - 1) * stride + filter - out;
    return total > 0 ? total / 2 : 0;
}

int lw_transpose_conv(lw_ctx *c)
{
    int32_t in[2] = {-1, -1}, y;
    neurio_dtype dt;
    int rc = lw_operands(c, 2, in, &y, NULL);
    int32_t x = in[0], w = in[1], b = lw_opt_in(c, 2);
    if (rc || (rc = lw_conv_dtype(c, x, y, &dt)) || (rc = lw_rank4(c, x, "input")) ||
        (rc = lw_rank4(c, y, "output")) || (rc = lw_rank4(c, w, "weights")) ||
        (rc = lw_weights_dtype(c, w, dt)))
        return rc;
    const int32_t *xd = lw_t(c, x)->dims, *wd = lw_t(c, w)->dims, *yd = lw_t(c, y)->dims;
    if (wd[3] != xd[3] || wd[0] != yd[3] || xd[0] != yd[0])
        return lw_fail(c, NEURIO_ERR_INVALID,
                       "weights [%d,%d,%d,%d] do not fit input [%d,%d,%d,%d] and output "
                       "[%d,%d,%d,%d] (expected [out_c, kh, kw, in_c])", wd[0], wd[1], wd[2],
                       wd[3], xd[0], xd[1], xd[2], xd[3], yd[0], yd[1], yd[2], yd[3]);
    if (wd[1] > 64 || wd[2] > 64)
        return lw_fail(c, NEURIO_ERR_UNSUPPORTED,
                       "filter %dx%d is larger than the kernel's 64x64", wd[1], wd[2]);
    const neurio_conv_attr *a = &c->op->attr.conv;
    int32_t sh = a->stride_h > 0 ? a->stride_h : 1, sw = a->stride_w > 0 ? a->stride_w : 1;
    nk_conv_params *p = &c->out->p.conv;
    *p = (nk_conv_params){
        .batches = xd[0], .in_h = xd[1], .in_w = xd[2], .in_c = xd[3],
        .out_h = yd[1], .out_w = yd[2], .out_c = yd[3], .filter_h = wd[1], .filter_w = wd[2],
        .stride_h = sh, .stride_w = sw, .dilation_h = 1, .dilation_w = 1,
        .pad_top = lw_tconv_pad(a->padding, a->pad[0], yd[1], wd[1], sh),
        .pad_left = lw_tconv_pad(a->padding, a->pad[1], yd[2], wd[2], sw),
        .depth_multiplier = 1,
    };
    int b16 = 0; /* TFLite Micro widens an int16 bias of a 16x8 TRANSPOSE_CONV */
    if ((rc = lw_conv_quant(c, dt, x, w, y, yd[3], a->activation, p)) ||
        (rc = lw_bias16(c, b, dt, NEURIO_DT_INT16, &b16)))
        return rc;
    static const lw_kernel ks[3] = {LW_K_TCONV_S8, LW_K_TCONV_S16, LW_K_TCONV_F32};
    return lw_set(c, b16 ? LW_K_TCONV_S16_B16 : ks[lw_dt_index(dt)], 4, (int32_t[]){x, w, b, y});
}

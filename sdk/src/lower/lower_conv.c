/* sdk/src/lower/lower_conv.c — CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED
 * (int8, int16x8, float32) and the 2-D pools: shapes, resolved padding,
 * per-channel requantization and fused-activation ranges. */
#include <stdlib.h>

#include "lower_internal.h"

/* Padding offset of one spatial dimension (TFLite ComputePaddingHeightWidth). */
static int32_t lw_pad_offset(neurio_padding pad, const int32_t *explicit_pad, int first_of_dim,
                             int32_t in, int32_t filter, int32_t stride, int32_t dilation,
                             int32_t out)
{
    if (pad == NEURIO_PAD_EXPLICIT)
        return explicit_pad[first_of_dim];
    if (pad == NEURIO_PAD_VALID)
        return 0;
    int32_t eff = (filter - 1) * dilation + 1;
    int32_t total = (out - 1) * stride + eff - in;
    return total > 0 ? total / 2 : 0;
}

/* Expected output size of one spatial dimension. */
static int32_t lw_out_size(neurio_padding pad, const int32_t *pads, int32_t in, int32_t filter,
                           int32_t stride, int32_t dilation)
{
    int32_t eff = (filter - 1) * dilation + 1;
    if (pad == NEURIO_PAD_SAME)
        return (in + stride - 1) / stride;
    if (pad == NEURIO_PAD_EXPLICIT)
        return (in + pads[0] + pads[1] - eff) / stride + 1;
    return (in - eff + stride) / stride;
}

int lw_channel_mults(lw_ctx *c, float in_s, int32_t w, float out_s, int32_t n_ch,
                     int is_fc, int32_t *per_channel)
{
    const neurio_tensor *wt = lw_t(c, w);
    int32_t cnt = wt->quant.count;
    neurio_errbuf e = {{0}};
    if ((cnt != 1 && cnt != n_ch) || !wt->quant.scale)
        return lw_fail(c, NEURIO_ERR_UNSUPPORTED,
                       "weights tensor %d '%s' has %d scales, expected 1 or %d", w, wt->name,
                       cnt, n_ch);
    int32_t *mult = lw_array_new(c, 0, "m", cnt), *shift = mult ? lw_array_new(c, 1, "s", cnt) : NULL;
    if (!shift)
        return NEURIO_ERR_NOMEM;
    int rc = is_fc ? neurio_fc_multipliers(in_s, wt->quant.scale, cnt, out_s, mult, shift, &e)
                   : neurio_conv_multipliers(in_s, wt->quant.scale, cnt, out_s, mult, shift, &e);
    *per_channel = cnt > 1;
    return lw_rq(c, rc, &e);
}

int lw_bias16(lw_ctx *c, int32_t b, neurio_dtype dt, neurio_dtype alt, int *use_alt)
{
    *use_alt = dt == NEURIO_DT_INT16 && b >= 0 && lw_t(c, b)->dtype == alt;
    if (*use_alt || b < 0 || lw_t(c, b)->dtype == lw_bias_dtype(dt))
        return NEURIO_OK;
    if (dt == NEURIO_DT_INT16)
        return lw_fail(c, NEURIO_ERR_UNSUPPORTED, "bias tensor %d '%s' is %s; int16x8 takes %s "
                       "or int64 (as TFLite Micro)", b, lw_t(c, b)->name,
                       neurio_dtype_name(lw_t(c, b)->dtype), neurio_dtype_name(alt));
    return lw_bias(c, b, lw_bias_dtype(dt));
}

/* A bias-less int16x8 CONV_2D or FULLY_CONNECTED: 1 when it takes the int32
 * accumulator (the *_S16_B32 kernels with no bias), 0 for the int64 one.
 * TFLite Micro has had three rules for it, in kernels/conv.cc and
 * kernels/fully_connected.cc:
 *   - at tensorflow/tflite-micro afbf908ac6e9a47ac4990778bb4b3fd94ffee021
 *     (conv.cc: `bias == nullptr || bias->type == kTfLiteInt32`): always
 *     int32;
 *   - then int32 unless the op's options say quantized_bias_type = INT64
 *     (`bias == nullptr && params.quantized_bias_type != kTfLiteInt64`);
 *   - since tensorflow/tflite-micro PR #3598 (merged 2026-06-15, "Ensure
 *     int64 accumulation for bias-less 16x8 ops"): int64 unless the options
 *     say quantized_bias_type = INT32.
 * The zoo's TFLite Micro (90b983c2b3f1, built with flatbuffers v25.9.23) is
 * later than the first; its source was not at hand to tell the other two
 * apart and the zoo has no bias-less int16 layer that would.  This is the
 * third rule, on which the second agrees whenever the option is present. */
int lw_biasless_acc32(neurio_dtype dt, int32_t b, neurio_dtype quantized_bias_type)
{
    return dt == NEURIO_DT_INT16 && b < 0 && quantized_bias_type == NEURIO_DT_INT32;
}

int lw_bias(lw_ctx *c, int32_t b, neurio_dtype want)
{
    if (b >= 0 && lw_t(c, b)->dtype != want)
        return lw_fail(c, NEURIO_ERR_UNSUPPORTED, "bias tensor %d '%s' is %s, expected %s", b,
                       lw_t(c, b)->name, neurio_dtype_name(lw_t(c, b)->dtype),
                       neurio_dtype_name(want));
    return NEURIO_OK;
}

int lw_weights_dtype(lw_ctx *c, int32_t w, neurio_dtype dt)
{
    if (lw_t(c, w)->dtype != (dt == NEURIO_DT_INT16 ? NEURIO_DT_INT8 : dt))
        return lw_fail(c, NEURIO_ERR_UNSUPPORTED,
                       "weights are %s but activations %s (hybrid layers are not supported; "
                       "quantize the model fully or keep it float)",
                       neurio_dtype_name(lw_t(c, w)->dtype), neurio_dtype_name(dt));
    return NEURIO_OK;
}

/* Channel counts of a conv's weights against its input and output. */
static int lw_conv_channels(lw_ctx *c, int depthwise, const int32_t *xd, const int32_t *wd,
                            const int32_t *yd, int32_t *dm)
{
    *dm = 1;
    if (depthwise) {
        if (xd[3] <= 0 || yd[3] % xd[3] != 0)
            return lw_fail(c, NEURIO_ERR_INVALID,
                           "output channels %d are not a multiple of input channels %d", yd[3],
                           xd[3]);
        *dm = yd[3] / xd[3];
        if (wd[3] != yd[3])
            return lw_fail(c, NEURIO_ERR_INVALID, "weights have %d channels, output %d", wd[3],
                           yd[3]);
    } else if (wd[0] != yd[3] || wd[3] != xd[3]) {
        return lw_fail(c, NEURIO_ERR_INVALID,
                       "weights [%d,%d,%d,%d] do not match input channels %d / output "
                       "channels %d", wd[0], wd[1], wd[2], wd[3], xd[3], yd[3]);
    }
    return NEURIO_OK;
}

int lw_conv_dtype(lw_ctx *c, int32_t x, int32_t y, neurio_dtype *dt)
{
    neurio_dtype din = lw_t(c, x)->dtype, dout = lw_t(c, y)->dtype;
    if (din != dout)
        return lw_fail(c, NEURIO_ERR_UNSUPPORTED, "input is %s but output is %s",
                       neurio_dtype_name(din), neurio_dtype_name(dout));
    if (din != NEURIO_DT_INT8 && din != NEURIO_DT_INT16 && din != NEURIO_DT_FLOAT32)
        return lw_fail(c, NEURIO_ERR_UNSUPPORTED,
                       "dtype %s (kernels exist for int8, int16x8 and float32)",
                       neurio_dtype_name(din));
    *dt = din;
    return NEURIO_OK;
}

int lw_dt_index(neurio_dtype dt)
{
    return dt == NEURIO_DT_INT8 ? 0 : (dt == NEURIO_DT_INT16 ? 1 : 2);
}

neurio_dtype lw_bias_dtype(neurio_dtype dt)
{
    return dt == NEURIO_DT_INT8 ? NEURIO_DT_INT32
                                : (dt == NEURIO_DT_INT16 ? NEURIO_DT_INT64 : NEURIO_DT_FLOAT32);
}

int lw_zp0_s16(lw_ctx *c, neurio_dtype dt, int32_t t, int32_t zp)
{
    if (dt == NEURIO_DT_INT16 && zp != 0)
        return lw_fail(c, NEURIO_ERR_UNSUPPORTED,
                       "int16 tensor %d '%s' has zero point %d; int16x8 kernels need 0 (as "
                       "TFLite's 16x8 quantization)", t, lw_t(c, t)->name, zp);
    return NEURIO_OK;
}

void lw_act_q(lw_ctx *c, neurio_dtype dt, neurio_activation a, float scale, int32_t zp,
              int32_t *lo, int32_t *hi)
{
    (void)c;
    if (dt == NEURIO_DT_INT8) {
        lw_act_s8(a, scale, zp, lo, hi);
    } else if (neurio_act_range_q(a, scale, zp, -32768, 32767, lo, hi, NULL) != NEURIO_OK) {
        *lo = -32768;
        *hi = 32767;
    }
}

int lw_conv_quant(lw_ctx *c, neurio_dtype dt, int32_t x, int32_t w, int32_t y, int32_t n_ch,
                  neurio_activation act, nk_conv_params *p)
{
    if (dt == NEURIO_DT_FLOAT32) {
        neurio_act_range_f32(act, &p->act_min_f, &p->act_max_f);
        return NEURIO_OK;
    }
    float in_s, out_s;
    int rc;
    if ((rc = lw_q1(c, x, &in_s, &p->in_zp)) || (rc = lw_q1(c, y, &out_s, &p->out_zp)) ||
        (rc = lw_zp0_s16(c, dt, x, p->in_zp)) || (rc = lw_zp0_s16(c, dt, y, p->out_zp)) ||
        (rc = lw_channel_mults(c, in_s, w, out_s, n_ch, 0, &p->per_channel)))
        return rc;
    p->out_mult = c->out->arrays[0].v;
    p->out_shift = c->out->arrays[1].v;
    lw_act_q(c, dt, act, out_s, p->out_zp, &p->act_min, &p->act_max);
    return NEURIO_OK;
}

int lw_conv(lw_ctx *c, int depthwise)
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
    const neurio_conv_attr *a = &c->op->attr.conv;
    int32_t fh = wd[1], fw = wd[2], dm;
    if ((rc = lw_conv_channels(c, depthwise, xd, wd, yd, &dm)))
        return rc;
    int32_t sh = a->stride_h > 0 ? a->stride_h : 1, sw = a->stride_w > 0 ? a->stride_w : 1;
    int32_t dh = a->dilation_h > 0 ? a->dilation_h : 1, dw = a->dilation_w > 0 ? a->dilation_w : 1;
    int32_t eh = lw_out_size(a->padding, (int32_t[2]){a->pad[0], a->pad[2]}, xd[1], fh, sh, dh);
    int32_t ew = lw_out_size(a->padding, (int32_t[2]){a->pad[1], a->pad[3]}, xd[2], fw, sw, dw);
    if (eh != yd[1] || ew != yd[2])
        return lw_fail(c, NEURIO_ERR_INVALID,
                       "output is %dx%d but input %dx%d, filter %dx%d, stride %d,%d, "
                       "dilation %d,%d give %dx%d", yd[1], yd[2], xd[1], xd[2], fh, fw, sh, sw,
                       dh, dw, eh, ew);
    nk_conv_params *p = &c->out->p.conv;
    *p = (nk_conv_params){
        .batches = xd[0], .in_h = xd[1], .in_w = xd[2], .in_c = xd[3],
        .out_h = yd[1], .out_w = yd[2], .out_c = yd[3], .filter_h = fh, .filter_w = fw,
        .stride_h = sh, .stride_w = sw, .dilation_h = dh, .dilation_w = dw,
        .pad_top = lw_pad_offset(a->padding, a->pad, 0, xd[1], fh, sh, dh, yd[1]),
        .pad_left = lw_pad_offset(a->padding, a->pad, 1, xd[2], fw, sw, dw, yd[2]),
        .depth_multiplier = dm, .act_min = -128, .act_max = 127,
    };
    int b32 = 0;
    if ((rc = lw_conv_quant(c, dt, x, w, y, yd[3], a->activation, p)) ||
        (rc = lw_bias16(c, b, dt, NEURIO_DT_INT32, &b32)))
        return rc;
    if (!depthwise)
        b32 |= lw_biasless_acc32(dt, b, a->quantized_bias_type);
    static const lw_kernel ks[2][3] = {{LW_K_CONV2D_S8, LW_K_CONV2D_S16, LW_K_CONV2D_F32},
                                       {LW_K_DWCONV2D_S8, LW_K_DWCONV2D_S16, LW_K_DWCONV2D_F32}};
    lw_kernel k = !b32 ? ks[depthwise][lw_dt_index(dt)]
                       : depthwise ? LW_K_DWCONV2D_S16_B32 : LW_K_CONV2D_S16_B32;
    return lw_set(c, k, 4, (int32_t[]){x, w, b, y});
}

int lw_fc(lw_ctx *c)
{
    int32_t in[2] = {-1, -1}, y;
    neurio_dtype dt;
    int rc = lw_operands(c, 2, in, &y, NULL);
    int32_t x = in[0], w = in[1], b = lw_opt_in(c, 2);
    if (rc || (rc = lw_conv_dtype(c, x, y, &dt)) || (rc = lw_weights_dtype(c, w, dt)))
        return rc;
    const neurio_tensor *wt = lw_t(c, w);
    if (wt->rank != 2)
        return lw_fail(c, NEURIO_ERR_UNSUPPORTED, "weights have rank %d, expected 2", wt->rank);
    int32_t out_d = wt->dims[0], in_d = wt->dims[1];
    size_t nx = neurio_tensor_elements(lw_t(c, x)), ny = neurio_tensor_elements(lw_t(c, y));
    if (in_d <= 0 || nx % (size_t)in_d || ny != nx / (size_t)in_d * (size_t)out_d)
        return lw_fail(c, NEURIO_ERR_INVALID,
                       "input of %zu elements, weights [%d, %d] and output of %zu elements "
                       "do not fit", nx, out_d, in_d, ny);
    nk_fc_params *p = &c->out->p.fc;
    *p = (nk_fc_params){.batches = (int32_t)(nx / (size_t)in_d), .in_depth = in_d,
                        .out_depth = out_d, .act_min = -128, .act_max = 127};
    if (dt != NEURIO_DT_FLOAT32) {
        float in_s, out_s;
        if ((rc = lw_q1(c, x, &in_s, &p->in_zp)) || (rc = lw_q1(c, y, &out_s, &p->out_zp)) ||
            (rc = lw_zp0_s16(c, dt, x, p->in_zp)) || (rc = lw_zp0_s16(c, dt, y, p->out_zp)) ||
            (rc = lw_channel_mults(c, in_s, w, out_s, out_d, 1, &p->per_channel)))
            return rc;
        p->out_mult = c->out->arrays[0].v;
        p->out_shift = c->out->arrays[1].v;
        p->filter_zp = wt->quant.zero_point ? wt->quant.zero_point[0] : 0;
        lw_act_q(c, dt, c->op->attr.fc.activation, out_s, p->out_zp, &p->act_min, &p->act_max);
    } else {
        neurio_act_range_f32(c->op->attr.fc.activation, &p->act_min_f, &p->act_max_f);
    }
    int b32 = 0;
    if ((rc = lw_bias16(c, b, dt, NEURIO_DT_INT32, &b32)))
        return rc;
    b32 |= lw_biasless_acc32(dt, b, c->op->attr.fc.quantized_bias_type);
    static const lw_kernel ks[3] = {LW_K_FC_S8, LW_K_FC_S16, LW_K_FC_F32};
    return lw_set(c, b32 ? LW_K_FC_S16_B32 : ks[lw_dt_index(dt)], 4, (int32_t[]){x, w, b, y});
}

int lw_pool(lw_ctx *c, int is_max)
{
    int32_t x, y;
    neurio_dtype dt;
    int rc = lw_operands(c, 1, &x, &y, NULL);
    if (rc || (rc = lw_conv_dtype(c, x, y, &dt)) || (rc = lw_rank4(c, x, "input")) ||
        (rc = lw_rank4(c, y, "output")))
        return rc;
    const int32_t *xd = lw_t(c, x)->dims, *yd = lw_t(c, y)->dims;
    const neurio_pool_attr *a = &c->op->attr.pool;
    int32_t sh = a->stride_h > 0 ? a->stride_h : 1, sw = a->stride_w > 0 ? a->stride_w : 1;
    int32_t eh = lw_out_size(a->padding, (int32_t[2]){a->pad[0], a->pad[2]}, xd[1], a->filter_h, sh, 1);
    int32_t ew = lw_out_size(a->padding, (int32_t[2]){a->pad[1], a->pad[3]}, xd[2], a->filter_w, sw, 1);
    if (eh != yd[1] || ew != yd[2] || xd[3] != yd[3] || xd[0] != yd[0])
        return lw_fail(c, NEURIO_ERR_INVALID,
                       "output [%d,%d,%d,%d] does not follow from input [%d,%d,%d,%d], "
                       "filter %dx%d, stride %d,%d (expected %dx%d)", yd[0], yd[1], yd[2],
                       yd[3], xd[0], xd[1], xd[2], xd[3], a->filter_h, a->filter_w, sh, sw,
                       eh, ew);
    nk_pool_params *p = &c->out->p.pool;
    *p = (nk_pool_params){
        .batches = xd[0], .in_h = xd[1], .in_w = xd[2], .channels = xd[3],
        .out_h = yd[1], .out_w = yd[2], .filter_h = a->filter_h, .filter_w = a->filter_w,
        .stride_h = sh, .stride_w = sw,
        .pad_top = lw_pad_offset(a->padding, a->pad, 0, xd[1], a->filter_h, sh, 1, yd[1]),
        .pad_left = lw_pad_offset(a->padding, a->pad, 1, xd[2], a->filter_w, sw, 1, yd[2]),
    };
    if (dt != NEURIO_DT_FLOAT32) {
        float xs, ys;
        int32_t xz, yz;
        if ((rc = lw_q1(c, x, &xs, &xz)) || (rc = lw_q1(c, y, &ys, &yz)))
            return rc;
        if (xs != ys || xz != yz)
            return lw_fail(c, NEURIO_ERR_UNSUPPORTED,
                           "input and output quantization differ (%g,%d vs %g,%d); TFLite "
                           "requires them equal", (double)xs, xz, (double)ys, yz);
        lw_act_q(c, dt, a->activation, ys, yz, &p->act_min, &p->act_max);
    } else {
        neurio_act_range_f32(a->activation, &p->act_min_f, &p->act_max_f);
    }
    static const lw_kernel ks[2][3] = {
        {LW_K_AVG_POOL_S8, LW_K_AVG_POOL_S16, LW_K_AVG_POOL_F32},
        {LW_K_MAX_POOL_S8, LW_K_MAX_POOL_S16, LW_K_MAX_POOL_F32}};
    return lw_set(c, ks[is_max ? 1 : 0][lw_dt_index(dt)], 2, (int32_t[]){x, y});
}

/* sdk/src/codegen/codegen_ops.c — one op → its kernel parameters (static const
 * structs, every fixed-point constant precomputed with neurio/requant.h)
 * and its call into firmware/kernels/nk.h. */
#include <float.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codegen_internal.h"
#include "kernels/nk.h"
#include "lower/lower_state.h"
#include "neurio/requant.h"

#define CG_PTR 160

/* ------------------------------------------------------------ helpers */

const neurio_tensor *cg_t(cg_ctx *c, int32_t t)
{
    return &c->m->tensors[t];
}

/* Per-tensor scale/zero point of an int8 activation. */
int cg_q1(cg_ctx *c, int32_t oi, int32_t t, float *scale, int32_t *zp)
{
    const neurio_tensor *tt = cg_t(c, t);
    if (tt->quant.count != 1 || !tt->quant.scale || !(tt->quant.scale[0] > 0.0f))
        return cg_fail(c, oi, NEURIO_ERR_UNSUPPORTED,
                       "tensor %d '%s' needs one positive per-tensor scale (has %d)", t,
                       tt->name, tt->quant.count);
    *scale = tt->quant.scale[0];
    *zp = tt->quant.zero_point ? tt->quant.zero_point[0] : 0;
    return NEURIO_OK;
}

/* TFLite CalculateActivationRangeQuantized for int8 (requant.h). */
static void cg_act_s8(neurio_activation a, float scale, int32_t zp, int32_t *lo, int32_t *hi)
{
    if (neurio_act_range_s8(a, scale, zp, lo, hi, NULL) != NEURIO_OK) {
        *lo = -128;
        *hi = 127;
    }
}

static void cg_act_f32(neurio_activation a, float *lo, float *hi)
{
    neurio_act_range_f32(a, lo, hi);
}

/* Wraps a failed requant.h call into an op-level message. */
int cg_rq(cg_ctx *c, int32_t oi, int rc, const neurio_errbuf *e)
{
    return rc ? cg_fail(c, oi, rc, "%s", e->msg) : NEURIO_OK;
}

void cg_f(cg_ctx *c, const char *field, float v)
{
    fprintf(c->decl, "    .%s = ", field);
    cg_float(c->decl, v);
    fputs(",\n", c->decl);
}

void cg_i(cg_ctx *c, const char *field, long v)
{
    fprintf(c->decl, "    .%s = %ld,\n", field, v);
}

void cg_dims(cg_ctx *c, const char *field, const int32_t *v, int32_t n)
{
    fprintf(c->decl, "    .%s = {", field);
    for (int32_t i = 0; i < n; i++)
        fprintf(c->decl, "%s%d", i ? ", " : "", v[i]);
    fputs("},\n", c->decl);
}

/* The call line: checks the kernel's status. */
void cg_call(cg_ctx *c, int32_t oi, const char *fmt, ...)
{
    va_list ap;
    fputs("    if (", c->body);
    va_start(ap, fmt);
    vfprintf(c->body, fmt, ap);
    va_end(ap);
    fprintf(c->body, " != NK_OK) return NEURIO_RUN_ERR_LAYER + %d;\n", oi);
}

/* Input k of op oi must exist; returns its tensor or -1 after failing. */
int32_t cg_in(cg_ctx *c, int32_t oi, int32_t k, int *rc)
{
    const neurio_op *op = &c->m->ops[oi];
    if (k >= op->n_inputs || op->inputs[k] < 0) {
        *rc = cg_fail(c, oi, NEURIO_ERR_INVALID, "input %d is missing", k);
        return -1;
    }
    return op->inputs[k];
}

int cg_all_dtype(cg_ctx *c, int32_t oi, neurio_dtype *dt)
{
    const neurio_op *op = &c->m->ops[oi];
    int32_t x = op->n_inputs > 0 ? op->inputs[0] : -1;
    if (x < 0 || op->n_outputs < 1)
        return cg_fail(c, oi, NEURIO_ERR_INVALID, "op needs an input and an output");
    neurio_dtype din = cg_t(c, x)->dtype, dout = cg_t(c, op->outputs[0])->dtype;
    if (din != dout)
        return cg_fail(c, oi, NEURIO_ERR_UNSUPPORTED, "input is %s but output is %s",
                       neurio_dtype_name(din), neurio_dtype_name(dout));
    if (din != NEURIO_DT_INT8 && din != NEURIO_DT_FLOAT32)
        return cg_fail(c, oi, NEURIO_ERR_UNSUPPORTED,
                       "dtype %s (only int8 and float32 kernels exist)",
                       neurio_dtype_name(din));
    *dt = din;
    return NEURIO_OK;
}

/* Padding offset of one spatial dimension (TFLite ComputePaddingHeightWidth). */
static int32_t cg_pad(neurio_padding pad, const int32_t *explicit_pad, int first_of_dim,
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
static int32_t cg_out_size(neurio_padding pad, const int32_t *pads, int32_t in,
                           int32_t filter, int32_t stride, int32_t dilation)
{
    int32_t eff = (filter - 1) * dilation + 1;
    if (pad == NEURIO_PAD_SAME)
        return (in + stride - 1) / stride;
    if (pad == NEURIO_PAD_EXPLICIT)
        return (in + pads[0] + pads[1] - eff) / stride + 1;
    return (in - eff + stride) / stride;
}

static int cg_rank4(cg_ctx *c, int32_t oi, int32_t t, const char *what)
{
    if (cg_t(c, t)->rank != 4)
        return cg_fail(c, oi, NEURIO_ERR_UNSUPPORTED, "%s tensor %d '%s' has rank %d, expected 4 (NHWC)",
                       what, t, cg_t(c, t)->name, cg_t(c, t)->rank);
    return NEURIO_OK;
}

/* Per-output-channel multipliers for conv/fc (requant.h): emits
 * ng_m<oi>/ng_s<oi>; *per_channel tells whether there is one per channel. */
static int cg_channel_mults(cg_ctx *c, int32_t oi, float in_s, int32_t w, float out_s,
                            int32_t n_ch, int is_fc, int32_t *per_channel)
{
    const neurio_tensor *wt = cg_t(c, w);
    int32_t cnt = wt->quant.count;
    neurio_errbuf e = {{0}};
    if ((cnt != 1 && cnt != n_ch) || !wt->quant.scale)
        return cg_fail(c, oi, NEURIO_ERR_UNSUPPORTED,
                       "weights tensor %d '%s' has %d scales, expected 1 or %d", w,
                       wt->name, cnt, n_ch);
    int32_t *mult = malloc((size_t)cnt * sizeof *mult);
    int32_t *shift = malloc((size_t)cnt * sizeof *shift);
    if (!mult || !shift) {
        free(mult);
        free(shift);
        return neurio_fail(c->err, NEURIO_ERR_NOMEM, "codegen: out of memory");
    }
    int rc = is_fc ? neurio_fc_multipliers(in_s, wt->quant.scale, cnt, out_s, mult, shift, &e)
                   : neurio_conv_multipliers(in_s, wt->quant.scale, cnt, out_s, mult, shift, &e);
    if (!rc) {
        char nm[32];
        snprintf(nm, sizeof nm, "ng_m%d", oi);
        cg_emit_i32_array(c, nm, mult, cnt);
        snprintf(nm, sizeof nm, "ng_s%d", oi);
        cg_emit_i32_array(c, nm, shift, cnt);
    }
    free(mult);
    free(shift);
    *per_channel = cnt > 1;
    return cg_rq(c, oi, rc, &e);
}

/* Checks the bias of an int8 op: int32 (or absent). */
static int cg_bias(cg_ctx *c, int32_t oi, int32_t b, neurio_dtype want, char *buf)
{
    if (b < 0) {
        snprintf(buf, CG_PTR, "NULL");
        return NEURIO_OK;
    }
    if (cg_t(c, b)->dtype != want)
        return cg_fail(c, oi, NEURIO_ERR_UNSUPPORTED, "bias tensor %d '%s' is %s, expected %s",
                       b, cg_t(c, b)->name, neurio_dtype_name(cg_t(c, b)->dtype),
                       neurio_dtype_name(want));
    return cg_ptr(c, b, buf, CG_PTR);
}

/* ------------------------------------------------------- conv / dwconv */

static int cg_conv(cg_ctx *c, int32_t oi, const neurio_op *op, int depthwise)
{
    int rc = NEURIO_OK;
    char px[CG_PTR], pw[CG_PTR], pb[CG_PTR], py[CG_PTR];
    int32_t x = cg_in(c, oi, 0, &rc), w = x >= 0 ? cg_in(c, oi, 1, &rc) : -1;
    if (rc)
        return rc;
    int32_t b = op->n_inputs > 2 ? op->inputs[2] : -1, y = op->outputs[0];
    neurio_dtype dt;
    if ((rc = cg_all_dtype(c, oi, &dt)) || (rc = cg_rank4(c, oi, x, "input")) ||
        (rc = cg_rank4(c, oi, y, "output")) || (rc = cg_rank4(c, oi, w, "weights")))
        return rc;
    if (cg_t(c, w)->dtype != dt)
        return cg_fail(c, oi, NEURIO_ERR_UNSUPPORTED,
                       "weights are %s but activations %s (hybrid layers are not supported; "
                       "quantize the model fully or keep it float)",
                       neurio_dtype_name(cg_t(c, w)->dtype), neurio_dtype_name(dt));
    const int32_t *xd = cg_t(c, x)->dims, *wd = cg_t(c, w)->dims, *yd = cg_t(c, y)->dims;
    const neurio_conv_attr *a = &op->attr.conv;
    int32_t fh = wd[1], fw = wd[2];
    int32_t dm = 1;
    if (depthwise) {
        if (xd[3] <= 0 || yd[3] % xd[3] != 0)
            return cg_fail(c, oi, NEURIO_ERR_INVALID,
                           "output channels %d are not a multiple of input channels %d",
                           yd[3], xd[3]);
        dm = yd[3] / xd[3];
        if (wd[3] != yd[3])
            return cg_fail(c, oi, NEURIO_ERR_INVALID,
                           "weights have %d channels, output %d", wd[3], yd[3]);
    } else if (wd[0] != yd[3] || wd[3] != xd[3]) {
        return cg_fail(c, oi, NEURIO_ERR_INVALID,
                       "weights [%d,%d,%d,%d] do not match input channels %d / output "
                       "channels %d", wd[0], wd[1], wd[2], wd[3], xd[3], yd[3]);
    }
    int32_t sh = a->stride_h > 0 ? a->stride_h : 1, sw = a->stride_w > 0 ? a->stride_w : 1;
    int32_t dh = a->dilation_h > 0 ? a->dilation_h : 1, dw = a->dilation_w > 0 ? a->dilation_w : 1;
    int32_t eh = cg_out_size(a->padding, (int32_t[2]){a->pad[0], a->pad[2]}, xd[1], fh, sh, dh);
    int32_t ew = cg_out_size(a->padding, (int32_t[2]){a->pad[1], a->pad[3]}, xd[2], fw, sw, dw);
    if (eh != yd[1] || ew != yd[2])
        return cg_fail(c, oi, NEURIO_ERR_INVALID,
                       "output is %dx%d but input %dx%d, filter %dx%d, stride %d,%d, "
                       "dilation %d,%d give %dx%d", yd[1], yd[2], xd[1], xd[2], fh, fw, sh,
                       sw, dh, dw, eh, ew);
    int32_t pt = cg_pad(a->padding, a->pad, 0, xd[1], fh, sh, dh, yd[1]);
    int32_t pl = cg_pad(a->padding, a->pad, 1, xd[2], fw, sw, dw, yd[2]);
    int32_t per_channel = 0;
    int32_t in_zp = 0, out_zp = 0, amin = -128, amax = 127;
    float in_s = 0, out_s = 0, fmin = 0, fmax = 0;
    if (dt == NEURIO_DT_INT8) {
        if ((rc = cg_q1(c, oi, x, &in_s, &in_zp)) || (rc = cg_q1(c, oi, y, &out_s, &out_zp)))
            return rc;
        rc = cg_channel_mults(c, oi, in_s, w, out_s, yd[3], 0, &per_channel);
        if (rc)
            return rc;
        cg_act_s8(a->activation, out_s, out_zp, &amin, &amax);
    } else {
        cg_act_f32(a->activation, &fmin, &fmax);
    }
    fprintf(c->decl, "static const nk_conv_params ng_p%d = {\n", oi);
    cg_i(c, "batches", xd[0]);
    cg_i(c, "in_h", xd[1]); cg_i(c, "in_w", xd[2]); cg_i(c, "in_c", xd[3]);
    cg_i(c, "out_h", yd[1]); cg_i(c, "out_w", yd[2]); cg_i(c, "out_c", yd[3]);
    cg_i(c, "filter_h", fh); cg_i(c, "filter_w", fw);
    cg_i(c, "stride_h", sh); cg_i(c, "stride_w", sw);
    cg_i(c, "dilation_h", dh); cg_i(c, "dilation_w", dw);
    cg_i(c, "pad_top", pt); cg_i(c, "pad_left", pl);
    cg_i(c, "depth_multiplier", dm);
    if (dt == NEURIO_DT_INT8) {
        cg_i(c, "in_zp", in_zp); cg_i(c, "out_zp", out_zp);
        cg_i(c, "per_channel", per_channel);
        fprintf(c->decl, "    .out_mult = ng_m%d,\n    .out_shift = ng_s%d,\n", oi, oi);
        cg_i(c, "act_min", amin); cg_i(c, "act_max", amax);
    } else {
        cg_f(c, "act_min_f", fmin); cg_f(c, "act_max_f", fmax);
    }
    fputs("};\n", c->decl);
    if ((rc = cg_ptr(c, x, px, sizeof px)) || (rc = cg_ptr(c, w, pw, sizeof pw)) ||
        (rc = cg_bias(c, oi, b, dt == NEURIO_DT_INT8 ? NEURIO_DT_INT32 : NEURIO_DT_FLOAT32, pb)) ||
        (rc = cg_ptr(c, y, py, sizeof py)))
        return rc;
    cg_call(c, oi, "nk_%s_%s(&ng_p%d, %s, %s, %s, %s)", depthwise ? "depthwise_conv2d" : "conv2d",
            dt == NEURIO_DT_INT8 ? "s8" : "f32", oi, px, pw, pb, py);
    return NEURIO_OK;
}

/* ---------------------------------------------------- fully connected */

static int cg_fc(cg_ctx *c, int32_t oi, const neurio_op *op)
{
    int rc = NEURIO_OK;
    char px[CG_PTR], pw[CG_PTR], pb[CG_PTR], py[CG_PTR];
    int32_t x = cg_in(c, oi, 0, &rc), w = x >= 0 ? cg_in(c, oi, 1, &rc) : -1;
    if (rc)
        return rc;
    int32_t b = op->n_inputs > 2 ? op->inputs[2] : -1, y = op->outputs[0];
    neurio_dtype dt;
    if ((rc = cg_all_dtype(c, oi, &dt)))
        return rc;
    const neurio_tensor *wt = cg_t(c, w);
    if (wt->dtype != dt)
        return cg_fail(c, oi, NEURIO_ERR_UNSUPPORTED,
                       "weights are %s but activations %s (hybrid layers are not supported; "
                       "quantize the model fully or keep it float)",
                       neurio_dtype_name(wt->dtype), neurio_dtype_name(dt));
    if (wt->rank != 2)
        return cg_fail(c, oi, NEURIO_ERR_UNSUPPORTED, "weights have rank %d, expected 2",
                       wt->rank);
    int32_t out_d = wt->dims[0], in_d = wt->dims[1];
    size_t nx = neurio_tensor_elements(cg_t(c, x)), ny = neurio_tensor_elements(cg_t(c, y));
    if (in_d <= 0 || nx % (size_t)in_d || ny != nx / (size_t)in_d * (size_t)out_d)
        return cg_fail(c, oi, NEURIO_ERR_INVALID,
                       "input of %zu elements, weights [%d, %d] and output of %zu elements "
                       "do not fit", nx, out_d, in_d, ny);
    int32_t per_channel = 0, in_zp = 0, w_zp = 0, out_zp = 0, amin = -128, amax = 127;
    float in_s = 0, out_s = 0, fmin = 0, fmax = 0;
    if (dt == NEURIO_DT_INT8) {
        if ((rc = cg_q1(c, oi, x, &in_s, &in_zp)) || (rc = cg_q1(c, oi, y, &out_s, &out_zp)))
            return rc;
        rc = cg_channel_mults(c, oi, in_s, w, out_s, out_d, 1, &per_channel);
        if (rc)
            return rc;
        w_zp = wt->quant.zero_point ? wt->quant.zero_point[0] : 0;
        cg_act_s8(op->attr.fc.activation, out_s, out_zp, &amin, &amax);
    } else {
        cg_act_f32(op->attr.fc.activation, &fmin, &fmax);
    }
    fprintf(c->decl, "static const nk_fc_params ng_p%d = {\n", oi);
    cg_i(c, "batches", (long)(nx / (size_t)in_d));
    cg_i(c, "in_depth", in_d);
    cg_i(c, "out_depth", out_d);
    if (dt == NEURIO_DT_INT8) {
        cg_i(c, "in_zp", in_zp); cg_i(c, "filter_zp", w_zp); cg_i(c, "out_zp", out_zp);
        cg_i(c, "per_channel", per_channel);
        fprintf(c->decl, "    .out_mult = ng_m%d,\n    .out_shift = ng_s%d,\n", oi, oi);
        cg_i(c, "act_min", amin); cg_i(c, "act_max", amax);
    } else {
        cg_f(c, "act_min_f", fmin); cg_f(c, "act_max_f", fmax);
    }
    fputs("};\n", c->decl);
    if ((rc = cg_ptr(c, x, px, sizeof px)) || (rc = cg_ptr(c, w, pw, sizeof pw)) ||
        (rc = cg_bias(c, oi, b, dt == NEURIO_DT_INT8 ? NEURIO_DT_INT32 : NEURIO_DT_FLOAT32, pb)) ||
        (rc = cg_ptr(c, y, py, sizeof py)))
        return rc;
    cg_call(c, oi, "nk_fully_connected_%s(&ng_p%d, %s, %s, %s, %s)",
            dt == NEURIO_DT_INT8 ? "s8" : "f32", oi, px, pw, pb, py);
    return NEURIO_OK;
}

/* --------------------------------------------------------------- pool */

static int cg_pool(cg_ctx *c, int32_t oi, const neurio_op *op, int is_max)
{
    int rc = NEURIO_OK;
    char px[CG_PTR], py[CG_PTR];
    int32_t x = cg_in(c, oi, 0, &rc);
    if (rc)
        return rc;
    int32_t y = op->outputs[0];
    neurio_dtype dt;
    if ((rc = cg_all_dtype(c, oi, &dt)) || (rc = cg_rank4(c, oi, x, "input")) ||
        (rc = cg_rank4(c, oi, y, "output")))
        return rc;
    const int32_t *xd = cg_t(c, x)->dims, *yd = cg_t(c, y)->dims;
    const neurio_pool_attr *a = &op->attr.pool;
    int32_t sh = a->stride_h > 0 ? a->stride_h : 1, sw = a->stride_w > 0 ? a->stride_w : 1;
    int32_t eh = cg_out_size(a->padding, (int32_t[2]){a->pad[0], a->pad[2]}, xd[1], a->filter_h, sh, 1);
    int32_t ew = cg_out_size(a->padding, (int32_t[2]){a->pad[1], a->pad[3]}, xd[2], a->filter_w, sw, 1);
    if (eh != yd[1] || ew != yd[2] || xd[3] != yd[3] || xd[0] != yd[0])
        return cg_fail(c, oi, NEURIO_ERR_INVALID,
                       "output [%d,%d,%d,%d] does not follow from input [%d,%d,%d,%d], "
                       "filter %dx%d, stride %d,%d (expected %dx%d)", yd[0], yd[1], yd[2],
                       yd[3], xd[0], xd[1], xd[2], xd[3], a->filter_h, a->filter_w, sh, sw,
                       eh, ew);
    int32_t pt = cg_pad(a->padding, a->pad, 0, xd[1], a->filter_h, sh, 1, yd[1]);
    int32_t pl = cg_pad(a->padding, a->pad, 1, xd[2], a->filter_w, sw, 1, yd[2]);
    fprintf(c->decl, "static const nk_pool_params ng_p%d = {\n", oi);
    cg_i(c, "batches", xd[0]);
    cg_i(c, "in_h", xd[1]); cg_i(c, "in_w", xd[2]); cg_i(c, "channels", xd[3]);
    cg_i(c, "out_h", yd[1]); cg_i(c, "out_w", yd[2]);
    cg_i(c, "filter_h", a->filter_h); cg_i(c, "filter_w", a->filter_w);
    cg_i(c, "stride_h", sh); cg_i(c, "stride_w", sw);
    cg_i(c, "pad_top", pt); cg_i(c, "pad_left", pl);
    if (dt == NEURIO_DT_INT8) {
        float xs, ys;
        int32_t xz, yz, lo, hi;
        if ((rc = cg_q1(c, oi, x, &xs, &xz)) || (rc = cg_q1(c, oi, y, &ys, &yz)))
            return rc;
        if (xs != ys || xz != yz)
            return cg_fail(c, oi, NEURIO_ERR_UNSUPPORTED,
                           "input and output quantization differ (%g,%d vs %g,%d); TFLite "
                           "requires them equal", (double)xs, xz, (double)ys, yz);
        cg_act_s8(a->activation, ys, yz, &lo, &hi);
        cg_i(c, "act_min", lo); cg_i(c, "act_max", hi);
    } else {
        float lo, hi;
        cg_act_f32(a->activation, &lo, &hi);
        cg_f(c, "act_min_f", lo); cg_f(c, "act_max_f", hi);
    }
    fputs("};\n", c->decl);
    if ((rc = cg_ptr(c, x, px, sizeof px)) || (rc = cg_ptr(c, y, py, sizeof py)))
        return rc;
    cg_call(c, oi, "nk_%s_pool2d_%s(&ng_p%d, %s, %s)", is_max ? "max" : "avg",
            dt == NEURIO_DT_INT8 ? "s8" : "f32", oi, px, py);
    return NEURIO_OK;
}

/* ------------------------------------------------------------- binary */

static int cg_binary(cg_ctx *c, int32_t oi, const neurio_op *op)
{
    int rc = NEURIO_OK;
    char p1[CG_PTR], p2[CG_PTR], py[CG_PTR];
    int32_t a = cg_in(c, oi, 0, &rc), b = a >= 0 ? cg_in(c, oi, 1, &rc) : -1;
    if (rc)
        return rc;
    int32_t y = op->outputs[0];
    neurio_dtype dt;
    if ((rc = cg_all_dtype(c, oi, &dt)))
        return rc;
    if (cg_t(c, b)->dtype != dt)
        return cg_fail(c, oi, NEURIO_ERR_UNSUPPORTED, "inputs are %s and %s",
                       neurio_dtype_name(dt), neurio_dtype_name(cg_t(c, b)->dtype));
    const neurio_tensor *ta = cg_t(c, a), *tb = cg_t(c, b), *ty = cg_t(c, y);
    size_t ny = neurio_tensor_elements(ty);
    int bcast = neurio_tensor_elements(ta) != ny || neurio_tensor_elements(tb) != ny;
    int32_t r = ty->rank, od[NK_MAX_DIMS] = {0}, s1[NK_MAX_DIMS] = {0}, s2[NK_MAX_DIMS] = {0};
    if (bcast) {
        if (r > NK_MAX_DIMS || ta->rank > r || tb->rank > r)
            return cg_fail(c, oi, NEURIO_ERR_UNSUPPORTED, "broadcast of ranks %d, %d to %d",
                           ta->rank, tb->rank, r);
        const neurio_tensor *ins[2] = {ta, tb};
        int32_t *ss[2] = {s1, s2};
        for (int k = 0; k < 2; k++) {
            int32_t stride = 1;
            for (int32_t d = r - 1; d >= 0; d--) {
                int32_t id = d - (r - ins[k]->rank);
                int32_t dim = id >= 0 ? ins[k]->dims[id] : 1;
                od[d] = ty->dims[d];
                if (dim != 1 && dim != od[d])
                    return cg_fail(c, oi, NEURIO_ERR_INVALID,
                                   "input %d dim %d is %d, output's is %d (not broadcastable)",
                                   k, id, dim, od[d]);
                ss[k][d] = dim == 1 ? 0 : stride;
                stride *= dim;
            }
        }
    }
    const char *kind = op->kind == NEURIO_OP_ADD ? "add" : op->kind == NEURIO_OP_SUB ? "sub" : "mul";
    fprintf(c->decl, "static const nk_binary_params ng_p%d = {\n", oi);
    cg_i(c, "broadcast", bcast);
    cg_i(c, "flat_size", (long)ny);
    if (bcast) {
        cg_i(c, "rank", r);
        cg_dims(c, "out_dims", od, r);
        cg_dims(c, "in1_strides", s1, r);
        cg_dims(c, "in2_strides", s2, r);
    }
    neurio_activation act = op->attr.eltwise.activation;
    if (dt == NEURIO_DT_INT8) {
        float sa, sb, sy;
        int32_t za, zb, zy, lo, hi, m1 = 0, sh1 = 0, m2 = 0, sh2 = 0, mo, so;
        if ((rc = cg_q1(c, oi, a, &sa, &za)) || (rc = cg_q1(c, oi, b, &sb, &zb)) ||
            (rc = cg_q1(c, oi, y, &sy, &zy)))
            return rc;
        neurio_errbuf e = {{0}};
        if (op->kind == NEURIO_OP_MUL) {
            if ((rc = cg_rq(c, oi, neurio_mul_params_s8(sa, sb, sy, &mo, &so, &e), &e)))
                return rc;
        } else {
            neurio_add_quant q;
            if ((rc = cg_rq(c, oi, neurio_add_params_s8(sa, sb, sy, &q, &e), &e)))
                return rc;
            m1 = q.in1_mult; sh1 = q.in1_shift; m2 = q.in2_mult; sh2 = q.in2_shift;
            mo = q.out_mult; so = q.out_shift;
            cg_i(c, "left_shift", q.left_shift);
            cg_i(c, "in1_mult", m1); cg_i(c, "in1_shift", sh1);
            cg_i(c, "in2_mult", m2); cg_i(c, "in2_shift", sh2);
        }
        cg_act_s8(act, sy, zy, &lo, &hi);
        cg_i(c, "in1_zp", za); cg_i(c, "in2_zp", zb); cg_i(c, "out_zp", zy);
        cg_i(c, "out_mult", mo); cg_i(c, "out_shift", so);
        cg_i(c, "act_min", lo); cg_i(c, "act_max", hi);
    } else {
        float lo, hi;
        cg_act_f32(act, &lo, &hi);
        cg_f(c, "act_min_f", lo); cg_f(c, "act_max_f", hi);
    }
    fputs("};\n", c->decl);
    if ((rc = cg_ptr(c, a, p1, sizeof p1)) || (rc = cg_ptr(c, b, p2, sizeof p2)) ||
        (rc = cg_ptr(c, y, py, sizeof py)))
        return rc;
    cg_call(c, oi, "nk_%s_%s(&ng_p%d, %s, %s, %s)", kind, dt == NEURIO_DT_INT8 ? "s8" : "f32",
            oi, p1, p2, py);
    return NEURIO_OK;
}

/* ------------------------------------------------------------ softmax */

static int cg_softmax(cg_ctx *c, int32_t oi, const neurio_op *op)
{
    int rc = NEURIO_OK;
    char px[CG_PTR], py[CG_PTR];
    int32_t x = cg_in(c, oi, 0, &rc);
    if (rc)
        return rc;
    int32_t y = op->outputs[0];
    neurio_dtype dt;
    if ((rc = cg_all_dtype(c, oi, &dt)))
        return rc;
    const neurio_tensor *tx = cg_t(c, x);
    int32_t depth = tx->rank > 0 ? tx->dims[tx->rank - 1] : 1;
    size_t n = neurio_tensor_elements(tx);
    if (depth <= 0 || n % (size_t)depth)
        return cg_fail(c, oi, NEURIO_ERR_INVALID, "bad input shape");
    float beta = op->attr.softmax.beta != 0.0f ? op->attr.softmax.beta : 1.0f;
    fprintf(c->decl, "static const nk_softmax_params ng_p%d = {\n", oi);
    cg_i(c, "rows", (long)(n / (size_t)depth));
    cg_i(c, "depth", depth);
    if (dt == NEURIO_DT_INT8) {
        float xs, ys;
        int32_t xz, yz, mult, shift, diff_min;
        if ((rc = cg_q1(c, oi, x, &xs, &xz)) || (rc = cg_q1(c, oi, y, &ys, &yz)))
            return rc;
        if (ys != 1.0f / 256.0f || yz != -128)
            return cg_fail(c, oi, NEURIO_ERR_UNSUPPORTED,
                           "int8 output must have scale 1/256 and zero point -128 (has %g, %d)",
                           (double)ys, yz);
        neurio_errbuf e = {{0}};
        if ((rc = cg_rq(c, oi, neurio_softmax_params_s8(beta, xs, &mult, &shift, &diff_min, &e), &e)))
            return rc;
        cg_i(c, "input_multiplier", mult);
        cg_i(c, "input_left_shift", shift);
        cg_i(c, "diff_min", diff_min);
    }
    cg_f(c, "beta", beta);
    fputs("};\n", c->decl);
    if ((rc = cg_ptr(c, x, px, sizeof px)) || (rc = cg_ptr(c, y, py, sizeof py)))
        return rc;
    cg_call(c, oi, "nk_softmax_%s(&ng_p%d, %s, %s)", dt == NEURIO_DT_INT8 ? "s8" : "f32", oi,
            px, py);
    return NEURIO_OK;
}

/* ------------------------------------------------- logistic and tanh */

static int cg_sigmoid(cg_ctx *c, int32_t oi, const neurio_op *op, int is_tanh)
{
    int rc = NEURIO_OK;
    char px[CG_PTR], py[CG_PTR];
    int32_t x = cg_in(c, oi, 0, &rc);
    if (rc)
        return rc;
    int32_t y = op->outputs[0];
    neurio_dtype dt;
    if ((rc = cg_all_dtype(c, oi, &dt)))
        return rc;
    size_t n = neurio_tensor_elements(cg_t(c, x));
    if ((rc = cg_ptr(c, x, px, sizeof px)) || (rc = cg_ptr(c, y, py, sizeof py)))
        return rc;
    const char *k = is_tanh ? "tanh" : "logistic";
    if (dt == NEURIO_DT_FLOAT32) {
        cg_call(c, oi, "nk_%s_f32(%zu, %s, %s)", k, n, px, py);
        return NEURIO_OK;
    }
    float xs, ys;
    int32_t xz, yz, radius, mult, lshift;
    if ((rc = cg_q1(c, oi, x, &xs, &xz)) || (rc = cg_q1(c, oi, y, &ys, &yz)))
        return rc;
    if (is_tanh ? (ys != 1.0f / 128.0f || yz != 0) : (ys != 1.0f / 256.0f || yz != -128))
        return cg_fail(c, oi, NEURIO_ERR_UNSUPPORTED,
                       "int8 output must have scale 1/%d and zero point %d (has %g, %d)",
                       is_tanh ? 128 : 256, is_tanh ? 0 : -128, (double)ys, yz);
    neurio_errbuf e = {{0}};
    rc = is_tanh ? neurio_tanh_params_s8(xs, &mult, &lshift, &radius, &e)
                 : neurio_logistic_params_s8(xs, &mult, &lshift, &radius, &e);
    if ((rc = cg_rq(c, oi, rc, &e)))
        return rc;
    fprintf(c->decl, "static const nk_sigmoid_params ng_p%d = {\n", oi);
    cg_i(c, "size", (long)n);
    cg_i(c, "in_zp", xz);
    cg_i(c, "in_range_radius", radius);
    cg_i(c, "in_mult", mult);
    cg_i(c, "in_left_shift", lshift);
    fputs("};\n", c->decl);
    cg_call(c, oi, "nk_%s_s8(&ng_p%d, %s, %s)", k, oi, px, py);
    return NEURIO_OK;
}

/* ------------------------------------ quantize / dequantize / relu */

static int cg_quantize(cg_ctx *c, int32_t oi, const neurio_op *op)
{
    int rc = NEURIO_OK;
    char px[CG_PTR], py[CG_PTR];
    int32_t x = cg_in(c, oi, 0, &rc);
    if (rc)
        return rc;
    int32_t y = op->outputs[0];
    neurio_dtype dx = cg_t(c, x)->dtype, dy = cg_t(c, y)->dtype;
    size_t n = neurio_tensor_elements(cg_t(c, x));
    float xs = 0, ys = 0;
    int32_t xz = 0, yz = 0;
    if ((rc = cg_ptr(c, x, px, sizeof px)) || (rc = cg_ptr(c, y, py, sizeof py)))
        return rc;
    if (op->kind == NEURIO_OP_DEQUANTIZE) {
        if (dx != NEURIO_DT_INT8 || dy != NEURIO_DT_FLOAT32)
            return cg_fail(c, oi, NEURIO_ERR_UNSUPPORTED, "%s to %s (only int8 to float32)",
                           neurio_dtype_name(dx), neurio_dtype_name(dy));
        if ((rc = cg_q1(c, oi, x, &xs, &xz)))
            return rc;
        fprintf(c->decl, "static const nk_quantize_params ng_p%d = {\n", oi);
        cg_i(c, "size", (long)n);
        cg_f(c, "scale", xs);
        cg_i(c, "zp", xz);
        fputs("};\n", c->decl);
        cg_call(c, oi, "nk_dequantize_s8_f32(&ng_p%d, %s, %s)", oi, px, py);
        return NEURIO_OK;
    }
    if (dy != NEURIO_DT_INT8 || (dx != NEURIO_DT_INT8 && dx != NEURIO_DT_FLOAT32))
        return cg_fail(c, oi, NEURIO_ERR_UNSUPPORTED,
                       "%s to %s (only float32 or int8 to int8)", neurio_dtype_name(dx),
                       neurio_dtype_name(dy));
    if ((rc = cg_q1(c, oi, y, &ys, &yz)))
        return rc;
    if (dx == NEURIO_DT_FLOAT32) {
        fprintf(c->decl, "static const nk_quantize_params ng_p%d = {\n", oi);
        cg_i(c, "size", (long)n);
        cg_f(c, "scale", ys);
        cg_i(c, "zp", yz);
        fputs("};\n", c->decl);
        cg_call(c, oi, "nk_quantize_f32_s8(&ng_p%d, %s, %s)", oi, px, py);
        return NEURIO_OK;
    }
    if ((rc = cg_q1(c, oi, x, &xs, &xz)))
        return rc;
    int32_t mult, shift;
    neurio_errbuf e = {{0}};
    if ((rc = cg_rq(c, oi, neurio_requant_params_s8(xs, ys, &mult, &shift, &e), &e)))
        return rc;
    fprintf(c->decl, "static const nk_requant_params ng_p%d = {\n", oi);
    cg_i(c, "size", (long)n);
    cg_i(c, "in_zp", xz); cg_i(c, "out_zp", yz);
    cg_i(c, "mult", mult); cg_i(c, "shift", shift);
    cg_i(c, "act_min", -128); cg_i(c, "act_max", 127);
    fputs("};\n", c->decl);
    cg_call(c, oi, "nk_requantize_s8(&ng_p%d, %s, %s)", oi, px, py);
    return NEURIO_OK;
}

static int cg_relu(cg_ctx *c, int32_t oi, const neurio_op *op)
{
    int rc = NEURIO_OK;
    char px[CG_PTR], py[CG_PTR];
    int32_t x = cg_in(c, oi, 0, &rc);
    if (rc)
        return rc;
    int32_t y = op->outputs[0];
    neurio_dtype dt;
    if ((rc = cg_all_dtype(c, oi, &dt)))
        return rc;
    float lo = 0.0f, hi = FLT_MAX;
    if (op->kind == NEURIO_OP_RELU6)
        hi = 6.0f;
    else if (op->kind == NEURIO_OP_CLIP) {
        lo = op->attr.clip.min;
        hi = op->attr.clip.max;
    }
    size_t n = neurio_tensor_elements(cg_t(c, x));
    if ((rc = cg_ptr(c, x, px, sizeof px)) || (rc = cg_ptr(c, y, py, sizeof py)))
        return rc;
    if (dt == NEURIO_DT_FLOAT32) {
        fprintf(c->body, "    if (nk_relu_f32(%zu, ", n);
        cg_float(c->body, lo);
        fputs(", ", c->body);
        cg_float(c->body, hi);
        fprintf(c->body, ", %s, %s) != NK_OK) return NEURIO_RUN_ERR_LAYER + %d;\n", px, py, oi);
        return NEURIO_OK;
    }
    float xs, ys;
    int32_t xz, yz, mult, shift;
    if ((rc = cg_q1(c, oi, x, &xs, &xz)) || (rc = cg_q1(c, oi, y, &ys, &yz)))
        return rc;
    int32_t qlo, qhi;
    neurio_errbuf e = {{0}};
    if (op->kind != NEURIO_OP_CLIP) {
        neurio_activation act = op->kind == NEURIO_OP_RELU6 ? NEURIO_ACT_RELU6 : NEURIO_ACT_RELU;
        rc = neurio_relu_params_s8(act, xs, ys, yz, &mult, &shift, &qlo, &qhi, &e);
        if ((rc = cg_rq(c, oi, rc, &e)))
            return rc;
    } else {
        /* CLIP(min, max): the requantization of RELU, the range of the
         * clip bounds quantized on the output (as RELU's range is). */
        if ((rc = cg_rq(c, oi, neurio_requant_params_s8(xs, ys, &mult, &shift, &e), &e)))
            return rc;
        float qlf = (float)yz + roundf(lo / ys), qhf = (float)yz + roundf(hi / ys);
        qlo = qlf < -128.0f ? -128 : (qlf > 127.0f ? 127 : (int32_t)qlf);
        qhi = qhf > 127.0f ? 127 : (qhf < -128.0f ? -128 : (int32_t)qhf);
    }
    fprintf(c->decl, "static const nk_requant_params ng_p%d = {\n", oi);
    cg_i(c, "size", (long)n);
    cg_i(c, "in_zp", xz); cg_i(c, "out_zp", yz);
    cg_i(c, "mult", mult); cg_i(c, "shift", shift);
    cg_i(c, "act_min", qlo); cg_i(c, "act_max", qhi);
    fputs("};\n", c->decl);
    cg_call(c, oi, "nk_relu_s8(&ng_p%d, %s, %s)", oi, px, py);
    return NEURIO_OK;
}

int cg_emit_op(cg_ctx *c, int32_t oi)
{
    const neurio_op *op = &c->m->ops[oi];
    if (op->n_outputs < 1 || op->outputs[0] < 0)
        return cg_fail(c, oi, NEURIO_ERR_INVALID, "op has no output");
    fprintf(c->decl, "\n/* layer %d: %s '", oi, neurio_op_name(op->kind));
    cg_comment(c->decl, op->name);
    fputs("' */\n", c->decl);
    if (nlw_is_state_op(op->kind))
        return cg_state_op(c, oi, op);
    switch (op->kind) {
    case NEURIO_OP_CONV_2D: return cg_conv(c, oi, op, 0);
    case NEURIO_OP_DEPTHWISE_CONV_2D: return cg_conv(c, oi, op, 1);
    case NEURIO_OP_FULLY_CONNECTED: return cg_fc(c, oi, op);
    case NEURIO_OP_AVERAGE_POOL_2D: return cg_pool(c, oi, op, 0);
    case NEURIO_OP_MAX_POOL_2D: return cg_pool(c, oi, op, 1);
    case NEURIO_OP_ADD: case NEURIO_OP_SUB: case NEURIO_OP_MUL: return cg_binary(c, oi, op);
    case NEURIO_OP_SOFTMAX: return cg_softmax(c, oi, op);
    case NEURIO_OP_RESHAPE: return cg_reshape(c, oi, op);
    case NEURIO_OP_PAD: return cg_pad_op(c, oi, op);
    case NEURIO_OP_CONCATENATION: return cg_concat(c, oi, op);
    case NEURIO_OP_MEAN: return cg_mean(c, oi, op);
    case NEURIO_OP_QUANTIZE: case NEURIO_OP_DEQUANTIZE: return cg_quantize(c, oi, op);
    case NEURIO_OP_LOGISTIC: return cg_sigmoid(c, oi, op, 0);
    case NEURIO_OP_TANH: return cg_sigmoid(c, oi, op, 1);
    case NEURIO_OP_RELU: case NEURIO_OP_RELU6: case NEURIO_OP_CLIP: return cg_relu(c, oi, op);
    default:
        return cg_fail(c, oi, NEURIO_ERR_UNSUPPORTED,
                       "no kernel for this op; run the optimizer first (it folds "
                       "BATCH_NORM, TRANSPOSE and MATMUL where it can)");
    }
}

/* sdk/src/import/onnx/onnx_ops_move.c — ONNX operators that move values
 * onto the extended IR (issue 13): Gather, Split, Slice (any steps),
 * DepthToSpace/SpaceToDepth (NHWC, DCR), Resize (nearest and linear where
 * TFLite's sampling gives ONNX's exact coordinates) and ConvTranspose. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "onnx_internal.h"

int ox_gather(ox_ctx *c, int a)
{
    (void)a;
    const ox_value *x = ox_need(c, 0, "data"), *iv = ox_need(c, 1, "indices");
    if (!x || !iv)
        return NEURIO_ERR_FORMAT;
    int32_t xi = ox_plain(c, x), ii = iv->t;
    if (xi < 0)
        return NEURIO_ERR_UNSUPPORTED;
    const neurio_tensor *tx = &c->m->tensors[xi], *ti = &c->m->tensors[ii];
    int64_t axis = ox_attr_int(c, "axis", 0);
    if (axis < 0)
        axis += tx->rank;
    if (axis < 0 || axis >= tx->rank)
        return ox_fail(c, NEURIO_ERR_INVALID, "axis %lld out of range", (long long)axis);
    if (ti->dtype != NEURIO_DT_INT32 && ti->dtype != NEURIO_DT_INT64)
        return ox_fail(c, NEURIO_ERR_INVALID, "indices are %s", neurio_dtype_name(ti->dtype));
    int32_t orank = tx->rank - 1 + ti->rank, od[NEURIO_MAX_RANK], k = 0;
    if (orank > NEURIO_MAX_RANK || orank < 1)
        return ox_fail(c, NEURIO_ERR_UNSUPPORTED, "result rank %d", (int)orank);
    if (ti->data) { /* negative constant indices count from the end */
        size_t n = neurio_tensor_elements(ti);
        int32_t *v = malloc(n * sizeof *v);
        if (!v)
            return ox_fail(c, NEURIO_ERR_NOMEM, "out of memory");
        for (size_t i = 0; i < n; i++) {
            int64_t q = ti->dtype == NEURIO_DT_INT64 ? ((const int64_t *)ti->data)[i]
                                                     : ((const int32_t *)ti->data)[i];
            if (q < 0)
                q += tx->dims[axis];
            if (q < 0 || q >= tx->dims[axis]) {
                free(v);
                return ox_fail(c, NEURIO_ERR_INVALID, "index %zu out of range", i);
            }
            v[i] = (int32_t)q;
        }
        char nm[600];
        int32_t dd[NEURIO_MAX_RANK];
        memcpy(dd, ti->dims, sizeof dd);
        ox_tmp_name(c, "idx_", nm, sizeof nm);
        ii = ox_new_const(c, nm, NEURIO_DT_INT32, ti->rank, dd, v);
        free(v);
        if (ii < 0)
            return NEURIO_ERR_NOMEM;
        tx = &c->m->tensors[xi];
        ti = &c->m->tensors[ii];
    } else if (ti->rank == 0) {
        return ox_fail(c, NEURIO_ERR_UNSUPPORTED, "scalar run-time index");
    }
    for (int32_t d = 0; d < axis; d++)
        od[k++] = tx->dims[d];
    for (int32_t d = 0; d < ti->rank; d++)
        od[k++] = ti->dims[d];
    for (int32_t d = (int32_t)axis + 1; d < tx->rank; d++)
        od[k++] = tx->dims[d];
    if (orank == 0) {
        od[0] = 1;
        orank = 1;
    }
    int32_t ins[2] = { xi, ii };
    int32_t op = ox_emit(c, NEURIO_OP_GATHER, 2, ins, tx->dtype, orank, od, xi, 0);
    if (op < 0)
        return NEURIO_ERR_NOMEM;
    c->m->ops[op].attr.ext.axis = (int32_t)axis;
    return NEURIO_OK;
}

int ox_split(ox_ctx *c, int a)
{
    (void)a;
    const ox_value *x = ox_need(c, 0, "input");
    if (!x)
        return NEURIO_ERR_FORMAT;
    int32_t xi = ox_plain(c, x);
    if (xi < 0)
        return NEURIO_ERR_UNSUPPORTED;
    const neurio_tensor *tx = &c->m->tensors[xi];
    int64_t axis = ox_attr_int(c, "axis", 0);
    if (axis < 0)
        axis += tx->rank;
    if (axis < 0 || axis >= tx->rank)
        return ox_fail(c, NEURIO_ERR_INVALID, "axis %lld out of range", (long long)axis);
    int32_t n = (int32_t)c->node->n_output;
    int64_t parts[64];
    int32_t np = -1;
    const ox_value *sv = ox_input(c, 1);
    if (n < 1 || n > 64)
        return ox_fail(c, NEURIO_ERR_UNSUPPORTED, "%d outputs (1..64)", (int)n);
    if (sv)
        np = ox_const_ints(c, sv, parts, 64);
    else
        np = ox_attr_ints(c, "split", parts, 64);
    if (sv && np < 0)
        return NEURIO_ERR_UNSUPPORTED;
    int32_t len = tx->dims[axis];
    if (np < 0) {
        if (len % n)
            return ox_fail(c, NEURIO_ERR_INVALID, "%d entries do not split in %d equal parts",
                           (int)len, (int)n);
        np = n;
        for (int32_t i = 0; i < n; i++)
            parts[i] = len / n;
    }
    int64_t sum = 0;
    for (int32_t i = 0; i < np; i++) {
        if (parts[i] == 0)
            return ox_fail(c, NEURIO_ERR_UNSUPPORTED, "empty output %d (zero-size tensors)", (int)i);
        sum += parts[i] > 0 ? parts[i] : -1000000;
    }
    if (np != n || sum != len)
        return ox_fail(c, NEURIO_ERR_INVALID, "split sizes do not cover the %d entries in %d "
                       "positive parts", (int)len, (int)n);
    int32_t outs[64];
    for (int32_t i = 0; i < n; i++) {
        int32_t od[NEURIO_MAX_RANK];
        memcpy(od, c->m->tensors[xi].dims, sizeof od);
        od[axis] = (int32_t)parts[i];
        if ((outs[i] = ox_new_output(c, i, c->m->tensors[xi].dtype, c->m->tensors[xi].rank, od)) < 0)
            return NEURIO_ERR_NOMEM;
        ox_copy_quant(c, outs[i], xi);
    }
    int32_t op = ox_add_op(c, NEURIO_OP_SPLIT_V, 1, &xi, n, outs);
    if (op < 0)
        return NEURIO_ERR_NOMEM;
    c->m->ops[op].attr.ext.axis = (int32_t)axis;
    for (int32_t i = 0; i < n; i++)
        if (c->node->output[i] && *c->node->output[i] && ox_bind(c, c->node->output[i], outs[i], 0))
            return NEURIO_ERR_NOMEM;
    return NEURIO_OK;
}

int ox_slice(ox_ctx *c, int a)
{
    (void)a;
    const ox_value *x = ox_need(c, 0, "data");
    if (!x)
        return NEURIO_ERR_FORMAT;
    int32_t xi = ox_plain(c, x);
    if (xi < 0)
        return NEURIO_ERR_UNSUPPORTED;
    int32_t r = c->m->tensors[xi].rank;
    int64_t st[NEURIO_MAX_RANK], en[NEURIO_MAX_RANK], ax[NEURIO_MAX_RANK], sp[NEURIO_MAX_RANK];
    int32_t ns, ne, na = -1, nsp = -1;
    if (c->opset < 10) {
        ns = ox_attr_ints(c, "starts", st, NEURIO_MAX_RANK);
        ne = ox_attr_ints(c, "ends", en, NEURIO_MAX_RANK);
        na = ox_attr_ints(c, "axes", ax, NEURIO_MAX_RANK);
    } else {
        const ox_value *vs = ox_need(c, 1, "starts"), *ve = ox_need(c, 2, "ends");
        if (!vs || !ve)
            return NEURIO_ERR_FORMAT;
        ns = ox_const_ints(c, vs, st, NEURIO_MAX_RANK);
        ne = ox_const_ints(c, ve, en, NEURIO_MAX_RANK);
        if (ns < 0 || ne < 0)
            return NEURIO_ERR_UNSUPPORTED;
        if (ox_input(c, 3) && (na = ox_const_ints(c, ox_input(c, 3), ax, NEURIO_MAX_RANK)) < 0)
            return NEURIO_ERR_UNSUPPORTED;
        if (ox_input(c, 4) && (nsp = ox_const_ints(c, ox_input(c, 4), sp, NEURIO_MAX_RANK)) < 0)
            return NEURIO_ERR_UNSUPPORTED;
    }
    if (ns < 0 || ns != ne || (na >= 0 && na != ns) || (nsp >= 0 && nsp != ns))
        return ox_fail(c, NEURIO_ERR_INVALID, "starts/ends/axes/steps lengths differ");
    int32_t begin[NEURIO_MAX_RANK], size[NEURIO_MAX_RANK], end[NEURIO_MAX_RANK];
    int32_t stride[NEURIO_MAX_RANK], end_mask = 0, strided = 0;
    const int32_t *dims = c->m->tensors[xi].dims;
    for (int32_t d = 0; d < r; d++) {
        begin[d] = 0;
        size[d] = end[d] = dims[d];
        stride[d] = 1;
    }
    for (int32_t i = 0; i < ns; i++) {
        int64_t d = na >= 0 ? ax[i] : i, step = nsp >= 0 ? sp[i] : 1;
        if (d < 0)
            d += r;
        if (d < 0 || d >= r)
            return ox_fail(c, NEURIO_ERR_INVALID, "axis %lld out of range", (long long)d);
        if (step == 0)
            return ox_fail(c, NEURIO_ERR_INVALID, "step 0 on axis %lld", (long long)d);
        int64_t s = st[i], e = en[i], len = dims[d], n;
        /* A step beyond the extent takes one element either way (and
         * keeps the arithmetic in range). */
        step = step > len ? (len > 0 ? len : 1) : step < -len ? -(len > 0 ? len : 1) : step;
        s = s < 0 ? s + len : s;
        e = e < 0 ? e + len : e;
        if (step > 0) { /* ONNX: start and end clamped to [0, dim] */
            s = s < 0 ? 0 : s > len ? len : s;
            e = e < 0 ? 0 : e > len ? len : e;
            n = e > s ? (e - s + step - 1) / step : 0;
        } else {        /* start clamped to [0, dim - 1], end to [-1, dim - 1] */
            s = s < 0 ? 0 : s > len - 1 ? len - 1 : s;
            e = e < -1 ? -1 : e > len - 1 ? len - 1 : e;
            n = s > e ? (s - e + (-step) - 1) / (-step) : 0;
        }
        if (n <= 0)
            return ox_fail(c, NEURIO_ERR_UNSUPPORTED, "empty slice on axis %lld", (long long)d);
        begin[d] = (int32_t)s;
        end[d] = (int32_t)e;
        size[d] = (int32_t)n;
        stride[d] = (int32_t)step;
        strided |= step != 1;
        if (e < 0) /* -1 past the front: TFLite would read -1 as the last index */
            end_mask |= 1 << d;
    }
    char nb[600], nz[600], nst[600];
    ox_tmp_name(c, "begin_", nb, sizeof nb);
    ox_tmp_name(c, "size_", nz, sizeof nz);
    ox_tmp_name(c, "strides_", nst, sizeof nst);
    int32_t tb = ox_new_const(c, nb, NEURIO_DT_INT32, 1, &r, begin);
    int32_t tz = tb < 0 ? -1 : ox_new_const(c, nz, NEURIO_DT_INT32, 1, &r, strided ? end : size);
    int32_t ts = tz < 0 || !strided ? -1 : ox_new_const(c, nst, NEURIO_DT_INT32, 1, &r, stride);
    if (tz < 0 || (strided && ts < 0))
        return NEURIO_ERR_NOMEM;
    int32_t ins[4] = { xi, tb, tz, ts };
    /* Unit steps: SLICE (begin, size); any other step: STRIDED_SLICE
     * (begin, end, strides) with the window resolved here. */
    int32_t op = ox_emit(c, strided ? NEURIO_OP_STRIDED_SLICE : NEURIO_OP_SLICE, strided ? 4 : 3,
                         ins, c->m->tensors[xi].dtype, r, size, xi, 0);
    if (op < 0)
        return NEURIO_ERR_NOMEM;
    if (strided)
        c->m->ops[op].attr.strided_slice.end_mask = end_mask;
    return NEURIO_OK;
}

/* DepthToSpace (DCR) / SpaceToDepth on the NHWC tensor (TFLite's order). */
int ox_space_depth(ox_ctx *c, int to_space)
{
    const ox_value *x = ox_need(c, 0, "input");
    char mode[16];
    if (!x)
        return NEURIO_ERR_FORMAT;
    ox_attr_str(c, "mode", mode, sizeof mode);
    if (to_space && mode[0] && strcmp(mode, "DCR"))
        return ox_fail(c, NEURIO_ERR_UNSUPPORTED, "mode %s (DCR only: TFLite's channel order)",
                       mode);
    int64_t bs = ox_attr_int(c, "blocksize", 0);
    int32_t xi = ox_nhwc(c, x);
    if (xi < 0)
        return NEURIO_ERR_UNSUPPORTED;
    const neurio_tensor *t = &c->m->tensors[xi];
    if (bs < 1 || bs > 64)
        return ox_fail(c, NEURIO_ERR_INVALID, "blocksize %lld", (long long)bs);
    int32_t b = (int32_t)bs, od[4] = { t->dims[0], 0, 0, 0 };
    if (to_space) {
        if (t->dims[3] % (b * b))
            return ox_fail(c, NEURIO_ERR_INVALID, "channels not a multiple of blocksize^2");
        od[1] = t->dims[1] * b;
        od[2] = t->dims[2] * b;
        od[3] = t->dims[3] / (b * b);
    } else {
        if (t->dims[1] % b || t->dims[2] % b)
            return ox_fail(c, NEURIO_ERR_INVALID, "height/width not multiples of blocksize");
        od[1] = t->dims[1] / b;
        od[2] = t->dims[2] / b;
        od[3] = t->dims[3] * b * b;
    }
    int32_t op = ox_emit(c, to_space ? NEURIO_OP_DEPTH_TO_SPACE : NEURIO_OP_SPACE_TO_DEPTH, 1,
                         &xi, t->dtype, 4, od, xi, 1);
    if (op < 0)
        return NEURIO_ERR_NOMEM;
    c->m->ops[op].attr.ext.block = b;
    return NEURIO_OK;
}

/* ONNX's source coordinate of output index x (resize.py's definitions). */
static double rz_onnx_pos(const char *mode, double x, double scale, int32_t in, double out)
{
    if (!strcmp(mode, "align_corners"))
        return out == 1 ? 0.0 : x * (in - 1) / (out - 1);
    if (!strcmp(mode, "asymmetric"))
        return x / scale;
    if (!strcmp(mode, "pytorch_half_pixel"))
        return out == 1 ? -0.5 : (x + 0.5) / scale - 0.5;
    if (!strcmp(mode, "tf_half_pixel_for_nn"))
        return (x + 0.5) / scale;
    return (x + 0.5) / scale - 0.5; /* half_pixel */
}

static int32_t rz_clamp(int64_t v, int32_t in)
{
    return v < 0 ? 0 : v > in - 1 ? in - 1 : (int32_t)v;
}

/* Does TFLite's sampling (align_corners ac, half_pixel_centers hp) give
 * exactly ONNX's for every output index of one axis? */
static int rz_axis_matches(const char *ctm, const char *nm, int linear, double scale, int32_t in,
                           int32_t out, int ac, int hp)
{
    for (int32_t x = 0; x < out; x++) {
        double p = rz_onnx_pos(ctm, x, scale, in, linear ? scale * in : (double)out);
        /* TFLite Micro's float arithmetic (nk_resize_*) */
        float s = (ac && out > 1) ? (float)(in - 1) / (float)(out - 1) : (float)in / (float)out;
        if (linear) {
            float tp = hp ? ((float)x + 0.5f) * s - 0.5f : (float)x * s;
            double lo = floor(p), tlo = floorf(tp);
            double pc = p < 0 ? 0 : p > in - 1 ? in - 1 : p;
            double tc = tp < 0 ? 0 : tp > in - 1 ? in - 1 : tp;
            if (fabs(pc - tc) > 1e-6 * (fabs(pc) + 1) || (p >= 0 && tp >= 0 && lo != tlo &&
                                                          fabs(pc - tc) > 0))
                return 0;
            continue;
        }
        int64_t k = (int64_t)floor(p), want;
        double r = p - (double)k;
        if (r == 0)
            want = k;
        else if (!strcmp(nm, "floor"))
            want = k;
        else if (!strcmp(nm, "ceil"))
            want = k + 1;
        else if (!strcmp(nm, "round_prefer_ceil"))
            want = r < 0.5 ? k : k + 1;
        else
            want = r <= 0.5 ? k : k + 1;
        float tp = ((float)x + (hp ? 0.5f : 0.0f)) * s;
        int64_t got = ac ? (int64_t)lroundf(tp) : (int64_t)floorf(tp);
        if (rz_clamp(want, in) != rz_clamp(got, in))
            return 0;
    }
    return 1;
}

/* Resize / Upsample (nearest or linear over H and W of an NCHW tensor)
 * onto RESIZE_NEAREST / RESIZE_BILINEAR, when one of TFLite's sampling
 * rules reproduces ONNX's coordinates exactly for these sizes. */
int ox_resize(ox_ctx *c, int upsample)
{
    const ox_value *x = ox_need(c, 0, "X");
    char mode[32], ctm[32], nm[32];
    if (!x)
        return NEURIO_ERR_FORMAT;
    ox_attr_str(c, "mode", mode, sizeof mode);
    ox_attr_str(c, "coordinate_transformation_mode", ctm, sizeof ctm);
    ox_attr_str(c, "nearest_mode", nm, sizeof nm);
    if (!mode[0])
        snprintf(mode, sizeof mode, "nearest");
    if (!ctm[0])
        snprintf(ctm, sizeof ctm, (upsample || c->opset < 11) ? "asymmetric" : "half_pixel");
    if (!nm[0])
        snprintf(nm, sizeof nm, (upsample || c->opset < 11) ? "floor" : "round_prefer_floor");
    int linear = !strcmp(mode, "linear") || !strcmp(mode, "bilinear");
    if ((!linear && strcmp(mode, "nearest")) || !strcmp(ctm, "tf_crop_and_resize") ||
        (linear && !strcmp(ctm, "tf_half_pixel_for_nn")))
        return ox_fail(c, NEURIO_ERR_UNSUPPORTED, "mode '%s' with coordinate_transformation_mode "
                       "'%s' (nearest and linear without crop)", mode, ctm);
    int32_t rank, dims[NEURIO_MAX_RANK];
    ox_onnx_dims(c, x, &rank, dims);
    if (rank != 4)
        return ox_fail(c, NEURIO_ERR_UNSUPPORTED, "rank-%d input (only NCHW images)", (int)rank);
    double sc[4] = { 1, 1, 1, 1 };
    int32_t od[4] = { dims[0], dims[1], dims[2], dims[3] };
    const ox_value *sv = upsample || c->opset < 11 ? ox_input(c, 1) : ox_input(c, 2);
    const ox_value *zv = upsample || c->opset < 11 ? NULL : ox_input(c, 3);
    size_t ns = 0;
    const float *sf = sv ? ox_const_floats(c, sv, &ns) : NULL;
    if (zv) {
        int64_t z[8];
        if (ox_const_ints(c, zv, z, 8) != 4)
            return ox_fail(c, NEURIO_ERR_UNSUPPORTED, "sizes must be a constant of 4 values");
        for (int i = 0; i < 4; i++) {
            if (z[i] < 1 || z[i] > 65536)
                return ox_fail(c, NEURIO_ERR_INVALID, "sizes[%d] = %lld", i, (long long)z[i]);
            od[i] = (int32_t)z[i];
            sc[i] = (double)od[i] / dims[i];
        }
    } else if (sf && ns == 4) {
        for (int i = 0; i < 4; i++) {
            sc[i] = sf[i];
            double o = floor(dims[i] * sc[i]);
            if (!(o >= 1 && o <= 65536))
                return ox_fail(c, NEURIO_ERR_INVALID, "scales[%d] = %g", i, sc[i]);
            od[i] = (int32_t)o;
        }
    } else {
        return ox_fail(c, NEURIO_ERR_UNSUPPORTED, "scales or sizes must be constant (4 values)");
    }
    if (od[0] != dims[0] || od[1] != dims[1])
        return ox_fail(c, NEURIO_ERR_UNSUPPORTED, "resizing the batch or channel axis");
    static const int combos[3][2] = { { 0, 0 }, { 0, 1 }, { 1, 0 } };
    int pick = -1;
    for (int k = 0; k < 3 && pick < 0; k++)
        if (rz_axis_matches(ctm, nm, linear, sc[2], dims[2], od[2], combos[k][0], combos[k][1]) &&
            rz_axis_matches(ctm, nm, linear, sc[3], dims[3], od[3], combos[k][0], combos[k][1]))
            pick = k;
    if (pick < 0)
        return ox_fail(c, NEURIO_ERR_UNSUPPORTED,
                       "%s resize with '%s'/'%s' from %dx%d to %dx%d samples coordinates no "
                       "TFLite resize kernel reproduces", mode, ctm, linear ? "-" : nm,
                       (int)dims[2], (int)dims[3], (int)od[2], (int)od[3]);
    int32_t xi = ox_nhwc(c, x);
    if (xi < 0)
        return NEURIO_ERR_UNSUPPORTED;
    if (ox_check_numeric(c, xi))
        return NEURIO_ERR_UNSUPPORTED;
    int32_t nd[4] = { od[0], od[2], od[3], od[1] };
    int32_t op = ox_emit(c, linear ? NEURIO_OP_RESIZE_BILINEAR : NEURIO_OP_RESIZE_NEAREST, 1, &xi,
                         c->m->tensors[xi].dtype, 4, nd, xi, 1);
    if (op < 0)
        return NEURIO_ERR_NOMEM;
    c->m->ops[op].attr.ext.align_corners = combos[pick][0];
    c->m->ops[op].attr.ext.half_pixel_centers = combos[pick][1];
    return NEURIO_OK;
}

/* ConvTranspose (2-D, group 1, no dilation, float32) onto TRANSPOSE_CONV:
 * weights [C_in, C_out, kh, kw] become [C_out, kh, kw, C_in]; the output
 * size follows ONNX (output_shape, or strides, pads and output_padding)
 * and the leading pads become the kernel's explicit top/left padding. */
int ox_conv_transpose(ox_ctx *c, int a)
{
    (void)a;
    const ox_value *x = ox_need(c, 0, "X"), *w = ox_need(c, 1, "W"), *b = ox_input(c, 2);
    if (!x || !w)
        return NEURIO_ERR_FORMAT;
    const neurio_tensor *wt = &c->m->tensors[w->t];
    if (!wt->data || wt->rank != 4 || wt->dtype != NEURIO_DT_FLOAT32)
        return ox_fail(c, NEURIO_ERR_UNSUPPORTED, "weights must be a constant float32 [C_in, "
                       "C_out, kh, kw] (2-D, float)");
    int64_t v[8];
    if (ox_attr_int(c, "group", 1) != 1)
        return ox_fail(c, NEURIO_ERR_UNSUPPORTED, "group != 1");
    int32_t n = ox_attr_ints(c, "dilations", v, 8);
    for (int32_t i = 0; i < n; i++)
        if (v[i] != 1)
            return ox_fail(c, NEURIO_ERR_UNSUPPORTED, "dilations other than 1");
    int32_t xi = ox_nhwc(c, x);
    if (xi < 0)
        return NEURIO_ERR_UNSUPPORTED;
    if (c->m->tensors[xi].dtype != NEURIO_DT_FLOAT32)
        return ox_fail(c, NEURIO_ERR_UNSUPPORTED, "%s input (float32 only)",
                       neurio_dtype_name(c->m->tensors[xi].dtype));
    wt = &c->m->tensors[w->t];
    int32_t cin = wt->dims[0], cout = wt->dims[1], k[2] = { wt->dims[2], wt->dims[3] };
    const int32_t *xd = c->m->tensors[xi].dims;
    if (xd[3] != cin)
        return ox_fail(c, NEURIO_ERR_INVALID, "input has %d channels, weights %d", (int)xd[3],
                       (int)cin);
    int32_t s[2] = { 1, 1 }, op[2] = { 0, 0 }, pb[2] = { 0, 0 }, pe[2] = { 0, 0 }, out[2];
    int32_t in[2] = { xd[1], xd[2] };
    if (ox_attr_ints(c, "strides", v, 8) == 2)
        for (int i = 0; i < 2; i++)
            s[i] = (int32_t)v[i];
    if (ox_attr_ints(c, "output_padding", v, 8) == 2)
        for (int i = 0; i < 2; i++)
            op[i] = (int32_t)v[i];
    if (ox_attr_ints(c, "pads", v, 8) == 4)
        for (int i = 0; i < 2; i++) {
            pb[i] = (int32_t)v[i];
            pe[i] = (int32_t)v[i + 2];
        }
    for (int i = 0; i < 2; i++)
        if (s[i] < 1 || s[i] > 64 || op[i] < 0 || op[i] >= s[i] || pb[i] < 0 || pe[i] < 0 ||
            pb[i] > 64 || pe[i] > 64)
            return ox_fail(c, NEURIO_ERR_INVALID, "bad strides/pads/output_padding");
    char ap[32];
    ox_attr_str(c, "auto_pad", ap, sizeof ap);
    int32_t no = ox_attr_ints(c, "output_shape", v, 8);
    int same = !strcmp(ap, "SAME_UPPER") || !strcmp(ap, "SAME_LOWER");
    if (ap[0] && strcmp(ap, "NOTSET") && strcmp(ap, "VALID") && !same)
        return ox_fail(c, NEURIO_ERR_UNSUPPORTED, "auto_pad '%s'", ap);
    for (int i = 0; i < 2; i++) {
        int32_t full = s[i] * (in[i] - 1) + op[i] + k[i];
        if (no == 2 || same) {
            out[i] = no == 2 ? (int32_t)v[i] : in[i] * s[i];
            int32_t total = full - out[i];
            if (total < 0) {
                pb[i] = 0; /* output larger than the taps reach: bias only there */
            } else {
                int upper = no != 2 ? !strcmp(ap, "SAME_UPPER") : 0;
                pb[i] = upper ? total / 2 : total - total / 2;
            }
        } else {
            out[i] = full - pb[i] - pe[i];
        }
        if (out[i] < 1 || out[i] > 65536)
            return ox_fail(c, NEURIO_ERR_INVALID, "output size %d", (int)out[i]);
    }
    /* weights to [C_out, kh, kw, C_in] */
    size_t nw = neurio_tensor_elements(wt);
    float *pw = malloc(nw * sizeof *pw);
    if (!pw)
        return ox_fail(c, NEURIO_ERR_NOMEM, "out of memory");
    const float *sw = wt->data;
    for (int32_t o = 0; o < cout; o++)
        for (int32_t y = 0; y < k[0]; y++)
            for (int32_t z = 0; z < k[1]; z++)
                for (int32_t i = 0; i < cin; i++)
                    pw[(((size_t)o * k[0] + y) * k[1] + z) * cin + i] =
                        sw[(((size_t)i * cout + o) * k[0] + y) * k[1] + z];
    char nm[600];
    ox_tmp_name(c, "w_ohwi_", nm, sizeof nm);
    int32_t wd[4] = { cout, k[0], k[1], cin };
    int32_t wi = ox_new_const(c, nm, NEURIO_DT_FLOAT32, 4, wd, pw);
    free(pw);
    if (wi < 0)
        return NEURIO_ERR_NOMEM;
    int32_t bi = -1;
    if (b) {
        size_t nb;
        if (!ox_const_floats(c, b, &nb) || nb != (size_t)cout)
            return ox_fail(c, NEURIO_ERR_UNSUPPORTED, "bias must be a constant float[%d]",
                           (int)cout);
        bi = b->t;
    }
    int32_t od[4] = { c->m->tensors[xi].dims[0], out[0], out[1], cout };
    int32_t y = ox_new_output(c, 0, NEURIO_DT_FLOAT32, 4, od), ins[4] = { xi, wi, bi, -1 };
    if (y < 0)
        return NEURIO_ERR_NOMEM;
    int32_t o = ox_add_op(c, NEURIO_OP_TRANSPOSE_CONV, 4, ins, 1, &y);
    if (o < 0)
        return NEURIO_ERR_NOMEM;
    neurio_conv_attr *ca = &c->m->ops[o].attr.conv;
    ca->stride_h = s[0];
    ca->stride_w = s[1];
    ca->dilation_h = ca->dilation_w = 1;
    ca->padding = NEURIO_PAD_EXPLICIT;
    ca->pad[0] = pb[0];
    ca->pad[1] = pb[1];
    ca->pad[2] = pe[0];
    ca->pad[3] = pe[1];
    ca->activation = NEURIO_ACT_NONE;
    return ox_bind(c, c->node->output[0], y, 1);
}

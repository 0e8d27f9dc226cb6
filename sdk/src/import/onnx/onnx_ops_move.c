/* sdk/src/import/onnx/onnx_ops_move.c — ONNX operators that move values
 * onto the extended IR (issue 13): Gather, Split, Slice (unit steps),
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
    int32_t out = ox_new_output(c, 0, tx->dtype, orank, od), ins[2] = { xi, ii };
    if (out < 0)
        return NEURIO_ERR_NOMEM;
    ox_copy_quant(c, out, xi);
    int32_t op = ox_add_op(c, NEURIO_OP_GATHER, 2, ins, 1, &out);
    if (op < 0)
        return NEURIO_ERR_NOMEM;
    c->m->ops[op].attr.ext.axis = (int32_t)axis;
    return ox_bind(c, c->node->output[0], out, 0);
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
    int32_t begin[NEURIO_MAX_RANK], size[NEURIO_MAX_RANK];
    const int32_t *dims = c->m->tensors[xi].dims;
    for (int32_t d = 0; d < r; d++) {
        begin[d] = 0;
        size[d] = dims[d];
    }
    for (int32_t i = 0; i < ns; i++) {
        int64_t d = na >= 0 ? ax[i] : i, step = nsp >= 0 ? sp[i] : 1;
        if (d < 0)
            d += r;
        if (d < 0 || d >= r)
            return ox_fail(c, NEURIO_ERR_INVALID, "axis %lld out of range", (long long)d);
        if (step != 1)
            return ox_fail(c, NEURIO_ERR_UNSUPPORTED, "step %lld on axis %lld (only 1: a "
                           "strided slice has no ONNX mapping yet)", (long long)step, (long long)d);
        int64_t s = st[i], e = en[i], len = dims[d];
        s = s < 0 ? s + len : s;
        e = e < 0 ? e + len : e;
        s = s < 0 ? 0 : s > len ? len : s;
        e = e < 0 ? 0 : e > len ? len : e;
        if (e <= s)
            return ox_fail(c, NEURIO_ERR_UNSUPPORTED, "empty slice on axis %lld", (long long)d);
        begin[d] = (int32_t)s;
        size[d] = (int32_t)(e - s);
    }
    char nb[600], nz[600];
    ox_tmp_name(c, "begin_", nb, sizeof nb);
    ox_tmp_name(c, "size_", nz, sizeof nz);
    int32_t tb = ox_new_const(c, nb, NEURIO_DT_INT32, 1, &r, begin);
    int32_t tz = tb < 0 ? -1 : ox_new_const(c, nz, NEURIO_DT_INT32, 1, &r, size);
    if (tz < 0)
        return NEURIO_ERR_NOMEM;
    int32_t out = ox_new_output(c, 0, c->m->tensors[xi].dtype, r, size), ins[3] = { xi, tb, tz };
    if (out < 0)
        return NEURIO_ERR_NOMEM;
    ox_copy_quant(c, out, xi);
    if (ox_add_op(c, NEURIO_OP_SLICE, 3, ins, 1, &out) < 0)
        return NEURIO_ERR_NOMEM;
    return ox_bind(c, c->node->output[0], out, 0);
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
    int32_t out = ox_new_output(c, 0, t->dtype, 4, od);
    if (out < 0)
        return NEURIO_ERR_NOMEM;
    ox_copy_quant(c, out, xi);
    int32_t op = ox_add_op(c, to_space ? NEURIO_OP_DEPTH_TO_SPACE : NEURIO_OP_SPACE_TO_DEPTH, 1,
                           &xi, 1, &out);
    if (op < 0)
        return NEURIO_ERR_NOMEM;
    c->m->ops[op].attr.ext.block = b;
    return ox_bind(c, c->node->output[0], out, 1);
}

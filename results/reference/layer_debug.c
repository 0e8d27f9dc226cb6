/* results/reference/layer_debug.c — see layer_debug.h. */
#include "reference/layer_debug.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "neurio/interp.h"

double nr_layer_debug_rel_l2(const nr_layer_debug *l)
{
    return l->ref2 > 0 ? sqrt(l->err2 / l->ref2) : (l->err2 > 0 ? INFINITY : 0.0);
}

double nr_layer_debug_snr_db(const nr_layer_debug *l)
{
    if (l->err2 == 0)
        return INFINITY;
    return l->ref2 > 0 ? 10.0 * log10(l->ref2 / l->err2) : -INFINITY;
}

int nr_layer_debug_differs(const nr_layer_debug *l)
{
    if (!l->compared)
        return 0;
    if (l->dtype && !strcmp(l->dtype, "float32"))
        return nr_layer_debug_rel_l2(l) > 1e-5;
    return l->mismatches > 0;
}

/* Element e of data (tensor x's dtype) as a real value; NAN if unknown. */
static double real_at(const neurio_tensor *x, const void *d, size_t e)
{
    double scale = x->quant.count > 0 ? x->quant.scale[0] : 1.0;
    double zp = x->quant.count > 0 ? x->quant.zero_point[0] : 0.0;
    if (x->quant.count > 1 && x->rank > 0 && x->quant.axis == x->rank - 1) {
        size_t ch = e % (size_t)x->dims[x->rank - 1];
        if ((int32_t)ch < x->quant.count) {
            scale = x->quant.scale[ch];
            zp = x->quant.zero_point[ch];
        }
    }
    switch (x->dtype) {
    case NEURIO_DT_FLOAT32: return ((const float *)d)[e];
    case NEURIO_DT_INT8: return (((const int8_t *)d)[e] - zp) * scale;
    case NEURIO_DT_UINT8: return (((const uint8_t *)d)[e] - zp) * scale;
    case NEURIO_DT_INT16: return (((const int16_t *)d)[e] - zp) * scale;
    case NEURIO_DT_INT32: return (((const int32_t *)d)[e] - zp) * scale;
    case NEURIO_DT_INT64: return (double)(((const int64_t *)d)[e] - (int64_t)zp) * scale;
    default: return NAN;
    }
}

void nr_layer_debug_add(nr_layer_debug *l, const neurio_tensor *rx, const void *ref,
                        const neurio_tensor *gx, const void *got)
{
    size_t ne = neurio_tensor_elements(gx), bytes = neurio_tensor_bytes(gx);
    size_t es = ne ? bytes / ne : 0;
    int same = rx->dtype == gx->dtype && neurio_tensor_bytes(rx) == bytes;
    for (size_t e = 0; e < ne; e++) {
        double r = real_at(rx, ref, e), q = real_at(gx, got, e);
        if (same ? memcmp((const char *)got + e * es, (const char *)ref + e * es, es) != 0
                 : q != r)
            l->mismatches++;
        double d = fabs(q - r);
        if (isnan(d))
            continue;
        l->max_abs = fmax(l->max_abs, d);
        l->err2 += d * d;
        l->ref2 += r * r;
    }
    l->elements += ne;
    l->compared = 1;
}

const char *nr_layer_debug_row_id(const nr_layer_debug *l, char buf[32])
{
    if (l->output)
        snprintf(buf, 32, "%d:%d", (int)l->op, (int)l->output);
    else
        snprintf(buf, 32, "%d", (int)l->op);
    return buf;
}

/* One row per output of every op, in op then output order. */
static nr_layer_debug *device_rows(const neurio_model *m, size_t *n_rows, size_t *max_bytes)
{
    size_t n = 0;
    for (int32_t i = 0; i < m->n_ops; i++)
        n += (size_t)(m->ops[i].n_outputs > 0 ? m->ops[i].n_outputs : 0);
    nr_layer_debug *rows = calloc(n + 1, sizeof *rows);
    if (!rows)
        return NULL;
    size_t r = 0;
    for (int32_t i = 0; i < m->n_ops; i++)
        for (int32_t k = 0; k < m->ops[i].n_outputs; k++, r++) {
            int32_t t = m->ops[i].outputs[k];
            rows[r].op = i;
            rows[r].output = k;
            rows[r].op_name = neurio_op_name(m->ops[i].kind);
            if (t < 0 || t >= m->n_tensors)
                continue; /* an absent optional output */
            const neurio_tensor *x = &m->tensors[t];
            rows[r].tensor = x->name;
            rows[r].dtype = neurio_dtype_name(x->dtype);
            if (neurio_tensor_bytes(x) > *max_bytes)
                *max_bytes = neurio_tensor_bytes(x);
        }
    *n_rows = n;
    return rows;
}

/* Sample s, every row: the device's output against the interpreter's. */
static int device_sample(const neurio_model *m, const neurio_interp *it, size_t s,
                         nr_layer_capture_fn capture, void *user, nr_layer_debug *rows,
                         size_t n_rows, char *skip, void *cap, neurio_errbuf *err)
{
    for (size_t r = 0; r < n_rows; r++) {
        nr_layer_debug *l = &rows[r];
        int32_t t = m->ops[l->op].outputs[l->output];
        if (t < 0 || t >= m->n_tensors)
            continue;
        const neurio_tensor *x = &m->tensors[t];
        uint32_t bytes = (uint32_t)neurio_tensor_bytes(x);
        const void *ref = neurio_interp_tensor(it, t);
        if (!ref || bytes == 0 || skip[r])
            continue;
        neurio_errbuf why = { { 0 } };
        int rc = capture(user, s, l->op, l->output, cap, bytes, &why);
        if (rc == NR_LAYER_NOT_READ) {
            /* this output stays "not read back" (say why once) */
            printf("layer readback: layer %d output %d (%s) not read back: %s\n", (int)l->op,
                   (int)l->output, l->tensor ? l->tensor : "", why.msg);
            skip[r] = 1;
            continue;
        }
        if (rc) {
            neurio_fail(err, rc, "%s", why.msg);
            return rc;
        }
        nr_layer_debug_add(l, x, ref, x, cap);
    }
    return NEURIO_OK;
}

int nr_layer_debug_run(const neurio_model *m, const void *const *inputs, const size_t *in_bytes,
                       size_t n, nr_layer_capture_fn capture, void *user,
                       nr_layer_debug **rows_out, size_t *n_rows, int32_t *first_diff,
                       neurio_errbuf *err)
{
    *rows_out = NULL;
    *n_rows = 0;
    *first_diff = -1;
    neurio_interp *it = NULL;
    size_t max_bytes = 1, nr = 0;
    nr_layer_debug *rows = device_rows(m, &nr, &max_bytes);
    void **ref_outs = calloc((size_t)m->n_outputs + 1, sizeof *ref_outs);
    const void **in_ptr = calloc((size_t)m->n_inputs + 1, sizeof *in_ptr);
    char *skip = calloc(nr + 1, 1);
    void *cap = malloc(max_bytes);
    int rc = rows && ref_outs && in_ptr && skip && cap ? NEURIO_OK : NEURIO_ERR_NOMEM;
    for (int32_t k = 0; !rc && k < m->n_outputs; k++)
        if (!(ref_outs[k] = malloc(neurio_tensor_bytes(&m->tensors[m->outputs[k]]) + 1)))
            rc = NEURIO_ERR_NOMEM;
    if (rc) {
        neurio_fail(err, rc, "out of memory for the layer readback");
        goto out;
    }
    if ((rc = neurio_interp_new(m, &it, err)))
        goto out;
    for (size_t s = 0; s < n; s++) {
        for (int32_t k = 0; k < m->n_inputs; k++)
            in_ptr[k] = (const char *)inputs[k] + s * in_bytes[k];
        if ((rc = neurio_interp_run(it, in_ptr, ref_outs, err)) ||
            (rc = device_sample(m, it, s, capture, user, rows, nr, skip, cap, err)))
            goto out;
    }
    for (size_t r = 0; r < nr && *first_diff < 0; r++)
        if (nr_layer_debug_differs(&rows[r]))
            *first_diff = (int32_t)r;
    *rows_out = rows;
    *n_rows = nr;
    rows = NULL;
out:
    for (int32_t k = 0; ref_outs && k < m->n_outputs; k++)
        free(ref_outs[k]);
    free(ref_outs);
    free(in_ptr);
    free(skip);
    free(cap);
    free(rows);
    neurio_interp_free(it);
    return rc;
}

void nr_layer_debug_print(const nr_layer_debug *rows, uint32_t n, uint32_t samples,
                          int32_t first_diff)
{
    printf("layer readback: device against the host reference (prepared model), %u "
           "sample%s\n", samples, samples == 1 ? "" : "s");
    printf("  %-4s %-18s %-26s %-8s %21s %12s %10s %9s\n", "#", "op", "output tensor", "dtype",
           "mismatches/elements", "max_abs_err", "rel_l2", "snr_db");
    for (uint32_t i = 0; i < n; i++) {
        const nr_layer_debug *l = &rows[i];
        char id[32];
        nr_layer_debug_row_id(l, id);
        if (!l->compared) {
            printf("  %-4s %-18s %-26.26s %-8s %21s\n", id, l->op_name,
                   l->tensor ? l->tensor : "", l->dtype ? l->dtype : "", "(not read back)");
            continue;
        }
        char me[48], snr[24];
        snprintf(me, sizeof me, "%llu/%llu", (unsigned long long)l->mismatches,
                 (unsigned long long)l->elements);
        double v = nr_layer_debug_snr_db(l);
        if (isinf(v) && v > 0)
            snprintf(snr, sizeof snr, "exact");
        else
            snprintf(snr, sizeof snr, "%.2f", v);
        printf("  %-4s %-18s %-26.26s %-8s %21s %12.6g %10.4g %9s%s\n", id, l->op_name,
               l->tensor ? l->tensor : "", l->dtype ? l->dtype : "", me, l->max_abs,
               nr_layer_debug_rel_l2(l), snr, nr_layer_debug_differs(l) ? "  DIFFERS" : "");
    }
    if (first_diff >= 0) {
        const nr_layer_debug *l = &rows[first_diff];
        char id[32];
        printf("first layer that differs from the host reference: #%s %s (%s), %llu of %llu "
               "elements differ, max abs error %.6g\n", nr_layer_debug_row_id(l, id),
               l->op_name, l->tensor ? l->tensor : "", (unsigned long long)l->mismatches,
               (unsigned long long)l->elements, l->max_abs);
    } else
        printf("every layer read back matches the host reference%s\n",
               n ? " (integer layers bit-exact)" : "");
    fflush(stdout);
}

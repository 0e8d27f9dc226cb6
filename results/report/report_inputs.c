/* core/report_inputs.c — labels, references and tensors as KPI inputs. */
#include "report/report_inputs.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

double nr_report_get(const void *data, neurio_dtype dt, size_t i)
{
    switch (dt) {
    case NEURIO_DT_FLOAT32: return ((const float *)data)[i];
    case NEURIO_DT_FLOAT64: return ((const double *)data)[i];
    case NEURIO_DT_INT8: return ((const int8_t *)data)[i];
    case NEURIO_DT_UINT8: return ((const uint8_t *)data)[i];
    case NEURIO_DT_INT16: return ((const int16_t *)data)[i];
    case NEURIO_DT_INT32: return ((const int32_t *)data)[i];
    case NEURIO_DT_INT64: return (double)((const int64_t *)data)[i];
    case NEURIO_DT_BOOL: return ((const uint8_t *)data)[i] ? 1.0 : 0.0;
    default: return 0.0;
    }
}

static int is_int_dtype(neurio_dtype dt)
{
    return dt == NEURIO_DT_INT8 || dt == NEURIO_DT_UINT8 || dt == NEURIO_DT_INT16 ||
           dt == NEURIO_DT_INT32 || dt == NEURIO_DT_INT64;
}

void nr_report_to_float(const void *src, const neurio_tensor *t, size_t n, float *dst)
{
    int q = is_int_dtype(t->dtype) && t->quant.count >= 1;
    double scale = q ? t->quant.scale[0] : 1.0;
    double zp = q ? t->quant.zero_point[0] : 0.0;
    for (size_t i = 0; i < n; i++) {
        double v = nr_report_get(src, t->dtype, i);
        dst[i] = (float)(q ? scale * (v - zp) : v);
    }
}

const char *nr_report_shape_str(const neurio_npy *a, char *buf, size_t cap)
{
    size_t j = 0;
    j += (size_t)snprintf(buf, cap, "[");
    for (int32_t d = 0; d < a->rank && j < cap; d++)
        j += (size_t)snprintf(buf + j, cap - j, "%s%lld", d ? ", " : "", (long long)a->dims[d]);
    if (j < cap)
        snprintf(buf + j, cap - j, "]");
    return buf;
}

static size_t rows_of(const neurio_npy *a)
{
    return a->rank >= 1 ? (size_t)a->dims[0] : 0;
}

int nr_report_labels_classes(const neurio_npy *a, const char *path, size_t n,
                             int32_t n_classes, int64_t *out, neurio_errbuf *err)
{
    return nr_report_labels_classes_rows(a, a->data, path, n, 0, n, n_classes, out, err);
}

int nr_report_labels_classes_rows(const neurio_npy *a, const void *rows, const char *path,
                                  size_t n, size_t first, size_t count, int32_t n_classes,
                                  int64_t *out, neurio_errbuf *err)
{
    char shape[128];
    nr_report_shape_str(a, shape, sizeof shape);
    if (a->rank < 1 || rows_of(a) < n)
        return neurio_fail(err, NEURIO_ERR_CONFIG,
                           "data.labels (%s) has shape %s but %zu samples are run; give one "
                           "label per input row", path, shape, n);
    size_t per = rows_of(a) ? neurio_npy_elements(a) / rows_of(a) : 0;
    if (a->rank == 1 || per == 1) {
        for (size_t i = 0; i < count; i++) {
            double v = nr_report_get(rows, a->dtype, i * per);
            if (v != floor(v) || v < 0 || v >= n_classes)
                return neurio_fail(err, NEURIO_ERR_CONFIG,
                                   "data.labels (%s): label %g of sample %zu is not a class of "
                                   "the model's %d outputs (0..%d)", path, v, first + i,
                                   (int)n_classes, (int)n_classes - 1);
            out[i] = (int64_t)v;
        }
        return 0;
    }
    if (per == (size_t)n_classes) { /* [N, C] or [N, 1, C]: one-hot or scores */
        for (size_t i = 0; i < count; i++) {
            size_t best = 0;
            for (size_t k = 1; k < per; k++)
                if (nr_report_get(rows, a->dtype, i * per + k) >
                    nr_report_get(rows, a->dtype, i * per + best))
                    best = k;
            out[i] = (int64_t)best;
        }
        return 0;
    }
    return neurio_fail(err, NEURIO_ERR_CONFIG,
                       "data.labels (%s) has shape %s; expected [N] class indices or [N, %d] "
                       "one-hot rows for a model with %d outputs", path, shape, (int)n_classes,
                       (int)n_classes);
}

int nr_report_rows_float(const neurio_npy *a, const char *key, const char *path,
                         size_t n, const neurio_tensor *out_t, size_t per_sample,
                         float *dst, neurio_errbuf *err)
{
    return nr_report_rows_float_at(a, a->data, key, path, n, 0, n, out_t, per_sample, dst, err);
}

int nr_report_rows_float_at(const neurio_npy *a, const void *rows, const char *key,
                            const char *path, size_t n, size_t first, size_t count,
                            const neurio_tensor *out_t, size_t per_sample, float *dst,
                            neurio_errbuf *err)
{
    char shape[128];
    nr_report_shape_str(a, shape, sizeof shape);
    size_t nrows = rows_of(a);
    size_t per = nrows ? neurio_npy_elements(a) / nrows : 0;
    if (a->rank < 1 || nrows < n || per != per_sample)
        return neurio_fail(err, NEURIO_ERR_CONFIG,
                           "%s (%s) has shape %s but the run needs %zu rows of %zu values (one "
                           "per model output element)", key, path, shape, n, per_sample);
    int dequant = a->dtype == out_t->dtype && is_int_dtype(a->dtype) && out_t->quant.count >= 1;
    double scale = dequant ? out_t->quant.scale[0] : 1.0;
    double zp = dequant ? out_t->quant.zero_point[0] : 0.0;
    for (size_t i = 0; i < count * per_sample; i++) {
        double v = nr_report_get(rows, a->dtype, i);
        dst[i] = (float)(dequant ? scale * (v - zp) : v);
        if (!isfinite(dst[i]))
            return neurio_fail(err, NEURIO_ERR_CONFIG, "%s (%s): value %zu is not finite", key,
                               path, first * per_sample + i);
    }
    return 0;
}

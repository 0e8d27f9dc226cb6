/* sdk/src/data/dataprep.c — user arrays → model input dtype, outputs → real
 * values.  See neurio/dataprep.h. */
#include "neurio/dataprep.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void neurio_shape_str(char *buf, size_t size, int32_t rank, const int64_t *dims)
{
    size_t n = 0;
    if (!size)
        return;
    buf[0] = '\0';
    n += (size_t)snprintf(buf + n, n < size ? size - n : 0, "[");
    for (int32_t i = 0; i < rank; i++)
        n += (size_t)snprintf(buf + n, n < size ? size - n : 0, "%s%lld",
                              i ? ", " : "", (long long)dims[i]);
    if (n < size)
        snprintf(buf + n, size - n, "]");
}

int32_t neurio_quantize_value(float x, float scale, int32_t zero_point,
                              int32_t qmin, int32_t qmax)
{
    float v = x / scale;
    if (v != v) /* NaN: TFLite's static_cast is undefined; pick zero point */
        return zero_point < qmin ? qmin : (zero_point > qmax ? qmax : zero_point);
    float r = roundf(v); /* half away from zero, like TfLiteRound */
    int64_t q;
    if (r > 2147483647.0f)
        q = INT64_C(2147483647);
    else if (r < -2147483648.0f)
        q = -INT64_C(2147483648);
    else
        q = (int64_t)r;
    q += zero_point;
    if (q < qmin)
        q = qmin;
    if (q > qmax)
        q = qmax;
    return (int32_t)q;
}

static int dp_is_int(neurio_dtype dt)
{
    return dt == NEURIO_DT_INT8 || dt == NEURIO_DT_UINT8 || dt == NEURIO_DT_INT16 ||
           dt == NEURIO_DT_INT32 || dt == NEURIO_DT_INT64 || dt == NEURIO_DT_BOOL;
}

static int dp_range(neurio_dtype dt, int64_t *lo, int64_t *hi)
{
    switch (dt) {
    case NEURIO_DT_INT8: *lo = -128; *hi = 127; return 1;
    case NEURIO_DT_UINT8: *lo = 0; *hi = 255; return 1;
    case NEURIO_DT_INT16: *lo = -32768; *hi = 32767; return 1;
    case NEURIO_DT_INT32: *lo = INT32_MIN; *hi = INT32_MAX; return 1;
    case NEURIO_DT_INT64: *lo = INT64_MIN; *hi = INT64_MAX; return 1;
    case NEURIO_DT_BOOL: *lo = 0; *hi = 1; return 1;
    default: return 0;
    }
}

static int64_t dp_get_int(const void *p, neurio_dtype dt, size_t i)
{
    switch (dt) {
    case NEURIO_DT_INT8: return ((const int8_t *)p)[i];
    case NEURIO_DT_UINT8: return ((const uint8_t *)p)[i];
    case NEURIO_DT_BOOL: return ((const uint8_t *)p)[i] != 0;
    case NEURIO_DT_INT16: return ((const int16_t *)p)[i];
    case NEURIO_DT_INT32: return ((const int32_t *)p)[i];
    case NEURIO_DT_INT64: return ((const int64_t *)p)[i];
    default: return 0;
    }
}

static double dp_get_real(const void *p, neurio_dtype dt, size_t i)
{
    if (dt == NEURIO_DT_FLOAT32)
        return ((const float *)p)[i];
    if (dt == NEURIO_DT_FLOAT64)
        return ((const double *)p)[i];
    return (double)dp_get_int(p, dt, i);
}

static void dp_put_int(void *p, neurio_dtype dt, size_t i, int64_t v)
{
    switch (dt) {
    case NEURIO_DT_INT8: ((int8_t *)p)[i] = (int8_t)v; break;
    case NEURIO_DT_UINT8: case NEURIO_DT_BOOL: ((uint8_t *)p)[i] = (uint8_t)v; break;
    case NEURIO_DT_INT16: ((int16_t *)p)[i] = (int16_t)v; break;
    case NEURIO_DT_INT32: ((int32_t *)p)[i] = (int32_t)v; break;
    case NEURIO_DT_INT64: ((int64_t *)p)[i] = v; break;
    default: break;
    }
}

/* Check n elements of data (dtype dt); sample numbers in messages start
 * at `base` (the first row of a batch read from a larger file). */
static int dp_check_real(const void *data, neurio_dtype dt, size_t n, const neurio_tensor *t,
                         size_t per, size_t base, neurio_errbuf *err)
{
    if (dt != NEURIO_DT_FLOAT32 && dt != NEURIO_DT_FLOAT64)
        return NEURIO_OK;
    if (!per)
        per = 1;
    /* The real range a quantized input can represent, and a margin as wide
     * as the range itself: values beyond it saturate to the same code no
     * matter what they were, so they are data in the wrong unit or scale. */
    int quantized = t && t->dtype != NEURIO_DT_FLOAT32 && t->quant.count == 1 &&
                    t->quant.scale && t->quant.scale[0] > 0.0f;
    double lo = 0, hi = 0, rlo = 0, rhi = 0;
    if (quantized) {
        int64_t qlo, qhi;
        double sc = t->quant.scale[0];
        int32_t zp = t->quant.zero_point ? t->quant.zero_point[0] : 0;
        if (dp_range(t->dtype, &qlo, &qhi) && qhi - qlo < ((int64_t)1 << 32)) {
            rlo = ((double)qlo - zp) * sc;
            rhi = ((double)qhi - zp) * sc;
            lo = rlo - (rhi - rlo);
            hi = rhi + (rhi - rlo);
        } else {
            quantized = 0;
        }
    }
    for (size_t i = 0; i < n; i++) {
        double v = dp_get_real(data, dt, i);
        if (!isfinite(v))
            return neurio_fail(err, NEURIO_ERR_INVALID,
                               "sample %zu element %zu (flat index %zu) is %g: every value "
                               "must be finite; clean the data (NaN/Inf are never valid input)",
                               base + i / per, i % per, base * per + i, v);
        if (quantized && (v < lo || v > hi))
            return neurio_fail(err, NEURIO_ERR_INVALID,
                               "sample %zu element %zu (flat index %zu) is %g, far outside "
                               "the range [%g, %g] that input '%s' can represent (scale %g, "
                               "zero point %d): it would saturate; check the data's unit and "
                               "scaling (e.g. pixels 0..255 against a model trained on 0..1)",
                               base + i / per, i % per, base * per + i, v, rlo, rhi, t->name,
                               (double)t->quant.scale[0],
                               t->quant.zero_point ? t->quant.zero_point[0] : 0);
    }
    return NEURIO_OK;
}

int neurio_dataprep_check_real(const neurio_npy *arr, const neurio_tensor *t, size_t per,
                               neurio_errbuf *err)
{
    return dp_check_real(arr->data, arr->dtype, neurio_npy_elements(arr), t, per, 0, err);
}

/* Does arr's shape fit tensor t?  Sets *n on success. */
static int dp_fit_shape(const neurio_tensor *t, const neurio_npy *arr, size_t *n)
{
    if (arr->rank == t->rank + 1) {
        int ok = 1;
        for (int32_t i = 0; i < t->rank; i++)
            ok &= arr->dims[i + 1] == t->dims[i];
        if (ok) {
            *n = (size_t)arr->dims[0];
            return 1;
        }
    }
    if (t->rank >= 1 && t->dims[0] == 1 && arr->rank == t->rank) {
        int ok = 1;
        for (int32_t i = 1; i < t->rank; i++)
            ok &= arr->dims[i] == t->dims[i];
        if (ok) {
            *n = (size_t)arr->dims[0];
            return 1;
        }
    }
    return 0;
}

/* Shape check of arr (the whole array's header) against input
 * input_index: the input tensor in *t, the number of samples in *n. */
static int dp_input_shape(const neurio_model *m, int32_t input_index, const neurio_npy *arr,
                          const neurio_tensor **tp, size_t *n_samples, neurio_errbuf *err)
{
    char ashape[160], tshape[160], tail[160];
    int64_t td[NEURIO_MAX_RANK + 1];
    if (input_index < 0 || input_index >= m->n_inputs)
        return neurio_fail(err, NEURIO_ERR_INVALID,
                           "dataprep: model '%s' has %d input(s), no input %d", m->name,
                           m->n_inputs, input_index);
    const neurio_tensor *t = &m->tensors[m->inputs[input_index]];
    for (int32_t i = 0; i < t->rank; i++)
        td[i] = t->dims[i];
    neurio_shape_str(ashape, sizeof ashape, arr->rank, arr->dims);
    neurio_shape_str(tshape, sizeof tshape, t->rank, td);
    neurio_shape_str(tail, sizeof tail, t->rank > 0 && t->dims[0] == 1 ? t->rank - 1 : 0,
                     td + 1);
    size_t n = 0;
    if (!dp_fit_shape(t, arr, &n)) {
        if (t->rank > 0 && t->dims[0] == 1)
            return neurio_fail(err, NEURIO_ERR_INVALID,
                               "input data shape %s does not fit model input %d '%s' shape %s: "
                               "expected [N, %s or [N%s%s (N samples)",
                               ashape, input_index, t->name, tshape, tshape + 1,
                               t->rank > 1 ? ", " : "", t->rank > 1 ? tail + 1 : "]");
        return neurio_fail(err, NEURIO_ERR_INVALID,
                           "input data shape %s does not fit model input %d '%s' shape %s: "
                           "expected [N, %s (N samples)",
                           ashape, input_index, t->name, tshape, tshape + 1);
    }
    if (n == 0)
        return neurio_fail(err, NEURIO_ERR_INVALID,
                           "input data shape %s holds no samples (N = 0)", ashape);
    if (neurio_dtype_size(t->dtype) == 0)
        return neurio_fail(err, NEURIO_ERR_UNSUPPORTED,
                           "model input %d '%s' has dtype %s, which data preparation cannot "
                           "fill", input_index, t->name, neurio_dtype_name(t->dtype));
    *tp = t;
    *n_samples = n;
    return NEURIO_OK;
}

/* Convert `count` samples of data (dtype adt), sample numbers from `base`
 * in messages, into buf (input t's dtype). */
static int dp_convert(const neurio_tensor *t, int32_t input_index, const neurio_npy *arr,
                      const void *data, size_t base, size_t count, void *buf,
                      neurio_errbuf *err)
{
    char ashape[160], tshape[160];
    int64_t td[NEURIO_MAX_RANK + 1];
    size_t per = neurio_tensor_elements(t), esz = neurio_dtype_size(t->dtype);
    size_t total = count * per;
    neurio_dtype adt = arr->dtype, tdt = t->dtype;
    int areal = adt == NEURIO_DT_FLOAT32 || adt == NEURIO_DT_FLOAT64;
    int rc = areal ? dp_check_real(data, adt, total, t, per, base, err) : NEURIO_OK;
    if (rc)
        return rc;
    if (adt == tdt) {
        memcpy(buf, data, total * esz);
    } else if (tdt == NEURIO_DT_FLOAT32 && (areal || dp_is_int(adt))) {
        for (size_t i = 0; i < total; i++)
            ((float *)buf)[i] = (float)dp_get_real(data, adt, i);
    } else if (areal && dp_is_int(tdt) && tdt != NEURIO_DT_BOOL) {
        int64_t lo, hi;
        dp_range(tdt, &lo, &hi);
        if (t->quant.count < 1 || !t->quant.scale || t->quant.scale[0] <= 0.0f)
            return neurio_fail(err, NEURIO_ERR_INVALID,
                               "input data is %s but model input %d '%s' is %s without "
                               "quantization parameters: give %s data",
                               neurio_dtype_name(adt), input_index, t->name,
                               neurio_dtype_name(tdt), neurio_dtype_name(tdt));
        if (t->quant.count > 1)
            return neurio_fail(err, NEURIO_ERR_UNSUPPORTED,
                               "model input %d '%s' is quantized per channel; give %s data",
                               input_index, t->name, neurio_dtype_name(tdt));
        float sc = t->quant.scale[0];
        int32_t zp = t->quant.zero_point ? t->quant.zero_point[0] : 0;
        if (lo < INT32_MIN) lo = INT32_MIN;
        if (hi > INT32_MAX) hi = INT32_MAX;
        for (size_t i = 0; i < total; i++) {
            float x = (float)dp_get_real(data, adt, i);
            dp_put_int(buf, tdt, i, neurio_quantize_value(x, sc, zp, (int32_t)lo, (int32_t)hi));
        }
    } else if (dp_is_int(adt) && dp_is_int(tdt)) {
        int64_t lo, hi;
        dp_range(tdt, &lo, &hi);
        for (size_t i = 0; i < total; i++) {
            int64_t v = dp_get_int(data, adt, i);
            if (v < lo || v > hi)
                return neurio_fail(err, NEURIO_ERR_INVALID,
                                   "input data (%s) sample %zu element %zu is %lld, outside "
                                   "model input %d '%s' dtype %s range [%lld, %lld]",
                                   neurio_dtype_name(adt), base + i / per, i % per,
                                   (long long)v, input_index, t->name, neurio_dtype_name(tdt),
                                   (long long)lo, (long long)hi);
            dp_put_int(buf, tdt, i, v);
        }
    } else {
        for (int32_t i = 0; i < t->rank; i++)
            td[i] = t->dims[i];
        neurio_shape_str(ashape, sizeof ashape, arr->rank, arr->dims);
        neurio_shape_str(tshape, sizeof tshape, t->rank, td);
        return neurio_fail(err, NEURIO_ERR_INVALID,
                           "input data dtype %s %s cannot feed model input %d '%s' dtype %s "
                           "%s: convert the data to %s",
                           neurio_dtype_name(adt), ashape, input_index, t->name,
                           neurio_dtype_name(tdt), tshape, neurio_dtype_name(tdt));
    }
    return NEURIO_OK;
}

int neurio_dataprep_input(const neurio_model *m, int32_t input_index,
                          const neurio_npy *arr, void **out, size_t *n_samples,
                          neurio_errbuf *err)
{
    if (!m || !arr || !out || !n_samples)
        return neurio_fail(err, NEURIO_ERR_INVALID, "dataprep: NULL argument");
    *out = NULL;
    *n_samples = 0;
    const neurio_tensor *t = NULL;
    size_t n = 0;
    int rc = dp_input_shape(m, input_index, arr, &t, &n, err);
    if (rc)
        return rc;
    size_t bytes = n * neurio_tensor_bytes(t);
    void *buf = malloc(bytes > 0 ? bytes : 1);
    if (!buf)
        return neurio_fail(err, NEURIO_ERR_NOMEM, "dataprep: out of memory (%zu bytes)", bytes);
    if ((rc = dp_convert(t, input_index, arr, arr->data, 0, n, buf, err)) != 0) {
        free(buf);
        return rc;
    }
    *out = buf;
    *n_samples = n;
    return NEURIO_OK;
}

int neurio_dataprep_input_shape(const neurio_model *m, int32_t input_index,
                                const neurio_npy *arr, size_t *n_samples, neurio_errbuf *err)
{
    const neurio_tensor *t = NULL;
    if (!m || !arr || !n_samples)
        return neurio_fail(err, NEURIO_ERR_INVALID, "dataprep: NULL argument");
    return dp_input_shape(m, input_index, arr, &t, n_samples, err);
}

int neurio_dataprep_input_rows(const neurio_model *m, int32_t input_index,
                               const neurio_npy *arr, const void *rows, size_t first,
                               size_t count, void *out, neurio_errbuf *err)
{
    const neurio_tensor *t = NULL;
    size_t n = 0;
    if (!m || !arr || !out || (count && !rows))
        return neurio_fail(err, NEURIO_ERR_INVALID, "dataprep: NULL argument");
    int rc = dp_input_shape(m, input_index, arr, &t, &n, err);
    if (rc)
        return rc;
    if (first > n || count > n - first)
        return neurio_fail(err, NEURIO_ERR_INVALID,
                           "dataprep: samples %zu..%zu asked of an array of %zu", first,
                           first + count, n);
    return dp_convert(t, input_index, arr, rows, first, count, out, err);
}

int neurio_dataprep_dequantize(const neurio_model *m, int32_t output_index,
                               const void *data, size_t n_samples, float *out)
{
    if (!m || !data || !out || output_index < 0 || output_index >= m->n_outputs)
        return NEURIO_ERR_INVALID;
    const neurio_tensor *t = &m->tensors[m->outputs[output_index]];
    size_t total = n_samples * neurio_tensor_elements(t);
    if (t->dtype == NEURIO_DT_FLOAT32) {
        memcpy(out, data, total * sizeof(float));
        return NEURIO_OK;
    }
    if (!dp_is_int(t->dtype))
        return NEURIO_ERR_INVALID;
    float sc = 1.0f;
    int32_t zp = 0;
    if (t->quant.count == 1 && t->quant.scale) {
        sc = t->quant.scale[0];
        zp = t->quant.zero_point ? t->quant.zero_point[0] : 0;
    } else if (t->quant.count > 1) {
        return NEURIO_ERR_UNSUPPORTED;
    }
    for (size_t i = 0; i < total; i++)
        out[i] = (float)(dp_get_int(data, t->dtype, i) - zp) * sc;
    return NEURIO_OK;
}

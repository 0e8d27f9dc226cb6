/* sdk/src/quantize/quantize_calib.c — activation ranges for post-training
 * quantization: the float model runs on the calibration samples in the
 * reference interpreter and every activation tensor's values are observed.
 *   minmax:     the observed [min, max];
 *   percentile: the 0.01st and 99.99th percentiles (from a 2048-bin
 *               histogram over [min, max]), ignoring rare outliers;
 *   mse:        the shrunken range [f*min, f*max], f in 1.0 .. 0.30, that
 *               minimizes the int8 quantization error over the histogram. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "neurio/dataprep.h"
#include "neurio/interp.h"
#include "neurio/npy.h"
#include "quantize_internal.h"

#define NQ_BINS 2048

static const double nq_percentile_tail = 1e-4;

int nq_parse_method(const char *s, nq_method *out, neurio_errbuf *err)
{
    if (!s || !*s || !strcmp(s, "minmax"))
        *out = NQ_MINMAX;
    else if (!strcmp(s, "percentile"))
        *out = NQ_PERCENTILE;
    else if (!strcmp(s, "mse"))
        *out = NQ_MSE;
    else
        return neurio_fail(err, NEURIO_ERR_CONFIG,
                           "model.calibration_method = \"%s\": expected \"minmax\", "
                           "\"percentile\" or \"mse\"", s);
    return NEURIO_OK;
}

typedef struct calib_state {
    const neurio_model *m;
    nq_range *r;
    uint32_t *hist;       /* [n_tensors * NQ_BINS] in pass 2, else NULL */
} calib_state;

static void observe(calib_state *cs, int32_t t, const float *v, size_t n)
{
    nq_range *r = &cs->r[t];
    if (!cs->hist) {
        for (size_t i = 0; i < n; i++) {
            float x = v[i];
            if (!isfinite(x))
                continue;
            if (!r->seen) {
                r->lo = r->hi = x;
                r->seen = 1;
            }
            if (x < r->lo)
                r->lo = x;
            if (x > r->hi)
                r->hi = x;
        }
        return;
    }
    uint32_t *h = cs->hist + (size_t)t * NQ_BINS;
    float span = r->hi - r->lo;
    if (!r->seen || span <= 0)
        return;
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(v[i]))
            continue;
        int b = (int)((v[i] - r->lo) / span * NQ_BINS);
        b = b < 0 ? 0 : b >= NQ_BINS ? NQ_BINS - 1 : b;
        h[b]++;
    }
}

static int calib_hook(void *user, const neurio_interp *it, int32_t op_index)
{
    calib_state *cs = user;
    const neurio_op *op = &cs->m->ops[op_index];
    for (int32_t k = 0; k < op->n_outputs; k++) {
        int32_t t = op->outputs[k];
        const neurio_tensor *tt = &cs->m->tensors[t];
        if (tt->dtype == NEURIO_DT_FLOAT32)
            observe(cs, t, neurio_interp_tensor(it, t), neurio_tensor_elements(tt));
    }
    return 0;
}

/* int8 quantization MSE of the histogram for range [lo, hi]. */
static double range_mse(const uint32_t *h, float lo0, float hi0, float lo, float hi)
{
    lo = fminf(lo, 0.0f);
    hi = fmaxf(hi, 0.0f);
    double scale = (hi - lo) / 255.0;
    if (scale <= 0)
        return INFINITY;
    double zp = round(-128.0 - lo / scale), w = (hi0 - lo0) / (double)NQ_BINS, e = 0;
    for (int b = 0; b < NQ_BINS; b++) {
        if (!h[b])
            continue;
        double v = lo0 + (b + 0.5) * w;
        double q = fmin(127.0, fmax(-128.0, round(v / scale) + zp));
        double d = (q - zp) * scale - v;
        e += (double)h[b] * d * d;
    }
    return e;
}

static void choose_range(nq_range *r, const uint32_t *h, nq_method method)
{
    uint64_t total = 0;
    for (int b = 0; b < NQ_BINS; b++)
        total += h[b];
    if (!total || r->hi <= r->lo)
        return;
    float w = (r->hi - r->lo) / NQ_BINS;
    if (method == NQ_PERCENTILE) {
        uint64_t tail = (uint64_t)floor((double)total * nq_percentile_tail), acc = 0;
        int lo_b = 0, hi_b = NQ_BINS - 1;
        for (; lo_b < NQ_BINS - 1; lo_b++) {
            if (acc + h[lo_b] > tail)
                break;
            acc += h[lo_b];
        }
        acc = 0;
        for (; hi_b > lo_b; hi_b--) {
            if (acc + h[hi_b] > tail)
                break;
            acc += h[hi_b];
        }
        float nlo = r->lo + (float)lo_b * w, nhi = r->lo + (float)(hi_b + 1) * w;
        r->lo = nlo;
        r->hi = nhi;
    } else if (method == NQ_MSE) {
        float best_lo = r->lo, best_hi = r->hi;
        double best = INFINITY;
        for (int i = 0; i <= 70; i++) {
            float f = 1.0f - 0.01f * (float)i;
            double e = range_mse(h, r->lo, r->hi, r->lo * f, r->hi * f);
            if (e < best) {
                best = e;
                best_lo = r->lo * f;
                best_hi = r->hi * f;
            }
        }
        r->lo = best_lo;
        r->hi = best_hi;
    }
}

int nq_calibrate(const neurio_model *m, const char *const *paths, size_t n_paths,
                 nq_method method, nq_range *ranges, size_t *n_used, neurio_errbuf *err)
{
    neurio_input_set in;
    neurio_interp *it = NULL;
    float *outbuf = NULL;
    calib_state cs = { .m = m, .r = ranges };
    neurio_errbuf e2 = { { 0 } };
    int rc = neurio_dataprep_inputs(m, paths, n_paths,
                                    n_paths > 1 ? "model.calibration" : "calibration file", 0,
                                    &in, &e2);
    if (rc) {
        neurio_fail(err, rc, "%s", e2.msg);
        goto fail;
    }
    for (uint32_t k = 0; k < in.n; k++)
        if (m->tensors[m->inputs[k]].dtype != NEURIO_DT_FLOAT32) {
            rc = neurio_fail(err, NEURIO_ERR_UNSUPPORTED, "calibration: input %u '%s' is %s; "
                             "calibration runs the float model", k,
                             m->tensors[m->inputs[k]].name,
                             neurio_dtype_name(m->tensors[m->inputs[k]].dtype));
            goto fail;
        }
    size_t n = in.n_samples;
    if (n > NQ_MAX_CALIB_SAMPLES)
        n = NQ_MAX_CALIB_SAMPLES;
    if ((rc = neurio_interp_new(m, &it, err)) != NEURIO_OK)
        goto fail;
    neurio_interp_set_hook(it, calib_hook, &cs);
    size_t out_bytes = 0;
    for (int32_t i = 0; i < m->n_outputs; i++)
        out_bytes += neurio_tensor_bytes(&m->tensors[m->outputs[i]]);
    outbuf = malloc(out_bytes ? out_bytes : 1);
    void *outs[64];
    if (!outbuf || m->n_outputs > 64) {
        rc = neurio_fail(err, NEURIO_ERR_NOMEM, "out of memory");
        goto fail;
    }
    size_t off = 0;
    for (int32_t i = 0; i < m->n_outputs; i++) {
        outs[i] = (char *)outbuf + off;
        off += neurio_tensor_bytes(&m->tensors[m->outputs[i]]);
    }
    int passes = method == NQ_MINMAX ? 1 : 2;
    for (int pass = 0; pass < passes; pass++) {
        if (pass == 1) {
            cs.hist = calloc((size_t)m->n_tensors * NQ_BINS, sizeof *cs.hist);
            if (!cs.hist) {
                rc = neurio_fail(err, NEURIO_ERR_NOMEM, "out of memory for calibration histograms");
                goto fail;
            }
        }
        for (size_t s = 0; s < n; s++) {
            const void *ins[NEURIO_DATAPREP_MAX_INPUTS];
            for (uint32_t k = 0; k < in.n; k++) {
                size_t el = in.sample_bytes[k] / sizeof(float);
                const float *x = (const float *)in.conv[k] + s * el;
                observe(&cs, m->inputs[k], x, el);
                ins[k] = x;
            }
            if ((rc = neurio_interp_run(it, ins, outs, err)) != NEURIO_OK)
                goto fail;
        }
    }
    if (cs.hist)
        for (int32_t t = 0; t < m->n_tensors; t++)
            if (ranges[t].seen)
                choose_range(&ranges[t], cs.hist + (size_t)t * NQ_BINS, method);
    *n_used = n;
    rc = NEURIO_OK;
fail:
    free(cs.hist);
    free(outbuf);
    neurio_interp_free(it);
    neurio_input_set_free(&in);
    return rc;
}

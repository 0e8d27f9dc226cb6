/* tests/quantize/quant_eval.c — see quant_eval.h. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "neurio/dataprep.h"
#include "neurio/interp.h"
#include "quant_eval.h"

float *qe_run(const neurio_model *m, const neurio_npy *inputs, size_t *n, size_t *out_elems)
{
    neurio_errbuf err = { { 0 } };
    void *data = NULL;
    neurio_interp *it = NULL;
    float *res = NULL;
    void *raw = NULL;
    if (neurio_dataprep_input(m, 0, inputs, &data, n, &err) ||
        neurio_interp_new(m, &it, &err)) {
        fprintf(stderr, "\n    qe_run: %s\n", err.msg);
        goto fail;
    }
    const neurio_tensor *in = &m->tensors[m->inputs[0]], *out = &m->tensors[m->outputs[0]];
    size_t ib = neurio_tensor_bytes(in), ob = neurio_tensor_bytes(out);
    *out_elems = neurio_tensor_elements(out);
    raw = malloc(ob * *n);
    res = malloc(*out_elems * *n * sizeof *res);
    if (!raw || !res)
        goto fail;
    for (size_t s = 0; s < *n; s++) {
        const void *ins[1] = { (const char *)data + s * ib };
        void *outs[1] = { (char *)raw + s * ob };
        if (neurio_interp_run(it, ins, outs, &err)) {
            fprintf(stderr, "\n    qe_run: sample %zu: %s\n", s, err.msg);
            free(res);
            res = NULL;
            goto fail;
        }
    }
    if (neurio_dataprep_dequantize(m, 0, raw, *n, res)) {
        free(res);
        res = NULL;
    }
fail:
    free(raw);
    free(data);
    neurio_interp_free(it);
    return res;
}

static size_t argmax(const float *v, size_t k)
{
    size_t b = 0;
    for (size_t i = 1; i < k; i++)
        if (v[i] > v[b])
            b = i;
    return b;
}

double qe_argmax_agreement(const float *a, const float *b, size_t n, size_t k)
{
    size_t same = 0;
    for (size_t i = 0; i < n; i++)
        same += argmax(a + i * k, k) == argmax(b + i * k, k);
    return n ? (double)same / (double)n : 0;
}

double qe_rel_l2(const float *a, const float *ref, size_t count)
{
    double num = 0, den = 0;
    for (size_t i = 0; i < count; i++) {
        double d = (double)a[i] - (double)ref[i];
        num += d * d;
        den += (double)ref[i] * (double)ref[i];
    }
    return den > 0 ? sqrt(num / den) : sqrt(num);
}

double qe_accuracy(const float *a, const int64_t *labels, size_t n, size_t k)
{
    size_t ok = 0;
    for (size_t i = 0; i < n; i++)
        ok += (int64_t)argmax(a + i * k, k) == labels[i];
    return n ? (double)ok / (double)n : 0;
}

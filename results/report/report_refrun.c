/* core/report_refrun.c — the host reference run behind fidelity KPIs. */
#include "report/report_refrun.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "neurio/interp.h"
#include "report/report_inputs.h"

struct nr_refrun {
    neurio_model *ref;            /* owned: the imported model            */
    const neurio_model *prepared; /* borrowed                             */
    neurio_interp *it;
    int32_t n_in;
    void **in;                    /* [n_in] reference-dtype input buffers */
    void **out;                   /* [n_outputs] output buffers           */
    float *scratch;               /* one input as float                   */
};

void nr_refrun_free(nr_refrun *r)
{
    if (!r)
        return;
    for (int32_t i = 0; r->in && i < r->n_in; i++)
        free(r->in[i]);
    for (int32_t i = 0; r->out && r->ref && i < r->ref->n_outputs; i++)
        free(r->out[i]);
    free(r->in);
    free(r->out);
    free(r->scratch);
    neurio_interp_free(r->it);
    neurio_model_free(r->ref);
    free(r);
}

int nr_refrun_new(const char *model_path, const neurio_model *prepared, nr_refrun **out,
                  neurio_errbuf *err)
{
    *out = NULL;
    neurio_errbuf e2 = { { 0 } };
    nr_refrun *r = calloc(1, sizeof *r);
    if (!r)
        return neurio_fail(err, NEURIO_ERR_NOMEM, "task.reference_run: out of memory");
    r->prepared = prepared;
    int rc = neurio_model_load(model_path, &r->ref, &e2);
    if (rc) {
        rc = neurio_fail(err, NEURIO_ERR_CONFIG, "task.reference_run: %s", e2.msg);
        goto fail;
    }
    const neurio_model *m = r->ref;
    if (m->n_inputs != prepared->n_inputs || m->n_outputs < 1 || prepared->n_outputs < 1) {
        rc = neurio_fail(err, NEURIO_ERR_CONFIG,
                         "task.reference_run: %s has %d inputs, the prepared model %d; the "
                         "reference run needs the same inputs", model_path, (int)m->n_inputs,
                         (int)prepared->n_inputs);
        goto fail;
    }
    size_t max_in = 1;
    for (int32_t i = 0; i < m->n_inputs; i++) {
        size_t a = neurio_tensor_elements(&m->tensors[m->inputs[i]]);
        size_t b = neurio_tensor_elements(&prepared->tensors[prepared->inputs[i]]);
        if (a != b) {
            rc = neurio_fail(err, NEURIO_ERR_CONFIG,
                             "task.reference_run: input %d of %s has %zu elements, the "
                             "prepared model's %zu", (int)i, model_path, a, b);
            goto fail;
        }
        max_in = a > max_in ? a : max_in;
    }
    size_t ao = neurio_tensor_elements(&m->tensors[m->outputs[0]]);
    size_t bo = neurio_tensor_elements(&prepared->tensors[prepared->outputs[0]]);
    if (ao != bo) {
        rc = neurio_fail(err, NEURIO_ERR_CONFIG,
                         "task.reference_run: output 0 of %s has %zu elements, the prepared "
                         "model's %zu", model_path, ao, bo);
        goto fail;
    }
    if ((rc = neurio_interp_new(m, &r->it, &e2))) {
        rc = neurio_fail(err, rc, "task.reference_run = \"host\": %s", e2.msg);
        goto fail;
    }
    r->n_in = m->n_inputs;
    r->in = calloc((size_t)m->n_inputs, sizeof *r->in);
    r->out = calloc((size_t)m->n_outputs, sizeof *r->out);
    r->scratch = malloc(max_in * sizeof *r->scratch);
    if (!r->in || !r->out || !r->scratch)
        goto nomem;
    for (int32_t i = 0; i < m->n_inputs; i++)
        if (!(r->in[i] = calloc(1, neurio_tensor_bytes(&m->tensors[m->inputs[i]]) + 1)))
            goto nomem;
    for (int32_t i = 0; i < m->n_outputs; i++)
        if (!(r->out[i] = calloc(1, neurio_tensor_bytes(&m->tensors[m->outputs[i]]) + 1)))
            goto nomem;
    *out = r;
    return 0;
nomem:
    rc = neurio_fail(err, NEURIO_ERR_NOMEM, "task.reference_run: out of memory");
fail:
    nr_refrun_free(r);
    return rc;
}

/* Store real values x[0..n) as tensor t's dtype into dst. */
static void from_float(const float *x, size_t n, const neurio_tensor *t, void *dst)
{
    int q = t->quant.count >= 1;
    double scale = q && t->quant.scale[0] != 0 ? t->quant.scale[0] : 1.0;
    double zp = q ? t->quant.zero_point[0] : 0.0;
    for (size_t i = 0; i < n; i++) {
        double v = q ? round(x[i] / scale) + zp : (double)x[i];
        switch (t->dtype) {
        case NEURIO_DT_FLOAT32: ((float *)dst)[i] = x[i]; break;
        case NEURIO_DT_INT8: ((int8_t *)dst)[i] = (int8_t)fmin(fmax(v, -128), 127); break;
        case NEURIO_DT_UINT8: ((uint8_t *)dst)[i] = (uint8_t)fmin(fmax(v, 0), 255); break;
        case NEURIO_DT_INT16: ((int16_t *)dst)[i] = (int16_t)fmin(fmax(v, -32768), 32767); break;
        case NEURIO_DT_INT32: ((int32_t *)dst)[i] = (int32_t)fmin(fmax(v, -2147483648.0), 2147483647.0); break;
        default: break;
        }
    }
}

int nr_refrun_sample(nr_refrun *r, const void *const *inputs, float *out, neurio_errbuf *err)
{
    const neurio_model *m = r->ref, *p = r->prepared;
    for (int32_t i = 0; i < m->n_inputs; i++) {
        const neurio_tensor *pt = &p->tensors[p->inputs[i]];
        const neurio_tensor *rt = &m->tensors[m->inputs[i]];
        size_t n = neurio_tensor_elements(rt);
        if (pt->dtype == rt->dtype && pt->quant.count == rt->quant.count &&
            (pt->quant.count == 0 || (pt->quant.scale[0] == rt->quant.scale[0] &&
                                      pt->quant.zero_point[0] == rt->quant.zero_point[0]))) {
            memcpy(r->in[i], inputs[i], neurio_tensor_bytes(rt)); /* same encoding */
            continue;
        }
        nr_report_to_float(inputs[i], pt, n, r->scratch);
        from_float(r->scratch, n, rt, r->in[i]);
    }
    neurio_errbuf e2 = { { 0 } };
    int rc = neurio_interp_run(r->it, (const void *const *)r->in, r->out, &e2);
    if (rc)
        return neurio_fail(err, rc, "task.reference_run = \"host\": %s", e2.msg);
    const neurio_tensor *ot = &m->tensors[m->outputs[0]];
    nr_report_to_float(r->out[0], ot, neurio_tensor_elements(ot), out);
    return 0;
}

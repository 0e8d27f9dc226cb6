/* results/reference/hostref.c — the run's host reference (see hostref.h). */
#include "hostref.h"

#include <stdlib.h>
#include <string.h>

#include "neurio/dataprep.h"
#include "neurio/interp.h"
#include "neurio/optimize.h"

#define HR_MAX_INPUTS 16

struct nr_hostref {
    neurio_model *ref;           /* owned: the optimized import            */
    neurio_interp *it;
    int32_t n_in;
    neurio_input_stream in;      /* data.inputs, read batch by batch       */
    int in_open;
    void *x[HR_MAX_INPUTS];      /* one batch of inputs in ref's dtype     */
    size_t x_bytes[HR_MAX_INPUTS]; /* one sample of input i                */
    size_t x_cap;                /* samples x[] holds                      */
    size_t n_samples;
    void **outs;                 /* [ref->n_outputs] one sample each       */
    size_t out_elems;
    float *rows;                 /* cached rows [rows_first, +rows_count)  */
    size_t rows_first, rows_count, rows_cap;
    uint64_t runs;
    const neurio_model *prep;    /* borrowed: the prepared model            */
    int32_t out_k;               /* the output rows hold (task.output)      */
};

void nr_hostref_free(nr_hostref *h)
{
    if (!h)
        return;
    for (int32_t i = 0; i < h->n_in; i++)
        free(h->x[i]);
    if (h->in_open)
        neurio_input_stream_close(&h->in);
    for (int32_t i = 0; h->outs && h->ref && i < h->ref->n_outputs; i++)
        free(h->outs[i]);
    free(h->outs);
    free(h->rows);
    neurio_interp_free(h->it);
    neurio_model_free(h->ref);
    free(h);
}

/* The reference has the prepared model's inputs and output 0 in element
 * counts (dtypes may differ: that is what the reference is for). */
static int hr_check_shapes(const neurio_model *r, const neurio_model *p, neurio_errbuf *err)
{
    if (r->n_inputs != p->n_inputs || r->n_inputs > HR_MAX_INPUTS)
        return neurio_fail(err, NEURIO_ERR_UNSUPPORTED,
                           "host reference: the imported model has %d inputs, the prepared "
                           "model %d (at most %d)", (int)r->n_inputs, (int)p->n_inputs,
                           HR_MAX_INPUTS);
    if (r->n_outputs < 1 || p->n_outputs < 1)
        return neurio_fail(err, NEURIO_ERR_UNSUPPORTED, "host reference: a model has no output");
    for (int32_t i = 0; i < r->n_inputs; i++) {
        size_t a = neurio_tensor_elements(&r->tensors[r->inputs[i]]);
        size_t b = neurio_tensor_elements(&p->tensors[p->inputs[i]]);
        if (a != b)
            return neurio_fail(err, NEURIO_ERR_UNSUPPORTED,
                               "host reference: input %d of the imported model has %zu "
                               "elements, the prepared model's %zu", (int)i, a, b);
    }
    size_t a = neurio_tensor_elements(&r->tensors[r->outputs[0]]);
    size_t b = neurio_tensor_elements(&p->tensors[p->outputs[0]]);
    if (a != b)
        return neurio_fail(err, NEURIO_ERR_UNSUPPORTED,
                           "host reference: output 0 of the imported model has %zu elements, "
                           "the prepared model's %zu", a, b);
    return NEURIO_OK;
}

int nr_hostref_new(neurio_model *imported, const neurio_model *prepared,
                   const char *const *paths, size_t n_paths, size_t n_samples,
                   nr_hostref **out, neurio_errbuf *err)
{
    neurio_errbuf e2 = { { 0 } };
    int rc;
    *out = NULL;
    nr_hostref *h = calloc(1, sizeof *h);
    if (!h) {
        neurio_model_free(imported);
        return neurio_fail(err, NEURIO_ERR_NOMEM, "host reference: out of memory");
    }
    h->ref = imported;
    h->prep = prepared;
    h->n_samples = n_samples;
    if (!imported || !prepared || (rc = hr_check_shapes(imported, prepared, err)) != 0) {
        rc = imported && prepared ? rc
                                  : neurio_fail(err, NEURIO_ERR_INVALID, "host reference: no model");
        goto fail;
    }
    if (n_paths != (size_t)imported->n_inputs) {
        rc = neurio_fail(err, NEURIO_ERR_INVALID, "host reference: %zu data arrays for %d inputs",
                         n_paths, (int)imported->n_inputs);
        goto fail;
    }
    if ((rc = neurio_optimize(h->ref, &e2)) != 0 ||
        (rc = neurio_interp_new(h->ref, &h->it, &e2)) != 0) {
        rc = neurio_fail(err, rc, "host reference: %s", e2.msg);
        goto fail;
    }
    h->n_in = h->ref->n_inputs;
    /* the user's arrays, converted to the reference's input dtypes one
     * batch at a time (nr_hostref_rows): memory = one batch */
    if ((rc = neurio_input_stream_open(h->ref, paths, n_paths, "data.inputs", 0, &h->in,
                                       &e2)) != 0) {
        neurio_input_stream_close(&h->in);
        rc = neurio_fail(err, rc, "host reference inputs: %s", e2.msg);
        goto fail;
    }
    h->in_open = 1;
    if (h->in.n_samples < n_samples) {
        rc = neurio_fail(err, NEURIO_ERR_INVALID,
                         "host reference: data.inputs holds %zu samples, the run %zu",
                         h->in.n_samples, n_samples);
        goto fail;
    }
    for (int32_t i = 0; i < h->n_in; i++)
        h->x_bytes[i] = neurio_tensor_bytes(&h->ref->tensors[h->ref->inputs[i]]);
    h->out_elems = neurio_tensor_elements(&h->ref->tensors[h->ref->outputs[0]]);
    h->outs = calloc((size_t)h->ref->n_outputs, sizeof *h->outs);
    if (!h->outs)
        goto nomem;
    for (int32_t i = 0; i < h->ref->n_outputs; i++)
        if (!(h->outs[i] = calloc(1, neurio_tensor_bytes(&h->ref->tensors[h->ref->outputs[i]]) + 1)))
            goto nomem;
    *out = h;
    return NEURIO_OK;
nomem:
    rc = neurio_fail(err, NEURIO_ERR_NOMEM, "host reference: out of memory");
fail:
    nr_hostref_free(h);
    return rc;
}

/* Samples [first, first + count) of every input into x[] (their dtypes). */
static int hr_read(nr_hostref *h, size_t first, size_t count, neurio_errbuf *err)
{
    neurio_errbuf e2 = { { 0 } };
    if (count > h->x_cap) {
        for (int32_t k = 0; k < h->n_in; k++) {
            void *b = realloc(h->x[k], count * (h->x_bytes[k] ? h->x_bytes[k] : 1));
            if (!b)
                return neurio_fail(err, NEURIO_ERR_NOMEM, "host reference: out of memory");
            h->x[k] = b;
        }
        h->x_cap = count;
    }
    int rc = neurio_input_stream_read(&h->in, first, count, h->x, &e2);
    if (rc)
        return neurio_fail(err, rc, "host reference inputs: %s", e2.msg);
    return NEURIO_OK;
}

/* Run sample i (x[] row k) into row (out_elems floats). */
static int hr_run(nr_hostref *h, size_t i, size_t k_row, float *row, neurio_errbuf *err)
{
    const void *in[HR_MAX_INPUTS];
    neurio_errbuf e2 = { { 0 } };
    for (int32_t k = 0; k < h->n_in; k++)
        in[k] = (const char *)h->x[k] + k_row * h->x_bytes[k];
    int rc = neurio_interp_run(h->it, in, h->outs, &e2);
    if (rc)
        return neurio_fail(err, rc, "host reference, sample %zu: %s", i, e2.msg);
    h->runs++;
    if (neurio_dataprep_dequantize(h->ref, h->out_k, h->outs[h->out_k], 1, row) != NEURIO_OK)
        return neurio_fail(err, NEURIO_ERR_UNSUPPORTED,
                           "host reference: output %d is %s, which has no real values",
                           (int)h->out_k,
                           neurio_dtype_name(h->ref->tensors[h->ref->outputs[h->out_k]].dtype));
    return NEURIO_OK;
}

const float *nr_hostref_rows(nr_hostref *h, size_t first, size_t count, neurio_errbuf *err)
{
    if (!h) {
        neurio_fail(err, NEURIO_ERR_INVALID, "host reference: not available");
        return NULL;
    }
    if (first > h->n_samples || count > h->n_samples - first) {
        neurio_fail(err, NEURIO_ERR_INVALID, "host reference: samples %zu..%zu of %zu", first,
                    first + count, h->n_samples);
        return NULL;
    }
    if (first >= h->rows_first && first + count <= h->rows_first + h->rows_count)
        return h->rows + (first - h->rows_first) * h->out_elems; /* another observer's batch */
    size_t need = (count ? count : 1) * (h->out_elems ? h->out_elems : 1);
    if (need > h->rows_cap) {
        float *r = realloc(h->rows, need * sizeof *r);
        if (!r) {
            neurio_fail(err, NEURIO_ERR_NOMEM, "host reference: out of memory");
            return NULL;
        }
        h->rows = r;
        h->rows_cap = need;
    }
    h->rows_count = 0; /* invalid while being refilled */
    if (count && hr_read(h, first, count, err) != NEURIO_OK)
        return NULL;
    for (size_t k = 0; k < count; k++)
        if (hr_run(h, first + k, k, h->rows + k * h->out_elems, err) != NEURIO_OK)
            return NULL;
    h->rows_first = first;
    h->rows_count = count;
    return h->rows;
}

int nr_hostref_configure(nr_hostref *h, int32_t output, int stateful, neurio_errbuf *err)
{
    if (!h)
        return neurio_fail(err, NEURIO_ERR_INVALID, "host reference: not available");
    if (output < 0 || output >= h->ref->n_outputs || output >= h->prep->n_outputs)
        return neurio_fail(err, NEURIO_ERR_INVALID,
                           "host reference: output %d of %d", (int)output,
                           (int)h->ref->n_outputs);
    size_t a = neurio_tensor_elements(&h->ref->tensors[h->ref->outputs[output]]);
    size_t b = neurio_tensor_elements(&h->prep->tensors[h->prep->outputs[output]]);
    if (a != b)
        return neurio_fail(err, NEURIO_ERR_UNSUPPORTED,
                           "host reference: output %d of the imported model has %zu elements, "
                           "the prepared model's %zu", (int)output, a, b);
    h->out_k = output;
    h->out_elems = a;
    h->rows_count = 0;
    neurio_interp_set_stateful(h->it, stateful);
    return NEURIO_OK;
}

size_t nr_hostref_out_elems(const nr_hostref *h)
{
    return h ? h->out_elems : 0;
}

const neurio_model *nr_hostref_model(const nr_hostref *h)
{
    return h ? h->ref : NULL;
}

uint64_t nr_hostref_runs(const nr_hostref *h)
{
    return h ? h->runs : 0;
}

int nr_hostref_for_run(neurio_model *imported, const neurio_model *prepared,
                       const char *const *paths, size_t n_paths, size_t n_samples,
                       int32_t output, int stateful, nr_hostref **out,
                       neurio_errbuf *ref_err, neurio_errbuf *err)
{
    *out = NULL;
    (void)err; /* the pipeline's own input stream has checked the data */
    if (nr_hostref_new(imported, prepared, paths, n_paths, n_samples, out, ref_err) !=
            NEURIO_OK ||
        nr_hostref_configure(*out, output, stateful, ref_err) != NEURIO_OK) {
        nr_hostref_free(*out);
        *out = NULL;
    }
    return NEURIO_OK;
}

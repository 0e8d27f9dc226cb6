/* sdk/src/data/dataprep_inputs.c — one .npy per graph input, read and
 * converted together (neurio_dataprep_inputs, neurio/dataprep.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "neurio/dataprep.h"

const char *neurio_dataprep_input_what(const neurio_model *m, size_t n_paths, uint32_t i,
                                       const char *what, char *buf, size_t cap)
{
    if (n_paths <= 1 && m->n_inputs <= 1)
        snprintf(buf, cap, "%s", what);
    else
        snprintf(buf, cap, "%s[%u] (input %u '%.80s')", what, i, i,
                 i < (uint32_t)m->n_inputs ? m->tensors[m->inputs[i]].name : "?");
    return buf;
}

/* "0 'a', 1 'b'" : the model's inputs in order, for the count message. */
static void inputs_list(const neurio_model *m, char *buf, size_t cap)
{
    size_t o = 0;
    buf[0] = '\0';
    for (int32_t i = 0; i < m->n_inputs && o + 1 < cap; i++) {
        int w = snprintf(buf + o, cap - o, "%s%d '%.60s'", i ? ", " : "", (int)i,
                         m->tensors[m->inputs[i]].name);
        if (w < 0)
            break;
        o += (size_t)w;
    }
}

int neurio_dataprep_inputs(const neurio_model *m, const char *const *paths, size_t n_paths,
                           const char *what, unsigned flags, neurio_input_set *out,
                           neurio_errbuf *err)
{
    char w[200], names[600];
    neurio_errbuf e2 = { { 0 } };
    int rc;
    memset(out, 0, sizeof *out);
    if (m->n_inputs < 1 || m->n_inputs > NEURIO_DATAPREP_MAX_INPUTS)
        return neurio_fail(err, NEURIO_ERR_UNSUPPORTED,
                           "model '%s' has %d inputs; at most %d are supported", m->name,
                           (int)m->n_inputs, NEURIO_DATAPREP_MAX_INPUTS);
    if (n_paths != (size_t)m->n_inputs) {
        inputs_list(m, names, sizeof names);
        return neurio_fail(err, NEURIO_ERR_CONFIG,
                           "%s gives %zu array%s but model '%s' has %d input%s (%s); give one "
                           ".npy per input, in the model's input order", what, n_paths,
                           n_paths == 1 ? "" : "s", m->name, (int)m->n_inputs,
                           m->n_inputs == 1 ? "" : "s", names);
    }
    out->n = (uint32_t)m->n_inputs;
    for (uint32_t i = 0; i < out->n; i++) {
        const char *path = paths[i];
        size_t n = 0;
        const char *what_i = neurio_dataprep_input_what(m, n_paths, i, what, w, sizeof w);
        if ((rc = neurio_npy_read(path, &out->arr[i], &e2)) != 0)
            return neurio_fail(err, rc, "%s: %s", what_i, e2.msg);
        const neurio_tensor *t = &m->tensors[m->inputs[i]];
        neurio_dtype dt = out->arr[i].dtype;
        if ((flags & NEURIO_INPUTS_REAL_FOR_FLOAT) && t->dtype == NEURIO_DT_FLOAT32 &&
            dt != NEURIO_DT_FLOAT32 && dt != NEURIO_DT_FLOAT64)
            return neurio_fail(err, NEURIO_ERR_INVALID,
                               "%s %s: %s data for input '%s', which is float32 in the model "
                               "file and quantized by neurio (model.quantize): give the real "
                               "values as float32 (neurio quantizes them with the prepared "
                               "model's scale)", what_i, path, neurio_dtype_name(dt), t->name);
        if ((rc = neurio_dataprep_input(m, (int32_t)i, &out->arr[i], &out->conv[i], &n, &e2)))
            return neurio_fail(err, rc, "%s %s: %s", what_i, path, e2.msg);
        if (!(flags & NEURIO_INPUTS_KEEP_RAW))
            neurio_npy_free(&out->arr[i]);
        out->sample_bytes[i] = neurio_tensor_bytes(&m->tensors[m->inputs[i]]);
        if (n == 0)
            return neurio_fail(err, NEURIO_ERR_INVALID, "%s %s: holds 0 samples; nothing to run",
                               what_i, path);
        if (i > 0 && n != out->n_samples)
            return neurio_fail(err, NEURIO_ERR_INVALID,
                               "%s %s: holds %zu samples but %s[0] holds %zu; sample k of every "
                               "input array is one inference, so all need the same count",
                               what_i, path, n, what, out->n_samples);
        out->n_samples = n;
    }
    return NEURIO_OK;
}

void neurio_input_set_free(neurio_input_set *in)
{
    if (!in)
        return;
    for (uint32_t i = 0; i < NEURIO_DATAPREP_MAX_INPUTS; i++) {
        neurio_npy_free(&in->arr[i]);
        free(in->conv[i]);
        in->conv[i] = NULL;
    }
    in->n = 0;
}

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

/* One array per model input, and at most NEURIO_DATAPREP_MAX_INPUTS. */
static int check_paths(const neurio_model *m, size_t n_paths, const char *what,
                       neurio_errbuf *err)
{
    char names[600];
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
    return NEURIO_OK;
}

/* Array i (dtype dt, n samples) fits input i: real values for an input
 * neurio quantizes (with NEURIO_INPUTS_REAL_FOR_FLOAT), as many samples as
 * array 0 (n0). */
static int check_array(const neurio_model *m, uint32_t i, neurio_dtype dt, unsigned flags,
                       size_t n, size_t n0, const char *what, const char *what_i,
                       const char *path, neurio_errbuf *err)
{
    const neurio_tensor *t = &m->tensors[m->inputs[i]];
    if ((flags & NEURIO_INPUTS_REAL_FOR_FLOAT) && t->dtype == NEURIO_DT_FLOAT32 &&
        dt != NEURIO_DT_FLOAT32 && dt != NEURIO_DT_FLOAT64)
        return neurio_fail(err, NEURIO_ERR_INVALID,
                           "%s %s: %s data for input '%s', which is float32 in the model "
                           "file and quantized by neurio (model.quantize): give the real "
                           "values as float32 (neurio quantizes them with the prepared "
                           "model's scale)", what_i, path, neurio_dtype_name(dt), t->name);
    if (i > 0 && n != n0)
        return neurio_fail(err, NEURIO_ERR_INVALID,
                           "%s %s: holds %zu samples but %s[0] holds %zu; sample k of every "
                           "input array is one inference, so all need the same count",
                           what_i, path, n, what, n0);
    return NEURIO_OK;
}

int neurio_dataprep_inputs(const neurio_model *m, const char *const *paths, size_t n_paths,
                           const char *what, unsigned flags, neurio_input_set *out,
                           neurio_errbuf *err)
{
    char w[200];
    neurio_errbuf e2 = { { 0 } };
    int rc;
    memset(out, 0, sizeof *out);
    if ((rc = check_paths(m, n_paths, what, err)))
        return rc;
    out->n = (uint32_t)m->n_inputs;
    for (uint32_t i = 0; i < out->n; i++) {
        const char *path = paths[i];
        size_t n = 0;
        const char *what_i = neurio_dataprep_input_what(m, n_paths, i, what, w, sizeof w);
        if ((rc = neurio_npy_read(path, &out->arr[i], &e2)) != 0)
            return neurio_fail(err, rc, "%s: %s", what_i, e2.msg);
        neurio_dtype dt = out->arr[i].dtype;
        if ((rc = check_array(m, i, dt, flags, 1, 1, what, what_i, path, err)))
            return rc;
        if ((rc = neurio_dataprep_input(m, (int32_t)i, &out->arr[i], &out->conv[i], &n, &e2)))
            return neurio_fail(err, rc, "%s %s: %s", what_i, path, e2.msg);
        if (!(flags & NEURIO_INPUTS_KEEP_RAW))
            neurio_npy_free(&out->arr[i]);
        out->sample_bytes[i] = neurio_tensor_bytes(&m->tensors[m->inputs[i]]);
        if (n == 0)
            return neurio_fail(err, NEURIO_ERR_INVALID, "%s %s: holds 0 samples; nothing to run",
                               what_i, path);
        if ((rc = check_array(m, i, dt, 0, n, out->n_samples, what, what_i, path, err)))
            return rc;
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

/* ---- streaming: the same arrays read one batch of rows at a time ------- */

int neurio_input_stream_open(const neurio_model *m, const char *const *paths, size_t n_paths,
                             const char *what, unsigned flags, neurio_input_stream *s,
                             neurio_errbuf *err)
{
    char w[200];
    neurio_errbuf e2 = { { 0 } };
    int rc;
    memset(s, 0, sizeof *s);
    if ((rc = check_paths(m, n_paths, what, err)))
        return rc;
    s->m = m;
    s->what = what;
    s->paths = paths;
    s->n_paths = n_paths;
    for (uint32_t i = 0; i < (uint32_t)m->n_inputs; i++) {
        const char *path = paths[i];
        size_t n = 0;
        const char *what_i = neurio_dataprep_input_what(m, n_paths, i, what, w, sizeof w);
        if ((rc = neurio_npy_open(path, &s->rd[i], &e2)) != 0) {
            neurio_input_stream_close(s);
            return neurio_fail(err, rc, "%s: %s", what_i, e2.msg);
        }
        s->n = i + 1;
        neurio_dtype dt = s->rd[i].hdr.dtype;
        rc = check_array(m, i, dt, flags, 1, 1, what, what_i, path, err);
        if (!rc && (rc = neurio_dataprep_input_shape(m, (int32_t)i, &s->rd[i].hdr, &n, &e2)))
            rc = neurio_fail(err, rc, "%s %s: %s", what_i, path, e2.msg);
        if (!rc)
            rc = check_array(m, i, dt, 0, n, s->n_samples, what, what_i, path, err);
        if (rc) {
            neurio_input_stream_close(s);
            return rc;
        }
        s->sample_bytes[i] = neurio_tensor_bytes(&m->tensors[m->inputs[i]]);
        s->n_samples = n;
    }
    return NEURIO_OK;
}

int neurio_input_stream_read(neurio_input_stream *s, size_t first, size_t count,
                             void *const *out, neurio_errbuf *err)
{
    char w[200];
    neurio_errbuf e2 = { { 0 } };
    for (uint32_t i = 0; i < s->n; i++) {
        size_t need = count * (s->rd[i].row_bytes ? s->rd[i].row_bytes : 1);
        if (need > s->raw_cap) {
            void *r = realloc(s->raw, need);
            if (!r)
                return neurio_fail(err, NEURIO_ERR_NOMEM, "out of memory reading %zu rows",
                                   count);
            s->raw = r;
            s->raw_cap = need;
        }
        int rc = neurio_npy_read_rows(&s->rd[i], first, count, s->raw, &e2);
        if (!rc)
            rc = neurio_dataprep_input_rows(s->m, (int32_t)i, &s->rd[i].hdr, s->raw, first,
                                            count, out[i], &e2);
        if (rc)
            return neurio_fail(err, rc, "%s %s: %s",
                               neurio_dataprep_input_what(s->m, s->n_paths, i, s->what, w,
                                                          sizeof w),
                               s->paths[i], e2.msg);
    }
    return NEURIO_OK;
}

int neurio_input_stream_check(neurio_input_stream *s, size_t chunk_bytes, neurio_errbuf *err)
{
    size_t widest = 1;
    for (uint32_t i = 0; i < s->n; i++) {
        if (s->rd[i].row_bytes > widest)
            widest = s->rd[i].row_bytes;
        if (s->sample_bytes[i] > widest)
            widest = s->sample_bytes[i];
    }
    size_t chunk = chunk_bytes / widest ? chunk_bytes / widest : 1;
    void *conv[NEURIO_DATAPREP_MAX_INPUTS] = { 0 };
    int rc = NEURIO_OK;
    for (uint32_t i = 0; i < s->n && !rc; i++)
        if (!(conv[i] = malloc(chunk * (s->sample_bytes[i] ? s->sample_bytes[i] : 1))))
            rc = neurio_fail(err, NEURIO_ERR_NOMEM, "out of memory");
    for (size_t first = 0; !rc && first < s->n_samples; first += chunk)
        rc = neurio_input_stream_read(s, first, s->n_samples - first < chunk
                                                    ? s->n_samples - first : chunk,
                                      conv, err);
    for (uint32_t i = 0; i < s->n; i++)
        free(conv[i]);
    return rc;
}

void neurio_input_stream_close(neurio_input_stream *s)
{
    if (!s)
        return;
    for (uint32_t i = 0; i < NEURIO_DATAPREP_MAX_INPUTS; i++)
        neurio_npy_close(&s->rd[i]);
    free(s->raw);
    memset(s, 0, sizeof *s);
}

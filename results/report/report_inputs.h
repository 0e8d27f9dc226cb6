/* results/report/report_inputs.h — turning arrays into what the KPIs compare: model
 * tensors (any dtype, quantized or not) to float, data.labels to class
 * indices or float targets, task.reference to float rows.  Shape problems
 * are reported with the rig key, the file and both shapes. */
#ifndef NEURIO_CORE_REPORT_INPUTS_H
#define NEURIO_CORE_REPORT_INPUTS_H

#include <stddef.h>
#include <stdint.h>

#include "neurio/model.h"
#include "neurio/npy.h"
#include "neurio/status.h"

/* Element i of data (dtype dt) as a double; 0 for an unknown dtype. */
double nr_report_get(const void *data, neurio_dtype dt, size_t i);

/* Convert n elements of `src` laid out as tensor t (its dtype) to float:
 * quantized integer tensors become scale * (q - zero_point) (per-tensor
 * parameters; for per-channel ones, channel 0's), others are cast. */
void nr_report_to_float(const void *src, const neurio_tensor *t, size_t n, float *dst);

/* "[100, 10]" into buf. */
const char *nr_report_shape_str(const neurio_npy *a, char *buf, size_t cap);

/* Class index per sample from labels: shape [N] or [N, 1] of integral values
 * (any numeric dtype), or [N, C] / [N, 1, C] one-hot or scores with
 * C == n_classes (argmax, e.g. golden outputs).
 * Uses the first n rows (N >= n).  Values must lie in [0, n_classes).
 * Returns 0 or NEURIO_ERR_CONFIG ("data.labels (y.npy) has shape [50] but
 * 100 samples are run"). */
int nr_report_labels_classes(const neurio_npy *a, const char *path, size_t n,
                             int32_t n_classes, int64_t *out, neurio_errbuf *err);

/* Rows [0, n) of a (N >= n rows of per_sample elements each) as float into
 * dst[n * per_sample].  An integer array with the output tensor's own dtype
 * is taken as quantized like that tensor (golden outputs) and dequantized;
 * anything else is cast.  `key` names the rig key for messages. */
int nr_report_rows_float(const neurio_npy *a, const char *key, const char *path,
                         size_t n, const neurio_tensor *out_t, size_t per_sample,
                         float *dst, neurio_errbuf *err);

/* Streaming forms: `a` is the whole array's header (shape checks against
 * n samples), `rows` its rows [first, first + count) as in the file (a
 * neurio_npy_reader's read); out/dst get count entries; messages count
 * samples and values from the start of the array. */
int nr_report_labels_classes_rows(const neurio_npy *a, const void *rows, const char *path,
                                  size_t n, size_t first, size_t count, int32_t n_classes,
                                  int64_t *out, neurio_errbuf *err);
int nr_report_rows_float_at(const neurio_npy *a, const void *rows, const char *key,
                            const char *path, size_t n, size_t first, size_t count,
                            const neurio_tensor *out_t, size_t per_sample, float *dst,
                            neurio_errbuf *err);

#endif /* NEURIO_CORE_REPORT_INPUTS_H */

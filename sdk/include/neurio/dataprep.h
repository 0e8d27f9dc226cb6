/* sdk/include/neurio/dataprep.h — user data ↔ model tensors, shared by every
 * plugin and the core.
 *
 * Inputs: a user array of shape [N] + tensor shape (the tensor's leading
 * batch dimension of 1 may be present or absent) is converted to the model
 * input's dtype:
 *   - same dtype: copied unchanged;
 *   - float32/float64 data for a quantized int8/uint8/int16 input: quantized
 *     with the input's scale and zero point as TFLite does
 *     (q = round_half_away_from_zero(x / scale) + zero_point, saturated);
 *   - float64 or integer data for a float32 input: converted to float32;
 *   - integer data for an integer input of another width: copied when every
 *     value fits, refused otherwise (naming the sample and the value).
 * Anything else, or a shape that does not fit, is refused with a message
 * naming both shapes and dtypes.  Real data must be finite and, for a
 * quantized input, not far outside its range (neurio_dataprep_check_real).
 */
#ifndef NEURIO_DATAPREP_H
#define NEURIO_DATAPREP_H

#include "neurio/api.h"

#include <stddef.h>
#include <stdint.h>

#include "neurio/model.h"
#include "neurio/npy.h"
#include "neurio/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Convert `arr` for graph input `input_index` of `m`.  On success *out is a
 * malloc'ed buffer of *n_samples * neurio_tensor_bytes(input) bytes in the
 * input's dtype (caller frees with free()).  Errors: NEURIO_ERR_INVALID
 * (shape/dtype/range mismatch, bad index) with a one-line message;
 * NEURIO_ERR_NOMEM. */
NEURIO_API int neurio_dataprep_input(const neurio_model *m, int32_t input_index,
                          const neurio_npy *arr, void **out, size_t *n_samples,
                          neurio_errbuf *err);

/* Streaming form (rows read from a large file, neurio/npy.h's reader):
 * `arr` gives the WHOLE array's header (dtype, rank, dims; data unused),
 * `rows` holds its samples [first, first + count) as in the file.  Writes
 * count * neurio_tensor_bytes(input) bytes to out (caller-owned).  The
 * same checks and messages as neurio_dataprep_input, sample numbers
 * counted from the start of the array. */
NEURIO_API int neurio_dataprep_input_rows(const neurio_model *m, int32_t input_index,
                                          const neurio_npy *arr, const void *rows,
                                          size_t first, size_t count, void *out,
                                          neurio_errbuf *err);

/* The shape check alone: *n_samples of arr (its header) for input
 * input_index, or the neurio_dataprep_input message. */
NEURIO_API int neurio_dataprep_input_shape(const neurio_model *m, int32_t input_index,
                                           const neurio_npy *arr, size_t *n_samples,
                                           neurio_errbuf *err);

/* Check a real (float32/float64) array before it is used as model input
 * or calibration data: every value finite, and when `t` is a quantized
 * integer tensor, every value within its representable real range widened
 * by the range's width on each side (beyond that the data is in the wrong
 * unit or scale).  `per` = elements per sample, for messages.  Integer
 * arrays pass.  Returns NEURIO_OK or NEURIO_ERR_INVALID with a message
 * naming the sample, the element and the value.  neurio_dataprep_input()
 * applies it to every real array. */
NEURIO_API int neurio_dataprep_check_real(const neurio_npy *arr, const neurio_tensor *t, size_t per,
                               neurio_errbuf *err);

/* Real values of graph output `output_index` for n_samples samples stored
 * back to back in the output's dtype: (q - zero_point) * scale for quantized
 * outputs, a plain conversion otherwise.  `out` receives n_samples *
 * elements floats (caller-owned).  Returns NEURIO_OK, or NEURIO_ERR_INVALID
 * for a bad index or an unsupported dtype. */
NEURIO_API int neurio_dataprep_dequantize(const neurio_model *m, int32_t output_index,
                               const void *data, size_t n_samples, float *out);

/* TFLite's affine quantization of one value (round half away from zero,
 * saturate to [qmin, qmax]). */
NEURIO_API int32_t neurio_quantize_value(float x, float scale, int32_t zero_point,
                              int32_t qmin, int32_t qmax);

/* Several graph inputs at once: one array per input of the model, in the
 * model's input order (what a rig's data.inputs list gives). */
#define NEURIO_DATAPREP_MAX_INPUTS 16
#define NEURIO_INPUTS_KEEP_RAW 1u
#define NEURIO_INPUTS_REAL_FOR_FLOAT 2u
typedef struct neurio_input_set {
    uint32_t n;                                  /* = the model's inputs      */
    neurio_npy arr[NEURIO_DATAPREP_MAX_INPUTS];  /* as read (keep_raw only)   */
    void *conv[NEURIO_DATAPREP_MAX_INPUTS];      /* n_samples * sample_bytes  */
    size_t sample_bytes[NEURIO_DATAPREP_MAX_INPUTS];
    size_t n_samples;                            /* the same for every input  */
} neurio_input_set;

/* Read paths[0..n_paths) and convert path i for graph input i of m
 * (neurio_dataprep_input) into *out (zeroed first; free it with
 * neurio_input_set_free, also after a failure).  flags: KEEP_RAW keeps the
 * arrays as read in out->arr (else they are freed once converted);
 * REAL_FOR_FLOAT refuses non-float data for a float32 input (a model that
 * is quantized later wants the real values, quantized with the prepared
 * model's scale).  `what` names
 * the arrays in messages ("data.inputs"; see neurio_dataprep_input_what).
 * Returns NEURIO_OK; NEURIO_ERR_CONFIG when n_paths is not the model's
 * input count (the message lists the inputs by index and name); the
 * reader's status; NEURIO_ERR_INVALID for a shape/dtype/range mismatch
 * (naming the input), an empty array or unequal sample counts;
 * NEURIO_ERR_UNSUPPORTED beyond NEURIO_DATAPREP_MAX_INPUTS inputs. */
NEURIO_API int neurio_dataprep_inputs(const neurio_model *m, const char *const *paths,
                                      size_t n_paths, const char *what, unsigned flags,
                                      neurio_input_set *out, neurio_errbuf *err);
NEURIO_API void neurio_input_set_free(neurio_input_set *s);

/* How messages name array i: `what` itself for one array of a
 * single-input model, else "what[i] (input i 'name')".  Returns buf. */
NEURIO_API const char *neurio_dataprep_input_what(const neurio_model *m, size_t n_paths,
                                                  uint32_t i, const char *what, char *buf,
                                                  size_t cap);

/* The same arrays streamed (memory = one batch, whatever the number of
 * samples): open checks what neurio_dataprep_inputs checks from the
 * headers (count, shape, dtype for REAL_FOR_FLOAT, equal sample counts;
 * same messages), read converts rows [first, first + count) of every input
 * into out[i] (count * sample_bytes[i] bytes each; the per-value checks
 * and messages of neurio_dataprep_input, samples numbered in the whole
 * array), check reads every row once through buffers of about
 * chunk_bytes (validation before a run).  Close also after a failure. */
typedef struct neurio_input_stream {
    uint32_t n;
    neurio_npy_reader rd[NEURIO_DATAPREP_MAX_INPUTS];
    size_t sample_bytes[NEURIO_DATAPREP_MAX_INPUTS];
    size_t n_samples;
    const neurio_model *m;          /* borrowed until close              */
    const char *what;               /* borrowed                          */
    const char *const *paths;       /* borrowed                          */
    size_t n_paths;
    void *raw;                      /* one batch of rows as in the file  */
    size_t raw_cap;
} neurio_input_stream;

NEURIO_API int neurio_input_stream_open(const neurio_model *m, const char *const *paths,
                                        size_t n_paths, const char *what, unsigned flags,
                                        neurio_input_stream *s, neurio_errbuf *err);
NEURIO_API int neurio_input_stream_read(neurio_input_stream *s, size_t first, size_t count,
                                        void *const *out, neurio_errbuf *err);
NEURIO_API int neurio_input_stream_check(neurio_input_stream *s, size_t chunk_bytes,
                                         neurio_errbuf *err);
NEURIO_API void neurio_input_stream_close(neurio_input_stream *s);

/* Write "[1, 49, 10, 1]" into buf (always NUL-terminated). */
NEURIO_API void neurio_shape_str(char *buf, size_t size, int32_t rank, const int64_t *dims);

#ifdef __cplusplus
}
#endif
#endif /* NEURIO_DATAPREP_H */

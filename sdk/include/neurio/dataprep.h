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

/* Write "[1, 49, 10, 1]" into buf (always NUL-terminated). */
NEURIO_API void neurio_shape_str(char *buf, size_t size, int32_t rank, const int64_t *dims);

#ifdef __cplusplus
}
#endif
#endif /* NEURIO_DATAPREP_H */

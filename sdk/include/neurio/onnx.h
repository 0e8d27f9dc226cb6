/* sdk/include/neurio/onnx.h — ONNX importer into neurio's graph IR.
 *
 * Supports opsets 11..17.  NCHW activations are converted to the IR's NHWC
 * layout (weights to OHWI), initializers become constant tensors, QDQ pairs
 * (QuantizeLinear/DequantizeLinear) become quantized tensors.  An unsupported
 * op fails with a message naming the op type, the node name and its index.
 */
#ifndef NEURIO_ONNX_H
#define NEURIO_ONNX_H

#include "neurio/api.h"

#include <stddef.h>

#include "neurio/model.h"
#include "neurio/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Parse an ONNX ModelProto held in buf[0..len).  name names the model (a
 * C identifier is derived from it).  On success *out is a new model owned
 * by the caller (neurio_model_free).  buf is not retained. */
NEURIO_API int neurio_onnx_parse(const void *buf, size_t len, const char *name,
                      neurio_model **out, neurio_errbuf *err);

/* Non-zero when the importer converts this default-domain op_type
 * ("Conv", "Gemm", ...); some attribute combinations may still be refused
 * with NEURIO_ERR_UNSUPPORTED at import. */
NEURIO_API int neurio_onnx_op_supported(const char *op_type);

/* Read and parse an .onnx file; the model is named after the file. */
NEURIO_API int neurio_onnx_load(const char *path, neurio_model **out, neurio_errbuf *err);

#ifdef __cplusplus
}
#endif
#endif /* NEURIO_ONNX_H */

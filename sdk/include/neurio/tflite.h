/* sdk/include/neurio/tflite.h — TFLite flatbuffer importer into neurio's
 * graph IR.
 *
 * The reader is neurio's own bounds-checked flatbuffer walker written from
 * the public TFLite schema (schema.fbs): every offset, vtable, vector length
 * and string is checked against the buffer before use.  Buffers may be
 * inline or stored by offset/size after the flatbuffer (the >2 GB "large
 * model" form).  Only subgraph 0 is imported (a model with more subgraphs is
 * refused); custom ops are refused with their custom_code; an unsupported
 * builtin op is refused naming the op, its index and the supported list.
 * Malformed files fail with NEURIO_ERR_FORMAT naming the byte offset.
 *
 * The model returned is imported, not validated: call
 * neurio_model_validate() (neurio_model_load() does both).  This lets tools
 * such as `neurio inspect` show a model neurio cannot run (e.g. a hybrid
 * model with float activations and int8 weights) and say why.
 */
#ifndef NEURIO_TFLITE_H
#define NEURIO_TFLITE_H

#include "neurio/api.h"

#include <stddef.h>

#include "neurio/model.h"
#include "neurio/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Parse a TFLite flatbuffer held in buf[0..len).  name names the model (a
 * C identifier is derived from it; NULL gives "model").  On success *out is
 * a new model owned by the caller (neurio_model_free); buf is not retained.
 * On failure *out is NULL and err holds a one-line message. */
NEURIO_API int neurio_tflite_parse(const void *buf, size_t len, const char *name,
                        neurio_model **out, neurio_errbuf *err);

/* Read and parse a .tflite file; the model is named after the file and
 * model->source is the path.  Messages start with the path. */
NEURIO_API int neurio_tflite_load(const char *path, neurio_model **out, neurio_errbuf *err);

/* Name of TFLite builtin operator code `code` ("CONV_2D"), or NULL if the
 * code is not one neurio knows by name.  Static storage. */
NEURIO_API const char *neurio_tflite_builtin_name(int32_t code);

/* One operator of subgraph 0 as listed by neurio_tflite_list_ops(). */
typedef struct neurio_tflite_op_info {
    int32_t index;       /* operator index in subgraph 0                    */
    int32_t builtin;     /* BuiltinOperator code (32 = CUSTOM)              */
    char name[64];       /* builtin name ("CONV_2D") or the custom_code     */
    int32_t supported;   /* 1 if neurio imports this operator kind          */
} neurio_tflite_op_info;

/* List the operators of subgraph 0 without importing the model, so a tool
 * can show which ones neurio does not support.  On success *ops is a
 * malloc'ed array of *n entries (caller frees; NULL when *n is 0).  The
 * file is checked as strictly as by neurio_tflite_parse() for the parts
 * read here (header, operator codes, the operators' opcode_index). */
NEURIO_API int neurio_tflite_list_ops(const void *buf, size_t len, neurio_tflite_op_info **ops,
                           int32_t *n, neurio_errbuf *err);

#ifdef __cplusplus
}
#endif
#endif /* NEURIO_TFLITE_H */

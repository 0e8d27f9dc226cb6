/* sdk/src/import/onnx_off.c — the ONNX entry points of a libneurio built
 * with NEURIO_WITH_ONNX=OFF (no protobuf-c): the API stays the same for
 * plugins and the launcher, and every call says why it cannot work.  With
 * ONNX on (the default) this file compiles to nothing; import/onnx/ has the
 * importer. */
#include "neurio/onnx.h"

#ifdef NEURIO_NO_ONNX
#define ONNX_OFF "this libneurio was built without ONNX import (NEURIO_WITH_ONNX=OFF); " \
                 "rebuild with it (needs protobuf-c and python3-onnx) or convert the model to TFLite"

int neurio_onnx_parse(const void *buf, size_t len, const char *name, neurio_model **out,
                      neurio_errbuf *err)
{
    (void)buf, (void)len;
    if (out)
        *out = NULL;
    return neurio_fail(err, NEURIO_ERR_UNSUPPORTED, "%s: %s", name ? name : "model", ONNX_OFF);
}

int neurio_onnx_op_supported(const char *op_type)
{
    (void)op_type;
    return 0;
}

int neurio_onnx_load(const char *path, neurio_model **out, neurio_errbuf *err)
{
    if (out)
        *out = NULL;
    return neurio_fail(err, NEURIO_ERR_UNSUPPORTED, "%s: %s", path ? path : "model", ONNX_OFF);
}
#else
/* ISO C wants at least one declaration in a translation unit. */
typedef int neurio_onnx_off_unused;
#endif

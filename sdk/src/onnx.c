/* sdk/src/onnx.c — ONNX importer (work in progress: see neurio/onnx.h). */
#include "neurio/onnx.h"

int neurio_onnx_parse(const void *buf, size_t len, const char *name,
                      neurio_model **out, neurio_errbuf *err)
{
    (void)buf; (void)len; (void)name;
    if (out) *out = NULL;
    return neurio_fail(err, NEURIO_ERR_UNSUPPORTED,
                       "ONNX import is not implemented yet in this build");
}

int neurio_onnx_load(const char *path, neurio_model **out, neurio_errbuf *err)
{
    if (out) *out = NULL;
    return neurio_fail(err, NEURIO_ERR_UNSUPPORTED,
                       "%s: ONNX import is not implemented yet in this build", path);
}

/* sdk/src/tflite.c — TFLite importer (being written: see neurio/tflite.h). */
#include "neurio/tflite.h"

int neurio_tflite_parse(const void *buf, size_t len, const char *name,
                        neurio_model **out, neurio_errbuf *err)
{
    (void)buf; (void)len; (void)name;
    if (out) *out = NULL;
    return neurio_fail(err, NEURIO_ERR_UNSUPPORTED,
                       "TFLite import is not implemented yet in this build");
}

int neurio_tflite_load(const char *path, neurio_model **out, neurio_errbuf *err)
{
    if (out) *out = NULL;
    return neurio_fail(err, NEURIO_ERR_UNSUPPORTED,
                       "%s: TFLite import is not implemented yet in this build", path);
}

const char *neurio_tflite_builtin_name(int32_t code)
{
    (void)code;
    return NULL;
}

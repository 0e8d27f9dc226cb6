/* sdk/src/import/model_load.c — neurio_model_load(): pick the importer by content
 * (TFLite identifier "TFL3" at byte 4, else ONNX), then validate. */
#include "neurio/model.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "neurio/onnx.h"
#include "neurio/tflite.h"

static int has_suffix(const char *s, const char *suf)
{
    size_t n = strlen(s), k = strlen(suf);
    if (n < k)
        return 0;
    for (size_t i = 0; i < k; i++)
        if (tolower((unsigned char)s[n - k + i]) != suf[i])
            return 0;
    return 1;
}

int neurio_model_load(const char *path, neurio_model **out, neurio_errbuf *err)
{
    if (out)
        *out = NULL;
    if (!path || !out)
        return neurio_fail(err, NEURIO_ERR_INVALID, "model load: no path given");
    unsigned char head[8] = { 0 };
    FILE *f = fopen(path, "rb");
    if (!f)
        return neurio_fail(err, NEURIO_ERR_IO, "%s: cannot open model: %s", path,
                           strerror(errno));
    size_t got = fread(head, 1, sizeof head, f);
    fclose(f);

    int rc;
    neurio_model *m = NULL;
    if (got >= 8 && !memcmp(head + 4, "TFL3", 4)) {
        rc = neurio_tflite_load(path, &m, err);
    } else if (has_suffix(path, ".onnx") || (got >= 1 && head[0] == 0x08)) {
        /* ONNX ModelProto starts with field 1 (ir_version, varint) = 0x08. */
        rc = neurio_onnx_load(path, &m, err);
    } else if (has_suffix(path, ".tflite")) {
        return neurio_fail(err, NEURIO_ERR_FORMAT,
                           "%s: not a TFLite flatbuffer (no 'TFL3' identifier at byte 4); "
                           "is the file truncated or of another format?", path);
    } else {
        return neurio_fail(err, NEURIO_ERR_FORMAT,
                           "%s: unknown model format; neurio reads TFLite (.tflite, "
                           "identifier 'TFL3' at byte 4) and ONNX (.onnx)", path);
    }
    if (rc != NEURIO_OK)
        return rc;
    if (neurio_model_escape_strings(m) != NEURIO_OK) {
        neurio_model_free(m);
        return neurio_fail(err, NEURIO_ERR_NOMEM, "%s: out of memory", path);
    }
    neurio_errbuf verr;
    rc = neurio_model_validate(m, &verr);
    if (rc != NEURIO_OK) {
        neurio_fail(err, rc, "%s: %s", path, verr.msg);
        neurio_model_free(m);
        return rc;
    }
    *out = m;
    return NEURIO_OK;
}

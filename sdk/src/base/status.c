/* sdk/src/base/status.c — status code names and the errbuf helper. */
#include "neurio/status.h"

#include <stdarg.h>
#include <stdio.h>

const char *neurio_status_str(int status)
{
    switch (status) {
    case NEURIO_OK: return "ok";
    case NEURIO_ERR_INVALID: return "invalid input";
    case NEURIO_ERR_NOMEM: return "out of memory";
    case NEURIO_ERR_IO: return "i/o error";
    case NEURIO_ERR_FORMAT: return "malformed file";
    case NEURIO_ERR_UNSUPPORTED: return "not supported";
    case NEURIO_ERR_CONFIG: return "configuration error";
    case NEURIO_ERR_TOOLCHAIN: return "toolchain error";
    case NEURIO_ERR_DEVICE: return "device error";
    case NEURIO_ERR_TIMEOUT: return "timed out";
    case NEURIO_ERR_CLOSED: return "link closed";
    case NEURIO_ERR_CANCELLED: return "cancelled";
    case NEURIO_ERR_STALE: return "stale device image";
    case NEURIO_ERR_INTERNAL: return "internal error";
    default: return "unknown error";
    }
}

size_t neurio_escape_controls(char *dst, size_t cap, const char *src)
{
    static const char hex[] = "0123456789abcdef";
    size_t o = 0;
    if (!cap)
        return 0;
    for (const unsigned char *p = (const unsigned char *)src; *p; p++) {
        if (*p >= 0x20 && *p != 0x7f) {
            if (o + 1 >= cap)
                break;
            dst[o++] = (char)*p;
        } else {
            if (o + 4 >= cap)
                break;
            dst[o++] = '\\';
            dst[o++] = 'x';
            dst[o++] = hex[*p >> 4];
            dst[o++] = hex[*p & 15];
        }
    }
    dst[o] = '\0';
    return o;
}

int neurio_fail(neurio_errbuf *err, int status, const char *fmt, ...)
{
    if (err) {
        char raw[sizeof err->msg];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(raw, sizeof raw, fmt, ap);
        va_end(ap);
        /* One line, no terminal controls: names from files (tensors, model
         * descriptions, paths) may carry ESC, CR or LF. */
        neurio_escape_controls(err->msg, sizeof err->msg, raw);
    }
    return status;
}

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

int neurio_fail(neurio_errbuf *err, int status, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        va_end(ap);
    }
    return status;
}

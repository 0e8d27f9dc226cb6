/* sdk/include/neurio/status.h — status codes shared by libneurio, the core
 * and every plugin.
 *
 * Every fallible function in the SDK and every plugin hook returns
 * NEURIO_OK (0) or one of the negative codes below.  The code says what kind
 * of failure it was (so the launcher can pick an exit code); the human
 * message travels separately (neurio_host.set_error for plugins,
 * neurio_errbuf for libneurio functions).
 */
#ifndef NEURIO_STATUS_H
#define NEURIO_STATUS_H

#include "neurio/api.h"

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum neurio_status {
    NEURIO_OK = 0,
    NEURIO_ERR_INVALID = -1,     /* bad argument or bad input data            */
    NEURIO_ERR_NOMEM = -2,       /* an allocation failed                      */
    NEURIO_ERR_IO = -3,          /* a file could not be read or written       */
    NEURIO_ERR_FORMAT = -4,      /* a file is malformed (model, .npy, ...)    */
    NEURIO_ERR_UNSUPPORTED = -5, /* valid, but neurio cannot do it (yet)      */
    NEURIO_ERR_CONFIG = -6,      /* a rig or option value is wrong            */
    NEURIO_ERR_TOOLCHAIN = -7,   /* compiler, linker or flasher failed        */
    NEURIO_ERR_DEVICE = -8,      /* the device misbehaved (protocol, reset)   */
    NEURIO_ERR_TIMEOUT = -9,     /* the device stopped answering              */
    NEURIO_ERR_CLOSED = -10,     /* the link was closed by the other side     */
    NEURIO_ERR_CANCELLED = -11,  /* the user interrupted (SIGINT)             */
    NEURIO_ERR_STALE = -12,      /* device runs another model/firmware        */
    NEURIO_ERR_INTERNAL = -13    /* a bug in neurio: please report it         */
} neurio_status;

/* Returns a static, never-NULL English name for a status code
 * ("invalid input", "timed out", ...).  Unknown codes give "unknown error". */
NEURIO_API const char *neurio_status_str(int status);

/* A caller-owned buffer that a libneurio function fills with a one-line
 * message when it fails.  Functions that take a neurio_errbuf * accept NULL
 * (message dropped).  The message never ends with a newline. */
typedef struct neurio_errbuf {
    char msg[512];
} neurio_errbuf;

/* Copy `src` into dst (cap bytes, always NUL-terminated) with every control
 * character (0x00-0x1f, 0x7f: ESC, CR, LF, ...) written as "\xNN", so text
 * from a file can reach a terminal or a log line without acting on it.
 * Returns the length written (truncated at a whole character). */
NEURIO_API size_t neurio_escape_controls(char *dst, size_t cap, const char *src);

/* printf-style helper used by libneurio and plugins to fill an errbuf.
 * Returns `status` so it can be used as `return neurio_fail(e, code, ...)`. */
NEURIO_API int neurio_fail(neurio_errbuf *err, int status, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

#ifdef __cplusplus
}
#endif
#endif /* NEURIO_STATUS_H */

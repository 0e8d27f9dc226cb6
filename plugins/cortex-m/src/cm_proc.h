/* plugins/cortex-m/src/cm_proc.h — child processes come from libneurio
 * (neurio/port.h: tools with a timeout and a log, emulators in their own
 * process group); this adds the plugin's checked formatting helper.
 * Internal to the plugin (names cm_*). */
#ifndef CM_PROC_H
#define CM_PROC_H

#include <stddef.h>

#include "neurio/port.h"

/* snprintf that reports truncation instead of being checked by the
 * compiler: returns 0, or -1 when the result did not fit (out is then
 * truncated but terminated).  For paths and messages built from user input. */
int cm_fmt(char *out, size_t cap, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif

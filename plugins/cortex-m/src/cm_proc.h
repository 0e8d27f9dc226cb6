/* plugins/cortex-m/src/cm_proc.h — child processes for the cortex-m
 * plugin: tools run to completion (compiler, size, flasher) and long-lived
 * emulators in their own process group that are always stopped and reaped.
 * Internal to the plugin (names cm_*). */
#ifndef CM_PROC_H
#define CM_PROC_H

#include <stddef.h>
#include <sys/types.h>

#include "neurio/status.h"

/* Run argv[0] (searched in PATH) with stdout+stderr appended to log_path
 * (created if needed), wait up to timeout_ms (< 0 = forever).  Returns
 * NEURIO_OK and the exit status in *exit_code (0..255, or 128+signal), or
 * NEURIO_ERR_TOOLCHAIN when it could not start ("arm-none-eabi-gcc: not
 * found, install gcc-arm-none-eabi") or NEURIO_ERR_TIMEOUT (the child's
 * group is killed and reaped first). */
int cm_proc_run(char *const argv[], const char *log_path, int timeout_ms,
                int *exit_code, neurio_errbuf *err);

/* A child in its own process group (so the whole group can be signalled),
 * killed with SIGKILL if this process dies (PR_SET_PDEATHSIG). */
typedef struct cm_child {
    pid_t pid;   /* also the process-group id; 0 when not running */
    int status;  /* wait status once reaped                        */
    int reaped;
} cm_child;

/* Start argv with stdout+stderr going to log_path.  stdin is /dev/null. */
int cm_child_spawn(cm_child *c, char *const argv[], const char *log_path,
                   neurio_errbuf *err);
/* Non-zero (and reaps it) if the child has exited. */
int cm_child_exited(cm_child *c);
/* SIGTERM the group, wait up to grace_ms, then SIGKILL and reap.  Safe to
 * call twice or on a never-started child. */
void cm_child_stop(cm_child *c, int grace_ms);

/* snprintf that reports truncation instead of being checked by the
 * compiler: returns 0, or -1 when the result did not fit (out is then
 * truncated but terminated).  For paths and messages built from user input. */
int cm_fmt(char *out, size_t cap, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Last `max` bytes of a text file, trimmed to whole lines and with newlines
 * turned into " | ", for error messages.  Writes "" if unreadable. */
void cm_log_tail(const char *path, char *out, size_t max);

#endif

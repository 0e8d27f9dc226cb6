/* sdk/include/neurio/port.h — the vendor port kit: what every device
 * plugin repeats, done once.
 *
 * 1. Attach the host end of the link to a transport and run the hello /
 *    identity sequence against the prepared model: neurio_port_attach().
 * 2. Child processes: a tool run to completion with a timeout and a log (a
 * compiler, objcopy, a flasher), and a long-lived child (an emulator, a
 * native device process) in its own process group that is always stopped
 * and reaped, and killed if the launcher dies.
 *
 * argv[0] is searched in PATH; arguments are passed as they are (no shell,
 * so user paths need no quoting).  stdin is /dev/null; stdout and stderr
 * are appended to log_path (created if needed).  File descriptors without
 * O_CLOEXEC are inherited: that is how a socketpair end reaches a child.
 * 3. The firmware kernels compiled once per compiler and flag set, shared
 *    by every image built with the same ones: neurio_port_kernel_objects(). */
#ifndef NEURIO_PORT_H
#define NEURIO_PORT_H

#include "neurio/api.h"

#include <stddef.h>
#include <sys/types.h>

#include "neurio/link_host.h"
#include "neurio/model.h"
#include "neurio/paths.h"
#include "neurio/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- 1. the link ---------------------------------------------------------- */

/* Open the link over t (taken: closed on failure too), wait for the
 * device's hello, and check it serves the prepared model: its SHA-256
 * equals sha256_hex (host->model_sha256; NULL skips the check), its input
 * and output counts and bytes per sample equal m's, and it has room for at
 * least one sample.  Fills the link-derived fields of *info (may be NULL;
 * see neurio_link_device_info).  opt NULL = the link's defaults.  On
 * success *out is the open link (close it in the plugin's close hook). */
NEURIO_API int neurio_port_attach(neurio_transport *t, const neurio_link_options *opt,
                                  const neurio_model *m, const char *sha256_hex,
                                  neurio_link **out, neurio_device_info *info,
                                  neurio_errbuf *err);

/* ---- 2. child processes --------------------------------------------------- */

/* Run argv and wait up to timeout_ms (< 0 = forever).  NEURIO_OK with the
 * exit status in *exit_code (0..255, or 128+signal); NEURIO_ERR_TOOLCHAIN
 * when it could not start ("cannot run arm-none-eabi-gcc: No such file or
 * directory (not in PATH: ...)"); NEURIO_ERR_TIMEOUT naming the log (the
 * child's group is killed and reaped first). */
NEURIO_API int neurio_proc_run(char *const argv[], const char *log_path, int timeout_ms,
                               int *exit_code, neurio_errbuf *err);

/* A child in its own process group (pid is also the group id). */
typedef struct neurio_child {
    pid_t pid;   /* 0 when not running                                      */
    int status;  /* wait status once reaped                                 */
    int reaped;
} neurio_child;

/* Start argv (stdout+stderr to log_path).  Same errors as neurio_proc_run. */
NEURIO_API int neurio_child_spawn(neurio_child *c, char *const argv[], const char *log_path,
                                  neurio_errbuf *err);
/* Non-zero (and reaps it) if the child has exited. */
NEURIO_API int neurio_child_exited(neurio_child *c);
/* SIGTERM the group, wait up to grace_ms, then SIGKILL and reap.  Safe to
 * call twice or on a never-started child. */
NEURIO_API void neurio_child_stop(neurio_child *c, int grace_ms);

/* The last `max` bytes of a text file, whole lines joined by " | ", for an
 * error message ("... failed: <tail of the log>").  "" if unreadable. */
NEURIO_API void neurio_log_tail(const char *path, char *out, size_t max);

/* ---- 3. the kernels, compiled once --------------------------------------- */

/* The firmware kernels (<fw_dir>/kernels, the folders named in `skip` left
 * out, e.g. {"arm", "mve", NULL} on a core that is not a Cortex-M) depend
 * on nothing of the model, the board or the runtime's build options: only
 * on their sources and headers, <fw_dir>/include and the compiler flags.
 * This compiles them once into cache_root/<SHA-256 of the compiler's
 * --version, the flags, `skip` and every kernel and include file>/ (under a
 * temporary name, renamed into place, so concurrent builds never see half
 * a folder) and lists in *objs (appended; the caller frees) one object per
 * source, in the order of neurio_list_files(<fw_dir>/kernels, ".c", skip):
 * an image that links them where it would compile the sources is the same
 * image.  flags: the compiler, then the code generation options and the
 * -I folders the kernels need (no -c, -o or source, no -D of the runtime
 * or the board), NULL-terminated.  The compiler's messages go to log_path.
 * The in-tree plugins use it when the environment sets
 * NEURIO_KERNEL_CACHE=DIR (CTest does, for every test).
 * The cache is bounded: each use marks its entry used (the folder's mtime),
 * then the entries beyond the NEURIO_KERNEL_CACHE_MAX (default 32) most
 * recently used are removed, except those used in the last hour (a
 * concurrent build may be linking them), as are the temporary folders of
 * builds that died over an hour ago.  Errors: NEURIO_ERR_TOOLCHAIN naming
 * the kernel that failed and the log, NEURIO_ERR_IO naming the cache path,
 * NEURIO_ERR_INVALID on a NULL argument or a NEURIO_KERNEL_CACHE_MAX that
 * is not a whole number from 1 to 1000000. */
NEURIO_API int neurio_port_kernel_objects(const char *cache_root, char *const *flags,
                                          const char *fw_dir, const char *const *skip,
                                          const char *log_path, int timeout_ms,
                                          neurio_path_list *objs, neurio_errbuf *err);

#ifdef __cplusplus
}
#endif
#endif /* NEURIO_PORT_H */

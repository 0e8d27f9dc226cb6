/* plugins/cortex-m/src/cm_kcache.h — the kernels (firmware/kernels) compiled
 * once per compiler and flag set, shared by every firmware build that uses
 * the same ones.  Internal to the cortex-m plugin.
 *
 * The kernels depend on nothing of the model, the board or the runtime's
 * build options (no NRT_*, CM_* or generated header reaches them): only on
 * their own sources and headers, firmware/include and the compiler flags.
 * With NEURIO_KERNEL_CACHE=DIR set, cm_fw_build compiles them into
 * DIR/<sha256 of compiler, flags and every kernel and header file>/ once and
 * links those objects, in the same order as it would the sources, in place
 * of compiling them again.  The image is the same (same objects, same link
 * order); only the time of the build changes (about 7 s of CPU per image
 * on a 2-core machine).  Unset, nothing changes.  A directory is complete
 * when it exists: it is compiled under a temporary name and renamed into
 * place, so processes that build at the same time never see half of it.
 */
#ifndef CM_KCACHE_H
#define CM_KCACHE_H

#include "neurio/paths.h"
#include "neurio/status.h"

/* The kernel objects for `flags` (compiler first, then its options; NULL
 * terminated; no -c/-o/source), compiled below `cache_root` when absent.
 * `toolchain_id` names the compiler's version (part of the key); log_path
 * receives the compiler's messages.  On success `objs` lists one object per
 * kernel source, in the order of neurio_list_files(<fw_dir>/kernels, ".c").
 * NEURIO_ERR_TOOLCHAIN naming the failing source and the log;
 * NEURIO_ERR_IO naming the cache path that could not be written. */
int cm_kcache_objects(const char *cache_root, char *const *flags, const char *toolchain_id,
                      const char *fw_dir, const char *log_path, int timeout_ms,
                      neurio_path_list *objs, neurio_errbuf *err);

#endif

/* neurio/paths.h — where neurio's own files are, in a build tree or installed.
 *
 * libneurio finds itself (dladdr) and answers relative to its own location:
 *   - loaded from the build tree it was built in: the source tree's files
 *     and the build tree's plugins;
 *   - installed under <prefix>/lib: <prefix>/share/neurio/... and
 *     <prefix>/lib/neurio/plugins (relocatable: the prefix is derived from
 *     the library's path, not frozen at build time).
 * Environment overrides, for packaging and tests: NEURIO_DATA_DIR,
 * NEURIO_FIRMWARE_DIR, NEURIO_PLUGIN_DIR.
 *
 * Every function returns a static, absolute, never-NULL string without a
 * trailing slash, computed once and valid for the life of the process.
 */
#ifndef NEURIO_PATHS_H
#define NEURIO_PATHS_H

#include "neurio/api.h"

#include <stddef.h>

#include "neurio/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Portable firmware sources (runtime, kernels, include): <source>/firmware
 * in a build tree, <prefix>/share/neurio/firmware when installed. */
NEURIO_API const char *neurio_firmware_dir(void);

/* Directory of built or installed plugins: <build>/plugins, or
 * <prefix>/lib/neurio/plugins. */
NEURIO_API const char *neurio_plugin_dir(void);

/* neurio's data root: <source> in a build tree, <prefix>/share/neurio when
 * installed (schema files, example configs under config/). */
NEURIO_API const char *neurio_data_dir(void);

/* A caller-owned list of paths (each malloc'ed); release with
 * neurio_path_list_free().  Zero-initialise before first use. */
typedef struct neurio_path_list {
    char **paths;
    size_t count;
} neurio_path_list;

/* Appends to `list` every regular file below `dir` (recursively) whose name
 * ends with `suffix` (e.g. ".c"), in byte order of their paths relative to
 * `dir`, so builds are reproducible.  Subdirectories whose name is listed in
 * `skip` (NULL-terminated; NULL = none) are not entered; hidden entries
 * (leading '.') are ignored.  Paths are `dir` + "/" + relative path.  Names
 * are data: no glob, no shell.  Use it to enumerate the firmware tree:
 * neurio_list_files("<fw>/kernels", ".c", (const char *[]){"arm", NULL}, ...)
 * lists the portable kernels.  Returns NEURIO_OK; NEURIO_ERR_IO when `dir`
 * or a folder below it cannot be read (the message names it); NEURIO_ERR_NOMEM.
 * On failure `list` keeps what it held before the call. */
NEURIO_API int neurio_list_files(const char *dir, const char *suffix, const char *const *skip,
                      neurio_path_list *list, neurio_errbuf *err);

/* Frees every path and the array; leaves `list` empty.  NULL is a no-op. */
NEURIO_API void neurio_path_list_free(neurio_path_list *list);

#ifdef __cplusplus
}
#endif
#endif /* NEURIO_PATHS_H */

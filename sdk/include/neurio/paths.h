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

#ifdef __cplusplus
extern "C" {
#endif

/* Portable firmware sources (runtime, kernels, include): <source>/firmware
 * in a build tree, <prefix>/share/neurio/firmware when installed. */
const char *neurio_firmware_dir(void);

/* Directory of built or installed plugins: <build>/plugins, or
 * <prefix>/lib/neurio/plugins. */
const char *neurio_plugin_dir(void);

/* neurio's data root: <source> in a build tree, <prefix>/share/neurio when
 * installed (schema files, example configs under config/). */
const char *neurio_data_dir(void);

#ifdef __cplusplus
}
#endif
#endif /* NEURIO_PATHS_H */

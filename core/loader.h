/* core/loader.h — find and load device plugins (.so).
 *
 * Search order (no blind filesystem scan): each rig plugin_path entry (a
 * directory: every *.so in it, sorted; or a file), then the plugin
 * directory built or installed with neurio (neurio_plugin_dir()).  Each
 * candidate is checked, in this order: ELF shared object; its build
 * signature read from the file (machine, sanitizers, libneurio major:
 * plugin_sig.h); then it is dlopen'ed RTLD_NOW|RTLD_LOCAL: entry symbol, descriptor not NULL, ABI major equal,
 * ABI minor not newer, descriptor size not larger than the core's, name and
 * required hooks present (open, flash, transfer, infer, close; prepare and
 * codegen are optional since 1.1), name not already taken.  A refused candidate is
 * kept in the set with a one-line reason naming the file, the symbol and
 * both versions, and its handle closed.
 */
#ifndef NEURIO_CORE_LOADER_H
#define NEURIO_CORE_LOADER_H

#include <stddef.h>

#include "neurio/plugin.h"
#include "neurio/status.h"

typedef struct nr_plugin_entry {
    char *path;          /* the candidate file, absolute                    */
    const char *origin;  /* "plugin_path" or "plugin dir" (static)         */
    void *handle;        /* dlopen handle, NULL if refused                  */
    int ok;              /* 1 = loaded and usable                           */
    neurio_plugin desc;  /* core-size copy, zero-filled past plugin's size;
                            desc.options points at `options`              */
    neurio_option *options; /* the plugin's option table in the core's
                               layout (read by its option_size), owned     */
    char *refusal;       /* reason when !ok, owned                          */
} nr_plugin_entry;

typedef struct nr_plugin_set {
    nr_plugin_entry *v;
    size_t n;
} nr_plugin_set;

/* Load and check one file.  Returns NEURIO_OK with e->ok = 1, or a negative
 * status with e->refusal set (e is always filled; free with
 * nr_plugin_entry_clear). */
int nr_loader_load_file(const char *path, const char *origin, nr_plugin_entry *e);
void nr_plugin_entry_clear(nr_plugin_entry *e);

/* Scan `paths` (n entries, absolute) then the built/installed plugin dir
 * (unless skip_default).  A plugin_path entry that does not exist is an
 * error (NEURIO_ERR_CONFIG, message in err).  Refused plugins do not make
 * the scan fail.  Free with nr_plugin_set_free. */
int nr_loader_scan(const char *const *paths, size_t n, int skip_default,
                   nr_plugin_set *set, neurio_errbuf *err);

/* Like nr_loader_scan, but for `run`, `check` and `probe --rig`, which need
 * one plugin: only the files named neurio-<name>.so are loaded (no other
 * plugin's constructors run).  Only when none of them provides `name` does
 * it fall back to loading every candidate, since the name a plugin gives
 * itself is inside its descriptor. */
int nr_loader_scan_for(const char *const *paths, size_t n, int skip_default, const char *name,
                       nr_plugin_set *set, neurio_errbuf *err);

/* The usable plugin called `name`, or NULL with a message in err listing
 * what was found and, if a file of that name was refused, why. */
const nr_plugin_entry *nr_loader_find(const nr_plugin_set *set, const char *name,
                                      neurio_errbuf *err);

/* Unloads everything (descriptors become invalid). */
void nr_plugin_set_free(nr_plugin_set *set);

#endif /* NEURIO_CORE_LOADER_H */

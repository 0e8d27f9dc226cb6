/* core/loader.c — dlopen device plugins and check their descriptors. */
#include "loader.h"

#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "host.h"
#include "neurio/paths.h"
#include "plugin_sig.h"

/* An option entry of ABI 1.0: up to and including help. */
#define LOADER_OPTION_SIZE_1_0 (offsetof(neurio_option, help) + sizeof(const char *))

/* Minimum descriptor: everything up to and including close(). */
static const size_t loader_min_size = offsetof(neurio_plugin, close) + sizeof(void (*)(void *));

static int loader_refuse(nr_plugin_entry *e, int status, const char *fmt, ...)
    NEURIO_PRINTF(3, 4);

static int loader_refuse(nr_plugin_entry *e, int status, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    free(e->refusal);
    e->refusal = strdup(buf);
    e->ok = 0;
    if (e->handle) {
        dlclose(e->handle);
        e->handle = NULL;
    }
    return status;
}

/* 1 if the file starts with the ELF magic. */
static int loader_is_elf(const char *path)
{
    unsigned char m[4] = { 0 };
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    size_t n = fread(m, 1, 4, f);
    fclose(f);
    return n == 4 && m[0] == 0x7f && m[1] == 'E' && m[2] == 'L' && m[3] == 'F';
}

/* The plugin's option table in the core's layout: entries are read by the
 * plugin's element size (option_size; the 1.0 size for older plugins), what
 * the core knows beyond it is zero.  desc.options then points at the copy. */
static int loader_copy_options(nr_plugin_entry *e, const char *path)
{
    const unsigned char *src = (const unsigned char *)e->desc.options;
    size_t step = e->desc.abi_minor >= 1 && e->desc.option_size ? e->desc.option_size
                                                                 : LOADER_OPTION_SIZE_1_0;
    if (!src)
        return NEURIO_OK;
    if (step < LOADER_OPTION_SIZE_1_0)
        return loader_refuse(e, NEURIO_ERR_INVALID,
                             "%s: plugin '%s' declares option entries of %zu bytes, smaller "
                             "than the %zu bytes of ABI %d.0; initialise the descriptor with "
                             "NEURIO_PLUGIN_HEADER", path, e->desc.name, step,
                             (size_t)LOADER_OPTION_SIZE_1_0, NEURIO_ABI_MAJOR);
    size_t n = 0;
    while (((const neurio_option *)(const void *)(src + n * step))->name)
        n++;
    e->options = calloc(n + 1, sizeof *e->options);
    if (!e->options)
        return loader_refuse(e, NEURIO_ERR_NOMEM, "%s: out of memory", path);
    size_t take = step < sizeof(neurio_option) ? step : sizeof(neurio_option);
    for (size_t i = 0; i < n; i++)
        memcpy(&e->options[i], src + i * step, take);
    e->desc.options = e->options;
    e->desc.option_size = (uint32_t)sizeof(neurio_option);
    return NEURIO_OK;
}

int nr_loader_load_file(const char *path, const char *origin, nr_plugin_entry *e)
{
    memset(e, 0, sizeof *e);
    e->origin = origin;
    e->path = strdup(path);
    if (!e->path)
        return NEURIO_ERR_NOMEM;
    int elf = loader_is_elf(path);
    if (elf < 0)
        return loader_refuse(e, NEURIO_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
    if (!elf)
        return loader_refuse(e, NEURIO_ERR_FORMAT,
                             "%s: not a shared object (no ELF header); remove it from the "
                             "plugin path or rebuild it with neurio_add_plugin()", path);
    /* The build signature, from the file: a plugin that does not fit may
     * not even survive dlopen (plugin_sig.h). */
    nr_build_sig sig;
    const nr_build_sig *self = nr_build_sig_self();
    char why[512];
    if (self && nr_build_sig_read(path, &sig, why, sizeof why) == 0 &&
        nr_build_sig_check(&sig, self, why, sizeof why) != 0)
        return loader_refuse(e, NEURIO_ERR_UNSUPPORTED, "%s: %s", path, why);
    dlerror();
    e->handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!e->handle) {
        const char *de = dlerror();
        return loader_refuse(e, NEURIO_ERR_FORMAT,
                             "%s: cannot be loaded as a shared object: %s; rebuild it for "
                             "this machine with neurio_add_plugin()", path, de ? de : "?");
    }
    dlerror();
    void *sym = dlsym(e->handle, NEURIO_PLUGIN_ENTRY);
    if (!sym)
        return loader_refuse(e, NEURIO_ERR_FORMAT,
                             "%s: missing entry symbol '%s'; a plugin must use "
                             "NEURIO_PLUGIN_DEFINE(descriptor) (core ABI %d.%d)",
                             path, NEURIO_PLUGIN_ENTRY, NEURIO_ABI_MAJOR, NEURIO_ABI_MINOR);
    neurio_plugin_init_fn init;
    memcpy(&init, &sym, sizeof init);
    const neurio_plugin *d = init(nr_host());
    if (!d)
        return loader_refuse(e, NEURIO_ERR_FORMAT,
                             "%s: '%s' returned NULL instead of a descriptor; return the "
                             "address of a static const neurio_plugin", path,
                             NEURIO_PLUGIN_ENTRY);
    if (d->abi_major != NEURIO_ABI_MAJOR)
        return loader_refuse(e, NEURIO_ERR_UNSUPPORTED,
                             "%s: '%s' reports plugin ABI %u.%u, core ABI is %d.%d (major "
                             "differs); rebuild the plugin against neurio SDK %d.x",
                             path, NEURIO_PLUGIN_ENTRY, d->abi_major, d->abi_minor,
                             NEURIO_ABI_MAJOR, NEURIO_ABI_MINOR, NEURIO_ABI_MAJOR);
    if (d->abi_minor > NEURIO_ABI_MINOR)
        return loader_refuse(e, NEURIO_ERR_UNSUPPORTED,
                             "%s: '%s' reports plugin ABI %u.%u, newer than core ABI %d.%d; "
                             "upgrade neurio or rebuild the plugin against SDK %d.%d",
                             path, NEURIO_PLUGIN_ENTRY, d->abi_major, d->abi_minor,
                             NEURIO_ABI_MAJOR, NEURIO_ABI_MINOR, NEURIO_ABI_MAJOR,
                             NEURIO_ABI_MINOR);
    if (d->size > sizeof(neurio_plugin))
        return loader_refuse(e, NEURIO_ERR_UNSUPPORTED,
                             "%s: '%s' descriptor is %u bytes, larger than the %zu bytes of "
                             "core ABI %d.%d (plugin ABI %u.%u); rebuild the plugin against "
                             "this SDK", path, NEURIO_PLUGIN_ENTRY, d->size,
                             sizeof(neurio_plugin), NEURIO_ABI_MAJOR, NEURIO_ABI_MINOR,
                             d->abi_major, d->abi_minor);
    if (d->size < loader_min_size)
        return loader_refuse(e, NEURIO_ERR_UNSUPPORTED,
                             "%s: '%s' descriptor is %u bytes, smaller than the %zu bytes "
                             "every ABI %d.x descriptor has; initialise it with "
                             "NEURIO_PLUGIN_HEADER", path, NEURIO_PLUGIN_ENTRY, d->size,
                             loader_min_size, NEURIO_ABI_MAJOR);
    memset(&e->desc, 0, sizeof e->desc);
    memcpy(&e->desc, d, d->size);
    /* prepare and codegen are optional since 1.1 (the SDK's recipe). */
    static const char *const hook_names[] = { "open", "flash", "transfer", "infer", "close" };
    const int has_hook[] = { e->desc.open != NULL, e->desc.flash != NULL,
                             e->desc.transfer != NULL, e->desc.infer != NULL,
                             e->desc.close != NULL };
    if (!e->desc.name || !e->desc.name[0])
        return loader_refuse(e, NEURIO_ERR_INVALID,
                             "%s: '%s' descriptor has no name; set .name = \"<device>\"",
                             path, NEURIO_PLUGIN_ENTRY);
    for (size_t i = 0; i < sizeof has_hook / sizeof has_hook[0]; i++)
        if (!has_hook[i])
            return loader_refuse(e, NEURIO_ERR_INVALID,
                                 "%s: plugin '%s' has no '%s' hook; open, flash, transfer, "
                                 "infer and close are required", path, e->desc.name,
                                 hook_names[i]);
    int rc = loader_copy_options(e, path);
    if (rc)
        return rc;
    e->ok = 1;
    return NEURIO_OK;
}

void nr_plugin_entry_clear(nr_plugin_entry *e)
{
    if (!e)
        return;
    if (e->handle && !getenv("NEURIO_NO_DLCLOSE")) /* keep for leak checkers' symbols */
        dlclose(e->handle);
    free(e->path);
    free(e->refusal);
    free(e->options);
    memset(e, 0, sizeof *e);
}

static int loader_cmp(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int loader_add(nr_plugin_set *set, const char *file, const char *origin)
{
    char real[PATH_MAX];
    const char *p = realpath(file, real) ? real : file;
    for (size_t i = 0; i < set->n; i++)
        if (!strcmp(set->v[i].path, p))
            return NEURIO_OK; /* same file reached twice */
    nr_plugin_entry *v = realloc(set->v, (set->n + 1) * sizeof *v);
    if (!v)
        return NEURIO_ERR_NOMEM;
    set->v = v;
    nr_plugin_entry *e = &set->v[set->n++];
    nr_loader_load_file(p, origin, e);
    if (!e->ok)
        return NEURIO_OK;
    for (size_t i = 0; i + 1 < set->n; i++)
        if (set->v[i].ok && !strcmp(set->v[i].desc.name, e->desc.name)) {
            char name[128];
            snprintf(name, sizeof name, "%s", e->desc.name);
            loader_refuse(e, NEURIO_ERR_INVALID,
                          "%s: duplicate plugin name '%s', already provided by %s; remove "
                          "one of them from the plugin path",
                          e->path, name, set->v[i].path);
            break;
        }
    return NEURIO_OK;
}

/* Add every *.so of a directory, sorted by name; only the file called
 * `only` ("neurio-host.so") when it is not NULL. */
static int loader_add_dir(nr_plugin_set *set, const char *dir, const char *origin,
                          const char *only)
{
    DIR *d = opendir(dir);
    if (!d)
        return NEURIO_ERR_IO;
    char **names = NULL;
    size_t n = 0, cap = 0;
    int rc = NEURIO_OK;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        size_t l = strlen(de->d_name);
        if (l < 4 || strcmp(de->d_name + l - 3, ".so") != 0)
            continue;
        if (only && strcmp(de->d_name, only) != 0)
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 16;
            char **nn = realloc(names, cap * sizeof *nn);
            if (!nn) {
                rc = NEURIO_ERR_NOMEM;
                goto fail;
            }
            names = nn;
        }
        size_t pl = strlen(dir) + l + 2;
        if (!(names[n] = malloc(pl))) {
            rc = NEURIO_ERR_NOMEM;
            goto fail;
        }
        snprintf(names[n++], pl, "%s/%s", dir, de->d_name);
    }
    if (n)
        qsort(names, n, sizeof *names, loader_cmp);
    for (size_t i = 0; i < n && rc == NEURIO_OK; i++)
        rc = loader_add(set, names[i], origin);
fail:
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    closedir(d);
    return rc;
}

/* The scan, over every *.so (only == NULL) or only the files called `only`. */
static int loader_scan(const char *const *paths, size_t n, int skip_default, const char *only,
                       nr_plugin_set *set, neurio_errbuf *err)
{
    set->v = NULL;
    set->n = 0;
    for (size_t i = 0; i < n; i++) {
        struct stat st;
        int rc;
        if (stat(paths[i], &st) != 0)
            return neurio_fail(err, NEURIO_ERR_CONFIG,
                               "plugin_path entry %s: %s; fix plugin_path in the rig",
                               paths[i], strerror(errno));
        if (S_ISDIR(st.st_mode))
            rc = loader_add_dir(set, paths[i], "plugin_path", only);
        else
            rc = loader_add(set, paths[i], "plugin_path");
        if (rc)
            return neurio_fail(err, rc, "plugin_path entry %s: %s", paths[i],
                               neurio_status_str(rc));
    }
    if (!skip_default) {
        struct stat st;
        const char *dir = neurio_plugin_dir();
        if (stat(dir, &st) == 0 && S_ISDIR(st.st_mode)) {
            int rc = loader_add_dir(set, dir, "plugin dir", only);
            if (rc)
                return neurio_fail(err, rc, "plugin dir %s: %s", dir, neurio_status_str(rc));
        }
    }
    return NEURIO_OK;
}

int nr_loader_scan(const char *const *paths, size_t n, int skip_default, nr_plugin_set *set,
                   neurio_errbuf *err)
{
    return loader_scan(paths, n, skip_default, NULL, set, err);
}

int nr_loader_scan_for(const char *const *paths, size_t n, int skip_default, const char *name,
                       nr_plugin_set *set, neurio_errbuf *err)
{
    char only[160];
    if (name && snprintf(only, sizeof only, "neurio-%s.so", name) < (int)sizeof only &&
        !strchr(name, '/')) {
        int rc = loader_scan(paths, n, skip_default, only, set, err);
        if (rc)
            return rc;
        for (size_t i = 0; i < set->n; i++)
            if (set->v[i].ok && !strcmp(set->v[i].desc.name, name))
                return NEURIO_OK;
        nr_plugin_set_free(set);
    }
    /* No file named after the plugin: the name is inside the descriptor. */
    return loader_scan(paths, n, skip_default, NULL, set, err);
}

const nr_plugin_entry *nr_loader_find(const nr_plugin_set *set, const char *name,
                                      neurio_errbuf *err)
{
    char found[512] = "";
    size_t fl = 0;
    for (size_t i = 0; i < set->n; i++)
        if (set->v[i].ok && !strcmp(set->v[i].desc.name, name))
            return &set->v[i];
    for (size_t i = 0; i < set->n; i++)
        if (set->v[i].ok)
            fl += (size_t)snprintf(found + fl, fl < sizeof found ? sizeof found - fl : 0,
                                   "%s%s", fl ? ", " : "", set->v[i].desc.name);
    /* a refused file that looks like it (neurio-<name>.so) explains more */
    char want[160];
    snprintf(want, sizeof want, "/neurio-%s.so", name);
    for (size_t i = 0; i < set->n; i++) {
        size_t pl = strlen(set->v[i].path), wl = strlen(want);
        if (!set->v[i].ok && pl >= wl && !strcmp(set->v[i].path + pl - wl, want)) {
            neurio_fail(err, NEURIO_ERR_UNSUPPORTED, "plugin '%s' was refused: %s", name,
                        set->v[i].refusal);
            return NULL;
        }
    }
    neurio_fail(err, NEURIO_ERR_UNSUPPORTED,
                "no plugin named '%s' (available: %s); check device.plugin, or add the "
                "plugin's directory to plugin_path; `neurio plugins` lists them",
                name, fl ? found : "none");
    return NULL;
}

void nr_plugin_set_free(nr_plugin_set *set)
{
    if (!set)
        return;
    for (size_t i = 0; i < set->n; i++)
        nr_plugin_entry_clear(&set->v[i]);
    free(set->v);
    set->v = NULL;
    set->n = 0;
}

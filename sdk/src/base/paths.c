/* sdk/src/base/paths.c — locate neurio's data, firmware and plugin directories
 * relative to where libneurio itself was loaded from. */
#define _GNU_SOURCE 1
#include "neurio/paths.h"

#include <dlfcn.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


static char paths_data[PATH_MAX];
static char paths_firmware[PATH_MAX];
static char paths_plugins[PATH_MAX];
static pthread_once_t paths_once = PTHREAD_ONCE_INIT;

/* Directory containing this library, resolved (no symlinks); "" if unknown. */
static void paths_self_dir(char *out, size_t cap)
{
    Dl_info info;
    char real[PATH_MAX];
    out[0] = '\0';
    if (!dladdr((void *)&paths_self_dir, &info) || !info.dli_fname)
        return;
    if (!realpath(info.dli_fname, real))
        return;
    char *slash = strrchr(real, '/');
    if (!slash)
        return;
    *slash = '\0';
    snprintf(out, cap, "%s", real);
}

/* dst = a + b (+ c), truncated safely to PATH_MAX. */
static void paths_join(char *dst, const char *a, const char *b, const char *c)
{
    size_t la = strlen(a), lb = strlen(b), lc = c ? strlen(c) : 0;
    if (la + lb + lc >= PATH_MAX) {
        dst[0] = '\0';
        return;
    }
    memcpy(dst, a, la);
    memcpy(dst + la, b, lb);
    if (lc)
        memcpy(dst + la + lb, c, lc);
    dst[la + lb + lc] = '\0';
}

static void paths_set(char *dst, const char *env, const char *fallback)
{
    const char *v = getenv(env);
    snprintf(dst, PATH_MAX, "%s", v && *v ? v : fallback);
}

static void paths_init(void)
{
    char self[PATH_MAX], bin_real[PATH_MAX], data[PATH_MAX], fw[PATH_MAX], plug[PATH_MAX];
    paths_self_dir(self, sizeof self);
    const char *bin = realpath(NEURIO_BUILD_BINARY_DIR, bin_real) ? bin_real
                                                                   : NEURIO_BUILD_BINARY_DIR;
    size_t bl = strlen(bin);
    int in_build = self[0] && !strncmp(self, bin, bl) && (self[bl] == '/' || !self[bl]);
    if (in_build || !self[0]) {
        snprintf(data, sizeof data, "%s", NEURIO_BUILD_SOURCE_DIR);
        paths_join(fw, NEURIO_BUILD_SOURCE_DIR, "/firmware", NULL);
        paths_join(plug, bin, "/plugins", NULL);
    } else {
        /* <prefix>/<libdir>/libneurio.so → <prefix>; libdir may be multi-level */
        char prefix[PATH_MAX];
        snprintf(prefix, sizeof prefix, "%s", self);
        for (const char *c = NEURIO_INSTALL_LIBDIR; *c; c++)
            if (*c == '/') {
                char *s = strrchr(prefix, '/');
                if (s)
                    *s = '\0';
            }
        char *s = strrchr(prefix, '/');
        if (s && s != prefix)
            *s = '\0';
        else if (s)
            s[1] = '\0';
        paths_join(data, prefix, "/" NEURIO_INSTALL_DATADIR, "/neurio");
        paths_join(fw, data, "/firmware", NULL);
        paths_join(plug, prefix, "/" NEURIO_PLUGIN_INSTALL_DIR, NULL);
    }
    paths_set(paths_data, "NEURIO_DATA_DIR", data);
    paths_set(paths_firmware, "NEURIO_FIRMWARE_DIR", fw);
    paths_set(paths_plugins, "NEURIO_PLUGIN_DIR", plug);
}

const char *neurio_data_dir(void)
{
    pthread_once(&paths_once, paths_init);
    return paths_data;
}

const char *neurio_firmware_dir(void)
{
    pthread_once(&paths_once, paths_init);
    return paths_firmware;
}

const char *neurio_plugin_dir(void)
{
    pthread_once(&paths_once, paths_init);
    return paths_plugins;
}

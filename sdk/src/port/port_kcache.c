/* sdk/src/port/port_kcache.c — the firmware kernels compiled once per
 * compiler and flag set (neurio/port.h, part 3). */
#define _GNU_SOURCE
#include "neurio/paths.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "neurio/port.h"

/* Hash a file's path relative to `root` and its bytes. */
static int hash_file(EVP_MD_CTX *md, const char *root, const char *path)
{
    size_t rl = strlen(root);
    const char *rel = strncmp(path, root, rl) == 0 ? path + rl : path;
    EVP_DigestUpdate(md, rel, strlen(rel) + 1);
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    unsigned char buf[8192];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        EVP_DigestUpdate(md, buf, n);
    int bad = ferror(f);
    fclose(f);
    EVP_DigestUpdate(md, "\n", 1);
    return bad ? -1 : 0;
}

/* The compiler's `--version` output (its first line) into id: part of the
 * key, so an upgraded compiler compiles anew.  log_path gets it too. */
static int compiler_id(const char *cc, const char *log_path, int timeout_ms, char *id,
                       size_t cap, neurio_errbuf *err)
{
    char *argv[] = {(char *)cc, "--version", NULL};
    char tmp[4200];
    snprintf(tmp, sizeof tmp, "%s.version", log_path);
    unlink(tmp);
    int code = 0, rc = neurio_proc_run(argv, tmp, timeout_ms, &code, err);
    FILE *f = rc ? NULL : fopen(tmp, "r");
    id[0] = '\0';
    if (f) {
        if (!fgets(id, (int)cap, f))
            id[0] = '\0';
        fclose(f);
    }
    unlink(tmp);
    if (!rc && (code != 0 || !id[0]))
        rc = neurio_fail(err, NEURIO_ERR_TOOLCHAIN, "%s --version failed (exit %d)", cc, code);
    return rc;
}

/* Hex SHA-256 of the flags, the compiler's version, the folders left out
 * and every file the kernels are compiled from (kernels/ sources and
 * headers, include/). */
static int cache_key(char *const *flags, const char *toolchain_id, const char *const *skip,
                     const char *fw_dir, const neurio_path_list *srcs, char hex[65],
                     neurio_errbuf *err)
{
    char dir[4096];
    neurio_path_list hdrs = {0};
    snprintf(dir, sizeof dir, "%s/kernels", fw_dir);
    int rc = neurio_list_files(dir, ".h", skip, &hdrs, err);
    snprintf(dir, sizeof dir, "%s/include", fw_dir);
    if (!rc)
        rc = neurio_list_files(dir, ".h", NULL, &hdrs, err);
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    if (!rc && (!md || EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1))
        rc = neurio_fail(err, NEURIO_ERR_NOMEM, "cannot start a SHA-256 digest");
    if (!rc) {
        for (size_t i = 0; flags[i]; i++)
            EVP_DigestUpdate(md, flags[i], strlen(flags[i]) + 1);
        EVP_DigestUpdate(md, toolchain_id, strlen(toolchain_id) + 1);
        for (size_t i = 0; skip && skip[i]; i++)
            EVP_DigestUpdate(md, skip[i], strlen(skip[i]) + 1);
    }
    const neurio_path_list *lists[] = {srcs, &hdrs};
    for (size_t l = 0; !rc && l < 2; l++)
        for (size_t i = 0; !rc && i < lists[l]->count; i++)
            if (hash_file(md, fw_dir, lists[l]->paths[i]) != 0)
                rc = neurio_fail(err, NEURIO_ERR_IO, "cannot read %s: %s", lists[l]->paths[i],
                                 strerror(errno));
    unsigned char d[32];
    unsigned len = 0;
    if (!rc && EVP_DigestFinal_ex(md, d, &len) != 1)
        rc = neurio_fail(err, NEURIO_ERR_INTERNAL, "SHA-256 digest failed");
    for (unsigned i = 0; !rc && i < 32; i++)
        snprintf(hex + 2 * i, 3, "%02x", d[i]);
    EVP_MD_CTX_free(md);
    neurio_path_list_free(&hdrs);
    return rc;
}

/* <dir>/<source path below kernels/ with '/' as '-'>.o */
static void object_path(const char *dir, const char *kdir, const char *src, char *out, size_t cap)
{
    size_t kl = strlen(kdir);
    const char *rel = strncmp(src, kdir, kl) == 0 && src[kl] == '/' ? src + kl + 1 : src;
    int n = snprintf(out, cap, "%s/", dir);
    for (size_t i = 0; rel[i] && n > 0 && (size_t)n + 3 < cap; i++)
        out[n++] = rel[i] == '/' ? '-' : rel[i];
    if (n > 2 && (size_t)n + 1 < cap && out[n - 1] == 'c' && out[n - 2] == '.')
        out[n - 1] = 'o', out[n] = '\0';
    else if (n > 0 && (size_t)n < cap)
        out[n] = '\0';
}

/* Compile every source into `dir` (flags + -c src -o obj). */
static int compile_all(char *const *flags, const neurio_path_list *srcs, const char *kdir,
                       const char *dir, const char *log_path, int timeout_ms, neurio_errbuf *err)
{
    size_t nf = 0;
    while (flags[nf])
        nf++;
    char **argv = calloc(nf + 5, sizeof *argv);
    if (!argv)
        return neurio_fail(err, NEURIO_ERR_NOMEM, "out of memory");
    memcpy(argv, flags, nf * sizeof *argv);
    char obj[4096];
    int rc = NEURIO_OK;
    for (size_t i = 0; !rc && i < srcs->count; i++) {
        object_path(dir, kdir, srcs->paths[i], obj, sizeof obj);
        argv[nf] = "-c";
        argv[nf + 1] = srcs->paths[i];
        argv[nf + 2] = "-o";
        argv[nf + 3] = obj;
        argv[nf + 4] = NULL;
        int code = 0;
        rc = neurio_proc_run(argv, log_path, timeout_ms, &code, err);
        if (!rc && code != 0) {
            char tail[400];
            neurio_log_tail(log_path, tail, sizeof tail);
            rc = neurio_fail(err, NEURIO_ERR_TOOLCHAIN,
                             "kernel %s failed to compile (exit %d): %s (full log: %s)",
                             srcs->paths[i], code, tail, log_path);
        }
    }
    free(argv);
    return rc;
}

/* Remove a temporary directory of objects (only what we put there). */
static void remove_tmp(const char *dir, const char *kdir, const neurio_path_list *srcs)
{
    char obj[4096];
    for (size_t i = 0; i < srcs->count; i++) {
        object_path(dir, kdir, srcs->paths[i], obj, sizeof obj);
        unlink(obj);
    }
    rmdir(dir);
}

/* ---- the bound: least recently used entries go ------------------------- */

#define KCACHE_MAX_DEFAULT 32   /* entries (one compiler and flag set each)   */
#define KCACHE_GRACE_S 3600     /* used this recently: never removed          */

/* NEURIO_KERNEL_CACHE_MAX: how many entries the cache keeps (default 32). */
static int cache_max(long *max, neurio_errbuf *err)
{
    const char *v = getenv("NEURIO_KERNEL_CACHE_MAX");
    char *end = NULL;
    *max = KCACHE_MAX_DEFAULT;
    if (!v || !*v)
        return NEURIO_OK;
    errno = 0;
    long n = strtol(v, &end, 10);
    if (errno || *end || n < 1 || n > 1000000)
        return neurio_fail(err, NEURIO_ERR_INVALID, "NEURIO_KERNEL_CACHE_MAX = \"%s\": "
                           "expected how many kernel cache entries to keep, a whole number "
                           "from 1 to 1000000", v);
    *max = n;
    return NEURIO_OK;
}

/* An entry's name: 64 lowercase hex digits (a key), or "tmp-<key>-XXXXXX"
 * (a build in progress, or left by one that died). */
static int is_key(const char *name)
{
    size_t len = strlen(name);
    for (size_t i = 0; i < len; i++)
        if (!((name[i] >= '0' && name[i] <= '9') || (name[i] >= 'a' && name[i] <= 'f')))
            return 0;
    return len == 64;
}

static int is_tmp(const char *name)
{
    return strncmp(name, "tmp-", 4) == 0 && strlen(name) == 4 + 64 + 7 && name[68] == '-';
}

/* Remove root/name: its files, then the folder (the cache puts nothing else
 * there; anything else keeps the folder).  Skipped if it was used since. */
static void remove_entry(const char *root, const char *name, time_t now)
{
    char dir[4200], f[4500];
    struct stat st;
    snprintf(dir, sizeof dir, "%s/%s", root, name);
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode) || now - st.st_mtime < KCACHE_GRACE_S)
        return;
    DIR *d = opendir(dir);
    for (struct dirent *e; d && (e = readdir(d)) != NULL;) {
        snprintf(f, sizeof f, "%s/%s", dir, e->d_name);
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0 &&
            lstat(f, &st) == 0 && S_ISREG(st.st_mode))
            unlink(f);
    }
    if (d)
        closedir(d);
    rmdir(dir);
}

typedef struct {
    char name[65];
    time_t used;
} kc_entry;

static int by_use_newest_first(const void *a, const void *b)
{
    time_t x = ((const kc_entry *)a)->used, y = ((const kc_entry *)b)->used;
    return x < y ? 1 : x > y ? -1 : strcmp(((const kc_entry *)a)->name,
                                            ((const kc_entry *)b)->name);
}

/* Keep the `max` most recently used entries (last use = the folder's
 * mtime, refreshed on every use) and remove the others, except those used
 * in the last hour (a concurrent build may be linking them); remove the
 * temporary folders of builds that died over an hour ago.  Best effort: a
 * cache that cannot be pruned still serves. */
static void prune(const char *root, long max)
{
    DIR *d = opendir(root);
    kc_entry *v = NULL;
    size_t n = 0, cap = 0;
    time_t now = time(NULL);
    char path[4200];
    struct stat st;
    for (struct dirent *e; d && (e = readdir(d)) != NULL;) {
        if (is_tmp(e->d_name)) {
            remove_entry(root, e->d_name, now);
            continue;
        }
        snprintf(path, sizeof path, "%s/%s", root, e->d_name);
        if (!is_key(e->d_name) || stat(path, &st) != 0 || !S_ISDIR(st.st_mode))
            continue;
        if (n == cap) {
            kc_entry *nv = realloc(v, (cap = cap ? 2 * cap : 64) * sizeof *v);
            if (!nv)
                break;
            v = nv;
        }
        memcpy(v[n].name, e->d_name, 65);
        v[n++].used = st.st_mtime;
    }
    if (d)
        closedir(d);
    if (v && n > (size_t)max) {
        qsort(v, n, sizeof *v, by_use_newest_first);
        for (size_t i = (size_t)max; i < n; i++)
            remove_entry(root, v[i].name, now);
    }
    free(v);
}

int neurio_port_kernel_objects(const char *cache_root, char *const *flags, const char *fw_dir,
                               const char *const *skip, const char *log_path, int timeout_ms,
                               neurio_path_list *objs, neurio_errbuf *err)
{
    char kdir[4096], dir[4200], tmp[4200], hex[65], obj[4096], id[256];
    neurio_path_list srcs = {0};
    if (!cache_root || !*cache_root || !flags || !flags[0] || !fw_dir || !log_path || !objs)
        return neurio_fail(err, NEURIO_ERR_INVALID, "neurio_port_kernel_objects: a cache "
                           "folder, the compiler and its flags, the firmware folder, a log and "
                           "a list are required");
    snprintf(kdir, sizeof kdir, "%s/kernels", fw_dir);
    long max = 0;
    int rc = cache_max(&max, err);
    if (!rc)
        rc = compiler_id(flags[0], log_path, timeout_ms, id, sizeof id, err);
    if (!rc)
        rc = neurio_list_files(kdir, ".c", skip, &srcs, err);
    if (!rc)
        rc = cache_key(flags, id, skip, fw_dir, &srcs, hex, err);
    if (rc)
        goto out;
    snprintf(dir, sizeof dir, "%s/%s", cache_root, hex);
    struct stat st;
    if (stat(dir, &st) != 0) {
        if (mkdir(cache_root, 0755) != 0 && errno != EEXIST) {
            rc = neurio_fail(err, NEURIO_ERR_IO, "kernel cache %s: cannot create: %s",
                             cache_root, strerror(errno));
            goto out;
        }
        snprintf(tmp, sizeof tmp, "%s/tmp-%s-XXXXXX", cache_root, hex);
        if (!mkdtemp(tmp) || chmod(tmp, 0755) != 0) {
            rc = neurio_fail(err, NEURIO_ERR_IO, "kernel cache %s: cannot create a "
                             "directory in it: %s", cache_root, strerror(errno));
            goto out;
        }
        rc = compile_all(flags, &srcs, kdir, tmp, log_path, timeout_ms, err);
        /* Another build may have put the same objects in place meanwhile:
         * theirs are as good as ours. */
        if (rc || rename(tmp, dir) != 0) {
            int e = errno;
            remove_tmp(tmp, kdir, &srcs);
            if (!rc && stat(dir, &st) != 0)
                rc = neurio_fail(err, NEURIO_ERR_IO, "kernel cache: cannot rename %s "
                                 "to %s: %s", tmp, dir, strerror(e));
            if (rc)
                goto out;
        }
    }
    utimensat(AT_FDCWD, dir, NULL, 0); /* last used: now (the prune's order) */
    prune(cache_root, max);
    for (size_t i = 0; i < srcs.count; i++) {
        object_path(dir, kdir, srcs.paths[i], obj, sizeof obj);
        char *copy = strdup(obj);
        char **v = copy ? realloc(objs->paths, (objs->count + 1) * sizeof *v) : NULL;
        if (!v) {
            free(copy);
            rc = neurio_fail(err, NEURIO_ERR_NOMEM, "out of memory");
            goto out;
        }
        v[objs->count++] = copy;
        objs->paths = v;
    }
out:
    neurio_path_list_free(&srcs);
    return rc;
}

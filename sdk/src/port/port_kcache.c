/* sdk/src/port/port_kcache.c — the firmware kernels compiled once per
 * compiler and flag set (neurio/port.h, part 3). */
#define _GNU_SOURCE
#include "neurio/paths.h"

#include <errno.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
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
    int rc = compiler_id(flags[0], log_path, timeout_ms, id, sizeof id, err);
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

/* sdk/src/base/files.c — neurio_list_files(): the sorted, recursive list of
 * source files a device build compiles (firmware runtime, kernels, generated
 * code).  readdir() only: a user's path is never a pattern. */
#include "neurio/paths.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int lf_skipped(const char *name, const char *const *skip)
{
    for (size_t i = 0; skip && skip[i]; i++)
        if (strcmp(name, skip[i]) == 0)
            return 1;
    return 0;
}

static int lf_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int lf_push(neurio_path_list *l, char *path)
{
    char **v = realloc(l->paths, (l->count + 1) * sizeof *v);
    if (!v)
        return NEURIO_ERR_NOMEM;
    l->paths = v;
    l->paths[l->count++] = path;
    return NEURIO_OK;
}

/* Collects `dir`'s matches into `out`, depth first; the caller sorts. */
static int lf_walk(const char *dir, const char *suffix, const char *const *skip,
                   neurio_path_list *out, neurio_errbuf *err, int depth)
{
    if (depth > 16)
        return neurio_fail(err, NEURIO_ERR_IO, "%s: folders nested too deeply", dir);
    DIR *d = opendir(dir);
    if (!d)
        return neurio_fail(err, NEURIO_ERR_IO, "cannot read folder %s: %s", dir,
                           strerror(errno));
    size_t ls = strlen(suffix);
    int rc = NEURIO_OK;
    for (struct dirent *e; rc == NEURIO_OK && (e = readdir(d));) {
        if (e->d_name[0] == '.')
            continue;
        size_t n = strlen(dir) + strlen(e->d_name) + 2;
        char *path = malloc(n);
        if (!path) {
            rc = NEURIO_ERR_NOMEM;
            break;
        }
        memcpy(path, dir, strlen(dir));
        path[strlen(dir)] = '/';
        memcpy(path + strlen(dir) + 1, e->d_name, strlen(e->d_name) + 1);
        struct stat st;
        if (stat(path, &st) != 0) {
            free(path); /* vanished or dangling link: not a source */
            continue;
        }
        if (S_ISDIR(st.st_mode)) {
            if (!lf_skipped(e->d_name, skip))
                rc = lf_walk(path, suffix, skip, out, err, depth + 1);
            free(path);
            continue;
        }
        size_t ln = strlen(e->d_name);
        if (!S_ISREG(st.st_mode) || ln <= ls || strcmp(e->d_name + ln - ls, suffix) != 0) {
            free(path);
            continue;
        }
        if ((rc = lf_push(out, path)) != NEURIO_OK)
            free(path);
    }
    closedir(d);
    if (rc == NEURIO_ERR_NOMEM)
        neurio_fail(err, rc, "out of memory listing %s", dir);
    return rc;
}

int neurio_list_files(const char *dir, const char *suffix, const char *const *skip,
                      neurio_path_list *list, neurio_errbuf *err)
{
    if (!dir || !suffix || !list)
        return neurio_fail(err, NEURIO_ERR_INVALID, "neurio_list_files: NULL argument");
    neurio_path_list found = {0};
    int rc = lf_walk(dir, suffix, skip, &found, err, 0);
    if (rc == NEURIO_OK && found.count) {
        qsort(found.paths, found.count, sizeof *found.paths, lf_cmp);
        char **v = realloc(list->paths, (list->count + found.count) * sizeof *v);
        if (!v) {
            rc = neurio_fail(err, NEURIO_ERR_NOMEM, "out of memory listing %s", dir);
        } else {
            memcpy(v + list->count, found.paths, found.count * sizeof *v);
            list->paths = v;
            list->count += found.count;
            free(found.paths);
            return NEURIO_OK;
        }
    }
    neurio_path_list_free(&found);
    return rc;
}

void neurio_path_list_free(neurio_path_list *list)
{
    if (!list)
        return;
    for (size_t i = 0; i < list->count; i++)
        free(list->paths[i]);
    free(list->paths);
    list->paths = NULL;
    list->count = 0;
}

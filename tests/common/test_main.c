/* tests/common/test_main.c — the CUnit runner every test program links. */
#include "test_util.h"

#include <CUnit/Basic.h>
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static char tmpdir_path[4096];

static void remove_tree(const char *path)
{
    struct stat st;
    if (lstat(path, &st) != 0)
        return;
    if (S_ISDIR(st.st_mode)) {
        DIR *d = opendir(path);
        if (d) {
            struct dirent *e;
            while ((e = readdir(d)) != NULL) {
                if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
                    continue;
                char child[4096];
                snprintf(child, sizeof child, "%s/%s", path, e->d_name);
                remove_tree(child);
            }
            closedir(d);
        }
        rmdir(path);
    } else {
        unlink(path);
    }
}

int neurio_test_run_file(const char *outdir, const char *file, char *path, size_t cap)
{
    DIR *d = opendir(outdir);
    if (!d)
        return -1;
    int found = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        char cand[4096];
        struct stat st;
        int n = snprintf(cand, sizeof cand, "%s/%s/%s", outdir, e->d_name, file);
        if (n < 0 || (size_t)n >= sizeof cand || stat(cand, &st) != 0 || !S_ISREG(st.st_mode))
            continue;
        if (++found == 1 && (size_t)n < cap)
            memcpy(path, cand, (size_t)n + 1);
        else if (found == 1)
            found = 2; /* does not fit: fail */
    }
    closedir(d);
    return found == 1 ? 0 : -1;
}

static void cleanup_tmpdir(void)
{
    if (tmpdir_path[0] && !getenv("NEURIO_KEEP_TMP"))
        remove_tree(tmpdir_path);
}

const char *neurio_test_tmpdir(void)
{
    if (!tmpdir_path[0]) {
        const char *base = getenv("TMPDIR");
        snprintf(tmpdir_path, sizeof tmpdir_path, "%s/neurio-test-XXXXXX",
                 base && *base ? base : "/tmp");
        if (!mkdtemp(tmpdir_path)) {
            fprintf(stderr, "cannot create temp dir: %s\n", strerror(errno));
            exit(1);
        }
        atexit(cleanup_tmpdir);
    }
    return tmpdir_path;
}

void neurio_test_skip(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("SKIPPED: ", stdout);
    vfprintf(stdout, fmt, ap);
    fputc('\n', stdout);
    va_end(ap);
    fflush(stdout);
    exit(77);
}

const char *neurio_test_shared_dir(void)
{
    static char path[4096];
    const char *env = getenv("NEURIO_SHARED_DIR");
    snprintf(path, sizeof path, "%s", env && *env ? env : NEURIO_SHARED_DIR);
    struct stat st;
    char models[4200];
    snprintf(models, sizeof models, "%s/models", path);
    if (stat(models, &st) != 0 || !S_ISDIR(st.st_mode))
        return NULL;
    return path;
}

char *neurio_test_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap + 1);
    size_t got;
    while (buf && (got = fread(buf + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap) {
            char *nb = realloc(buf, cap * 2 + 1);
            if (!nb) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = nb;
            cap *= 2;
        }
    }
    fclose(f);
    if (!buf)
        return NULL;
    buf[n] = '\0';
    if (len)
        *len = n;
    return buf;
}

int neurio_test_write_file(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    size_t w = fwrite(data, 1, len, f);
    int rc = fclose(f);
    return (w == len && rc == 0) ? 0 : -1;
}

int neurio_test_run(const char *cmd, char **out)
{
    char full[8192];
    snprintf(full, sizeof full, "(%s) 2>&1", cmd);
    FILE *p = popen(full, "r");
    if (!p)
        return -1;
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap + 1);
    size_t got;
    while (buf && (got = fread(buf + n, 1, cap - n, p)) > 0) {
        n += got;
        if (n == cap) {
            char *nb = realloc(buf, cap * 2 + 1);
            if (!nb) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = nb;
            cap *= 2;
        }
    }
    int st = pclose(p);
    if (buf)
        buf[n] = '\0';
    if (out)
        *out = buf;
    else
        free(buf);
    if (st == -1)
        return -1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + (WIFSIGNALED(st) ? WTERMSIG(st) : 0);
}

const char *neurio_test_path(const char *dir, const char *rel)
{
    static char bufs[8][4096];
    static int next;
    char *b = bufs[next++ % 8];
    snprintf(b, 4096, "%s/%s", dir, rel);
    return b;
}

int main(void)
{
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 1;
    if (neurio_register_tests() != 0) {
        fprintf(stderr, "test registration failed: %s\n", CU_get_error_msg());
        CU_cleanup_registry();
        return 1;
    }
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    unsigned failed = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
    unsigned run = CU_get_number_of_tests_run();
    CU_cleanup_registry();
    if (run == 0) {
        fprintf(stderr, "no test ran\n");
        return 1;
    }
    return failed ? 1 : 0;
}

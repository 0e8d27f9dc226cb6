/* tests/port/test_kcache.c — the kernel cache (neurio_port_kernel_objects)
 * is bounded: beyond NEURIO_KERNEL_CACHE_MAX entries the least recently
 * used go, except those used in the last hour; dead builds' temporary
 * folders go after an hour; nothing else in the folder is touched.  Ages
 * are set with utimensat, never waited for. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "neurio/port.h"
#include "test_util.h"

static char fw[4096], cache[4096], logp[4096];

static int is_dir(const char *root, const char *name)
{
    char p[8400];
    struct stat st;
    snprintf(p, sizeof p, "%s/%s", root, name);
    return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

/* root/name/ with one object file in it, last used `age` seconds ago. */
static void make_entry(const char *name, long age)
{
    char dir[8400], f[8500];
    snprintf(dir, sizeof dir, "%s/%s", cache, name);
    CU_ASSERT_EQUAL_FATAL(mkdir(dir, 0755), 0);
    snprintf(f, sizeof f, "%s/conv-nk_x.o", dir);
    CU_ASSERT_EQUAL_FATAL(neurio_test_write_file(f, "o", 1), 0);
    struct timespec t[2] = {{time(NULL) - age, 0}, {time(NULL) - age, 0}};
    CU_ASSERT_EQUAL_FATAL(utimensat(AT_FDCWD, dir, t, 0), 0);
}

static void key(char out[65], int digit)
{
    memset(out, "0123456789abcdef"[digit & 15], 64);
    out[64] = '\0';
}

static int objects(neurio_path_list *objs, neurio_errbuf *err)
{
    char *flags[] = {"cc", "-O1", NULL};
    return neurio_port_kernel_objects(cache, flags, fw, NULL, logp, 60000, objs, err);
}

static void setup(void)
{
    const char *tmp = neurio_test_tmpdir();
    char p[4200];
    snprintf(fw, sizeof fw, "%s/fw", tmp);
    snprintf(cache, sizeof cache, "%s/cache", tmp);
    snprintf(logp, sizeof logp, "%s/build.log", tmp);
    mkdir(fw, 0755);
    snprintf(p, sizeof p, "%s/kernels", fw);
    mkdir(p, 0755);
    snprintf(p, sizeof p, "%s/include", fw);
    mkdir(p, 0755);
    snprintf(p, sizeof p, "%s/kernels/nk_one.c", fw);
    const char *src = "int nk_one(int x);\nint nk_one(int x) { return x + 1; }\n";
    CU_ASSERT_EQUAL_FATAL(neurio_test_write_file(p, src, strlen(src)), 0);
    mkdir(cache, 0755);
}

static void test_prune(void)
{
    setup();
    char k[8][65], tmp_old[80], tmp_new[80];
    for (int i = 0; i < 8; i++)
        key(k[i], i);
    make_entry(k[0], 0);                 /* used just now: kept whatever the bound */
    for (int i = 1; i < 6; i++)
        make_entry(k[i], 7200 + 60 * i); /* two hours ago, k[1] the most recent */
    snprintf(tmp_old, sizeof tmp_old, "tmp-%s-AAAAAA", k[1]);
    snprintf(tmp_new, sizeof tmp_new, "tmp-%s-BBBBBB", k[2]);
    make_entry(tmp_old, 7200);           /* a build that died */
    make_entry(tmp_new, 10);             /* a build in progress */
    make_entry("notes", 99999);          /* not the cache's: never touched */
    setenv("NEURIO_KERNEL_CACHE_MAX", "3", 1);
    neurio_path_list objs = {0};
    neurio_errbuf err = {0};
    CU_ASSERT_EQUAL_FATAL(objects(&objs, &err), NEURIO_OK);
    CU_ASSERT_EQUAL(objs.count, 1);
    struct stat st;
    CU_ASSERT(objs.count == 1 && stat(objs.paths[0], &st) == 0 && st.st_size > 1);
    /* kept: the entry just made, k[0] (recent), k[1] (newest of the old) */
    const char *slash = objs.count ? strrchr(objs.paths[0], '/') : NULL;
    char made[80] = "";
    if (slash && slash - objs.paths[0] > 64)
        memcpy(made, slash - 64, 64);
    CU_ASSERT(is_dir(cache, made));
    CU_ASSERT(is_dir(cache, k[0]));
    CU_ASSERT(is_dir(cache, k[1]));
    for (int i = 2; i < 6; i++)
        CU_ASSERT(!is_dir(cache, k[i]));
    CU_ASSERT(!is_dir(cache, tmp_old));
    CU_ASSERT(is_dir(cache, tmp_new));
    CU_ASSERT(is_dir(cache, "notes"));

    /* The entry in use is marked used: aged by three hours, the next call
     * reuses it (same object), refreshes it and keeps it over older ones. */
    char dir[8400];
    snprintf(dir, sizeof dir, "%s/%s", cache, made);
    struct timespec t[2] = {{time(NULL) - 10800, 0}, {time(NULL) - 10800, 0}};
    CU_ASSERT_EQUAL(utimensat(AT_FDCWD, dir, t, 0), 0);
    make_entry(k[6], 7200);
    setenv("NEURIO_KERNEL_CACHE_MAX", "1", 1);
    neurio_path_list again = {0};
    CU_ASSERT_EQUAL_FATAL(objects(&again, &err), NEURIO_OK);
    CU_ASSERT(again.count == 1 && objs.count == 1 &&
              strcmp(again.paths[0], objs.paths[0]) == 0);
    CU_ASSERT(stat(dir, &st) == 0 && time(NULL) - st.st_mtime < 3600);
    CU_ASSERT(is_dir(cache, k[0]));  /* used in the last hour */
    CU_ASSERT(!is_dir(cache, k[1]));
    CU_ASSERT(!is_dir(cache, k[6]));
    neurio_path_list_free(&again);
    neurio_path_list_free(&objs);
}

static void test_bad_max(void)
{
    setup();
    const char *bad[] = {"0", "-2", "many", "3x", "1000001"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        setenv("NEURIO_KERNEL_CACHE_MAX", bad[i], 1);
        neurio_path_list objs = {0};
        neurio_errbuf err = {0};
        char want[128];
        snprintf(want, sizeof want, "NEURIO_KERNEL_CACHE_MAX = \"%s\": expected how many "
                 "kernel cache entries to keep, a whole number from 1 to 1000000", bad[i]);
        CU_ASSERT_EQUAL(objects(&objs, &err), NEURIO_ERR_INVALID);
        CU_ASSERT_STRING_EQUAL(err.msg, want);
        CU_ASSERT_EQUAL(objs.count, 0);
    }
    unsetenv("NEURIO_KERNEL_CACHE_MAX");
}

int neurio_register_tests(void)
{
    CU_pSuite s = CU_add_suite("kcache", NULL, NULL);
    if (!s)
        return -1;
    CU_add_test(s, "least recently used entries beyond the bound go", test_prune);
    CU_add_test(s, "a bad NEURIO_KERNEL_CACHE_MAX is named", test_bad_max);
    return CU_get_error() == CUE_SUCCESS ? 0 : -1;
}

/* tests/base/test_files.c — neurio_list_files(): recursion, sorting,
 * skipped folders, names that would be patterns to glob(), errors. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "neurio/paths.h"
#include "test_util.h"

static char root[4096];

static void touch(const char *rel)
{
    char p[4200];
    snprintf(p, sizeof p, "%s/%s", root, rel);
    CU_ASSERT_EQUAL_FATAL(neurio_test_write_file(p, "x", 1), 0);
}

static void mk(const char *rel)
{
    char p[4200];
    snprintf(p, sizeof p, "%s/%s", root, rel);
    CU_ASSERT_FATAL(mkdir(p, 0755) == 0 || errno == EEXIST);
}

static const char *rel(const neurio_path_list *l, size_t i)
{
    return l->paths[i] + strlen(root) + 1;
}

static void test_sorted_recursive_skip(void)
{
    snprintf(root, sizeof root, "%s/k[1]*,x", neurio_test_tmpdir());
    mk("");
    mk("b");
    mk("arm");
    mk("a");
    mk(".hidden");
    touch("z.c");
    touch("b/n.c");
    touch("b/m.h");
    touch("a/y.c");
    touch("arm/dsp.c");
    touch(".hidden/h.c");
    touch("c");   /* no suffix */
    touch(".c");  /* hidden, and nothing before the suffix */
    neurio_path_list l = {0};
    neurio_errbuf e = {{0}};
    static const char *const skip[] = {"arm", NULL};
    CU_ASSERT_EQUAL_FATAL(neurio_list_files(root, ".c", skip, &l, &e), NEURIO_OK);
    CU_ASSERT_EQUAL_FATAL(l.count, 3);
    CU_ASSERT_STRING_EQUAL(rel(&l, 0), "a/y.c");
    CU_ASSERT_STRING_EQUAL(rel(&l, 1), "b/n.c");
    CU_ASSERT_STRING_EQUAL(rel(&l, 2), "z.c");
    /* Appends; without a skip list arm/ is entered. */
    CU_ASSERT_EQUAL_FATAL(neurio_list_files(root, ".c", NULL, &l, &e), NEURIO_OK);
    CU_ASSERT_EQUAL(l.count, 7);
    CU_ASSERT_STRING_EQUAL(rel(&l, 4), "arm/dsp.c");
    neurio_path_list_free(&l);
    CU_ASSERT_EQUAL(l.count, 0);
    CU_ASSERT_PTR_NULL(l.paths);
    neurio_path_list_free(NULL);
}

static void test_missing_dir(void)
{
    char p[4200];
    snprintf(p, sizeof p, "%s/does-not-exist", neurio_test_tmpdir());
    neurio_path_list l = {0};
    neurio_errbuf e = {{0}};
    CU_ASSERT_EQUAL(neurio_list_files(p, ".c", NULL, &l, &e), NEURIO_ERR_IO);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "does-not-exist"));
    CU_ASSERT_EQUAL(l.count, 0);
    CU_ASSERT_EQUAL(neurio_list_files(NULL, ".c", NULL, &l, &e), NEURIO_ERR_INVALID);
}

int neurio_register_tests(void)
{
    CU_pSuite s = CU_add_suite("list_files", NULL, NULL);
    if (!s)
        return -1;
    CU_add_test(s, "sorted, recursive, skip list, pattern characters in the path",
                test_sorted_recursive_skip);
    CU_add_test(s, "missing folder and NULL argument", test_missing_dir);
    return 0;
}

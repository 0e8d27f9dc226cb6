/* tests/structure/test_structure.c — scripts/check-structure over the source
 * tree (only the findings listed in scripts/structure-exceptions may
 * remain), and over a small tree made here with one finding of every kind,
 * which it must name. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "test_util.h"

#define SCRIPT NEURIO_SOURCE_DIR "/scripts/check-structure"

static void expect(const char *out, const char *needle)
{
    if (!out || !strstr(out, needle))
        fprintf(stderr, "\nexpected: %s\nin output:\n%s\n", needle, out ? out : "(null)");
    CU_ASSERT_PTR_NOT_NULL(out ? strstr(out, needle) : NULL);
}

static void test_source_tree(void)
{
    char *out = NULL;
    int rc = neurio_test_run(SCRIPT " --report", &out);
    if (rc != 0)
        fprintf(stderr, "\n%s\n", out ? out : "");
    CU_ASSERT_EQUAL(rc, 0);
    expect(out, "check-structure: 0 new finding(s)");
    expect(out, "launcher: ");
    free(out);
}

/* dir/rel with `lines` lines of text made by fill(i). */
static void put(const char *dir, const char *rel, const char *text)
{
    char path[PATH_MAX], sub[PATH_MAX];
    snprintf(path, sizeof path, "%s/%s", dir, rel);
    snprintf(sub, sizeof sub, "mkdir -p \"$(dirname '%s')\"", path);
    CU_ASSERT_EQUAL_FATAL(neurio_test_run(sub, NULL), 0);
    CU_ASSERT_EQUAL_FATAL(neurio_test_write_file(path, text, strlen(text)), 0);
}

/* A function of exactly `lines` lines, signature to closing brace. */
static char *function_of(const char *name, int lines)
{
    size_t cap = (size_t)lines * 32 + 128, l = 0;
    char *s = malloc(cap);
    l += (size_t)snprintf(s + l, cap - l, "int %s(void)\n{\n", name);
    for (int i = 0; i < lines - 4; i++)
        l += (size_t)snprintf(s + l, cap - l, "    (void)0;\n");
    snprintf(s + l, cap - l, "    return 0;\n}\n");
    return s;
}

static void test_findings(void)
{
    char root[PATH_MAX], cmd[PATH_MAX * 2], name[64];
    snprintf(root, sizeof root, "%s/tree", neurio_test_tmpdir());
    char *f150 = function_of("ok150", 150), *f151 = function_of("long151", 151);
    put(root, "sdk/src/ir/a.c", f150);
    put(root, "sdk/src/ir/b.c", f151);
    free(f150);
    free(f151);
    for (int i = 0; i < 16; i++) { /* 16 .c files in one folder */
        snprintf(name, sizeof name, "tests/many/t%02d.c", i);
        put(root, name, "int x;\n");
    }
    size_t cap = 901 * 8 + 1;
    char *big = malloc(cap);
    big[0] = '\0';
    for (int i = 0; i < 901; i++)
        strcat(big, "int y;\n");
    put(root, "results/kpi/big.c", big);
    free(big);
    char *part = malloc(802 * 8); /* 5 files of 801 lines: a launcher of 4005 */
    part[0] = '\0';
    for (int i = 0; i < 801; i++)
        strcat(part, "int z;\n");
    for (int i = 0; i < 5; i++) {
        snprintf(name, sizeof name, "core/part%d.h", i);
        put(root, name, part);
    }
    put(root, "core/commands/cmd_x.c", part); /* commands/ do not count */
    free(part);
    put(root, "sdk/include/neurio/model.h", "int m;\n");
    put(root, "sdk/include/neurio/optimize.h", "int o;\n");
    put(root, "firmware/runtime/r.c", "#include \"neurio/model.h\"\n");
    put(root, "sdk/src/ir/c.c", "#include \"neurio/optimize.h\"\n#include \"neurio/model.h\"\n");
    put(root, "exceptions", "function sdk/src/ir/b.c:long151  # known: listed\n"
                            "file gone.c  # no longer occurs\n");

    char *out = NULL;
    snprintf(cmd, sizeof cmd, SCRIPT " --root '%s' --exceptions /dev/null", root);
    CU_ASSERT_EQUAL(neurio_test_run(cmd, &out), 1);
    expect(out, "FAIL: sdk/src/ir/b.c:1: long151 has 151 lines, over 150");
    CU_ASSERT_PTR_NULL(out ? strstr(out, "ok150") : "x");
    expect(out, "FAIL: tests/many holds 16 .c files, over 15");
    expect(out, "FAIL: results/kpi/big.c has 901 lines, over 900");
    expect(out, "FAIL: the launcher has 4005 lines, over 4000");
    expect(out, "FAIL: firmware/runtime/r.c:1: #include \"neurio/model.h\" "
                "(sdk/include/neurio/model.h): firmware/ must not include the SDK");
    expect(out, "FAIL: sdk/src/ir/c.c:1: #include \"neurio/optimize.h\" "
                "(sdk/include/neurio/optimize.h): sdk/src/ir (rank 3) includes "
                "sdk/src/optimize (rank 6), not below it");
    CU_ASSERT_PTR_NULL(out ? strstr(out, "c.c:2") : "x"); /* ir's own header */
    expect(out, "check-structure: 6 new finding(s), 0 known");
    free(out);
    /* listed findings are known, not failures; stale lines are pointed out */
    snprintf(cmd, sizeof cmd, SCRIPT " --root '%s' --exceptions '%s/exceptions'", root, root);
    CU_ASSERT_EQUAL(neurio_test_run(cmd, &out), 1);
    expect(out, "known: sdk/src/ir/b.c:1: long151 has 151 lines, over 150  (known: listed)");
    expect(out, "fixed: file gone.c is listed in");
    expect(out, "check-structure: 5 new finding(s), 1 known");
    free(out);
}

int neurio_register_tests(void)
{
    CU_pSuite s = CU_add_suite("structure", NULL, NULL);
    if (!s)
        return -1;
    CU_add_test(s, "the source tree keeps the structure rules", test_source_tree);
    CU_add_test(s, "each kind of finding is named", test_findings);
    return 0;
}

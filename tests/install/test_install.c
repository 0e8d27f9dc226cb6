/* tests/install/test_install.c — install the build into a temp prefix, then
 * build tests/install/oot_plugin out of tree against it, once with
 * find_package(neurio) and once with pkg-config, and load both with the
 * installed `neurio`. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "neurio/plugin.h"
#include "test_util.h"

static char prefix[PATH_MAX];
static char work[PATH_MAX];
static int installed;

static int exists(const char *rel_to_prefix)
{
    char p[PATH_MAX * 2];
    struct stat st;
    snprintf(p, sizeof p, "%s/%s", prefix, rel_to_prefix);
    return stat(p, &st) == 0;
}

static int sh(const char *cmd, char **out)
{
    int rc = neurio_test_run(cmd, out);
    if (rc != 0)
        fprintf(stderr, "\n$ %s\n(exit %d)\n%s\n", cmd, rc, out && *out ? *out : "");
    return rc;
}

static void test_install_tree(void)
{
    snprintf(work, sizeof work, "%s", neurio_test_tmpdir());
    snprintf(prefix, sizeof prefix, "%s/prefix", work);
    char cmd[PATH_MAX * 3], *out = NULL;
    snprintf(cmd, sizeof cmd, "cmake --install '%s' --prefix '%s'", NEURIO_BINARY_DIR, prefix);
    CU_ASSERT_EQUAL_FATAL(sh(cmd, &out), 0);
    free(out);
    installed = 1;
    CU_ASSERT(exists("bin/neurio"));
    CU_ASSERT(exists("lib/libneurio.so"));
    CU_ASSERT(exists("include/neurio/plugin.h"));
    CU_ASSERT(exists("include/neurio/version.h"));
    CU_ASSERT(exists("include/neurio/npy.h"));
    CU_ASSERT(exists("lib/cmake/neurio/neurioConfig.cmake"));
    CU_ASSERT(exists("lib/cmake/neurio/NeurioPlugin.cmake"));
    CU_ASSERT(exists("lib/pkgconfig/neurio.pc"));
    CU_ASSERT(exists("share/neurio/config"));
    /* test-only plugins are never installed */
    CU_ASSERT(!exists("lib/neurio/plugins/neurio-test_echo.so"));
    snprintf(cmd, sizeof cmd, "'%s/bin/neurio' --version", prefix);
    CU_ASSERT_EQUAL(sh(cmd, &out), 0);
    CU_ASSERT_PTR_NOT_NULL(out && strstr(out, "neurio "));
    free(out);
}

static void test_oot_cmake_and_pkgconfig(void)
{
    if (!installed) {
        CU_FAIL("install step failed");
        return;
    }
    char cmd[PATH_MAX * 4], *out = NULL;
    /* 1. find_package(neurio) */
    snprintf(cmd, sizeof cmd,
             "cmake -S '%s/tests/install/oot_plugin' -B '%s/oot' -DCMAKE_PREFIX_PATH='%s' "
             "-DCMAKE_BUILD_TYPE=Release && cmake --build '%s/oot'",
             NEURIO_SOURCE_DIR, work, prefix, work);
    CU_ASSERT_EQUAL_FATAL(sh(cmd, &out), 0);
    free(out);
    /* 2. pkg-config, plain compiler line */
    snprintf(cmd, sizeof cmd,
             "mkdir -p '%s/pc' && PKG_CONFIG_PATH='%s/lib/pkgconfig' && export PKG_CONFIG_PATH "
             "&& cc -std=c11 -Wall -Wextra -Werror -shared -fPIC -fvisibility=hidden "
             "-DVENDOR_NAME='\"vendor_pc\"' '%s/tests/install/oot_plugin/vendor_plugin.c' "
             "$(pkg-config --cflags --libs neurio) -o '%s/pc/neurio-vendor_pc.so'",
             work, prefix, NEURIO_SOURCE_DIR, work);
    CU_ASSERT_EQUAL_FATAL(sh(cmd, &out), 0);
    free(out);
    /* 3. the installed launcher loads both */
    char rig[PATH_MAX + 16];
    snprintf(rig, sizeof rig, "%s/vendor.cfg", work);
    char text[PATH_MAX * 3];
    snprintf(text, sizeof text,
             "plugin_path = [ \"oot/plugins\", \"pc/neurio-vendor_pc.so\" ];\n"
             "device = { plugin = \"vendor_cmake\"; baud = \"fast\"; };\n"
             "model = { path = \"vendor.cfg\"; };\n");
    CU_ASSERT_EQUAL_FATAL(neurio_test_write_file(rig, text, strlen(text)), 0);
    snprintf(cmd, sizeof cmd, "'%s/bin/neurio' plugins --rig '%s'", prefix, rig);
    CU_ASSERT_EQUAL(sh(cmd, &out), 0);
    char abi[64];
    snprintf(abi, sizeof abi, "vendor_cmake 0.1 (ABI %d.%d)", NEURIO_ABI_MAJOR, NEURIO_ABI_MINOR);
    CU_ASSERT_PTR_NOT_NULL(out && strstr(out, abi));
    snprintf(abi, sizeof abi, "vendor_pc 0.1 (ABI %d.%d)", NEURIO_ABI_MAJOR, NEURIO_ABI_MINOR);
    CU_ASSERT_PTR_NOT_NULL(out && strstr(out, abi));
    CU_ASSERT_PTR_NOT_NULL(out && strstr(out, "device.baud"));
    CU_ASSERT_PTR_NULL(out && strstr(out, "refused:"));
    /* the installed launcher searches the installed plugin dir (relocatable) */
    char searched[PATH_MAX + 64];
    snprintf(searched, sizeof searched, "%s/lib/neurio/plugins)", prefix);
    CU_ASSERT_PTR_NOT_NULL(out && strstr(out, searched));
    free(out);
    /* its options are validated by the installed core */
    snprintf(cmd, sizeof cmd, "'%s/bin/neurio' check '%s'", prefix, rig);
    int rc = neurio_test_run(cmd, &out);
    CU_ASSERT_EQUAL(rc, 3);
    char want[PATH_MAX + 256];
    snprintf(want, sizeof want,
             "neurio check: %s:2: device.baud: expected int, got another type; write baud = "
             "42;", rig);
    CU_ASSERT_PTR_NOT_NULL(out && strstr(out, want));
    free(out);
}

int neurio_register_tests(void)
{
    CU_pSuite s = CU_add_suite("install", NULL, NULL);
    if (!s)
        return -1;
    CU_add_test(s, "install into a temp prefix", test_install_tree);
    CU_add_test(s, "out-of-tree plugin: find_package and pkg-config", test_oot_cmake_and_pkgconfig);
    return CU_get_error() == CUE_SUCCESS ? 0 : -1;
}

/* tests/install/test_install.c — install the build into a temp prefix, then
 * build the installed worked example (share/neurio/examples/oot_plugin,
 * from tests/install/oot_plugin) out of tree against it, once with
 * find_package(neurio) and once with pkg-config, load both with the
 * installed `neurio`, and run a golden model through it: the firmware
 * runtime and kernels as a native process, outputs bit-exact with TFLite
 * Micro's reference kernels (../shared/golden; skipped when absent). */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "neurio/npy.h"
#include "neurio/paths.h"
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

static int uses_shared(const char *rig)
{
    char *text = neurio_test_read_file(rig, NULL);
    int needs = text && strstr(text, "${NEURIO_SHARED_DIR}") != NULL;
    free(text);
    return needs;
}

static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

/* The user who runs the installed examples: `nobody` when the test runs as
 * root (the prefix is then not theirs, as after a system install), else
 * the current user; the command prefix that runs as them with a clean
 * environment (nothing but PATH and HOME) in a folder of their own. */
static void example_user(char *run_as, size_t cap, char *cwd, size_t cwd_cap)
{
    const char *path = getenv("PATH") ? getenv("PATH") : "/usr/bin:/bin";
    char cmd[PATH_MAX * 2];
    snprintf(cwd, cwd_cap, "%s/user", work);
    mkdir(cwd, 0755);
    chmod(cwd, 0777);
    chmod(work, 0755); /* neurio_test_tmpdir() is private */
    snprintf(cmd, sizeof cmd, "runuser -u nobody -- test -x '%s/bin/neurio'", prefix);
    if (geteuid() == 0 && neurio_test_run(cmd, NULL) == 0) {
        snprintf(run_as, cap, "cd '%s' && runuser -u nobody -- env -i PATH='%s' HOME='%s'",
                 cwd, path, cwd);
        return;
    }
    fprintf(stderr, "\n  (the installed rigs are checked as the current user)");
    snprintf(run_as, cap, "cd '%s' && env -i PATH='%s' HOME='%s'", cwd, path, cwd);
}

/* The installed example rigs are exactly the source tree's config/ rigs (*.cfg)
 * that use only installed files (the demo's model and data), and each passes
 * `neurio check` from the prefix for a user who does not own the prefix,
 * with a clean environment (no NEURIO_SHARED_DIR): their runs go to
 * ${CWD}/runs, where that user is.  The development rigs that name
 * ${NEURIO_SHARED_DIR}/... (../shared, never installed) are not installed;
 * from the source tree they pass check with the installed launcher
 * (skipped without ../shared). */
static void check_installed_rigs(void)
{
    char dir[PATH_MAX + 64], cmd[PATH_MAX * 4], *out = NULL;
    char run_as[PATH_MAX * 3], user_dir[PATH_MAX + 16];
    example_user(run_as, sizeof run_as, user_dir, sizeof user_dir);
    const char *shared = neurio_test_shared_dir();
    snprintf(dir, sizeof dir, "%s/share/neurio/config", prefix);
    neurio_path_list installed_rigs = {0}, source_rigs = {0};
    neurio_errbuf e;
    CU_ASSERT_EQUAL_FATAL(neurio_list_files(dir, ".cfg", NULL, &installed_rigs, &e), NEURIO_OK);
    CU_ASSERT_EQUAL_FATAL(neurio_list_files(NEURIO_SOURCE_DIR "/config", ".cfg", NULL,
                                            &source_rigs, &e), NEURIO_OK);
    size_t dev_rigs = 0, j = 0; /* both lists sorted by path: walk them together */
    for (size_t i = 0; i < source_rigs.count; i++) {
        const char *src = source_rigs.paths[i];
        if (uses_shared(src)) {
            dev_rigs++;
            if (shared) {
                snprintf(cmd, sizeof cmd, "cd '%s' && NEURIO_SHARED_DIR='%s' '%s/bin/neurio' "
                         "check '%s'", NEURIO_SOURCE_DIR, shared, prefix, src);
                CU_ASSERT_EQUAL(sh(cmd, &out), 0);
                free(out);
            }
            continue;
        }
        const char *inst = j < installed_rigs.count ? installed_rigs.paths[j++] : "";
        if (strcmp(base_name(inst), base_name(src)) != 0) {
            fprintf(stderr, "\n  installed rig %s, source rig %s\n", inst, src);
            CU_FAIL("the installed rigs are not the source rigs that use only installed files");
            break;
        }
        CU_ASSERT(!uses_shared(inst));
        snprintf(cmd, sizeof cmd, "%s '%s/bin/neurio' check '%s'", run_as, prefix, inst);
        CU_ASSERT_EQUAL(sh(cmd, &out), 0);
        free(out);
    }
    CU_ASSERT_EQUAL(j, installed_rigs.count); /* nothing else installed */
    CU_ASSERT(installed_rigs.count >= 5);     /* digits on host, m4, m7; example-host */
    CU_ASSERT(dev_rigs >= 9);
    if (!shared)
        fprintf(stderr, "\n  ../shared is absent: the %zu development rigs were not checked",
                dev_rigs);
    neurio_path_list_free(&installed_rigs);
    neurio_path_list_free(&source_rigs);
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
    CU_ASSERT(exists("share/neurio/examples/oot_plugin/vendor_plugin.c"));
    CU_ASSERT(exists("share/neurio/examples/oot_plugin/native_board.c"));
    CU_ASSERT(exists("share/neurio/firmware/runtime/platform.h"));
    CU_ASSERT(exists("include/neurio/port.h"));
    /* test-only plugins are never installed */
    CU_ASSERT(!exists("lib/neurio/plugins/neurio-test_echo.so"));
    check_installed_rigs();
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
    /* 1. find_package(neurio), from the installed example */
    snprintf(cmd, sizeof cmd,
             "cmake -S '%s/share/neurio/examples/oot_plugin' -B '%s/oot' "
             "-DCMAKE_PREFIX_PATH='%s' -DCMAKE_BUILD_TYPE=Release && cmake --build '%s/oot'",
             prefix, work, prefix, work);
    CU_ASSERT_EQUAL_FATAL(sh(cmd, &out), 0);
    free(out);
    /* 2. pkg-config, plain compiler line */
    snprintf(cmd, sizeof cmd,
             "mkdir -p '%s/pc' && PKG_CONFIG_PATH='%s/lib/pkgconfig' && export PKG_CONFIG_PATH "
             "&& cc -std=c11 -Wall -Wextra -Werror -shared -fPIC -fvisibility=hidden "
             "-DVENDOR_NAME='\"vendor_pc\"' "
             "-DVENDOR_BOARD_DIR='\"%s/share/neurio/examples/oot_plugin\"' "
             "'%s/share/neurio/examples/oot_plugin/vendor_plugin.c' "
             "$(pkg-config --cflags --libs neurio) -o '%s/pc/neurio-vendor_pc.so'",
             work, prefix, prefix, prefix, work);
    CU_ASSERT_EQUAL_FATAL(sh(cmd, &out), 0);
    free(out);
    /* 3. the installed launcher loads both */
    char rig[PATH_MAX + 16];
    snprintf(rig, sizeof rig, "%s/vendor.cfg", work);
    char text[PATH_MAX * 3];
    snprintf(text, sizeof text,
             "plugin_path = [ \"oot/plugins\", \"pc/neurio-vendor_pc.so\" ];\n"
             "device = { plugin = \"vendor_cmake\"; build_timeout_ms = \"fast\"; };\n"
             "model = { path = \"vendor.cfg\"; };\n");
    CU_ASSERT_EQUAL_FATAL(neurio_test_write_file(rig, text, strlen(text)), 0);
    snprintf(cmd, sizeof cmd, "'%s/bin/neurio' plugins --rig '%s'", prefix, rig);
    CU_ASSERT_EQUAL(sh(cmd, &out), 0);
    char abi[64];
    snprintf(abi, sizeof abi, "vendor_cmake 0.1 (ABI %d.%d)", NEURIO_ABI_MAJOR, NEURIO_ABI_MINOR);
    CU_ASSERT_PTR_NOT_NULL(out && strstr(out, abi));
    snprintf(abi, sizeof abi, "vendor_pc 0.1 (ABI %d.%d)", NEURIO_ABI_MAJOR, NEURIO_ABI_MINOR);
    CU_ASSERT_PTR_NOT_NULL(out && strstr(out, abi));
    CU_ASSERT_PTR_NOT_NULL(out && strstr(out, "device.build_timeout_ms"));
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
             "neurio check: %s:2: device.build_timeout_ms: expected int, got another type; "
             "write build_timeout_ms = 42;", rig);
    CU_ASSERT_PTR_NOT_NULL(out && strstr(out, want));
    free(out);
}

/* The installed worked example completes a golden run through the
 * installed launcher: the prepared model's code, the firmware runtime and
 * the kernels built natively, run as a child over a socketpair; outputs
 * bit-exact with the TFLite Micro reference kernels' golden outputs. */
static void test_oot_golden_run(void)
{
    const char *shared = neurio_test_shared_dir();
    char model[PATH_MAX], in[PATH_MAX], golden[PATH_MAX];
    snprintf(model, sizeof model, "%s/models/kws_ref_model.tflite", shared ? shared : "");
    snprintf(in, sizeof in, "%s/golden/kws_ref_model/input.npy", shared ? shared : "");
    snprintf(golden, sizeof golden, "%s/golden/kws_ref_model/output.npy", shared ? shared : "");
    if (!shared || access(model, R_OK) || access(in, R_OK) || access(golden, R_OK)) {
        printf("\n  SKIPPED: ../shared/golden/kws_ref_model absent\n");
        return;
    }
    if (!installed) {
        CU_FAIL("install step failed");
        return;
    }
    char rig[PATH_MAX + 16], text[PATH_MAX * 4], cmd[PATH_MAX * 3], *out = NULL;
    static const char *const plugins[] = { "vendor_cmake", "vendor_pc" };
    for (int k = 0; k < 2; k++) {
        snprintf(rig, sizeof rig, "%s/golden-%d.cfg", work, k);
        snprintf(text, sizeof text,
                 "plugin_path = [ \"oot/plugins\", \"pc/neurio-vendor_pc.so\" ];\n"
                 "device = { plugin = \"%s\"; };\n"
                 "model = { path = \"%s\"; quantize = \"none\"; };\n"
                 "data = { inputs = \"%s\"; batch_size = 16; };\n"
                 "task = { kind = \"classification\"; };\n"
                 "output = { dir = \"runs-%d\"; predictions = \"pred.npy\"; };\n",
                 plugins[k], model, in, k);
        CU_ASSERT_EQUAL_FATAL(neurio_test_write_file(rig, text, strlen(text)), 0);
        snprintf(cmd, sizeof cmd, "cd '%s' && '%s/bin/neurio' run '%s'", work, prefix, rig);
        CU_ASSERT_EQUAL(sh(cmd, &out), 0);
        CU_ASSERT_PTR_NOT_NULL(out && strstr(out, "64 of 64 samples on "));
        const char *p = out ? strstr(out, "predictions: ") : NULL;
        CU_ASSERT_PTR_NOT_NULL_FATAL(p);
        char pred_path[PATH_MAX];
        p += strlen("predictions: ");
        snprintf(pred_path, sizeof pred_path, "%.*s", (int)strcspn(p, " \n"), p);
        free(out);
        neurio_npy pred, want;
        CU_ASSERT_EQUAL_FATAL(neurio_npy_read(pred_path, &pred, NULL), 0);
        CU_ASSERT_EQUAL_FATAL(neurio_npy_read(golden, &want, NULL), 0);
        CU_ASSERT_EQUAL(pred.dtype, want.dtype);
        CU_ASSERT_EQUAL_FATAL(pred.bytes, want.bytes);
        CU_ASSERT_EQUAL(memcmp(pred.data, want.data, want.bytes), 0); /* bit-exact */
        neurio_npy_free(&pred);
        neurio_npy_free(&want);
    }
}

int neurio_register_tests(void)
{
    CU_pSuite s = CU_add_suite("install", NULL, NULL);
    if (!s)
        return -1;
    CU_add_test(s, "install into a temp prefix", test_install_tree);
    CU_add_test(s, "out-of-tree plugin: find_package and pkg-config", test_oot_cmake_and_pkgconfig);
    CU_add_test(s, "installed worked example: golden run bit-exact", test_oot_golden_run);
    return CU_get_error() == CUE_SUCCESS ? 0 : -1;
}

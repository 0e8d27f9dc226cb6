/* tests/loader/test_loader.c — the plugin loader's refusals, word for word,
 * the option schema checks and the host services. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host.h"
#include "loader.h"
#include "neurio/paths.h"
#include "neurio/version.h"
#include "options.h"
#include "plugin_sig.h"
#include "test_util.h"

#define BROKEN NEURIO_BINARY_DIR "/tests/plugins/broken/"
#define GOOD NEURIO_BINARY_DIR "/tests/plugins/good/"

static char expect[8192];

/* Load `file`; assert it is refused with exactly `expect`. */
static void assert_refused(const char *file, int status)
{
    nr_plugin_entry e;
    int rc = nr_loader_load_file(file, "test", &e);
    CU_ASSERT_EQUAL(rc, status);
    CU_ASSERT_EQUAL(e.ok, 0);
    CU_ASSERT_PTR_NULL(e.handle);
    CU_ASSERT_PTR_NOT_NULL_FATAL(e.refusal);
    if (strcmp(e.refusal, expect) != 0)
        fprintf(stderr, "\n got: %s\nwant: %s\n", e.refusal, expect);
    CU_ASSERT_STRING_EQUAL(e.refusal, expect);
    nr_plugin_entry_clear(&e);
}

static void test_echo_loads(void)
{
    nr_plugin_entry e;
    int rc = nr_loader_load_file(GOOD "neurio-test_echo.so", "test", &e);
    CU_ASSERT_EQUAL_FATAL(rc, NEURIO_OK);
    CU_ASSERT_EQUAL(e.ok, 1);
    CU_ASSERT_PTR_NULL(e.refusal);
    CU_ASSERT_STRING_EQUAL(e.desc.name, "test_echo");
    CU_ASSERT_EQUAL(e.desc.abi_major, NEURIO_ABI_MAJOR);
    CU_ASSERT_PTR_NOT_NULL(e.desc.infer);
    CU_ASSERT_PTR_NULL(e.desc.probe);
    nr_plugin_entry_clear(&e);
}

static void test_bad_major(void)
{
    const char *f = BROKEN "neurio-test_broken_bad_major.so";
    snprintf(expect, sizeof expect,
             "%s: 'neurio_plugin_init' reports plugin ABI %d.0, core ABI is %d.%d (major "
             "differs); rebuild the plugin against neurio SDK %d.x",
             f, NEURIO_ABI_MAJOR + 1, NEURIO_ABI_MAJOR, NEURIO_ABI_MINOR, NEURIO_ABI_MAJOR);
    assert_refused(f, NEURIO_ERR_UNSUPPORTED);
}

static void test_newer_minor(void)
{
    const char *f = BROKEN "neurio-test_broken_newer_minor.so";
    snprintf(expect, sizeof expect,
             "%s: 'neurio_plugin_init' reports plugin ABI %d.%d, newer than core ABI %d.%d; "
             "upgrade neurio or rebuild the plugin against SDK %d.%d",
             f, NEURIO_ABI_MAJOR, NEURIO_ABI_MINOR + 1, NEURIO_ABI_MAJOR, NEURIO_ABI_MINOR,
             NEURIO_ABI_MAJOR, NEURIO_ABI_MINOR);
    assert_refused(f, NEURIO_ERR_UNSUPPORTED);
}

static void test_oversized(void)
{
    const char *f = BROKEN "neurio-test_broken_oversized.so";
    snprintf(expect, sizeof expect,
             "%s: 'neurio_plugin_init' descriptor is %zu bytes, larger than the %zu bytes of "
             "core ABI %d.%d (plugin ABI %d.%d); rebuild the plugin against this SDK",
             f, sizeof(neurio_plugin) + 64, sizeof(neurio_plugin), NEURIO_ABI_MAJOR,
             NEURIO_ABI_MINOR, NEURIO_ABI_MAJOR, NEURIO_ABI_MINOR);
    assert_refused(f, NEURIO_ERR_UNSUPPORTED);
}

static void test_undersized(void)
{
    const char *f = BROKEN "neurio-test_broken_undersized.so";
    snprintf(expect, sizeof expect,
             "%s: 'neurio_plugin_init' descriptor is 16 bytes, smaller than the %zu bytes "
             "every ABI %d.x descriptor has; initialise it with NEURIO_PLUGIN_HEADER",
             f, offsetof(neurio_plugin, close) + sizeof(void *), NEURIO_ABI_MAJOR);
    assert_refused(f, NEURIO_ERR_UNSUPPORTED);
}

static void test_no_entry(void)
{
    const char *f = BROKEN "neurio-test_broken_no_entry.so";
    snprintf(expect, sizeof expect,
             "%s: missing entry symbol 'neurio_plugin_init'; a plugin must use "
             "NEURIO_PLUGIN_DEFINE(descriptor) (core ABI %d.%d)",
             f, NEURIO_ABI_MAJOR, NEURIO_ABI_MINOR);
    assert_refused(f, NEURIO_ERR_FORMAT);
}

static void test_null_desc(void)
{
    const char *f = BROKEN "neurio-test_broken_null_desc.so";
    snprintf(expect, sizeof expect,
             "%s: 'neurio_plugin_init' returned NULL instead of a descriptor; return the "
             "address of a static const neurio_plugin", f);
    assert_refused(f, NEURIO_ERR_FORMAT);
}

static void test_no_name(void)
{
    const char *f = BROKEN "neurio-test_broken_no_name.so";
    snprintf(expect, sizeof expect,
             "%s: 'neurio_plugin_init' descriptor has no name; set .name = \"<device>\"", f);
    assert_refused(f, NEURIO_ERR_INVALID);
}

static void test_no_infer(void)
{
    const char *f = BROKEN "neurio-test_broken_no_infer.so";
    snprintf(expect, sizeof expect,
             "%s: plugin 'test_broken_no_infer' has no 'infer' hook; open, flash, "
             "transfer, infer and close are required", f);
    assert_refused(f, NEURIO_ERR_INVALID);
}

static void test_not_elf(void)
{
    const char *f = BROKEN "neurio-test_not_elf.so";
    snprintf(expect, sizeof expect,
             "%s: not a shared object (no ELF header); remove it from the plugin path or "
             "rebuild it with neurio_add_plugin()", f);
    assert_refused(f, NEURIO_ERR_FORMAT);
}

static void test_elf_not_loadable(void)
{
    /* ELF magic followed by garbage: dlopen refuses, its reason is quoted */
    char path[4096];
    snprintf(path, sizeof path, "%s/neurio-truncated.so", neurio_test_tmpdir());
    CU_ASSERT_EQUAL_FATAL(neurio_test_write_file(path, "\x7f" "ELF\x02\x01\x01", 7), 0);
    nr_plugin_entry e;
    int rc = nr_loader_load_file(path, "test", &e);
    CU_ASSERT_EQUAL(rc, NEURIO_ERR_FORMAT);
    CU_ASSERT_PTR_NOT_NULL_FATAL(e.refusal);
    snprintf(expect, sizeof expect, "%s: cannot be loaded as a shared object: ", path);
    CU_ASSERT_EQUAL(strncmp(e.refusal, expect, strlen(expect)), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.refusal, "; rebuild it for this machine with "
                                             "neurio_add_plugin()"));
    nr_plugin_entry_clear(&e);
}

/* Build signatures (core/plugin_sig.h): checked from the file, before dlopen. */
static void test_sig_asan(void)
{
    const char *f = BROKEN "neurio-test_broken_sig_asan.so";
    const nr_build_sig *self = nr_build_sig_self();
    CU_ASSERT_PTR_NOT_NULL_FATAL(self);
    nr_build_sig sig;
    char why[512];
    CU_ASSERT_EQUAL_FATAL(nr_build_sig_read(f, &sig, why, sizeof why), 0);
    CU_ASSERT(sig.sanitizers & NR_SAN_ADDRESS);
    CU_ASSERT_EQUAL(sig.neurio_major, NEURIO_VERSION_MAJOR);
    if (self->sanitizers & NR_SAN_ADDRESS) { /* a sanitized launcher takes it */
        nr_plugin_entry e;
        CU_ASSERT_EQUAL(nr_loader_load_file(f, "test", &e), NEURIO_OK);
        nr_plugin_entry_clear(&e);
        return;
    }
    char b[64];
    snprintf(expect, sizeof expect,
             "%s: built with sanitizer address that the launcher lacks (launcher sanitizers: "
             "%s); rebuild the plugin without -fsanitize=address, or use a launcher built "
             "with -DNEURIO_SANITIZE=ON",
             f, nr_build_sig_sanitizers(self->sanitizers, b, sizeof b));
    assert_refused(f, NEURIO_ERR_UNSUPPORTED);
}

static void test_sig_major(void)
{
    const char *f = BROKEN "neurio-test_broken_sig_major.so";
    snprintf(expect, sizeof expect,
             "%s: linked against libneurio.so.7, the launcher uses libneurio.so.%d (libneurio "
             "major differs); rebuild the plugin against neurio SDK %d.x",
             f, NEURIO_VERSION_MAJOR, NEURIO_VERSION_MAJOR);
    assert_refused(f, NEURIO_ERR_UNSUPPORTED);
}

/* The echo plugin with its ELF header saying aarch64 (e_machine 183). */
static void test_sig_machine(void)
{
    char path[4096], self_m[64];
    snprintf(path, sizeof path, "%s/neurio-test_echo_aarch64.so", neurio_test_tmpdir());
    FILE *in = fopen(GOOD "neurio-test_echo.so", "rb");
    FILE *out = fopen(path, "wb");
    CU_ASSERT_PTR_NOT_NULL_FATAL(in);
    CU_ASSERT_PTR_NOT_NULL_FATAL(out);
    char buf[4096];
    size_t n, total = 0;
    while ((n = fread(buf, 1, sizeof buf, in)) > 0) {
        if (total == 0) {
            buf[18] = (char)183;
            buf[19] = 0;
        }
        CU_ASSERT_EQUAL(fwrite(buf, 1, n, out), n);
        total += n;
    }
    fclose(in);
    CU_ASSERT_EQUAL(fclose(out), 0);
    const nr_build_sig *self = nr_build_sig_self();
    CU_ASSERT_PTR_NOT_NULL_FATAL(self);
    CU_ASSERT_NOT_EQUAL_FATAL(self->machine, 183);
    snprintf(expect, sizeof expect,
             "%s: built for aarch64 (64-bit, little-endian), the launcher is %s (%d-bit, "
             "%s-endian); rebuild the plugin with this machine's compiler",
             path, nr_build_sig_machine(self->machine, self_m, sizeof self_m), self->elf_class,
             self->big_endian ? "big" : "little");
    assert_refused(path, NEURIO_ERR_UNSUPPORTED);
}

static void test_missing_file(void)
{
    nr_plugin_entry e;
    int rc = nr_loader_load_file(BROKEN "neurio-does-not-exist.so", "test", &e);
    CU_ASSERT_EQUAL(rc, NEURIO_ERR_IO);
    CU_ASSERT_STRING_EQUAL(e.refusal, BROKEN "neurio-does-not-exist.so: cannot open: "
                                             "No such file or directory");
    nr_plugin_entry_clear(&e);
}

/* Scan good then broken: the duplicate test_echo is refused, naming both. */
static void test_scan_duplicate_and_find(void)
{
    const char *paths[] = { NEURIO_BINARY_DIR "/tests/plugins/good",
                            NEURIO_BINARY_DIR "/tests/plugins/broken" };
    nr_plugin_set set;
    neurio_errbuf err;
    CU_ASSERT_EQUAL_FATAL(nr_loader_scan(paths, 2, 1, &set, &err), NEURIO_OK);
    size_t ok = 0, dup = 0;
    snprintf(expect, sizeof expect,
             "%s: duplicate plugin name 'test_echo', already provided by %s; remove one of "
             "them from the plugin path",
             BROKEN "neurio-test_broken_duplicate.so", GOOD "neurio-test_echo.so");
    for (size_t i = 0; i < set.n; i++) {
        ok += set.v[i].ok;
        if (!set.v[i].ok && strstr(set.v[i].path, "duplicate")) {
            dup++;
            CU_ASSERT_STRING_EQUAL(set.v[i].refusal, expect);
        }
    }
    CU_ASSERT_EQUAL(dup, 1);
    /* test_echo + bad_default + required + open_fails load; the rest are
     * refused -- except the ASan-built one when this launcher has ASan too
     * (the sanitizer CI job, -DNEURIO_SANITIZE=ON). */
    int san = (nr_build_sig_self()->sanitizers & NR_SAN_ADDRESS) != 0;
    CU_ASSERT_EQUAL(ok, 4u + (size_t)san);
    CU_ASSERT_PTR_NOT_NULL(nr_loader_find(&set, "test_echo", &err));
    CU_ASSERT_PTR_NULL(nr_loader_find(&set, "nosuch", &err));
    CU_ASSERT_STRING_EQUAL(err.msg,
                           san ? "no plugin named 'nosuch' (available: test_echo, "
                                 "test_broken_bad_default, test_broken_open_fails, "
                                 "test_broken_required, test_broken_sig_asan); check "
                                 "device.plugin, or add the plugin's directory to "
                                 "plugin_path; `neurio plugins` lists them"
                               : "no plugin named 'nosuch' (available: test_echo, "
                                 "test_broken_bad_default, test_broken_open_fails, "
                                 "test_broken_required); check device.plugin, or add the "
                                 "plugin's directory to plugin_path; `neurio plugins` lists "
                                 "them");
    /* asking for a refused one explains why */
    CU_ASSERT_PTR_NULL(nr_loader_find(&set, "test_broken_bad_major", &err));
    CU_ASSERT_EQUAL(strncmp(err.msg, "plugin 'test_broken_bad_major' was refused: " BROKEN
                                     "neurio-test_broken_bad_major.so: 'neurio_plugin_init' "
                                     "reports plugin ABI",
                            strlen("plugin 'test_broken_bad_major' was refused: " BROKEN
                                   "neurio-test_broken_bad_major.so: 'neurio_plugin_init' "
                                   "reports plugin ABI")),
                    0);
    nr_plugin_set_free(&set);
}

static void test_scan_missing_path(void)
{
    const char *paths[] = { "/nonexistent/neurio-plugins" };
    nr_plugin_set set;
    neurio_errbuf err;
    CU_ASSERT_EQUAL(nr_loader_scan(paths, 1, 1, &set, &err), NEURIO_ERR_CONFIG);
    CU_ASSERT_STRING_EQUAL(err.msg, "plugin_path entry /nonexistent/neurio-plugins: No such "
                                    "file or directory; fix plugin_path in the rig");
    nr_plugin_set_free(&set);
}

static void test_bad_default_option(void)
{
    nr_plugin_entry e;
    CU_ASSERT_EQUAL_FATAL(
        nr_loader_load_file(BROKEN "neurio-test_broken_bad_default.so", "test", &e), 0);
    nr_options o;
    neurio_errbuf err;
    CU_ASSERT_EQUAL(nr_options_validate(NULL, &e.desc, &o, &err), NEURIO_ERR_INVALID);
    CU_ASSERT_STRING_EQUAL(err.msg, "plugin 'test_broken_bad_default': option 'baud': "
                                    "default \"fast\" is not a valid int; fix the plugin's "
                                    "option table");
    nr_options_free(&o);
    nr_plugin_entry_clear(&e);
}

/* Host getters read validated options; misuse is logged, not fatal. */
static void test_host_getters(void)
{
    nr_plugin_entry e;
    CU_ASSERT_EQUAL_FATAL(nr_loader_load_file(GOOD "neurio-test_echo.so", "test", &e), 0);
    nr_options o;
    neurio_errbuf err;
    CU_ASSERT_EQUAL_FATAL(nr_options_validate(NULL, &e.desc, &o, &err), NEURIO_OK);
    neurio_ctx *ctx = nr_ctx_new("test_echo", &o, "/tmp/w");
    const neurio_host *h = nr_host();
    CU_ASSERT_EQUAL(h->size, sizeof(neurio_host));
    CU_ASSERT_EQUAL(h->opt_int(ctx, "fail_after"), -1);
    CU_ASSERT_DOUBLE_EQUAL(h->opt_float(ctx, "gain"), 1.0, 1e-12);
    CU_ASSERT_EQUAL(h->opt_bool(ctx, "verbose"), 0);
    CU_ASSERT_STRING_EQUAL(h->opt_string(ctx, "fail_at"), "none");
    CU_ASSERT_EQUAL(h->opt_is_set(ctx, "fail_at"), 0);
    CU_ASSERT_PTR_NULL(h->opt_string(ctx, "nosuch"));  /* logs a plugin bug */
    CU_ASSERT_EQUAL(h->opt_int(ctx, "fail_at"), 0);    /* wrong type: 0 */
    CU_ASSERT_STRING_EQUAL(h->work_dir(ctx), "/tmp/w");
    CU_ASSERT_PTR_NULL(nr_ctx_error(ctx));
    h->set_error(ctx, "first %d", 1);
    h->set_error(ctx, "second %s.\n", "try");
    CU_ASSERT_STRING_EQUAL(nr_ctx_error(ctx), "second try");
    nr_cancel_set(0);
    CU_ASSERT_EQUAL(h->cancelled(ctx), 0);
    nr_cancel_set(1);
    CU_ASSERT_NOT_EQUAL(h->cancelled(ctx), 0);
    nr_cancel_set(0);
    nr_ctx_free(ctx);
    nr_options_free(&o);
    nr_plugin_entry_clear(&e);
}

/* In the build tree, libneurio answers with the source and build dirs. */
static void test_paths_build_tree(void)
{
    char want[8192], real_bin[PATH_MAX];
    CU_ASSERT_PTR_NOT_NULL_FATAL(realpath(NEURIO_BINARY_DIR, real_bin));
    snprintf(want, sizeof want, "%s/plugins", real_bin);
    CU_ASSERT_STRING_EQUAL(neurio_plugin_dir(), want);
    CU_ASSERT_STRING_EQUAL(neurio_data_dir(), NEURIO_SOURCE_DIR);
    CU_ASSERT_STRING_EQUAL(neurio_firmware_dir(), NEURIO_SOURCE_DIR "/firmware");
    CU_ASSERT_STRING_EQUAL(neurio_version(), NEURIO_VERSION_STRING);
}

int neurio_register_tests(void)
{
    CU_pSuite s = CU_add_suite("loader", NULL, NULL);
    if (!s)
        return -1;
    CU_add_test(s, "echo plugin loads", test_echo_loads);
    CU_add_test(s, "wrong ABI major refused", test_bad_major);
    CU_add_test(s, "newer ABI minor refused", test_newer_minor);
    CU_add_test(s, "oversized descriptor refused", test_oversized);
    CU_add_test(s, "undersized descriptor refused", test_undersized);
    CU_add_test(s, "missing entry symbol refused", test_no_entry);
    CU_add_test(s, "NULL descriptor refused", test_null_desc);
    CU_add_test(s, "nameless descriptor refused", test_no_name);
    CU_add_test(s, "missing hook refused", test_no_infer);
    CU_add_test(s, "not an ELF file refused", test_not_elf);
    CU_add_test(s, "ELF that dlopen rejects refused", test_elf_not_loadable);
    CU_add_test(s, "missing file", test_missing_file);
    CU_add_test(s, "build signature: sanitizer refused", test_sig_asan);
    CU_add_test(s, "build signature: libneurio major refused", test_sig_major);
    CU_add_test(s, "build signature: machine refused", test_sig_machine);
    CU_add_test(s, "scan: duplicate name, find", test_scan_duplicate_and_find);
    CU_add_test(s, "scan: missing plugin_path entry", test_scan_missing_path);
    CU_add_test(s, "bad option default refused", test_bad_default_option);
    CU_add_test(s, "host getters and errors", test_host_getters);
    CU_add_test(s, "paths in the build tree", test_paths_build_tree);
    return CU_get_error() == CUE_SUCCESS ? 0 : -1;
}

/* tests/riscv/test_riscv_plugin.c (label e2e) — the vendor path of the riscv
 * plugin: install neurio into a temporary prefix, configure and build
 * plugins/riscv on its own against it, and run a golden model (int8,
 * bit-exact with TFLite Micro) through the installed launcher on QEMU virt
 * rv32imac.  Also: the installed launcher lists the plugin, and a bad
 * option is refused by name. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rv_test_util.h"
#include "test_util.h"

static int ready;

static void test_build_out_of_tree(void)
{
    CU_ASSERT_EQUAL_FATAL(rv_test_setup(), 0);
    ready = 1;
    char cmd[4096], rig[2048], *out = NULL;
    snprintf(rig, sizeof rig, "%s/list.cfg", neurio_test_tmpdir());
    char text[2600];
    snprintf(text, sizeof text, "plugin_path = [ \"%s\" ];\ndevice = { plugin = \"riscv\"; "
             "march = \"rv64gc\"; };\nmodel = { path = \"list.cfg\"; };\n", rv_test_plugin_dir());
    CU_ASSERT_EQUAL_FATAL(neurio_test_write_file(rig, text, strlen(text)), 0);
    snprintf(cmd, sizeof cmd, "'%s' plugins --rig '%s'", rv_test_launcher(), rig);
    CU_ASSERT_EQUAL(neurio_test_run(cmd, &out), 0);
    CU_ASSERT_PTR_NOT_NULL(out && strstr(out, "riscv 0.1.0"));
    CU_ASSERT_PTR_NOT_NULL(out && strstr(out, " 0 refused"));
    free(out);
    snprintf(cmd, sizeof cmd, "'%s' check '%s'", rv_test_launcher(), rig);
    CU_ASSERT_NOT_EQUAL(neurio_test_run(cmd, &out), 0);
    CU_ASSERT_PTR_NOT_NULL(out && strstr(out, "device.march"));
    CU_ASSERT_PTR_NOT_NULL(out && strstr(out, "rv32imac"));
    free(out);
}

static void test_golden_hello_world(void)
{
    if (!ready) {
        CU_FAIL("setup failed");
        return;
    }
    double d = -1;
    CU_ASSERT_EQUAL(rv_test_golden("hello_world_int8", "", 0, &d), 0);
    CU_ASSERT_EQUAL(d, 0);
}

int neurio_register_tests(void)
{
    CU_pSuite s = CU_add_suite("riscv_plugin", NULL, NULL);
    if (!s)
        return -1;
    CU_add_test(s, "install, build plugins/riscv against it", test_build_out_of_tree);
    CU_add_test(s, "hello_world_int8 bit-exact through the installed launcher",
                test_golden_hello_world);
    return CU_get_error() == CUE_SUCCESS ? 0 : -1;
}

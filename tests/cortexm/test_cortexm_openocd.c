/* tests/cortexm/test_cortexm_openocd.c — real boards over RTT, as far as
 * this machine allows (no board, no probe; label unit): the OpenOCD
 * command line the plugin builds (paths as Tcl data, the control block's
 * address and size, the RTT server port), the ELF symbol reader's
 * refusals, and the TCP path through openocd_rtt_testdouble.py, a test
 * double of OpenOCD's RTT server that checks the command line and echoes
 * the bytes.  Not run on hardware. */
#include <stdio.h>
#include <string.h>

#include "cm_elf.h"
#include "cm_openocd.h"
#include "neurio/transport.h"
#include "test_util.h"

static void test_argv(void)
{
    cm_openocd_args a = {.openocd = "openocd", .config = "board/my [odd] cfg;$x.cfg",
                         .cb_addr = 0x20004010u};
    char *argv[12], buf[4096];
    neurio_errbuf e;
    CU_ASSERT_EQUAL_FATAL(cm_openocd_rtt_argv(&a, 4242, argv, buf, sizeof buf, &e), NEURIO_OK);
    const char *want[] = {"openocd", "-c", "script board/my\\ \\[odd\\]\\ cfg\\;\\$x.cfg", "-c", "init",
                          "-c", "rtt setup 0x20004010 76 {SEGGER RTT}", "-c", "rtt start", "-c",
                          "rtt server start 4242 0", NULL};
    for (int i = 0; want[i]; i++) {
        CU_ASSERT_PTR_NOT_NULL_FATAL(argv[i]);
        CU_ASSERT_STRING_EQUAL(argv[i], want[i]);
    }
    CU_ASSERT_PTR_NULL(argv[11]);
    a.config = "bad\nname.cfg";
    CU_ASSERT_EQUAL(cm_openocd_rtt_argv(&a, 4242, argv, buf, sizeof buf, &e), NEURIO_ERR_CONFIG);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "openocd_config"));
}

static void test_elf_refusals(void)
{
    char path[2048];
    uint32_t v = 0;
    neurio_errbuf e;
    snprintf(path, sizeof path, "%s/garbage.elf", neurio_test_tmpdir());
    CU_ASSERT_EQUAL_FATAL(neurio_test_write_file(path, "\x7f" "ELF garbage", 11), 0);
    CU_ASSERT_EQUAL(cm_elf_symbol(path, "_SEGGER_RTT", &v, &e), NEURIO_ERR_FORMAT);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "garbage.elf"));
    /* This test program: a 64-bit ELF, not a target image. */
    CU_ASSERT_EQUAL(cm_elf_symbol("/proc/self/exe", "_SEGGER_RTT", &v, &e), NEURIO_ERR_FORMAT);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "32-bit"));
    CU_ASSERT_EQUAL(cm_elf_symbol("/nonexistent/fw.elf", "_SEGGER_RTT", &v, &e), NEURIO_ERR_IO);
}

static void test_tcp_path_testdouble(void)
{
    char log[2048];
    snprintf(log, sizeof log, "%s/openocd-testdouble.log", neurio_test_tmpdir());
    cm_openocd_args a = {.openocd = NEURIO_SOURCE_DIR "/tests/cortexm/openocd_rtt_testdouble.py",
                         .config = "board/st_nucleo_l4.cfg", .cb_addr = 0x20004010u,
                         .log_path = log, .connect_timeout_ms = 20000};
    neurio_child child = {0};
    neurio_transport *t = NULL;
    neurio_errbuf e = {{0}};
    int rc = cm_openocd_rtt_start(&a, &child, &t, &e);
    if (rc)
        fprintf(stderr, "\n  %s\n", e.msg);
    CU_ASSERT_EQUAL_FATAL(rc, NEURIO_OK);
    static const char msg[] = "\xA5\x4E frame bytes";
    CU_ASSERT_EQUAL(neurio_transport_write(t, msg, sizeof msg, 5000, &e), NEURIO_OK);
    char back[64];
    size_t got = 0, n = 0;
    while (n < sizeof msg &&
           neurio_transport_read(t, back + n, sizeof back - n, &got, 5000, &e) == NEURIO_OK)
        n += got;
    CU_ASSERT_EQUAL(n, sizeof msg);
    CU_ASSERT_EQUAL(memcmp(back, msg, sizeof msg), 0);
    neurio_transport_close(t);
    neurio_child_stop(&child, 2000);
}

int neurio_register_tests(void)
{
    CU_pSuite s = CU_add_suite("cortexm_openocd", NULL, NULL);
    if (!s)
        return -1;
    CU_add_test(s, "openocd_rtt_argv", test_argv);
    CU_add_test(s, "elf_symbol_refusals", test_elf_refusals);
    CU_add_test(s, "rtt_tcp_path_openocd_testdouble", test_tcp_path_testdouble);
    return 0;
}

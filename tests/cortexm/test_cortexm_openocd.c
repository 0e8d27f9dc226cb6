/* tests/cortexm/test_cortexm_openocd.c — real boards over RTT, as far as
 * this machine allows (no board, no probe; label unit): the OpenOCD
 * command line the plugin builds (paths as Tcl data, the control block's
 * address and size, the RTT server port), the ELF symbol reader's
 * refusals and its measure of a hand-made image (the model's constants),
 * and the TCP path through openocd_rtt_testdouble.py, a test
 * double of OpenOCD's RTT server that checks the command line and echoes
 * the bytes.  Not run on hardware. */
#include <elf.h>
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

/* A hand-made ARM ELF32: .rodata (ng_c1, 100 bytes; other, 50), .bss
 * (ng_arena, 256), a function of 92 bytes; the symbol table and names. */
static size_t tiny_elf(unsigned char *buf, size_t cap, int bad_names)
{
    static const char names[] = "\0ng_c1\0ng_arena\0other\0nk_fully_connected_s8_packed16";
    Elf32_Sym sym[5] = {{0}};
    sym[1] = (Elf32_Sym){.st_name = 1, .st_value = 0x100, .st_size = 100,
                         .st_info = ELF32_ST_INFO(STB_LOCAL, STT_OBJECT), .st_shndx = 1};
    sym[2] = (Elf32_Sym){.st_name = 7, .st_value = 0x20000000, .st_size = 256,
                         .st_info = ELF32_ST_INFO(STB_LOCAL, STT_OBJECT), .st_shndx = 2};
    sym[3] = (Elf32_Sym){.st_name = 16, .st_value = 0x200, .st_size = 50,
                         .st_info = ELF32_ST_INFO(STB_GLOBAL, STT_OBJECT), .st_shndx = 1};
    sym[4] = (Elf32_Sym){.st_name = 22, .st_value = 0x11, .st_size = 92,
                         .st_info = ELF32_ST_INFO(STB_GLOBAL, STT_FUNC), .st_shndx = 1};
    const size_t sym_off = sizeof(Elf32_Ehdr), str_off = sym_off + sizeof sym;
    const size_t sh_off = (str_off + sizeof names + 3) / 4 * 4;
    Elf32_Shdr sh[5] = {{0}};
    sh[1] = (Elf32_Shdr){.sh_type = SHT_PROGBITS, .sh_flags = SHF_ALLOC, .sh_size = 0x300};
    sh[2] = (Elf32_Shdr){.sh_type = SHT_NOBITS, .sh_flags = SHF_ALLOC | SHF_WRITE,
                         .sh_size = 256};
    sh[3] = (Elf32_Shdr){.sh_type = SHT_SYMTAB, .sh_offset = (Elf32_Off)sym_off,
                         .sh_size = sizeof sym, .sh_link = 4, .sh_entsize = sizeof(Elf32_Sym)};
    sh[4] = (Elf32_Shdr){.sh_type = SHT_STRTAB, .sh_offset = (Elf32_Off)str_off,
                         .sh_size = sizeof names - (bad_names ? 1 : 0)};
    Elf32_Ehdr eh = {.e_type = ET_EXEC, .e_machine = EM_ARM, .e_version = EV_CURRENT,
                     .e_shoff = (Elf32_Off)sh_off, .e_ehsize = sizeof(Elf32_Ehdr),
                     .e_shentsize = sizeof(Elf32_Shdr), .e_shnum = 5};
    memcpy(eh.e_ident, ELFMAG, SELFMAG);
    eh.e_ident[EI_CLASS] = ELFCLASS32;
    eh.e_ident[EI_DATA] = ELFDATA2LSB;
    eh.e_ident[EI_VERSION] = EV_CURRENT;
    size_t n = sh_off + sizeof sh;
    CU_ASSERT_FATAL(n <= cap);
    memset(buf, 0, n);
    memcpy(buf, &eh, sizeof eh);
    memcpy(buf + sym_off, sym, sizeof sym);
    memcpy(buf + str_off, names, sizeof names);
    memcpy(buf + sh_off, sh, sizeof sh);
    return n;
}

/* The image's model constants (ng_* objects with contents, not .bss), as
 * the plugin measures them for the report; symbols of every kind found. */
static void test_elf_objects(void)
{
    unsigned char buf[1024];
    char path[2048];
    neurio_errbuf e = {{0}};
    uint64_t bytes = 0;
    uint32_t v = 0;
    snprintf(path, sizeof path, "%s/tiny.elf", neurio_test_tmpdir());
    size_t n = tiny_elf(buf, sizeof buf, 0);
    CU_ASSERT_EQUAL_FATAL(neurio_test_write_file(path, (const char *)buf, n), 0);
    CU_ASSERT_EQUAL(cm_elf_objects_bytes(path, "ng_", &bytes, &e), NEURIO_OK);
    CU_ASSERT_EQUAL(bytes, 100); /* ng_arena is .bss */
    CU_ASSERT_EQUAL(cm_elf_objects_bytes(path, "", &bytes, &e), NEURIO_OK);
    CU_ASSERT_EQUAL(bytes, 150); /* every object with contents; not the function */
    CU_ASSERT_EQUAL(cm_elf_symbol(path, "nk_absent", &v, &e), NEURIO_ERR_UNSUPPORTED);
    CU_ASSERT_EQUAL(cm_elf_symbol(path, "ng_arena", &v, &e), NEURIO_OK);
    CU_ASSERT_EQUAL(v, 0x20000000u);
    /* names not NUL-terminated within their section: refused, not read past */
    n = tiny_elf(buf, sizeof buf, 1);
    CU_ASSERT_EQUAL_FATAL(neurio_test_write_file(path, (const char *)buf, n), 0);
    CU_ASSERT_EQUAL(cm_elf_objects_bytes(path, "ng_", &bytes, &e), NEURIO_ERR_FORMAT);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "symbol names"));
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
    CU_add_test(s, "elf_objects_and_sizes", test_elf_objects);
    CU_add_test(s, "rtt_tcp_path_openocd_testdouble", test_tcp_path_testdouble);
    return 0;
}

/* tests/cortexm/test_cortexm_board.c — the cortex-m board support and host
 * plumbing without a model: the smoke image is built with the plugin's own
 * build driver for each emulated board, booted under QEMU through the
 * plugin's QEMU manager, and checked over the UART socket (startup .data/
 * .bss init, FPU, deterministic icount timer, UART both ways, system
 * reset); then QEMU is stopped and must be gone.  Also: an image that does
 * not fit RAM fails with "needs N bytes, board has M", profiles refuse
 * impossible sizes, and the ELF size reader rejects garbage. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cm_firmware.h"
#include "cm_profile.h"
#include "cm_qemu.h"
#include "neurio/transport.h"
#include "test_util.h"

static const char *board_dir(void)
{
    return NEURIO_SOURCE_DIR "/plugins/cortex-m/firmware";
}

static int have_tools(void)
{
    return neurio_test_run("arm-none-eabi-gcc --version && qemu-system-arm --version", NULL) == 0;
}

/* Read until '\n' (or timeout); returns bytes read into buf (terminated). */
static size_t read_line(neurio_transport *t, char *buf, size_t cap)
{
    size_t n = 0;
    while (n + 1 < cap) {
        size_t got = 0;
        neurio_errbuf e;
        if (neurio_transport_read(t, buf + n, 1, &got, 5000, &e) != NEURIO_OK)
            break;
        n += got;
        if (buf[n - 1] == '\n')
            break;
    }
    buf[n] = '\0';
    return n;
}

static void build_smoke(const char *board, cm_fw_sizes *sz, char *elf, size_t cap,
                        const char *dir)
{
    cm_profile_overrides o = {.board = board, .fpu = 1};
    cm_profile p;
    neurio_errbuf e = {{0}};
    CU_ASSERT_EQUAL_FATAL(cm_profile_make(&o, &p, &e), NEURIO_OK);
    mkdir(dir, 0755);
    char main_src[512];
    snprintf(main_src, sizeof main_src, "%s/smoke/smoke_main.c", board_dir());
    cm_fw_args a = {
        .profile = &p, .board_dir = board_dir(), .out_dir = dir,
        .toolchain_prefix = "arm-none-eabi-", .opt_level = "2",
        .main_src = main_src, .build_id = "smoke", .timeout_ms = 60000,
    };
    int rc = cm_fw_build(&a, sz, elf, cap, &e);
    if (rc)
        fprintf(stderr, "build: %s\n", e.msg);
    CU_ASSERT_EQUAL_FATAL(rc, NEURIO_OK);
}

/* loop: the smoke loop's count on that board (100000 iterations of a
 * 6-instruction loop, 5 on the Cortex-M55 where GCC uses a low-overhead
 * LE loop, plus 33 instructions of set-up and of cm_board_count_exact()
 * outside its synchronisation), as counted by the board's timer under
 * -icount shift=0, exact to the instruction whatever the timer's tick (40
 * or 50 instructions) and its phase. */
static void boot_board(const char *board, unsigned loop)
{
    if (!have_tools())
        neurio_test_skip("arm-none-eabi-gcc or qemu-system-arm missing");
    char dir[512], elf[1024];
    snprintf(dir, sizeof dir, "%s/%s", neurio_test_tmpdir(), board);
    cm_fw_sizes sz;
    build_smoke(board, &sz, elf, sizeof elf, dir);
    CU_ASSERT(sz.text > 500 && sz.text < 8192);
    CU_ASSERT_EQUAL(sz.stack, 16384);
    CU_ASSERT(sz.data >= 4); /* the smoke image's initialised variable */
    CU_ASSERT_EQUAL(sz.flash, sz.text + sz.rodata + sz.data);

    cm_qemu q;
    neurio_transport *t = NULL;
    neurio_errbuf e = {{0}};
    cm_qemu_args qa = {.qemu = "qemu-system-arm", .machine = board, .elf = elf,
                       .work_dir = dir, .connect_timeout_ms = 10000};
    int rc = cm_qemu_start(&q, &qa, &t, &e);
    if (rc)
        fprintf(stderr, "qemu: %s\n", e.msg);
    CU_ASSERT_EQUAL_FATAL(rc, NEURIO_OK);
    pid_t pid = q.child.pid;
    CU_ASSERT(pid > 0);

    char line[256], expect[128];
    read_line(t, line, sizeof line);
    snprintf(expect, sizeof expect,
             "neurio-smoke board=%s data=4660 bss=0 loop=%u fp=3\n", board, loop);
    CU_ASSERT_STRING_EQUAL(line, expect);
    if (strcmp(line, expect) != 0)
        fprintf(stderr, "\n  %s: got '%s', expected '%s'\n", board, line, expect);

    CU_ASSERT_EQUAL(neurio_transport_write(t, "abc", 3, 1000, &e), NEURIO_OK);
    char echo[4] = {0};
    size_t n = 0;
    while (n < 3) {
        size_t got = 0;
        if (neurio_transport_read(t, echo + n, 3 - n, &got, 5000, &e) != NEURIO_OK)
            break;
        n += got;
    }
    CU_ASSERT_STRING_EQUAL(echo, "bcd");

    /* System reset through SCB->AIRCR reboots the image: the banner again. */
    CU_ASSERT_EQUAL(neurio_transport_write(t, "R", 1, 1000, &e), NEURIO_OK);
    read_line(t, line, sizeof line);
    CU_ASSERT_STRING_EQUAL(line, expect);

    neurio_transport_close(t);
    cm_qemu_stop(&q);
    CU_ASSERT_EQUAL(kill(pid, 0), -1); /* gone and reaped */
    struct stat st;
    CU_ASSERT_NOT_EQUAL(stat(q.sock_path, &st), 0);
    cm_qemu_stop(&q); /* idempotent */
}

/* 40 instructions per dual-timer tick (25 MHz) on the MPS2 boards, 50 on
 * AN505 (20 MHz dual timer) and AN547 (20 MHz FPGA counter; 500050 = one
 * tick of granularity over the 500,000 instructions). */
static void test_boot_an386(void) { boot_board("mps2-an386", 600033); }
static void test_boot_an500(void) { boot_board("mps2-an500", 600033); }
static void test_boot_an385(void) { boot_board("mps2-an385", 600033); }
static void test_boot_an505(void) { boot_board("mps2-an505", 600033); }
static void test_boot_an547(void) { boot_board("mps3-an547", 500033); }

/* A device that never answers: QEMU is still stopped cleanly. */
static void test_qemu_bad_machine(void)
{
    if (!have_tools())
        neurio_test_skip("qemu-system-arm missing");
    cm_qemu q;
    neurio_transport *t = NULL;
    neurio_errbuf e = {{0}};
    cm_qemu_args qa = {.qemu = "qemu-system-arm", .machine = "no-such-board",
                       .elf = "/nonexistent.elf", .work_dir = neurio_test_tmpdir(),
                       .connect_timeout_ms = 5000};
    int rc = cm_qemu_start(&q, &qa, &t, &e);
    CU_ASSERT_EQUAL(rc, NEURIO_ERR_DEVICE);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "no-such-board"));
    CU_ASSERT_PTR_NULL(t);
    cm_qemu_args qb = qa;
    qb.qemu = "/nonexistent/qemu";
    rc = cm_qemu_start(&q, &qb, &t, &e);
    CU_ASSERT_EQUAL(rc, NEURIO_ERR_TOOLCHAIN);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "device.qemu"));
}

static void test_does_not_fit(void)
{
    if (!have_tools())
        neurio_test_skip("arm-none-eabi-gcc missing");
    cm_profile_overrides o = {.board = "mps2-an386", .fpu = 1, .ram_bytes = 8192,
                              .stack_bytes = 0};
    cm_profile p;
    neurio_errbuf e = {{0}};
    CU_ASSERT_EQUAL_FATAL(cm_profile_make(&o, &p, &e), NEURIO_OK);
    char dir[512], main_src[512];
    snprintf(dir, sizeof dir, "%s/nofit", neurio_test_tmpdir());
    mkdir(dir, 0755);
    snprintf(main_src, sizeof main_src, "%s/smoke/smoke_main.c", board_dir());
    cm_fw_args a = {.profile = &p, .board_dir = board_dir(), .out_dir = dir,
                    .toolchain_prefix = "arm-none-eabi-", .main_src = main_src,
                    .timeout_ms = 60000};
    cm_fw_sizes sz;
    int rc = cm_fw_build(&a, &sz, NULL, 0, &e);
    CU_ASSERT_EQUAL(rc, NEURIO_ERR_UNSUPPORTED);
    /* 16384 stack + the smoke image's 24 bytes of data/bss, against 8192. */
    CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "RAM needs 164"));
    CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "board has 8192"));

    /* A missing compiler is a toolchain error naming the package. */
    a.toolchain_prefix = "no-such-prefix-";
    rc = cm_fw_build(&a, &sz, NULL, 0, &e);
    CU_ASSERT_EQUAL(rc, NEURIO_ERR_TOOLCHAIN);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "no-such-prefix-gcc"));
}

static void test_profiles(void)
{
    cm_profile p;
    neurio_errbuf e = {{0}};
    cm_profile_overrides o = {.board = "nucleo-l4r5zi", .fpu = 1};
    CU_ASSERT_EQUAL(cm_profile_make(&o, &p, &e), NEURIO_OK);
    CU_ASSERT_EQUAL(p.ram_bytes, 640u * 1024u);
    CU_ASSERT_EQUAL(p.flash_bytes, 2u * 1024u * 1024u);
    CU_ASSERT_DOUBLE_EQUAL(p.clock_hz, 120e6, 1);
    CU_ASSERT_DOUBLE_EQUAL(cm_profile_active_current_a(&p), 0.0132, 1e-6);
    CU_ASSERT_STRING_EQUAL(p.board->cycle_source, "dwt");

    o.ram_bytes = 1 << 20;
    CU_ASSERT_EQUAL(cm_profile_make(&o, &p, &e), NEURIO_ERR_CONFIG);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "device.ram_bytes"));
    o = (cm_profile_overrides){.board = "mps2-an386", .core = "cortex-m7", .fpu = 1};
    CU_ASSERT_EQUAL(cm_profile_make(&o, &p, &e), NEURIO_ERR_CONFIG);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "cortex-m4"));
    o = (cm_profile_overrides){.board = "stm32-nope", .fpu = 1};
    CU_ASSERT_EQUAL(cm_profile_make(&o, &p, &e), NEURIO_ERR_CONFIG);
    CU_ASSERT_PTR_NOT_NULL(
        strstr(e.msg, "mps2-an386|mps2-an500|mps2-an385|mps2-an505|mps3-an547|nucleo-l4r5zi"));
    o = (cm_profile_overrides){.board = "mps2-an500", .fpu = 0};
    CU_ASSERT_EQUAL(cm_profile_make(&o, &p, &e), NEURIO_OK);
    CU_ASSERT_PTR_NULL(p.fpu);
    CU_ASSERT_STRING_EQUAL(p.cpu, "cortex-m7");
    /* the new boards: memory maps of QEMU 7.2, cores, FPU */
    o = (cm_profile_overrides){.board = "mps2-an385", .fpu = 1};
    CU_ASSERT_EQUAL(cm_profile_make(&o, &p, &e), NEURIO_OK);
    CU_ASSERT_STRING_EQUAL(p.cpu, "cortex-m3");
    CU_ASSERT_PTR_NULL(p.fpu); /* the M3 has none */
    o = (cm_profile_overrides){.board = "mps2-an505", .fpu = 1};
    CU_ASSERT_EQUAL(cm_profile_make(&o, &p, &e), NEURIO_OK);
    CU_ASSERT_STRING_EQUAL(p.cpu, "cortex-m33");
    CU_ASSERT_EQUAL(p.board->flash_origin, 0x10000000u);
    CU_ASSERT_EQUAL(p.board->ram_origin, 0x38000000u);
    o = (cm_profile_overrides){.board = "mps3-an547", .fpu = 1, .core = "cortex-m55"};
    CU_ASSERT_EQUAL(cm_profile_make(&o, &p, &e), NEURIO_OK);
    CU_ASSERT_EQUAL(p.ram_bytes, 512u * 1024u);
    CU_ASSERT_STRING_EQUAL(p.board->cycle_source, "icount (instructions, exact)");
    CU_ASSERT_PTR_NOT_NULL(strstr(p.board->energy_ref, "estimate"));
    o.ram_bytes = 1 << 20;
    CU_ASSERT_EQUAL(cm_profile_make(&o, &p, &e), NEURIO_ERR_CONFIG);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "mps3-an547"));
}

/* The derived limit of one inference (device.run_timeout_ms = 0). */
static void test_run_timeout_default(void)
{
    cm_profile p;
    neurio_errbuf e = {{0}};
    cm_profile_overrides o = {.board = "mps2-an386", .fpu = 1};
    CU_ASSERT_EQUAL_FATAL(cm_profile_make(&o, &p, &e), NEURIO_OK);
    for (int fl = 0; fl < 2; fl++) {
        neurio_dtype dt = fl ? NEURIO_DT_FLOAT32 : NEURIO_DT_INT8;
        neurio_model *m = neurio_model_new("fc");
        CU_ASSERT_PTR_NOT_NULL_FATAL(m);
        int32_t din[2] = {1, 1000}, dw[2] = {500, 1000}, dout[2] = {1, 500};
        int32_t io[2] = {neurio_model_add_tensor(m, "in", dt, 2, din),
                         neurio_model_add_tensor(m, "w", dt, 2, dw)};
        int32_t out = neurio_model_add_tensor(m, "out", dt, 2, dout);
        CU_ASSERT(neurio_model_add_op(m, NEURIO_OP_FULLY_CONNECTED, 2, io, 1, &out) >= 0);
        /* 500,000 MACs + 500 outputs, 100 cycles each, at 25 MHz: 2,002 ms
         * over the 10 s floor; soft float (x10) only without an FPU. */
        CU_ASSERT_EQUAL(cm_run_timeout_default(&p, m), CM_RUN_FLOOR_MS + 2002);
        cm_profile q;
        cm_profile_overrides oq = {.board = "mps2-an385", .fpu = 1}; /* M3: no FPU */
        CU_ASSERT_EQUAL_FATAL(cm_profile_make(&oq, &q, &e), NEURIO_OK);
        CU_ASSERT_EQUAL(cm_run_timeout_default(&q, m), CM_RUN_FLOOR_MS + (fl ? 20020 : 2002));
        neurio_model_free(m);
    }
    CU_ASSERT_EQUAL(cm_run_timeout_default(&p, NULL), CM_RUN_FLOOR_MS);
}

static void test_elf_garbage(void)
{
    char path[512];
    snprintf(path, sizeof path, "%s/garbage.elf", neurio_test_tmpdir());
    unsigned char junk[200];
    for (size_t i = 0; i < sizeof junk; i++)
        junk[i] = (unsigned char)(i * 37u);
    memcpy(junk, "\177ELF\1\1\1", 7);
    junk[18] = 40; /* EM_ARM */
    neurio_test_write_file(path, junk, sizeof junk);
    cm_fw_sizes sz;
    neurio_errbuf e = {{0}};
    CU_ASSERT_EQUAL(cm_fw_elf_sizes(path, &sz, &e), NEURIO_ERR_FORMAT);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "garbage.elf"));
    neurio_test_write_file(path, junk, 10);
    CU_ASSERT_EQUAL(cm_fw_elf_sizes(path, &sz, &e), NEURIO_ERR_FORMAT);
}

int neurio_register_tests(void)
{
    CU_pSuite s = CU_add_suite("cortexm_board", NULL, NULL);
    if (!s)
        return -1;
    CU_add_test(s, "profiles", test_profiles);
    CU_add_test(s, "run_timeout_default", test_run_timeout_default);
    CU_add_test(s, "elf_garbage", test_elf_garbage);
    CU_add_test(s, "boot_mps2_an386", test_boot_an386);
    CU_add_test(s, "boot_mps2_an500", test_boot_an500);
    CU_add_test(s, "boot_mps2_an385", test_boot_an385);
    CU_add_test(s, "boot_mps2_an505", test_boot_an505);
    CU_add_test(s, "boot_mps3_an547", test_boot_an547);
    CU_add_test(s, "qemu_bad_machine", test_qemu_bad_machine);
    CU_add_test(s, "does_not_fit", test_does_not_fit);
    return 0;
}

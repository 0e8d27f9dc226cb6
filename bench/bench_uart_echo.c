/* bench/bench_uart_echo.c — the raw byte rate of an emulated board's UART
 * (a program, not a test): builds the plugin's plain echo image
 * (plugins/cortex-m/firmware/smoke, echoes every byte + 1), starts it in QEMU
 * exactly as a run does (-icount shift=0,sleep=off, UART on a unix socket)
 * and pumps bytes through it with as many in flight as the socket takes,
 * printing bytes/s host->device (the issue 14 reference for the framed
 * serial link; compare bench_cortexm's "link: to device" figure, which is
 * higher: the echo answers every byte, the link only with short ACKs).
 * Usage: bench_uart_echo [--board B] [--bytes N] [--inflight N] */
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cm_firmware.h"
#include "cm_profile.h"
#include "cm_qemu.h"

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *f)
{
    (void)st;
    (void)flag;
    (void)f;
    return remove(path);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* Bytes the echo image treats as commands ('Q' stop, 'R' reset) are never
 * sent. */
static uint8_t pattern(size_t i)
{
    uint8_t c = (uint8_t)(i * 7u + 3u);
    return c == 'Q' || c == 'R' ? (uint8_t)'A' : c;
}

/* Bytes sent and not yet echoed (--inflight). */
static size_t inflight = 512;

/* Bytes go out in whole chunks, and a chunk is sent only when it fits in
 * the window at once, so this side never blocks in a write while echoes wait
 * to be read.  (The first version topped the window up a byte at a time:
 * every 1-byte send() costs a whole socket buffer (skb) on each side, so
 * after about 300 echoes both send buffers were full of 1-byte buffers, the
 * host sat in a blocking write, QEMU could not emit the next echo, the guest
 * stopped reading, and the benchmark stalled after ~810 bytes.) */

static int pump(neurio_transport *t, size_t n, double *secs, neurio_errbuf *e)
{
    uint8_t out[4096], in[4096];
    size_t chunk = inflight / 2 < sizeof out ? inflight / 2 : sizeof out;
    size_t sent = 0, got = 0;
    double t0 = now_s();
    while (got < n) {
        int can_send = sent < n && sent - got + chunk <= inflight;
        if (can_send) {
            size_t k = n - sent < chunk ? n - sent : chunk;
            for (size_t i = 0; i < k; i++)
                out[i] = pattern(sent + i);
            int rc = neurio_transport_write(t, out, k, 5000, e);
            if (rc != NEURIO_OK) {
                fprintf(stderr, "bench_uart_echo: after %zu bytes sent, %zu echoed\n", sent, got);
                return rc;
            }
            sent += k;
        }
        size_t r = 0;
        /* Nothing more may go out until echoes come back: wait for them. */
        int rc = neurio_transport_read(t, in, sizeof in, &r, can_send ? 0 : 5000, e);
        if (rc == NEURIO_ERR_TIMEOUT && can_send)
            continue;
        if (rc != NEURIO_OK) {
            fprintf(stderr, "bench_uart_echo: after %zu bytes sent, %zu echoed\n", sent, got);
            return rc;
        }
        for (size_t i = 0; i < r; i++)
            if (in[i] != (uint8_t)(pattern(got + i) + 1u)) {
                snprintf(e->msg, sizeof e->msg, "echo of byte %zu is 0x%02x, expected 0x%02x",
                         got + i, in[i], (unsigned)(uint8_t)(pattern(got + i) + 1u));
                return NEURIO_ERR_DEVICE;
            }
        got += r;
    }
    *secs = now_s() - t0;
    return NEURIO_OK;
}

int main(int argc, char **argv)
{
    const char *board = "mps2-an386";
    size_t n = 65536;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--board"))
            board = argv[i + 1];
        else if (!strcmp(argv[i], "--bytes"))
            n = (size_t)strtoul(argv[i + 1], NULL, 10);
        else if (!strcmp(argv[i], "--inflight") && strtoul(argv[i + 1], NULL, 10) >= 2)
            inflight = (size_t)strtoul(argv[i + 1], NULL, 10);
        else {
            fprintf(stderr, "usage: bench_uart_echo [--board B] [--bytes N] [--inflight N]\n");
            return 2;
        }
    }
    char dir[] = "/tmp/bench-uart-XXXXXX";
    if (!mkdtemp(dir)) {
        perror("bench_uart_echo: mkdtemp");
        return 1;
    }
    neurio_errbuf e = {{0}};
    cm_profile_overrides o = {.board = board, .fpu = 1};
    cm_profile p;
    char main_src[512], elf[1024];
    snprintf(main_src, sizeof main_src, "%s/smoke/smoke_main.c", CM_SOURCE_BOARD_DIR);
    cm_fw_args a = {.profile = &p, .board_dir = CM_SOURCE_BOARD_DIR, .out_dir = dir,
                    .toolchain_prefix = "arm-none-eabi-", .opt_level = "2", .main_src = main_src,
                    .build_id = "echo", .timeout_ms = 60000};
    cm_fw_sizes sz;
    int rc = cm_profile_make(&o, &p, &e);
    if (rc == NEURIO_OK)
        rc = cm_fw_build(&a, &sz, elf, sizeof elf, &e);
    if (rc != NEURIO_OK) {
        fprintf(stderr, "bench_uart_echo: %s\n", e.msg);
        return 1;
    }
    cm_qemu q;
    neurio_transport *t = NULL;
    cm_qemu_args qa = {.qemu = "qemu-system-arm", .machine = p.board->qemu_machine, .elf = elf,
                       .work_dir = dir, .connect_timeout_ms = 10000};
    if ((rc = cm_qemu_start(&q, &qa, &t, &e)) != NEURIO_OK) {
        fprintf(stderr, "bench_uart_echo: %s\n", e.msg);
        return 1;
    }
    /* The banner line first. */
    char c = 0;
    size_t r = 0;
    while (c != '\n' && (rc = neurio_transport_read(t, &c, 1, &r, 10000, &e)) == NEURIO_OK)
        ;
    double secs = 0;
    if (rc == NEURIO_OK)
        rc = pump(t, n, &secs, &e);
    if (rc == NEURIO_OK)
        printf("uart echo on %s (QEMU -icount shift=0,sleep=off): %zu bytes each way in %.3f s: "
               "%.1f kB/s host->device (and back), %zu bytes in flight\n",
               board, n, secs, n / secs / 1e3, inflight);
    else
        fprintf(stderr, "bench_uart_echo: %s\n", e.msg);
    neurio_transport_close(t);
    cm_qemu_stop(&q);
    if (nftw(dir, rm_one, 8, FTW_DEPTH | FTW_PHYS) != 0)
        fprintf(stderr, "bench_uart_echo: could not remove %s\n", dir);
    return rc != NEURIO_OK;
}

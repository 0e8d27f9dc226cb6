/* tests/link/host_platform.c — firmware/runtime/platform.h implemented on
 * the host over a file descriptor (socketpair end, pipe or pty master), and
 * the main() of `link_device_host`: the REAL device runtime (nrt_serve)
 * serving a fixture model in a child process of the link tests.
 *
 *   link_device_host --fd N [--model small|wide|mid] [--reset-after N]
 *                    [--hang-at N] [--garbage N] [--mute-hello-after-reset]
 *                    [--batch-bytes N] [--slow-ms N]
 *
 * The runtime runs on a thread with a known stack so stack painting works;
 * platform_reset() clears the batch memory and restarts nrt_serve from
 * scratch (longjmp), like a reboot. */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "fixture_model.h"
#include "nrt.h"
#include "platform.h"

#define HP_BATCH_MAX (256u * 1024u)
#define HP_STACK_BYTES (512u * 1024u)

static int hp_fd = -1;
static uint8_t hp_rx[4096];
static size_t hp_rx_pos, hp_rx_len;
static _Alignas(8) uint8_t hp_batch[HP_BATCH_MAX];
static uint32_t hp_batch_bytes = 16u * 1024u;
static uint8_t *hp_stack;
static jmp_buf hp_reboot;
static int hp_mute_next_write, hp_mute_after_reset;

void platform_init(void)
{
}

uint64_t platform_cycles(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

const char *platform_cycle_method(void)
{
    return "clock_gettime (ns)";
}

uint32_t platform_clock_hz(void)
{
    return 0;
}

void platform_uart_write(const uint8_t *buf, uint32_t n)
{
    if (hp_mute_next_write) {
        hp_mute_next_write = 0;
        return;
    }
    while (n > 0) {
        ssize_t w = send(hp_fd, buf, n, MSG_NOSIGNAL);
        if (w < 0 && errno == ENOTSOCK)
            w = write(hp_fd, buf, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            _exit(0); /* the host went away */
        buf += w;
        n -= (uint32_t)w;
    }
}

void platform_uart_putc(uint8_t c)
{
    platform_uart_write(&c, 1);
}

int platform_uart_getc(uint32_t timeout_ms)
{
    while (hp_rx_pos == hp_rx_len) {
        struct pollfd p = {.fd = hp_fd, .events = POLLIN};
        int r = poll(&p, 1, timeout_ms == PLATFORM_WAIT_FOREVER ? -1 : (int)timeout_ms);
        if (r < 0 && errno == EINTR)
            continue;
        if (r == 0)
            return PLATFORM_UART_TIMEOUT;
        ssize_t n = read(hp_fd, hp_rx, sizeof hp_rx);
        if (n < 0 && (errno == EINTR || errno == EAGAIN))
            continue;
        if (n <= 0)
            return PLATFORM_UART_CLOSED;
        hp_rx_pos = 0;
        hp_rx_len = (size_t)n;
    }
    return hp_rx[hp_rx_pos++];
}

/* Bytes already read from the socket (NRT_UART_READ=1 builds: the
 * runtime's bulk path, as over a memory channel). */
uint32_t platform_uart_read(uint8_t *buf, uint32_t max)
{
    uint32_t n = 0;
    while (n < max && hp_rx_pos < hp_rx_len)
        buf[n++] = hp_rx[hp_rx_pos++];
    return n;
}

void platform_reset(void)
{
    longjmp(hp_reboot, 1);
}

uint8_t *platform_batch_memory(uint32_t *bytes)
{
    *bytes = hp_batch_bytes;
    return hp_batch;
}

int platform_stack_bounds(uintptr_t *lo, uintptr_t *hi)
{
    if (!hp_stack)
        return 0;
    *lo = (uintptr_t)hp_stack;
    *hi = (uintptr_t)hp_stack + HP_STACK_BYTES;
    return 1;
}

typedef struct hp_args {
    const neurio_model_desc *model;
    nrt_options opt;
    unsigned garbage;
} hp_args;

static void *device_thread(void *arg)
{
    hp_args *a = arg;
    static volatile int boots;
    if (setjmp(hp_reboot)) {
        /* "Reboot": RAM contents are gone. */
        memset(hp_batch, 0xEE, sizeof hp_batch);
        hp_rx_pos = hp_rx_len = 0; /* the UART FIFO is lost too */
        if (hp_mute_after_reset)
            hp_mute_next_write = 1;
    }
    boots++;
    if (a->garbage) {
        uint8_t g[256];
        uint32_t x = 0x12345u + (uint32_t)boots;
        for (unsigned left = a->garbage; left;) {
            unsigned n = left < sizeof g ? left : (unsigned)sizeof g;
            for (unsigned i = 0; i < n; i++) {
                x = x * 1103515245u + 12345u;
                g[i] = (uint8_t)(x >> 16);
                if (i % 37 == 0)
                    g[i] = 0xA5; /* false start markers */
            }
            platform_uart_write(g, n);
            left -= n;
        }
    }
    int rc = nrt_serve(a->model, &a->opt);
    return (void *)(intptr_t)rc;
}

static unsigned long arg_num(const char *s, const char *name)
{
    char *end = NULL;
    unsigned long v = strtoul(s, &end, 10);
    if (!end || *end) {
        fprintf(stderr, "link_device_host: %s expects a number, got '%s'\n", name, s);
        exit(2);
    }
    return v;
}

int main(int argc, char **argv)
{
    hp_args a = {.model = &fixture_small_desc};
    for (int i = 1; i < argc; i++) {
        const char *k = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(k, "--mute-hello-after-reset")) {
            hp_mute_after_reset = 1;
            continue;
        }
        if (!strcmp(k, "--stop-and-wait")) {
            a.opt.flow_control = -1; /* announce no window: one frame at a time */
            continue;
        }
        if (!v) {
            fprintf(stderr, "link_device_host: %s needs a value\n", k);
            return 2;
        }
        i++;
        if (!strcmp(k, "--fd"))
            hp_fd = (int)arg_num(v, k);
        else if (!strcmp(k, "--model")) {
            a.model = fixture_model(v);
            if (!a.model) {
                fprintf(stderr, "link_device_host: unknown model '%s' (small|wide|mid)\n", v);
                return 2;
            }
        } else if (!strcmp(k, "--reset-after"))
            a.opt.reset_after = (uint32_t)arg_num(v, k);
        else if (!strcmp(k, "--hang-at"))
            fixture_hang_at = (unsigned)arg_num(v, k);
        else if (!strcmp(k, "--slow-ms"))
            fixture_slow_ms = (unsigned)arg_num(v, k);
        else if (!strcmp(k, "--garbage"))
            a.garbage = (unsigned)arg_num(v, k);
        else if (!strcmp(k, "--batch-bytes")) {
            unsigned long b = arg_num(v, k);
            hp_batch_bytes = (uint32_t)(b > HP_BATCH_MAX ? HP_BATCH_MAX : b);
        } else {
            fprintf(stderr, "link_device_host: unknown option '%s'\n", k);
            return 2;
        }
    }
    if (hp_fd < 0) {
        fprintf(stderr, "link_device_host: --fd N is required\n");
        return 2;
    }
    a.opt.build_id = "host-test-device";
    platform_init();
    hp_stack = aligned_alloc(64, HP_STACK_BYTES);
    pthread_attr_t attr;
    pthread_t th;
    void *res = NULL;
    if (!hp_stack || pthread_attr_init(&attr) != 0 ||
        pthread_attr_setstack(&attr, hp_stack, HP_STACK_BYTES) != 0 ||
        pthread_create(&th, &attr, device_thread, &a) != 0) {
        fprintf(stderr, "link_device_host: cannot start the device thread\n");
        return 1;
    }
    pthread_join(th, &res);
    pthread_attr_destroy(&attr);
    free(hp_stack);
    return (int)(intptr_t)res;
}

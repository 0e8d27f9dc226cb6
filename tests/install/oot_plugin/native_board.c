/* native_board.c — the "board" of the worked example: firmware/runtime's
 * platform.h implemented for a POSIX process, so the real device runtime
 * (nrt_serve) and the portable kernels run natively and talk the link over
 * a file descriptor (one end of a socketpair made by vendor_plugin.c).
 *
 *   device --fd N
 *
 * A port to a real board implements the same ten functions over its
 * UART (or RTT) and cycle counter; CONTRIBUTING.md, "Porting the firmware
 * runtime", walks through them. */
#define _POSIX_C_SOURCE 200809L /* clock_gettime, poll */
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "neurio_model_desc.h"
#include "nrt.h"
#include "platform.h"

static int board_fd = -1;
static char **board_argv;
static _Alignas(8) uint8_t board_batch[1u << 20]; /* the "RAM" for batches */

void platform_init(void)
{
}

uint64_t platform_cycles(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
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
    while (n > 0) {
        ssize_t w = write(board_fd, buf, n);
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
    uint8_t c;
    for (;;) {
        struct pollfd p = {.fd = board_fd, .events = POLLIN};
        int r = poll(&p, 1, timeout_ms == PLATFORM_WAIT_FOREVER ? -1 : (int)timeout_ms);
        if (r < 0 && errno == EINTR)
            continue;
        if (r == 0)
            return PLATFORM_UART_TIMEOUT;
        ssize_t n = read(board_fd, &c, 1);
        if (n < 0 && (errno == EINTR || errno == EAGAIN))
            continue;
        return n == 1 ? c : PLATFORM_UART_CLOSED;
    }
}

/* A reboot: the process starts over with the same link. */
void platform_reset(void)
{
    execv("/proc/self/exe", board_argv);
    _exit(1);
}

uint8_t *platform_batch_memory(uint32_t *bytes)
{
    *bytes = (uint32_t)sizeof board_batch;
    return board_batch;
}

int platform_stack_bounds(uintptr_t *lo, uintptr_t *hi)
{
    (void)lo, (void)hi;
    return 0; /* stack high-water mark not reported */
}

int main(int argc, char **argv)
{
    board_argv = argv;
    if (argc != 3 || (board_fd = atoi(argv[2])) < 0) {
        fprintf(stderr, "usage: %s --fd N\n", argv[0]);
        return 2;
    }
    platform_init();
    return nrt_serve(neurio_model_get(), 0) == 0 ? 0 : 1;
}

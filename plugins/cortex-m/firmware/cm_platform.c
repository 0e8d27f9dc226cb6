/* plugins/cortex-m/firmware/cm_platform.c — the link team's board interface
 * (firmware/runtime/platform.h) implemented once for every Cortex-M board on
 * top of the cm_board_* primitives of the board file.  C99.
 *
 * Memory: the stack is [__cm_stack_bottom, __cm_stack_top) at the start of
 * RAM (painted by the runtime for the high-water mark); everything between
 * the end of .bss and the end of RAM is the batch buffer the hello
 * announces, so the batch size follows from the RAM the profile gives the
 * board minus what the image (arena included) uses.
 *
 * Link channel: the board's UART, or with CM_LINK_RTT=1 the RTT memory
 * channel (firmware/runtime/nrt_rtt.h) whose rings are carved from the top
 * of that leftover RAM (CM_RTT_BYTES, default 1/8 of it, at most 80 KiB): the host reads
 * and writes them through a debugger (QEMU's gdbstub, a probe).  When the
 * leftover RAM cannot hold the rings the UART is used.  With the rings set
 * up the UART still listens until the first byte arrives: the channel that
 * brings it carries the link from then on (until the next reset), so a
 * host whose debugger connection failed can fall back to the UART with the
 * same image (the boot hello, sent before any byte, goes to the up ring).
 */
#include <stdint.h>

#include "cm_board.h"
#include "nrt_rtt.h"
#include "platform.h"

#ifndef CM_CLOCK_HZ
#define CM_CLOCK_HZ 0u
#endif
#ifndef CM_CYCLE_SOURCE
#define CM_CYCLE_SOURCE "unknown"
#endif

#ifndef CM_LINK_RTT
#define CM_LINK_RTT 0
#endif

static int use_rtt;        /* the RTT rings are set up                */
static int link_chan;      /* LINK_ANY until the first byte arrives   */
enum { LINK_ANY, LINK_RTT, LINK_UART };
static uint32_t rtt_bytes; /* RAM taken from the top of the heap by them */

static void heap_bounds(uintptr_t *lo, uintptr_t *hi)
{
    *lo = ((uintptr_t)__cm_heap_start + 7u) & ~(uintptr_t)7u;
    *hi = (uintptr_t)__cm_heap_end & ~(uintptr_t)7u;
}

void platform_init(void)
{
    /* cm_board_init() already ran from the reset handler. */
    if (CM_LINK_RTT) {
        uintptr_t lo, hi;
        heap_bounds(&lo, &hi);
        uint32_t left = hi > lo ? (uint32_t)(hi - lo) : 0u;
        uint32_t want = left / 8u;
        if (want > NRT_RTT_UP_MAX + NRT_RTT_DOWN_MAX)
            want = NRT_RTT_UP_MAX + NRT_RTT_DOWN_MAX;
#ifdef CM_RTT_BYTES
        want = CM_RTT_BYTES;
#endif
        want &= ~7u;
        if (want > left)
            want = 0;
        use_rtt = nrt_rtt_init(want ? (uint8_t *)(hi - want) : (uint8_t *)0, want) != 0;
        rtt_bytes = use_rtt ? want : 0u;
        if (use_rtt) {
            uint32_t addr, per_tick;
            int down;
            cm_board_clock_source(&addr, &per_tick, &down);
            /* Device time as the report gives device latency: counts at
             * the board's clock (QEMU: instructions at CM_CLOCK_HZ). */
            nrt_rtt_set_clock(addr, per_tick, down, (uint32_t)(CM_CLOCK_HZ / 1000u));
        }
    }
    link_chan = use_rtt ? LINK_ANY : LINK_UART;
}

uint64_t platform_cycles(void)
{
    return cm_board_count_exact();
}

const char *platform_cycle_method(void)
{
    return CM_CYCLE_SOURCE;
}

uint32_t platform_clock_hz(void)
{
    return (uint32_t)CM_CLOCK_HZ;
}

void platform_uart_write(const uint8_t *buf, uint32_t n)
{
    if (link_chan != LINK_UART) {
        /* A full up ring waits for the host to drain it. */
        for (uint32_t done = nrt_rtt_put(buf, n); done < n; done += nrt_rtt_put(buf + done, n - done))
            nrt_rtt_wait(NRT_RTT_WAIT_WRITE);
        return;
    }
    for (uint32_t i = 0; i < n; i++)
        cm_board_putc(buf[i]);
}

void platform_uart_putc(uint8_t c)
{
    platform_uart_write(&c, 1);
}

static int link_getc(void)
{
    if (link_chan == LINK_UART)
        return cm_board_getc();
    int c = nrt_rtt_getc();
    if (c >= 0)
        link_chan = LINK_RTT;
    else if (link_chan == LINK_ANY && (c = cm_board_getc()) >= 0)
        link_chan = LINK_UART;
    return c;
}

/* Bytes already in the RTT down ring (built with NRT_UART_READ=1, i.e.
 * with the RTT channel); the UART is read byte by byte. */
uint32_t platform_uart_read(uint8_t *buf, uint32_t max)
{
    if (link_chan == LINK_UART)
        return 0;
    uint32_t n = nrt_rtt_read(buf, max);
    if (n)
        link_chan = LINK_RTT;
    return n;
}

int platform_uart_getc(uint32_t timeout_ms)
{
    int c = link_getc();
    if (c >= 0)
        return c;
    uint64_t limit = (uint64_t)timeout_ms * cm_board_counts_per_ms();
    uint64_t t0 = cm_board_count();
    for (;;) {
        if (timeout_ms != PLATFORM_WAIT_FOREVER && cm_board_count() - t0 >= limit)
            return PLATFORM_UART_TIMEOUT;
        if (link_chan != LINK_UART)
            nrt_rtt_wait(NRT_RTT_WAIT_READ); /* a halting host stops here */
        else
            cm_board_wait_input();
        if ((c = link_getc()) >= 0)
            return c;
    }
}

void platform_reset(void)
{
    cm_board_reset();
}

uint8_t *platform_batch_memory(uint32_t *bytes)
{
    uintptr_t lo, hi;
    heap_bounds(&lo, &hi);
    hi -= rtt_bytes; /* the RTT rings sit at the top */
    *bytes = hi > lo ? (uint32_t)(hi - lo) : 0u;
    return *bytes ? (uint8_t *)lo : (uint8_t *)0;
}

int platform_stack_bounds(uintptr_t *lo, uintptr_t *hi)
{
    *lo = (uintptr_t)__cm_stack_bottom;
    *hi = (uintptr_t)__cm_stack_top;
    return 1;
}

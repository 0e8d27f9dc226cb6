/* plugins/cortex-m/firmware/cm_platform.c — the link team's board interface
 * (firmware/runtime/platform.h) implemented once for every Cortex-M board on
 * top of the cm_board_* primitives of the board file.  C99.
 *
 * Memory: the stack is [__cm_stack_bottom, __cm_stack_top) at the start of
 * RAM (painted by the runtime for the high-water mark); everything between
 * the end of .bss and the end of RAM is the batch buffer the hello
 * announces, so the batch size follows from the RAM the profile gives the
 * board minus what the image (arena included) uses.
 */
#include <stdint.h>

#include "cm_board.h"
#include "platform.h"

#ifndef CM_CLOCK_HZ
#define CM_CLOCK_HZ 0u
#endif
#ifndef CM_CYCLE_SOURCE
#define CM_CYCLE_SOURCE "unknown"
#endif

void platform_init(void)
{
    /* cm_board_init() already ran from the reset handler. */
}

uint64_t platform_cycles(void)
{
    return cm_board_count();
}

const char *platform_cycle_method(void)
{
    return CM_CYCLE_SOURCE;
}

uint32_t platform_clock_hz(void)
{
    return (uint32_t)CM_CLOCK_HZ;
}

void platform_uart_putc(uint8_t c)
{
    cm_board_putc(c);
}

void platform_uart_write(const uint8_t *buf, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++)
        cm_board_putc(buf[i]);
}

int platform_uart_getc(uint32_t timeout_ms)
{
    int c = cm_board_getc();
    if (c >= 0)
        return c;
    uint64_t limit = (uint64_t)timeout_ms * cm_board_counts_per_ms();
    uint64_t t0 = cm_board_count();
    for (;;) {
        if (timeout_ms != PLATFORM_WAIT_FOREVER && cm_board_count() - t0 >= limit)
            return PLATFORM_UART_TIMEOUT;
        cm_board_wait_input();
        if ((c = cm_board_getc()) >= 0)
            return c;
    }
}

void platform_reset(void)
{
    cm_board_reset();
}

uint8_t *platform_batch_memory(uint32_t *bytes)
{
    uintptr_t lo = ((uintptr_t)__cm_heap_start + 7u) & ~(uintptr_t)7u;
    uintptr_t hi = (uintptr_t)__cm_heap_end & ~(uintptr_t)7u;
    *bytes = hi > lo ? (uint32_t)(hi - lo) : 0u;
    return *bytes ? (uint8_t *)lo : (uint8_t *)0;
}

int platform_stack_bounds(uintptr_t *lo, uintptr_t *hi)
{
    *lo = (uintptr_t)__cm_stack_bottom;
    *hi = (uintptr_t)__cm_stack_top;
    return 1;
}

/* plugins/riscv/firmware/rv_board.c — the board file of the riscv plugin:
 * the neurio firmware runtime (platform.h) on QEMU's `virt` machine, rv32,
 * in machine mode with no boot loader (-bios none).  C99, freestanding.
 *
 * Start-up is picolibc's crt0 (stack, .data copy, .bss clear, FPU on for
 * rv32imafc) with picolibc's linker script; the plugin places it with
 * -Wl,--defsym=__flash=...,__ram=...,__stack_size=... from its profile.
 *
 * - Link UART: the NS16550A at 0x10000000 (virt's UART0), polled, FIFO on.
 *   QEMU only hands the guest what its receive FIFO can take, so no byte is
 *   lost.
 * - Counter: the `instret` CSR (retired instructions, 64-bit via
 *   instreth); under `-icount shift=0` one instruction is also 1 ns of
 *   virtual time, so timeouts count 1,000,000 instructions per ms.
 * - Exit and reset: the SiFive test device at 0x100000 (0x5555 = pass,
 *   code << 16 | 0x3333 = fail, 0x7777 = reset).
 * - Memory: picolibc's layout puts the stack ([__heap_end, __stack)) at the
 *   end of RAM; everything between the end of .bss and the stack is the
 *   batch buffer the hello announces.
 */
#include <stdint.h>

#include "neurio_model_desc.h"
#include "nrt.h"
#include "platform.h"

#define RV_REG8(a) (*(volatile uint8_t *)(uintptr_t)(a))
#define RV_REG32(a) (*(volatile uint32_t *)(uintptr_t)(a))

#define UART_BASE 0x10000000u
#define UART_RBR RV_REG8(UART_BASE + 0u) /* receive buffer (read)      */
#define UART_THR RV_REG8(UART_BASE + 0u) /* transmit holding (write)   */
#define UART_IER RV_REG8(UART_BASE + 1u)
#define UART_FCR RV_REG8(UART_BASE + 2u)
#define UART_LCR RV_REG8(UART_BASE + 3u)
#define UART_LSR RV_REG8(UART_BASE + 5u)
#define LSR_DATA_READY 0x01u
#define LSR_THR_EMPTY 0x20u

#define TEST_DEVICE RV_REG32(0x100000u)
#define TEST_PASS 0x5555u
#define TEST_FAIL 0x3333u
#define TEST_RESET 0x7777u

#ifndef RV_CLOCK_HZ
#define RV_CLOCK_HZ 0u
#endif
#define RV_COUNTS_PER_MS 1000000u /* -icount shift=0: 1 instruction = 1 ns */

/* From picolibc's linker script. */
extern char __heap_start[], __heap_end[], __stack[];

void platform_init(void)
{
    UART_IER = 0x00u; /* polled */
    UART_LCR = 0x03u; /* 8 data bits, no parity, 1 stop bit */
    /* FIFOs on and cleared, receive trigger level 14: QEMU hands the guest
     * as many bytes per poll of its socket as the trigger level allows (1
     * at level 1, which starves the link on a loaded host). */
    UART_FCR = 0xC7u;
}

uint64_t platform_cycles(void)
{
    uint32_t hi, lo, hi2;
    do { /* instreth may tick between the two reads: read it twice */
        __asm__ volatile("rdinstreth %0" : "=r"(hi));
        __asm__ volatile("rdinstret %0" : "=r"(lo));
        __asm__ volatile("rdinstreth %0" : "=r"(hi2));
    } while (hi != hi2);
    return ((uint64_t)hi << 32) | lo;
}

const char *platform_cycle_method(void)
{
    return "instret (instructions, QEMU -icount)";
}

uint32_t platform_clock_hz(void)
{
    return (uint32_t)RV_CLOCK_HZ;
}

void platform_uart_putc(uint8_t c)
{
    while (!(UART_LSR & LSR_THR_EMPTY)) {
    }
    UART_THR = c;
}

void platform_uart_write(const uint8_t *buf, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++)
        platform_uart_putc(buf[i]);
}

int platform_uart_getc(uint32_t timeout_ms)
{
    uint64_t t0 = platform_cycles();
    uint64_t limit = (uint64_t)timeout_ms * RV_COUNTS_PER_MS;
    for (;;) {
        if (UART_LSR & LSR_DATA_READY)
            return UART_RBR;
        if (timeout_ms != PLATFORM_WAIT_FOREVER && platform_cycles() - t0 >= limit)
            return PLATFORM_UART_TIMEOUT;
    }
}

void platform_reset(void)
{
    TEST_DEVICE = TEST_RESET;
    for (;;) {
    }
}

uint8_t *platform_batch_memory(uint32_t *bytes)
{
    uintptr_t lo = ((uintptr_t)__heap_start + 7u) & ~(uintptr_t)7u;
    uintptr_t hi = (uintptr_t)__heap_end & ~(uintptr_t)7u;
    *bytes = hi > lo ? (uint32_t)(hi - lo) : 0u;
    return *bytes ? (uint8_t *)lo : (uint8_t *)0;
}

int platform_stack_bounds(uintptr_t *lo, uintptr_t *hi)
{
    *lo = (uintptr_t)__heap_end;
    *hi = (uintptr_t)__stack;
    return 1;
}

/* picolibc's exit() ends here: leave QEMU with the status. */
void _exit(int status);
void _exit(int status)
{
    TEST_DEVICE = status == 0 ? TEST_PASS : (((uint32_t)status & 0xFFFFu) << 16) | TEST_FAIL;
    for (;;) {
    }
}

int main(void)
{
    platform_init();
    (void)nrt_serve(neurio_model_get(), 0);
    /* nrt_serve returns only when the model descriptor is unusable, after
     * saying so in a hello: idle so the host can read it. */
    for (;;) {
    }
}

/* plugins/cortex-m/firmware/mps2/board_mps2.c — board support for the ARM
 * MPS2 FPGA images emulated by QEMU: mps2-an386 (Cortex-M4F) and
 * mps2-an500 (Cortex-M7).  C99.
 *
 * Link UART: CMSDK APB UART0 at 0x40004000, polled.  QEMU forwards it to
 * the host socket and applies backpressure, so no byte is ever lost.
 * Cycle source: CMSDK dual timer 1 at 0x40002000 as a free-running 32-bit
 * down counter on the 25 MHz system clock.  Under `-icount shift=0` one
 * instruction is 1 ns of virtual time, so one tick is 40 instructions: the
 * count returned is ticks * 40, labelled "icount (instructions, 40/tick)".
 * (DWT CYCCNT reads 0 in QEMU, so it cannot be used here.)
 *
 * Waiting for input: the UART's RX interrupt is enabled at the peripheral
 * and in the NVIC but masked by PRIMASK (no handler ever runs), so WFI
 * sleeps until a byte is pending.  While the guest sleeps QEMU's vCPU is
 * idle and its I/O loop feeds the UART much faster than against a busy
 * polling guest; inference counts are unaffected (no WFI inside run()).
 */
#include <stdint.h>

#include "cm_board.h"

#define UART0_BASE 0x40004000u
#define UART_DATA CM_REG32(UART0_BASE + 0x00u)
#define UART_STATE CM_REG32(UART0_BASE + 0x04u)
#define UART_CTRL CM_REG32(UART0_BASE + 0x08u)
#define UART_BAUDDIV CM_REG32(UART0_BASE + 0x10u)
#define UART_STATE_TXFULL (1u << 0)
#define UART_STATE_RXFULL (1u << 1)
#define UART_INTSTATUS CM_REG32(UART0_BASE + 0x0Cu) /* write 1 to clear */
#define UART_CTRL_TXEN (1u << 0)
#define UART_CTRL_RXEN (1u << 1)
#define UART_CTRL_RXINTEN (1u << 3)
#define UART_INT_RX (1u << 1)
#define NVIC_ISER(n) CM_REG32(0xE000E100u + 4u * (n))
#define NVIC_ICPR(n) CM_REG32(0xE000E280u + 4u * (n))
#define CM_NVIC_WORDS 3u /* MPS2 images use fewer than 96 external IRQs */

#define TIMER_BASE 0x40002000u
#define TIMER1_LOAD CM_REG32(TIMER_BASE + 0x00u)
#define TIMER1_VALUE CM_REG32(TIMER_BASE + 0x04u)
#define TIMER1_CTRL CM_REG32(TIMER_BASE + 0x08u)
#define TIMER_CTRL_32BIT (1u << 1)
#define TIMER_CTRL_ENABLE (1u << 7)

/* Instructions per timer tick under -icount shift=0 with a 25 MHz timer. */
#define CM_MPS2_INSNS_PER_TICK 40u

static uint32_t count_last; /* last ticks-elapsed value read (32-bit)   */
static uint32_t count_high; /* wraps of the 32-bit counter seen so far  */

void cm_board_init(void)
{
    /* QEMU ignores TX unless the baud divisor is at least 16. */
    UART_BAUDDIV = 16u;
    UART_CTRL = UART_CTRL_TXEN | UART_CTRL_RXEN | UART_CTRL_RXINTEN;
    /* Only UART0 RX can raise an interrupt (no other source is enabled at
     * its peripheral); PRIMASK keeps it from being taken, WFI still wakes. */
    __asm__ volatile("cpsid i" ::: "memory");
    for (uint32_t i = 0; i < CM_NVIC_WORDS; i++) {
        NVIC_ICPR(i) = 0xFFFFFFFFu;
        NVIC_ISER(i) = 0xFFFFFFFFu;
    }

    TIMER1_CTRL = 0u;
    TIMER1_LOAD = 0xFFFFFFFFu;
    TIMER1_CTRL = TIMER_CTRL_32BIT | TIMER_CTRL_ENABLE; /* free-running */
    count_last = 0u;
    count_high = 0u;
}

void cm_board_putc(uint8_t c)
{
    while (UART_STATE & UART_STATE_TXFULL) {
    }
    UART_DATA = c;
}

int cm_board_getc(void)
{
    if (!(UART_STATE & UART_STATE_RXFULL))
        return -1;
    int c = (int)(UART_DATA & 0xFFu);
    UART_INTSTATUS = UART_INT_RX;
    for (uint32_t i = 0; i < CM_NVIC_WORDS; i++)
        NVIC_ICPR(i) = 0xFFFFFFFFu;
    return c;
}

void cm_board_wait_input(void)
{
    /* A byte that arrived since the caller's check left its interrupt
     * pending, so WFI returns at once: no lost wake-up. */
    if (!(UART_STATE & UART_STATE_RXFULL))
        __asm__ volatile("dsb 0xF\n\twfi" ::: "memory");
}

uint64_t cm_board_count(void)
{
    uint32_t now = 0xFFFFFFFFu - TIMER1_VALUE; /* ticks since enable */
    if (now < count_last)
        count_high++;
    count_last = now;
    uint64_t ticks = ((uint64_t)count_high << 32) | now;
    return ticks * CM_MPS2_INSNS_PER_TICK;
}

uint32_t cm_board_counts_per_ms(void)
{
    return 1000000u; /* 1 instruction = 1 ns of virtual time */
}

void cm_board_reset(void)
{
    cm_dsb_isb();
    CM_SCB_AIRCR = CM_AIRCR_VECTKEY | CM_AIRCR_SYSRESETREQ;
    cm_dsb_isb();
    for (;;) {
    }
}

/* plugins/cortex-m/firmware/mps2/board_mps2.c — board support for the ARM
 * MPS2 FPGA images emulated by QEMU: mps2-an385 (Cortex-M3), mps2-an386
 * (Cortex-M4F) and mps2-an500 (Cortex-M7).  C99.
 *
 * Link UART: CMSDK APB UART0 at 0x40004000, polled (cm_cmsdk.h).  QEMU
 * forwards it to the host socket and applies backpressure, so no byte is
 * ever lost.
 * Cycle source: CMSDK dual timer 1 at 0x40002000 as a free-running 32-bit
 * down counter on the 25 MHz system clock.  Under `-icount shift=0` one
 * instruction is 1 ns of virtual time, so one tick is 40 instructions;
 * cm_board_count_exact() synchronises to a tick edge and resolves it to the
 * instruction (cm_cmsdk.h), labelled "icount (instructions, exact)".
 * (DWT CYCCNT reads 0 in QEMU, so it cannot be used here.)
 */
#include <stdint.h>

#include "cm_board.h"
#include "cm_cmsdk.h"

#define UART0_BASE 0x40004000u

#define TIMER_BASE 0x40002000u
#define TIMER1_LOAD CM_REG32(TIMER_BASE + 0x00u)
#define TIMER1_VALUE CM_REG32(TIMER_BASE + 0x04u)
#define TIMER1_CTRL CM_REG32(TIMER_BASE + 0x08u)
#define TIMER_CTRL_32BIT (1u << 1)
#define TIMER_CTRL_ENABLE (1u << 7)

/* Instructions per timer tick under -icount shift=0 with a 25 MHz timer. */
#define CM_MPS2_INSNS_PER_TICK 40u

static cmsdk_count count;
static cmsdk_exact exact;

void cm_board_init(void)
{
    cmsdk_uart_init(UART0_BASE);
    TIMER1_CTRL = 0u;
    TIMER1_LOAD = 0xFFFFFFFFu;
    TIMER1_CTRL = TIMER_CTRL_32BIT | TIMER_CTRL_ENABLE; /* free-running */
    count = (cmsdk_count){0u, 0u};
    exact = (cmsdk_exact){0u, 0u, 0u};
    (void)cm_board_count_exact(); /* the first edge: the counts start at 0 */
    exact.ts = 0u;
}

void cm_board_putc(uint8_t c)
{
    cmsdk_uart_putc(UART0_BASE, c);
}

int cm_board_getc(void)
{
    return cmsdk_uart_getc(UART0_BASE);
}

void cm_board_wait_input(void)
{
    cmsdk_uart_wait(UART0_BASE);
}

uint64_t cm_board_count(void)
{
    /* ticks since enable */
    return cmsdk_count_extend(&count, 0xFFFFFFFFu - TIMER1_VALUE) * CM_MPS2_INSNS_PER_TICK;
}

uint64_t cm_board_count_exact(void)
{
    uint32_t v, n, a, b, c;
    CMSDK_TICK_SYNC(&TIMER1_VALUE, CM_MPS2_INSNS_PER_TICK, v, n, a, b, c);
    return cmsdk_exact_step(&exact, CM_MPS2_INSNS_PER_TICK, 1, v, n, a, b, c);
}

void cm_board_clock_source(uint32_t *addr, uint32_t *per_tick, int *down)
{
    *addr = TIMER_BASE + 0x04u; /* TIMER1_VALUE */
    *per_tick = CM_MPS2_INSNS_PER_TICK;
    *down = 1;
}

uint32_t cm_board_counts_per_ms(void)
{
    return 1000000u; /* 1 instruction = 1 ns of virtual time */
}

void cm_board_reset(void)
{
    cmsdk_system_reset();
}

/* plugins/cortex-m/firmware/mps3/board_an547.c — board support for the ARM
 * MPS3 AN547 FPGA image (Cortex-M55 with Helium, SSE-300 subsystem)
 * emulated by QEMU mps3-an547.  C99.
 *
 * Memory (QEMU 7.2, `info mtree`): ITCM 512 KiB at 0x00000000 (code),
 * DTCM 512 KiB at 0x20000000 (data); the core runs Secure with the SAU
 * off.  Link UART: CMSDK APB UART0 at 0x49303000, polled (cm_cmsdk.h).
 * Cycle source: QEMU 7.2 gives this board no CMSDK timer, so the FPGA
 * I/O block's free-running COUNTER register (0x49302018) is used; it
 * counts at 20 MHz of virtual time: under `-icount shift=0` one tick is
 * 50 instructions; cm_board_count_exact() resolves the edge to the
 * instruction (cm_cmsdk.h), labelled "icount (instructions, exact)".
 * The reset handler enables CP10/CP11, which gives access to both the FPU
 * and the MVE (Helium) vector unit.
 */
#include <stdint.h>

#include "cm_board.h"
#include "cm_cmsdk.h"

#define UART0_BASE 0x49303000u
#define FPGAIO_COUNTER CM_REG32(0x49302018u)

/* Instructions per counter tick under -icount shift=0 (20 MHz). */
#define CM_AN547_INSNS_PER_TICK 50u

static cmsdk_count count;
static cmsdk_exact exact;

void cm_board_init(void)
{
    cmsdk_uart_init(UART0_BASE);
    count = (cmsdk_count){FPGAIO_COUNTER, 0u};
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
    return cmsdk_count_extend(&count, FPGAIO_COUNTER) * CM_AN547_INSNS_PER_TICK;
}

uint64_t cm_board_count_exact(void)
{
    uint32_t v, n, a, b, c;
    CMSDK_TICK_SYNC(&FPGAIO_COUNTER, CM_AN547_INSNS_PER_TICK, v, n, a, b, c);
    return cmsdk_exact_step(&exact, CM_AN547_INSNS_PER_TICK, 0, v, n, a, b, c);
}

void cm_board_clock_source(uint32_t *addr, uint32_t *per_tick, int *down)
{
    *addr = 0x49302018u; /* FPGAIO COUNTER */
    *per_tick = CM_AN547_INSNS_PER_TICK;
    *down = 0;
}

uint32_t cm_board_counts_per_ms(void)
{
    return 1000000u; /* 1 instruction = 1 ns of virtual time */
}

void cm_board_reset(void)
{
    cmsdk_system_reset();
}

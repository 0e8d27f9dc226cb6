/* plugins/cortex-m/firmware/cm_board.h — what the generic Cortex-M startup
 * (cm_startup.c) needs from a board file, and the linker symbols every
 * board shares.  C99, freestanding.
 *
 * Each board (mps2/board_*.c, mps3/board_an547.c, nucleo-l4r5zi/) is one C
 * file implementing cm_board_init() and the link team's platform interface
 * (firmware/runtime/platform.h: platform_cycles, platform_uart_*,
 * platform_reset) plus the cm_board_* helpers below.
 */
#ifndef CM_BOARD_H
#define CM_BOARD_H

#include <stddef.h>
#include <stdint.h>

/* Linker-script symbols (cm_sections.ld). */
extern uint32_t __cm_data_load[], __cm_data_start[], __cm_data_end[];
extern uint32_t __cm_bss_start[], __cm_bss_end[];
extern uint32_t __cm_stack_bottom[], __cm_stack_top[];
extern uint32_t __cm_heap_start[], __cm_heap_end[];

/* Clocks, UART and the cycle source.  Called once by the reset handler
 * after .data/.bss are initialised and the FPU is enabled, before main(). */
void cm_board_init(void);

/* Blocking write of one byte to the link UART. */
void cm_board_putc(uint8_t c);
/* Non-blocking read: returns the byte (0..255) or -1 if none is waiting. */
int cm_board_getc(void);
/* Sleep until input may be waiting (or return at once); may also return
 * spuriously.  A board without a way to sleep returns immediately. */
void cm_board_wait_input(void);
/* Free-running 64-bit count from the board's cycle source (QEMU: timer
 * ticks * 40 or 50 = instructions under -icount shift=0; real board: DWT
 * CYCCNT cycles).  Must be called at least once per 32-bit wrap of the
 * hardware counter (QEMU: 171 or 214 s virtual, NUCLEO: 35 s) to extend it
 * correctly. */
uint64_t cm_board_count(void);
/* The count for measurements (platform_cycles()): exact to one instruction
 * or cycle.  QEMU boards synchronise to the next tick edge of their counter
 * and resolve where in the tick it fell (cm_cmsdk.h, CMSDK_TICK_SYNC), so
 * the count advances by the instructions executed outside these calls
 * only and a measured interval no longer depends on the phase of the tick
 * it started in (under the same constraint of one call per 32-bit wrap);
 * a real board returns cm_board_count() (DWT cycles). */
uint64_t cm_board_count_exact(void);
/* cm_board_count() units per millisecond (QEMU: 1e6 instructions = 1 ms of
 * virtual time under -icount shift=0; real board: clock_hz / 1000). */
uint32_t cm_board_counts_per_ms(void);
/* The free-running 32-bit counter behind cm_board_count(), for a debugger
 * reading it while the core is halted (the RTT host's device clock): its
 * address (0 = none), cm_board_count() units per tick, 1 if it counts down. */
void cm_board_clock_source(uint32_t *addr, uint32_t *per_tick, int *down);
/* Request a system reset through SCB->AIRCR; does not return. */
void cm_board_reset(void) __attribute__((noreturn));

/* Board identity compiled into the image (CM_BOARD_NAME from the build). */
#ifndef CM_BOARD_NAME
#define CM_BOARD_NAME "unknown"
#endif

/* --- system registers shared by every board (ARMv7-M and ARMv8-M) ----- */
#define CM_REG32(a) (*(volatile uint32_t *)(uintptr_t)(a))
#define CM_SCB_CPACR CM_REG32(0xE000ED88u)
#define CM_SCB_AIRCR CM_REG32(0xE000ED0Cu)
#define CM_SCB_VTOR CM_REG32(0xE000ED08u)
#define CM_SCB_CFSR CM_REG32(0xE000ED28u)
#define CM_SCB_HFSR CM_REG32(0xE000ED2Cu)
#define CM_SCB_MMFAR CM_REG32(0xE000ED34u)
#define CM_SCB_BFAR CM_REG32(0xE000ED38u)
#define CM_AIRCR_VECTKEY 0x05FA0000u
#define CM_AIRCR_SYSRESETREQ (1u << 2)
#define CM_DEMCR CM_REG32(0xE000EDFCu)
#define CM_DWT_CTRL CM_REG32(0xE0001000u)
#define CM_DWT_CYCCNT CM_REG32(0xE0001004u)
#define CM_DWT_LAR CM_REG32(0xE0001FB0u)

static inline void cm_dsb_isb(void)
{
    __asm__ volatile("dsb 0xF\n\tisb 0xF" ::: "memory");
}

#endif /* CM_BOARD_H */

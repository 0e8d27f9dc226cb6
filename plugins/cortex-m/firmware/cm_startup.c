/* plugins/cortex-m/firmware/cm_startup.c — vector table, reset handler and
 * fault handlers for every Cortex-M board (ARMv7-M: M3, M4F, M7; ARMv8-M
 * and v8.1-M running Secure: M33, M55).  C99.
 *
 * Reset: copy .data from flash, zero .bss, enable the FPU and the Helium
 * vector unit when the image uses them (CPACR CP10/CP11 full access), run the C
 * constructors, call cm_board_init() and then main().  A fault prints one
 * line with the fault status registers on the link UART (the host link
 * shows it as garbage it resyncs past, and the timeout/hello logic takes
 * over) and resets the device.
 */
#include <stdint.h>

#include "cm_board.h"

int main(void);
void cm_reset_handler(void) __attribute__((noreturn));
void cm_default_handler(void);
void cm_fault_handler(void);

extern void (*__preinit_array_start[])(void);
extern void (*__preinit_array_end[])(void);
extern void (*__init_array_start[])(void);
extern void (*__init_array_end[])(void);

static void run_array(void (**start)(void), void (**end)(void))
{
    for (void (**f)(void) = start; f < end; f++)
        (*f)();
}

void cm_reset_handler(void)
{
    const uint32_t *src = __cm_data_load;
    for (uint32_t *dst = __cm_data_start; dst < __cm_data_end;)
        *dst++ = *src++;
    for (uint32_t *dst = __cm_bss_start; dst < __cm_bss_end;)
        *dst++ = 0u;
#if defined(__ARM_FP) || defined(__ARM_FEATURE_MVE)
    CM_SCB_CPACR |= (0xFu << 20); /* CP10 + CP11: FPU and MVE, full access */
    cm_dsb_isb();
#endif
    run_array(__preinit_array_start, __preinit_array_end);
    run_array(__init_array_start, __init_array_end);
    cm_board_init();
    (void)main();
    cm_board_reset();
}

static void put_str(const char *s)
{
    while (*s)
        cm_board_putc((uint8_t)*s++);
}

static void put_hex(uint32_t v)
{
    static const char digits[] = "0123456789abcdef";
    for (int i = 7; i >= 0; i--)
        cm_board_putc((uint8_t)digits[(v >> (i * 4)) & 0xFu]);
}

/* HardFault, MemManage, BusFault, UsageFault: report and reset. */
void cm_fault_handler(void)
{
    put_str("\r\n!fault cfsr=");
    put_hex(CM_SCB_CFSR);
    put_str(" hfsr=");
    put_hex(CM_SCB_HFSR);
    put_str(" bfar=");
    put_hex(CM_SCB_BFAR);
    put_str("\r\n");
    cm_board_reset();
}

void cm_default_handler(void)
{
    put_str("\r\n!unexpected interrupt\r\n");
    cm_board_reset();
}

typedef void (*cm_vector)(void);

/* 16 system exceptions; the boards run everything by polling, so no
 * external interrupt is ever enabled and none needs a slot. */
__attribute__((section(".cm_vectors"), used))
static const cm_vector cm_vectors[16] = {
    (cm_vector)(uintptr_t)__cm_stack_top, /* initial MSP */
    cm_reset_handler,
    cm_default_handler, /* NMI */
    cm_fault_handler,   /* HardFault */
    cm_fault_handler,   /* MemManage */
    cm_fault_handler,   /* BusFault */
    cm_fault_handler,   /* UsageFault */
    0, 0, 0, 0,
    cm_default_handler, /* SVCall */
    cm_default_handler, /* DebugMon */
    0,
    cm_default_handler, /* PendSV */
    cm_default_handler, /* SysTick */
};

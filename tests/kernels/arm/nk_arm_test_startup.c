/* tests/kernels/arm/nk_arm_test_startup.c — minimal bare-metal start-up for
 * the kernel equality test image (vector table, .data/.bss set-up, FPU on,
 * semihosting output and exit).  Test-only; the real board support lives in
 * plugins/cortex-m/firmware/. */
#include <stdint.h>
#include <string.h>

extern uint32_t _data_load, _data_start, _data_end, _bss_start, _bss_end, _stack_top;
int nk_test_main(void);
void nk_test_reset(void);
void nk_test_fault(void);
void nk_test_puts(const char *s);
void nk_test_exit(int code);

static int semihost(int op, const void *arg)
{
    register int r0 __asm__("r0") = op;
    register const void *r1 __asm__("r1") = arg;
    __asm__ volatile("bkpt 0xab" : "+r"(r0) : "r"(r1) : "memory");
    return r0;
}

void nk_test_puts(const char *s)
{
    semihost(0x04, s); /* SYS_WRITE0 */
}

void nk_test_exit(int code)
{
    /* SYS_EXIT: ApplicationExit -> status 0, anything else -> status 1 */
    semihost(0x18, (const void *)(uintptr_t)(code == 0 ? 0x20026 : 0x20024));
    for (;;)
        ;
}

void nk_test_fault(void)
{
    nk_test_puts("FAULT: hard fault in the kernel test image\n");
    nk_test_exit(1);
}

void nk_test_reset(void)
{
    memcpy(&_data_start, &_data_load, (size_t)((char *)&_data_end - (char *)&_data_start));
    memset(&_bss_start, 0, (size_t)((char *)&_bss_end - (char *)&_bss_start));
    /* CPACR: full access to CP10/CP11 (the FPU) */
    *(volatile uint32_t *)0xE000ED88u |= 0xFu << 20;
    __asm__ volatile("dsb\n isb" ::: "memory");
    nk_test_exit(nk_test_main());
}

__attribute__((section(".vectors"), used)) static const void *const vectors[16] = {
    &_stack_top, (const void *)nk_test_reset, (const void *)nk_test_fault,
    (const void *)nk_test_fault, (const void *)nk_test_fault, (const void *)nk_test_fault,
    (const void *)nk_test_fault};

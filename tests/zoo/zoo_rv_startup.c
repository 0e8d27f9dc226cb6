/* tests/zoo/zoo_rv_startup.c — the zoo image's start on QEMU's RISC-V virt
 * machine (rv32, -bios none): picolibc's crt0 sets up the stack, .data and
 * .bss and calls main(), which ends through _exit(); text goes out over semihosting (SYS_WRITE0), the
 * exit status through the SiFive test device at 0x100000 (0x5555 = pass,
 * code << 16 | 0x3333 = fail, QEMU's exit status = code).  Test-only; the
 * real board port is plugins/riscv/firmware/rv_board.c.  C99. */
#include <stdint.h>

int nk_test_main(void);
void nk_test_puts(const char *s);

void nk_test_puts(const char *s)
{
    register long a0 __asm__("a0") = 0x04; /* SYS_WRITE0 */
    register const char *a1 __asm__("a1") = s;
    __asm__ volatile(".option push\n.option norvc\n.balign 16\n"
                     "slli x0, x0, 0x1f\nebreak\nsrai x0, x0, 7\n.option pop"
                     : "+r"(a0) : "r"(a1) : "memory");
}

void _exit(int code);
void _exit(int code)
{
    volatile uint32_t *test = (volatile uint32_t *)(uintptr_t)0x100000u;
    *test = code == 0 ? 0x5555u : ((uint32_t)(code & 0xffff) << 16) | 0x3333u;
    for (;;)
        ;
}

int main(void);
int main(void)
{
    _exit(nk_test_main()); /* picolibc's crt0 spins after main returns */
}

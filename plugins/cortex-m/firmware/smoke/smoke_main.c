/* plugins/cortex-m/firmware/smoke/smoke_main.c — a tiny image that proves a
 * board boots: it prints one line with the board name, the stack/RAM layout
 * and the cycle-source count of a known loop, then echoes every received
 * byte with +1 until it receives 'R' (reset) or 'Q' (stop answering).
 * Used by tests/cortexm to check startup, UART both ways, the cycle source
 * and system reset under QEMU; never part of a real run.  C99. */
#include <stdint.h>

#include "cm_board.h"

static void put_str(const char *s)
{
    while (*s)
        cm_board_putc((uint8_t)*s++);
}

static void put_u32(uint32_t v)
{
    char buf[11];
    int n = 0;
    do {
        buf[n++] = (char)('0' + v % 10u);
        v /= 10u;
    } while (v);
    while (n)
        cm_board_putc((uint8_t)buf[--n]);
}

static volatile uint32_t sink;
static volatile uint32_t initialised = 0x1234u; /* checks the .data copy */
static volatile uint32_t zeroed;               /* checks the .bss clear  */

int main(void)
{
    uint64_t t0 = cm_board_count_exact();
    for (uint32_t i = 0; i < 100000u; i++)
        sink += i;
    uint64_t t1 = cm_board_count_exact();
    volatile float f = 1.5f; /* touches the FPU on hard-float builds */
    f = f * 2.0f;

    put_str("neurio-smoke board=" CM_BOARD_NAME " data=");
    put_u32(initialised);
    put_str(" bss=");
    put_u32(zeroed);
    put_str(" loop=");
    put_u32((uint32_t)(t1 - t0));
    put_str(" fp=");
    put_u32((uint32_t)f);
    put_str("\n");
    for (;;) {
        int c = cm_board_getc();
        if (c < 0) {
            cm_board_wait_input(); /* WFI until the RX interrupt pends */
            continue;
        }
        if (c == 'R')
            cm_board_reset();
        if (c == 'Q')
            for (;;) {
            }
        cm_board_putc((uint8_t)(c + 1));
    }
}

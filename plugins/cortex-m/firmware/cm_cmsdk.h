/* plugins/cortex-m/firmware/cm_cmsdk.h — the Arm CMSDK peripherals every
 * emulated MPS2/MPS3 board has (APB UART, polled, with its RX interrupt
 * used only to wake WFI), and the 32-bit -> 64-bit count extension of a
 * free-running counter.  Header-only (static inline) so each board file
 * (mps2/board_mps2.c, mps2/board_an505.c, mps3/board_an547.c) names its
 * own base addresses and counter.  C99, freestanding.
 *
 * Waiting for input: the UART's RX interrupt is enabled at the peripheral
 * and in the NVIC but masked by PRIMASK (no handler ever runs), so WFI
 * sleeps until a byte is pending.  While the guest sleeps QEMU's vCPU is
 * idle and its I/O loop feeds the UART much faster than against a busy
 * polling guest; inference counts are unaffected (no WFI inside run()).
 */
#ifndef CM_CMSDK_H
#define CM_CMSDK_H

#include <stdint.h>

#include "cm_board.h"

#define CMSDK_UART_DATA(b) CM_REG32((b) + 0x00u)
#define CMSDK_UART_STATE(b) CM_REG32((b) + 0x04u)
#define CMSDK_UART_CTRL(b) CM_REG32((b) + 0x08u)
#define CMSDK_UART_INTSTATUS(b) CM_REG32((b) + 0x0Cu) /* write 1 to clear */
#define CMSDK_UART_BAUDDIV(b) CM_REG32((b) + 0x10u)
#define CMSDK_UART_STATE_TXFULL (1u << 0)
#define CMSDK_UART_STATE_RXFULL (1u << 1)
#define CMSDK_UART_CTRL_TXEN (1u << 0)
#define CMSDK_UART_CTRL_RXEN (1u << 1)
#define CMSDK_UART_CTRL_RXINTEN (1u << 3)
#define CMSDK_UART_INT_RX (1u << 1)

#define CMSDK_NVIC_ISER(n) CM_REG32(0xE000E100u + 4u * (n))
#define CMSDK_NVIC_ICPR(n) CM_REG32(0xE000E280u + 4u * (n))
/* Interrupt lines enabled / cleared: MPS2 and MPS3 images have fewer than
 * 128 external interrupts. */
#define CMSDK_NVIC_WORDS 4u

/* Enable the UART at `base` (TX, RX, RX interrupt for WFI wake-up) and
 * every NVIC line, with PRIMASK set so that no handler ever runs. */
static inline void cmsdk_uart_init(uint32_t base)
{
    /* QEMU ignores TX unless the baud divisor is at least 16. */
    CMSDK_UART_BAUDDIV(base) = 16u;
    CMSDK_UART_CTRL(base) = CMSDK_UART_CTRL_TXEN | CMSDK_UART_CTRL_RXEN | CMSDK_UART_CTRL_RXINTEN;
    __asm__ volatile("cpsid i" ::: "memory");
    for (uint32_t i = 0; i < CMSDK_NVIC_WORDS; i++) {
        CMSDK_NVIC_ICPR(i) = 0xFFFFFFFFu;
        CMSDK_NVIC_ISER(i) = 0xFFFFFFFFu;
    }
}

static inline void cmsdk_uart_putc(uint32_t base, uint8_t c)
{
    while (CMSDK_UART_STATE(base) & CMSDK_UART_STATE_TXFULL) {
    }
    CMSDK_UART_DATA(base) = c;
}

/* A byte (0..255) or -1; clears the RX interrupt so WFI sleeps again. */
static inline int cmsdk_uart_getc(uint32_t base)
{
    if (!(CMSDK_UART_STATE(base) & CMSDK_UART_STATE_RXFULL))
        return -1;
    int c = (int)(CMSDK_UART_DATA(base) & 0xFFu);
    CMSDK_UART_INTSTATUS(base) = CMSDK_UART_INT_RX;
    for (uint32_t i = 0; i < CMSDK_NVIC_WORDS; i++)
        CMSDK_NVIC_ICPR(i) = 0xFFFFFFFFu;
    return c;
}

/* Sleep until a byte may be waiting.  A byte that arrived since the
 * caller's check left its interrupt pending, so WFI returns at once: no
 * lost wake-up. */
static inline void cmsdk_uart_wait(uint32_t base)
{
    if (!(CMSDK_UART_STATE(base) & CMSDK_UART_STATE_RXFULL))
        __asm__ volatile("dsb 0xF\n\twfi" ::: "memory");
}

/* A 32-bit up-count extended to 64 bits: call at least once per wrap. */
typedef struct cmsdk_count {
    uint32_t last; /* last 32-bit value read  */
    uint32_t high; /* wraps seen so far       */
} cmsdk_count;

static inline uint64_t cmsdk_count_extend(cmsdk_count *c, uint32_t now)
{
    if (now < c->last)
        c->high++;
    c->last = now;
    return ((uint64_t)c->high << 32) | now;
}

/* Exact instruction counts from a counter that ticks every T instructions
 * (QEMU's -icount shift=0: one instruction = 1 ns of virtual time; the
 * MPS2 timers tick at 25 or 20 MHz, T = 40 or 50).  Reading such a counter
 * at an arbitrary instruction rounds to a tick, and where inside a tick a
 * measurement starts depends on how long the core waited for the link
 * before it (polling, WFI, halts by the debugger): two runs of the same
 * inference then differ by a tick.  CMSDK_TICK_SYNC instead waits for the
 * next tick edge in a 4-instruction loop and then reads the counter three
 * more times, T + 1 instructions apart (a vernier: each read sits one
 * instruction later within its tick), which tells where in the loop the
 * edge fell, to the instruction.  cmsdk_exact_step() turns that into a
 * count of the instructions executed outside the synchronisation itself,
 * so every measured interval is a function of the code run, not of the
 * phase it started at.  Interrupts must be off (they are: PRIMASK). */
typedef struct cmsdk_exact {
    uint64_t ts;  /* instructions so far, the synchronisations excluded */
    uint32_t v;   /* the counter value at the last synchronisation's edge */
    uint32_t phi; /* instructions from that edge to the read that saw it */
} cmsdk_exact;

/* Spin to the next edge of the counter at `reg` (T instructions per tick,
 * a compile-time constant, even and >= 8); v = the value after the edge,
 * n = loop iterations (the last one saw the edge), a/b/c = the vernier
 * reads.  Instruction layout (X = the first ldr): the loop's reads at
 * X + 2 + 4i, the edge read at r = X + 2 + 4(n - 1), the vernier at
 * r + T - 3, r + 2T - 2, r + 3T - 1; the block ends at r + 3T. */
#define CMSDK_TICK_SYNC(reg, T, v, n, a, b, c)                                  \
    do {                                                                        \
        uint32_t cmsdk_w_;                                                      \
        __asm__ volatile("ldr %[w], [%[r]]\n\t"                                 \
                         "movs %[n], #0\n"                                      \
                         "1:\n\t"                                               \
                         "ldr %[v], [%[r]]\n\t"                                 \
                         "adds %[n], %[n], #1\n\t"                              \
                         "cmp %[v], %[w]\n\t"                                   \
                         "beq 1b\n\t"                                           \
                         ".rept %c[p1]\n\tnop\n\t.endr\n\t"                     \
                         "ldr %[a], [%[r]]\n\t"                                 \
                         ".rept %c[p2]\n\tnop\n\t.endr\n\t"                     \
                         "ldr %[b], [%[r]]\n\t"                                 \
                         ".rept %c[p2]\n\tnop\n\t.endr\n\t"                     \
                         "ldr %[c], [%[r]]\n\t"                                 \
                         : [w] "=&r"(cmsdk_w_), [v] "=&r"(v), [n] "=&r"(n),     \
                           [a] "=&r"(a), [b] "=&r"(b), [c] "=&r"(c)             \
                         : [r] "r"(reg), [p1] "i"((T) - 7), [p2] "i"(T)         \
                         : "cc", "memory");                                     \
        (void)cmsdk_w_;                                                         \
    } while (0)

/* Account one CMSDK_TICK_SYNC (down: the counter counts down) and return
 * the count: x->ts grows by the instructions run between the end of the
 * previous synchronisation and the start of this one.  Straight-line (no
 * branch depends on the phase), so its own instructions are a constant. */
static inline uint64_t cmsdk_exact_step(cmsdk_exact *x, uint32_t T, int down, uint32_t v,
                                        uint32_t n, uint32_t a, uint32_t b, uint32_t c)
{
    /* Ticks from the edge to each vernier read: 0|1, 1|2, 2|3; the
     * phase is how many of them saw one tick more than the minimum. */
    uint32_t da = down ? v - a : a - v, db = down ? v - b : b - v, dc = down ? v - c : c - v;
    uint32_t phi = da + db + dc - 3u;
    uint32_t dt = down ? x->v - v : v - x->v;
    /* X(n) = E(n) + phi(n) - 4 n(n) + 2 is the block's first instruction,
     * E the edge; the previous block took 4 n' + 3T - 2 instructions. */
    x->ts += (uint64_t)dt * T + phi + 2u - x->phi - 4u * n - 3u * T;
    x->v = v;
    x->phi = phi;
    return x->ts;
}

/* SCB->AIRCR system reset; does not return. */
static inline void cmsdk_system_reset(void)
{
    cm_dsb_isb();
    CM_SCB_AIRCR = CM_AIRCR_VECTKEY | CM_AIRCR_SYSRESETREQ;
    cm_dsb_isb();
    for (;;) {
    }
}

#endif /* CM_CMSDK_H */

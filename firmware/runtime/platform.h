/* firmware/runtime/platform.h — the board interface the portable device
 * runtime (firmware/runtime/nrt_*.c) needs.  C99, freestanding.
 *
 * Each board provides one implementation: plugins/cortex-m/firmware/ for the
 * Cortex-M boards, tests/link/host_platform.c for the host build used by the
 * link tests.  The board's main() is typically:
 *
 *     int main(void) { platform_init(); nrt_serve(neurio_model_get(), 0); }
 */
#ifndef NEURIO_FIRMWARE_PLATFORM_H
#define NEURIO_FIRMWARE_PLATFORM_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* platform_uart_getc() results other than a byte 0..255. */
#define PLATFORM_UART_TIMEOUT (-1) /* nothing arrived within timeout_ms     */
#define PLATFORM_UART_CLOSED (-2)  /* the link is gone for good (host build
                                      only: the peer closed the socket)     */
#define PLATFORM_WAIT_FOREVER 0xFFFFFFFFu

/* Clocks, UART, cycle counter.  Called once before anything else. */
void platform_init(void);

/* Monotonic free-running count used to measure inferences (cycles, or
 * instructions, or ns — see platform_cycle_method()).  64-bit: a board with
 * a 32-bit counter extends it (a single wrap between two reads is fine
 * because the runtime subtracts in unsigned arithmetic). */
uint64_t platform_cycles(void);

/* How platform_cycles() counts, as a short static string shown to users:
 * "dwt" (core cycles), "icount (instructions, exact)", ...  Never NULL. */
const char *platform_cycle_method(void);

/* Core clock in Hz (0 = unknown). */
uint32_t platform_clock_hz(void);

/* Send one byte / n bytes (blocking until they are queued). */
void platform_uart_putc(uint8_t c);
void platform_uart_write(const uint8_t *buf, uint32_t n);

/* Receive one byte: 0..255, PLATFORM_UART_TIMEOUT after timeout_ms
 * (PLATFORM_WAIT_FOREVER = block), or PLATFORM_UART_CLOSED.  A board that
 * cannot time out may block; the runtime then relies on the host's
 * resynchronisation (see firmware/LINK.md). */
int platform_uart_getc(uint32_t timeout_ms);
/* Optional (only a board built with NRT_UART_READ=1 provides it, see
 * nrt.h): copy up to max bytes that have already arrived into buf, without
 * waiting; returns how many (0 when none: the runtime then waits in
 * platform_uart_getc).  A memory channel (RTT) hands over a whole frame's
 * payload at once instead of one call per byte. */
uint32_t platform_uart_read(uint8_t *buf, uint32_t max);

/* Reboot the device (never returns on a real board; the host build
 * restarts the runtime from scratch). */
void platform_reset(void);

/* The RAM left for batches (inputs + outputs): a buffer of *bytes bytes,
 * 8-byte aligned, owned by the platform for the whole program.  Return
 * NULL / 0 if none (the runtime then refuses every batch). */
uint8_t *platform_batch_memory(uint32_t *bytes);

/* Stack region for painting: [*lo, *hi) with the stack growing down from
 * hi.  Return 0 if unknown (stack high-water mark not reported), 1 if set. */
int platform_stack_bounds(uintptr_t *lo, uintptr_t *hi);

#ifdef __cplusplus
}
#endif
#endif /* NEURIO_FIRMWARE_PLATFORM_H */

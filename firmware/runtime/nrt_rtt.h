/* firmware/runtime/nrt_rtt.h — an RTT memory channel for the link: a
 * control block with the standard SEGGER RTT layout and ID string, so that
 * debug-probe tools (OpenOCD `rtt setup`, pyOCD, J-Link) find it unchanged,
 * with one up ring (device -> host) and one down ring (host -> device).
 * The framed link (neurio/link.h) runs over it as a byte stream.
 *
 * Layout on a 32-bit target (all little-endian words):
 *   0   char id[16]           "SEGGER RTT", zero-padded
 *   16  int32 max_up (1), int32 max_down (1)
 *   24  up descriptor:   name, buffer, size, wr_off, rd_off, flags
 *   48  down descriptor: name, buffer, size, wr_off, rd_off, flags
 *   72  u32 wait          (neurio extensions after the standard part)
 *   76  u32 clock_addr    a free-running 32-bit counter a debugger may
 *                         read while the core is halted (0 = none)
 *   80  u32 clock_scale   counts per tick, bit 31 set: it counts down
 *   84  u32 clock_per_ms  counts per millisecond of device time
 * The writer of a ring owns wr_off, the reader owns rd_off; a ring is
 * empty when they are equal and holds at most size - 1 bytes.
 *
 * `wait` tells a host that halts the core (the GDB transport,
 * sdk/src/transport/transport_gdb.c) why the device stopped in
 * nrt_rtt_halt(): NRT_RTT_WAIT_READ (down ring empty), NRT_RTT_WAIT_WRITE
 * (up ring full), NRT_RTT_WAIT_NO_RINGS (no RAM for the rings: the device
 * uses its UART); 0 while it runs.  A host that never halts the core (a
 * probe polling the rings) needs none of it.
 *
 * The clock words describe the board's cycle counter so that such a host
 * can follow the device's own time while it waits for an inference (read
 * while the core is stopped anyway: no instruction is added on the
 * device): a RUN's time limit then counts device time, not the host's,
 * and a core whose clock stands still while it runs is seen at once.
 * C99, freestanding. */
#ifndef NEURIO_FIRMWARE_NRT_RTT_H
#define NEURIO_FIRMWARE_NRT_RTT_H

#include <stdint.h>

#define NRT_RTT_WAIT_READ 1u
#define NRT_RTT_WAIT_WRITE 2u
#define NRT_RTT_WAIT_NO_RINGS 3u

#ifndef NRT_RTT_UP_MAX
#define NRT_RTT_UP_MAX 16384u
#endif
#ifndef NRT_RTT_DOWN_MAX
#define NRT_RTT_DOWN_MAX 65536u
#endif

/* Smallest ring the runtime accepts (below it the UART is used). */
#define NRT_RTT_MIN_RING 256u

typedef struct nrt_rtt_ring {
    const char *name;
    uint8_t *buf;
    uint32_t size;
    volatile uint32_t wr_off;
    volatile uint32_t rd_off;
    uint32_t flags;
} nrt_rtt_ring;

typedef struct nrt_rtt_cb {
    volatile char id[16];
    int32_t max_up;
    int32_t max_down;
    nrt_rtt_ring up[1];
    nrt_rtt_ring down[1];
    volatile uint32_t wait;
    uint32_t clock_addr;
    uint32_t clock_scale;
    uint32_t clock_per_ms;
} nrt_rtt_cb;

#define NRT_RTT_CLOCK_DOWN 0x80000000u

/* The control block (symbol `_SEGGER_RTT`, the name RTT tools look up). */
extern nrt_rtt_cb _SEGGER_RTT;

/* Set the control block up with rings carved from mem (8-byte aligned,
 * bytes long): the up ring gets a quarter (at most NRT_RTT_UP_MAX), the
 * down ring the rest (at most NRT_RTT_DOWN_MAX).  Returns the bytes used
 * (0: mem too small for two rings of NRT_RTT_MIN_RING; the block then has
 * no rings, and the device stops once in nrt_rtt_halt with
 * NRT_RTT_WAIT_NO_RINGS so that a halting host learns it at once). */
uint32_t nrt_rtt_init(uint8_t *mem, uint32_t bytes);

/* Describe the device clock (see above): the counter's address, counts
 * per tick (at most 0x7FFFFFFF), whether it counts down, counts per ms. */
void nrt_rtt_set_clock(uint32_t addr, uint32_t per_tick, int down, uint32_t per_ms);

/* One byte from the down ring (0..255), or -1 when it is empty. */
int nrt_rtt_getc(void);

/* Up to max bytes from the down ring into buf (what it holds now, without
 * waiting); returns how many. */
uint32_t nrt_rtt_read(uint8_t *buf, uint32_t max);

/* Copy up to n bytes into the up ring; returns how many fitted. */
uint32_t nrt_rtt_put(const uint8_t *buf, uint32_t n);

/* Wait point: records why in the control block and calls nrt_rtt_halt()
 * (where a halting host puts its breakpoint). */
void nrt_rtt_wait(uint32_t why);

/* The breakpoint site: does nothing, never inlined. */
void nrt_rtt_halt(void);

#endif /* NEURIO_FIRMWARE_NRT_RTT_H */

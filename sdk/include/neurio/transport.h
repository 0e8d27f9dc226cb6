/* sdk/include/neurio/transport.h — byte transports to a device, behind one
 * interface: open / read with timeout / write / close.
 *
 * Implementations (sdk/src/transport_*.c):
 *   "unix:/path/to.sock"        unix stream socket client (QEMU
 *                               -chardev socket,path=...,server=on,wait=on)
 *   "tcp:HOST:PORT"             TCP client (QEMU -chardev socket,host=,port=)
 *   "serial:/dev/ttyACM0[@BAUD]" serial port / pty, raw 8N1 termios, any
 *                               baud (default 115200); "/dev/..." alone too
 *   "fd:N"                      an already open fd (tests, inherited pipes)
 *   "hid:VID:PID[:SERIAL]"      USB HID (hidapi), link frames in 64-byte
 *                               reports (transport_hid.c)
 * and neurio_transport_gdb_rtt_open(): the RTT memory channel of a target
 * (firmware/runtime/nrt_rtt.h) read and written through a GDB server
 * (QEMU's gdbstub, OpenOCD, pyOCD, J-Link) with memory packets
 * (transport_gdb.c)
 * plus a fault-injection wrapper over any transport (tests, soak runs).
 *
 * Ownership: a neurio_transport is owned by whoever opened it and released
 * with neurio_transport_close() (or by the object it was handed to, e.g.
 * neurio_link_open takes ownership).  Not thread-safe: one user at a time.
 */
#ifndef NEURIO_TRANSPORT_H
#define NEURIO_TRANSPORT_H

#include "neurio/api.h"

#include <stddef.h>
#include <stdint.h>

#include "neurio/status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct neurio_transport neurio_transport;

/* Implementation table (designated initializers in each transport_*.c).
 * read: wait up to timeout_ms (< 0 = forever) for at least one byte; return
 *   NEURIO_OK with 1 <= *got <= cap, NEURIO_ERR_TIMEOUT with *got == 0,
 *   NEURIO_ERR_CLOSED when the peer closed, NEURIO_ERR_IO otherwise.
 * write: write all len bytes within timeout_ms (< 0 = forever); NEURIO_OK,
 *   NEURIO_ERR_TIMEOUT, NEURIO_ERR_CLOSED or NEURIO_ERR_IO.
 * close: release everything including the struct itself. */
typedef struct neurio_transport_ops {
    const char *kind; /* "unix", "tcp", "serial", "fd", "hid", "fault" */
    int (*read)(neurio_transport *t, void *buf, size_t cap, size_t *got,
                int timeout_ms, neurio_errbuf *err);
    int (*write)(neurio_transport *t, const void *buf, size_t len,
                 int timeout_ms, neurio_errbuf *err);
    void (*close)(neurio_transport *t);
} neurio_transport_ops;

/* Every implementation's struct starts with this header. */
struct neurio_transport {
    const neurio_transport_ops *ops;
    char desc[256]; /* human description for messages: "unix:/tmp/q.sock" */
};

/* Open from a spec string (see the list above).  On success *out is owned
 * by the caller.  connect_timeout_ms bounds the wait for a socket server to
 * appear (QEMU starting up); < 0 = forever, 0 = one attempt.  Errors name
 * the spec and the system error, and suggest the fix. */
NEURIO_API int neurio_transport_open(const char *spec, int connect_timeout_ms,
                          neurio_transport **out, neurio_errbuf *err);

/* Specific constructors (same ownership as neurio_transport_open). */
NEURIO_API int neurio_transport_unix_open(const char *path, int connect_timeout_ms,
                               neurio_transport **out, neurio_errbuf *err);
NEURIO_API int neurio_transport_tcp_open(const char *host, const char *port,
                              int connect_timeout_ms, neurio_transport **out,
                              neurio_errbuf *err);
/* baud: any rate termios accepts (standard B* rates, others through
 * termios2/BOTHER where the kernel supports it). */
NEURIO_API int neurio_transport_serial_open(const char *path, uint32_t baud,
                                 neurio_transport **out, neurio_errbuf *err);
/* USB HID from a spec "hid:VID:PID[:SERIAL]" (hex ids), frames carried in
 * 64-byte reports (transport_hid.c, protocol in firmware/LINK.md). */
NEURIO_API int neurio_transport_hid_open(const char *spec, int connect_timeout_ms,
                              neurio_transport **out, neurio_errbuf *err);
/* Parse one USB vendor or product id: n characters of hex, optional 0x
 * prefix, at most 4 digits.  Returns 0 and sets *out, or -1 (out untouched).
 * Shared by the HID transport and `neurio probe` link matching. */
NEURIO_API int neurio_usb_id_parse(const char *s, size_t n, uint16_t *out);
/* Name of a debug probe (ST-LINK, DAPLink, CMSIS-DAP) recognised by its
 * public USB ids, or else by its product string (case-insensitive); NULL
 * when it is not one.  Static string. */
NEURIO_API const char *neurio_usb_debug_probe_name(uint16_t vid, uint16_t pid, const char *product);
/* First line of the sysfs attribute dir/name, without its newline, into
 * out ("" when absent or unreadable). */
NEURIO_API void neurio_sysfs_read_attr(const char *dir, const char *name, char *out, size_t cap);
/* Wrap an open fd (set non-blocking internally).  own != 0: closed by
 * neurio_transport_close. */
NEURIO_API int neurio_transport_fd_open(int fd, int own, const char *desc,
                             neurio_transport **out, neurio_errbuf *err);

/* RTT over a GDB remote-protocol server.  spec: "unix:PATH" or
 * "tcp:HOST:PORT" of the server.  The transport stops the core only while
 * it waits for data (a breakpoint on the firmware's nrt_rtt_halt) or,
 * while it runs, every poll_ms to collect what it wrote; it writes the
 * down ring and reads the up ring with m/M packets, then resumes it.  Under
 * QEMU's -icount virtual time stands still while the core is stopped, so
 * the instruction counts the firmware measures do not change.
 * open connects, sets the breakpoint, resumes the core and waits (up to
 * connect_timeout_ms) for its first stop in nrt_rtt_halt; it fails with
 * NEURIO_ERR_UNSUPPORTED when the firmware reports it had no RAM for the
 * rings (it then uses its UART; the core is left running, detached). */
typedef struct neurio_gdb_rtt_config {
    uint32_t cb_addr;    /* control block (ELF symbol _SEGGER_RTT); 0 = scan  */
    uint32_t scan_addr;  /* RAM searched for the "SEGGER RTT" ID when cb_addr */
    uint32_t scan_bytes; /*   is 0                                            */
    uint32_t halt_addr;  /* nrt_rtt_halt (bit 0, the Thumb bit, is ignored)   */
    int hw_breakpoint;   /* Z1 (hardware) instead of Z0: code in real flash   */
    int poll_ms;         /* while the core runs, collect output this often
                            (0 = 10 ms)                                       */
    int io_timeout_ms;   /* one gdb request (0 = 2000 ms)                     */
    int write_ahead;     /* the server reads requests while it answers, acks
                            or not (QEMU's gdbstub): send up to 16 memory
                            writes before reading their replies (always in
                            no-ack mode)                                      */
} neurio_gdb_rtt_config;

typedef struct neurio_gdb_rtt_stats {
    uint64_t halts;      /* stops in nrt_rtt_halt                             */
    uint64_t polls;      /* interrupts while the core ran                     */
    uint64_t packets;    /* gdb packets sent                                  */
    uint64_t bytes_down; /* host -> device bytes through the down ring        */
    uint64_t bytes_up;   /* device -> host bytes through the up ring          */
    uint32_t cb_addr;    /* where the control block is                        */
    uint32_t up_size, down_size; /* ring sizes the firmware chose             */
} neurio_gdb_rtt_stats;

NEURIO_API int neurio_transport_gdb_rtt_open(const char *spec, const neurio_gdb_rtt_config *cfg,
                                             int connect_timeout_ms, neurio_transport **out,
                                             neurio_errbuf *err);
/* Counters of a GDB RTT transport; zeroes for any other transport. */
NEURIO_API neurio_gdb_rtt_stats neurio_transport_gdb_rtt_stats(const neurio_transport *t);

/* The device's own clock as a GDB RTT transport follows it, read while the
 * core is stopped anyway (no instruction is added on the device): the
 * board's cycle counter named in the RTT control block (firmware/runtime/
 * nrt_rtt.h), read at every poll of a running core, and the core's
 * registers compared between polls.  All zero for any other transport;
 * valid = 0 for a firmware that names no counter.  still_ms and frozen_ms
 * span polls only (at least 8 in a row without a change). */
typedef struct neurio_device_clock {
    int watched;         /* the transport follows the core (a GDB one)      */
    int valid;
    uint64_t device_us;  /* device time since the channel opened            */
    int64_t still_ms;    /* host ms the core was let run while its clock
                            stood still (locked up, emulator stalled)        */
    int64_t frozen_ms;   /* host ms the core was let run while every core
                            register stayed the same (a loop in place)      */
    uint32_t pc;         /* program counter at the last poll                */
    int idle;            /* the core is held stopped, waiting for input     */
} neurio_device_clock;

NEURIO_API neurio_device_clock neurio_transport_device_clock(const neurio_transport *t);

/* Fault injection: every byte going through the wrapper in the selected
 * directions is, with the given probabilities (0..1, per byte, drawn from
 * a deterministic PRNG seeded by `seed`), corrupted (one random bit
 * flipped), dropped, or duplicated; and before a write, with probability
 * garbage_rate, 1..16 random bytes are inserted.  The wrapper takes
 * ownership of `inner`. */
typedef struct neurio_fault_config {
    uint64_t seed;
    double corrupt_rate;
    double drop_rate;
    double dup_rate;
    double garbage_rate;
    int on_read;  /* apply to bytes read from the device                  */
    int on_write; /* apply to bytes written to the device                 */
} neurio_fault_config;

typedef struct neurio_fault_stats {
    uint64_t bytes;      /* bytes that went through the wrapper         */
    uint64_t corrupted;
    uint64_t dropped;
    uint64_t duplicated;
    uint64_t garbage;    /* garbage bytes inserted                      */
} neurio_fault_stats;

NEURIO_API int neurio_transport_fault_wrap(neurio_transport *inner,
                                const neurio_fault_config *cfg,
                                neurio_transport **out, neurio_errbuf *err);
/* Counters of a fault wrapper; zeroes for any other transport. */
NEURIO_API neurio_fault_stats neurio_transport_fault_stats(const neurio_transport *t);

/* Thin dispatchers over t->ops (documented on neurio_transport_ops). */
NEURIO_API int neurio_transport_read(neurio_transport *t, void *buf, size_t cap,
                          size_t *got, int timeout_ms, neurio_errbuf *err);
NEURIO_API int neurio_transport_write(neurio_transport *t, const void *buf, size_t len,
                           int timeout_ms, neurio_errbuf *err);
/* Closes and frees; NULL is accepted. */
NEURIO_API void neurio_transport_close(neurio_transport *t);
/* The human description (never NULL, owned by t). */
NEURIO_API const char *neurio_transport_describe(const neurio_transport *t);

#ifdef __cplusplus
}
#endif
#endif /* NEURIO_TRANSPORT_H */

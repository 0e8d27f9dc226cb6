/* sdk/src/transport/gdb_rsp.h — a minimal GDB remote serial protocol client
 * (packets, acks / no-ack mode, memory m/M, stop replies, interrupt) over
 * any neurio transport (internal to sdk/src/transport).  Used by the RTT
 * transport (transport_gdb.c) against QEMU's gdbstub and the GDB servers
 * of OpenOCD, pyOCD or J-Link.
 *
 * One rule of QEMU's gdbstub shapes the API: a byte received while the
 * guest runs only stops it and is otherwise dropped, so nothing but an
 * interrupt (0x03) is ever sent while the target runs. */
#ifndef NEURIO_SDK_GDB_RSP_H
#define NEURIO_SDK_GDB_RSP_H

#include <stddef.h>
#include <stdint.h>

#include "neurio/transport.h"

#define GDB_RSP_MAX_PACKET 4096u /* what we send; QEMU advertises 0x1000 */

typedef struct gdb_rsp {
    neurio_transport *io; /* owned */
    int no_ack;           /* QStartNoAckMode accepted                     */
    int write_ahead;      /* pipeline M packets even with acks (QEMU)     */
    uint8_t in[8192];     /* received, not yet parsed                     */
    size_t in_start, in_n;
    char pkt[GDB_RSP_MAX_PACKET * 2 + 64]; /* last packet received (NUL-terminated) */
    size_t pkt_len;
    uint64_t packets;     /* packets sent                                 */
    void *log;            /* FILE * of NEURIO_GDB_LOG (debugging), or NULL */
} gdb_rsp;

/* Send one packet (data printable, no escaping needed: m/M/c/s/Z/z/q). */
int gdb_rsp_send(gdb_rsp *g, const char *data, size_t len, int timeout_ms, neurio_errbuf *err);
/* Receive the next packet into g->pkt (acks and notifications skipped;
 * run-length encoding expanded).  NEURIO_ERR_TIMEOUT when none came. */
int gdb_rsp_recv(gdb_rsp *g, int timeout_ms, neurio_errbuf *err);
/* Send and receive the reply; a reply "Exx" fails naming `what`. */
int gdb_rsp_cmd(gdb_rsp *g, const char *data, int timeout_ms, const char *what, neurio_errbuf *err);

/* Read / write target memory (any length: split into packets). */
int gdb_rsp_read_mem(gdb_rsp *g, uint32_t addr, uint8_t *dst, uint32_t len, int timeout_ms,
                     neurio_errbuf *err);
int gdb_rsp_write_mem(gdb_rsp *g, uint32_t addr, const uint8_t *src, uint32_t len, int timeout_ms,
                      neurio_errbuf *err);

/* Is the received packet a stop reply?  1 = stopped (T/S), 2 = exited or
 * killed (W/X), 0 = something else. */
int gdb_rsp_is_stop(const gdb_rsp *g);
/* Send the interrupt byte (0x03). */
int gdb_rsp_interrupt(gdb_rsp *g, int timeout_ms, neurio_errbuf *err);

#endif

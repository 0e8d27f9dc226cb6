/* sdk/src/transport/transport_gdb.c — the RTT memory channel of a target
 * read and written through a GDB remote-protocol server (see
 * neurio_transport_gdb_rtt_open in neurio/transport.h; the device end is
 * firmware/runtime/nrt_rtt.c).
 *
 * The core is either running (after 'c') or stopped.  At every stop the
 * control block is read again (nothing is cached: a device that rebooted
 * re-initialises it), the up ring is drained into rx, as much of tx as
 * fits goes into the down ring, and the core is resumed unless it waits
 * for input that the host does not have (then it stays stopped, and so
 * does virtual time under QEMU's -icount, until write() brings data).
 *
 * At every poll of a running core (not at the breakpoint stops of the
 * data path) the device clock is followed: the board's counter named in
 * the control block, and the core's registers, compared with the last
 * poll's (neurio_transport_device_clock: how long the core ran, whether
 * its clock or its whole state stood still). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gdb_rsp.h"
#include "transport_internal.h"

/* nrt_rtt.h's wait reasons (the host does not include firmware headers). */
#define WAIT_READ 1u
#define WAIT_NO_RINGS 3u
#define CB_BYTES 88u      /* standard block with one ring each way + wait
                             + the clock words                            */
#define CB_EXT_BYTES 16u  /* neurio's words after the standard part         */
#define CLOCK_DOWN 0x80000000u
#define REGS_MAX 600u     /* hex characters of a 'g' reply kept           */
#define POLLS_SAME 8      /* polls in a row without a change: stood still */
#define CB_MAX_RINGS 16
#define RING_MAX (1u << 24)

typedef struct ring {
    uint32_t desc; /* address of the descriptor */
    uint32_t buf, size, wr, rd;
} ring;

typedef struct gdb_tp {
    neurio_transport base;
    gdb_rsp rsp;
    neurio_gdb_rtt_config cfg;
    int running;
    int serviced;      /* the rings were handled since the last stop */
    int ever_valid;    /* a valid control block has been seen        */
    int no_rings;      /* the firmware has no rings (uses its UART)   */
    int64_t resumed_ms;
    uint8_t *tx;       /* host -> device, not yet in the down ring    */
    size_t tx_start, tx_n, tx_cap;
    uint8_t *rx;       /* device -> host, not yet read                */
    size_t rx_start, rx_n, rx_cap;
    char problem[200]; /* why the control block is not usable yet     */
    neurio_gdb_rtt_stats st;
    /* the device clock (see the top) */
    uint32_t clk_addr, clk_scale, clk_per_ms;
    int clk_have, poll_stop;
    int no_regs;             /* the server refused 'g': not watched    */
    int no_clock;            /* it refused to read the counter          */
    uint32_t clk_raw, pc;
    uint64_t clk_counts;
    int64_t clk_moved_ms, regs_moved_ms, polled_ms;
    int clk_same, regs_same; /* polls in a row that saw no change      */
    char regs[REGS_MAX];
    size_t regs_len;
} gdb_tp;

static uint32_t get32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static int io_ms(const gdb_tp *g)
{
    return g->cfg.io_timeout_ms > 0 ? g->cfg.io_timeout_ms : 2000;
}

static int grow(uint8_t **buf, size_t *cap, size_t need, neurio_errbuf *err)
{
    if (need <= *cap)
        return NEURIO_OK;
    size_t n = *cap ? *cap : 4096;
    while (n < need)
        n *= 2;
    uint8_t *p = realloc(*buf, n);
    if (!p)
        return neurio_fail(err, NEURIO_ERR_NOMEM, "out of memory buffering RTT data");
    *buf = p;
    *cap = n;
    return NEURIO_OK;
}

/* Find the control block by its ID in [scan_addr, +scan_bytes). */
static int scan_cb(gdb_tp *g, neurio_errbuf *err)
{
    static const char id[] = "SEGGER RTT";
    uint8_t chunk[2048 + 16];
    uint32_t lo = g->cfg.scan_addr, end = g->cfg.scan_addr + g->cfg.scan_bytes;
    for (uint32_t a = lo; a < end; a += 2048) {
        uint32_t n = end - a < sizeof chunk ? end - a : (uint32_t)sizeof chunk;
        int rc = gdb_rsp_read_mem(&g->rsp, a, chunk, n, io_ms(g), err);
        if (rc)
            return rc;
        for (uint32_t i = 0; i + sizeof id <= n; i += 4) {
            if (memcmp(chunk + i, id, sizeof id) == 0) {
                g->cfg.cb_addr = a + i;
                return NEURIO_OK;
            }
        }
    }
    snprintf(g->problem, sizeof g->problem, "no RTT control block (ID \"SEGGER RTT\") in 0x%08x..0x%08x",
             lo, end);
    return NEURIO_OK;
}

/* Read and check the control block.  Returns NEURIO_OK with *ok = 0 (and
 * g->problem set) when it is not (yet) usable. */
static int read_cb(gdb_tp *g, ring *up, ring *down, uint32_t *wait, int *ok, neurio_errbuf *err)
{
    uint8_t cb[24 + 24 * 2 * CB_MAX_RINGS + 4];
    *ok = 0;
    *wait = 0;
    if (!g->cfg.cb_addr) {
        int rc = scan_cb(g, err);
        if (rc || !g->cfg.cb_addr)
            return rc;
    }
    uint32_t a = g->cfg.cb_addr;
    int rc = gdb_rsp_read_mem(&g->rsp, a, cb, CB_BYTES, io_ms(g), err);
    if (rc)
        return rc;
    if (memcmp(cb, "SEGGER RTT\0", 11) != 0) {
        snprintf(g->problem, sizeof g->problem,
                 "the RTT control block at 0x%08x is not initialised (ID '%.10s')", a, (const char *)cb);
        return NEURIO_OK;
    }
    uint32_t nu = get32(cb + 16), nd = get32(cb + 20);
    if (nu == 0 && nd == 0 && get32(cb + 72) == WAIT_NO_RINGS) {
        g->no_rings = 1;
        return NEURIO_OK;
    }
    if (nu < 1 || nu > CB_MAX_RINGS || nd < 1 || nd > CB_MAX_RINGS) {
        snprintf(g->problem, sizeof g->problem,
                 "the RTT control block at 0x%08x has %u up and %u down buffers (expected 1..%d each)",
                 a, nu, nd, CB_MAX_RINGS);
        return NEURIO_OK;
    }
    uint32_t need = 24u + 24u * (nu + nd) + (nu == 1 && nd == 1 ? CB_EXT_BYTES : 0u);
    if (need > CB_BYTES && (rc = gdb_rsp_read_mem(&g->rsp, a, cb, need, io_ms(g), err)))
        return rc;
    ring *r[2] = {up, down};
    for (int k = 0; k < 2; k++) {
        const uint8_t *d = cb + 24 + (k ? 24u * nu : 0u);
        r[k]->desc = a + 24 + (k ? 24u * nu : 0u);
        r[k]->buf = get32(d + 4);
        r[k]->size = get32(d + 8);
        r[k]->wr = get32(d + 12);
        r[k]->rd = get32(d + 16);
        if (r[k]->size < 2 || r[k]->size > RING_MAX || r[k]->wr >= r[k]->size ||
            r[k]->rd >= r[k]->size || (uint64_t)r[k]->buf + r[k]->size > 0x100000000ull) {
            snprintf(g->problem, sizeof g->problem,
                     "RTT %s buffer 0 at 0x%08x is inconsistent (buffer 0x%08x, size %u, "
                     "write offset %u, read offset %u)",
                     k ? "down" : "up", r[k]->desc, r[k]->buf, r[k]->size, r[k]->wr, r[k]->rd);
            return NEURIO_OK;
        }
    }
    if (nu == 1 && nd == 1) {
        *wait = get32(cb + 72);
        uint32_t ca = get32(cb + 76), sc = get32(cb + 80), pm = get32(cb + 84);
        /* Plausible clock words only (a firmware without them has other
         * data there). */
        int ok_clk = !g->no_clock && ca != 0 && pm != 0 && (sc & ~CLOCK_DOWN) != 0 && (sc & ~CLOCK_DOWN) <= 1000000u;
        if (!ok_clk || ca != g->clk_addr || sc != g->clk_scale || pm != g->clk_per_ms)
            g->clk_have = 0; /* (re)start following it */
        g->clk_addr = ok_clk ? ca : 0;
        g->clk_scale = ok_clk ? sc : 0;
        g->clk_per_ms = ok_clk ? pm : 0;
    }
    g->st.up_size = up->size;
    g->st.down_size = down->size;
    g->ever_valid = *ok = 1;
    return NEURIO_OK;
}

static int write32(gdb_tp *g, uint32_t addr, uint32_t v, neurio_errbuf *err)
{
    uint8_t b[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
    return gdb_rsp_write_mem(&g->rsp, addr, b, 4, io_ms(g), err);
}

/* Drain the up ring into rx. */
static int drain_up(gdb_tp *g, const ring *u, neurio_errbuf *err)
{
    uint32_t avail = (u->wr + u->size - u->rd) % u->size;
    if (!avail)
        return NEURIO_OK;
    if (g->rx_start == g->rx_n)
        g->rx_start = g->rx_n = 0;
    int rc = grow(&g->rx, &g->rx_cap, g->rx_n + avail, err);
    if (rc)
        return rc;
    uint32_t first = u->size - u->rd < avail ? u->size - u->rd : avail;
    rc = gdb_rsp_read_mem(&g->rsp, u->buf + u->rd, g->rx + g->rx_n, first, io_ms(g), err);
    if (!rc && avail > first)
        rc = gdb_rsp_read_mem(&g->rsp, u->buf, g->rx + g->rx_n + first, avail - first, io_ms(g), err);
    if (!rc)
        rc = write32(g, u->desc + 16, u->wr, err); /* rd_off = wr_off */
    if (rc)
        return rc;
    g->rx_n += avail;
    g->st.bytes_up += avail;
    return NEURIO_OK;
}

/* Move pending tx into the down ring; *used = bytes in it afterwards. */
static int fill_down(gdb_tp *g, const ring *d, uint32_t *used, neurio_errbuf *err)
{
    *used = (d->wr + d->size - d->rd) % d->size;
    uint32_t room = d->size - 1 - *used;
    size_t pend = g->tx_n - g->tx_start;
    uint32_t n = pend < room ? (uint32_t)pend : room;
    if (!n)
        return NEURIO_OK;
    uint32_t first = d->size - d->wr < n ? d->size - d->wr : n;
    const uint8_t *src = g->tx + g->tx_start;
    int rc = gdb_rsp_write_mem(&g->rsp, d->buf + d->wr, src, first, io_ms(g), err);
    if (!rc && n > first)
        rc = gdb_rsp_write_mem(&g->rsp, d->buf, src + first, n - first, io_ms(g), err);
    if (!rc)
        rc = write32(g, d->desc + 12, (d->wr + n) % d->size, err); /* wr_off */
    if (rc)
        return rc;
    g->tx_start += n;
    if (g->tx_start == g->tx_n)
        g->tx_start = g->tx_n = 0;
    *used += n;
    g->st.bytes_down += n;
    return NEURIO_OK;
}

static int resume(gdb_tp *g, int step_first, neurio_errbuf *err)
{
    if (!g->poll_stop) {
        /* The core was stopped for input (or just attached): its clock and
         * state stood still on purpose; start watching afresh. */
        g->clk_moved_ms = g->regs_moved_ms = g->polled_ms = tp_now_ms();
        g->regs_len = 0;
        g->clk_same = g->regs_same = 0;
    }
    if (step_first) {
        /* Stopped on the breakpoint: a 'c' would hit it again at once. */
        int rc = gdb_rsp_cmd(&g->rsp, "s", io_ms(g), "a single step over nrt_rtt_halt", err);
        if (rc)
            return rc;
        if (gdb_rsp_is_stop(&g->rsp) != 1)
            return neurio_fail(err, NEURIO_ERR_CLOSED, "%s: the target stopped for good ('%.40s')",
                               g->base.desc, g->rsp.pkt);
    }
    int rc = gdb_rsp_send(&g->rsp, "c", 1, io_ms(g), err);
    if (rc)
        return rc;
    g->running = 1;
    g->resumed_ms = tp_now_ms();
    return NEURIO_OK;
}

/* Handle the rings at a stop and resume the core if it has work. */
static int service(gdb_tp *g, neurio_errbuf *err)
{
    ring u, d;
    uint32_t wait, used = 0;
    int ok;
    int rc = read_cb(g, &u, &d, &wait, &ok, err);
    if (rc)
        return rc;
    g->serviced = 1;
    if (g->no_rings)
        return NEURIO_OK;
    if (ok) {
        if ((rc = drain_up(g, &u, err)) || (rc = fill_down(g, &d, &used, err)))
            return rc;
    }
    if (ok && g->cfg.halt_addr && wait == WAIT_READ && used == 0)
        return NEURIO_OK; /* waits for input the host does not have */
    return resume(g, g->cfg.halt_addr && wait != 0, err);
}

/* At a poll of the running core: read the board's counter and the core's
 * registers (the core is stopped: nothing changes on the device). */
static int follow_clock(gdb_tp *g, neurio_errbuf *err)
{
    int64_t now = tp_now_ms();
    if (g->clk_addr) {
        uint8_t b[4];
        neurio_errbuf e2;
        int rc = gdb_rsp_read_mem(&g->rsp, g->clk_addr, b, 4, io_ms(g), &e2);
        if (rc == NEURIO_ERR_DEVICE) { /* refused (Exx): no clock, not an error */
            g->clk_addr = 0;
            g->clk_have = 0;
            g->no_clock = 1;
            return follow_clock(g, err);
        }
        if (rc)
            return neurio_fail(err, rc, "%s", e2.msg);
        uint32_t v = get32(b);
        if (g->clk_have) {
            uint32_t d = g->clk_scale & CLOCK_DOWN ? g->clk_raw - v : v - g->clk_raw;
            if (d > 0x80000000u)
                d = 0; /* restarted (a reboot), not half a wrap in one poll */
            g->clk_counts += (uint64_t)d * (g->clk_scale & ~CLOCK_DOWN);
            if (d) {
                g->clk_moved_ms = now;
                g->clk_same = 0;
            } else {
                g->clk_same++;
            }
        }
        g->clk_raw = v;
        g->clk_have = 1;
    }
    if (g->no_regs)
        return NEURIO_OK;
    neurio_errbuf e2;
    int rc = gdb_rsp_cmd(&g->rsp, "g", io_ms(g), "reading the core registers", &e2);
    if (rc == NEURIO_ERR_DEVICE || (!rc && (g->rsp.pkt_len == 0 || g->rsp.pkt[0] == 'E'))) {
        g->no_regs = 1; /* refused: the registers are not watched */
        g->regs_len = 0;
        return NEURIO_OK;
    }
    if (rc)
        return neurio_fail(err, rc, "%s", e2.msg);
    size_t n = g->rsp.pkt_len < REGS_MAX ? g->rsp.pkt_len : REGS_MAX;
    if (n != g->regs_len || memcmp(g->regs, g->rsp.pkt, n) != 0) {
        memcpy(g->regs, g->rsp.pkt, n);
        g->regs_len = n;
        g->regs_moved_ms = now;
        g->regs_same = 0;
    } else {
        g->regs_same++;
    }
    g->polled_ms = now;
    if (n >= 16 * 8) { /* r15 (pc): the 16th 32-bit register, little-endian hex */
        uint32_t pc = 0;
        for (int i = 3; i >= 0; i--) {
            unsigned byte = 0;
            if (sscanf(g->regs + 15 * 8 + 2 * i, "%2x", &byte) != 1)
                break;
            pc = pc << 8 | byte;
        }
        g->pc = pc;
    }
    return NEURIO_OK;
}

/* Wait for the core to stop (breakpoint, or an interrupt after poll_ms)
 * until deadline; services the stop.  NEURIO_ERR_TIMEOUT when the
 * deadline passed first. */
static int pump(gdb_tp *g, int64_t deadline, neurio_errbuf *err)
{
    int poll_ms = g->cfg.poll_ms > 0 ? g->cfg.poll_ms : 10;
    for (;;) {
        if (!g->running)
            return g->serviced ? NEURIO_OK : service(g, err);
        int64_t now = tp_now_ms(), poll_at = g->resumed_ms + poll_ms;
        int wait_ms = (int)(poll_at > now ? poll_at - now : 0);
        int left = tp_remaining(deadline);
        int slice = left >= 0 && left < wait_ms ? left : wait_ms;
        int rc = gdb_rsp_recv(&g->rsp, slice, err), polled = 0;
        if (rc == NEURIO_ERR_TIMEOUT) {
            if (tp_now_ms() < poll_at)
                return rc; /* the caller's deadline */
            if ((rc = gdb_rsp_interrupt(&g->rsp, io_ms(g), err)) ||
                (rc = gdb_rsp_recv(&g->rsp, io_ms(g), err))) {
                if (rc == NEURIO_ERR_TIMEOUT)
                    neurio_fail(err, rc, "%s: the target did not stop when interrupted", g->base.desc);
                return rc;
            }
            g->st.polls++;
            polled = 1;
        } else if (rc) {
            return rc;
        } else {
            g->st.halts++;
        }
        int s = gdb_rsp_is_stop(&g->rsp);
        if (s == 2)
            return neurio_fail(err, NEURIO_ERR_CLOSED, "%s: the target exited ('%.40s')", g->base.desc,
                               g->rsp.pkt);
        if (s == 1) {
            g->running = 0;
            g->serviced = 0;
            g->poll_stop = polled;
            if (polled && (rc = follow_clock(g, err)))
                return rc;
        } /* other packets (console output 'O...') are ignored */
    }
}

static int gdb_read(neurio_transport *t, void *buf, size_t cap, size_t *got, int timeout_ms,
                    neurio_errbuf *err)
{
    gdb_tp *g = (gdb_tp *)t;
    int64_t deadline = tp_deadline(timeout_ms);
    *got = 0;
    for (;;) {
        if (g->rx_n > g->rx_start) {
            size_t n = g->rx_n - g->rx_start < cap ? g->rx_n - g->rx_start : cap;
            memcpy(buf, g->rx + g->rx_start, n);
            g->rx_start += n;
            *got = n;
            return NEURIO_OK;
        }
        if (!g->running && g->serviced) {
            /* Stopped, waiting for input we do not have: nothing can
             * arrive before the next write. */
            int left = tp_remaining(deadline);
            if (left < 0)
                return neurio_fail(err, NEURIO_ERR_TIMEOUT,
                                   "%s: the device waits for input and none is queued", t->desc);
            struct timespec ts = {left / 1000, (long)(left % 1000) * 1000000L};
            nanosleep(&ts, NULL);
            return NEURIO_ERR_TIMEOUT;
        }
        int rc = pump(g, deadline, err);
        if (rc)
            return rc;
    }
}

static int gdb_write(neurio_transport *t, const void *buf, size_t len, int timeout_ms,
                     neurio_errbuf *err)
{
    gdb_tp *g = (gdb_tp *)t;
    (void)timeout_ms;
    if (g->tx_start == g->tx_n)
        g->tx_start = g->tx_n = 0;
    int rc = grow(&g->tx, &g->tx_cap, g->tx_n + len, err);
    if (rc)
        return rc;
    memcpy(g->tx + g->tx_n, buf, len);
    g->tx_n += len;
    if (!g->running)
        return service(g, err); /* stopped: deliver now (and resume) */
    return NEURIO_OK;              /* delivered at the next stop */
}

/* Leave the target running without us: breakpoint removed, detached. */
static void detach(gdb_tp *g)
{
    neurio_errbuf e;
    if (g->running) {
        if (gdb_rsp_interrupt(&g->rsp, 500, &e) || gdb_rsp_recv(&g->rsp, 500, &e))
            return;
        g->running = 0;
    }
    if (g->cfg.halt_addr) {
        char cmd[40];
        snprintf(cmd, sizeof cmd, "%c%d,%x,2", 'z', g->cfg.hw_breakpoint ? 1 : 0, g->cfg.halt_addr & ~1u);
        (void)gdb_rsp_cmd(&g->rsp, cmd, 500, "removing the breakpoint", &e);
    }
    (void)gdb_rsp_cmd(&g->rsp, "D", 500, "detach", &e);
}

static void gdb_close(neurio_transport *t)
{
    gdb_tp *g = (gdb_tp *)t;
    if (g->rsp.io)
        detach(g);
    neurio_transport_close(g->rsp.io);
    if (g->rsp.log)
        fclose(g->rsp.log);
    free(g->tx);
    free(g->rx);
    free(g);
}

static const neurio_transport_ops gdb_ops = {
    .kind = "gdb-rtt",
    .read = gdb_read,
    .write = gdb_write,
    .close = gdb_close,
};

neurio_gdb_rtt_stats neurio_transport_gdb_rtt_stats(const neurio_transport *t)
{
    neurio_gdb_rtt_stats z = {0};
    if (!t || t->ops != &gdb_ops)
        return z;
    const gdb_tp *g = (const gdb_tp *)t;
    z = g->st;
    z.packets = g->rsp.packets;
    z.cb_addr = g->cfg.cb_addr;
    return z;
}

neurio_device_clock neurio_transport_device_clock(const neurio_transport *t)
{
    neurio_device_clock c = {0};
    if (!t || t->ops != &gdb_ops)
        return c;
    const gdb_tp *g = (const gdb_tp *)t;
    c.watched = 1;
    c.valid = g->clk_addr != 0 && g->clk_have;
    c.device_us = c.valid ? g->clk_counts * 1000u / g->clk_per_ms : 0;
    /* Only while the core is let run (not held for input), and only the
     * time spanned by polls that saw no change (at least POLLS_SAME in a
     * row: a host too busy to poll proves nothing). */
    int let_run = g->running || g->poll_stop;
    c.still_ms = let_run && c.valid && g->clk_same >= POLLS_SAME ? g->polled_ms - g->clk_moved_ms : 0;
    c.frozen_ms = let_run && g->regs_same >= POLLS_SAME ? g->polled_ms - g->regs_moved_ms : 0;
    c.pc = g->pc;
    c.idle = !g->running && g->serviced;
    return c;
}

/* Connection set-up: no-ack mode, breakpoint, resume, first stop. */
static int gdb_start(gdb_tp *g, int connect_timeout_ms, neurio_errbuf *err)
{
    int rc = gdb_rsp_cmd(&g->rsp, "QStartNoAckMode", io_ms(g), "QStartNoAckMode", err);
    if (rc)
        return rc;
    g->rsp.no_ack = strcmp(g->rsp.pkt, "OK") == 0;
    if ((rc = gdb_rsp_cmd(&g->rsp, "?", io_ms(g), "the stop reason", err)))
        return rc;
    if (gdb_rsp_is_stop(&g->rsp) != 1)
        return neurio_fail(err, NEURIO_ERR_DEVICE, "%s: the target is not stopped ('%.40s')",
                           g->base.desc, g->rsp.pkt);
    if (g->cfg.halt_addr) {
        char cmd[40];
        snprintf(cmd, sizeof cmd, "Z%d,%x,2", g->cfg.hw_breakpoint ? 1 : 0, g->cfg.halt_addr & ~1u);
        if ((rc = gdb_rsp_cmd(&g->rsp, cmd, io_ms(g), "setting a breakpoint on nrt_rtt_halt", err)))
            return rc;
        if (strcmp(g->rsp.pkt, "OK") != 0)
            return neurio_fail(err, NEURIO_ERR_DEVICE,
                               "%s: the gdb server cannot set a %s breakpoint at 0x%08x ('%.40s')",
                               g->base.desc, g->cfg.hw_breakpoint ? "hardware" : "software",
                               g->cfg.halt_addr & ~1u, g->rsp.pkt);
    }
    if ((rc = resume(g, 0, err)))
        return rc;
    int64_t deadline = tp_deadline(connect_timeout_ms > 0 ? connect_timeout_ms : 10000);
    while (!g->ever_valid && !g->no_rings) {
        rc = pump(g, deadline, err);
        if (rc == NEURIO_ERR_TIMEOUT)
            return neurio_fail(err, rc, "%s: no usable RTT control block after %d ms: %s", g->base.desc,
                               connect_timeout_ms, g->problem[0] ? g->problem : "the core never stopped");
        if (rc)
            return rc;
        if (!g->running && !g->ever_valid && !g->no_rings && (rc = resume(g, 0, err)))
            return rc;
    }
    if (g->no_rings)
        return neurio_fail(err, NEURIO_ERR_UNSUPPORTED,
                           "%s: the firmware had no RAM left for the RTT rings and uses its UART",
                           g->base.desc);
    return NEURIO_OK;
}

int neurio_transport_gdb_rtt_open(const char *spec, const neurio_gdb_rtt_config *cfg,
                                  int connect_timeout_ms, neurio_transport **out, neurio_errbuf *err)
{
    *out = NULL;
    if (!spec || (strncmp(spec, "unix:", 5) != 0 && strncmp(spec, "tcp:", 4) != 0))
        return neurio_fail(err, NEURIO_ERR_CONFIG,
                           "gdb server '%s': expected unix:PATH or tcp:HOST:PORT", spec ? spec : "");
    if (!cfg || (!cfg->cb_addr && !cfg->scan_bytes))
        return neurio_fail(err, NEURIO_ERR_CONFIG,
                           "gdb server '%s': give the RTT control block address (ELF symbol "
                           "_SEGGER_RTT) or a RAM range to scan", spec);
    gdb_tp *g = calloc(1, sizeof *g);
    if (!g)
        return neurio_fail(err, NEURIO_ERR_NOMEM, "out of memory");
    g->base.ops = &gdb_ops;
    snprintf(g->base.desc, sizeof g->base.desc, "rtt over gdb %s", spec);
    g->cfg = *cfg;
    g->rsp.write_ahead = cfg->write_ahead != 0;
    const char *log = getenv("NEURIO_GDB_LOG"); /* debugging: every packet */
    if (log && *log)
        g->rsp.log = fopen(log, "w");
    int rc = neurio_transport_open(spec, connect_timeout_ms, &g->rsp.io, err);
    if (!rc)
        rc = gdb_start(g, connect_timeout_ms, err);
    if (rc) {
        gdb_close(&g->base);
        return rc;
    }
    *out = &g->base;
    return NEURIO_OK;
}

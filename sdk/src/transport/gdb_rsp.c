/* sdk/src/transport/gdb_rsp.c — see gdb_rsp.h.  Packet format: '$' data
 * '#' two hex digits of the byte sum of data; '+' / '-' acknowledge unless
 * no-ack mode is on; "x*n" in a reply repeats x (n - 29) more times. */
#include "gdb_rsp.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "transport_internal.h"

static const char hexd[] = "0123456789abcdef";

static int hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Debugging (NEURIO_GDB_LOG): one line per packet, host microseconds. */
static void rsp_log(const gdb_rsp *g, char dir, const char *data, size_t len)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    fprintf((FILE *)g->log, "%lld.%06ld %c %zu %.*s\n", (long long)ts.tv_sec, ts.tv_nsec / 1000L, dir,
            len, (int)(len <= 400 ? len : 48), data); /* g replies whole */
}

int gdb_rsp_send(gdb_rsp *g, const char *data, size_t len, int timeout_ms, neurio_errbuf *err)
{
    char buf[GDB_RSP_MAX_PACKET + 8];
    if (len + 4 > sizeof buf)
        return neurio_fail(err, NEURIO_ERR_INVALID, "gdb packet of %zu bytes is too long", len);
    uint8_t sum = 0;
    buf[0] = '$';
    for (size_t i = 0; i < len; i++) {
        buf[1 + i] = data[i];
        sum = (uint8_t)(sum + (uint8_t)data[i]);
    }
    buf[1 + len] = '#';
    buf[2 + len] = hexd[sum >> 4];
    buf[3 + len] = hexd[sum & 15];
    g->packets++;
    if (g->log)
        rsp_log(g, '>', data, len);
    return neurio_transport_write(g->io, buf, len + 4, timeout_ms, err);
}

int gdb_rsp_interrupt(gdb_rsp *g, int timeout_ms, neurio_errbuf *err)
{
    const char c = 0x03;
    if (g->log)
        rsp_log(g, '>', "^C", 2);
    return neurio_transport_write(g->io, &c, 1, timeout_ms, err);
}

/* Next received byte, reading more when needed. */
static int next_byte(gdb_rsp *g, int64_t deadline, uint8_t *c, neurio_errbuf *err)
{
    if (g->in_start == g->in_n) {
        size_t got = 0;
        int rc = neurio_transport_read(g->io, g->in, sizeof g->in, &got, tp_remaining(deadline), err);
        if (rc)
            return rc;
        g->in_start = 0;
        g->in_n = got;
    }
    *c = g->in[g->in_start++];
    return NEURIO_OK;
}

int gdb_rsp_recv(gdb_rsp *g, int timeout_ms, neurio_errbuf *err)
{
    int64_t deadline = tp_deadline(timeout_ms);
    for (;;) {
        uint8_t c;
        int rc;
        do {
            if ((rc = next_byte(g, deadline, &c, err)))
                return rc;
        } while (c != '$' && c != '%'); /* acks, stray bytes */
        int notification = c == '%';
        size_t n = 0;
        uint8_t sum = 0;
        int bad = 0;
        for (;;) {
            if ((rc = next_byte(g, deadline, &c, err)))
                return rc;
            if (c == '#')
                break;
            sum = (uint8_t)(sum + c);
            if (c == '*' && n > 0) { /* run-length: repeat the last char */
                uint8_t r;
                if ((rc = next_byte(g, deadline, &r, err)))
                    return rc;
                sum = (uint8_t)(sum + r);
                int rep = (int)r - 29;
                for (int i = 0; i < rep && n + 1 < sizeof g->pkt; i++, n++)
                    g->pkt[n] = g->pkt[n - 1];
                continue;
            }
            if (n + 1 < sizeof g->pkt)
                g->pkt[n++] = (char)c;
            else
                bad = 1;
        }
        uint8_t h[2];
        if ((rc = next_byte(g, deadline, &h[0], err)) || (rc = next_byte(g, deadline, &h[1], err)))
            return rc;
        g->pkt[n] = '\0';
        g->pkt_len = n;
        int want = hexval(h[0]) * 16 + hexval(h[1]);
        if (!g->no_ack && !notification) {
            char a = bad || want != sum ? '-' : '+';
            if ((rc = neurio_transport_write(g->io, &a, 1, tp_remaining(deadline), err)))
                return rc;
            if (a == '-')
                continue; /* the server sends it again */
        }
        if (bad)
            return neurio_fail(err, NEURIO_ERR_DEVICE,
                               "gdb server sent a packet longer than %zu bytes", sizeof g->pkt);
        if (g->no_ack && want != sum)
            return neurio_fail(err, NEURIO_ERR_DEVICE,
                               "gdb server packet checksum mismatch ('%.40s')", g->pkt);
        if (notification)
            continue;
        if (g->log)
            rsp_log(g, '<', g->pkt, n);
        return NEURIO_OK;
    }
}

int gdb_rsp_cmd(gdb_rsp *g, const char *data, int timeout_ms, const char *what, neurio_errbuf *err)
{
    int64_t deadline = tp_deadline(timeout_ms);
    int rc = gdb_rsp_send(g, data, strlen(data), timeout_ms, err);
    if (!rc)
        rc = gdb_rsp_recv(g, tp_remaining(deadline), err);
    if (rc == NEURIO_ERR_TIMEOUT)
        return neurio_fail(err, rc, "gdb server did not answer %s within %d ms", what, timeout_ms);
    if (rc)
        return rc;
    if (g->pkt[0] == 'E' && g->pkt_len == 3)
        return neurio_fail(err, NEURIO_ERR_DEVICE, "gdb server refused %s: error %s", what, g->pkt + 1);
    return NEURIO_OK;
}

/* Largest chunk per m/M packet: the hex doubles it, plus the header. */
#define MEM_CHUNK ((GDB_RSP_MAX_PACKET - 32u) / 2u)

int gdb_rsp_read_mem(gdb_rsp *g, uint32_t addr, uint8_t *dst, uint32_t len, int timeout_ms,
                     neurio_errbuf *err)
{
    while (len) {
        uint32_t n = len < MEM_CHUNK ? len : MEM_CHUNK;
        char cmd[40], what[64];
        snprintf(cmd, sizeof cmd, "m%x,%x", addr, n);
        snprintf(what, sizeof what, "reading %u bytes at 0x%08x", n, addr);
        int rc = gdb_rsp_cmd(g, cmd, timeout_ms, what, err);
        if (rc)
            return rc;
        if (g->pkt_len != 2u * n)
            return neurio_fail(err, NEURIO_ERR_DEVICE,
                               "gdb server answered %s with %zu hex digits, expected %u ('%.20s')",
                               what, g->pkt_len, 2u * n, g->pkt);
        for (uint32_t i = 0; i < n; i++) {
            int hi = hexval(g->pkt[2 * i]), lo = hexval(g->pkt[2 * i + 1]);
            if (hi < 0 || lo < 0)
                return neurio_fail(err, NEURIO_ERR_DEVICE,
                                   "gdb server answered %s with a non-hex digit at %u", what, 2 * i);
            dst[i] = (uint8_t)(hi * 16 + lo);
        }
        addr += n;
        dst += n;
        len -= n;
    }
    return NEURIO_OK;
}

/* M requests sent ahead of reading their replies (no-ack mode, or a
 * server that reads on while it answers: write_ahead). */
#define WRITE_AHEAD 16

int gdb_rsp_write_mem(gdb_rsp *g, uint32_t addr, const uint8_t *src, uint32_t len, int timeout_ms,
                      neurio_errbuf *err)
{
    char cmd[GDB_RSP_MAX_PACKET];
    while (len) {
        /* The server answers in order: send up to WRITE_AHEAD packets,
         * then read their replies (one round trip for them all instead of
         * one each; QEMU's gdbstub: 32 kB of ring in 2.5 ms instead of
         * 16 waits of 0.1-several ms on a loaded host). */
        int ahead = g->no_ack || g->write_ahead ? WRITE_AHEAD : 1, sent = 0, rc = NEURIO_OK;
        uint32_t first = addr;
        int64_t deadline = tp_deadline(timeout_ms);
        for (; sent < ahead && len; sent++) {
            uint32_t n = len < MEM_CHUNK ? len : MEM_CHUNK;
            int o = snprintf(cmd, sizeof cmd, "M%x,%x:", addr, n);
            for (uint32_t i = 0; i < n; i++) {
                cmd[o++] = hexd[src[i] >> 4];
                cmd[o++] = hexd[src[i] & 15];
            }
            if ((rc = gdb_rsp_send(g, cmd, (size_t)o, timeout_ms, err)))
                return rc;
            addr += n;
            src += n;
            len -= n;
        }
        for (int k = 0; k < sent; k++) {
            neurio_errbuf e2;
            int r = gdb_rsp_recv(g, tp_remaining(deadline), &e2);
            if (r == NEURIO_ERR_TIMEOUT)
                return neurio_fail(err, r, "gdb server did not answer writing %u bytes at 0x%08x "
                                   "within %d ms", addr - first, first, timeout_ms);
            if (r)
                return neurio_fail(err, r, "%s", e2.msg);
            if (!rc && strcmp(g->pkt, "OK") != 0) /* the first refusal; read the rest */
                rc = neurio_fail(err, NEURIO_ERR_DEVICE, "gdb server answered writing %u bytes at "
                                 "0x%08x with '%.40s'", addr - first, first, g->pkt);
        }
        if (rc)
            return rc;
    }
    return NEURIO_OK;
}

int gdb_rsp_is_stop(const gdb_rsp *g)
{
    char c = g->pkt[0];
    if (c == 'T' || c == 'S')
        return 1;
    if (c == 'W' || c == 'X')
        return 2;
    return 0;
}

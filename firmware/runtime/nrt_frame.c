/* firmware/runtime/nrt_frame.c — device-side frame receiver (a byte-wise
 * state machine that keeps the bytes of the frame it is in, so that after a
 * damaged or truncated frame it rescans them: a corrupted or lost byte, or a
 * false header with a wrong length, costs that frame only) and encoder.  See
 * firmware/LINK.md for the rules it implements. */
#include "nrt_frame.h"

#include "nrt.h"
#include "platform.h"

uint32_t nrt_frame_encode(uint8_t *out, uint8_t type, uint8_t seq,
                          const uint8_t *payload, uint32_t len)
{
    out[0] = (uint8_t)NEURIO_LINK_SOF0;
    out[1] = (uint8_t)NEURIO_LINK_SOF1;
    out[2] = type;
    out[3] = seq;
    nrt_put16(out + 4, len);
    nrt_put16(out + 6, nrt_crc32(0, out, 6) & 0xFFFFu);
    uint8_t *dst = out + NEURIO_LINK_HDR_BYTES;
    if (payload != dst) {
        for (uint32_t i = 0; i < len; i++)
            dst[i] = payload[i];
    }
    uint32_t crc = nrt_crc32(0, out, NEURIO_LINK_HDR_BYTES + len);
    nrt_put32(dst + len, crc);
    return NEURIO_LINK_OVERHEAD + len;
}

void nrt_frame_send_nak(uint8_t seq, uint8_t code, uint8_t rx_type,
                        uint32_t detail)
{
    uint8_t frame[NEURIO_LINK_OVERHEAD + 8 + NEURIO_LINK_TRAILER];
    uint8_t pl[8];
    pl[0] = code;
    pl[1] = rx_type;
    pl[2] = 0;
    pl[3] = 0;
    nrt_put32(pl + 4, detail);
    uint32_t n = nrt_frame_encode(frame, (uint8_t)NEURIO_LINK_T_NAK, seq, pl, 8);
    nrt_frame_write(frame, n);
}

void nrt_frame_write(uint8_t *frame, uint32_t n)
{
    /* The trailer: zero bytes complete a frame that lost bytes on the way,
     * so the host finds it damaged at once instead of waiting; a receiver
     * skips them like any bytes between frames.  One write for both. */
    for (uint32_t i = 0; i < NEURIO_LINK_TRAILER; i++)
        frame[n + i] = 0;
    platform_uart_write(frame, n + NEURIO_LINK_TRAILER);
}

/* Is the 8-byte header intact (start marker + header CRC)? */
static int hdr_ok(const uint8_t *h)
{
    return h[0] == NEURIO_LINK_SOF0 && h[1] == NEURIO_LINK_SOF1 &&
           nrt_get16(h + 6) == (nrt_crc32(0, h, 6) & 0xFFFFu);
}

/* Forget the first k held bytes. */
static void rx_drop(nrt_rxbuf *r, uint32_t k)
{
    r->start += k;
    if (r->start >= r->n)
        r->start = r->n = 0;
}

/* Drop bytes up to the next possible start of frame (a SOF0 after the
 * first held byte): the bytes after a false or damaged start are scanned
 * again, so a frame that began inside them is still found. */
static void rx_skip(nrt_rxbuf *r)
{
    uint32_t j = r->start + 1;
    while (j < r->n && r->buf[j] != NEURIO_LINK_SOF0)
        j++;
    rx_drop(r, j - r->start);
}

/* Move the held bytes to the front of the buffer. */
static void rx_compact(nrt_rxbuf *r)
{
    for (uint32_t i = r->start; i < r->n; i++)
        r->buf[i - r->start] = r->buf[i];
    r->n -= r->start;
    r->start = 0;
}

/* Append one received byte (the buffer holds a whole frame: a byte that
 * does not fit means the held bytes cannot be one frame any more). */
static void rx_put(nrt_rxbuf *r, uint8_t c)
{
    uint32_t size = r->cap + NEURIO_LINK_OVERHEAD;
    if (r->n == size && r->start > 0)
        rx_compact(r);
    if (r->n == size)
        rx_skip(r);
    r->buf[r->n++] = c;
}

void nrt_rx_init(nrt_rxbuf *r, uint8_t *buf, uint32_t cap)
{
    r->buf = buf;
    r->cap = cap;
    r->start = r->n = r->consume = 0;
}

int nrt_frame_recv(nrt_rxbuf *r, nrt_frame *f)
{
    if (r->consume) {
        rx_drop(r, r->consume);
        r->consume = 0;
    }
    for (;;) {
        /* 1. Hunt for the start marker in what is held. */
        uint32_t i = r->start;
        while (i < r->n && r->buf[i] != NEURIO_LINK_SOF0)
            i++;
        rx_drop(r, i - r->start);
        uint32_t held = r->n - r->start;
        if (held >= 2 && r->buf[r->start + 1] != NEURIO_LINK_SOF1) {
            rx_skip(r);
            continue;
        }
        if (held < NEURIO_LINK_HDR_BYTES) {
            int c = platform_uart_getc(held == 0 ? PLATFORM_WAIT_FOREVER : NRT_RX_TIMEOUT_MS);
            if (c == PLATFORM_UART_CLOSED)
                return -1;
            if (c == PLATFORM_UART_TIMEOUT)
                rx_skip(r); /* partial header abandoned; rescan the rest */
            else
                rx_put(r, (uint8_t)c);
            continue;
        }
        const uint8_t *h = r->buf + r->start;
        if (!hdr_ok(h)) {
            /* Most likely a request whose header was damaged: its seq is
             * unknown, so NAK it with seq 0 (the host resends the oldest
             * request it has no answer for). */
            nrt_frame_send_nak((uint8_t)NEURIO_LINK_SEQ_UNSOLICITED, (uint8_t)NEURIO_LINK_NAK_CRC,
                               h[2], 0);
            rx_skip(r);
            continue;
        }
        uint8_t type = h[2], seq = h[3];
        uint32_t len = nrt_get16(h + 4);
        if (len > r->cap) {
            /* The header is trustworthy (hcrc), the payload cannot be
             * stored: refuse; its bytes are hunted through as garbage. */
            nrt_frame_send_nak(seq, (uint8_t)NEURIO_LINK_NAK_TOO_LONG, type, r->cap);
            rx_skip(r);
            continue;
        }
        /* 2. Payload and CRC, with an inter-byte timeout. */
        uint32_t total = NEURIO_LINK_OVERHEAD + len;
        int lost = 0;
        while (r->n - r->start < total) {
#if NRT_UART_READ
            /* What has arrived of this frame, in one piece (no byte of the
             * next frame is taken: it stays in the board's buffer). */
            if (r->start + total > r->cap + NEURIO_LINK_OVERHEAD)
                rx_compact(r); /* total <= cap + overhead: now it fits */
            uint32_t got = platform_uart_read(r->buf + r->n, r->start + total - r->n);
            if (got) {
                r->n += got;
                continue;
            }
#endif
            int c = platform_uart_getc(NRT_RX_TIMEOUT_MS);
            if (c == PLATFORM_UART_CLOSED)
                return -1;
            if (c == PLATFORM_UART_TIMEOUT) {
                lost = 1;
                break;
            }
            rx_put(r, (uint8_t)c); /* fits: len <= cap was checked */
        }
        h = r->buf + r->start;
        uint32_t got = r->n - r->start;
        uint32_t crc = lost || got < total ? 0 : nrt_crc32(0, h, NEURIO_LINK_HDR_BYTES + len);
        if (lost || got < total || crc != nrt_get32(h + NEURIO_LINK_HDR_BYTES + len)) {
            /* Truncated (bytes lost: the next frame's bytes completed it)
             * or damaged.  The header is trustworthy, so ask for the frame
             * again at once, then rescan the bytes after its start marker:
             * a frame that began inside them is not lost with it. */
            nrt_frame_send_nak(seq, (uint8_t)NEURIO_LINK_NAK_CRC, type,
                               got > NEURIO_LINK_HDR_BYTES ? got - NEURIO_LINK_HDR_BYTES : 0);
            rx_skip(r);
            continue;
        }
        f->type = type;
        f->seq = seq;
        f->len = len;
        f->crc = crc;
        f->payload = r->buf + r->start + NEURIO_LINK_HDR_BYTES;
        r->consume = total;
        return 0;
    }
}

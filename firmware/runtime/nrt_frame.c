/* firmware/runtime/nrt_frame.c — device-side frame receiver (a byte-wise
 * state machine with header resynchronisation) and encoder.  See
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
    uint8_t frame[NEURIO_LINK_OVERHEAD + 8];
    uint8_t pl[8];
    pl[0] = code;
    pl[1] = rx_type;
    pl[2] = 0;
    pl[3] = 0;
    nrt_put32(pl + 4, detail);
    uint32_t n = nrt_frame_encode(frame, (uint8_t)NEURIO_LINK_T_NAK, seq, pl, 8);
    platform_uart_write(frame, n);
}

/* Is the 8-byte header intact (start marker + header CRC)? */
static int hdr_ok(const uint8_t *h)
{
    return h[0] == NEURIO_LINK_SOF0 && h[1] == NEURIO_LINK_SOF1 &&
           nrt_get16(h + 6) == (nrt_crc32(0, h, 6) & 0xFFFFu);
}

/* Drop bytes from the front of hdr[0..*n) up to the next possible start of
 * frame (a SOF0 at index >= 1), keeping what follows it. */
static void hdr_shift(uint8_t *hdr, uint32_t *n)
{
    uint32_t j = 1;
    while (j < *n && hdr[j] != NEURIO_LINK_SOF0)
        j++;
    for (uint32_t k = j; k < *n; k++)
        hdr[k - j] = hdr[k];
    *n -= j;
}

int nrt_frame_recv(uint8_t *buf, uint32_t cap, nrt_frame *f)
{
    uint8_t hdr[NEURIO_LINK_HDR_BYTES];
    uint32_t n = 0;
    for (;;) {
        /* 1. Collect a header, hunting for the start marker. */
        while (n < NEURIO_LINK_HDR_BYTES) {
            int c = platform_uart_getc(n == 0 ? PLATFORM_WAIT_FOREVER
                                              : NRT_RX_TIMEOUT_MS);
            if (c == PLATFORM_UART_CLOSED)
                return -1;
            if (c == PLATFORM_UART_TIMEOUT) {
                n = 0; /* partial header abandoned */
                continue;
            }
            hdr[n++] = (uint8_t)c;
            if (n == 1 && hdr[0] != NEURIO_LINK_SOF0)
                n = 0;
            else if (n == 2 && hdr[1] != NEURIO_LINK_SOF1)
                hdr_shift(hdr, &n);
        }
        if (!hdr_ok(hdr)) {
            hdr_shift(hdr, &n);
            continue;
        }
        uint8_t type = hdr[2], seq = hdr[3];
        uint32_t len = nrt_get16(hdr + 4);
        n = 0;
        if (len > cap) {
            /* The header is trustworthy (hcrc), the payload cannot be
             * stored: refuse and let its bytes be skipped as garbage. */
            nrt_frame_send_nak(seq, (uint8_t)NEURIO_LINK_NAK_TOO_LONG, type, cap);
            continue;
        }
        /* 2. Payload and CRC, with an inter-byte timeout. */
        uint8_t tail[NEURIO_LINK_CRC_BYTES];
        uint32_t want = len + NEURIO_LINK_CRC_BYTES, got = 0;
        int lost = 0;
        while (got < want) {
            int c = platform_uart_getc(NRT_RX_TIMEOUT_MS);
            if (c == PLATFORM_UART_CLOSED)
                return -1;
            if (c == PLATFORM_UART_TIMEOUT) {
                lost = 1;
                break;
            }
            if (got < len)
                buf[got] = (uint8_t)c;
            else
                tail[got - len] = (uint8_t)c;
            got++;
        }
        if (lost) {
            /* Truncated (bytes lost on the way): the header is trustworthy,
             * so ask for the frame again at once. */
            nrt_frame_send_nak(seq, (uint8_t)NEURIO_LINK_NAK_CRC, type, got);
            continue;
        }
        uint32_t crc = nrt_crc32(0, hdr, NEURIO_LINK_HDR_BYTES);
        crc = nrt_crc32(crc, buf, len);
        if (crc != nrt_get32(tail)) {
            nrt_frame_send_nak(seq, (uint8_t)NEURIO_LINK_NAK_CRC, type, 0);
            continue;
        }
        f->type = type;
        f->seq = seq;
        f->len = len;
        f->crc = crc;
        f->payload = buf;
        return 0;
    }
}

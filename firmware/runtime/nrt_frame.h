/* firmware/runtime/nrt_frame.h — device-side framing of the neurio link
 * (internal to the runtime): receive one valid frame into a caller buffer,
 * send a frame, little-endian helpers.  Layout: neurio/link.h. */
#ifndef NEURIO_FIRMWARE_NRT_FRAME_H
#define NEURIO_FIRMWARE_NRT_FRAME_H

#include <stdint.h>

#include "neurio/link.h"

/* A received frame (payload points into the caller's buffer). */
typedef struct nrt_frame {
    uint8_t type;
    uint8_t seq;
    uint32_t len;
    uint32_t crc;  /* the frame's CRC-32 (identifies a duplicate) */
    uint8_t *payload;
} nrt_frame;

/* The receiver's state: a buffer of cap + NEURIO_LINK_OVERHEAD bytes holding
 * the bytes of the frame being received (and any after a damaged one). */
typedef struct nrt_rxbuf {
    uint8_t *buf;
    uint32_t cap;       /* largest payload accepted                       */
    uint32_t start, n;  /* held bytes are buf[start .. n)                 */
    uint32_t consume;   /* bytes of the frame returned last, dropped next */
} nrt_rxbuf;

/* Start empty on a buffer of cap + NEURIO_LINK_OVERHEAD bytes. */
void nrt_rx_init(nrt_rxbuf *r, uint8_t *buf, uint32_t cap);

/* Wait for the next frame whose header and CRC check out.  Bad frames are
 * answered here (NAK CRC / NAK TOO_LONG, with the header's seq) and the
 * bytes after their start marker scanned again; garbage between frames is
 * skipped.  Returns 0 with *f filled (payload valid until the next call),
 * or -1 when the platform reports PLATFORM_UART_CLOSED. */
int nrt_frame_recv(nrt_rxbuf *r, nrt_frame *f);

/* Encode a frame into out (cap >= len + NEURIO_LINK_OVERHEAD); returns the
 * frame's total length.  The payload may already be in place at
 * out + NEURIO_LINK_HDR_BYTES (then pass payload == that pointer). */
uint32_t nrt_frame_encode(uint8_t *out, uint8_t type, uint8_t seq,
                          const uint8_t *payload, uint32_t len);

/* Send an encoded frame of n bytes and its trailer (NEURIO_LINK_TRAILER zero
 * bytes, written into frame[n..]: the buffer must have room for them). */
void nrt_frame_write(uint8_t *frame, uint32_t n);

/* Encode and send a NAK. */
void nrt_frame_send_nak(uint8_t seq, uint8_t code, uint8_t rx_type,
                        uint32_t detail);

static inline void nrt_put16(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}
static inline void nrt_put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}
static inline void nrt_put64(uint8_t *p, uint64_t v)
{
    nrt_put32(p, (uint32_t)v);
    nrt_put32(p + 4, (uint32_t)(v >> 32));
}
static inline uint32_t nrt_get16(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8);
}
static inline uint32_t nrt_get32(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) |
           ((uint32_t)p[3] << 24);
}

#endif /* NEURIO_FIRMWARE_NRT_FRAME_H */

/* sdk/src/link/link_internal.h — the host link's private state and framing
 * helpers (link_frame.c), shared with link.c.  Not installed. */
#ifndef NEURIO_SDK_LINK_INTERNAL_H
#define NEURIO_SDK_LINK_INTERNAL_H

#include <stdint.h>

#include "neurio/link_host.h"

/* lk_recv / lk_request results besides neurio_status codes (positive). */
#define LK_CORRUPT 1   /* a frame arrived damaged (CRC)                     */
#define LK_REBOOT 2    /* the device sent a boot hello: it rebooted          */
#define LK_NOT_READY 3 /* the device does not hold the committed batch      */

typedef struct lk_frame {
    uint8_t type;
    uint8_t seq;
    uint32_t len;
    const uint8_t *payload; /* valid until the next lk_recv              */
} lk_frame;

struct neurio_link {
    neurio_transport *t;
    neurio_link_options opt;
    neurio_link_hello hello;
    int have_hello;
    neurio_link_stats st;
    uint8_t seq;           /* last request seq (1..255)                  */
    uint8_t *rx;           /* receive buffer                             */
    size_t rx_len, rx_cap, rx_consume;
    uint8_t *tx;           /* NEURIO_LINK_OVERHEAD + max payload         */
    uint32_t payload_max;  /* largest payload the host sends             */
    /* The batch of the last transfer, kept to re-send after a reboot. */
    const void *const *in;
    uint32_t count;
    uint32_t tag, tag_next;
    int committed;
    /* Adaptive bulk chunk (WRITE data / READ length): halved when big
     * frames keep failing on a noisy line, grown back after successes. */
    uint32_t chunk;
    uint32_t chunk_ok;
    int tries_cap;         /* > 0: retry budget override for one request */
    int exhausted;         /* the last request failed by running out of tries */
    char firmware[NEURIO_LINK_MAX_STR + 1];
};

/* Little-endian helpers. */
static inline void lk_put16(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}
static inline void lk_put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}
static inline uint32_t lk_get16(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8);
}
static inline uint32_t lk_get32(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) |
           ((uint32_t)p[3] << 24);
}
static inline uint64_t lk_get64(const uint8_t *p)
{
    return (uint64_t)lk_get32(p) | ((uint64_t)lk_get32(p + 4) << 32);
}

/* Monotonic ns. */
uint64_t lk_now_ns(void);

/* Name of a message type for messages ("RUN", "WRITE", ...). */
const char *lk_type_name(uint8_t type);

/* Encode a frame into l->tx and write it (timeout: l->opt.timeout_ms). */
int lk_send(neurio_link *l, uint8_t type, uint8_t seq, const void *payload,
            uint32_t len, neurio_errbuf *err);

/* Receive the next frame until deadline_ns (0 = none): NEURIO_OK with *f,
 * LK_CORRUPT (a damaged frame was skipped), NEURIO_ERR_TIMEOUT, or the
 * transport's error.  Garbage is skipped and counted. */
int lk_recv(neurio_link *l, lk_frame *f, uint64_t deadline_ns, neurio_errbuf *err);

/* Write `n` zero bytes: completes a frame the device may be stuck in the
 * middle of (lost bytes), so it NAKs it and hunts for the next one. */
int lk_send_padding(neurio_link *l, uint32_t n, neurio_errbuf *err);

/* Parse a HELLO payload into *h; NEURIO_ERR_DEVICE with a message naming
 * the field when it is malformed. */
int lk_parse_hello(const uint8_t *p, uint32_t len, neurio_link_hello *h,
                   neurio_errbuf *err);

#endif

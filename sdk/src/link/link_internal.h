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

/* Requests in flight at most (sliding window). */
#define LK_WIN_MAX 32u
/* Default window when the device announces NEURIO_LINK_HF_WINDOW. */
#define LK_WIN_DEFAULT 8u

#define LK_RTO_SMALL 0
#define LK_RTO_BULK 1
#define LK_RTO_RUN 2
#define LK_RTO_CLASSES 3

/* One retransmission-timeout estimator (RFC 6298), all in ns. */
typedef struct lk_rto {
    uint64_t srtt, rttvar, rto;
    int have;
} lk_rto;

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
    uint64_t run_asks;     /* retransmits that only asked an accepted RUN
                              again after its RESULT wait expired          */
    int layers_missing;    /* a RESULT of this batch came without layers */
    char firmware[NEURIO_LINK_MAX_STR + 1];
    /* Adaptive timeouts: small round trips, bulk ones, ACK -> RESULT. */
    lk_rto rto[LK_RTO_CLASSES];
    int bad_seq;           /* seq of the last damaged frame, -1 unknown  */
    uint32_t bad_len;      /* its payload length (from its good header)  */
    uint64_t rx_last_ns;   /* when the last bytes arrived                */
    uint8_t *win;          /* payload buffers of the requests in flight  */
    size_t win_cap;
    uint32_t window;       /* requests in flight (1 = stop-and-wait)     */
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

/* Encode a frame into l->tx and write it with its trailer (timeout:
 * l->opt.timeout_ms). */
int lk_send(neurio_link *l, uint8_t type, uint8_t seq, const void *payload,
            uint32_t len, neurio_errbuf *err);

/* Receive the next frame until deadline_ns (0 = none): NEURIO_OK with *f,
 * LK_CORRUPT (a damaged frame was skipped), NEURIO_ERR_TIMEOUT, or the
 * transport's error.  Garbage is skipped and counted. */
int lk_recv(neurio_link *l, lk_frame *f, uint64_t deadline_ns, neurio_errbuf *err);

/* Write `n` zero bytes: completes a frame the device may be stuck in the
 * middle of (lost bytes), so it NAKs it and hunts for the next one. */
int lk_send_padding(neurio_link *l, uint32_t n, neurio_errbuf *err);

/* ---- request engine (link_window.c) ---------------------------------- */
#define LK_PIPE_END 4 /* make(): no more requests */

/* A run of requests sent through the sliding window.  make() builds
 * request i (called once per i, in order) into pl (capacity: the link's
 * payload_max); take() consumes its answer (ACK, DATA, RESULT, HELLO with the
 * request's seq; called in the order answers arrive).  For RUN requests
 * (run = 1) the ACK only starts the wait for the RESULT (run_timeout_ms). */
typedef struct lk_pipe {
    uint32_t n;            /* requests (UINT32_MAX: until make() ends)   */
    int (*make)(void *ctx, uint32_t i, uint8_t *type, uint8_t *pl, uint32_t *len,
                neurio_errbuf *err);
    int (*take)(void *ctx, uint32_t i, const lk_frame *f, neurio_errbuf *err);
    void *ctx;
    int run;
    uint32_t window;       /* 0/1 = one at a time                        */
    int tries_cap;         /* > 0: transmissions after the first before
                              giving up (sets l->exhausted)             */
    uint32_t first_open;   /* out: first request without an answer      */
} lk_pipe;

/* Run the pipe: NEURIO_OK when every request was answered and taken,
 * LK_REBOOT, LK_NOT_READY, or an error (take()'s included). */
int lk_pipe_run(neurio_link *l, lk_pipe *p, neurio_errbuf *err);

/* One request, stop-and-wait (a pipe of one): *resp is its answer. */
int lk_request(neurio_link *l, uint8_t type, const void *pl, uint32_t len, int run,
               lk_frame *resp, neurio_errbuf *err);

/* Start the timeout estimators at timeout_ms. */
void lk_rto_init(neurio_link *l);
/* Inter-byte silence inside a frame that means bytes were lost. */
uint64_t lk_gap_ns(const neurio_link *l);

/* link.c helpers shared with the engine. */
uint8_t lk_next_seq(neurio_link *l);
int lk_on_boot_hello(neurio_link *l, const lk_frame *f, neurio_errbuf *err);
const char *lk_nak_name(uint32_t code);
void lk_log(neurio_link *l, int level, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Bulk chunks (link.c). */
#define LK_MIN_CHUNK 32u     /* smallest bulk chunk when shrinking     */
#define LK_CHUNK_TRIES 2      /* retries per chunk size before shrinking */
uint32_t lk_bulk_chunk(neurio_link *l);
int lk_bulk_shrink(neurio_link *l, uint32_t n);
void lk_bulk_ok(neurio_link *l);
int lk_expect(neurio_link *l, const lk_frame *f, uint8_t type, uint32_t min_len,
              const char *what, neurio_errbuf *err);
/* Store the RESULT of sample i (outputs too when it carries them, else
 * *need_read = 1). */
/* Evidence that the link had to recover (bytes or frames lost or damaged,
 * a request sent again before the device accepted it, a reboot): a
 * sample answered after it changed is a stall.  An accepted RUN whose
 * RESULT wait merely expired (a slow inference, an estimate not yet
 * learned) is not one, even when it was asked again. */
uint64_t lk_stall_mark(const neurio_link *l);
int lk_take_result(neurio_link *l, neurio_batch *b, uint32_t i, const lk_frame *f,
                   uint64_t host_ns, int stalled, int *need_read, neurio_errbuf *err);
int lk_read_outputs(neurio_link *l, neurio_batch *b, uint32_t i, neurio_errbuf *err);

/* Batch traffic through the window (link_pipe.c). */
int lk_write_inputs(neurio_link *l, neurio_errbuf *err);
int lk_run_window(neurio_link *l, neurio_batch *b, uint32_t from, uint32_t flags,
                  neurio_errbuf *err);

/* Parse a HELLO payload into *h; NEURIO_ERR_DEVICE with a message naming
 * the field when it is malformed. */
int lk_parse_hello(const uint8_t *p, uint32_t len, neurio_link_hello *h,
                   neurio_errbuf *err);

#endif

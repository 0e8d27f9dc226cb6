/* sdk/src/link/link_frame.c — host-side framing of the neurio link: encode and
 * send frames, receive with resynchronisation (hunt for the start marker,
 * check the header CRC, then the frame CRC), parse the hello.  Layout:
 * neurio/link.h; CRC-32 from zlib. */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <zlib.h>

#include "link_internal.h"


uint32_t neurio_link_crc32(uint32_t crc, const void *buf, size_t len)
{
    const Bytef *p = buf;
    while (len > 0) {
        uInt n = len > 0x40000000u ? 0x40000000u : (uInt)len;
        crc = (uint32_t)crc32(crc, p, n);
        p += n;
        len -= n;
    }
    return crc;
}

uint64_t lk_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

const char *lk_type_name(uint8_t type)
{
    switch (type) {
    case NEURIO_LINK_T_PING: return "PING";
    case NEURIO_LINK_T_WRITE: return "WRITE";
    case NEURIO_LINK_T_COMMIT: return "COMMIT";
    case NEURIO_LINK_T_RUN: return "RUN";
    case NEURIO_LINK_T_READ: return "READ";
    case NEURIO_LINK_T_RESET: return "RESET";
    case NEURIO_LINK_T_HELLO: return "HELLO";
    case NEURIO_LINK_T_ACK: return "ACK";
    case NEURIO_LINK_T_NAK: return "NAK";
    case NEURIO_LINK_T_RESULT: return "RESULT";
    case NEURIO_LINK_T_DATA: return "DATA";
    default: return "unknown";
    }
}

int lk_send(neurio_link *l, uint8_t type, uint8_t seq, const void *payload,
            uint32_t len, neurio_errbuf *err)
{
    uint8_t *f = l->tx;
    f[0] = (uint8_t)NEURIO_LINK_SOF0;
    f[1] = (uint8_t)NEURIO_LINK_SOF1;
    f[2] = type;
    f[3] = seq;
    lk_put16(f + 4, len);
    lk_put16(f + 6, neurio_link_crc32(0, f, 6) & 0xFFFFu);
    if (len)
        memcpy(f + NEURIO_LINK_HDR_BYTES, payload, len);
    lk_put32(f + NEURIO_LINK_HDR_BYTES + len, neurio_link_crc32(0, f, NEURIO_LINK_HDR_BYTES + len));
    size_t total = NEURIO_LINK_OVERHEAD + len;
    /* The trailer (see NEURIO_LINK_TRAILER), in the same write. */
    memset(f + total, 0, NEURIO_LINK_TRAILER);
    int rc = neurio_transport_write(l->t, f, total + NEURIO_LINK_TRAILER, l->opt.timeout_ms, err);
    if (rc == NEURIO_OK) {
        l->st.frames_tx++;
        l->st.bytes_tx += total + NEURIO_LINK_TRAILER;
        l->st.payload_tx += len;
    }
    return rc;
}

int lk_send_padding(neurio_link *l, uint32_t n, neurio_errbuf *err)
{
    uint8_t zero[256] = {0};
    while (n > 0) {
        uint32_t k = n < sizeof zero ? n : (uint32_t)sizeof zero;
        int rc = neurio_transport_write(l->t, zero, k, l->opt.timeout_ms, err);
        if (rc != NEURIO_OK)
            return rc;
        l->st.bytes_tx += k;
        n -= k;
    }
    return NEURIO_OK;
}

/* Drop n bytes from the front of the receive buffer. */
static void rx_drop(neurio_link *l, size_t n)
{
    if (n >= l->rx_len) {
        l->rx_len = 0;
        return;
    }
    memmove(l->rx, l->rx + n, l->rx_len - n);
    l->rx_len -= n;
}

/* Read more bytes into the buffer before the deadline. */
static int rx_fill(neurio_link *l, uint64_t deadline_ns, neurio_errbuf *err)
{
    int timeout = -1;
    if (deadline_ns) {
        uint64_t now = lk_now_ns();
        timeout = now >= deadline_ns ? 0 : (int)((deadline_ns - now + 999999u) / 1000000u);
    }
    if (deadline_ns && timeout == 0)
        return neurio_fail(err, NEURIO_ERR_TIMEOUT, "%s: timed out", l->t->desc);
    size_t got = 0;
    int rc = neurio_transport_read(l->t, l->rx + l->rx_len, l->rx_cap - l->rx_len, &got, timeout, err);
    if (rc == NEURIO_OK) {
        l->rx_len += got;
        l->st.bytes_rx += got;
        if (got)
            l->rx_last_ns = lk_now_ns();
    }
    return rc;
}

int lk_recv(neurio_link *l, lk_frame *f, uint64_t deadline_ns, neurio_errbuf *err)
{
    if (l->rx_consume) {
        rx_drop(l, l->rx_consume);
        l->rx_consume = 0;
    }
    for (;;) {
        /* Hunt for the start marker. */
        size_t i = 0, zeros = 0;
        while (i < l->rx_len && l->rx[i] != NEURIO_LINK_SOF0)
            zeros += l->rx[i++] == 0;
        if (i > 0) {
            l->st.garbage_bytes += i - zeros; /* zeros: trailers, padding */
            rx_drop(l, i);
        }
        if (l->rx_len >= 2 && l->rx[1] != NEURIO_LINK_SOF1) {
            l->st.garbage_bytes++;
            rx_drop(l, 1);
            continue;
        }
        if (l->rx_len < NEURIO_LINK_HDR_BYTES) {
            int rc = rx_fill(l, deadline_ns, err);
            if (rc != NEURIO_OK)
                return rc;
            continue;
        }
        const uint8_t *h = l->rx;
        l->bad_seq = -1;
        if (lk_get16(h + 6) != (neurio_link_crc32(0, h, 6) & 0xFFFFu)) {
            l->st.garbage_bytes++;
            rx_drop(l, 1);
            continue;
        }
        uint32_t len = lk_get16(h + 4);
        size_t total = NEURIO_LINK_OVERHEAD + (size_t)len;
        /* The header is good: a damaged frame names its request. */
        int seq = h[3];
        while (l->rx_len < total) {
            /* Inside a frame, a silence of lk_gap_ns() (the adaptive timeout,
             * 5..300 ms) means bytes were lost: report it as damaged so the
             * request goes out again now. */
            uint64_t gap = lk_now_ns() + lk_gap_ns(l);
            int rc = rx_fill(l, deadline_ns && deadline_ns < gap ? deadline_ns : gap, err);
            if (rc == NEURIO_ERR_TIMEOUT && (!deadline_ns || lk_now_ns() < deadline_ns)) {
                lk_log(l, 3, "%s: frame type %u seq %d: %zu of %zu bytes, then silence",
                       l->t->desc, (unsigned)h[2], seq, l->rx_len, total);
                l->st.crc_errors++;
                rx_drop(l, 1);
                l->bad_seq = seq;
                l->bad_len = len;
                return LK_CORRUPT;
            }
            if (rc != NEURIO_OK) {
                /* Incomplete (bytes lost, or a false header): forget its
                 * start marker so the next receive rescans from there. */
                l->st.garbage_bytes++;
                rx_drop(l, 1);
                return rc;
            }
        }
        h = l->rx;
        uint32_t crc = neurio_link_crc32(0, h, NEURIO_LINK_HDR_BYTES + len);
        if (crc != lk_get32(h + NEURIO_LINK_HDR_BYTES + len)) {
            /* Damaged: skip its start marker and rescan what follows (a
             * good frame may start inside the bytes we buffered). */
            lk_log(l, 3, "%s: frame type %u seq %d, %zu bytes: CRC mismatch", l->t->desc,
                   (unsigned)h[2], seq, total);
            l->st.crc_errors++;
            rx_drop(l, 1);
            l->bad_seq = seq;
            l->bad_len = len;
            return LK_CORRUPT;
        }
        f->type = h[2];
        f->seq = h[3];
        f->len = len;
        f->payload = h + NEURIO_LINK_HDR_BYTES;
        l->rx_consume = total;
        l->st.frames_rx++;
        l->st.payload_rx += len;
        return NEURIO_OK;
    }
}

static void copy_str(char *dst, const uint8_t *src, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++)
        dst[i] = (src[i] >= 0x20 && src[i] < 0x7F) ? (char)src[i] : '?';
    dst[n] = '\0';
}

int lk_parse_hello(const uint8_t *p, uint32_t len, neurio_link_hello *h,
                   neurio_errbuf *err)
{
    memset(h, 0, sizeof *h);
    if (len < NEURIO_LINK_HELLO_FIXED)
        return neurio_fail(err, NEURIO_ERR_DEVICE,
                           "device hello is %u bytes, shorter than the %u-byte fixed part; the firmware speaks another protocol",
                           (unsigned)len, (unsigned)NEURIO_LINK_HELLO_FIXED);
    h->proto_version = lk_get16(p);
    if (h->proto_version != NEURIO_LINK_PROTO_VERSION)
        return neurio_fail(err, NEURIO_ERR_DEVICE,
                           "device speaks link protocol %u, this neurio speaks %u: rebuild and re-flash the firmware with this neurio",
                           (unsigned)h->proto_version, (unsigned)NEURIO_LINK_PROTO_VERSION);
    h->flags = lk_get16(p + 2);
    h->clock_hz = lk_get32(p + 4);
    h->max_payload = lk_get32(p + 8);
    h->arena_bytes = lk_get32(p + 12);
    h->batch_bytes = lk_get32(p + 16);
    h->max_batch = lk_get32(p + 20);
    h->n_layers = lk_get32(p + 24);
    h->stack_bytes = lk_get32(p + 28);
    h->weights_bytes = lk_get32(p + 32);
    h->n_inputs = p[36];
    h->n_outputs = p[37];
    uint32_t mlen = p[38], blen = p[39];
    uint32_t nt = h->n_inputs + h->n_outputs;
    if (nt > NEURIO_LINK_MAX_TENSORS || mlen > NEURIO_LINK_MAX_STR || blen > NEURIO_LINK_MAX_STR)
        return neurio_fail(err, NEURIO_ERR_DEVICE,
                           "device hello: %u tensors (max %u), strings of %u and %u bytes (max %u): malformed",
                           (unsigned)nt, (unsigned)NEURIO_LINK_MAX_TENSORS, (unsigned)mlen,
                           (unsigned)blen, (unsigned)NEURIO_LINK_MAX_STR);
    uint32_t want = NEURIO_LINK_HELLO_FIXED + nt * NEURIO_LINK_HELLO_TENSOR + mlen + blen;
    if (len != want)
        return neurio_fail(err, NEURIO_ERR_DEVICE,
                           "device hello is %u bytes but its counts imply %u: malformed",
                           (unsigned)len, (unsigned)want);
    if (h->max_payload < NEURIO_LINK_MIN_PAYLOAD || h->max_payload > NEURIO_LINK_MAX_PAYLOAD)
        return neurio_fail(err, NEURIO_ERR_DEVICE,
                           "device hello: max payload %u outside [%u, %u]", (unsigned)h->max_payload,
                           (unsigned)NEURIO_LINK_MIN_PAYLOAD, (unsigned)NEURIO_LINK_MAX_PAYLOAD);
    copy_str(h->sha256, p + 40, 64);
    uint32_t off = NEURIO_LINK_HELLO_FIXED;
    for (uint32_t k = 0; k < nt; k++, off += NEURIO_LINK_HELLO_TENSOR) {
        uint32_t o = lk_get32(p + off), b = lk_get32(p + off + 4);
        uint64_t end = (uint64_t)o + (uint64_t)b * h->max_batch;
        if (end > h->batch_bytes)
            return neurio_fail(err, NEURIO_ERR_DEVICE,
                               "device hello: tensor %u region [%u, +%u x %u) exceeds the %u-byte batch buffer",
                               (unsigned)k, (unsigned)o, (unsigned)b, (unsigned)h->max_batch,
                               (unsigned)h->batch_bytes);
        if (k < h->n_inputs) {
            h->in_offset[k] = o;
            h->in_bytes[k] = b;
            h->in_dtype[k] = p[off + 8];
        } else {
            h->out_offset[k - h->n_inputs] = o;
            h->out_bytes[k - h->n_inputs] = b;
            h->out_dtype[k - h->n_inputs] = p[off + 8];
        }
    }
    copy_str(h->cycle_method, p + off, mlen);
    copy_str(h->build_id, p + off + mlen, blen);
    return NEURIO_OK;
}

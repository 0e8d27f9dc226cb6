/* firmware/runtime/nrt_hid.c — see nrt_hid.h. */
#include "nrt_hid.h"

void nrt_hid_tx_init(nrt_hid_tx *tx)
{
    tx->rseq = 0;
    tx->started = 0;
}

void nrt_hid_rx_init(nrt_hid_rx *rx)
{
    uint8_t *p = (uint8_t *)rx;
    for (uint32_t i = 0; i < (uint32_t)sizeof *rx; i++)
        p[i] = 0;
}

uint32_t nrt_hid_encode(nrt_hid_tx *tx, const uint8_t *data, uint32_t n,
                        uint8_t *report)
{
    uint32_t k = n < NEURIO_HID_DATA_BYTES ? n : NEURIO_HID_DATA_BYTES;
    report[0] = tx->rseq++;
    report[1] = (uint8_t)(k | (tx->started ? 0u : NEURIO_HID_SYNC));
    tx->started = 1;
    for (uint32_t i = 0; i < NEURIO_HID_DATA_BYTES; i++)
        report[2 + i] = i < k ? data[i] : 0;
    return k;
}

/* Deliver the data of one stored/received report body. */
static void deliver(nrt_hid_rx *rx, const uint8_t *r, uint32_t len,
                    nrt_hid_sink sink, void *user)
{
    uint32_t n = r[1] & NEURIO_HID_LEN_MASK;
    if (n > NEURIO_HID_DATA_BYTES)
        n = NEURIO_HID_DATA_BYTES;
    if (len < 2u + n) {
        rx->shorts++;
        n = len > 2u ? len - 2u : 0u;
    }
    if (n)
        sink(user, r + 2, n);
    rx->next = (uint8_t)(r[0] + 1u);
}

/* Deliver stashed reports that are now in order. */
static void drain(nrt_hid_rx *rx, nrt_hid_sink sink, void *user)
{
    int progress = 1;
    while (progress) {
        progress = 0;
        for (uint32_t i = 0; i < NEURIO_HID_REORDER; i++) {
            if (rx->used[i] && rx->stash[i][0] == rx->next) {
                rx->used[i] = 0;
                deliver(rx, rx->stash[i], NEURIO_HID_REPORT_BYTES, sink, user);
                progress = 1;
            }
        }
    }
}

void nrt_hid_flush(nrt_hid_rx *rx, nrt_hid_sink sink, void *user)
{
    for (;;) {
        /* the stashed report closest after `next` */
        uint32_t best = NEURIO_HID_REORDER, bestd = 256;
        for (uint32_t i = 0; i < NEURIO_HID_REORDER; i++) {
            uint32_t d = (uint8_t)(rx->stash[i][0] - rx->next);
            if (rx->used[i] && d >= 128u) {
                rx->used[i] = 0; /* stale: already behind */
                continue;
            }
            if (rx->used[i] && d < bestd) {
                bestd = d;
                best = i;
            }
        }
        if (best == NEURIO_HID_REORDER)
            return;
        rx->lost += bestd;
        rx->next = rx->stash[best][0];
        drain(rx, sink, user);
    }
}

void nrt_hid_receive(nrt_hid_rx *rx, const uint8_t *report, uint32_t len,
                     nrt_hid_sink sink, void *user)
{
    if (len < 2u) {
        rx->shorts++;
        return;
    }
    uint8_t s = report[0];
    if (report[1] & NEURIO_HID_SYNC) {
        /* The sender (re)started: forget the old stream. */
        for (uint32_t i = 0; i < NEURIO_HID_REORDER; i++)
            rx->used[i] = 0;
        rx->started = 1;
        rx->next = s;
    } else if (!rx->started) {
        rx->started = 1;
        rx->next = s;
    }
    uint32_t d = (uint8_t)(s - rx->next);
    if (d == 0) {
        rx->behind = 0;
        deliver(rx, report, len, sink, user);
        drain(rx, sink, user);
        return;
    }
    if (d >= 128u) { /* from the past: a duplicate, or a restarted sender */
        rx->dups++;
        if (++rx->behind >= NEURIO_HID_RESYNC) {
            rx->behind = 0;
            for (uint32_t i = 0; i < NEURIO_HID_REORDER; i++)
                rx->used[i] = 0;
            rx->next = s;
            deliver(rx, report, len, sink, user);
        }
        return;
    }
    rx->behind = 0;
    /* Early: stash it until the reports before it arrive. */
    for (uint32_t i = 0; i < NEURIO_HID_REORDER; i++) {
        if (rx->used[i] && rx->stash[i][0] == s) {
            rx->dups++;
            return;
        }
    }
    {
        for (uint32_t i = 0; i < NEURIO_HID_REORDER; i++) {
            if (!rx->used[i]) {
                uint32_t n = len < NEURIO_HID_REPORT_BYTES ? len : NEURIO_HID_REPORT_BYTES;
                for (uint32_t j = 0; j < NEURIO_HID_REPORT_BYTES; j++)
                    rx->stash[i][j] = j < n ? report[j] : 0;
                if (len < 2u + (report[1] & NEURIO_HID_LEN_MASK)) {
                    /* keep only what arrived */
                    rx->shorts++;
                    rx->stash[i][1] = (uint8_t)(len - 2u);
                }
                rx->used[i] = 1;
                return;
            }
        }
        /* Window full: the report we wait for is lost.  Deliver what is
         * stashed, then take this report again against the new position
         * (the stash is empty now, so this recurses once at most). */
        nrt_hid_flush(rx, sink, user);
        nrt_hid_receive(rx, report, len, sink, user);
        return;
    }
}

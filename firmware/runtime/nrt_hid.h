/* firmware/runtime/nrt_hid.h — HID report framing of the neurio link for a
 * device with a USB HID stack (layout and rules: neurio/link.h, "USB HID
 * carriage", and firmware/LINK.md).  C99, no allocation, no platform calls:
 * the board's USB driver calls these around its report buffers.
 *
 *   tx: while (n) { k = nrt_hid_encode(&tx, p, n, report); usb_send(report);
 *                   p += k; n -= k; }
 *   rx: on each OUT report: nrt_hid_receive(&rx, report, len, sink, user),
 *       where sink gets the link bytes in order (feed them to the UART-like
 *       byte queue that platform_uart_getc reads). */
#ifndef NEURIO_FIRMWARE_NRT_HID_H
#define NEURIO_FIRMWARE_NRT_HID_H

#include <stdint.h>

#include "neurio/link.h"

typedef struct nrt_hid_tx {
    uint8_t rseq;
    uint8_t started; /* 0 until the first (SYNC) report is encoded */
} nrt_hid_tx;

typedef struct nrt_hid_rx {
    uint8_t next;      /* rseq expected next                           */
    uint8_t started;
    uint8_t behind;    /* consecutive reports from the past            */
    uint8_t used[NEURIO_HID_REORDER];
    uint8_t stash[NEURIO_HID_REORDER][NEURIO_HID_REPORT_BYTES];
    uint32_t lost, dups, shorts; /* counters                           */
} nrt_hid_rx;

typedef void (*nrt_hid_sink)(void *user, const uint8_t *data, uint32_t n);

/* Zero-initialised structs are ready; these reset them (e.g. on boot). */
void nrt_hid_tx_init(nrt_hid_tx *tx);
void nrt_hid_rx_init(nrt_hid_rx *rx);

/* Fill `report` (NEURIO_HID_REPORT_BYTES, body without the report id) with
 * up to NEURIO_HID_DATA_BYTES of data; returns the bytes consumed (>= 1
 * when n >= 1). */
uint32_t nrt_hid_encode(nrt_hid_tx *tx, const uint8_t *data, uint32_t n,
                        uint8_t *report);

/* Take one received report body of `len` bytes (a short report delivers
 * what it holds); in-order data goes to sink. */
void nrt_hid_receive(nrt_hid_rx *rx, const uint8_t *report, uint32_t len,
                     nrt_hid_sink sink, void *user);

/* Give up on missing reports: deliver everything stashed, in order. */
void nrt_hid_flush(nrt_hid_rx *rx, nrt_hid_sink sink, void *user);

#endif /* NEURIO_FIRMWARE_NRT_HID_H */

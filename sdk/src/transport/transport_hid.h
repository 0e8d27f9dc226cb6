/* sdk/src/transport/transport_hid.h — the HID transport's seam to hidapi (internal).
 * The transport calls hidapi only through a tp_hid_api table: the real one
 * (tp_hid_hidapi) in production, a test double (tests/link/
 * hid_testdouble.c) in tests, since no USB device or uhid exists here. */
#ifndef NEURIO_SDK_TRANSPORT_HID_H
#define NEURIO_SDK_TRANSPORT_HID_H

#include <stddef.h>
#include <stdint.h>

#include "neurio/transport.h"

typedef struct tp_hid_api {
    const char *name; /* "hidapi", or the test double's name */
    /* Number of attached devices matching vid:pid (and serial if not
     * NULL); < 0 on error. */
    int (*count)(uint16_t vid, uint16_t pid, const char *serial);
    /* Open the (only or serial-matching) device; NULL on failure. */
    void *(*open)(uint16_t vid, uint16_t pid, const char *serial);
    /* hid_write / hid_read_timeout semantics: data[0] is the report id;
     * return bytes written/read, 0 = read timeout, -1 = error. */
    int (*write)(void *dev, const unsigned char *data, size_t len);
    int (*read_timeout)(void *dev, unsigned char *data, size_t len, int ms);
    void (*close)(void *dev);
    /* Last error as text (may be NULL dev for open errors); never NULL. */
    const char *(*error)(void *dev, char *buf, size_t n);
} tp_hid_api;

/* The hidapi-hidraw backed table. */
extern const tp_hid_api tp_hid_hidapi;

/* Open a HID transport through `api` (same contract as
 * neurio_transport_hid_open; serial may be NULL). */
int tp_hid_open_api(const tp_hid_api *api, uint16_t vid, uint16_t pid,
                    const char *serial, int connect_timeout_ms,
                    neurio_transport **out, neurio_errbuf *err);

/* Parse "hid:VID:PID[:SERIAL]" (hex ids, optional 0x).  serial gets ""
 * when absent. */
int tp_hid_parse_spec(const char *spec, uint16_t *vid, uint16_t *pid,
                      char *serial, size_t serial_cap, neurio_errbuf *err);

/* Counters of a HID transport (zeroes for others). */
typedef struct tp_hid_stats {
    uint64_t reports_tx, reports_rx;
    uint64_t lost, dups, shorts, foreign; /* foreign: wrong report id */
} tp_hid_stats;
tp_hid_stats tp_hid_get_stats(const neurio_transport *t);

#endif

/* sdk/src/transport/transport_hid.c — the link over USB HID: the frame byte stream
 * cut into 64-byte reports with report id NEURIO_HID_REPORT_ID (framing
 * rules in neurio/link.h and firmware/runtime/nrt_hid.c: reassembly in
 * order, reorder window, lost/short/duplicate reports), hidapi underneath. */
#include "transport_hid.h"

#include <errno.h>
#ifndef NEURIO_NO_HID
#include <hidapi.h>
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <wchar.h>

#include "runtime/nrt_hid.h"
#include "transport_internal.h"

#define TP_HID_QUEUE 8192

typedef struct tp_hid {
    neurio_transport base;
    const tp_hid_api *api;
    void *dev;
    nrt_hid_tx tx;
    nrt_hid_rx rx;
    uint8_t q[TP_HID_QUEUE]; /* reassembled bytes not yet read */
    size_t qlen;
    int overflow;
    tp_hid_stats st;
} tp_hid;

static const neurio_transport_ops hid_ops;

static void sink(void *user, const uint8_t *data, uint32_t n)
{
    tp_hid *h = user;
    if (n > TP_HID_QUEUE - h->qlen) {
        h->overflow = 1; /* cannot happen with reads draining the queue */
        n = (uint32_t)(TP_HID_QUEUE - h->qlen);
    }
    memcpy(h->q + h->qlen, data, n);
    h->qlen += n;
}

static size_t take(tp_hid *h, void *buf, size_t cap)
{
    size_t n = h->qlen < cap ? h->qlen : cap;
    memcpy(buf, h->q, n);
    memmove(h->q, h->q + n, h->qlen - n);
    h->qlen -= n;
    return n;
}

static void sync_stats(tp_hid *h)
{
    h->st.lost = h->rx.lost;
    h->st.dups = h->rx.dups;
    h->st.shorts = h->rx.shorts;
}

static int tph_read(neurio_transport *t, void *buf, size_t cap, size_t *got,
                    int timeout_ms, neurio_errbuf *err)
{
    tp_hid *h = (tp_hid *)t;
    unsigned char rep[1 + NEURIO_HID_REPORT_BYTES];
    char eb[256];
    int64_t deadline = tp_deadline(timeout_ms);
    *got = 0;
    while (h->qlen == 0) {
        int n = h->api->read_timeout(h->dev, rep, sizeof rep, tp_remaining(deadline));
        if (n < 0)
            return neurio_fail(err, NEURIO_ERR_CLOSED,
                               "%s: reading from the HID device failed (%s): was it unplugged?",
                               t->desc, h->api->error(h->dev, eb, sizeof eb));
        if (n == 0) {
            /* Nothing more is coming for now: give up on missing reports
             * and deliver what waits behind them. */
            nrt_hid_flush(&h->rx, sink, h);
            sync_stats(h);
            if (h->qlen)
                break;
            if (tp_remaining(deadline) == 0)
                return neurio_fail(err, NEURIO_ERR_TIMEOUT, "%s: nothing received within %d ms",
                                   t->desc, timeout_ms);
            continue;
        }
        h->st.reports_rx++;
        if (rep[0] != NEURIO_HID_REPORT_ID) {
            h->st.foreign++;
            continue;
        }
        nrt_hid_receive(&h->rx, rep + 1, (uint32_t)n - 1, sink, h);
        sync_stats(h);
    }
    *got = take(h, buf, cap);
    return NEURIO_OK;
}

static int tph_write(neurio_transport *t, const void *buf, size_t len,
                     int timeout_ms, neurio_errbuf *err)
{
    tp_hid *h = (tp_hid *)t;
    const uint8_t *p = buf;
    unsigned char rep[1 + NEURIO_HID_REPORT_BYTES];
    char eb[256];
    (void)timeout_ms; /* hid_write blocks until the report is queued */
    while (len > 0) {
        rep[0] = NEURIO_HID_REPORT_ID;
        uint32_t k = nrt_hid_encode(&h->tx, p, (uint32_t)(len > 0xFFFF ? 0xFFFF : len), rep + 1);
        if (h->api->write(h->dev, rep, sizeof rep) < 0)
            return neurio_fail(err, NEURIO_ERR_CLOSED,
                               "%s: writing to the HID device failed (%s): was it unplugged?",
                               t->desc, h->api->error(h->dev, eb, sizeof eb));
        h->st.reports_tx++;
        p += k;
        len -= k;
    }
    return NEURIO_OK;
}

static void tph_close(neurio_transport *t)
{
    tp_hid *h = (tp_hid *)t;
    if (h->dev)
        h->api->close(h->dev);
    free(h);
}

static const neurio_transport_ops hid_ops = {
    .kind = "hid",
    .read = tph_read,
    .write = tph_write,
    .close = tph_close,
};

tp_hid_stats tp_hid_get_stats(const neurio_transport *t)
{
    tp_hid_stats z = {0};
    if (!t || t->ops != &hid_ops)
        return z;
    return ((const tp_hid *)t)->st;
}

int neurio_usb_id_parse(const char *s, size_t n, uint16_t *out)
{
    if (n > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        s += 2;
        n -= 2;
    }
    if (n == 0 || n > 4)
        return -1;
    unsigned v = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
              : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
        if (d < 0)
            return -1;
        v = v * 16 + (unsigned)d;
    }
    *out = (uint16_t)v;
    return 0;
}

int tp_hid_parse_spec(const char *spec, uint16_t *vid, uint16_t *pid,
                      char *serial, size_t serial_cap, neurio_errbuf *err)
{
    const char *p = spec && !strncmp(spec, "hid:", 4) ? spec + 4 : NULL;
    const char *c1 = p ? strchr(p, ':') : NULL;
    const char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
    size_t plen = c1 && c2 ? (size_t)(c2 - c1 - 1) : c1 ? strlen(c1 + 1) : 0;
    if (!p || !c1 || neurio_usb_id_parse(p, (size_t)(c1 - p), vid) != 0 ||
        neurio_usb_id_parse(c1 + 1, plen, pid) != 0)
        return neurio_fail(err, NEURIO_ERR_CONFIG,
                           "link '%s': expected hid:VID:PID[:SERIAL] with hex ids, e.g. hid:0d28:0204",
                           spec ? spec : "");
    serial[0] = '\0';
    if (c2) {
        if (!c2[1] || strlen(c2 + 1) >= serial_cap)
            return neurio_fail(err, NEURIO_ERR_CONFIG, "link '%s': empty or too long serial number", spec);
        snprintf(serial, serial_cap, "%s", c2 + 1);
    }
    return NEURIO_OK;
}

static void nap_ms(int ms)
{
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

int tp_hid_open_api(const tp_hid_api *api, uint16_t vid, uint16_t pid,
                    const char *serial, int connect_timeout_ms,
                    neurio_transport **out, neurio_errbuf *err)
{
    char desc[128], eb[256];
    *out = NULL;
    if (serial && !*serial)
        serial = NULL;
    snprintf(desc, sizeof desc, "hid:%04x:%04x%s%s", vid, pid, serial ? ":" : "", serial ? serial : "");
    int64_t deadline = tp_deadline(connect_timeout_ms);
    int n;
    for (;;) {
        n = api->count(vid, pid, serial);
        if (n != 0 || tp_remaining(deadline) == 0)
            break;
        nap_ms(50); /* a board may still be enumerating after flashing */
    }
    if (n < 0)
        return neurio_fail(err, NEURIO_ERR_IO, "%s: cannot list HID devices: %s", desc,
                           api->error(NULL, eb, sizeof eb));
    if (n == 0)
        return neurio_fail(err, NEURIO_ERR_CONFIG,
                           "%s: no such HID device attached (`neurio probe` lists what is there; check the ids and the cable)",
                           desc);
    if (n > 1)
        return neurio_fail(err, NEURIO_ERR_CONFIG,
                           "%s: %d HID devices match: add the serial number, hid:%04x:%04x:SERIAL (`neurio probe` shows them)",
                           desc, n, vid, pid);
    void *dev = api->open(vid, pid, serial);
    if (!dev)
        return neurio_fail(err, NEURIO_ERR_IO,
                           "%s: cannot open the HID device (%s): if this is a permission problem, add a udev rule such as "
                           "SUBSYSTEM==\"hidraw\", ATTRS{idVendor}==\"%04x\", ATTRS{idProduct}==\"%04x\", MODE=\"0660\", GROUP=\"plugdev\" "
                           "in /etc/udev/rules.d/99-neurio.rules and join the plugdev group",
                           desc, api->error(NULL, eb, sizeof eb), vid, pid);
    tp_hid *h = calloc(1, sizeof *h);
    if (!h) {
        api->close(dev);
        return neurio_fail(err, NEURIO_ERR_NOMEM, "%s: out of memory", desc);
    }
    h->base.ops = &hid_ops;
    snprintf(h->base.desc, sizeof h->base.desc, "%s", desc);
    h->api = api;
    h->dev = dev;
    nrt_hid_tx_init(&h->tx);
    nrt_hid_rx_init(&h->rx);
    *out = &h->base;
    return NEURIO_OK;
}

int neurio_transport_hid_open(const char *spec, int connect_timeout_ms,
                              neurio_transport **out, neurio_errbuf *err)
{
    uint16_t vid = 0, pid = 0;
    char serial[128];
    *out = NULL;
    int rc = tp_hid_parse_spec(spec, &vid, &pid, serial, sizeof serial, err);
    if (rc != NEURIO_OK)
        return rc;
    return tp_hid_open_api(&tp_hid_hidapi, vid, pid, serial, connect_timeout_ms, out, err);
}

/* ---- the real hidapi ------------------------------------------------- */
#ifdef NEURIO_NO_HID
/* Built with NEURIO_WITH_HID=OFF: no hidapi; every hid: link says so. */
static int nohid_count(uint16_t vid, uint16_t pid, const char *serial)
{
    (void)vid, (void)pid, (void)serial;
    return -1;
}

static void *nohid_open(uint16_t vid, uint16_t pid, const char *serial)
{
    (void)vid, (void)pid, (void)serial;
    return NULL;
}

static int nohid_write(void *dev, const unsigned char *data, size_t len)
{
    (void)dev, (void)data, (void)len;
    return -1;
}

static int nohid_read(void *dev, unsigned char *data, size_t len, int ms)
{
    (void)dev, (void)data, (void)len, (void)ms;
    return -1;
}

static void nohid_close(void *dev)
{
    (void)dev;
}

static const char *nohid_error(void *dev, char *buf, size_t n)
{
    (void)dev;
    snprintf(buf, n, "USB HID support is not built in (libneurio was configured with "
                     "NEURIO_WITH_HID=OFF); use a serial, unix or tcp link");
    return buf;
}

const tp_hid_api tp_hid_hidapi = {
    .name = "hidapi (not built in: NEURIO_WITH_HID=OFF)",
    .count = nohid_count,
    .open = nohid_open,
    .write = nohid_write,
    .read_timeout = nohid_read,
    .close = nohid_close,
    .error = nohid_error,
};
#else

static int hidapi_ready(void)
{
    static int state; /* 0 not tried, 1 ok, -1 failed */
    if (!state)
        state = hid_init() == 0 ? 1 : -1;
    return state > 0;
}

static int to_wide(const char *s, wchar_t *w, size_t n)
{
    size_t r = mbstowcs(w, s, n);
    return r == (size_t)-1 || r >= n ? -1 : 0;
}

static int hidapi_count(uint16_t vid, uint16_t pid, const char *serial)
{
    if (!hidapi_ready())
        return -1;
    wchar_t ws[128];
    if (serial && to_wide(serial, ws, 128) != 0)
        return 0;
    struct hid_device_info *all = hid_enumerate(vid, pid), *d;
    int n = 0;
    for (d = all; d; d = d->next)
        if (!serial || (d->serial_number && !wcscmp(d->serial_number, ws)))
            n++;
    hid_free_enumeration(all);
    return n;
}

static void *hidapi_open(uint16_t vid, uint16_t pid, const char *serial)
{
    wchar_t ws[128];
    if (!hidapi_ready() || (serial && to_wide(serial, ws, 128) != 0))
        return NULL;
    return hid_open(vid, pid, serial ? ws : NULL);
}

static int hidapi_write(void *dev, const unsigned char *data, size_t len)
{
    return hid_write(dev, data, len);
}

static int hidapi_read(void *dev, unsigned char *data, size_t len, int ms)
{
    return hid_read_timeout(dev, data, len, ms);
}

static void hidapi_close(void *dev)
{
    hid_close(dev);
}

static const char *hidapi_error(void *dev, char *buf, size_t n)
{
    const wchar_t *w = hid_error(dev);
    if (!w || wcstombs(buf, w, n) == (size_t)-1 || n == 0) {
        snprintf(buf, n, "%s", dev ? "unknown hidapi error" : "device not found or no permission");
        return buf;
    }
    buf[n - 1] = '\0';
    return buf;
}

const tp_hid_api tp_hid_hidapi = {
    .name = "hidapi",
    .count = hidapi_count,
    .open = hidapi_open,
    .write = hidapi_write,
    .read_timeout = hidapi_read,
    .close = hidapi_close,
    .error = hidapi_error,
};
#endif /* NEURIO_NO_HID */

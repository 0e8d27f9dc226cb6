/* tests/link/hid_testdouble.c — see hid_testdouble.h. */
#include "hid_testdouble.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "nrt_hid.h"

#define TD_REP (1 + NEURIO_HID_REPORT_BYTES)
#define TD_QUEUE 4096

typedef struct td_report {
    unsigned char b[TD_REP];
    int len;
} td_report;

static struct {
    uint16_t vid, pid;
    char serial[64];
    int matching;
    int fd;
    int open;
    hid_td_faults f;
    uint64_t rng;
    nrt_hid_rx dev_rx; /* device side: host -> device reports */
    nrt_hid_tx dev_tx; /* device side: device -> host reports */
    td_report q[TD_QUEUE];
    int qhead, qlen;
    td_report held_h2d, held_d2h; /* a report delayed to swap order */
    int have_held_h2d, have_held_d2h;
    hid_td_counts c;
    char err[128];
} td;

static double td_rand(void)
{
    uint64_t x = td.rng;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    td.rng = x;
    return (double)((x * 0x2545F4914F6CDD1Dull) >> 11) * (1.0 / 9007199254740992.0);
}

void hid_testdouble_setup(uint16_t vid, uint16_t pid, const char *serial,
                          int matching, int fd, const hid_td_faults *f)
{
    memset(&td, 0, sizeof td);
    td.vid = vid;
    td.pid = pid;
    snprintf(td.serial, sizeof td.serial, "%s", serial ? serial : "");
    td.matching = matching;
    td.fd = fd;
    if (f)
        td.f = *f;
    td.rng = td.f.seed ? td.f.seed : 1;
    nrt_hid_rx_init(&td.dev_rx);
    nrt_hid_tx_init(&td.dev_tx);
}

hid_td_counts hid_testdouble_counts(void)
{
    return td.c;
}

static void dev_sink(void *user, const uint8_t *data, uint32_t n)
{
    (void)user;
    while (n > 0) {
        ssize_t w = send(td.fd, data, n, MSG_NOSIGNAL);
        if (w <= 0)
            return; /* device gone: the read side reports it */
        data += w;
        n -= (uint32_t)w;
    }
}

/* Apply the faults to one report and pass the survivors to `deliver`. */
static void faulty(td_report *r, td_report *held, int *have_held,
                   void (*deliver)(const td_report *))
{
    if (td_rand() < td.f.lost) {
        td.c.lost++;
        return;
    }
    if (td_rand() < td.f.short_) {
        r->len = 3 + (int)(td_rand() * (TD_REP - 4));
        td.c.shorts++;
    }
    if (!*have_held && td_rand() < td.f.swap) {
        *held = *r; /* goes out after the next report */
        *have_held = 1;
        td.c.swaps++;
        return;
    }
    deliver(r);
    if (td_rand() < td.f.dup) {
        deliver(r);
        td.c.dups++;
    }
    if (*have_held) {
        *have_held = 0;
        deliver(held);
    }
}

static void to_device(const td_report *r)
{
    if (r->b[0] == NEURIO_HID_REPORT_ID)
        nrt_hid_receive(&td.dev_rx, r->b + 1, (uint32_t)r->len - 1, dev_sink, NULL);
}

static void to_host(const td_report *r)
{
    if (td.qlen < TD_QUEUE) {
        td.q[(td.qhead + td.qlen) % TD_QUEUE] = *r;
        td.qlen++;
    }
}

static int td_count(uint16_t vid, uint16_t pid, const char *serial)
{
    if (vid != td.vid || pid != td.pid)
        return 0;
    if (serial)
        return strcmp(serial, td.serial) == 0 ? 1 : 0;
    return td.matching;
}

static void *td_open(uint16_t vid, uint16_t pid, const char *serial)
{
    if (td_count(vid, pid, serial) < 1 || td.fd < 0) {
        snprintf(td.err, sizeof td.err, "Permission denied (test double)");
        return NULL;
    }
    td.open = 1;
    return &td;
}

static int td_write(void *dev, const unsigned char *data, size_t len)
{
    if (dev != &td || len != TD_REP || data[0] != NEURIO_HID_REPORT_ID) {
        snprintf(td.err, sizeof td.err, "bad report (len %zu)", len);
        return -1;
    }
    if (td.fd < 0) {
        snprintf(td.err, sizeof td.err, "No such device (test double: unplugged)");
        return -1;
    }
    td_report r;
    memcpy(r.b, data, len);
    r.len = (int)len;
    td.c.reports_h2d++;
    faulty(&r, &td.held_h2d, &td.have_held_h2d, to_device);
    return (int)len;
}

/* Turn bytes from the device child into reports. */
static int pump(int ms)
{
    struct pollfd p = {.fd = td.fd, .events = POLLIN};
    int r = poll(&p, 1, ms);
    if (r <= 0)
        return 0;
    uint8_t buf[2048];
    ssize_t n = read(td.fd, buf, sizeof buf);
    if (n <= 0)
        return -1;
    for (ssize_t off = 0; off < n;) {
        td_report rep;
        rep.b[0] = NEURIO_HID_REPORT_ID;
        off += nrt_hid_encode(&td.dev_tx, buf + off, (uint32_t)(n - off), rep.b + 1);
        rep.len = TD_REP;
        td.c.reports_d2h++;
        faulty(&rep, &td.held_d2h, &td.have_held_d2h, to_host);
    }
    return 0;
}

static int td_read(void *dev, unsigned char *data, size_t len, int ms)
{
    if (dev != &td)
        return -1;
    if (td.qlen == 0) {
        if (td.fd < 0 || pump(ms) < 0) {
            snprintf(td.err, sizeof td.err, "No such device (test double: unplugged)");
            return -1;
        }
        if (td.qlen == 0)
            return 0;
    }
    td_report *r = &td.q[td.qhead];
    size_t n = (size_t)r->len < len ? (size_t)r->len : len;
    memcpy(data, r->b, n);
    td.qhead = (td.qhead + 1) % TD_QUEUE;
    td.qlen--;
    return (int)n;
}

static void td_close(void *dev)
{
    if (dev == &td)
        td.open = 0;
}

static const char *td_error(void *dev, char *buf, size_t n)
{
    (void)dev;
    snprintf(buf, n, "%s", td.err[0] ? td.err : "no error");
    return buf;
}

const tp_hid_api hid_testdouble_api = {
    .name = "hid_testdouble",
    .count = td_count,
    .open = td_open,
    .write = td_write,
    .read_timeout = td_read,
    .close = td_close,
    .error = td_error,
};

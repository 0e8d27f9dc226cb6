/* sdk/src/transport/transport.c — the transport front door: open by spec string and
 * the thin dispatchers over neurio_transport_ops. */
#include "neurio/transport.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "transport_internal.h"

int64_t tp_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t tp_deadline(int timeout_ms)
{
    return timeout_ms < 0 ? -1 : tp_now_ms() + timeout_ms;
}

int tp_remaining(int64_t deadline_ms)
{
    if (deadline_ms < 0)
        return -1;
    int64_t r = deadline_ms - tp_now_ms();
    if (r < 0)
        return 0;
    return r > INT_MAX ? INT_MAX : (int)r;
}

int neurio_transport_read(neurio_transport *t, void *buf, size_t cap,
                          size_t *got, int timeout_ms, neurio_errbuf *err)
{
    *got = 0;
    if (!t || !buf || cap == 0)
        return neurio_fail(err, NEURIO_ERR_INVALID, "transport read: no transport or empty buffer");
    return t->ops->read(t, buf, cap, got, timeout_ms, err);
}

int neurio_transport_write(neurio_transport *t, const void *buf, size_t len,
                           int timeout_ms, neurio_errbuf *err)
{
    if (!t || (!buf && len))
        return neurio_fail(err, NEURIO_ERR_INVALID, "transport write: no transport or buffer");
    if (len == 0)
        return NEURIO_OK;
    return t->ops->write(t, buf, len, timeout_ms, err);
}

void neurio_transport_close(neurio_transport *t)
{
    if (t)
        t->ops->close(t);
}

const char *neurio_transport_describe(const neurio_transport *t)
{
    return t ? t->desc : "(no transport)";
}

/* "serial:/dev/ttyUSB0@921600" or "/dev/ttyUSB0@921600" */
static int open_serial_spec(const char *s, neurio_transport **out, neurio_errbuf *err)
{
    char path[4096];
    uint32_t baud = 115200;
    const char *at = strrchr(s, '@');
    size_t n = at ? (size_t)(at - s) : strlen(s);
    if (n == 0 || n >= sizeof path)
        return neurio_fail(err, NEURIO_ERR_CONFIG,
                           "serial link '%s': expected serial:/dev/ttyXXX[@BAUD]", s);
    memcpy(path, s, n);
    path[n] = '\0';
    if (at) {
        char *end = NULL;
        errno = 0;
        unsigned long b = strtoul(at + 1, &end, 10);
        if (errno || !end || *end || b == 0 || b > 20000000ul)
            return neurio_fail(err, NEURIO_ERR_CONFIG,
                               "serial link '%s': baud '%s' is not a positive integer (e.g. @115200)",
                               s, at + 1);
        baud = (uint32_t)b;
    }
    return neurio_transport_serial_open(path, baud, out, err);
}

int neurio_transport_open(const char *spec, int connect_timeout_ms,
                          neurio_transport **out, neurio_errbuf *err)
{
    *out = NULL;
    if (!spec || !*spec)
        return neurio_fail(err, NEURIO_ERR_CONFIG,
                           "empty link spec: use unix:PATH, tcp:HOST:PORT, serial:/dev/ttyX[@BAUD] or hid:VID:PID[:SERIAL]");
    if (!strncmp(spec, "unix:", 5))
        return neurio_transport_unix_open(spec + 5, connect_timeout_ms, out, err);
    if (!strncmp(spec, "tcp:", 4)) {
        const char *hp = spec + 4;
        const char *colon = strrchr(hp, ':');
        char host[256];
        if (!colon || colon == hp || (size_t)(colon - hp) >= sizeof host || !colon[1])
            return neurio_fail(err, NEURIO_ERR_CONFIG,
                               "link '%s': expected tcp:HOST:PORT (e.g. tcp:127.0.0.1:5555)", spec);
        memcpy(host, hp, (size_t)(colon - hp));
        host[colon - hp] = '\0';
        return neurio_transport_tcp_open(host, colon + 1, connect_timeout_ms, out, err);
    }
    if (!strncmp(spec, "serial:", 7))
        return open_serial_spec(spec + 7, out, err);
    if (spec[0] == '/')
        return open_serial_spec(spec, out, err);
    if (!strncmp(spec, "fd:", 3)) {
        char *end = NULL;
        long fd = strtol(spec + 3, &end, 10);
        if (!end || *end || fd < 0 || fd > INT_MAX)
            return neurio_fail(err, NEURIO_ERR_CONFIG, "link '%s': expected fd:N", spec);
        return neurio_transport_fd_open((int)fd, 0, spec, out, err);
    }
    if (!strncmp(spec, "hid:", 4))
        return neurio_transport_hid_open(spec, connect_timeout_ms, out, err);
    return neurio_fail(err, NEURIO_ERR_CONFIG,
                       "unknown link '%s': use unix:PATH, tcp:HOST:PORT, serial:/dev/ttyX[@BAUD] or hid:VID:PID[:SERIAL]",
                       spec);
}

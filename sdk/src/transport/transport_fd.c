/* sdk/src/transport/transport_fd.c — a transport over a POSIX file descriptor
 * (socket, pipe, tty), with poll()-based timeouts.  The unix/TCP socket and
 * serial transports open their fd and wrap it here. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "transport_internal.h"

typedef struct tp_fd {
    neurio_transport base;
    int fd;
    int own;
    int is_socket;
} tp_fd;

/* Wait for `events` on fd until the deadline: 1 ready, 0 timeout, -1 error
 * (errno set). */
static int wait_fd(int fd, short events, int64_t deadline)
{
    for (;;) {
        struct pollfd p = {.fd = fd, .events = events};
        int r = poll(&p, 1, tp_remaining(deadline));
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return -1;
        if (r == 0)
            return 0;
        return 1; /* readable, writable, or HUP/ERR: the I/O call tells */
    }
}

static int fd_read(neurio_transport *t, void *buf, size_t cap, size_t *got,
                   int timeout_ms, neurio_errbuf *err)
{
    tp_fd *f = (tp_fd *)t;
    int64_t deadline = tp_deadline(timeout_ms);
    *got = 0;
    for (;;) {
        int w = wait_fd(f->fd, POLLIN, deadline);
        if (w < 0)
            return neurio_fail(err, NEURIO_ERR_IO, "%s: poll failed: %s", t->desc, strerror(errno));
        if (w == 0)
            return neurio_fail(err, NEURIO_ERR_TIMEOUT, "%s: nothing received within %d ms",
                               t->desc, timeout_ms);
        ssize_t n = read(f->fd, buf, cap);
        if (n > 0) {
            *got = (size_t)n;
            return NEURIO_OK;
        }
        if (n == 0)
            return neurio_fail(err, NEURIO_ERR_CLOSED, "%s: the device side closed the link", t->desc);
        if (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK)
            continue;
        if (errno == EIO || errno == ECONNRESET)
            return neurio_fail(err, NEURIO_ERR_CLOSED, "%s: link lost (%s); was the device unplugged or the emulator stopped?",
                               t->desc, strerror(errno));
        return neurio_fail(err, NEURIO_ERR_IO, "%s: read failed: %s", t->desc, strerror(errno));
    }
}

static int fd_write(neurio_transport *t, const void *buf, size_t len,
                    int timeout_ms, neurio_errbuf *err)
{
    tp_fd *f = (tp_fd *)t;
    const unsigned char *p = buf;
    int64_t deadline = tp_deadline(timeout_ms);
    while (len > 0) {
        ssize_t n = f->is_socket ? send(f->fd, p, len, MSG_NOSIGNAL) : write(f->fd, p, len);
        if (n > 0) {
            p += n;
            len -= (size_t)n;
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            int w = wait_fd(f->fd, POLLOUT, deadline);
            if (w < 0)
                return neurio_fail(err, NEURIO_ERR_IO, "%s: poll failed: %s", t->desc, strerror(errno));
            if (w == 0)
                return neurio_fail(err, NEURIO_ERR_TIMEOUT,
                                   "%s: the device did not take %zu more bytes within %d ms",
                                   t->desc, len, timeout_ms);
            continue;
        }
        if (n < 0 && (errno == EPIPE || errno == ECONNRESET || errno == EIO))
            return neurio_fail(err, NEURIO_ERR_CLOSED, "%s: link lost while writing (%s)",
                               t->desc, strerror(errno));
        return neurio_fail(err, NEURIO_ERR_IO, "%s: write failed: %s", t->desc,
                           n < 0 ? strerror(errno) : "wrote nothing");
    }
    return NEURIO_OK;
}

static void fd_close(neurio_transport *t)
{
    tp_fd *f = (tp_fd *)t;
    if (f->own && f->fd >= 0)
        close(f->fd);
    free(f);
}

static const neurio_transport_ops fd_ops = {
    .kind = "fd",
    .read = fd_read,
    .write = fd_write,
    .close = fd_close,
};

int tp_fd_wrap(int fd, int own, const char *kind, const char *desc,
               neurio_transport **out, neurio_errbuf *err)
{
    (void)kind;
    *out = NULL;
    tp_fd *f = calloc(1, sizeof *f);
    if (!f) {
        if (own)
            close(fd);
        return neurio_fail(err, NEURIO_ERR_NOMEM, "out of memory opening %s", desc);
    }
    int fl = fcntl(fd, F_GETFL);
    if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0) {
        int e = errno;
        free(f);
        if (own)
            close(fd);
        return neurio_fail(err, NEURIO_ERR_IO, "%s: cannot make the descriptor non-blocking: %s",
                           desc, strerror(e));
    }
    struct stat st;
    f->is_socket = fstat(fd, &st) == 0 && S_ISSOCK(st.st_mode);
    f->base.ops = &fd_ops;
    snprintf(f->base.desc, sizeof f->base.desc, "%s", desc);
    f->fd = fd;
    f->own = own;
    *out = &f->base;
    return NEURIO_OK;
}

int neurio_transport_fd_open(int fd, int own, const char *desc,
                             neurio_transport **out, neurio_errbuf *err)
{
    char d[64];
    if (fd < 0)
        return neurio_fail(err, NEURIO_ERR_INVALID, "fd transport: invalid descriptor %d", fd);
    if (!desc) {
        snprintf(d, sizeof d, "fd:%d", fd);
        desc = d;
    }
    return tp_fd_wrap(fd, own, "fd", desc, out, err);
}

/* sdk/src/transport/transport_socket.c — unix-domain and TCP stream socket clients,
 * e.g. to QEMU's `-chardev socket,...,server=on,wait=on`.  Connecting
 * retries until connect_timeout_ms so an emulator that is still starting
 * is waited for. */
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "transport_internal.h"

static void nap_ms(int ms)
{
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

/* Errors worth retrying while the server starts. */
static int transient(int e)
{
    return e == ENOENT || e == ECONNREFUSED || e == EAGAIN || e == ETIMEDOUT || e == EINTR;
}

int neurio_transport_unix_open(const char *path, int connect_timeout_ms,
                               neurio_transport **out, neurio_errbuf *err)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    char desc[300];
    *out = NULL;
    if (!path || !*path || strlen(path) >= sizeof sa.sun_path)
        return neurio_fail(err, NEURIO_ERR_CONFIG,
                           "unix socket path '%s' is empty or longer than %zu bytes; use a shorter path",
                           path ? path : "", sizeof sa.sun_path - 1);
    memcpy(sa.sun_path, path, strlen(path) + 1);
    snprintf(desc, sizeof desc, "unix:%s", path);
    int64_t deadline = tp_deadline(connect_timeout_ms);
    for (;;) {
        int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
            return neurio_fail(err, NEURIO_ERR_IO, "%s: socket() failed: %s", desc, strerror(errno));
        if (connect(fd, (struct sockaddr *)&sa, sizeof sa) == 0)
            return tp_fd_wrap(fd, 1, "unix", desc, out, err);
        int e = errno;
        close(fd);
        if (!transient(e) || tp_remaining(deadline) == 0)
            return neurio_fail(err, e == ENOENT || e == ECONNREFUSED ? NEURIO_ERR_TIMEOUT : NEURIO_ERR_IO,
                               "%s: cannot connect: %s (is the emulator/device server running and listening there?)",
                               desc, strerror(e));
        nap_ms(20);
    }
}

int neurio_transport_tcp_open(const char *host, const char *port,
                              int connect_timeout_ms, neurio_transport **out,
                              neurio_errbuf *err)
{
    char desc[300];
    *out = NULL;
    snprintf(desc, sizeof desc, "tcp:%s:%s", host ? host : "", port ? port : "");
    if (!host || !*host || !port || !*port)
        return neurio_fail(err, NEURIO_ERR_CONFIG, "%s: expected tcp:HOST:PORT", desc);
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM};
    struct addrinfo *res = NULL;
    int g = getaddrinfo(host, port, &hints, &res);
    if (g != 0)
        return neurio_fail(err, NEURIO_ERR_CONFIG, "%s: cannot resolve: %s", desc, gai_strerror(g));
    int64_t deadline = tp_deadline(connect_timeout_ms);
    int last = 0;
    for (;;) {
        for (struct addrinfo *a = res; a; a = a->ai_next) {
            int fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
            if (fd < 0) {
                last = errno;
                continue;
            }
            if (connect(fd, a->ai_addr, a->ai_addrlen) == 0) {
                int one = 1;
                setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
                freeaddrinfo(res);
                return tp_fd_wrap(fd, 1, "tcp", desc, out, err);
            }
            last = errno;
            close(fd);
        }
        if (!transient(last) || tp_remaining(deadline) == 0)
            break;
        nap_ms(20);
    }
    freeaddrinfo(res);
    return neurio_fail(err, last == ECONNREFUSED ? NEURIO_ERR_TIMEOUT : NEURIO_ERR_IO,
                       "%s: cannot connect: %s (is the emulator/device server listening on that port?)",
                       desc, strerror(last));
}

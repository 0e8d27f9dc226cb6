/* plugins/cortex-m/src/cm_openocd.c — see cm_openocd.h.  OpenOCD 0.12's
 * RTT commands: `rtt setup ADDR SIZE ID`, `rtt start`, `rtt server start
 * PORT CHANNEL`. */
#include "cm_openocd.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cm_flasher.h"

/* Size of the RTT control block with one ring each way (nrt_rtt.h). */
#define CM_RTT_CB_BYTES 76u

int cm_openocd_rtt_argv(const cm_openocd_args *a, int port, char *argv[12], char *buf, size_t cap,
                        neurio_errbuf *err)
{
    char word[4096];
    if (cm_tcl_word(word, sizeof word, a->config) < 0)
        return neurio_fail(err, NEURIO_ERR_CONFIG,
                           "device.openocd_config '%s' is too long or holds a control character; "
                           "rename it", a->config);
    size_t o = 0;
    int n = 0;
    const char *fmt[5] = {"script %s", "init", "rtt setup 0x%08x %u {SEGGER RTT}", "rtt start",
                          "rtt server start %d 0"};
    argv[n++] = (char *)a->openocd;
    for (int i = 0; i < 5; i++) {
        int w;
        size_t room = o < cap ? cap - o : 0;
        if (i == 0)
            w = snprintf(buf + o, room, fmt[0], word);
        else if (i == 2)
            w = snprintf(buf + o, room, fmt[2], a->cb_addr, CM_RTT_CB_BYTES);
        else if (i == 4)
            w = snprintf(buf + o, room, fmt[4], port);
        else
            w = snprintf(buf + o, room, "%s", fmt[i]);
        if (w < 0 || (size_t)w >= room)
            return neurio_fail(err, NEURIO_ERR_CONFIG, "openocd command line too long");
        argv[n++] = "-c";
        argv[n++] = buf + o;
        o += (size_t)w + 1;
    }
    argv[n] = NULL;
    return NEURIO_OK;
}

/* A free TCP port on 127.0.0.1 (the kernel's pick). */
static int free_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return -1;
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof sa;
    int port = -1;
    if (bind(fd, (struct sockaddr *)&sa, sizeof sa) == 0 &&
        getsockname(fd, (struct sockaddr *)&sa, &len) == 0)
        port = ntohs(sa.sin_port);
    close(fd);
    return port;
}

int cm_openocd_rtt_start(const cm_openocd_args *a, neurio_child *child, neurio_transport **t,
                         neurio_errbuf *err)
{
    char *argv[12], buf[8192], port_s[16];
    int port = a->port > 0 ? a->port : free_port();
    if (port <= 0)
        return neurio_fail(err, NEURIO_ERR_IO, "no free TCP port for OpenOCD's RTT server: %s",
                           strerror(errno));
    int rc = cm_openocd_rtt_argv(a, port, argv, buf, sizeof buf, err);
    if (rc)
        return rc;
    rc = neurio_child_spawn(child, argv, a->log_path, err);
    if (rc) {
        if (rc == NEURIO_ERR_TOOLCHAIN)
            neurio_fail(err, rc, "cannot run %s: install the Debian package openocd or set "
                                 "device.openocd to its path", a->openocd);
        return rc;
    }
    snprintf(port_s, sizeof port_s, "%d", port);
    rc = neurio_transport_tcp_open("127.0.0.1", port_s, a->connect_timeout_ms, t, err);
    if (rc) {
        char tail[300];
        neurio_log_tail(a->log_path, tail, sizeof tail);
        neurio_child_stop(child, 2000);
        return neurio_fail(err, rc, "OpenOCD's RTT server on port %d did not answer: %s (log: %s)",
                           port, tail, a->log_path);
    }
    return NEURIO_OK;
}

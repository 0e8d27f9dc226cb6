/* tests/link/test_transport.c — transports for real: unix and TCP sockets
 * against a listener in this process, a pty as a serial port (standard and
 * non-standard baud), the whole link over a pty, the fault wrapper's
 * determinism, and errors for bad specs. */
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <signal.h>
#include <unistd.h>

#include "neurio/link_host.h"
#include "neurio/transport.h"
#include "test_util.h"

int register_transport_tests(void);

/* Write through t, read back from fd; and the other way round. */
static void roundtrip(neurio_transport *t, int fd)
{
    neurio_errbuf e = {{0}};
    char buf[64];
    size_t got = 0;
    CU_ASSERT_EQUAL(neurio_transport_write(t, "hello", 5, 1000, &e), NEURIO_OK);
    ssize_t n = read(fd, buf, sizeof buf);
    CU_ASSERT_EQUAL(n, 5);
    CU_ASSERT(n == 5 && memcmp(buf, "hello", 5) == 0);
    CU_ASSERT_EQUAL(write(fd, "world!", 6), 6);
    size_t total = 0;
    while (total < 6) {
        if (neurio_transport_read(t, buf + total, sizeof buf - total, &got, 1000, &e) != NEURIO_OK)
            break;
        total += got;
    }
    CU_ASSERT_EQUAL(total, 6);
    CU_ASSERT(memcmp(buf, "world!", 6) == 0);
    /* nothing more: a timeout, not a hang */
    CU_ASSERT_EQUAL(neurio_transport_read(t, buf, sizeof buf, &got, 30, &e), NEURIO_ERR_TIMEOUT);
    CU_ASSERT_EQUAL(got, 0);
}

static void test_unix_socket(void)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/dev.sock", neurio_test_tmpdir());
    neurio_errbuf e = {{0}};
    neurio_transport *t = NULL;
    /* Nobody listening yet: a clear error naming the path. */
    CU_ASSERT_NOT_EQUAL(neurio_transport_open("unix:/nonexistent/dir/x.sock", 0, &t, &e), NEURIO_OK);
    CU_ASSERT(strstr(e.msg, "/nonexistent/dir/x.sock") != NULL);
    int ls = socket(AF_UNIX, SOCK_STREAM, 0);
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    CU_ASSERT_FATAL(strlen(path) < sizeof sa.sun_path);
    memcpy(sa.sun_path, path, strlen(path) + 1);
    CU_ASSERT_FATAL(bind(ls, (struct sockaddr *)&sa, sizeof sa) == 0 && listen(ls, 1) == 0);
    char spec[4200];
    snprintf(spec, sizeof spec, "unix:%s", path);
    CU_ASSERT_EQUAL_FATAL(neurio_transport_open(spec, 1000, &t, &e), NEURIO_OK);
    int fd = accept(ls, NULL, NULL);
    CU_ASSERT_FATAL(fd >= 0);
    CU_ASSERT(strstr(neurio_transport_describe(t), "dev.sock") != NULL);
    roundtrip(t, fd);
    close(fd); /* peer closes: CLOSED, not an error loop */
    char b[8];
    size_t got;
    CU_ASSERT_EQUAL(neurio_transport_read(t, b, sizeof b, &got, 1000, &e), NEURIO_ERR_CLOSED);
    neurio_transport_close(t);
    close(ls);
}

static void test_tcp_socket(void)
{
    int ls = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t sl = sizeof sa;
    CU_ASSERT_FATAL(bind(ls, (struct sockaddr *)&sa, sizeof sa) == 0 && listen(ls, 1) == 0);
    CU_ASSERT_FATAL(getsockname(ls, (struct sockaddr *)&sa, &sl) == 0);
    char spec[64];
    snprintf(spec, sizeof spec, "tcp:127.0.0.1:%u", (unsigned)ntohs(sa.sin_port));
    neurio_errbuf e = {{0}};
    neurio_transport *t = NULL;
    CU_ASSERT_EQUAL_FATAL(neurio_transport_open(spec, 1000, &t, &e), NEURIO_OK);
    int fd = accept(ls, NULL, NULL);
    CU_ASSERT_FATAL(fd >= 0);
    roundtrip(t, fd);
    close(fd);
    neurio_transport_close(t);
    close(ls);
    CU_ASSERT_EQUAL(neurio_transport_open("tcp:nohostport", 0, &t, &e), NEURIO_ERR_CONFIG);
    CU_ASSERT(strstr(e.msg, "tcp:HOST:PORT") != NULL);
}

static int open_pty(char *slave, size_t n)
{
    int m = posix_openpt(O_RDWR | O_NOCTTY);
    if (m < 0 || grantpt(m) != 0 || unlockpt(m) != 0 || !ptsname(m))
        return -1;
    snprintf(slave, n, "%s", ptsname(m));
    return m;
}

static void test_serial_pty(void)
{
    char slave[256], spec[300];
    int m = open_pty(slave, sizeof slave);
    CU_ASSERT_FATAL(m >= 0);
    neurio_errbuf e = {{0}};
    neurio_transport *t = NULL;
    snprintf(spec, sizeof spec, "serial:%s@921600", slave);
    CU_ASSERT_EQUAL_FATAL(neurio_transport_open(spec, 0, &t, &e), NEURIO_OK);
    roundtrip(t, m);
    neurio_transport_close(t);
    /* A non-standard rate goes through termios2 (ptys accept any rate). */
    snprintf(spec, sizeof spec, "%s@250000", slave);
    int rc = neurio_transport_open(spec, 0, &t, &e);
    CU_ASSERT(rc == NEURIO_OK || rc == NEURIO_ERR_UNSUPPORTED);
    if (rc == NEURIO_OK) {
        roundtrip(t, m);
        neurio_transport_close(t);
    } else {
        CU_ASSERT(strstr(e.msg, "250000") != NULL);
    }
    close(m);
    /* Bad specs and missing ports name what is wrong. */
    CU_ASSERT_EQUAL(neurio_transport_open("serial:/dev/ttyDOESNOTEXIST@115200", 0, &t, &e),
                    NEURIO_ERR_CONFIG);
    CU_ASSERT(strstr(e.msg, "ttyDOESNOTEXIST") != NULL);
    CU_ASSERT_EQUAL(neurio_transport_open("serial:/dev/null@fast", 0, &t, &e), NEURIO_ERR_CONFIG);
    CU_ASSERT(strstr(e.msg, "fast") != NULL);
    CU_ASSERT_EQUAL(neurio_transport_open("serial:/dev/null", 0, &t, &e), NEURIO_ERR_CONFIG);
    CU_ASSERT(strstr(e.msg, "not a serial port") != NULL);
    CU_ASSERT_EQUAL(neurio_transport_open("bogus:thing", 0, &t, &e), NEURIO_ERR_CONFIG);
    CU_ASSERT(strstr(e.msg, "unix:PATH") != NULL);
}

/* The whole link over a pty: the device child serves on the master, the
 * host opens the slave as a serial port. */
static void test_link_over_pty(void)
{
    char slave[256], spec[300];
    int m = open_pty(slave, sizeof slave);
    CU_ASSERT_FATAL(m >= 0);
    /* Raw mode on the slave before the device talks, so nothing is echoed
     * or translated. */
    neurio_errbuf e = {{0}};
    neurio_transport *t = NULL;
    snprintf(spec, sizeof spec, "serial:%s@115200", slave);
    CU_ASSERT_EQUAL_FATAL(neurio_transport_open(spec, 0, &t, &e), NEURIO_OK);
    pid_t pid = fork();
    CU_ASSERT_FATAL(pid >= 0);
    if (pid == 0) {
        char fdbuf[16];
        snprintf(fdbuf, sizeof fdbuf, "%d", m);
        execl(LINK_DEVICE_EXE, LINK_DEVICE_EXE, "--fd", fdbuf, "--model", "small", (char *)NULL);
        _exit(127);
    }
    neurio_link_options o;
    neurio_link_options_default(&o);
    o.timeout_ms = 1000;
    neurio_link *l = NULL;
    int rc = neurio_link_open(t, &o, &l, &e);
    CU_ASSERT_EQUAL(rc, NEURIO_OK);
    if (rc == NEURIO_OK) {
        int8_t a[3 * 8];
        float b[3 * 2], p[3];
        int8_t s[3 * 4];
        for (int i = 0; i < 24; i++)
            a[i] = (int8_t)(i * 11 - 100);
        for (int i = 0; i < 6; i++)
            b[i] = (float)i + 0.5f;
        const void *in[2] = {a, b};
        void *out[2] = {s, p};
        neurio_measure ms[3];
        neurio_batch bt = {.count = 3, .n_inputs = 2, .n_outputs = 2, .inputs = in,
                           .outputs = out, .measures = ms};
        CU_ASSERT_EQUAL(neurio_link_run_batch(l, &bt, &e), NEURIO_OK);
        CU_ASSERT_EQUAL(bt.done, 3);
        int v = a[0] + a[1] + 1; /* the fixture saturates */
        CU_ASSERT_EQUAL(s[0], (int8_t)(v < -128 ? -128 : v > 127 ? 127 : v));
        CU_ASSERT(p[2] == b[4] * b[5]);
        neurio_link_close(l);
    } else {
        fprintf(stderr, "error: %s\n", e.msg);
    }
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    close(m);
}

static void test_fault_determinism(void)
{
    /* Same seed, same input -> same mangled stream; rates roughly hold. */
    unsigned char out1[40000], out2[40000];
    size_t n1 = 0, n2 = 0;
    static unsigned char data[10000];
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (unsigned char)(i * 31);
    for (int pass = 0; pass < 2; pass++) {
        int sv[2];
        CU_ASSERT_FATAL(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
        neurio_transport *t = NULL, *w = NULL;
        neurio_errbuf e = {{0}};
        CU_ASSERT_EQUAL_FATAL(neurio_transport_fd_open(sv[0], 1, NULL, &t, &e), NEURIO_OK);
        neurio_fault_config fc = {.seed = 42, .corrupt_rate = 0.01, .drop_rate = 0.01,
                                  .dup_rate = 0.01, .on_write = 1};
        CU_ASSERT_EQUAL_FATAL(neurio_transport_fault_wrap(t, &fc, &w, &e), NEURIO_OK);
        CU_ASSERT_EQUAL(neurio_transport_write(w, data, sizeof data, 1000, &e), NEURIO_OK);
        neurio_fault_stats st = neurio_transport_fault_stats(w);
        CU_ASSERT_EQUAL(st.bytes, sizeof data);
        CU_ASSERT(st.corrupted > 50 && st.corrupted < 200);
        CU_ASSERT(st.dropped > 50 && st.dropped < 200);
        CU_ASSERT(st.duplicated > 50 && st.duplicated < 200);
        neurio_transport_close(w);
        unsigned char *o = pass ? out2 : out1;
        size_t *n = pass ? &n2 : &n1;
        ssize_t r;
        while ((r = read(sv[1], o + *n, sizeof out1 - *n)) > 0)
            *n += (size_t)r;
        close(sv[1]);
        CU_ASSERT_EQUAL(*n, sizeof data - st.dropped + st.duplicated);
    }
    CU_ASSERT_EQUAL(n1, n2);
    CU_ASSERT(memcmp(out1, out2, n1) == 0);
    /* Invalid rates are refused (and the inner transport released). */
    int sv[2];
    CU_ASSERT_FATAL(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
    neurio_transport *t = NULL, *w = NULL;
    neurio_errbuf e = {{0}};
    CU_ASSERT_EQUAL_FATAL(neurio_transport_fd_open(sv[0], 1, NULL, &t, &e), NEURIO_OK);
    neurio_fault_config bad = {.corrupt_rate = 1.5};
    CU_ASSERT_EQUAL(neurio_transport_fault_wrap(t, &bad, &w, &e), NEURIO_ERR_INVALID);
    close(sv[1]);
}

int register_transport_tests(void)
{
    CU_pSuite s = CU_add_suite("transport", NULL, NULL);
    if (!s)
        return -1;
    if (!CU_add_test(s, "unix socket", test_unix_socket) ||
        !CU_add_test(s, "tcp socket", test_tcp_socket) ||
        !CU_add_test(s, "serial port on a pty", test_serial_pty) ||
        !CU_add_test(s, "link over a pty", test_link_over_pty) ||
        !CU_add_test(s, "fault wrapper determinism", test_fault_determinism))
        return -1;
    return 0;
}

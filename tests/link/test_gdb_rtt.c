/* tests/link/test_gdb_rtt.c — the RTT transport over the GDB remote
 * protocol (sdk/src/transport/transport_gdb.c, gdb_rsp.c) against
 * gdbstub_testdouble: a thread that speaks the protocol on a unix socket
 * (no-ack mode, ?, Z0, m, M, s, c) over a 4 KiB memory image holding an
 * RTT control block, and on every 'c' plays the firmware: it moves the
 * bytes of the down ring to the up ring (an echo device) and stops in the
 * wait point.  Checked: bytes round-trip through both rings across their
 * wrap; and the refusals — a bad spec, a block that never gets its ID, an
 * inconsistent ring, garbage answers, a firmware with no rings — are clear
 * errors, never hangs or crashes.  The real device end is covered over
 * QEMU by tests/cortexm/test_cortexm_rtt.c. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "neurio/transport.h"
#include "test_util.h"

#define BASE 0x20000000u
#define CB 0x100u
#define UP_BUF 0x200u
#define DOWN_BUF 0x400u
#define RING 64u /* small: the test wraps both rings many times */

typedef struct gdbstub_testdouble {
    uint8_t mem[4096];
    int listen_fd;
    char path[108];
    int garbage; /* answer m with non-hex */
    pthread_t th;
} gdbstub_testdouble;

static uint32_t g32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static void p32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

/* The control block of nrt_rtt.h: one ring each way, wait = READ. */
static void make_cb(gdbstub_testdouble *d, uint32_t up_size)
{
    uint8_t *c = d->mem + CB;
    memcpy(c, "SEGGER RTT\0\0\0\0\0", 16);
    p32(c + 16, 1);
    p32(c + 20, 1);
    p32(c + 28, BASE + UP_BUF);
    p32(c + 32, up_size);
    p32(c + 52, BASE + DOWN_BUF);
    p32(c + 56, RING);
    p32(c + 72, 1);
}

/* The firmware's turn: echo the down ring into the up ring. */
static void firmware_echo(gdbstub_testdouble *d)
{
    uint8_t *c = d->mem + CB;
    uint32_t dw = g32(c + 60), dr = g32(c + 64), uw = g32(c + 36), ur = g32(c + 40);
    uint32_t us = g32(c + 32);
    while (dr != dw && (uw + 1) % us != ur) {
        d->mem[UP_BUF + uw] = d->mem[DOWN_BUF + dr];
        uw = (uw + 1) % us;
        dr = (dr + 1) % RING;
    }
    p32(c + 64, dr);
    p32(c + 36, uw);
}

static void put_packet(int fd, const char *s)
{
    char buf[9000];
    unsigned sum = 0;
    for (const char *p = s; *p; p++)
        sum += (unsigned char)*p;
    int n = snprintf(buf, sizeof buf, "$%s#%02x", s, sum & 0xffu);
    if (write(fd, buf, (size_t)n) != n)
        return;
}

static void *serve(void *arg)
{
    gdbstub_testdouble *d = arg;
    int fd = accept(d->listen_fd, NULL, NULL);
    char pkt[9000], out[9000];
    size_t n = 0;
    int in = 0;
    unsigned char ch;
    while (fd >= 0 && read(fd, &ch, 1) == 1) {
        if (!in) {
            in = ch == '$';
            n = 0;
            continue;
        }
        if (ch != '#') {
            if (n + 1 < sizeof pkt)
                pkt[n++] = (char)ch;
            continue;
        }
        char cs[2];
        if (read(fd, cs, 2) != 2)
            break;
        in = 0;
        pkt[n] = '\0';
        unsigned a = 0, len = 0;
        if (pkt[0] == 'm' && sscanf(pkt + 1, "%x,%x", &a, &len) == 2 && a >= BASE &&
            a - BASE + len <= sizeof d->mem && len * 2 < sizeof out) {
            for (unsigned i = 0; i < len; i++)
                snprintf(out + 2 * i, 3, "%02x", d->mem[a - BASE + i]);
            if (d->garbage)
                out[0] = 'z';
            put_packet(fd, out);
        } else if (pkt[0] == 'M' && sscanf(pkt + 1, "%x,%x", &a, &len) == 2 && a >= BASE &&
                   a - BASE + len <= sizeof d->mem) {
            const char *h = strchr(pkt, ':') + 1;
            for (unsigned i = 0; i < len; i++) {
                unsigned v;
                sscanf(h + 2 * i, "%2x", &v);
                d->mem[a - BASE + i] = (uint8_t)v;
            }
            put_packet(fd, "OK");
        } else if (pkt[0] == 'm' || pkt[0] == 'M') {
            put_packet(fd, "E14");
        } else if (pkt[0] == 'c') {
            firmware_echo(d);
            put_packet(fd, "T05thread:01;");
        } else if (pkt[0] == 's' || pkt[0] == '?') {
            put_packet(fd, "T05thread:01;");
        } else if (pkt[0] == 'D') {
            put_packet(fd, "OK");
            break;
        } else {
            put_packet(fd, "OK"); /* QStartNoAckMode, Z0, z0 */
        }
    }
    if (fd >= 0)
        close(fd);
    return NULL;
}

static int start(gdbstub_testdouble *d, char *spec, size_t cap)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    static int seq;
    if (snprintf(d->path, sizeof d->path, "%s/gdb%d.sock", neurio_test_tmpdir(), seq++) >=
        (int)sizeof d->path)
        return -1;
    memcpy(sa.sun_path, d->path, sizeof d->path);
    unlink(d->path);
    d->listen_fd = socket(AF_UNIX, SOCK_STREAM, 0);
    if (d->listen_fd < 0 || bind(d->listen_fd, (struct sockaddr *)&sa, sizeof sa) != 0 ||
        listen(d->listen_fd, 1) != 0)
        return -1;
    snprintf(spec, cap, "unix:%s", d->path);
    return pthread_create(&d->th, NULL, serve, d);
}

static void stop(gdbstub_testdouble *d)
{
    shutdown(d->listen_fd, SHUT_RDWR);
    pthread_join(d->th, NULL);
    close(d->listen_fd);
    unlink(d->path);
}

static const neurio_gdb_rtt_config cfg = {.cb_addr = BASE + CB, .halt_addr = 0x1235u,
                                          .io_timeout_ms = 2000};

static void test_echo_through_rings(void)
{
    static gdbstub_testdouble d;
    char spec[256];
    make_cb(&d, RING);
    CU_ASSERT_EQUAL_FATAL(start(&d, spec, sizeof spec), 0);
    neurio_transport *t = NULL;
    neurio_errbuf e = {{0}};
    int rc = neurio_transport_gdb_rtt_open(spec, &cfg, 3000, &t, &e);
    if (rc)
        fprintf(stderr, "\n  %s\n", e.msg);
    CU_ASSERT_EQUAL_FATAL(rc, NEURIO_OK);
    uint8_t msg[1000], back[1000];
    for (size_t i = 0; i < sizeof msg; i++)
        msg[i] = (uint8_t)(i * 7 + 1);
    CU_ASSERT_EQUAL(neurio_transport_write(t, msg, sizeof msg, 1000, &e), NEURIO_OK);
    size_t n = 0, got = 0;
    while (n < sizeof msg && neurio_transport_read(t, back + n, sizeof back - n, &got, 2000, &e) == NEURIO_OK)
        n += got;
    CU_ASSERT_EQUAL(n, sizeof msg);
    CU_ASSERT_EQUAL(memcmp(msg, back, sizeof msg), 0);
    neurio_gdb_rtt_stats st = neurio_transport_gdb_rtt_stats(t);
    CU_ASSERT_EQUAL(st.bytes_down, sizeof msg);
    CU_ASSERT_EQUAL(st.bytes_up, sizeof msg);
    CU_ASSERT(st.halts > sizeof msg / RING); /* the 64-byte rings wrapped */
    /* Nothing queued: the device waits, the read times out cleanly. */
    CU_ASSERT_EQUAL(neurio_transport_read(t, back, sizeof back, &got, 50, &e), NEURIO_ERR_TIMEOUT);
    neurio_transport_close(t);
    stop(&d);
}

/* Open against a control block set up by `prep`; expect rc and `needle`. */
static void refused(void (*prep)(gdbstub_testdouble *), int want_rc, const char *needle)
{
    static gdbstub_testdouble d;
    memset(&d, 0, sizeof d);
    char spec[256];
    prep(&d);
    CU_ASSERT_EQUAL_FATAL(start(&d, spec, sizeof spec), 0);
    neurio_transport *t = NULL;
    neurio_errbuf e = {{0}};
    int rc = neurio_transport_gdb_rtt_open(spec, &cfg, 300, &t, &e);
    CU_ASSERT_EQUAL(rc, want_rc);
    CU_ASSERT_PTR_NULL(t);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, needle));
    if (!strstr(e.msg, needle))
        fprintf(stderr, "\n  got: %s\n", e.msg);
    neurio_transport_close(t);
    stop(&d);
}

static void prep_no_id(gdbstub_testdouble *d) { (void)d; }
static void prep_bad_ring(gdbstub_testdouble *d) { make_cb(d, 1u << 30); }
static void prep_garbage(gdbstub_testdouble *d)
{
    make_cb(d, RING);
    d->garbage = 1;
}
static void prep_no_rings(gdbstub_testdouble *d)
{
    make_cb(d, RING);
    p32(d->mem + CB + 16, 0);
    p32(d->mem + CB + 20, 0);
    p32(d->mem + CB + 72, 3);
}

static void test_refusals(void)
{
    neurio_transport *t = NULL;
    neurio_errbuf e = {{0}};
    CU_ASSERT_EQUAL(neurio_transport_gdb_rtt_open("serial:/dev/ttyS0", &cfg, 100, &t, &e),
                    NEURIO_ERR_CONFIG);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "unix:PATH or tcp:HOST:PORT"));
    neurio_gdb_rtt_config none = {0};
    CU_ASSERT_EQUAL(neurio_transport_gdb_rtt_open("unix:/x", &none, 100, &t, &e), NEURIO_ERR_CONFIG);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "_SEGGER_RTT"));
    refused(prep_no_id, NEURIO_ERR_TIMEOUT, "is not initialised");
    refused(prep_bad_ring, NEURIO_ERR_TIMEOUT, "RTT up buffer 0 at 0x20000118 is inconsistent");
    refused(prep_garbage, NEURIO_ERR_DEVICE, "non-hex digit");
    refused(prep_no_rings, NEURIO_ERR_UNSUPPORTED, "no RAM left for the RTT rings");
}

int neurio_register_tests(void)
{
    CU_pSuite s = CU_add_suite("gdb_rtt", NULL, NULL);
    if (!s)
        return -1;
    CU_add_test(s, "echo_through_rings_gdbstub_testdouble", test_echo_through_rings);
    CU_add_test(s, "refusals_gdbstub_testdouble", test_refusals);
    return 0;
}

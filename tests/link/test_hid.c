/* tests/link/test_hid.c — the HID transport: report framing and reassembly
 * (device side nrt_hid.c directly), and the whole link over the HID
 * transport through the hidapi TEST DOUBLE (hid_testdouble.c) to the real
 * device runtime, with lost, short, out-of-order and duplicated reports;
 * spec parsing, ambiguity and permission errors, unplugging mid-run. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hid_testdouble.h"
#include "link_test.h"
#include "nrt_hid.h"
#include "test_util.h"

typedef struct bytes_sink {
    uint8_t b[8192];
    uint32_t n;
} bytes_sink;

static void collect(void *user, const uint8_t *data, uint32_t n)
{
    bytes_sink *s = user;
    memcpy(s->b + s->n, data, n);
    s->n += n;
}

static void test_hid_framing(void)
{
    uint8_t data[1000], reps[20][NEURIO_HID_REPORT_BYTES];
    for (int i = 0; i < 1000; i++)
        data[i] = (uint8_t)(i * 13 + 1);
    nrt_hid_tx tx = {0};
    int nrep = 0;
    for (uint32_t off = 0; off < 1000; nrep++)
        off += nrt_hid_encode(&tx, data + off, 1000 - off, reps[nrep]);
    CU_ASSERT_EQUAL(nrep, 17); /* ceil(1000 / 62) */
    CU_ASSERT(reps[0][1] & NEURIO_HID_SYNC);
    CU_ASSERT_FALSE(reps[1][1] & NEURIO_HID_SYNC);
    CU_ASSERT_EQUAL(reps[16][1] & NEURIO_HID_LEN_MASK, 1000 - 16 * 62);

    /* In order: everything, exactly. */
    nrt_hid_rx rx;
    bytes_sink s = {.n = 0};
    nrt_hid_rx_init(&rx);
    for (int i = 0; i < nrep; i++)
        nrt_hid_receive(&rx, reps[i], NEURIO_HID_REPORT_BYTES, collect, &s);
    CU_ASSERT_EQUAL(s.n, 1000);
    CU_ASSERT(memcmp(s.b, data, 1000) == 0);

    /* Out of order within the window, plus a duplicate: still exact. */
    static const int order[] = {0, 2, 1, 3, 5, 4, 4, 6, 9, 8, 7, 10, 11, 12, 13, 15, 14, 16};
    s.n = 0;
    nrt_hid_rx_init(&rx);
    for (size_t i = 0; i < sizeof order / sizeof order[0]; i++)
        nrt_hid_receive(&rx, reps[order[i]], NEURIO_HID_REPORT_BYTES, collect, &s);
    CU_ASSERT_EQUAL(s.n, 1000);
    CU_ASSERT(memcmp(s.b, data, 1000) == 0);
    CU_ASSERT_EQUAL(rx.dups, 1);

    /* A lost report: the rest arrives in order once the window gives up
     * (or on flush); exactly its 62 bytes are missing. */
    s.n = 0;
    nrt_hid_rx_init(&rx);
    for (int i = 0; i < nrep; i++)
        if (i != 3)
            nrt_hid_receive(&rx, reps[i], NEURIO_HID_REPORT_BYTES, collect, &s);
    nrt_hid_flush(&rx, collect, &s);
    CU_ASSERT_EQUAL(s.n, 1000 - 62);
    CU_ASSERT(memcmp(s.b, data, 3 * 62) == 0);
    CU_ASSERT(memcmp(s.b + 3 * 62, data + 4 * 62, 1000 - 4 * 62) == 0);
    CU_ASSERT_EQUAL(rx.lost, 1);

    /* A short report delivers what it holds (the link's CRC catches it). */
    s.n = 0;
    nrt_hid_rx_init(&rx);
    nrt_hid_receive(&rx, reps[0], 10, collect, &s);
    nrt_hid_receive(&rx, reps[1], NEURIO_HID_REPORT_BYTES, collect, &s);
    CU_ASSERT_EQUAL(s.n, 8 + 62);
    CU_ASSERT_EQUAL(rx.shorts, 1);
    nrt_hid_receive(&rx, reps[2], 1, collect, &s); /* too short for a header */
    CU_ASSERT_EQUAL(rx.shorts, 2);

    /* A sender that restarted: its SYNC report resets the receiver. */
    nrt_hid_tx tx2 = {0};
    uint8_t r0[NEURIO_HID_REPORT_BYTES];
    nrt_hid_encode(&tx2, (const uint8_t *)"boot", 4, r0);
    s.n = 0;
    nrt_hid_receive(&rx, r0, NEURIO_HID_REPORT_BYTES, collect, &s);
    CU_ASSERT_EQUAL(s.n, 4);
    CU_ASSERT(memcmp(s.b, "boot", 4) == 0);
}

static void test_hid_spec(void)
{
    uint16_t vid = 0, pid = 0;
    char serial[64];
    neurio_errbuf e = {{0}};
    CU_ASSERT_EQUAL(tp_hid_parse_spec("hid:0d28:0204", &vid, &pid, serial, sizeof serial, &e), NEURIO_OK);
    CU_ASSERT_EQUAL(vid, 0x0d28);
    CU_ASSERT_EQUAL(pid, 0x0204);
    CU_ASSERT_STRING_EQUAL(serial, "");
    CU_ASSERT_EQUAL(tp_hid_parse_spec("hid:0x0483:374B:0670FF48", &vid, &pid, serial, sizeof serial, &e), NEURIO_OK);
    CU_ASSERT_EQUAL(vid, 0x0483);
    CU_ASSERT_EQUAL(pid, 0x374b);
    CU_ASSERT_STRING_EQUAL(serial, "0670FF48");
    CU_ASSERT_EQUAL(tp_hid_parse_spec("hid:zz:1", &vid, &pid, serial, sizeof serial, &e), NEURIO_ERR_CONFIG);
    CU_ASSERT(strstr(e.msg, "hid:VID:PID") != NULL);
    CU_ASSERT_EQUAL(tp_hid_parse_spec("hid:12345:1", &vid, &pid, serial, sizeof serial, &e), NEURIO_ERR_CONFIG);
    neurio_transport *t = NULL;
#ifdef NEURIO_NO_HID
    /* Built without hidapi: the link says so and names the option. */
    CU_ASSERT_EQUAL(neurio_transport_open("hid:0d28:0204", 0, &t, &e), NEURIO_ERR_IO);
    CU_ASSERT(strstr(e.msg, "NEURIO_WITH_HID=OFF") != NULL);
#else
    /* The real hidapi here: no device attached, a clear error. */
    CU_ASSERT_EQUAL(neurio_transport_open("hid:0d28:0204", 0, &t, &e), NEURIO_ERR_CONFIG);
    CU_ASSERT(strstr(e.msg, "no such HID device") != NULL);
#endif
    CU_ASSERT_PTR_NULL(t);
}

static void test_hid_open_errors(void)
{
    neurio_transport *t = NULL;
    neurio_errbuf e = {{0}};
    hid_testdouble_setup(0x1234, 0x5678, "SER1", 2, -1, NULL);
    CU_ASSERT_EQUAL(tp_hid_open_api(&hid_testdouble_api, 0x1234, 0x5678, NULL, 0, &t, &e), NEURIO_ERR_CONFIG);
    CU_ASSERT(strstr(e.msg, "2 HID devices match") != NULL);
    CU_ASSERT(strstr(e.msg, "hid:1234:5678:SERIAL") != NULL);
    /* With the serial it is unambiguous; the open fails (fd -1 stands for
     * no permission): the message says which udev rule fixes it. */
    CU_ASSERT_EQUAL(tp_hid_open_api(&hid_testdouble_api, 0x1234, 0x5678, "SER1", 0, &t, &e), NEURIO_ERR_IO);
    CU_ASSERT(strstr(e.msg, "udev") != NULL);
    CU_ASSERT(strstr(e.msg, "ATTRS{idVendor}==\"1234\"") != NULL);
    CU_ASSERT_EQUAL(tp_hid_open_api(&hid_testdouble_api, 0x1234, 0x9999, NULL, 0, &t, &e), NEURIO_ERR_CONFIG);
    CU_ASSERT(strstr(e.msg, "no such HID device") != NULL);
}

/* The whole link over HID with report faults; returns the link status. */
static int hid_run(const hid_td_faults *f, uint32_t n, int kill_at, uint32_t *done_out,
                   neurio_errbuf *e)
{
    dev d;
    neurio_transport *t = NULL;
    neurio_link *l = NULL;
    CU_ASSERT_FATAL(dev_start(&d, "small", NULL) == 0);
    hid_testdouble_setup(0xc0de, 0x0001, "X1", 1, d.fd, f);
    int rc = tp_hid_open_api(&hid_testdouble_api, 0xc0de, 0x0001, NULL, 0, &t, e);
    CU_ASSERT_EQUAL_FATAL(rc, NEURIO_OK);
    neurio_link_options o;
    quiet_opts(&o, 150, 30);
    rc = neurio_link_open(t, &o, &l, e);
    if (rc != NEURIO_OK) {
        dev_stop(&d);
        close(d.fd);
        return rc;
    }
    small_run r;
    small_init(&r, n, 11);
    uint32_t done = 0;
    if (kill_at) {
        /* run a first batch, unplug, run the rest */
        r.n = (uint32_t)kill_at;
        rc = small_run_all(l, &r, (uint32_t)kill_at, &done, e);
        r.n = n;
        CU_ASSERT_EQUAL(rc, NEURIO_OK);
        dev_stop(&d);
        const void *in[2] = {r.a + kill_at * 8, r.b + kill_at * 2};
        void *out[2] = {r.s + kill_at * 4, r.p + kill_at};
        neurio_batch b = {.first = (uint32_t)kill_at, .count = n - (uint32_t)kill_at, .n_inputs = 2,
                          .n_outputs = 2, .inputs = in, .outputs = out, .measures = r.m + kill_at};
        rc = neurio_link_run_batch(l, &b, e);
        done += b.done;
    } else {
        rc = small_run_all(l, &r, 16, &done, e);
    }
    *done_out = done;
    CU_ASSERT_EQUAL(small_check(&r, done), done);
    tp_hid_stats hs = tp_hid_get_stats(neurio_link_transport(l));
    hid_td_counts c = hid_testdouble_counts();
    printf("\n  hid: rc=%d done=%u reports tx=%llu rx=%llu; host saw lost=%llu dups=%llu short=%llu; "
           "injected lost=%lu short=%lu swapped=%lu dup=%lu",
           rc, done, (unsigned long long)hs.reports_tx, (unsigned long long)hs.reports_rx,
           (unsigned long long)hs.lost, (unsigned long long)hs.dups, (unsigned long long)hs.shorts,
           c.lost, c.shorts, c.swaps, c.dups);
    small_free(&r);
    neurio_link_close(l);
    dev_stop(&d);
    close(d.fd); /* the test double does not own it */
    return rc;
}

static void test_hid_link_clean(void)
{
    neurio_errbuf e = {{0}};
    uint32_t done = 0;
    hid_td_faults f = {.seed = 1};
    CU_ASSERT_EQUAL(hid_run(&f, 40, 0, &done, &e), NEURIO_OK);
    CU_ASSERT_EQUAL(done, 40);
}

static void test_hid_link_faults(void)
{
    static const double rates[] = {0.005, 0.02};
    for (size_t i = 0; i < sizeof rates / sizeof rates[0]; i++) {
        neurio_errbuf e = {{0}};
        uint32_t done = 0;
        hid_td_faults f = {.seed = 50 + i, .lost = rates[i], .short_ = rates[i],
                           .swap = rates[i] * 4, .dup = rates[i]};
        int rc = hid_run(&f, 40, 0, &done, &e);
        if (rc)
            printf(" error: %s", e.msg);
        CU_ASSERT_EQUAL(rc, NEURIO_OK);
        CU_ASSERT_EQUAL(done, 40);
        hid_td_counts c = hid_testdouble_counts();
        CU_ASSERT(c.lost + c.shorts + c.swaps + c.dups > 0);
    }
}

static void test_hid_unplugged(void)
{
    neurio_errbuf e = {{0}};
    uint32_t done = 0;
    hid_td_faults f = {.seed = 3};
    int rc = hid_run(&f, 20, 8, &done, &e);
    CU_ASSERT_EQUAL(rc, NEURIO_ERR_CLOSED);
    CU_ASSERT(strstr(e.msg, "unplugged") != NULL);
    CU_ASSERT_EQUAL(done, 8); /* the results before the unplug are kept */
}

int register_hid_tests(void)
{
    CU_pSuite s = CU_add_suite("hid", NULL, NULL);
    if (!s)
        return -1;
    if (!CU_add_test(s, "report framing and reassembly", test_hid_framing) ||
        !CU_add_test(s, "hid spec parsing, no device here", test_hid_spec) ||
        !CU_add_test(s, "ambiguous / unopenable device errors", test_hid_open_errors) ||
        !CU_add_test(s, "link over HID (test double), clean", test_hid_link_clean) ||
        !CU_add_test(s, "link over HID, lost/short/reordered reports", test_hid_link_faults) ||
        !CU_add_test(s, "HID device unplugged mid-run", test_hid_unplugged))
        return -1;
    return 0;
}

/* tests/link/test_device_errors.c — the device runtime's answers to bad
 * requests (raw frames written to the real runtime in a child process),
 * and the host's hello parser against malformed hellos. */
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "link_internal.h"
#include "link_test.h"
#include "test_util.h"

/* Encode a frame by hand (independently of both implementations). */
static size_t enc(uint8_t *out, uint8_t type, uint8_t seq, const uint8_t *pl, uint32_t len)
{
    out[0] = 0xA5;
    out[1] = 0x4E;
    out[2] = type;
    out[3] = seq;
    out[4] = (uint8_t)len;
    out[5] = (uint8_t)(len >> 8);
    uint32_t h = neurio_link_crc32(0, out, 6);
    out[6] = (uint8_t)h;
    out[7] = (uint8_t)(h >> 8);
    if (len)
        memcpy(out + 8, pl, len);
    uint32_t c = neurio_link_crc32(0, out, 8 + len);
    for (int i = 0; i < 4; i++)
        out[8 + len + i] = (uint8_t)(c >> (8 * i));
    return 12 + len;
}

/* Read one whole frame from fd (frames from the runtime are back to back
 * after its boot hello); returns its type, fills seq/payload. */
static int rd_frame(int fd, uint8_t *seq, uint8_t *pl, uint32_t *len)
{
    uint8_t h[8];
    size_t got = 0;
    while (got < 8) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        if (poll(&p, 1, 2000) <= 0)
            return -1;
        ssize_t n = read(fd, h + got, 1);
        if (n <= 0)
            return -1;
        if (got == 0 && h[0] != 0xA5)
            continue;
        got++;
    }
    *len = (uint32_t)h[4] | ((uint32_t)h[5] << 8);
    *seq = h[3];
    uint8_t tail[4];
    for (uint32_t i = 0; i < *len + 4; i++) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        if (poll(&p, 1, 2000) <= 0 || read(fd, i < *len ? pl + i : tail + (i - *len), 1) != 1)
            return -1;
    }
    return h[2];
}

static int ask(int fd, uint8_t type, uint8_t seq, const uint8_t *pl, uint32_t len,
               uint8_t *rseq, uint8_t *rpl, uint32_t *rlen)
{
    uint8_t f[2100];
    size_t n = enc(f, type, seq, pl, len);
    if (write(fd, f, n) != (ssize_t)n)
        return -1;
    return rd_frame(fd, rseq, rpl, rlen);
}

static void test_device_naks(void)
{
    dev d;
    CU_ASSERT_FATAL(dev_start(&d, "small", NULL) == 0);
    uint8_t seq, pl[2048], f[2100];
    uint32_t len;
    /* boot hello, unsolicited */
    CU_ASSERT_EQUAL(rd_frame(d.fd, &seq, pl, &len), NEURIO_LINK_T_HELLO);
    CU_ASSERT_EQUAL(seq, 0);
    /* unknown type */
    CU_ASSERT_EQUAL(ask(d.fd, 0x42, 7, NULL, 0, &seq, pl, &len), NEURIO_LINK_T_NAK);
    CU_ASSERT_EQUAL(seq, 7);
    CU_ASSERT_EQUAL(pl[0], NEURIO_LINK_NAK_TYPE);
    /* WRITE beyond the batch buffer */
    uint8_t w[8] = {0xF0, 0xFF, 0xFF, 0x00, 1, 2, 3, 4};
    CU_ASSERT_EQUAL(ask(d.fd, NEURIO_LINK_T_WRITE, 8, w, 8, &seq, pl, &len), NEURIO_LINK_T_NAK);
    CU_ASSERT_EQUAL(pl[0], NEURIO_LINK_NAK_RANGE);
    /* payload too short */
    CU_ASSERT_EQUAL(ask(d.fd, NEURIO_LINK_T_READ, 9, w, 3, &seq, pl, &len), NEURIO_LINK_T_NAK);
    CU_ASSERT_EQUAL(pl[0], NEURIO_LINK_NAK_LEN);
    /* RUN before any COMMIT */
    uint8_t run[12] = {0, 0, 0, 0, 5, 0, 0, 0, 0, 0, 0, 0};
    CU_ASSERT_EQUAL(ask(d.fd, NEURIO_LINK_T_RUN, 10, run, 12, &seq, pl, &len), NEURIO_LINK_T_NAK);
    CU_ASSERT_EQUAL(pl[0], NEURIO_LINK_NAK_NOT_READY);
    /* COMMIT of more samples than fit */
    uint8_t com[8] = {5, 0, 0, 0, 0xFF, 0xFF, 0, 0};
    CU_ASSERT_EQUAL(ask(d.fd, NEURIO_LINK_T_COMMIT, 11, com, 8, &seq, pl, &len), NEURIO_LINK_T_NAK);
    CU_ASSERT_EQUAL(pl[0], NEURIO_LINK_NAK_RANGE);
    /* a frame longer than the device's max payload */
    memset(pl, 0, sizeof pl);
    size_t n = enc(f, NEURIO_LINK_T_WRITE, 12, pl, 2000);
    CU_ASSERT_EQUAL(write(d.fd, f, n), (ssize_t)n);
    CU_ASSERT_EQUAL(rd_frame(d.fd, &seq, pl, &len), NEURIO_LINK_T_NAK);
    CU_ASSERT_EQUAL(seq, 12);
    CU_ASSERT_EQUAL(pl[0], NEURIO_LINK_NAK_TOO_LONG);
    /* a payload CRC error */
    n = enc(f, NEURIO_LINK_T_PING, 13, NULL, 0);
    f[n - 1] ^= 0x10;
    CU_ASSERT_EQUAL(write(d.fd, f, n), (ssize_t)n);
    CU_ASSERT_EQUAL(rd_frame(d.fd, &seq, pl, &len), NEURIO_LINK_T_NAK);
    CU_ASSERT_EQUAL(seq, 13);
    CU_ASSERT_EQUAL(pl[0], NEURIO_LINK_NAK_CRC);
    /* a header CRC error: the seq cannot be trusted, so the NAK carries
     * seq 0 (the host resends its oldest unanswered request); the frame's
     * bytes are skipped and the device still answers */
    n = enc(f, NEURIO_LINK_T_PING, 14, NULL, 0);
    f[6] ^= 1;
    CU_ASSERT_EQUAL(write(d.fd, f, n), (ssize_t)n);
    CU_ASSERT_EQUAL(rd_frame(d.fd, &seq, pl, &len), NEURIO_LINK_T_NAK);
    CU_ASSERT_EQUAL(seq, NEURIO_LINK_SEQ_UNSOLICITED);
    CU_ASSERT_EQUAL(pl[0], NEURIO_LINK_NAK_CRC);
    CU_ASSERT_EQUAL(ask(d.fd, NEURIO_LINK_T_PING, 15, NULL, 0, &seq, pl, &len), NEURIO_LINK_T_HELLO);
    CU_ASSERT_EQUAL(seq, 15);
    /* WRITE, COMMIT, RUN, then the same RUN again (a retransmission): the
     * second answer comes from the cache and is byte-identical. */
    uint8_t wr[4 + 8] = {0, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8};
    CU_ASSERT_EQUAL(ask(d.fd, NEURIO_LINK_T_WRITE, 16, wr, 12, &seq, pl, &len), NEURIO_LINK_T_ACK);
    uint8_t c1[8] = {9, 0, 0, 0, 1, 0, 0, 0};
    CU_ASSERT_EQUAL(ask(d.fd, NEURIO_LINK_T_COMMIT, 17, c1, 8, &seq, pl, &len), NEURIO_LINK_T_ACK);
    uint8_t r1[12] = {0, 0, 0, 0, 9, 0, 0, 0, 1, 0, 0, 0};
    uint8_t first[2048];
    uint32_t flen;
    /* RUN is acknowledged first (request arrived), then answered */
    CU_ASSERT_EQUAL(ask(d.fd, NEURIO_LINK_T_RUN, 18, r1, 12, &seq, pl, &len), NEURIO_LINK_T_ACK);
    CU_ASSERT_EQUAL(seq, 18);
    CU_ASSERT_EQUAL(rd_frame(d.fd, &seq, first, &flen), NEURIO_LINK_T_RESULT);
    CU_ASSERT_EQUAL(seq, 18);
    CU_ASSERT_EQUAL(ask(d.fd, NEURIO_LINK_T_RUN, 18, r1, 12, &seq, pl, &len), NEURIO_LINK_T_RESULT);
    CU_ASSERT_EQUAL(len, flen);
    CU_ASSERT(memcmp(pl, first, flen) == 0); /* same cycles: not run again */
    CU_ASSERT_EQUAL(first[NEURIO_LINK_RESULT_FIXED + 16], 1 + 2 + 1); /* out0[0], after 2 layer counts */
    /* A false header (good header check, length 1000) swallows the PING
     * behind it; bytes that complete it make it fail its CRC (NAK with its
     * seq), and the device finds the PING again among the bytes it held. */
    uint8_t big[1000];
    memset(big, 0x11, sizeof big);
    n = enc(f, NEURIO_LINK_T_WRITE, 20, big, 1000);
    CU_ASSERT_EQUAL(write(d.fd, f, 8), 8); /* the header only */
    n = enc(f, NEURIO_LINK_T_PING, 21, NULL, 0);
    CU_ASSERT_EQUAL(write(d.fd, f, n), (ssize_t)n);
    memset(big, 0, sizeof big);
    CU_ASSERT_EQUAL(write(d.fd, big, sizeof big), (ssize_t)sizeof big);
    CU_ASSERT_EQUAL(rd_frame(d.fd, &seq, pl, &len), NEURIO_LINK_T_NAK);
    CU_ASSERT_EQUAL(seq, 20);
    CU_ASSERT_EQUAL(pl[0], NEURIO_LINK_NAK_CRC);
    CU_ASSERT_EQUAL(rd_frame(d.fd, &seq, pl, &len), NEURIO_LINK_T_HELLO);
    CU_ASSERT_EQUAL(seq, 21);
    dev_stop(&d);
    close(d.fd);
}

static void put32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static void test_hello_parser(void)
{
    uint8_t h[256];
    neurio_link_hello out;
    neurio_errbuf e = {{0}};
    memset(h, 0, sizeof h);
    h[0] = NEURIO_LINK_PROTO_VERSION;
    put32(h + 8, 1024);   /* max payload */
    put32(h + 16, 4096);  /* batch bytes */
    put32(h + 20, 10);    /* max batch */
    h[36] = 1;            /* one input */
    h[37] = 1;            /* one output */
    h[38] = 3;            /* "dwt" */
    h[39] = 2;            /* "b1" */
    memset(h + 40, 'a', 64);
    put32(h + 104, 0);
    put32(h + 108, 100);
    put32(h + 116, 1000);
    put32(h + 120, 10);
    memcpy(h + 128, "dwtb1", 5);
    uint32_t len = 133;
    CU_ASSERT_EQUAL(lk_parse_hello(h, len, &out, &e), NEURIO_OK);
    CU_ASSERT_STRING_EQUAL(out.cycle_method, "dwt");
    CU_ASSERT_STRING_EQUAL(out.build_id, "b1");
    CU_ASSERT_EQUAL(out.out_offset[0], 1000);
    CU_ASSERT_EQUAL(lk_parse_hello(h, 50, &out, &e), NEURIO_ERR_DEVICE);
    CU_ASSERT(strstr(e.msg, "shorter") != NULL);
    CU_ASSERT_EQUAL(lk_parse_hello(h, len - 1, &out, &e), NEURIO_ERR_DEVICE);
    CU_ASSERT(strstr(e.msg, "malformed") != NULL);
    h[0] = 9;
    CU_ASSERT_EQUAL(lk_parse_hello(h, len, &out, &e), NEURIO_ERR_DEVICE);
    CU_ASSERT(strstr(e.msg, "protocol 9") != NULL);
    h[0] = NEURIO_LINK_PROTO_VERSION;
    put32(h + 116, 4000); /* output region past the buffer */
    CU_ASSERT_EQUAL(lk_parse_hello(h, len, &out, &e), NEURIO_ERR_DEVICE);
    CU_ASSERT(strstr(e.msg, "exceeds") != NULL);
    put32(h + 116, 1000);
    put32(h + 8, 100); /* max payload too small */
    CU_ASSERT_EQUAL(lk_parse_hello(h, len, &out, &e), NEURIO_ERR_DEVICE);
    put32(h + 8, 1024);
    h[36] = 20; /* too many tensors */
    CU_ASSERT_EQUAL(lk_parse_hello(h, len, &out, &e), NEURIO_ERR_DEVICE);
}

/* The host's frame receiver on random bytes (with start markers, valid
 * headers with bad bodies, and a few good frames mixed in): it never reads
 * out of bounds (ASan build), never invents a frame, finds the good ones. */
static void test_host_parser_random(void)
{
    int sv[2];
    CU_ASSERT_FATAL(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
    neurio_errbuf e = {{0}};
    neurio_link l;
    memset(&l, 0, sizeof l);
    CU_ASSERT_EQUAL_FATAL(neurio_transport_fd_open(sv[0], 1, "random", &l.t, &e), NEURIO_OK);
    l.rx_cap = 2 * (NEURIO_LINK_MAX_PAYLOAD + NEURIO_LINK_OVERHEAD);
    static uint8_t rxbuf[2 * (NEURIO_LINK_MAX_PAYLOAD + NEURIO_LINK_OVERHEAD)];
    l.rx = rxbuf;
    uint32_t x = 99;
    int good_sent = 0, good_seen = 0;
    for (int round = 0; round < 200; round++) {
        uint8_t buf[600];
        size_t n = 0;
        while (n < 400) {
            x = x * 1103515245u + 12345u;
            uint32_t r = x >> 16;
            if (r % 23 == 0) { /* a valid header announcing a long body */
                uint8_t f[12];
                enc(f, NEURIO_LINK_T_ACK, 1, NULL, 0);
                f[4] = (uint8_t)(r >> 3);
                f[5] = (uint8_t)(r >> 11);
                uint32_t h = neurio_link_crc32(0, f, 6);
                f[6] = (uint8_t)h;
                f[7] = (uint8_t)(h >> 8);
                memcpy(buf + n, f, 8);
                n += 8;
            } else if (r % 29 == 0) {
                buf[n++] = 0xA5;
                buf[n++] = 0x4E;
            } else {
                buf[n++] = (uint8_t)r;
            }
        }
        if (round % 10 == 0) { /* a good frame */
            uint8_t pl[4] = {1, 2, 3, (uint8_t)round};
            n += enc(buf + n, NEURIO_LINK_T_ACK, 77, pl, 4);
            good_sent++;
        }
        CU_ASSERT_EQUAL_FATAL(write(sv[1], buf, n), (ssize_t)n);
        for (;;) {
            lk_frame f;
            int rc = lk_recv(&l, &f, lk_now_ns() + 5000000ull, &e);
            if (rc == NEURIO_OK) {
                CU_ASSERT(f.len <= NEURIO_LINK_MAX_PAYLOAD);
                if (f.seq == 77 && f.len == 4 && f.payload[0] == 1)
                    good_seen++;
                continue;
            }
            if (rc == LK_CORRUPT)
                continue;
            CU_ASSERT_EQUAL(rc, NEURIO_ERR_TIMEOUT);
            break;
        }
    }
    /* A good frame can be swallowed by a false header before it (its body
     * then fails the CRC), but most must come through. */
    CU_ASSERT(good_seen >= good_sent / 2);
    CU_ASSERT(good_seen <= good_sent);
    neurio_transport_close(l.t);
    close(sv[1]);
}

int register_device_error_tests(void)
{
    CU_pSuite s = CU_add_suite("device errors", NULL, NULL);
    if (!s)
        return -1;
    if (!CU_add_test(s, "device NAKs bad requests, caches RUN", test_device_naks) ||
        !CU_add_test(s, "hello parser refuses malformed hellos", test_hello_parser) ||
        !CU_add_test(s, "host frame receiver on random bytes", test_host_parser_random))
        return -1;
    return 0;
}

/* tests/link/test_capture.c — RUN_CAPTURE over the link against the REAL
 * device runtime in its debug builds (link_device_capture: every output of
 * a layer, hello flag HF_CAPTURE_OUT; link_device_capture1: the older
 * first-output hook).  neurio_link_infer with the ABI 1.2 capture fields
 * and the 1.3 capture_output reads back exactly the bytes the fixture's
 * layer produced, for output 0 and output 1 of layer 0 and output 0 of
 * layer 1; an output the layer lacks captures nothing (UNSUPPORTED,
 * named); the first-output firmware serves output 0 and refuses output 1
 * by name without running anything; a batch of the ABI 1.2 size (no
 * capture_output) reads output 0. */
#include <CUnit/CUnit.h>
#include <stddef.h>
#include <string.h>
#include <unistd.h>

#include "fixture_model.h"
#include "link_test.h"
#include "neurio/plugin.h"
#include "neurio/transport.h"

static neurio_link *open_dev(dev *d, const char *exe, neurio_errbuf *e)
{
    neurio_link_options o;
    neurio_transport *t = NULL;
    neurio_link *l = NULL;
    quiet_opts(&o, 2000, 3);
    if (dev_start_exe(d, exe, "small", NULL) != 0 ||
        neurio_transport_fd_open(d->fd, 1, "device-child", &t, e) != NEURIO_OK ||
        neurio_link_open(t, &o, &l, e) != NEURIO_OK)
        return NULL;
    return l;
}

/* One sample, capturing output `out_idx` of `layer` into buf (cap bytes);
 * size = the batch's size field (sizeof, or the ABI 1.2 size). */
static int capture(neurio_link *l, const small_run *r, int32_t layer, uint32_t out_idx,
                   void *buf, uint32_t cap, uint32_t size, uint32_t *got, neurio_errbuf *e)
{
    const void *in[2] = { r->a, r->b };
    void *out[2] = { r->s, r->p };
    neurio_batch b = { .count = 1, .n_inputs = 2, .n_outputs = 2, .inputs = in,
                       .outputs = out, .measures = r->m, .size = size,
                       .capture_layer = layer, .capture_cap = cap, .capture_buf = buf,
                       .capture_output = out_idx };
    int rc = neurio_link_transfer(l, &b, e);
    if (!rc)
        rc = neurio_link_infer(l, &b, e);
    *got = b.capture_bytes;
    return rc;
}

static void test_every_output(void)
{
    dev d = { 0 };
    neurio_errbuf e = { { 0 } };
    neurio_link *l = open_dev(&d, LINK_DEVICE_CAPTURE_EXE, &e);
    if (!l)
        fprintf(stderr, "open: %s\n", e.msg);
    CU_ASSERT_PTR_NOT_NULL_FATAL(l);
    CU_ASSERT(neurio_link_info(l)->flags & NEURIO_LINK_HF_CAPTURE);
    CU_ASSERT(neurio_link_info(l)->flags & NEURIO_LINK_HF_CAPTURE_OUT);
    small_run r;
    small_init(&r, 1, 7);
    int8_t s[4];
    float p;
    const void *in[2] = { r.a, r.b };
    void *out[2] = { s, &p };
    fixture_small_desc.run(in, out); /* what each layer produces */
    uint8_t buf[16];
    uint32_t got = 0;
    memset(buf, 0xEE, sizeof buf);
    CU_ASSERT_EQUAL(capture(l, &r, 0, 0, buf, 4, sizeof(neurio_batch), &got, &e), NEURIO_OK);
    CU_ASSERT_EQUAL(got, 4);
    CU_ASSERT_EQUAL(memcmp(buf, s, 4), 0);
    CU_ASSERT_EQUAL(memcmp(r.s, s, 4), 0); /* the sample's outputs came back too */
    memset(buf, 0xEE, sizeof buf);
    CU_ASSERT_EQUAL(capture(l, &r, 0, 1, buf, 8, sizeof(neurio_batch), &got, &e), NEURIO_OK);
    CU_ASSERT_EQUAL(got, 8);
    CU_ASSERT_EQUAL(memcmp(buf, r.b, 8), 0);
    memset(buf, 0xEE, sizeof buf);
    CU_ASSERT_EQUAL(capture(l, &r, 1, 0, buf, 4, sizeof(neurio_batch), &got, &e), NEURIO_OK);
    CU_ASSERT_EQUAL(got, 4);
    CU_ASSERT_EQUAL(memcmp(buf, &p, 4), 0);
    /* a batch as an ABI 1.2 core builds it: no capture_output, output 0 */
    memset(buf, 0xEE, sizeof buf);
    CU_ASSERT_EQUAL(capture(l, &r, 0, 1, buf, 4, (uint32_t)offsetof(neurio_batch, capture_output),
                            &got, &e), NEURIO_OK);
    CU_ASSERT_EQUAL(memcmp(buf, s, 4), 0);
    /* layer 1 has no output 1: nothing captured, named */
    e.msg[0] = '\0';
    CU_ASSERT_EQUAL(capture(l, &r, 1, 1, buf, 4, sizeof(neurio_batch), &got, &e),
                    NEURIO_ERR_UNSUPPORTED);
    CU_ASSERT_EQUAL(got, 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "captured nothing for layer 1 output 1"));
    neurio_link_close(l);
    dev_stop(&d);
    small_free(&r);
}

static void test_first_output_firmware(void)
{
    dev d = { 0 };
    neurio_errbuf e = { { 0 } };
    neurio_link *l = open_dev(&d, LINK_DEVICE_CAPTURE1_EXE, &e);
    CU_ASSERT_PTR_NOT_NULL_FATAL(l);
    CU_ASSERT(neurio_link_info(l)->flags & NEURIO_LINK_HF_CAPTURE);
    CU_ASSERT_FALSE(neurio_link_info(l)->flags & NEURIO_LINK_HF_CAPTURE_OUT);
    small_run r;
    small_init(&r, 1, 9);
    int8_t s[4];
    float p;
    const void *in[2] = { r.a, r.b };
    void *out[2] = { s, &p };
    fixture_small_desc.run(in, out);
    uint8_t buf[16];
    uint32_t got = 0;
    CU_ASSERT_EQUAL(capture(l, &r, 0, 0, buf, 4, sizeof(neurio_batch), &got, &e), NEURIO_OK);
    CU_ASSERT_EQUAL(memcmp(buf, s, 4), 0);
    CU_ASSERT_EQUAL(capture(l, &r, 0, 1, buf, 8, sizeof(neurio_batch), &got, &e),
                    NEURIO_ERR_UNSUPPORTED);
    CU_ASSERT_EQUAL(got, 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "reads back the first output of a layer only"));
    /* the link is still good */
    CU_ASSERT_EQUAL(capture(l, &r, 1, 0, buf, 4, sizeof(neurio_batch), &got, &e), NEURIO_OK);
    CU_ASSERT_EQUAL(memcmp(buf, &p, 4), 0);
    neurio_link_close(l);
    dev_stop(&d);
    small_free(&r);
}

int register_capture_tests(void)
{
    CU_pSuite s = CU_add_suite("link capture", NULL, NULL);
    if (!s || !CU_add_test(s, "RUN_CAPTURE: every output of a layer", test_every_output) ||
        !CU_add_test(s, "first-output firmware: output 0 read, output 1 refused",
                     test_first_output_firmware))
        return -1;
    return 0;
}

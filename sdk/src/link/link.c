/* sdk/src/link/link.c — the host end of the neurio device link: open + hello,
 * requests with retransmission, batch transfer / commit / run / read-back,
 * reboot recovery.  Protocol: neurio/link.h, firmware/LINK.md. */
#include "neurio/link_host.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "link_internal.h"

void neurio_link_options_default(neurio_link_options *o)
{
    memset(o, 0, sizeof *o);
    o->size = sizeof *o;
    o->timeout_ms = 1000;
    o->run_timeout_ms = 30000;
    o->boot_timeout_ms = 10000;
    o->max_retries = 8;
    o->max_resets = 3;
    o->window = LK_WIN_DEFAULT;
    o->rto_min_us = 1000;
}

void lk_log(neurio_link *l, int level, const char *fmt, ...)
{
    if (!l->opt.log)
        return;
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    l->opt.log(l->opt.user, level, msg);
}

uint8_t lk_next_seq(neurio_link *l)
{
    l->seq = (uint8_t)(l->seq == 255 ? 1 : l->seq + 1);
    return l->seq;
}

const char *lk_nak_name(uint32_t code)
{
    switch (code) {
    case NEURIO_LINK_NAK_CRC: return "CRC error";
    case NEURIO_LINK_NAK_TOO_LONG: return "frame too long";
    case NEURIO_LINK_NAK_TYPE: return "unknown request";
    case NEURIO_LINK_NAK_LEN: return "payload too short";
    case NEURIO_LINK_NAK_RANGE: return "out of range";
    case NEURIO_LINK_NAK_NOT_READY: return "batch not loaded";
    case NEURIO_LINK_NAK_RUN: return "model run failed";
    default: return "unknown NAK";
    }
}

/* Take a boot hello seen mid-conversation: the device rebooted. */
int lk_on_boot_hello(neurio_link *l, const lk_frame *f, neurio_errbuf *err)
{
    neurio_link_hello h;
    int rc = lk_parse_hello(f->payload, f->len, &h, err);
    if (rc != NEURIO_OK)
        return rc;
    if (l->have_hello && strcmp(h.sha256, l->hello.sha256) != 0)
        return neurio_fail(err, NEURIO_ERR_STALE,
                           "%s: the device rebooted into another model (SHA-256 %.12s..., expected %.12s...): re-flash it",
                           l->t->desc, h.sha256, l->hello.sha256);
    int first = !l->have_hello;
    l->hello = h;
    l->have_hello = 1;
    l->committed = 0;
    if (first) {
        /* The device's own boot announcement crossed our first request (an
         * emulator or board that was just started): not a reboot. */
        lk_log(l, 3, "%s: boot hello received", l->t->desc);
    } else {
        l->st.resets++;
        lk_log(l, 1, "%s: device rebooted (boot hello received)", l->t->desc);
    }
    return LK_REBOOT;
}

int lk_expect(neurio_link *l, const lk_frame *f, uint8_t type, uint32_t min_len,
                  const char *what, neurio_errbuf *err)
{
    if (f->type != type || f->len < min_len)
        return neurio_fail(err, NEURIO_ERR_DEVICE,
                           "%s: device answered %s with %s (%u bytes), expected %s of >= %u bytes",
                           l->t->desc, what, lk_type_name(f->type), (unsigned)f->len,
                           lk_type_name(type), (unsigned)min_len);
    return NEURIO_OK;
}

int neurio_link_ping(neurio_link *l, neurio_errbuf *err)
{
    lk_frame f;
    int rc = lk_request(l, NEURIO_LINK_T_PING, NULL, 0, 0, &f, err);
    if (rc == LK_REBOOT)
        return NEURIO_OK; /* a boot hello is as good */
    if (rc != NEURIO_OK)
        return rc;
    if ((rc = lk_expect(l, &f, NEURIO_LINK_T_HELLO, NEURIO_LINK_HELLO_FIXED, "PING", err)) != NEURIO_OK)
        return rc;
    neurio_link_hello h;
    if ((rc = lk_parse_hello(f.payload, f.len, &h, err)) != NEURIO_OK)
        return rc;
    l->hello = h;
    l->have_hello = 1;
    return NEURIO_OK;
}

int neurio_link_open(neurio_transport *t, const neurio_link_options *opt,
                     neurio_link **out, neurio_errbuf *err)
{
    *out = NULL;
    if (!t)
        return neurio_fail(err, NEURIO_ERR_INVALID, "neurio_link_open: no transport");
    neurio_link *l = calloc(1, sizeof *l);
    int rc = NEURIO_ERR_NOMEM;
    if (!l) {
        neurio_transport_close(t);
        return neurio_fail(err, rc, "out of memory opening the link");
    }
    l->t = t;
    neurio_link_options_default(&l->opt);
    if (opt) {
        size_t n = opt->size && opt->size < sizeof *opt ? opt->size : sizeof *opt;
        memcpy(&l->opt, opt, n);
        l->opt.size = sizeof l->opt;
        neurio_link_options d;
        neurio_link_options_default(&d);
        if (l->opt.timeout_ms <= 0) l->opt.timeout_ms = d.timeout_ms;
        if (l->opt.run_timeout_ms <= 0) l->opt.run_timeout_ms = d.run_timeout_ms;
        if (l->opt.boot_timeout_ms <= 0) l->opt.boot_timeout_ms = d.boot_timeout_ms;
        if (l->opt.max_retries <= 0) l->opt.max_retries = d.max_retries;
        if (l->opt.max_resets <= 0) l->opt.max_resets = d.max_resets;
        if (l->opt.window <= 0) l->opt.window = d.window;
        if (l->opt.rto_min_us <= 0) l->opt.rto_min_us = d.rto_min_us;
    }
    l->rx_cap = 2 * ((size_t)NEURIO_LINK_MAX_PAYLOAD + NEURIO_LINK_OVERHEAD);
    l->rx = malloc(l->rx_cap);
    l->tx = malloc((size_t)NEURIO_LINK_MAX_PAYLOAD + NEURIO_LINK_OVERHEAD + NEURIO_LINK_TRAILER);
    if (!l->rx || !l->tx) {
        neurio_fail(err, rc, "out of memory opening the link");
        goto fail;
    }
    /* Start the sequence numbers somewhere a previous session did not
     * leave them, so the device never mistakes a new request for a
     * retransmission of the last one it answered. */
    l->seq = (uint8_t)(1 + ((unsigned)getpid() ^ (unsigned)(lk_now_ns() >> 10)) % 255u);
    l->tag_next = (uint32_t)(lk_now_ns() >> 8) | 1u;
    l->bad_seq = -1;
    l->window = 1; /* stop-and-wait until the hello says otherwise */
    lk_rto_init(l);

    /* Hello: a boot hello may already be on its way; PING until the boot
     * timeout is spent. */
    uint64_t boot_deadline = lk_now_ns() + (uint64_t)l->opt.boot_timeout_ms * 1000000ull;
    for (;;) {
        rc = neurio_link_ping(l, err);
        if (rc == NEURIO_OK)
            break;
        /* Hellos that keep arriving damaged (a noisy line: the hello is
         * long) are retried like silence, until the boot timeout. */
        if (rc == NEURIO_ERR_DEVICE && l->exhausted && lk_now_ns() < boot_deadline)
            continue;
        if (rc != NEURIO_ERR_TIMEOUT || lk_now_ns() >= boot_deadline) {
            if (rc == NEURIO_ERR_TIMEOUT)
                neurio_fail(err, NEURIO_ERR_TIMEOUT,
                            "%s: no hello from the device within %d ms: is the firmware running and the link (port, baud) right?",
                            t->desc, l->opt.boot_timeout_ms);
            goto fail;
        }
    }
    l->st.resets = 0; /* the boot hello on open is not a reboot */
    l->st.timeouts = 0;
    if (l->hello.max_batch == 0) {
        rc = neurio_fail(err, NEURIO_ERR_DEVICE,
                         "%s: the device has no usable model or no batch memory (batch buffer %u bytes, %u inputs, %u outputs): check the firmware build",
                         t->desc, (unsigned)l->hello.batch_bytes, (unsigned)l->hello.n_inputs,
                         (unsigned)l->hello.n_outputs);
        goto fail;
    }
    l->payload_max = l->hello.max_payload;
    if (l->opt.max_payload && l->opt.max_payload < l->payload_max)
        l->payload_max = l->opt.max_payload < 64 ? 64 : l->opt.max_payload;
    if (l->hello.flags & NEURIO_LINK_HF_WINDOW)
        l->window = (uint32_t)l->opt.window > LK_WIN_MAX ? LK_WIN_MAX : (uint32_t)l->opt.window;
    *out = l;
    return NEURIO_OK;
fail:
    neurio_link_close(l);
    return rc;
}

const neurio_link_hello *neurio_link_info(const neurio_link *l)
{
    return &l->hello;
}

int neurio_link_check_model(const neurio_link *l, const char *sha256_hex, neurio_errbuf *err)
{
    if (!sha256_hex || strlen(sha256_hex) != 64)
        return neurio_fail(err, NEURIO_ERR_INVALID, "check_model: expected a 64-hex-digit SHA-256");
    if (strncasecmp(sha256_hex, l->hello.sha256, 64) != 0)
        return neurio_fail(err, NEURIO_ERR_STALE,
                           "%s: the device runs model %.16s... but the prepared model is %.16s...: the firmware is stale, flash it again",
                           l->t->desc, l->hello.sha256, sha256_hex);
    return NEURIO_OK;
}

int neurio_link_check_tensors(const neurio_link *l, uint32_t n_inputs, const size_t *in_bytes,
                              uint32_t n_outputs, const size_t *out_bytes, neurio_errbuf *err)
{
    const neurio_link_hello *h = &l->hello;
    if (n_inputs != h->n_inputs || n_outputs != h->n_outputs)
        return neurio_fail(err, NEURIO_ERR_STALE,
                           "%s: device model has %u inputs / %u outputs, the prepared model %u / %u: flash the firmware again",
                           l->t->desc, (unsigned)h->n_inputs, (unsigned)h->n_outputs,
                           (unsigned)n_inputs, (unsigned)n_outputs);
    for (uint32_t k = 0; k < n_inputs; k++)
        if (in_bytes[k] != h->in_bytes[k])
            return neurio_fail(err, NEURIO_ERR_STALE,
                               "%s: device input %u takes %u bytes per sample, the prepared model %zu",
                               l->t->desc, (unsigned)k, (unsigned)h->in_bytes[k], in_bytes[k]);
    for (uint32_t k = 0; k < n_outputs; k++)
        if (out_bytes[k] != h->out_bytes[k])
            return neurio_fail(err, NEURIO_ERR_STALE,
                               "%s: device output %u gives %u bytes per sample, the prepared model %zu",
                               l->t->desc, (unsigned)k, (unsigned)h->out_bytes[k], out_bytes[k]);
    return NEURIO_OK;
}

void neurio_link_device_info(const neurio_link *l, neurio_device_info *info)
{
    const neurio_link_hello *h = &l->hello;
    info->clock_hz = h->clock_hz;
    info->cycle_source = h->cycle_method;
    if (strstr(h->cycle_method, "instruction") || strstr(h->cycle_method, "icount"))
        info->cycle_unit = "instructions";
    else if (strstr(h->cycle_method, "(ns)"))
        info->cycle_unit = "ns";
    else
        info->cycle_unit = "cycles";
    info->firmware = h->build_id;
    info->arena_bytes = h->arena_bytes;
    info->weights_bytes = h->weights_bytes;
    info->max_batch = h->max_batch;
}

#define LK_CHUNK_GROW 16u     /* successes before doubling again        */

/* Current bulk chunk: at most what the device accepts. */
uint32_t lk_bulk_chunk(neurio_link *l)
{
    uint32_t max = l->payload_max - 4;
    if (l->chunk == 0 || l->chunk > max)
        l->chunk = max;
    return l->chunk;
}

/* One bulk request (WRITE or READ) of `n` bytes failed by exhausting its
 * tries: shrink the chunk if it can be; returns 1 to try again smaller. */
int lk_bulk_shrink(neurio_link *l, uint32_t n)
{
    if (!l->exhausted || n <= LK_MIN_CHUNK)
        return 0;
    l->chunk = n / 2 < LK_MIN_CHUNK ? LK_MIN_CHUNK : n / 2;
    l->chunk_ok = 0;
    l->st.chunk_shrinks++;
    lk_log(l, 2, "%s: frames of %u bytes keep failing, using %u", l->t->desc, (unsigned)n,
           (unsigned)l->chunk);
    return 1;
}

void lk_bulk_ok(neurio_link *l)
{
    if (++l->chunk_ok >= LK_CHUNK_GROW && l->chunk < l->payload_max - 4) {
        l->chunk = l->chunk * 2 > l->payload_max - 4 ? l->payload_max - 4 : l->chunk * 2;
        l->chunk_ok = 0;
    }
}

/* Send a bulk request with the shrinking retry budget (the full budget
 * once the chunk is at its minimum). */
static int bulk_request(neurio_link *l, uint8_t type, const uint8_t *pl, uint32_t len,
                        uint32_t n, lk_frame *f, neurio_errbuf *err)
{
    l->tries_cap = n > LK_MIN_CHUNK ? LK_CHUNK_TRIES : 0;
    int rc = lk_request(l, type, pl, len, 0, f, err);
    l->tries_cap = 0;
    return rc;
}

/* WRITE every input of the kept batch, then COMMIT it under a new tag. */
static int send_batch(neurio_link *l, neurio_errbuf *err)
{
    uint8_t pl[8];
    lk_frame f;
    l->committed = 0;
    int rc = lk_write_inputs(l, err);
    if (rc != NEURIO_OK)
        return rc;
    l->tag = l->tag_next++;
    if (l->tag == 0)
        l->tag = l->tag_next++;
    lk_put32(pl, l->tag);
    lk_put32(pl + 4, l->count);
    rc = lk_request(l, NEURIO_LINK_T_COMMIT, pl, 8, 0, &f, err);
    if (rc != NEURIO_OK)
        return rc;
    if ((rc = lk_expect(l, &f, NEURIO_LINK_T_ACK, 4, "COMMIT", err)) != NEURIO_OK)
        return rc;
    l->committed = 1;
    return NEURIO_OK;
}

/* send_batch, starting over after reboots (bounded by max_resets). */
static int send_batch_retrying(neurio_link *l, int *resets, neurio_errbuf *err)
{
    for (;;) {
        int rc = send_batch(l, err);
        if (rc != LK_REBOOT && rc != LK_NOT_READY)
            return rc;
        if (++*resets > l->opt.max_resets)
            return neurio_fail(err, NEURIO_ERR_DEVICE,
                               "%s: the device rebooted %d times while receiving a batch: it is unstable (power, watchdog, reset-after option?)",
                               l->t->desc, *resets);
        l->st.batches_resent++;
    }
}

int neurio_link_transfer(neurio_link *l, const neurio_batch *b, neurio_errbuf *err)
{
    if (!l || !b)
        return neurio_fail(err, NEURIO_ERR_INVALID, "link transfer: no link or batch");
    if (b->count == 0 || b->count > l->hello.max_batch)
        return neurio_fail(err, NEURIO_ERR_INVALID,
                           "%s: batch of %u samples, the device holds 1..%u (its hello's max_batch): use a smaller batch_size",
                           l->t->desc, (unsigned)b->count, (unsigned)l->hello.max_batch);
    if (b->n_inputs != l->hello.n_inputs || b->n_outputs != l->hello.n_outputs)
        return neurio_fail(err, NEURIO_ERR_STALE,
                           "%s: batch has %u inputs / %u outputs, the device model %u / %u: flash the firmware again",
                           l->t->desc, (unsigned)b->n_inputs, (unsigned)b->n_outputs,
                           (unsigned)l->hello.n_inputs, (unsigned)l->hello.n_outputs);
    for (uint32_t k = 0; k < b->n_inputs; k++)
        if (!b->inputs || !b->inputs[k])
            return neurio_fail(err, NEURIO_ERR_INVALID, "link transfer: input %u buffer is missing", (unsigned)k);
    l->in = b->inputs;
    l->count = b->count;
    int resets = 0;
    uint64_t t0 = lk_now_ns();
    int rc = send_batch_retrying(l, &resets, err);
    l->st.transfer_ns += lk_now_ns() - t0;
    return rc;
}

/* READ output bytes of one sample into the batch's output buffers. */
int lk_read_outputs(neurio_link *l, neurio_batch *b, uint32_t i, neurio_errbuf *err)
{
    const neurio_link_hello *h = &l->hello;
    for (uint32_t k = 0; k < h->n_outputs; k++) {
        uint8_t *dst = (uint8_t *)b->outputs[k] + (size_t)i * h->out_bytes[k];
        uint32_t base = h->out_offset[k] + i * h->out_bytes[k];
        for (uint32_t off = 0; off < h->out_bytes[k];) {
            uint32_t chunk = lk_bulk_chunk(l);
            uint32_t n = h->out_bytes[k] - off < chunk ? h->out_bytes[k] - off : chunk;
            uint8_t pl[8];
            lk_frame f;
            lk_put32(pl, base + off);
            lk_put32(pl + 4, n);
            int rc = bulk_request(l, NEURIO_LINK_T_READ, pl, 8, n, &f, err);
            if (rc != NEURIO_OK && lk_bulk_shrink(l, n))
                continue;
            if (rc != NEURIO_OK)
                return rc;
            if ((rc = lk_expect(l, &f, NEURIO_LINK_T_DATA, 4 + n, "READ", err)) != NEURIO_OK)
                return rc;
            if (lk_get32(f.payload) != base + off)
                return neurio_fail(err, NEURIO_ERR_DEVICE, "%s: DATA for offset %u answered READ of %u",
                                   l->t->desc, (unsigned)lk_get32(f.payload), (unsigned)(base + off));
            memcpy(dst + off, f.payload + 4, n);
            lk_bulk_ok(l);
            off += n;
        }
    }
    return NEURIO_OK;
}

/* RUN slot i and store its result.  NEURIO_OK, LK_REBOOT, LK_NOT_READY or
 * an error. */
static int run_one(neurio_link *l, neurio_batch *b, uint32_t i, uint32_t flags, neurio_errbuf *err)
{
    uint8_t pl[12];
    lk_frame f;
    lk_put32(pl, i);
    lk_put32(pl + 4, l->tag);
    lk_put32(pl + 8, flags);
    uint64_t t0 = lk_now_ns();
    uint64_t stalls0 = lk_stall_mark(l);
    int rc = lk_request(l, NEURIO_LINK_T_RUN, pl, sizeof pl, 1, &f, err);
    uint64_t t1 = lk_now_ns();
    /* The link recovered from a loss meanwhile: t1 - t0 is a stall. */
    int stalled = lk_stall_mark(l) != stalls0;
    if (rc != NEURIO_OK)
        return rc;
    int need_read = 0;
    if ((rc = lk_take_result(l, b, i, &f, t1 - t0, stalled, &need_read, err)) != NEURIO_OK)
        return rc;
    return need_read ? lk_read_outputs(l, b, i, err) : NEURIO_OK;
}

uint64_t lk_stall_mark(const neurio_link *l)
{
    const neurio_link_stats *s = &l->st;
    return s->retransmits - l->run_asks + s->crc_errors + s->naks + s->garbage_bytes + s->resets;
}

int lk_take_result(neurio_link *l, neurio_batch *b, uint32_t i, const lk_frame *f,
                   uint64_t host_ns, int stalled, int *need_read, neurio_errbuf *err)
{
    const neurio_link_hello *h = &l->hello;
    int want_layers = b->layer_cycles && b->n_layers == h->n_layers && h->n_layers > 0;
    int rc = lk_expect(l, f, NEURIO_LINK_T_RESULT, NEURIO_LINK_RESULT_FIXED, "RUN", err);
    if (rc != NEURIO_OK)
        return rc;
    const uint8_t *p = f->payload;
    uint32_t slot = lk_get32(p), tag = lk_get32(p + 4);
    uint32_t nl = lk_get32(p + 20), outb = lk_get32(p + 24);
    uint32_t out_total = 0;
    for (uint32_t k = 0; k < h->n_outputs; k++)
        out_total += h->out_bytes[k];
    if (slot != i || tag != l->tag || (nl != 0 && nl != h->n_layers) ||
        (outb != 0 && outb != out_total) ||
        f->len != NEURIO_LINK_RESULT_FIXED + 8u * nl + outb)
        return neurio_fail(err, NEURIO_ERR_DEVICE,
                           "%s: malformed RESULT for sample %u (slot %u, tag %u/%u, %u layers, %u output bytes, %u bytes)",
                           l->t->desc, (unsigned)i, (unsigned)slot, (unsigned)tag, (unsigned)l->tag,
                           (unsigned)nl, (unsigned)outb, (unsigned)f->len);
    if (l->opt.answered)
        l->opt.answered(l->opt.user);
    neurio_measure *m = &b->measures[i];
    m->cycles = (h->flags & NEURIO_LINK_HF_CYCLES) ? lk_get64(p + 8) : 0;
    m->stack_bytes = lk_get32(p + 16);
    m->host_ns = host_ns;
    m->flags = stalled ? NEURIO_MEASURE_STALLED : 0;
    if (want_layers && nl == h->n_layers) {
        for (uint32_t j = 0; j < nl; j++)
            b->layer_cycles[(size_t)i * b->n_layers + j] = lk_get64(p + NEURIO_LINK_RESULT_FIXED + 8u * j);
    } else {
        l->layers_missing = 1;
    }
    *need_read = outb == 0;
    if (outb) {
        const uint8_t *src = p + NEURIO_LINK_RESULT_FIXED + 8u * nl;
        for (uint32_t k = 0; k < h->n_outputs; k++) {
            memcpy((uint8_t *)b->outputs[k] + (size_t)i * h->out_bytes[k], src, h->out_bytes[k]);
            src += h->out_bytes[k];
        }
    }
    return NEURIO_OK;
}

/* Payload bytes of a RESULT that carries the outputs. */
static uint64_t result_bytes(const neurio_link *l, const neurio_batch *b)
{
    const neurio_link_hello *h = &l->hello;
    int want_layers = b->layer_cycles && b->n_layers == h->n_layers && h->n_layers > 0;
    uint32_t out_total = 0;
    for (uint32_t k = 0; k < h->n_outputs; k++)
        out_total += h->out_bytes[k];
    return NEURIO_LINK_RESULT_FIXED + (want_layers ? 8ull * h->n_layers : 0) + out_total;
}

/* A RUN whose RESULT carried the outputs exhausted its tries with damaged
 * answers: on a line that damages each byte with probability p a RESULT
 * of n bytes arrives whole only (1 - p)^n of the time (ad01's 764-byte
 * RESULT at device.fault_rate = 0.0005, i.e. 0.15 % per byte corrupted,
 * dropped or duplicated: 32 %), and unlike WRITE and READ the RUN has no
 * smaller frame to fall back to.  Degrade the bulk chunk below the RESULT
 * so that it carries only the counts and the outputs come by READ in
 * chunks that shrink further if they must; the RUN is then sent again
 * (the device runs the inference again: same outputs, same counts).
 * Returns 1 if the chunk changed, 0 if that cannot help. */
static int run_degrade(neurio_link *l, const neurio_batch *b, int rc, uint32_t flags)
{
    uint64_t need = result_bytes(l, b);
    if (rc != NEURIO_ERR_DEVICE || !l->exhausted || (flags & NEURIO_LINK_RUN_NO_OUTPUTS) ||
        need < 2 * (LK_MIN_CHUNK + 4))
        return 0;
    uint32_t c = (uint32_t)((need - 4) / 2);
    if (c < LK_MIN_CHUNK)
        c = LK_MIN_CHUNK;
    if (l->chunk && l->chunk <= c)
        return 0;
    l->chunk = c;
    l->chunk_ok = 0;
    l->st.chunk_shrinks++;
    lk_log(l, 2, "%s: RESULTs of %u bytes keep arriving damaged: RUN without outputs, "
           "outputs by READ in frames of %u bytes", l->t->desc, (unsigned)need, (unsigned)c);
    return 1;
}

/* Can RUNs go through the window: several in flight, each RESULT carrying
 * the outputs (else they are READ one sample at a time)? */
static int run_windowed(neurio_link *l, const neurio_batch *b, uint32_t *flags)
{
    const neurio_link_hello *h = &l->hello;
    int want_layers = b->layer_cycles && b->n_layers == h->n_layers && h->n_layers > 0;
    uint64_t need = result_bytes(l, b);
    /* On a degraded line keep the RESULT within the bulk chunk: outputs
     * that would make it longer come by READ. */
    int degraded = l->chunk && l->chunk < l->payload_max - 4;
    int no_outputs = degraded && need > (uint64_t)l->chunk + 4;
    *flags = (want_layers ? NEURIO_LINK_RUN_LAYERS : 0) | (no_outputs ? NEURIO_LINK_RUN_NO_OUTPUTS : 0);
    return l->window > 1 && !no_outputs && need <= h->max_payload;
}

static int infer_loop(neurio_link *l, neurio_batch *b, int *resets, neurio_errbuf *err)
{
    for (uint32_t i = 0; i < b->count;) {
        uint32_t flags = 0;
        int rc;
        if (!l->committed) {
            rc = LK_NOT_READY;
        } else if (run_windowed(l, b, &flags)) {
            rc = lk_run_window(l, b, i, flags, err);
            if (b->done > i)
                *resets = 0;
            i = b->done;
        } else {
            rc = run_one(l, b, i, flags, err);
            if (rc == NEURIO_OK)
                b->done = ++i;
        }
        if (rc == NEURIO_OK) {
            *resets = 0;
            continue;
        }
        if (run_degrade(l, b, rc, flags)) {
            if (err)
                err->msg[0] = '\0';
            continue; /* from the first sample without a result */
        }
        if (rc != LK_REBOOT && rc != LK_NOT_READY)
            return rc;
        if (rc == LK_NOT_READY && l->committed) {
            l->st.resets++; /* rebooted without a hello reaching us */
            lk_log(l, 1, "%s: device lost the batch (reboot?) at sample %u", l->t->desc,
                   (unsigned)(b->first + i));
        }
        if (++*resets > l->opt.max_resets)
            return neurio_fail(err, NEURIO_ERR_DEVICE,
                               "%s: the device rebooted %d times at sample %u without completing it; %u results of this batch kept",
                               l->t->desc, *resets, (unsigned)(b->first + i), (unsigned)b->done);
        l->st.batches_resent++;
        rc = send_batch_retrying(l, resets, err);
        if (rc != NEURIO_OK)
            return rc;
    }
    return NEURIO_OK;
}

/* Where the capture of `need` bytes goes: the first 8-aligned gap of the
 * batch buffer clear of slot 0's inputs and outputs; UINT32_MAX if none. */
static uint32_t capture_offset(const neurio_link_hello *h, uint32_t need)
{
    uint32_t n = h->n_inputs + h->n_outputs;
    for (uint32_t c = 0; c <= n; c++) {
        uint64_t at = 0;
        if (c > 0) {
            uint32_t k = c - 1;
            at = k < h->n_inputs ? (uint64_t)h->in_offset[k] + h->in_bytes[k]
                                 : (uint64_t)h->out_offset[k - h->n_inputs] +
                                       h->out_bytes[k - h->n_inputs];
            at = (at + 7u) & ~(uint64_t)7u;
        }
        int clear = at + need <= h->batch_bytes;
        for (uint32_t k = 0; clear && k < n; k++) {
            uint64_t lo = k < h->n_inputs ? h->in_offset[k] : h->out_offset[k - h->n_inputs];
            uint64_t hi = lo + (k < h->n_inputs ? h->in_bytes[k] : h->out_bytes[k - h->n_inputs]);
            clear = !(at < hi && lo < at + need);
        }
        if (clear)
            return (uint32_t)at;
    }
    return UINT32_MAX;
}

/* The debug path (ABI 1.2 layer capture, 1.3 any output of the layer):
 * RUN slot 0 with RUN_CAPTURE, then READ the captured layer output into
 * b->capture_buf. */
static int link_capture(neurio_link *l, neurio_batch *b, neurio_errbuf *err)
{
    const neurio_link_hello *h = &l->hello;
    uint32_t layer = (uint32_t)b->capture_layer, need = b->capture_cap;
    uint32_t out_idx = NEURIO_BATCH_CAPTURE_OUTPUT(b);
    if (!(h->flags & NEURIO_LINK_HF_CAPTURE))
        return neurio_fail(err, NEURIO_ERR_UNSUPPORTED, "%s: the firmware (%s) cannot read layer "
                           "outputs back: it is not a debug build (the plugin builds one when "
                           "the run asks for layer capture)", l->t->desc, h->build_id);
    if (out_idx > 0 && !(h->flags & NEURIO_LINK_HF_CAPTURE_OUT))
        return neurio_fail(err, NEURIO_ERR_UNSUPPORTED, "%s: the firmware (%s) reads back the "
                           "first output of a layer only (built with NEURIO_LAYER_OUTPUT_FN, "
                           "not NEURIO_LAYER_OUTPUT_K_FN): output %u of layer %u not read",
                           l->t->desc, h->build_id, (unsigned)out_idx, (unsigned)layer);
    if (b->count != 1 || !b->capture_buf || need == 0 || layer >= h->n_layers)
        return neurio_fail(err, NEURIO_ERR_INVALID, "link capture: layer %u of %u, %u samples, "
                           "%u bytes: expected one sample and a buffer", (unsigned)layer,
                           (unsigned)h->n_layers, (unsigned)b->count, (unsigned)need);
    uint32_t off = capture_offset(h, need);
    if (off == UINT32_MAX)
        return neurio_fail(err, NEURIO_ERR_UNSUPPORTED, "%s: layer %u's output (%u bytes) does "
                           "not fit in the device's batch buffer (%u bytes) next to one sample",
                           l->t->desc, (unsigned)layer, (unsigned)need, (unsigned)h->batch_bytes);
    if (!l->committed)
        return neurio_fail(err, NEURIO_ERR_DEVICE, "%s: the device lost the batch before the "
                           "layer capture (reboot?)", l->t->desc);
    uint8_t pl[NEURIO_LINK_RUN_CAPTURE_OUT_LEN];
    lk_frame f;
    lk_put32(pl, 0);
    lk_put32(pl + 4, l->tag);
    lk_put32(pl + 8, NEURIO_LINK_RUN_CAPTURE);
    lk_put32(pl + 12, layer);
    lk_put32(pl + 16, off);
    lk_put32(pl + 20, out_idx);
    uint64_t t0 = lk_now_ns();
    /* the 20-byte form (out_idx 0) to a firmware without HF_CAPTURE_OUT */
    int rc = lk_request(l, NEURIO_LINK_T_RUN, pl,
                       out_idx ? NEURIO_LINK_RUN_CAPTURE_OUT_LEN : NEURIO_LINK_RUN_CAPTURE_LEN, 1,
                       &f, err);
    if (rc == LK_REBOOT || rc == LK_NOT_READY)
        return neurio_fail(err, NEURIO_ERR_DEVICE, "%s: the device rebooted during the capture "
                           "of layer %u", l->t->desc, (unsigned)layer);
    if (rc != NEURIO_OK)
        return rc;
    uint32_t got = f.len >= NEURIO_LINK_RESULT_FIXED ? lk_get32(f.payload + 28) : 0;
    int need_read = 0;
    if ((rc = lk_take_result(l, b, 0, &f, lk_now_ns() - t0, 0, &need_read, err)) ||
        (need_read && (rc = lk_read_outputs(l, b, 0, err))))
        return rc;
    if (got != need)
        return neurio_fail(err, got ? NEURIO_ERR_STALE : NEURIO_ERR_UNSUPPORTED,
                           got ? "%s: layer %u's output %u is %u bytes on the device, %u in "
                                 "the prepared model: flash the firmware again"
                               : "%s: the device captured nothing for layer %u output %u (%u of "
                                 "%u bytes): its firmware lacks the layer output hook, or the "
                                 "output is not kept (unused by the graph)",
                           l->t->desc, (unsigned)layer, (unsigned)out_idx, (unsigned)got,
                           (unsigned)need);
    uint8_t *dst = b->capture_buf;
    for (uint32_t at = 0; at < need;) {
        uint32_t chunk = lk_bulk_chunk(l);
        uint32_t n = need - at < chunk ? need - at : chunk;
        uint8_t rq[8];
        lk_put32(rq, off + at);
        lk_put32(rq + 4, n);
        rc = bulk_request(l, NEURIO_LINK_T_READ, rq, 8, n, &f, err);
        if (rc != NEURIO_OK && lk_bulk_shrink(l, n))
            continue;
        if (rc != NEURIO_OK ||
            (rc = lk_expect(l, &f, NEURIO_LINK_T_DATA, 4 + n, "READ", err)) != NEURIO_OK)
            return rc;
        if (lk_get32(f.payload) != off + at)
            return neurio_fail(err, NEURIO_ERR_DEVICE, "%s: DATA for offset %u answered READ of "
                               "%u", l->t->desc, (unsigned)lk_get32(f.payload),
                               (unsigned)(off + at));
        memcpy(dst + at, f.payload + 4, n);
        lk_bulk_ok(l);
        at += n;
    }
    b->capture_bytes = need;
    b->done = 1;
    return NEURIO_OK;
}

int neurio_link_infer(neurio_link *l, neurio_batch *b, neurio_errbuf *err)
{
    if (!l || !b)
        return neurio_fail(err, NEURIO_ERR_INVALID, "link infer: no link or batch");
    b->done = 0;
    b->layers_filled = 0;
    if (b->inputs != l->in || b->count != l->count)
        return neurio_fail(err, NEURIO_ERR_INTERNAL,
                           "link infer: batch differs from the last transfer (call neurio_link_transfer first)");
    if (!b->measures || !b->outputs)
        return neurio_fail(err, NEURIO_ERR_INVALID, "link infer: batch without output or measure buffers");
    for (uint32_t k = 0; k < b->n_outputs; k++)
        if (!b->outputs[k])
            return neurio_fail(err, NEURIO_ERR_INVALID, "link infer: output %u buffer is missing", (unsigned)k);
    int resets = 0;
    l->layers_missing = 0;
    uint64_t t0 = lk_now_ns();
    int capture = NEURIO_BATCH_HAS_CAPTURE(b) && b->capture_buf;
    if (capture)
        b->capture_bytes = 0;
    int rc = capture ? link_capture(l, b, err) : infer_loop(l, b, &resets, err);
    l->st.infer_ns += lk_now_ns() - t0;
    const neurio_link_hello *h = &l->hello;
    int want_layers = b->layer_cycles && b->n_layers == h->n_layers && h->n_layers > 0;
    b->layers_filled = want_layers && !l->layers_missing && b->done > 0 ? h->n_layers : 0;
    return rc;
}

int neurio_link_run_batch(neurio_link *l, neurio_batch *b, neurio_errbuf *err)
{
    int rc = neurio_link_transfer(l, b, err);
    if (rc != NEURIO_OK) {
        if (b)
            b->done = 0;
        return rc;
    }
    return neurio_link_infer(l, b, err);
}

int neurio_link_reset(neurio_link *l, neurio_errbuf *err)
{
    lk_frame f;
    int rc = lk_request(l, NEURIO_LINK_T_RESET, NULL, 0, 0, &f, err);
    if (rc == LK_REBOOT)
        return NEURIO_OK;
    if (rc != NEURIO_OK)
        return rc;
    l->committed = 0;
    /* Wait for the boot hello. */
    uint64_t deadline = lk_now_ns() + (uint64_t)l->opt.boot_timeout_ms * 1000000ull;
    for (;;) {
        rc = lk_recv(l, &f, deadline, err);
        if (rc == LK_CORRUPT)
            continue;
        if (rc != NEURIO_OK)
            return rc == NEURIO_ERR_TIMEOUT
                       ? neurio_fail(err, rc, "%s: no hello within %d ms after RESET", l->t->desc,
                                     l->opt.boot_timeout_ms)
                       : rc;
        if (f.type == NEURIO_LINK_T_HELLO && f.seq == NEURIO_LINK_SEQ_UNSOLICITED) {
            rc = lk_on_boot_hello(l, &f, err);
            return rc == LK_REBOOT ? NEURIO_OK : rc;
        }
        l->st.duplicates++;
    }
}

neurio_link_stats neurio_link_get_stats(const neurio_link *l)
{
    neurio_link_stats st = l->st;
    st.chunk_bytes = l->chunk ? l->chunk : l->payload_max - 4;
    st.rto_us = l->rto[0].rto / 1000u;
    st.srtt_us = l->rto[0].srtt / 1000u;
    st.window = l->window;
    return st;
}

neurio_transport *neurio_link_transport(neurio_link *l)
{
    return l->t;
}

void neurio_link_close(neurio_link *l)
{
    if (!l)
        return;
    neurio_transport_close(l->t);
    free(l->rx);
    free(l->tx);
    free(l->win);
    free(l);
}

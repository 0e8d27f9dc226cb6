/* firmware/runtime/nrt_serve.c — the device end of the neurio link: boot
 * hello, request dispatch (PING, WRITE, COMMIT, RUN, READ, RESET), batch
 * memory layout, inference with cycle / per-layer / stack measurement.
 * Protocol: neurio/link.h and firmware/LINK.md. */
#include "nrt.h"
#include "nrt_frame.h"
#include "platform.h"

#ifndef NRT_BUILD_ID
#define NRT_BUILD_ID "nrt-1"
#endif

#if NRT_MAX_PAYLOAD < NEURIO_LINK_MIN_PAYLOAD || NRT_MAX_PAYLOAD > NEURIO_LINK_MAX_PAYLOAD
#error "NRT_MAX_PAYLOAD must be within [NEURIO_LINK_MIN_PAYLOAD, 65535]"
#endif

/* Per-layer counts that fit in one RESULT next to its fixed part. */
#define NRT_MAX_LAYERS ((NRT_MAX_PAYLOAD - NEURIO_LINK_RESULT_FIXED) / 8u)

typedef struct nrt_state {
    const neurio_model_desc *m;
    uint8_t *buf;
    uint32_t buf_bytes;
    uint32_t max_batch;
    uint32_t n_in, n_out;
    uint32_t in_off[NEURIO_LINK_MAX_TENSORS], out_off[NEURIO_LINK_MAX_TENSORS];
    uint32_t out_total;        /* sum of output bytes per sample         */
    uint32_t tag, count;       /* committed batch (tag 0 = none)         */
    uint32_t runs, reset_after;
    int flow_control;          /* > 0: announce NEURIO_LINK_HF_WINDOW   */
    const char *build_id;
    /* The last answered request, to answer a retransmission from tx. */
    int have_last;
    uint8_t last_seq, last_type;
    uint32_t last_crc, tx_len;
    /* Layer hook timestamps of the current inference. */
    int timing_layers;
    uint32_t layers_seen;
    /* RUN_CAPTURE of the current inference (debug builds). */
    int capturing;
    uint32_t cap_layer, cap_out, cap_off, cap_bytes, cap_need;
    const uint8_t *slot_lo[2 * NEURIO_LINK_MAX_TENSORS], *slot_hi[2 * NEURIO_LINK_MAX_TENSORS];
} nrt_state;

static nrt_state S;
static uint8_t nrt_rx[NRT_MAX_PAYLOAD + NEURIO_LINK_OVERHEAD];
static nrt_rxbuf nrt_rxb;
static uint8_t nrt_tx[NRT_MAX_PAYLOAD + NEURIO_LINK_OVERHEAD + NEURIO_LINK_TRAILER];
static uint64_t nrt_layer_ts[NRT_MAX_LAYERS + 1];

void nrt_layer_hook(uint32_t layer)
{
    if (S.timing_layers && layer <= NRT_MAX_LAYERS) {
        nrt_layer_ts[layer] = platform_cycles();
        if (layer + 1 > S.layers_seen)
            S.layers_seen = layer + 1;
    }
}

#ifndef NRT_TEST_FAULT_OUTPUT
#define NRT_TEST_FAULT_OUTPUT 0
#endif

/* Layer output hook (NEURIO_LAYER_OUTPUT_K_FN=nrt_layer_output_k, debug
 * builds with NRT_LAYER_CAPTURE=1): copy the captured output of the
 * captured layer into the batch buffer at cap_off, unless that area leaves
 * the buffer or overlaps the running slot's own tensors (then cap_need says
 * how many bytes it needed).  NRT_TEST_FAULT_LAYER=k (TEST-ONLY fault
 * injection, never for a real deployment): flip the low bit of every byte
 * of layer k's output NRT_TEST_FAULT_OUTPUT (default 0), as a broken kernel
 * would, so `neurio debug` can be shown to find it. */
void nrt_layer_output_k(uint32_t layer, uint32_t out_idx, void *data, uint32_t bytes)
{
#ifdef NRT_TEST_FAULT_LAYER
    if (layer == (uint32_t)(NRT_TEST_FAULT_LAYER) && out_idx == (uint32_t)(NRT_TEST_FAULT_OUTPUT)) {
        uint8_t *d = (uint8_t *)data;
        for (uint32_t i = 0; i < bytes; i++)
            d[i] ^= 1u;
    }
#endif
    if (!S.capturing || layer != S.cap_layer || out_idx != S.cap_out)
        return;
    const uint8_t *lo = S.buf + S.cap_off, *hi = lo + bytes;
    int bad = S.cap_off > S.buf_bytes || bytes > S.buf_bytes - S.cap_off;
    for (uint32_t k = 0; !bad && k < S.n_in + S.n_out; k++)
        bad = lo < S.slot_hi[k] && S.slot_lo[k] < hi;
    if (bad) {
        S.cap_need = bytes ? bytes : 1u;
        return;
    }
    const uint8_t *src = (const uint8_t *)data;
    for (uint32_t i = 0; i < bytes; i++)
        S.buf[S.cap_off + i] = src[i];
    S.cap_bytes = bytes;
}

/* The first-output hook (NEURIO_LAYER_OUTPUT_FN=nrt_layer_output) of older
 * builds: output 0 only (the hello then lacks HF_CAPTURE_OUT). */
void nrt_layer_output(uint32_t layer, void *data, uint32_t bytes)
{
    nrt_layer_output_k(layer, 0, data, bytes);
}

static uint32_t str_len(const char *s, uint32_t max)
{
    uint32_t n = 0;
    while (s && s[n] && n < max)
        n++;
    return n;
}

/* Lay the batch memory out: one region per tensor, 8-byte aligned, each
 * holding max_batch samples.  A descriptor that cannot be served leaves
 * max_batch at 0 (the host then reports the reason from the hello). */
static void layout(void)
{
    const neurio_model_desc *m = S.m;
    S.max_batch = 0;
    S.n_in = S.n_out = 0;
    S.out_total = 0;
    if (!m || m->version != NEURIO_MODEL_DESC_VERSION || !m->run ||
        m->n_inputs + m->n_outputs > NEURIO_LINK_MAX_TENSORS)
        return;
    S.n_in = m->n_inputs;
    S.n_out = m->n_outputs;
    uint32_t per = 0;
    for (uint32_t k = 0; k < S.n_in; k++)
        per += m->inputs[k].bytes;
    for (uint32_t k = 0; k < S.n_out; k++) {
        per += m->outputs[k].bytes;
        S.out_total += m->outputs[k].bytes;
    }
    uint32_t pad = 8u * (S.n_in + S.n_out);
    if (per == 0 || S.buf_bytes <= pad)
        return;
    uint32_t maxb = (S.buf_bytes - pad) / per;
    uint32_t cur = 0;
    for (uint32_t k = 0; k < S.n_in; k++) {
        cur = (cur + 7u) & ~7u;
        S.in_off[k] = cur;
        cur += maxb * m->inputs[k].bytes;
    }
    for (uint32_t k = 0; k < S.n_out; k++) {
        cur = (cur + 7u) & ~7u;
        S.out_off[k] = cur;
        cur += maxb * m->outputs[k].bytes;
    }
    S.max_batch = cur <= S.buf_bytes ? maxb : 0;
}

static void send_frame(uint8_t type, uint8_t seq, uint32_t len)
{
    /* payload already at nrt_tx + HDR */
    S.tx_len = nrt_frame_encode(nrt_tx, type, seq, nrt_tx + NEURIO_LINK_HDR_BYTES, len);
    nrt_frame_write(nrt_tx, S.tx_len);
}

static void send_hello(uint8_t seq)
{
    const neurio_model_desc *m = S.m;
    uint8_t *p = nrt_tx + NEURIO_LINK_HDR_BYTES;
    const char *method = platform_cycle_method();
    uint32_t mlen = str_len(method, NEURIO_LINK_MAX_STR);
    uint32_t blen = str_len(S.build_id, NEURIO_LINK_MAX_STR);
    uint32_t nt = S.n_in + S.n_out;
    uintptr_t lo = 0, hi = 0;
    uint32_t stack = platform_stack_bounds(&lo, &hi) && hi > lo ? (uint32_t)(hi - lo) : 0;
    uint32_t flags = NEURIO_LINK_HF_CYCLES | NEURIO_LINK_HF_LAYERS;
    if (stack)
        flags |= NEURIO_LINK_HF_STACK;
    if (S.flow_control > 0)
        flags |= NEURIO_LINK_HF_WINDOW;
#if defined(NRT_LAYER_CAPTURE) && NRT_LAYER_CAPTURE
    flags |= NEURIO_LINK_HF_CAPTURE;
#ifdef NEURIO_LAYER_OUTPUT_K_FN /* the model reports every output of a layer */
    flags |= NEURIO_LINK_HF_CAPTURE_OUT;
#endif
#endif
    nrt_put16(p + 0, NEURIO_LINK_PROTO_VERSION);
    nrt_put16(p + 2, flags);
    nrt_put32(p + 4, platform_clock_hz());
    nrt_put32(p + 8, NRT_MAX_PAYLOAD);
    nrt_put32(p + 12, m && S.max_batch ? m->arena_bytes : 0);
    nrt_put32(p + 16, S.buf_bytes);
    nrt_put32(p + 20, S.max_batch);
    nrt_put32(p + 24, m && S.max_batch ? m->n_layers : 0);
    nrt_put32(p + 28, stack);
    nrt_put32(p + 32, m && S.max_batch ? m->weights_bytes : 0);
    p[36] = (uint8_t)S.n_in;
    p[37] = (uint8_t)S.n_out;
    p[38] = (uint8_t)mlen;
    p[39] = (uint8_t)blen;
    uint32_t shalen = m && m->sha256 ? str_len(m->sha256, 64) : 0;
    for (uint32_t i = 0; i < 64; i++)
        p[40 + i] = i < shalen ? (uint8_t)m->sha256[i] : (uint8_t)'0';
    uint32_t off = NEURIO_LINK_HELLO_FIXED;
    for (uint32_t k = 0; k < nt; k++) {
        const neurio_tensor_desc *t = k < S.n_in ? &m->inputs[k] : &m->outputs[k - S.n_in];
        nrt_put32(p + off, k < S.n_in ? S.in_off[k] : S.out_off[k - S.n_in]);
        nrt_put32(p + off + 4, t->bytes);
        p[off + 8] = (uint8_t)t->dtype;
        p[off + 9] = p[off + 10] = p[off + 11] = 0;
        off += NEURIO_LINK_HELLO_TENSOR;
    }
    for (uint32_t i = 0; i < mlen; i++)
        p[off++] = (uint8_t)method[i];
    for (uint32_t i = 0; i < blen; i++)
        p[off++] = (uint8_t)S.build_id[i];
    send_frame((uint8_t)NEURIO_LINK_T_HELLO, seq, off);
}

static void send_ack(uint8_t seq, uint32_t value)
{
    nrt_put32(nrt_tx + NEURIO_LINK_HDR_BYTES, value);
    send_frame((uint8_t)NEURIO_LINK_T_ACK, seq, 4);
}

/* RUN: one inference of a committed slot, answered by RESULT. */
static void do_run(const nrt_frame *f)
{
    if (f->len < NEURIO_LINK_RUN_FIXED) {
        nrt_frame_send_nak(f->seq, (uint8_t)NEURIO_LINK_NAK_LEN, f->type, NEURIO_LINK_RUN_FIXED);
        return;
    }
    uint32_t slot = nrt_get32(f->payload), tag = nrt_get32(f->payload + 4);
    uint32_t flags = nrt_get32(f->payload + 8);
    if ((flags & NEURIO_LINK_RUN_CAPTURE) && f->len < NEURIO_LINK_RUN_CAPTURE_LEN) {
        nrt_frame_send_nak(f->seq, (uint8_t)NEURIO_LINK_NAK_LEN, f->type,
                           NEURIO_LINK_RUN_CAPTURE_LEN);
        return;
    }
    if (tag == 0 || tag != S.tag) {
        nrt_frame_send_nak(f->seq, (uint8_t)NEURIO_LINK_NAK_NOT_READY, f->type, S.tag);
        return;
    }
    if (slot >= S.count) {
        nrt_frame_send_nak(f->seq, (uint8_t)NEURIO_LINK_NAK_RANGE, f->type, S.count);
        return;
    }
    S.capturing = (flags & NEURIO_LINK_RUN_CAPTURE) != 0;
    S.cap_layer = S.capturing ? nrt_get32(f->payload + 12) : 0;
    S.cap_off = S.capturing ? nrt_get32(f->payload + 16) : 0;
    S.cap_out = S.capturing && f->len >= NEURIO_LINK_RUN_CAPTURE_OUT_LEN
                    ? nrt_get32(f->payload + 20) : 0;
    S.cap_bytes = S.cap_need = 0;
    if (S.capturing && S.cap_layer >= S.m->n_layers) {
        S.capturing = 0;
        nrt_frame_send_nak(f->seq, (uint8_t)NEURIO_LINK_NAK_RANGE, f->type, S.m->n_layers);
        return;
    }
    /* Tell the host the request arrived before the (long) inference, so
     * it can tell a lost request from a slow model. */
    send_ack(f->seq, slot);
    const void *in[NEURIO_LINK_MAX_TENSORS];
    void *out[NEURIO_LINK_MAX_TENSORS];
    for (uint32_t k = 0; k < S.n_in; k++)
        in[k] = S.buf + S.in_off[k] + slot * S.m->inputs[k].bytes;
    for (uint32_t k = 0; k < S.n_out; k++)
        out[k] = S.buf + S.out_off[k] + slot * S.m->outputs[k].bytes;
    for (uint32_t k = 0; k < S.n_in + S.n_out; k++) {
        S.slot_lo[k] = k < S.n_in ? (const uint8_t *)in[k] : (const uint8_t *)out[k - S.n_in];
        S.slot_hi[k] = S.slot_lo[k] + (k < S.n_in ? S.m->inputs[k].bytes
                                                  : S.m->outputs[k - S.n_in].bytes);
    }

    uint32_t nl = S.m->n_layers;
    S.timing_layers = (flags & NEURIO_LINK_RUN_LAYERS) && nl > 0 && nl <= NRT_MAX_LAYERS;
    S.layers_seen = 0;
    nrt_stack_paint();
#ifdef NRT_TEST_HANG_RUN
    if (S.runs + 1u >= (uint32_t)(NRT_TEST_HANG_RUN)) /* TEST-ONLY: a hung device */
        for (;;)
            __asm__ volatile("" ::: "memory");
#endif
    uint64_t t0 = platform_cycles();
#ifdef NRT_TEST_SLOW_RUN
    /* TEST-ONLY: a slow but healthy inference (counted in its count). */
    for (uint32_t mega = 0; mega < (uint32_t)(NRT_TEST_SLOW_RUN); mega++)
        for (volatile uint32_t spin = 0; spin < 1000000u; spin++) {
        }
#endif
    int rc = S.m->run(in, out);
    uint64_t t1 = platform_cycles();
    uint32_t stack = nrt_stack_high_water();
    S.timing_layers = 0;
    S.capturing = 0;

    S.runs++;
    if (S.reset_after && S.runs >= S.reset_after)
        platform_reset(); /* fault testing: reboot before answering */
    if (rc != 0 || S.cap_need) {
        nrt_frame_send_nak(f->seq, (uint8_t)(rc ? NEURIO_LINK_NAK_RUN : NEURIO_LINK_NAK_RANGE),
                           f->type, rc ? (uint32_t)rc : S.cap_need);
        S.tx_len = 0; /* a retransmitted RUN must get the NAK again, not the ACK */
        return;
    }
    uint8_t *p = nrt_tx + NEURIO_LINK_HDR_BYTES;
    uint32_t layers = (S.layers_seen == nl + 1) && nl <= NRT_MAX_LAYERS ? nl : 0;
    uint32_t len = NEURIO_LINK_RESULT_FIXED + 8u * layers;
    uint32_t outb = (len + S.out_total <= NRT_MAX_PAYLOAD &&
                     !(flags & NEURIO_LINK_RUN_NO_OUTPUTS)) ? S.out_total : 0;
    nrt_put32(p + 0, slot);
    nrt_put32(p + 4, tag);
    nrt_put64(p + 8, t1 - t0);
    nrt_put32(p + 16, stack);
    nrt_put32(p + 20, layers);
    nrt_put32(p + 24, outb);
    nrt_put32(p + 28, S.cap_bytes);
    for (uint32_t i = 0; i < layers; i++)
        nrt_put64(p + NEURIO_LINK_RESULT_FIXED + 8u * i, nrt_layer_ts[i + 1] - nrt_layer_ts[i]);
    if (outb) {
        for (uint32_t k = 0; k < S.n_out; k++) {
            const uint8_t *src = (const uint8_t *)out[k];
            for (uint32_t i = 0; i < S.m->outputs[k].bytes; i++)
                p[len++] = src[i];
        }
    }
    send_frame((uint8_t)NEURIO_LINK_T_RESULT, f->seq, len);
}

static void dispatch(const nrt_frame *f)
{
    const uint8_t *pl = f->payload;
    switch (f->type) {
    case NEURIO_LINK_T_PING:
        send_hello(f->seq);
        return;
    case NEURIO_LINK_T_WRITE: {
        if (f->len < 4) {
            nrt_frame_send_nak(f->seq, (uint8_t)NEURIO_LINK_NAK_LEN, f->type, 4);
            return;
        }
        uint32_t off = nrt_get32(pl), n = f->len - 4;
        if (off > S.buf_bytes || n > S.buf_bytes - off) {
            nrt_frame_send_nak(f->seq, (uint8_t)NEURIO_LINK_NAK_RANGE, f->type, S.buf_bytes);
            return;
        }
        for (uint32_t i = 0; i < n; i++)
            S.buf[off + i] = pl[4 + i];
        S.tag = 0; /* the committed batch is being replaced */
        send_ack(f->seq, off + n);
        return;
    }
    case NEURIO_LINK_T_COMMIT: {
        if (f->len < 8) {
            nrt_frame_send_nak(f->seq, (uint8_t)NEURIO_LINK_NAK_LEN, f->type, 8);
            return;
        }
        uint32_t tag = nrt_get32(pl), count = nrt_get32(pl + 4);
        if (tag == 0 || count == 0 || count > S.max_batch) {
            nrt_frame_send_nak(f->seq, (uint8_t)NEURIO_LINK_NAK_RANGE, f->type, S.max_batch);
            return;
        }
        S.tag = tag;
        S.count = count;
        send_ack(f->seq, count);
        return;
    }
    case NEURIO_LINK_T_RUN:
        do_run(f);
        return;
    case NEURIO_LINK_T_READ: {
        if (f->len < 8) {
            nrt_frame_send_nak(f->seq, (uint8_t)NEURIO_LINK_NAK_LEN, f->type, 8);
            return;
        }
        uint32_t off = nrt_get32(pl), n = nrt_get32(pl + 4);
        if (off > S.buf_bytes || n > S.buf_bytes - off || n > NRT_MAX_PAYLOAD - 4u) {
            nrt_frame_send_nak(f->seq, (uint8_t)NEURIO_LINK_NAK_RANGE, f->type, S.buf_bytes);
            return;
        }
        uint8_t *p = nrt_tx + NEURIO_LINK_HDR_BYTES;
        nrt_put32(p, off);
        for (uint32_t i = 0; i < n; i++)
            p[4 + i] = S.buf[off + i];
        send_frame((uint8_t)NEURIO_LINK_T_DATA, f->seq, 4 + n);
        return;
    }
    case NEURIO_LINK_T_RESET:
        send_ack(f->seq, 0);
        platform_reset();
        return;
    default:
        nrt_frame_send_nak(f->seq, (uint8_t)NEURIO_LINK_NAK_TYPE, f->type, 0);
        return;
    }
}

int nrt_serve(const neurio_model_desc *model, const nrt_options *opt)
{
    nrt_state zero = {0};
    S = zero;
    S.m = model;
    S.reset_after = opt && opt->reset_after ? opt->reset_after : NRT_RESET_AFTER;
    S.build_id = opt && opt->build_id ? opt->build_id : NRT_BUILD_ID;
    S.flow_control = opt && opt->flow_control ? opt->flow_control : NRT_RX_FLOW_CONTROL;
    S.buf = platform_batch_memory(&S.buf_bytes);
    if (!S.buf)
        S.buf_bytes = 0;
    layout();
    send_hello((uint8_t)NEURIO_LINK_SEQ_UNSOLICITED);
    S.have_last = 0;
    nrt_frame f;
    nrt_rx_init(&nrt_rxb, nrt_rx, NRT_MAX_PAYLOAD);
    while (nrt_frame_recv(&nrt_rxb, &f) == 0) {
        if (S.have_last && f.seq == S.last_seq && f.type == S.last_type &&
            f.crc == S.last_crc && f.seq != NEURIO_LINK_SEQ_UNSOLICITED) {
            /* A retransmission of the request just answered: answer again
             * from the transmit buffer without executing it twice. */
            nrt_frame_write(nrt_tx, S.tx_len);
            continue;
        }
        S.have_last = 0;
        S.tx_len = 0;
        dispatch(&f);
        if (S.tx_len && f.seq != NEURIO_LINK_SEQ_UNSOLICITED) {
            S.have_last = 1;
            S.last_seq = f.seq;
            S.last_type = f.type;
            S.last_crc = f.crc;
        }
    }
    return S.max_batch ? 0 : 1;
}

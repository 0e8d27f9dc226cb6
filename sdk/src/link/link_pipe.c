/* sdk/src/link/link_pipe.c — the batch traffic through the request engine
 * (link_window.c): the inputs' WRITEs and the RUNs of a batch, several in
 * flight when the device announces NEURIO_LINK_HF_WINDOW.  Bulk chunks
 * shrink on a noisy line as in stop-and-wait.  Protocol: neurio/link.h. */
#include <stdlib.h>
#include <string.h>

#include "link_internal.h"

/* ---- WRITE the inputs -------------------------------------------------- */
typedef struct wr_ctx {
    neurio_link *l;
    uint32_t k;      /* cursor: input tensor and byte offset             */
    size_t off;
    /* Per request in flight (index % LK_WIN_MAX): where it started. */
    uint32_t at_k[LK_WIN_MAX];
    size_t at_off[LK_WIN_MAX];
    uint32_t dst[LK_WIN_MAX], n[LK_WIN_MAX];
} wr_ctx;

static int wr_make(void *ctx, uint32_t i, uint8_t *type, uint8_t *pl, uint32_t *len,
                   neurio_errbuf *err)
{
    (void)err;
    wr_ctx *c = ctx;
    neurio_link *l = c->l;
    const neurio_link_hello *h = &l->hello;
    while (c->k < h->n_inputs && c->off >= (size_t)l->count * h->in_bytes[c->k]) {
        c->k++;
        c->off = 0;
    }
    if (c->k >= h->n_inputs)
        return LK_PIPE_END;
    size_t total = (size_t)l->count * h->in_bytes[c->k];
    uint32_t chunk = lk_bulk_chunk(l);
    uint32_t n = (uint32_t)(total - c->off < chunk ? total - c->off : chunk);
    uint32_t dst = h->in_offset[c->k] + (uint32_t)c->off;
    uint32_t r = i % LK_WIN_MAX;
    c->at_k[r] = c->k;
    c->at_off[r] = c->off;
    c->dst[r] = dst;
    c->n[r] = n;
    lk_put32(pl, dst);
    memcpy(pl + 4, (const uint8_t *)l->in[c->k] + c->off, n);
    *type = NEURIO_LINK_T_WRITE;
    *len = 4 + n;
    c->off += n;
    return NEURIO_OK;
}

static int wr_take(void *ctx, uint32_t i, const lk_frame *f, neurio_errbuf *err)
{
    wr_ctx *c = ctx;
    neurio_link *l = c->l;
    uint32_t r = i % LK_WIN_MAX;
    int rc = lk_expect(l, f, NEURIO_LINK_T_ACK, 4, "WRITE", err);
    if (rc != NEURIO_OK)
        return rc;
    if (lk_get32(f->payload) != c->dst[r] + c->n[r])
        return neurio_fail(err, NEURIO_ERR_DEVICE, "%s: WRITE at %u acknowledged %u bytes, expected end %u",
                           l->t->desc, (unsigned)c->dst[r], (unsigned)lk_get32(f->payload),
                           (unsigned)(c->dst[r] + c->n[r]));
    lk_bulk_ok(l);
    return NEURIO_OK;
}

int lk_write_inputs(neurio_link *l, neurio_errbuf *err)
{
    wr_ctx c;
    memset(&c, 0, sizeof c);
    c.l = l;
    for (;;) {
        uint32_t chunk = lk_bulk_chunk(l);
        lk_pipe p = {.n = UINT32_MAX, .make = wr_make, .take = wr_take, .ctx = &c,
                     .window = l->window,
                     .tries_cap = chunk > LK_MIN_CHUNK ? LK_CHUNK_TRIES : 0};
        int rc = lk_pipe_run(l, &p, err);
        /* The chunk may have grown back during the run (lk_bulk_ok): the
         * size that failed is the current one, not the one at its start
         * (a run started at the minimum gave up on frames grown to 255
         * bytes without shrinking them: 0.2 % faults, QEMU UART). */
        chunk = lk_bulk_chunk(l);
        if (rc == NEURIO_OK || !l->exhausted || chunk <= LK_MIN_CHUNK)
            return rc;
        /* Frames of this size keep failing: smaller ones, from the first
         * chunk not acknowledged (the later ones are written again:
         * WRITEs are idempotent). */
        uint32_t r = p.first_open % LK_WIN_MAX;
        if (!lk_bulk_shrink(l, chunk))
            return rc;
        c.k = c.at_k[r];
        c.off = c.at_off[r];
    }
}

/* ---- RUN the slots ---------------------------------------------------- */
typedef struct run_ctx {
    neurio_link *l;
    neurio_batch *b;
    uint32_t from;
    uint32_t flags;
    uint8_t *got;         /* [count]: 1 result taken, 2 outputs to READ   */
    uint64_t last_ns;     /* when the previous RESULT arrived              */
    uint64_t sent_ns[LK_WIN_MAX];
    uint64_t stalls;      /* lk_stall_mark when last_ns was set            */
} run_ctx;

static int run_make(void *ctx, uint32_t i, uint8_t *type, uint8_t *pl, uint32_t *len,
                    neurio_errbuf *err)
{
    (void)err;
    run_ctx *c = ctx;
    uint32_t slot = c->from + i;
    if (slot >= c->b->count)
        return LK_PIPE_END;
    lk_put32(pl, slot);
    lk_put32(pl + 4, c->l->tag);
    lk_put32(pl + 8, c->flags);
    *type = NEURIO_LINK_T_RUN;
    *len = 12;
    c->sent_ns[i % LK_WIN_MAX] = lk_now_ns();
    return NEURIO_OK;
}

static int run_take(void *ctx, uint32_t i, const lk_frame *f, neurio_errbuf *err)
{
    run_ctx *c = ctx;
    neurio_link *l = c->l;
    uint32_t slot = c->from + i;
    uint64_t now = lk_now_ns(), sent = c->sent_ns[i % LK_WIN_MAX];
    /* Host time of this sample: from when the link was free for it. */
    uint64_t from = sent > c->last_ns ? sent : c->last_ns;
    uint64_t stalls = lk_stall_mark(l);
    int need_read = 0;
    int rc = lk_take_result(l, c->b, slot, f, now - from, stalls != c->stalls, &need_read, err);
    if (rc != NEURIO_OK)
        return rc;
    c->last_ns = now;
    c->stalls = stalls;
    c->got[slot] = need_read ? 2 : 1;
    return NEURIO_OK;
}

int lk_run_window(neurio_link *l, neurio_batch *b, uint32_t from, uint32_t flags,
                  neurio_errbuf *err)
{
    run_ctx c;
    memset(&c, 0, sizeof c);
    c.l = l;
    c.b = b;
    c.flags = flags;
    c.got = calloc(b->count, 1);
    if (!c.got)
        return neurio_fail(err, NEURIO_ERR_NOMEM, "out of memory running a batch");
    c.stalls = lk_stall_mark(l);
    c.from = from;
    lk_pipe p = {.n = b->count - from, .make = run_make, .take = run_take, .ctx = &c,
                 .run = 1, .window = l->window};
    int rc = lk_pipe_run(l, &p, err);
    /* Results in order; outputs that did not come in the RESULT are READ
     * now (one at a time), up to the first slot without a result. */
    for (uint32_t j = from; j < b->count && c.got[j]; j++) {
        if (c.got[j] == 2) {
            int r2 = lk_read_outputs(l, b, j, err);
            if (r2 != NEURIO_OK) {
                rc = r2;
                break;
            }
        }
        b->done = j + 1;
    }
    free(c.got);
    return rc;
}

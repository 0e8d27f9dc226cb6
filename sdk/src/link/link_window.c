/* sdk/src/link/link_window.c — the host's request engine: a sliding window of
 * requests in flight with selective repeat (the device answers in arrival
 * order), an adaptive retransmission timeout after RFC 6298 (SRTT/RTTVAR per
 * size class, Karn's rule, exponential backoff, a floor and a ceiling), fast
 * retransmission (an answer to a later request, a NAK or a damaged answer
 * naming the request), and escalating padding for a device stuck inside a
 * frame that lost bytes.  A single request is a window of one.
 * Protocol: neurio/link.h, firmware/LINK.md. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "link_internal.h"

#define LK_NS_MS 1000000ull
/* Inside a frame, a silence this long (at most) means bytes were lost. */
#define LK_GAP_MAX_NS (300ull * LK_NS_MS)
#define LK_GAP_MIN_NS (5ull * LK_NS_MS)
/* Over a channel that follows the device's clock, how often a RUN being
 * computed is looked at, and the verdicts' thresholds (host time): every
 * core register unchanged (a loop in place), the clock standing still. */
#define LK_CHECK_NS (500ull * LK_NS_MS)
#define LK_FROZEN_MS 3000
#define LK_STILL_MS 10000

/* Ceiling of estimator cls: timeout_ms for round trips, run_timeout_ms for
 * the wait from a RUN's ACK to its RESULT. */
static uint64_t rto_ceiling(const neurio_link *l, int cls)
{
    return (uint64_t)(cls == LK_RTO_RUN ? l->opt.run_timeout_ms : l->opt.timeout_ms) * LK_NS_MS;
}

static uint64_t rto_clamp(const neurio_link *l, int cls, uint64_t v)
{
    uint64_t hi = rto_ceiling(l, cls), lo = (uint64_t)l->opt.rto_min_us * 1000ull;
    if (lo > hi)
        lo = hi;
    return v < lo ? lo : v > hi ? hi : v;
}

void lk_rto_init(neurio_link *l)
{
    for (int c = 0; c < LK_RTO_CLASSES; c++) {
        l->rto[c].srtt = l->rto[c].rttvar = 0;
        l->rto[c].have = 0;
        /* Until measured: timeout_ms (the RESULT wait too, then doubled up
         * to run_timeout_ms; a device done by then answers from its cache). */
        l->rto[c].rto = rto_clamp(l, c, (uint64_t)l->opt.timeout_ms * LK_NS_MS);
    }
}


/* One round-trip sample (RFC 6298 2.2 / 2.3, alpha 1/8, beta 1/4, K 4). */
static void rto_sample(neurio_link *l, int cls, uint64_t r)
{
    lk_rto *e = &l->rto[cls];
    if (!e->have) {
        e->srtt = r;
        e->rttvar = r / 2;
        e->have = 1;
    } else {
        uint64_t d = e->srtt > r ? e->srtt - r : r - e->srtt;
        e->rttvar = (3 * e->rttvar + d) / 4;
        e->srtt = (7 * e->srtt + r) / 8;
    }
    e->rto = rto_clamp(l, cls, e->srtt + 4 * e->rttvar);
    l->st.rtt_samples++;
}

/* A request was answered: forget the backoff (as Linux does on new data
 * acknowledged), back to the estimate (Karn's rule keeps the samples of
 * retransmitted requests out of it). */
static void rto_progress(neurio_link *l)
{
    for (int c = 0; c < LK_RTO_CLASSES; c++)
        if (l->rto[c].have)
            l->rto[c].rto = rto_clamp(l, c, l->rto[c].srtt + 4 * l->rto[c].rttvar);
}

/* The timer expired (RFC 6298 5.5): back off. */
static void rto_backoff(neurio_link *l, int cls)
{
    l->rto[cls].rto = rto_clamp(l, cls, l->rto[cls].rto * 2);
}

uint64_t lk_gap_ns(const neurio_link *l)
{
    uint64_t g = l->rto[0].rto > l->rto[1].rto ? l->rto[0].rto : l->rto[1].rto;
    return g < LK_GAP_MIN_NS ? LK_GAP_MIN_NS : g > LK_GAP_MAX_NS ? LK_GAP_MAX_NS : g;
}

/* Size class of a request: 1 when it or its answer carries bulk data. */
static int rto_class(uint8_t type, uint32_t len)
{
    return len > 256 || type == NEURIO_LINK_T_READ || type == NEURIO_LINK_T_PING;
}

typedef struct lk_slot {
    int used;
    uint32_t idx;
    uint8_t type, seq;
    uint32_t len;
    uint8_t *pl;
    uint64_t first_order, last_order; /* send counter at first / last send */
    uint64_t sent_ns, first_ns; /* last copy, first copy */
    int tries, acked, pads;
    uint64_t ack_ns;  /* RUN: when the device first accepted it */
    uint64_t ack_order; /* RUN: order of its last ACK among all ACKs */
    int waits;        /* RUN: consecutive waits for its RESULT without
                         a byte from the device                     */
    int expiries;     /* RUN: waits for its RESULT that expired      */
    uint64_t dev_from_us; /* RUN: device clock at its first send, then
                             at its ACK (channels that follow it)    */
    uint64_t exp_ns;  /* RUN: start of the current wait              */
    int inflight;     /* copies sent and not answered (ok or not)  */
    uint64_t heard_ns; /* RUN: last ACK, NAK or damaged answer      */
} lk_slot;

typedef struct lk_eng {
    neurio_link *l;
    lk_pipe *p;
    lk_slot s[LK_WIN_MAX];
    uint32_t busy, next;
    uint64_t order, acks, progress_ns;
    int stale_run; /* the device runs a late copy of an answered RUN */
    int max_tries;
} lk_eng;

static int eng_send(lk_eng *g, lk_slot *s, neurio_errbuf *err)
{
    neurio_link *l = g->l;
    if (s->tries > 0)
        l->st.retransmits++;
    int rc = lk_send(l, s->type, s->seq, s->pl, s->len, err);
    if (rc != NEURIO_OK)
        return rc;
    s->tries++;
    s->inflight++;
    s->last_order = ++g->order;
    s->sent_ns = lk_now_ns();
    if (s->tries == 1) {
        s->first_order = s->last_order;
        s->first_ns = s->sent_ns;
        s->dev_from_us = neurio_transport_device_clock(l->t).device_us;
    }
    return NEURIO_OK;
}

static int eng_retry(lk_eng *g, lk_slot *s, const char *why, neurio_errbuf *err);

/* One copy of s was answered with a NAK or arrived damaged: send it again
 * only when no later copy is still on its way (else every NAK of an old
 * copy would add a copy: a retransmission storm). */
static int eng_nakd(lk_eng *g, lk_slot *s, const char *why, neurio_errbuf *err)
{
    s->heard_ns = lk_now_ns();
    if (s->inflight > 0)
        s->inflight--;
    if (s->inflight > 0)
        return NEURIO_OK;
    return eng_retry(g, s, why, err);
}

/* Retransmit s unless its tries are spent (then the error names why). */
static int eng_retry(lk_eng *g, lk_slot *s, const char *why, neurio_errbuf *err)
{
    neurio_link *l = g->l;
    s->inflight = 0; /* the copies sent so far are taken as lost */
    /* Here the device answered (a NAK, a damaged answer, or the answer to
     * a later request): it is alive and the line is noisy.  Without a
     * smaller frame to fall back to (no tries_cap), allow 4 x max_retries
     * such tries: a RUN and its 138-byte RESULT cross a line damaging
     * 0.6 % of the bytes intact 36 % of the time, so 9 failed tries in a
     * row happened once in ~60 RUNs (device.fault_rate = 0.002 over RTT). */
    int cap = g->p->tries_cap > 0 ? g->max_tries : 1 + 4 * l->opt.max_retries;
    if ((l->exhausted = s->tries >= cap))
        return neurio_fail(err, NEURIO_ERR_DEVICE,
                           "%s: %s %d times in a row: check the cable, baud rate and link settings",
                           l->t->desc, why, s->tries);
    lk_log(l, 3, "%s: %s (seq %u, try %d): sending it again", l->t->desc, why, s->seq, s->tries + 1);
    return eng_send(g, s, err);
}

/* The oldest request in flight (by its last transmission). */
static lk_slot *eng_oldest(lk_eng *g)
{
    lk_slot *o = NULL;
    for (uint32_t k = 0; k < LK_WIN_MAX; k++)
        if (g->s[k].used && (!o || g->s[k].last_order < o->last_order))
            o = &g->s[k];
    return o;
}

/* The only request whose timer runs.  The device answers in arrival
 * order, so the requests behind the one it works on wait: while it
 * computes a RUN it accepted (the last ACK without its RESULT), that RUN's
 * wait for the RESULT is the timer, and the requests queued behind it do
 * not time out (a multi-second inference would otherwise spend their
 * tries: issue 14).  Otherwise the oldest request in flight. */
static lk_slot *eng_timed(lk_eng *g)
{
    lk_slot *run = NULL;
    for (uint32_t k = 0; k < LK_WIN_MAX; k++)
        if (g->s[k].used && g->s[k].acked && (!run || g->s[k].ack_order > run->ack_order))
            run = &g->s[k];
    return run ? run : eng_oldest(g);
}

static uint64_t eng_deadline(lk_eng *g, const lk_slot *o)
{
    uint64_t from = o->sent_ns > g->progress_ns ? o->sent_ns : g->progress_ns;
    /* Accepted, or queued behind a copy the device runs again: its
     * RESULT (or ACK) is due after about one inference. */
    if (o->acked || g->stale_run)
        return from + g->l->rto[LK_RTO_RUN].rto;
    return from + g->l->rto[rto_class(o->type, o->len)].rto;
}

static lk_slot *eng_find(lk_eng *g, uint8_t seq)
{
    for (uint32_t k = 0; k < LK_WIN_MAX; k++)
        if (g->s[k].used && g->s[k].seq == seq)
            return &g->s[k];
    return NULL;
}

/* Whether a request still in flight went out after o's last copy. */
static int eng_queued_behind(const lk_eng *g, const lk_slot *o)
{
    for (uint32_t k = 0; k < LK_WIN_MAX; k++)
        if (g->s[k].used && &g->s[k] != o && g->s[k].first_order > o->last_order)
            return 1;
    return 0;
}

/* Is the device working on RUN o hung?  Over a channel that follows the
 * device (RTT through a debugger: neurio_transport_device_clock) by what
 * its core does, whatever the host's load: every register unchanged for
 * LK_FROZEN_MS (a loop in place), its clock still for LK_STILL_MS (locked
 * up, emulator stalled), or run_timeout_ms of the device's own time spent
 * on it.  Otherwise (UART, sockets; a core held waiting for input, so not
 * computing) by the host's clock: not a byte for run_timeout_ms
 * (silent_ms).  Returns NEURIO_OK when it is not, else the
 * error naming the channel, the request and the wait. */
static int run_verdict(lk_eng *g, const lk_slot *o, uint64_t silent_ms, int waits,
                       neurio_errbuf *err)
{
    neurio_link *l = g->l;
    neurio_device_clock c = neurio_transport_device_clock(l->t);
    const char *what = o->acked ? "accepted" : "got (its ACK was lost)";
    if (c.frozen_ms >= LK_FROZEN_MS)
        return neurio_fail(err, NEURIO_ERR_TIMEOUT,
                           "%s: device %s %s (seq %u) and its core now loops in place (pc 0x%08x, "
                           "every register unchanged for %lld ms of polls): the inference hangs",
                           l->t->desc, what, lk_type_name(o->type), o->seq, (unsigned)c.pc,
                           (long long)c.frozen_ms);
    if (c.valid && c.still_ms >= LK_STILL_MS)
        return neurio_fail(err, NEURIO_ERR_TIMEOUT,
                           "%s: the core was let run for %s (seq %u) but its clock stood still "
                           "for %lld ms (pc 0x%08x): it is locked up or the emulator stalled",
                           l->t->desc, lk_type_name(o->type), o->seq, (long long)c.still_ms,
                           (unsigned)c.pc);
    if (c.valid && !c.idle) {
        uint64_t ran_ms = (c.device_us - o->dev_from_us) / 1000u;
        if (ran_ms >= (uint64_t)l->opt.run_timeout_ms)
            return neurio_fail(err, NEURIO_ERR_TIMEOUT,
                               "%s: device %s %s (seq %u) and computed %llu ms of its own time "
                               "(its clock, read through the debugger) without an answer "
                               "(run_timeout_ms %d, pc 0x%08x): the inference hangs or needs "
                               "more than run_timeout_ms of device time (raise it)",
                               l->t->desc, what, lk_type_name(o->type), o->seq,
                               (unsigned long long)ran_ms, l->opt.run_timeout_ms, (unsigned)c.pc);
        return NEURIO_OK; /* still computing, however long the host takes */
    }
    if (waits >= 3 && silent_ms * LK_NS_MS >= rto_ceiling(l, LK_RTO_RUN))
        return neurio_fail(err, NEURIO_ERR_TIMEOUT,
                           "%s: device %s %s (seq %u) and then sent nothing for %llu ms "
                           "(run_timeout_ms %d, %d tries): the inference hangs or needs "
                           "more than run_timeout_ms (raise it)",
                           l->t->desc, what, lk_type_name(o->type), o->seq,
                           (unsigned long long)silent_ms, l->opt.run_timeout_ms, o->tries);
    return NEURIO_OK;
}

/* The timed request's timer (deadline dl) expired. */
static int eng_timeout(lk_eng *g, lk_slot *o, uint64_t dl, neurio_errbuf *err)
{
    neurio_link *l = g->l;
    l->st.timeouts++;
    uint64_t from = o->sent_ns > g->progress_ns ? o->sent_ns : g->progress_ns;
    int tmo = (int)((dl - from) / LK_NS_MS);
    uint64_t heard = o->heard_ns > l->rx_last_ns ? o->heard_ns : l->rx_last_ns;
    uint64_t silent_ms = (lk_now_ns() - heard) / LK_NS_MS;
    if (o->acked) {
        /* Accepted and no RESULT within the estimate.  A hang is not a
         * byte from the device for run_timeout_ms over three such waits
         * (answers that arrive damaged, even beyond recognition, are
         * retried). */
        uint64_t now = lk_now_ns();
        o->waits = l->rx_last_ns < o->exp_ns ? o->waits + 1 : 0; /* silent waits */
        o->exp_ns = now;
        int rc = run_verdict(g, o, silent_ms, o->waits, err);
        if ((l->exhausted = rc != NEURIO_OK))
            return rc;
        rto_backoff(l, LK_RTO_RUN);
        if (eng_queued_behind(g, o) && ++o->expiries < 3) {
            /* Requests wait behind it: the device acknowledges the next
             * one when it is done, which tells a lost RESULT (fast
             * retransmission).  A copy sent now would queue behind them
             * and run the inference once more. */
            lk_log(l, 3, "%s: no RESULT for %s (seq %u) within %d ms of its ACK, still waiting",
                   l->t->desc, lk_type_name(o->type), o->seq, tmo);
            g->progress_ns = now;
            return NEURIO_OK;
        }
        /* Ask again: a device done with it answers from its cache.  Not
         * evidence of a loss (lk_stall_mark): it may just be computing. */
        l->run_asks++;
        lk_log(l, 2, "%s: no RESULT for %s (seq %u) within %d ms of its ACK, asking again",
               l->t->desc, lk_type_name(o->type), o->seq, tmo);
    } else {
        /* A RUN whose ACK was lost may be computing: it is declared hung
         * only after run_timeout_ms without a byte from the device, as an
         * accepted one. */
        /* Spent: max_retries expiries AND the ceiling (timeout_ms) since
         * its first copy, so a short timer floor (rto_min_us) cannot spend
         * every try within one scheduling stall of a loaded host. */
        int spent = o->tries >= g->max_tries &&
                    lk_now_ns() - o->first_ns >= rto_ceiling(l, rto_class(o->type, o->len));
        if (spent && g->p->run) {
            int rc = run_verdict(g, o, silent_ms, 3, err);
            if ((l->exhausted = rc != NEURIO_OK))
                return rc;
            spent = 0;
        }
        if ((l->exhausted = spent))
            return neurio_fail(err, NEURIO_ERR_TIMEOUT,
                               "%s: device did not answer %s after %d tries (last wait %d ms, ceiling %d ms%s): it hung, was reset without a hello, or the link is down",
                               l->t->desc, lk_type_name(o->type), o->tries, tmo,
                               g->p->run ? l->opt.run_timeout_ms : l->opt.timeout_ms,
                               g->p->run ? ", run_timeout_ms" : "");
        lk_log(l, 2, "%s: no answer to %s (seq %u) within %d ms, retrying", l->t->desc,
               lk_type_name(o->type), o->seq, tmo);
        rto_backoff(l, rto_class(o->type, o->len));
    }
    /* The device may sit inside a frame that lost bytes: complete it.  First
     * with as many bytes as the frame itself, then with a whole maximal
     * frame (a false header with a long length). */
    uint32_t max = (l->have_hello ? l->hello.max_payload : NEURIO_LINK_MIN_PAYLOAD) +
                   NEURIO_LINK_OVERHEAD;
    uint32_t pad = o->pads++ == 0 ? o->len + NEURIO_LINK_OVERHEAD : max;
    int rc = lk_send_padding(l, pad, err);
    if (rc != NEURIO_OK)
        return rc;
    g->progress_ns = lk_now_ns(); /* restart the timer (RFC 6298 5.6) */
    o->inflight = 0;
    return eng_send(g, o, err);
}

/* An answer to request `k` arrived: every request whose last transmission
 * went out before k's first one was answered (or lost) before it, so the
 * ones still waiting lost their request or answer: send them again now. */
static int eng_fast_retransmit(lk_eng *g, const lk_slot *k, neurio_errbuf *err)
{
    for (uint32_t j = 0; j < LK_WIN_MAX; j++) {
        lk_slot *s = &g->s[j];
        if (!s->used || s == k || s->last_order >= k->first_order)
            continue;
        g->l->st.fast_retransmits++;
        int rc = eng_retry(g, s, "answers kept getting lost for", err);
        if (rc != NEURIO_OK)
            return rc;
    }
    return NEURIO_OK;
}

/* Fill the window with new requests. */
static int eng_fill(lk_eng *g, uint32_t window, neurio_errbuf *err)
{
    lk_pipe *p = g->p;
    while (g->next < p->n && g->busy < window) {
        lk_slot *o = eng_oldest(g);
        if (o && g->next >= o->idx + window)
            break; /* keep the indices in flight within one window */
        lk_slot *s = NULL;
        for (uint32_t k = 0; k < LK_WIN_MAX && !s; k++)
            if (!g->s[k].used)
                s = &g->s[k];
        uint8_t type = 0;
        uint32_t len = 0;
        int rc = p->make(p->ctx, g->next, &type, s->pl, &len, err);
        if (rc == LK_PIPE_END) {
            p->n = g->next;
            break;
        }
        if (rc != NEURIO_OK)
            return rc;
        s->used = 1;
        s->idx = g->next++;
        s->type = type;
        s->len = len;
        s->seq = lk_next_seq(g->l);
        s->tries = s->pads = s->acked = s->waits = s->expiries = s->inflight = 0;
        g->busy++;
        if ((rc = eng_send(g, s, err)) != NEURIO_OK)
            return rc;
    }
    return NEURIO_OK;
}

/* Handle one good frame; 0 to go on, else a result to return. */
static int eng_frame(lk_eng *g, const lk_frame *f, neurio_errbuf *err)
{
    neurio_link *l = g->l;
    if (f->type == NEURIO_LINK_T_HELLO && f->seq == NEURIO_LINK_SEQ_UNSOLICITED)
        return lk_on_boot_hello(l, f, err);
    if (f->type == NEURIO_LINK_T_NAK && f->seq == NEURIO_LINK_SEQ_UNSOLICITED &&
        f->len >= 1 && f->payload[0] == NEURIO_LINK_NAK_CRC) {
        /* A request's header arrived damaged: the device answers in order,
         * so it is the oldest copy still without an answer. */
        l->st.naks++;
        lk_slot *o = NULL;
        for (uint32_t k = 0; k < LK_WIN_MAX; k++)
            if (g->s[k].used && g->s[k].inflight > 0 && (!o || g->s[k].last_order < o->last_order))
                o = &g->s[k];
        return o ? eng_nakd(g, o, "the device received a damaged header", err) : 0;
    }
    lk_slot *k = eng_find(g, f->seq);
    if (!k) {
        l->st.duplicates++; /* answer to an earlier try */
        /* An ACK of a RUN already answered: the device runs a late copy
         * of it (the requests behind it wait that long); its RESULT ends
         * that. */
        if (g->p->run && f->type == NEURIO_LINK_T_ACK) {
            g->stale_run = 1;
            g->progress_ns = lk_now_ns();
        } else if (f->type == NEURIO_LINK_T_RESULT) {
            g->stale_run = 0;
        }
        return 0;
    }
    g->stale_run = 0;
    uint64_t now = lk_now_ns();
    if (f->type == NEURIO_LINK_T_NAK) {
        l->st.naks++;
        uint32_t code = f->len >= 1 ? f->payload[0] : 0;
        uint32_t detail = f->len >= 8 ? lk_get32(f->payload + 4) : 0;
        if (code == NEURIO_LINK_NAK_CRC) {
            char why[96];
            snprintf(why, sizeof why, "the device received %s damaged", lk_type_name(k->type));
            lk_log(l, 3, "%s: NAK: the device got %u payload bytes of %s (seq %u, %u sent)",
                   l->t->desc, (unsigned)detail, lk_type_name(k->type), k->seq,
                   (unsigned)(k->len + NEURIO_LINK_OVERHEAD - NEURIO_LINK_HDR_BYTES));
            return eng_nakd(g, k, why, err);
        }
        if (code == NEURIO_LINK_NAK_NOT_READY)
            return LK_NOT_READY;
        return neurio_fail(err, NEURIO_ERR_DEVICE, "%s: device refused %s: %s (code %u, detail %u)",
                           l->t->desc, lk_type_name(k->type), lk_nak_name(code), (unsigned)code,
                           (unsigned)detail);
    }
    int rc = eng_fast_retransmit(g, k, err);
    if (rc != NEURIO_OK)
        return rc;
    uint64_t from = k->sent_ns > g->progress_ns ? k->sent_ns : g->progress_ns;
    if (g->p->run && f->type == NEURIO_LINK_T_ACK) {
        /* "Accepted, working": the RESULT comes later. */
        if (k->tries == 1 && !k->acked)
            rto_sample(l, rto_class(k->type, k->len), now - from);
        if (!k->acked) {
            k->ack_ns = k->exp_ns = now;
            k->dev_from_us = neurio_transport_device_clock(l->t).device_us;
        }
        k->heard_ns = now;
        k->acked = 1;
        k->ack_order = ++g->acks;
        g->progress_ns = now;
        return 0;
    }
    if (k->tries == 1 && !g->p->run)
        rto_sample(l, rto_class(k->type, k->len), now - from);
    else if (k->tries == 1 && k->acked) /* inference time, for the next waits */
        rto_sample(l, LK_RTO_RUN, now - k->ack_ns);
    g->progress_ns = now;
    rto_progress(l);
    uint32_t idx = k->idx;
    k->used = 0;
    g->busy--;
    rc = g->p->take(g->p->ctx, idx, f, err);
    return rc == NEURIO_OK ? 0 : rc;
}

int lk_pipe_run(neurio_link *l, lk_pipe *p, neurio_errbuf *err)
{
    lk_eng eng, *g = &eng;
    memset(g, 0, sizeof *g);
    uint32_t window = p->window ? p->window : 1;
    if (window > LK_WIN_MAX)
        window = LK_WIN_MAX;
    size_t each = l->payload_max ? l->payload_max : NEURIO_LINK_MIN_PAYLOAD;
    if (l->win_cap < each * window) {
        uint8_t *b = realloc(l->win, each * window);
        if (!b)
            return neurio_fail(err, NEURIO_ERR_NOMEM, "out of memory for the link's request window");
        l->win = b;
        l->win_cap = each * window;
    }
    g->l = l;
    g->p = p;
    for (uint32_t k = 0; k < window; k++)
        g->s[k].pl = l->win + each * k;
    g->max_tries = 1 + (p->tries_cap > 0 ? p->tries_cap : l->opt.max_retries);
    l->exhausted = 0;
    int rc = NEURIO_OK;
    for (;;) {
        if (l->opt.cancelled && l->opt.cancelled(l->opt.user)) {
            rc = neurio_fail(err, NEURIO_ERR_CANCELLED, "%s: cancelled", l->t->desc);
            break;
        }
        if ((rc = eng_fill(g, window, err)) != NEURIO_OK)
            break;
        lk_slot *o = eng_timed(g);
        if (!o)
            break; /* all answered */
        uint64_t dl = eng_deadline(g, o), wake = dl;
        /* A RUN being computed over a channel that follows the device is
         * looked at twice a second between its timer's expiries. */
        int watch = o->acked && neurio_transport_device_clock(l->t).watched;
        if (watch && lk_now_ns() + LK_CHECK_NS < wake)
            wake = lk_now_ns() + LK_CHECK_NS;
        lk_frame f;
        rc = lk_recv(l, &f, wake, err);
        if (rc == NEURIO_ERR_TIMEOUT && lk_now_ns() >= dl) {
            if ((rc = eng_timeout(g, o, dl, err)) != NEURIO_OK)
                break;
            continue;
        }
        if (rc == NEURIO_ERR_TIMEOUT && watch && lk_now_ns() >= wake) {
            if ((l->exhausted = (rc = run_verdict(g, o, 0, 0, err)) != NEURIO_OK))
                break;
            continue;
        }
        if (rc == NEURIO_ERR_TIMEOUT)
            continue;
        if (rc == LK_CORRUPT) {
            /* A damaged answer with a good header names its request. */
            lk_slot *k = l->bad_seq >= 0 ? eng_find(g, (uint8_t)l->bad_seq) : NULL;
            if (k && p->run && l->bad_len == 4) {
                /* A damaged ACK (the only 4-byte answer to a RUN): the
                 * device accepted the RUN; its RESULT follows. */
                uint64_t now = lk_now_ns();
                if (!k->acked) {
                    k->ack_ns = k->exp_ns = now;
                    k->dev_from_us = neurio_transport_device_clock(l->t).device_us;
                }
                k->acked = 1;
                k->ack_order = ++g->acks;
                k->heard_ns = now;
            } else if (k) {
                char why[96];
                snprintf(why, sizeof why, "every answer to %s arrived damaged", lk_type_name(k->type));
                if ((rc = eng_nakd(g, k, why, err)) != NEURIO_OK)
                    break;
            }
            continue;
        }
        if (rc != NEURIO_OK)
            break;
        if ((rc = eng_frame(g, &f, err)) != 0)
            break;
    }
    /* The first request not answered (all before it were). */
    lk_slot *o = NULL;
    for (uint32_t k = 0; k < LK_WIN_MAX; k++)
        if (g->s[k].used && (!o || g->s[k].idx < o->idx))
            o = &g->s[k];
    p->first_open = o ? o->idx : g->next;
    return rc;
}

/* A single request: a window of one. */
typedef struct lk_single {
    uint8_t type;
    const void *pl;
    uint32_t len;
    lk_frame *resp;
} lk_single;

static int single_make(void *ctx, uint32_t i, uint8_t *type, uint8_t *pl, uint32_t *len,
                       neurio_errbuf *err)
{
    (void)err;
    lk_single *s = ctx;
    if (i > 0)
        return LK_PIPE_END;
    *type = s->type;
    if (s->len)
        memcpy(pl, s->pl, s->len);
    *len = s->len;
    return NEURIO_OK;
}

static int single_take(void *ctx, uint32_t i, const lk_frame *f, neurio_errbuf *err)
{
    (void)i;
    (void)err;
    *((lk_single *)ctx)->resp = *f;
    return NEURIO_OK;
}

int lk_request(neurio_link *l, uint8_t type, const void *pl, uint32_t len, int run,
               lk_frame *resp, neurio_errbuf *err)
{
    lk_single s = {type, pl, len, resp};
    lk_pipe p = {.n = 1, .make = single_make, .take = single_take, .ctx = &s, .run = run,
                 .window = 1, .tries_cap = l->tries_cap};
    return lk_pipe_run(l, &p, err);
}

/* sdk/src/transport/transport_fault.c — fault injection over any transport: per byte,
 * with set probabilities, flip one bit, drop it or send it twice; per call,
 * insert random garbage bytes.  Deterministic for a given seed (xorshift64*),
 * so a failing run can be replayed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "transport_internal.h"

typedef struct tp_fault {
    neurio_transport base;
    neurio_transport *inner;
    neurio_fault_config cfg;
    uint64_t rng;
    neurio_fault_stats st;
    unsigned char *scratch;
    size_t scratch_cap;
} tp_fault;

static const neurio_transport_ops fault_ops;

static uint64_t rnd_next(tp_fault *f)
{
    uint64_t x = f->rng;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    f->rng = x;
    return x * 0x2545F4914F6CDD1Dull;
}

/* Uniform in [0, 1). */
static double rnd_unit(tp_fault *f)
{
    return (double)(rnd_next(f) >> 11) * (1.0 / 9007199254740992.0);
}

static int grow(tp_fault *f, size_t need)
{
    if (need <= f->scratch_cap)
        return 0;
    size_t cap = need < 4096 ? 4096 : need;
    unsigned char *p = realloc(f->scratch, cap);
    if (!p)
        return -1;
    f->scratch = p;
    f->scratch_cap = cap;
    return 0;
}

/* Apply the faults to in[0..n) into out (room for 2n + 16); returns the
 * resulting length. */
static size_t mangle(tp_fault *f, const unsigned char *in, size_t n, unsigned char *out)
{
    size_t o = 0;
    if (f->cfg.garbage_rate > 0 && rnd_unit(f) < f->cfg.garbage_rate) {
        size_t g = 1 + (size_t)(rnd_next(f) % 16);
        for (size_t i = 0; i < g; i++)
            out[o++] = (unsigned char)rnd_next(f);
        f->st.garbage += g;
    }
    for (size_t i = 0; i < n; i++) {
        f->st.bytes++;
        double r = rnd_unit(f);
        double d = f->cfg.drop_rate, c = d + f->cfg.corrupt_rate, u = c + f->cfg.dup_rate;
        if (r < d) {
            f->st.dropped++;
        } else if (r < c) {
            out[o++] = (unsigned char)(in[i] ^ (1u << (rnd_next(f) % 8)));
            f->st.corrupted++;
        } else if (r < u) {
            out[o++] = in[i];
            out[o++] = in[i];
            f->st.duplicated++;
        } else {
            out[o++] = in[i];
        }
    }
    return o;
}

static int fault_read(neurio_transport *t, void *buf, size_t cap, size_t *got,
                      int timeout_ms, neurio_errbuf *err)
{
    tp_fault *f = (tp_fault *)t;
    *got = 0;
    if (!f->cfg.on_read)
        return neurio_transport_read(f->inner, buf, cap, got, timeout_ms, err);
    if (cap < 48)
        return neurio_fail(err, NEURIO_ERR_INVALID, "%s: read buffer too small for fault injection", t->desc);
    int64_t deadline = tp_deadline(timeout_ms);
    /* Read at most (cap - 16) / 2 so duplicates and garbage always fit. */
    size_t want = (cap - 16) / 2;
    if (grow(f, want) != 0)
        return neurio_fail(err, NEURIO_ERR_NOMEM, "%s: out of memory", t->desc);
    for (;;) {
        size_t n = 0;
        int rc = neurio_transport_read(f->inner, f->scratch, want, &n,
                                       deadline < 0 ? -1 : tp_remaining(deadline), err);
        if (rc != NEURIO_OK)
            return rc;
        *got = mangle(f, f->scratch, n, buf);
        if (*got > 0)
            return NEURIO_OK;
        if (deadline >= 0 && tp_remaining(deadline) == 0)
            return neurio_fail(err, NEURIO_ERR_TIMEOUT, "%s: nothing received within %d ms",
                               t->desc, timeout_ms);
    }
}

static int fault_write(neurio_transport *t, const void *buf, size_t len,
                       int timeout_ms, neurio_errbuf *err)
{
    tp_fault *f = (tp_fault *)t;
    if (!f->cfg.on_write)
        return neurio_transport_write(f->inner, buf, len, timeout_ms, err);
    if (grow(f, 2 * len + 16) != 0)
        return neurio_fail(err, NEURIO_ERR_NOMEM, "%s: out of memory", t->desc);
    size_t n = mangle(f, buf, len, f->scratch);
    return neurio_transport_write(f->inner, f->scratch, n, timeout_ms, err);
}

static void fault_close(neurio_transport *t)
{
    tp_fault *f = (tp_fault *)t;
    neurio_transport_close(f->inner);
    free(f->scratch);
    free(f);
}

static const neurio_transport_ops fault_ops = {
    .kind = "fault",
    .read = fault_read,
    .write = fault_write,
    .close = fault_close,
};

static int rate_ok(double r)
{
    return r >= 0.0 && r <= 1.0;
}

int neurio_transport_fault_wrap(neurio_transport *inner,
                                const neurio_fault_config *cfg,
                                neurio_transport **out, neurio_errbuf *err)
{
    *out = NULL;
    if (!inner || !cfg) {
        neurio_transport_close(inner);
        return neurio_fail(err, NEURIO_ERR_INVALID, "fault wrapper: no transport or config");
    }
    if (!rate_ok(cfg->corrupt_rate) || !rate_ok(cfg->drop_rate) || !rate_ok(cfg->dup_rate) ||
        !rate_ok(cfg->garbage_rate) || cfg->corrupt_rate + cfg->drop_rate + cfg->dup_rate > 1.0) {
        neurio_transport_close(inner);
        return neurio_fail(err, NEURIO_ERR_INVALID,
                           "fault wrapper: rates must be within [0,1] and corrupt+drop+dup <= 1");
    }
    tp_fault *f = calloc(1, sizeof *f);
    if (!f) {
        neurio_transport_close(inner);
        return neurio_fail(err, NEURIO_ERR_NOMEM, "fault wrapper: out of memory");
    }
    f->base.ops = &fault_ops;
    f->inner = inner;
    f->cfg = *cfg;
    f->rng = cfg->seed ? cfg->seed : 0x9E3779B97F4A7C15ull;
    snprintf(f->base.desc, sizeof f->base.desc, "%s", neurio_transport_describe(inner));
    *out = &f->base;
    return NEURIO_OK;
}

neurio_fault_stats neurio_transport_fault_stats(const neurio_transport *t)
{
    neurio_fault_stats z = {0};
    if (!t || t->ops != &fault_ops)
        return z;
    return ((const tp_fault *)t)->st;
}

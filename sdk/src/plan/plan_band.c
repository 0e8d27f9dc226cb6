/* sdk/src/plan/plan_band.c — banded execution of row chains (see
 * neurio/planner.h, "Banded execution"): which runs of ops form chains,
 * what each op computes in each band, the windows of the tensors inside a
 * chain and the gap that lets a chain's output overlap its input. */
#include "plan_internal.h"

#include <stdlib.h>
#include <string.h>

/* Row geometry of one chain op. */
typedef struct bd_op {
    int add;         /* ADD: same rows of both inputs                     */
    int32_t fh, pt;  /* CONV_2D / DEPTHWISE_CONV_2D: filter rows, top pad */
} bd_op;

static int bd_is_row_tensor(const neurio_tensor *t)
{
    return t->rank == 4 && t->dtype == NEURIO_DT_INT8 && t->dims[0] == 1 && t->dims[1] >= 1 &&
           t->dims[2] >= 1 && t->dims[3] >= 1 && !t->is_variable;
}

/* Bands of a chain whose tensors have h rows. */
static int32_t bd_steps(int32_t h, int32_t rows)
{
    return (int32_t)(((int64_t)h + rows - 1) / rows);
}

static size_t bd_row_bytes(const neurio_tensor *t)
{
    return (size_t)t->dims[2] * (size_t)t->dims[3];
}

/* Whether op may be in a chain, and its geometry.  ADD: no broadcast. */
static int bd_op_of(const neurio_model *m, const neurio_op *op, bd_op *g)
{
    memset(g, 0, sizeof *g);
    if (op->n_outputs != 1 || op->outputs[0] < 0 || op->n_inputs < 2 || op->inputs[0] < 0 ||
        op->inputs[1] < 0)
        return 0;
    const neurio_tensor *x = &m->tensors[op->inputs[0]], *y = &m->tensors[op->outputs[0]];
    if (!bd_is_row_tensor(x) || !bd_is_row_tensor(y) || x->dims[1] != y->dims[1] ||
        neurio_tensor_is_const(x))
        return 0;
    if (op->kind == NEURIO_OP_ADD) {
        const neurio_tensor *x2 = &m->tensors[op->inputs[1]];
        if (op->n_inputs != 2 || !bd_is_row_tensor(x2) || neurio_tensor_is_const(x2))
            return 0;
        for (int32_t d = 0; d < 4; d++)
            if (x->dims[d] != y->dims[d] || x2->dims[d] != y->dims[d])
                return 0;
        g->add = 1;
        return 1;
    }
    if (op->kind != NEURIO_OP_CONV_2D && op->kind != NEURIO_OP_DEPTHWISE_CONV_2D)
        return 0;
    const neurio_tensor *w = &m->tensors[op->inputs[1]];
    if (!neurio_tensor_is_const(w) || w->rank != 4 || w->dims[1] < 1)
        return 0;
    if (op->n_inputs > 2 && op->inputs[2] >= 0 && !neurio_tensor_is_const(&m->tensors[op->inputs[2]]))
        return 0;
    const neurio_conv_attr *a = &op->attr.conv;
    if ((a->stride_h > 1) || (a->dilation_h > 1))
        return 0;
    const int32_t h = x->dims[1], fh = w->dims[1];
    int32_t pt = 0; /* TFLite ComputePaddingHeightWidth, as the code generator */
    if (a->padding == NEURIO_PAD_EXPLICIT) {
        pt = a->pad[0];
    } else if (a->padding == NEURIO_PAD_SAME) {
        int32_t total = fh - 1; /* (h - 1) * 1 + fh - h */
        pt = total > 0 ? total / 2 : 0;
    }
    if (pt < 0 || pt >= fh || h - 1 + fh - pt - 1 < h - 1)
        return 0;
    g->fh = fh;
    g->pt = pt;
    return 1;
}

/* The tensor op k of chain [f, l] reads as its chain input (T_{k-1}), or
 * -1 when ops f..k do not chain. */
static int32_t bd_link(const neurio_model *m, int32_t f, int32_t k)
{
    const neurio_op *op = &m->ops[k];
    if (k == f)
        return op->kind == NEURIO_OP_ADD ? -1 : op->inputs[0];
    int32_t prev = m->ops[k - 1].outputs[0], t0 = m->ops[f].inputs[0];
    if (op->kind != NEURIO_OP_ADD)
        return op->inputs[0] == prev ? prev : -1;
    if ((op->inputs[0] == prev && op->inputs[1] == t0) ||
        (op->inputs[1] == prev && op->inputs[0] == t0))
        return prev;
    return -1;
}

/* Ops f..l form a chain: each links, the tensors between them are read
 * by the next op only (and are no graph output), the input is read by no
 * other op of the chain than the first and ADDs, all have one height. */
static int bd_chain_ok(const neurio_model *m, int32_t f, int32_t l)
{
    const int32_t t0 = m->ops[f].inputs[0];
    const int32_t h = m->tensors[t0].dims[1];
    for (int32_t k = f; k <= l; k++) {
        bd_op g;
        if (!bd_op_of(m, &m->ops[k], &g) || bd_link(m, f, k) < 0 ||
            m->tensors[m->ops[k].outputs[0]].dims[1] != h)
            return 0;
        if (!g.add)
            for (int32_t j = 1; j < m->ops[k].n_inputs; j++)
                if (m->ops[k].inputs[j] == t0)
                    return 0;
    }
    for (int32_t k = f; k < l; k++) {
        int32_t t = m->ops[k].outputs[0];
        if (t == t0)
            return 0;
        for (int32_t i = 0; i < m->n_outputs; i++)
            if (m->outputs[i] == t)
                return 0;
        for (int32_t i = 0; i < m->n_ops; i++) {
            if (i == k + 1)
                continue;
            for (int32_t j = 0; j < m->ops[i].n_inputs; j++)
                if (m->ops[i].inputs[j] == t)
                    return 0;
        }
        const neurio_op *nx = &m->ops[k + 1];
        if (nx->kind == NEURIO_OP_ADD && nx->inputs[0] == nx->inputs[1])
            return 0;
    }
    return m->ops[l].outputs[0] != t0;
}

/* Simulates chain [f, l] with `rows` rows per band up to band `step`
 * (every band when step < 0) and fills calls[k - f] for that band (NULL:
 * not wanted), or with all != NULL all[s * n + k - f] for every band s.
 * win[k - f] gets the largest window (rows) of T_k.  Returns the number
 * of bands. */
static int32_t bd_simulate(const neurio_model *m, int32_t f, int32_t l, int32_t rows,
                           int32_t step, neurio_band_call *calls, int32_t *win,
                           neurio_band_call *all)
{
    const int32_t n = l - f + 1, h = m->tensors[m->ops[f].inputs[0]].dims[1];
    const int32_t steps = bd_steps(h, rows);
    int32_t hi[NEURIO_BAND_MAX_OPS], lo[NEURIO_BAND_MAX_OPS], th[NEURIO_BAND_MAX_OPS];
    neurio_band_call c[NEURIO_BAND_MAX_OPS];
    bd_op g[NEURIO_BAND_MAX_OPS];
    for (int32_t k = 0; k < n; k++) {
        bd_op_of(m, &m->ops[f + k], &g[k]);
        hi[k] = lo[k] = 0;
        if (win)
            win[k] = 0;
    }
    for (int32_t s = 0; s < steps && (step < 0 || s <= step); s++) {
        int64_t e1 = (int64_t)(s + 1) * rows;
        int32_t o1 = e1 < h ? (int32_t)e1 : h;
        th[n - 1] = o1;
        for (int32_t k = n - 1; k > 0; k--) {
            int32_t need = g[k].add ? th[k] : th[k] - 1 - g[k].pt + g[k].fh;
            need = need < h ? need : h;
            th[k - 1] = need > hi[k - 1] ? need : hi[k - 1];
        }
        for (int32_t k = 0; k < n; k++) {
            neurio_band_call *ck = &c[k];
            memset(ck, 0, sizeof *ck);
            ck->out_lo = hi[k];
            ck->out_hi = th[k] > hi[k] ? th[k] : hi[k];
            if (ck->out_hi > ck->out_lo) {
                if (g[k].add) {
                    ck->in_lo = ck->out_lo;
                    ck->in_hi = ck->out_hi;
                } else {
                    int32_t a = ck->out_lo - g[k].pt, b = ck->out_hi - 1 - g[k].pt + g[k].fh;
                    ck->in_lo = a > 0 ? a : 0;
                    ck->in_hi = b < h ? b : h;
                    ck->pad_top = ck->in_lo - a;
                }
            }
        }
        for (int32_t k = 0; k < n; k++) {
            neurio_band_call *ck = &c[k];
            if (k == n - 1) {
                ck->win_lo = 0; /* the chain's output: a whole tensor */
                continue;
            }
            int32_t nlo = c[k + 1].out_hi > c[k + 1].out_lo ? c[k + 1].in_lo : lo[k];
            if (nlo > ck->out_lo)
                nlo = ck->out_lo; /* not reached (fh >= 1), kept safe */
            if (nlo < lo[k])
                nlo = lo[k];
            ck->drop = nlo - lo[k];
            ck->keep = hi[k] - nlo > 0 ? hi[k] - nlo : 0;
            ck->win_lo = nlo;
            lo[k] = nlo;
            if (win && ck->out_hi - nlo > win[k])
                win[k] = ck->out_hi - nlo;
        }
        for (int32_t k = 0; k < n; k++)
            hi[k] = c[k].out_hi;
        if (calls && s == step)
            memcpy(calls, c, (size_t)n * sizeof *c);
        if (all)
            memcpy(all + (size_t)s * n, c, (size_t)n * sizeof *c);
    }
    return steps;
}

int neurio_band_call_of(const neurio_model *m, const neurio_band_chain *ch, int32_t op,
                        int32_t step, neurio_band_call *out)
{
    if (!m || !ch || !out || ch->first_op < 0 || ch->last_op >= m->n_ops ||
        ch->last_op < ch->first_op || ch->last_op - ch->first_op >= NEURIO_BAND_MAX_OPS ||
        op < ch->first_op || op > ch->last_op || ch->rows < 1 || step < 0 ||
        step >= ch->n_steps || !bd_chain_ok(m, ch->first_op, ch->last_op) ||
        ch->n_steps != bd_steps(m->tensors[m->ops[ch->first_op].inputs[0]].dims[1], ch->rows))
        return NEURIO_ERR_INVALID;
    neurio_band_call c[NEURIO_BAND_MAX_OPS];
    bd_simulate(m, ch->first_op, ch->last_op, ch->rows, step, c, NULL, NULL);
    *out = c[op - ch->first_op];
    return NEURIO_OK;
}

/* The smallest gap (bytes) with which the chain's output may start below
 * its input, and *in_place = 1 when a final ADD can write over the input's
 * own band (gap 0, same rows): every band writes only input bytes no later
 * band reads, and no call writes bytes it reads (unless exactly in place). */
int64_t pl_band_gap(const neurio_model *m, int32_t f, int32_t l, int32_t rows, int *in_place)
{
    const int32_t n = l - f + 1, t0 = m->ops[f].inputs[0], tn = m->ops[l].outputs[0];
    const int64_t r0 = (int64_t)bd_row_bytes(&m->tensors[t0]);
    const int64_t rn = (int64_t)bd_row_bytes(&m->tensors[tn]);
    const int32_t h = m->tensors[t0].dims[1], steps = bd_steps(h, rows);
    const int last_add = m->ops[l].kind == NEURIO_OP_ADD;
    int64_t gap = 0, band_gap = 0;
    int32_t *first_read = malloc((size_t)steps * sizeof *first_read);
    neurio_band_call *all = malloc((size_t)steps * (size_t)n * sizeof *all);
    if (!first_read || !all) {
        free(first_read);
        free(all);
        return -2;
    }
    bd_simulate(m, f, l, rows, -1, NULL, NULL, all);
    for (int32_t s = 0; s < steps; s++) { /* the first input row each band reads */
        const neurio_band_call *c = all + (size_t)s * n;
        first_read[s] = h;
        for (int32_t k = 0; k < n; k++) {
            const neurio_op *op = &m->ops[f + k];
            if (c[k].out_hi <= c[k].out_lo || (k > 0 && op->kind != NEURIO_OP_ADD))
                continue;
            int32_t r = k == 0 ? c[k].in_lo : c[k].out_lo;
            first_read[s] = r < first_read[s] ? r : first_read[s];
        }
    }
    int32_t fut = h; /* the first row read by any later band */
    for (int32_t s = steps - 1; s >= 0; s--) {
        const neurio_band_call *cl = all + (size_t)s * n + (n - 1);
        if (cl->out_hi > cl->out_lo) {
            int64_t need = cl->out_hi * rn - fut * r0;
            gap = need > gap ? need : gap;
            if (n == 1) { /* the same call reads the input: write below it */
                need = cl->out_hi * rn - cl->in_lo * r0;
                gap = need > gap ? need : gap;
            } else if (last_add) {
                need = cl->out_hi * rn - cl->out_lo * r0;
                band_gap = need > band_gap ? need : band_gap;
            }
        }
        fut = first_read[s] < fut ? first_read[s] : fut;
    }
    free(all);
    free(first_read);
    *in_place = 0;
    if (last_add && gap == 0 && rn == r0) {
        *in_place = 1;
        return 0;
    }
    return gap > band_gap ? gap : band_gap;
}

/* Bytes of the chain's windows (each aligned). */
static size_t bd_windows(const neurio_model *m, int32_t f, int32_t l, int32_t rows,
                         size_t align, int32_t *win)
{
    size_t sum = 0;
    bd_simulate(m, f, l, rows, -1, NULL, win, NULL);
    for (int32_t k = f; k < l; k++)
        sum += pl_align((size_t)win[k - f] * bd_row_bytes(&m->tensors[m->ops[k].outputs[0]]),
                        align);
    return sum;
}

/* Whether t is a graph input or output (outside the arena by default). */
static int bd_is_io(const neurio_model *m, int32_t t)
{
    for (int32_t i = 0; i < m->n_inputs; i++)
        if (m->inputs[i] == t)
            return 1;
    for (int32_t i = 0; i < m->n_outputs; i++)
        if (m->outputs[i] == t)
            return 1;
    return 0;
}

static size_t bd_bytes(const neurio_model *m, int32_t t, size_t align)
{
    if (t < 0 || neurio_tensor_is_const(&m->tensors[t]) || bd_is_io(m, t))
        return 0;
    return pl_align(neurio_tensor_bytes(&m->tensors[t]), align);
}

/* Bytes of the tensors live across ops f..l without being used there:
 * written before f (or graph inputs in the arena: not counted) and read
 * after l. */
static size_t bd_across(const neurio_model *m, int32_t f, int32_t l, size_t align)
{
    size_t sum = 0;
    for (int32_t i = 0; i < f; i++)
        for (int32_t o = 0; o < m->ops[i].n_outputs; o++) {
            int32_t t = m->ops[i].outputs[o], used = 0, later = 0;
            for (int32_t k = f; k <= l && !used; k++)
                for (int32_t j = 0; j < m->ops[k].n_inputs; j++)
                    used |= m->ops[k].inputs[j] == t;
            for (int32_t k = l + 1; k < m->n_ops && !later; k++)
                for (int32_t j = 0; j < m->ops[k].n_inputs; j++)
                    later |= m->ops[k].inputs[j] == t;
            if (!used && later)
                sum += bd_bytes(m, t, align);
        }
    return sum;
}

/* Footprint of ops f..l run as one chain (banded) or, f == l and !banded,
 * as a plain op (every tensor it touches, no overlap counted), plus what
 * lives across them.  t0_dies: the input is read by no op after l. */
static size_t bd_cost(const neurio_model *m, int32_t f, int32_t l, int32_t rows, size_t align,
                      int banded, int t0_dies)
{
    const neurio_op *op = &m->ops[f];
    const int32_t t0 = op->inputs[0], tn = m->ops[l].outputs[0];
    size_t in = bd_bytes(m, t0, align), out = bd_bytes(m, tn, align);
    size_t across = bd_across(m, f, l, align);
    if (!banded) {
        size_t sum = out;
        for (int32_t j = 0; j < op->n_inputs; j++) {
            int dup = 0;
            for (int32_t q = 0; q < j; q++)
                dup |= op->inputs[q] == op->inputs[j];
            if (!dup)
                sum += bd_bytes(m, op->inputs[j], align);
        }
        return sum + across;
    }
    int32_t win[NEURIO_BAND_MAX_OPS];
    size_t w = bd_windows(m, f, l, rows, align, win) + across;
    if (!t0_dies || !in || !out)
        return in + w + out;
    int ip = 0;
    int64_t gap = pl_band_gap(m, f, l, rows, &ip);
    if (gap < 0)
        return in + w + out;
    if (ip)
        return w + (in > out ? in : out);
    size_t pair = pl_align((size_t)gap, align) + in;
    return w + (pair > out ? pair : out);
}

/* Whether tensor t is read by any op after l (or is a graph output). */
static int bd_read_after(const neurio_model *m, int32_t t, int32_t l)
{
    for (int32_t i = 0; i < m->n_outputs; i++)
        if (m->outputs[i] == t)
            return 1;
    for (int32_t i = l + 1; i < m->n_ops; i++)
        for (int32_t j = 0; j < m->ops[i].n_inputs; j++)
            if (m->ops[i].inputs[j] == t)
                return 1;
    return 0;
}

/* Cuts the chainable run [a, b] into chains by dynamic programming: the
 * smallest largest footprint, then the fewest banded ops, then the fewest
 * chains (each chain's output sits its gap below its input: fewer steps
 * down).  Appends the
 * chains to p (capacity checked by the caller). */
static void bd_cut_run(const neurio_model *m, int32_t a, int32_t b, int32_t rows, size_t align,
                       neurio_plan *p)
{
    const int32_t n = b - a + 1;
    size_t best[NEURIO_BAND_MAX_OPS * 8 + 1];
    int32_t nb[NEURIO_BAND_MAX_OPS * 8 + 1], from[NEURIO_BAND_MAX_OPS * 8 + 1];
    int32_t nch[NEURIO_BAND_MAX_OPS * 8 + 1]; /* chains: each steps its output down */
    int band_of[NEURIO_BAND_MAX_OPS * 8 + 1];
    best[0] = 0;
    nb[0] = 0;
    nch[0] = 0;
    for (int32_t e = 1; e <= n; e++) {
        best[e] = (size_t)-1;
        nb[e] = 0;
        nch[e] = 0;
        from[e] = e - 1;
        band_of[e] = 0;
        for (int32_t s = e - 1; s >= 0 && e - s <= NEURIO_BAND_MAX_OPS; s--) {
            int32_t f = a + s, l = a + e - 1;
            int ok = bd_chain_ok(m, f, l) &&
                     bd_steps(m->tensors[m->ops[f].inputs[0]].dims[1], rows) <= NEURIO_BAND_MAX_STEPS;
            if (!ok && f != l)
                continue;
            int dies = !bd_read_after(m, m->ops[f].inputs[0], l);
            for (int banded = ok; banded >= (f == l ? 0 : 1); banded--) {
                size_t cost = bd_cost(m, f, l, rows, align, banded, dies);
                size_t mx = cost > best[s] ? cost : best[s];
                int32_t cnt = nb[s] + (banded ? e - s : 0), chs = nch[s] + banded;
                if (mx < best[e] || (mx == best[e] && cnt < nb[e]) ||
                    (mx == best[e] && cnt == nb[e] && chs < nch[e])) {
                    best[e] = mx;
                    nb[e] = cnt;
                    nch[e] = chs;
                    from[e] = s;
                    band_of[e] = banded;
                }
            }
        }
    }
    int32_t cut[NEURIO_BAND_MAX_OPS * 8 + 1], nc = 0;
    for (int32_t e = n; e > 0; e = from[e])
        cut[nc++] = e;
    for (int32_t i = nc - 1; i >= 0; i--) {
        int32_t e = cut[i], s = from[e];
        if (!band_of[e])
            continue;
        neurio_band_chain *ch = &p->chains[p->n_chains++];
        ch->first_op = a + s;
        ch->last_op = a + e - 1;
        ch->rows = rows;
        ch->in_tensor = m->ops[ch->first_op].inputs[0];
        ch->out_tensor = m->ops[ch->last_op].outputs[0];
        ch->n_steps = bd_steps(m->tensors[ch->in_tensor].dims[1], rows);
        ch->gap = -1;
        ch->in_place = 0;
    }
}

int pl_band_find(const neurio_model *m, int32_t rows, size_t align, neurio_plan *p)
{
    p->op_chain = malloc((size_t)(m->n_ops > 0 ? m->n_ops : 1) * sizeof *p->op_chain);
    p->chains = calloc((size_t)(m->n_ops > 0 ? m->n_ops : 1), sizeof *p->chains);
    if (!p->op_chain || !p->chains)
        return NEURIO_ERR_NOMEM;
    for (int32_t i = 0; i < m->n_ops; i++)
        p->op_chain[i] = -1;
    if (rows < 1)
        return NEURIO_OK;
    for (int32_t i = 0; i < m->n_ops;) {
        bd_op g;
        if (!bd_op_of(m, &m->ops[i], &g)) {
            i++;
            continue;
        }
        /* a run of row ops, cut in pieces of at most 8 * NEURIO_BAND_MAX_OPS */
        int32_t j = i;
        while (j + 1 < m->n_ops && j + 1 - i < NEURIO_BAND_MAX_OPS * 8 &&
               bd_op_of(m, &m->ops[j + 1], &g))
            j++;
        bd_cut_run(m, i, j, rows, align, p);
        i = j + 1;
    }
    for (int32_t c = 0; c < p->n_chains; c++)
        for (int32_t k = p->chains[c].first_op; k <= p->chains[c].last_op; k++)
            p->op_chain[k] = c;
    return NEURIO_OK;
}

size_t pl_band_window_bytes(const neurio_model *m, const neurio_band_chain *ch, int32_t k)
{
    int32_t win[NEURIO_BAND_MAX_OPS];
    bd_simulate(m, ch->first_op, ch->last_op, ch->rows, -1, NULL, win, NULL);
    return (size_t)win[k - ch->first_op] *
           bd_row_bytes(&m->tensors[m->ops[k].outputs[0]]);
}

int pl_band_chain_valid(const neurio_model *m, const neurio_band_chain *ch)
{
    return ch->first_op >= 0 && ch->last_op < m->n_ops && ch->first_op <= ch->last_op &&
           ch->last_op - ch->first_op < NEURIO_BAND_MAX_OPS && ch->rows >= 1 &&
           bd_chain_ok(m, ch->first_op, ch->last_op) &&
           ch->n_steps == bd_steps(m->tensors[m->ops[ch->first_op].inputs[0]].dims[1], ch->rows) &&
           ch->n_steps <= NEURIO_BAND_MAX_STEPS &&
           ch->in_tensor == m->ops[ch->first_op].inputs[0] &&
           ch->out_tensor == m->ops[ch->last_op].outputs[0];
}

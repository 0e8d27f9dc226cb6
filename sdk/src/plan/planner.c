/* sdk/src/plan/planner.c — tensor lifetimes → offsets in one arena.
 * See neurio/planner.h for the contract. */
#include "neurio/planner.h"

#include <stdlib.h>
#include <string.h>

#include "plan_internal.h"

/* One storage group waiting for an arena offset. */
typedef struct pl_buf {
    size_t bytes;
    int32_t first, last;   /* op indices, inclusive */
    int32_t tensor;        /* representative tensor (or -1 - op for scratch) */
    size_t offset;
    /* Overlap pair (see pl_overlap_gap): this buffer is written by an op
     * whose input group ov_in (a root tensor) dies there; it may start
     * ov_in_gap bytes or more below that input and run on over it.  -1: none. */
    int32_t ov_in;
    size_t ov_in_gap;
} pl_buf;

typedef struct pl_state {
    const neurio_model *m;
    int32_t *parent;       /* union-find over tensors                       */
    int32_t *last_use;     /* per tensor: last op reading it (-1 none)      */
    int32_t *grp_last;     /* per root: max last_use of members             */
    int32_t *grp_first;    /* per root: first op writing the group          */
    size_t *grp_bytes;     /* per root                                      */
    neurio_mem_kind *grp_kind;
    int32_t *grp_index;
    int32_t *ov_in;        /* per root: overlap-pair input root, or -1       */
    size_t *ov_gap;        /* per root: its gap                              */
} pl_state;

static const char *const pl_kind_names[] = {
    [NEURIO_MEM_NONE] = "none",   [NEURIO_MEM_CONST] = "const",
    [NEURIO_MEM_ARENA] = "arena", [NEURIO_MEM_INPUT] = "input",
    [NEURIO_MEM_OUTPUT] = "output",
};

const char *neurio_mem_kind_name(neurio_mem_kind k)
{
    if ((unsigned)k >= sizeof pl_kind_names / sizeof pl_kind_names[0])
        return "unknown";
    return pl_kind_names[k];
}

static int32_t pl_find(pl_state *s, int32_t t)
{
    while (s->parent[t] != t) {
        s->parent[t] = s->parent[s->parent[t]];
        t = s->parent[t];
    }
    return t;
}

static int32_t pl_max32(int32_t a, int32_t b) { return a > b ? a : b; }

/* Merge group of `b` into group of `a` if their kinds are compatible.
 * Returns 1 if merged. */
static int pl_merge(pl_state *s, int32_t a, int32_t b)
{
    int32_t ra = pl_find(s, a), rb = pl_find(s, b);
    if (ra == rb)
        return 1;
    neurio_mem_kind ka = s->grp_kind[ra], kb = s->grp_kind[rb];
    neurio_mem_kind k = ka;
    int32_t idx = s->grp_index[ra];
    if (ka == NEURIO_MEM_ARENA) {
        k = kb;
        idx = s->grp_index[rb];
    } else if (kb != NEURIO_MEM_ARENA &&
               (kb != ka || s->grp_index[rb] != s->grp_index[ra])) {
        return 0;
    }
    s->parent[rb] = ra;
    s->grp_kind[ra] = k;
    s->grp_index[ra] = idx;
    s->grp_last[ra] = pl_max32(s->grp_last[ra], s->grp_last[rb]);
    if (s->grp_first[rb] >= 0 &&
        (s->grp_first[ra] < 0 || s->grp_first[rb] < s->grp_first[ra]))
        s->grp_first[ra] = s->grp_first[rb];
    if (s->grp_bytes[rb] > s->grp_bytes[ra])
        s->grp_bytes[ra] = s->grp_bytes[rb];
    return 1;
}

/* Ops that may write their output over input 0 (or 1) element by element:
 * every kernel they lower to reads element i of its inputs before it
 * writes element i of its output and touches no other element then
 * (portable loops, NK_BINARY_EACH without broadcast, the LUTs; ADD's
 * DSP and Helium kernels accept an output equal to an input).  Returns
 * the number of data inputs (1 or 2), 0 for other ops. */
static int pl_is_elementwise(const neurio_op *op)
{
    switch (op->kind) {
    case NEURIO_OP_ADD: case NEURIO_OP_SUB: case NEURIO_OP_MUL:
    case NEURIO_OP_DIV: case NEURIO_OP_SQUARED_DIFFERENCE:
    case NEURIO_OP_MAXIMUM: case NEURIO_OP_MINIMUM:
        return 2;
    case NEURIO_OP_RELU: case NEURIO_OP_RELU6: case NEURIO_OP_CLIP:
    case NEURIO_OP_LOGISTIC: case NEURIO_OP_TANH: case NEURIO_OP_QUANTIZE:
    case NEURIO_OP_LEAKY_RELU: case NEURIO_OP_HARD_SWISH: case NEURIO_OP_ABS:
    case NEURIO_OP_NEG: case NEURIO_OP_SQRT: case NEURIO_OP_RSQRT: case NEURIO_OP_EXP:
    case NEURIO_OP_LOG:
        return 1;
    default:
        return 0;
    }
}

/* Try to write op's output in place into one of its dying inputs. */
static int32_t pl_try_inplace(pl_state *s, int32_t oi, const neurio_op *op)
{
    const neurio_model *m = s->m;
    if (op->n_outputs != 1 || op->outputs[0] < 0)
        return -1;
    int32_t o = op->outputs[0];
    const neurio_tensor *to = &m->tensors[o];
    int32_t n_data = pl_is_elementwise(op);
    if (op->n_inputs < n_data)
        return -1;
    /* No broadcasting: every data input has the output's element count. */
    for (int32_t k = 0; k < n_data; k++) {
        int32_t t = op->inputs[k];
        if (t < 0 || neurio_tensor_elements(&m->tensors[t]) !=
                         neurio_tensor_elements(to))
            return -1;
    }
    if (s->grp_kind[pl_find(s, o)] != NEURIO_MEM_ARENA)
        return -1;
    for (int32_t k = 0; k < n_data; k++) {
        int32_t t = op->inputs[k];
        int32_t r = pl_find(s, t);
        if (s->grp_kind[r] != NEURIO_MEM_ARENA)
            continue;
        if (neurio_dtype_size(m->tensors[t].dtype) !=
            neurio_dtype_size(to->dtype))
            continue;
        if (s->grp_last[r] != oi || m->tensors[t].is_variable)
            continue; /* someone reads it later, or it is state */
        if (pl_merge(s, t, o))
            return t;
    }
    return -1;
}

static int pl_cmp_size(const void *a, const void *b)
{
    const pl_buf *x = a, *y = b;
    if (x->bytes != y->bytes)
        return x->bytes < y->bytes ? 1 : -1;
    return x->first - y->first;
}
static int pl_cmp_first(const void *a, const void *b)
{
    const pl_buf *x = a, *y = b;
    if (x->first != y->first)
        return x->first - y->first;
    return x->bytes < y->bytes ? 1 : (x->bytes > y->bytes ? -1 : 0);
}
static int pl_cmp_duration(const void *a, const void *b)
{
    const pl_buf *x = a, *y = b;
    int32_t dx = x->last - x->first, dy = y->last - y->first;
    if (dx != dy)
        return dy - dx;
    return pl_cmp_size(a, b);
}
static int pl_cmp_area(const void *a, const void *b)
{
    const pl_buf *x = a, *y = b;
    double ax = (double)x->bytes * (x->last - x->first + 1);
    double ay = (double)y->bytes * (y->last - y->first + 1);
    if (ax != ay)
        return ax < ay ? 1 : -1;
    return pl_cmp_size(a, b);
}

/* Sizes of b[i] and b[j] as seen by each other: an overlap pair's output
 * counts only its gap, so it may start `gap` bytes (or more) below its input
 * and run on over it. */
static void pl_eff(const pl_buf *bi, const pl_buf *bj, size_t *si, size_t *sj)
{
    *si = bi->bytes;
    *sj = bj->bytes;
    if (bi->ov_in >= 0 && bi->ov_in == bj->tensor)
        *si = bi->ov_in_gap < bi->bytes ? bi->ov_in_gap : bi->bytes;
    if (bj->ov_in >= 0 && bj->ov_in == bi->tensor)
        *sj = bj->ov_in_gap < bj->bytes ? bj->ov_in_gap : bj->bytes;
}

static int pl_live_together(const pl_buf *x, const pl_buf *y)
{
    return x->first <= y->last && y->first <= x->last;
}

/* Greedy: place bufs in array order at the lowest aligned offset free of
 * every placed buffer live at the same time.  `tmp` holds n indices.
 * Returns the arena size. */
static size_t pl_place(pl_buf *b, size_t n, size_t align, size_t *tmp)
{
    size_t total = 0;
    for (size_t i = 0; i < n; i++) {
        size_t k = 0;
        for (size_t j = 0; j < i; j++)
            if (pl_live_together(&b[i], &b[j]))
                tmp[k++] = j;
        /* The lowest free offset is 0 or the aligned end of a neighbour. */
        size_t off = (size_t)-1;
        for (size_t c = 0; c <= k; c++) {
            size_t cand = 0;
            if (c < k) {
                size_t si, sj;
                pl_eff(&b[i], &b[tmp[c]], &si, &sj);
                cand = pl_align(b[tmp[c]].offset + sj, align);
            }
            if (cand >= off)
                continue;
            int ok = 1;
            for (size_t x = 0; x < k && ok; x++) {
                const pl_buf *o = &b[tmp[x]];
                size_t si, sj;
                pl_eff(&b[i], o, &si, &sj);
                if (cand < o->offset + sj && o->offset < cand + si)
                    ok = 0;
            }
            if (ok)
                off = cand;
        }
        b[i].offset = off;
        if (off + b[i].bytes > total)
            total = off + b[i].bytes;
    }
    return pl_align(total, align);
}

/* Latest first: an overlap pair's output comes before its input, so the
 * input can be placed just above it (chains of convs then step down). */
static int pl_cmp_last_first(const void *a, const void *b)
{
    const pl_buf *x = a, *y = b;
    if (x->first != y->first)
        return y->first - x->first;
    return x->bytes < y->bytes ? 1 : (x->bytes > y->bytes ? -1 : 0);
}
static int pl_cmp_size_late(const void *a, const void *b)
{
    const pl_buf *x = a, *y = b;
    if (x->bytes != y->bytes)
        return x->bytes < y->bytes ? 1 : -1;
    return y->first - x->first;
}

#define PL_SHUFFLES 256 /* most shuffled orders tried (pl_best_order) */

typedef struct pl_order {
    const char *name;
    int (*cmp)(const void *, const void *);
} pl_order;

static const pl_order pl_orders[] = {
    {"greedy by size", pl_cmp_size},
    {"greedy by size x lifetime", pl_cmp_area},
    {"greedy by lifetime", pl_cmp_duration},
    {"greedy by first use", pl_cmp_first},
    {"greedy by size, latest first", pl_cmp_size_late},
    {"greedy by latest first use", pl_cmp_last_first},
};

void neurio_plan_free(neurio_plan *p)
{
    if (!p)
        return;
    free(p->tensors);
    free(p->scratch_offset);
    free(p->scratch_bytes);
    free(p->op_elided);
    free(p->op_overlap_gap);
    free(p->op_overlap);
    free(p->chains);
    free(p->op_chain);
    free(p);
}

static int pl_check_indices(const neurio_model *m, neurio_errbuf *err)
{
    for (int32_t i = 0; i < m->n_ops; i++) {
        const neurio_op *op = &m->ops[i];
        for (int32_t k = 0; k < op->n_inputs; k++)
            if (op->inputs[k] < -1 || op->inputs[k] >= m->n_tensors)
                return neurio_fail(err, NEURIO_ERR_INVALID,
                                   "planner: op %d (%s) input %d refers to tensor %d, "
                                   "model has %d tensors",
                                   i, neurio_op_name(op->kind), k, op->inputs[k],
                                   m->n_tensors);
        for (int32_t k = 0; k < op->n_outputs; k++)
            if (op->outputs[k] < 0 || op->outputs[k] >= m->n_tensors)
                return neurio_fail(err, NEURIO_ERR_INVALID,
                                   "planner: op %d (%s) output %d refers to tensor %d, "
                                   "model has %d tensors",
                                   i, neurio_op_name(op->kind), k, op->outputs[k],
                                   m->n_tensors);
    }
    for (int32_t i = 0; i < m->n_inputs; i++)
        if (m->inputs[i] < 0 || m->inputs[i] >= m->n_tensors)
            return neurio_fail(err, NEURIO_ERR_INVALID,
                               "planner: graph input %d refers to tensor %d", i,
                               m->inputs[i]);
    for (int32_t i = 0; i < m->n_outputs; i++)
        if (m->outputs[i] < 0 || m->outputs[i] >= m->n_tensors)
            return neurio_fail(err, NEURIO_ERR_INVALID,
                               "planner: graph output %d refers to tensor %d", i,
                               m->outputs[i]);
    return NEURIO_OK;
}

static void pl_state_free(pl_state *s)
{
    free(s->parent);
    free(s->last_use);
    free(s->grp_last);
    free(s->grp_first);
    free(s->grp_bytes);
    free(s->grp_kind);
    free(s->grp_index);
    free(s->ov_in);
    free(s->ov_gap);
}

/* The union-find state and the plan's arrays, for nt tensors and no ops. */
static int pl_alloc(pl_state *s, size_t ntt, size_t noo, neurio_plan **out)
{
    neurio_plan *p = calloc(1, sizeof *p);
    *out = p;
    s->parent = malloc(ntt * sizeof *s->parent);
    s->last_use = malloc(ntt * sizeof *s->last_use);
    s->grp_last = malloc(ntt * sizeof *s->grp_last);
    s->grp_first = malloc(ntt * sizeof *s->grp_first);
    s->grp_bytes = malloc(ntt * sizeof *s->grp_bytes);
    s->grp_kind = malloc(ntt * sizeof *s->grp_kind);
    s->grp_index = malloc(ntt * sizeof *s->grp_index);
    s->ov_in = malloc(ntt * sizeof *s->ov_in);
    s->ov_gap = calloc(ntt, sizeof *s->ov_gap);
    if (!s->parent || !s->last_use || !s->grp_last || !s->grp_first || !s->grp_bytes ||
        !s->grp_kind || !s->grp_index || !s->ov_in || !s->ov_gap || !p)
        return NEURIO_ERR_NOMEM;
    p->tensors = calloc(ntt, sizeof *p->tensors);
    p->scratch_offset = calloc(noo, sizeof *p->scratch_offset);
    p->scratch_bytes = calloc(noo, sizeof *p->scratch_bytes);
    p->op_elided = calloc(noo, 1);
    p->op_overlap_gap = malloc(noo * sizeof *p->op_overlap_gap);
    p->op_overlap = calloc(noo, 1);
    if (!p->tensors || !p->scratch_offset || !p->scratch_bytes || !p->op_elided ||
        !p->op_overlap_gap || !p->op_overlap)
        return NEURIO_ERR_NOMEM;
    for (size_t i = 0; i < noo; i++)
        p->op_overlap_gap[i] = -1;
    return NEURIO_OK;
}

/* One group per tensor, with its kind (const, arena, graph input/output)
 * and its lifetime in op indices.  NEURIO_ERR_INVALID for an arena tensor
 * whose size is unknown. */
static int pl_init_groups(pl_state *s, const neurio_plan_options *opts, neurio_plan *p,
                          neurio_errbuf *err)
{
    const neurio_model *m = s->m;
    int32_t nt = m->n_tensors, no = m->n_ops;
    for (int32_t t = 0; t < nt; t++) {
        const neurio_tensor *tt = &m->tensors[t];
        s->parent[t] = t;
        s->last_use[t] = -1;
        s->grp_first[t] = -1;
        s->grp_bytes[t] = neurio_tensor_bytes(tt);
        s->grp_kind[t] = neurio_tensor_is_const(tt) ? NEURIO_MEM_CONST : NEURIO_MEM_ARENA;
        s->grp_index[t] = neurio_tensor_is_const(tt) ? t : -1;
        s->ov_in[t] = -1;
        p->tensors[t].alias_of = -1;
        p->tensors[t].first_op = -1;
        p->tensors[t].last_op = -1;
    }
    for (int32_t i = 0; i < no; i++) {
        const neurio_op *op = &m->ops[i];
        for (int32_t k = 0; k < op->n_inputs; k++)
            if (op->inputs[k] >= 0)
                s->last_use[op->inputs[k]] = i;
        for (int32_t k = 0; k < op->n_outputs; k++) {
            int32_t t = op->outputs[k];
            if (s->grp_first[t] < 0)
                s->grp_first[t] = i;
        }
    }
    for (int32_t i = 0; i < m->n_inputs; i++) {
        int32_t t = m->inputs[i];
        if (!opts->io_in_arena) {
            s->grp_kind[t] = NEURIO_MEM_INPUT;
            s->grp_index[t] = i;
        }
        s->grp_first[t] = 0;
    }
    for (int32_t i = 0; i < m->n_outputs; i++) {
        int32_t t = m->outputs[i];
        if (!opts->io_in_arena && s->grp_kind[t] == NEURIO_MEM_ARENA) {
            s->grp_kind[t] = NEURIO_MEM_OUTPUT;
            s->grp_index[t] = i;
        }
        s->last_use[t] = no > 0 ? no - 1 : 0; /* lives to the end */
    }
    for (int32_t t = 0; t < nt; t++) {
        s->grp_last[t] = s->last_use[t];
        if (s->grp_kind[t] == NEURIO_MEM_ARENA && s->grp_bytes[t] == 0 &&
            (s->grp_first[t] >= 0 || s->last_use[t] >= 0))
            return neurio_fail(err, NEURIO_ERR_INVALID,
                               "planner: tensor %d '%s' has unknown size (dtype %s, rank %d)",
                               t, m->tensors[t].name, neurio_dtype_name(m->tensors[t].dtype),
                               m->tensors[t].rank);
    }
    return NEURIO_OK;
}

/* Aliasing, in execution order: a RESHAPE's output is its input's bytes
 * (the op is elided), an elementwise op writes over a dying input. */
static void pl_alias(pl_state *s, const neurio_plan_options *opts, neurio_plan *p)
{
    const neurio_model *m = s->m;
    for (int32_t i = 0; i < m->n_ops; i++) {
        const neurio_op *op = &m->ops[i];
        if (p->op_chain[i] >= 0)
            continue; /* band chains: pl_band_pairs */
        if (op->kind == NEURIO_OP_RESHAPE && !opts->no_alias && op->n_inputs >= 1 &&
            op->n_outputs == 1 && op->inputs[0] >= 0) {
            int32_t in = op->inputs[0], o = op->outputs[0];
            if (!m->tensors[in].is_variable &&
                s->grp_bytes[pl_find(s, in)] >= neurio_tensor_bytes(&m->tensors[o]) &&
                neurio_tensor_bytes(&m->tensors[in]) == neurio_tensor_bytes(&m->tensors[o]) &&
                pl_merge(s, in, o)) {
                p->tensors[o].alias_of = in;
                p->op_elided[i] = 1;
            }
            continue;
        }
        if (!opts->no_inplace && pl_is_elementwise(op)) {
            int32_t in = pl_try_inplace(s, i, op);
            if (in >= 0)
                p->tensors[op->outputs[0]].alias_of = in;
        }
    }
}

/* Overlap pairs: a conv whose input group dies at it may write its output
 * over the input rows it has finished with (pl_overlap_gap). */
static void pl_find_overlaps(pl_state *s, const neurio_plan_options *opts, neurio_plan *p)
{
    const neurio_model *m = s->m;
    for (int32_t i = 0; i < m->n_ops; i++) {
        const neurio_op *op = &m->ops[i];
        int rows_1x1 = opts->op_rows_1x1 && opts->op_rows_1x1[i];
        int64_t gap = p->op_chain[i] >= 0 ? -1 : pl_overlap_gap(m, op, rows_1x1);
        if (gap < 0)
            continue;
        int32_t rin = pl_find(s, op->inputs[0]), rout = pl_find(s, op->outputs[0]);
        if (rin == rout || s->grp_kind[rin] != NEURIO_MEM_ARENA ||
            s->grp_kind[rout] != NEURIO_MEM_ARENA || s->grp_last[rin] != i ||
            s->grp_first[rout] != i || s->ov_in[rout] >= 0)
            continue;
        int ok = 1;
        for (int32_t k = 1; k < op->n_inputs; k++)
            if (op->inputs[k] >= 0 && pl_find(s, op->inputs[k]) == rin)
                ok = 0; /* read twice: keep it simple */
        for (int32_t k = 0; k < m->n_outputs; k++)
            if (pl_find(s, m->outputs[k]) == rin)
                ok = 0; /* a graph output (io_in_arena) must survive */
        if (!ok)
            continue;
        s->ov_in[rout] = rin;
        s->ov_gap[rout] = (size_t)gap;
        p->op_overlap_gap[i] = gap;
    }
}

/* Band chains: the ops of a chain are one step for lifetimes (all moved
 * to its first op), the tensors inside it hold only their windows. */
static void pl_band_lifetimes(pl_state *s, neurio_plan *p)
{
    const neurio_model *m = s->m;
    for (int32_t c = 0; c < p->n_chains; c++) {
        const neurio_band_chain *ch = &p->chains[c];
        int32_t f = ch->first_op, l = ch->last_op;
        for (int32_t t = 0; t < m->n_tensors; t++) {
            if (s->last_use[t] > f && s->last_use[t] <= l)
                s->last_use[t] = s->grp_last[t] = f;
            if (s->grp_first[t] > f && s->grp_first[t] <= l)
                s->grp_first[t] = f;
        }
        for (int32_t k = f; k < l; k++)
            s->grp_bytes[m->ops[k].outputs[0]] = pl_band_window_bytes(m, ch, k);
    }
}

/* A chain whose input dies in it: its output goes over the input, in
 * place (one storage group) or as an overlap pair with the chain's gap. */
static int pl_band_pairs(pl_state *s, neurio_plan *p)
{
    const neurio_model *m = s->m;
    for (int32_t c = 0; c < p->n_chains; c++) {
        neurio_band_chain *ch = &p->chains[c];
        int32_t r0 = pl_find(s, ch->in_tensor), rn = pl_find(s, ch->out_tensor);
        if (r0 == rn || s->grp_kind[r0] != NEURIO_MEM_ARENA ||
            s->grp_kind[rn] != NEURIO_MEM_ARENA || s->grp_last[r0] != ch->first_op ||
            s->grp_first[rn] != ch->first_op || s->ov_in[rn] >= 0 ||
            m->tensors[r0].is_variable || m->tensors[ch->in_tensor].is_variable)
            continue;
        int gone = 0;
        for (int32_t k = 0; k < m->n_outputs; k++)
            if (pl_find(s, m->outputs[k]) == r0)
                gone = 1; /* a graph output (io_in_arena) must survive */
        if (gone)
            continue;
        int ip = 0;
        int64_t gap = pl_band_gap(m, ch->first_op, ch->last_op, ch->rows, &ip);
        if (gap < -1)
            return NEURIO_ERR_NOMEM;
        if (ip && pl_merge(s, ch->in_tensor, ch->out_tensor)) {
            ch->in_place = 1;
            ch->gap = 0;
            p->tensors[ch->out_tensor].alias_of = ch->in_tensor;
        } else if (gap >= 0 && !ip) {
            s->ov_in[rn] = r0;
            s->ov_gap[rn] = (size_t)gap;
            ch->gap = gap;
        }
    }
    return NEURIO_OK;
}

/* The arena buffers: one per group root (state groups only counted into
 * p->state_bytes, placed below the rest), plus each op's scratch.
 * Returns how many were written to bufs. */
static size_t pl_collect(pl_state *s, const neurio_plan_options *opts, size_t align,
                         neurio_plan *p, pl_buf *bufs)
{
    const neurio_model *m = s->m;
    size_t nb = 0;
    for (int32_t t = 0; t < m->n_tensors; t++) {
        if (pl_find(s, t) != t || s->grp_kind[t] != NEURIO_MEM_ARENA)
            continue;
        if (m->tensors[t].is_variable) {
            p->state_bytes += pl_align(s->grp_bytes[t], align);
            continue; /* the state prefix, placed below */
        }
        if (s->grp_first[t] < 0 && s->grp_last[t] < 0)
            continue; /* unused */
        int32_t first = s->grp_first[t] >= 0 ? s->grp_first[t] : 0;
        int32_t last = s->grp_last[t] >= first ? s->grp_last[t] : first;
        bufs[nb++] = (pl_buf){.bytes = s->grp_bytes[t], .first = first, .last = last,
                              .tensor = t, .ov_in = s->ov_in[t], .ov_in_gap = s->ov_gap[t]};
    }
    for (int32_t i = 0; i < m->n_ops; i++) {
        size_t sb = opts->op_scratch ? opts->op_scratch[i] : 0;
        p->scratch_bytes[i] = sb;
        if (sb)
            bufs[nb++] = (pl_buf){.bytes = sb, .first = i, .last = i, .tensor = -1 - i,
                                  .ov_in = -1};
    }
    return nb;
}

/* The two figures a plan is judged against: every buffer side by side
 * (naive_bytes) and the most bytes live during one op (peak_live_bytes). */
static void pl_bounds(const pl_state *s, const pl_buf *bufs, size_t nb, size_t align,
                      neurio_plan *p)
{
    for (size_t i = 0; i < nb; i++)
        p->naive_bytes += pl_align(bufs[i].bytes, align);
    for (int32_t i = 0; i < s->m->n_ops; i++) {
        size_t live = 0;
        for (size_t k = 0; k < nb; k++)
            if (bufs[k].first <= i && i <= bufs[k].last)
                live += pl_align(bufs[k].bytes, align);
        /* an overlap pair at op i needs only max(out, gap + in) */
        for (size_t k = 0; k < nb; k++) {
            if (bufs[k].ov_in < 0 || bufs[k].first != i)
                continue;
            size_t out_b = pl_align(bufs[k].bytes, align);
            size_t in_b = pl_align(s->grp_bytes[bufs[k].ov_in], align);
            size_t need = pl_align(bufs[k].ov_in_gap, align) + in_b;
            if (need < out_b)
                need = out_b;
            if (need < in_b + out_b)
                live -= in_b + out_b - need;
        }
        if (live > p->peak_live_bytes)
            p->peak_live_bytes = live;
    }
}

/* Place the buffers in every order of pl_orders and keep the smallest
 * arena in best (the first order wins ties).  Returns its size. */
static size_t pl_best_order(pl_buf *bufs, pl_buf *best, size_t nb, size_t align, size_t *tmp,
                            neurio_plan *p)
{
    size_t best_total = (size_t)-1;
    for (size_t o = 0; o < sizeof pl_orders / sizeof pl_orders[0]; o++) {
        qsort(bufs, nb, sizeof *bufs, pl_orders[o].cmp);
        size_t total = pl_place(bufs, nb, align, tmp);
        if (total < best_total) {
            best_total = total;
            memcpy(best, bufs, nb * sizeof *bufs);
            p->strategy = pl_orders[o].name;
        }
    }
    /* Still above the peak of live bytes: shuffled orders (a fixed seed,
     * so plans are reproducible), as many as keep the work near 2^24
     * buffer pairs, stopping at the peak. */
    uint32_t seed = 0x9e3779b9u;
    size_t tries = nb > 1 ? ((size_t)1 << 24) / (nb * nb) : 0;
    tries = tries > PL_SHUFFLES ? PL_SHUFFLES : tries;
    for (size_t k = 0; k < tries && best_total > pl_align(p->peak_live_bytes, align); k++) {
        memcpy(bufs, best, nb * sizeof *bufs);
        for (size_t i = nb - 1; i > 0; i--) {
            seed = seed * 1664525u + 1013904223u;
            size_t j = (size_t)(seed >> 8) % (i + 1);
            pl_buf t = bufs[i];
            bufs[i] = bufs[j];
            bufs[j] = t;
        }
        size_t total = pl_place(bufs, nb, align, tmp);
        if (total < best_total) {
            best_total = total;
            memcpy(best, bufs, nb * sizeof *bufs);
            p->strategy = "greedy, shuffled order";
        }
    }
    if (!p->strategy)
        p->strategy = "empty";
    return best_total;
}

/* Write placements: group offsets to roots (state groups first, from 0),
 * then to every member tensor; root_off has one entry per tensor. */
static void pl_write_places(pl_state *s, const pl_buf *best, size_t nb, size_t align,
                            size_t *root_off, neurio_plan *p)
{
    const neurio_model *m = s->m;
    int32_t nt = m->n_tensors, no = m->n_ops;
    for (int32_t t = 0; t < nt; t++)
        root_off[t] = 0;
    for (size_t i = 0; i < nb; i++) {
        if (best[i].tensor >= 0)
            root_off[best[i].tensor] = p->state_bytes + best[i].offset;
        else
            p->scratch_offset[-1 - best[i].tensor] = p->state_bytes + best[i].offset;
    }
    for (int32_t t = 0, at = 0; t < nt; t++)
        if (m->tensors[t].is_variable && pl_find(s, t) == t &&
            s->grp_kind[t] == NEURIO_MEM_ARENA) {
            root_off[t] = (size_t)at;
            at += (int32_t)pl_align(s->grp_bytes[t], align);
        }
    for (int32_t t = 0; t < nt; t++) {
        int32_t r = pl_find(s, t);
        neurio_tensor_place *pl = &p->tensors[t];
        pl->kind = s->grp_kind[r];
        pl->index = s->grp_index[r];
        pl->group = r;
        pl->bytes = neurio_tensor_bytes(&m->tensors[t]);
        if (p->op_chain && m->n_ops > 0) /* a chain's inside: its window */
            for (int32_t c = 0; c < p->n_chains; c++)
                for (int32_t k = p->chains[c].first_op; k < p->chains[c].last_op; k++)
                    if (m->ops[k].outputs[0] == t)
                        pl->bytes = s->grp_bytes[t];
        if (pl->kind == NEURIO_MEM_ARENA && m->tensors[r].is_variable) {
            pl->offset = root_off[r]; /* state: the whole run, every run */
            pl->first_op = 0;
            pl->last_op = no > 0 ? no - 1 : 0;
        } else if (pl->kind == NEURIO_MEM_ARENA) {
            if (s->grp_first[r] < 0 && s->grp_last[r] < 0) {
                pl->kind = NEURIO_MEM_NONE;
                continue;
            }
            pl->offset = root_off[r];
            pl->first_op = s->grp_first[r] >= 0 ? s->grp_first[r] : 0;
            pl->last_op = s->grp_last[r] >= pl->first_op ? s->grp_last[r] : pl->first_op;
        }
    }
    for (int32_t i = 0; i < no; i++) {
        if (p->op_overlap_gap[i] < 0)
            continue;
        const neurio_op *op = &m->ops[i];
        int32_t a = op->inputs[0], b = op->outputs[0];
        size_t oa = p->tensors[a].offset, ob = p->tensors[b].offset;
        p->op_overlap[i] = oa < ob + neurio_tensor_bytes(&m->tensors[b]) &&
                           ob < oa + neurio_tensor_bytes(&m->tensors[a]);
    }
}

static int pl_plan_one(const neurio_model *m, const neurio_plan_options *opts,
                       neurio_plan **out, neurio_errbuf *err);

int neurio_plan_model(const neurio_model *m, const neurio_plan_options *opts,
                      neurio_plan **out, neurio_errbuf *err)
{
    if (!opts || opts->band_rows < 1)
        return pl_plan_one(m, opts, out, err);
    /* banded: kept only when its arena is smaller than the plain plan's */
    neurio_plan_options plain = *opts;
    neurio_plan *pb = NULL, *pp = NULL;
    plain.band_rows = 0;
    int rc = pl_plan_one(m, opts, &pb, err);
    if (!rc)
        rc = pl_plan_one(m, &plain, &pp, err);
    if (rc) {
        neurio_plan_free(pb);
        if (out)
            *out = NULL;
        return rc;
    }
    if (pb->arena_bytes < pp->arena_bytes) {
        neurio_plan_free(pp);
        *out = pb;
    } else {
        neurio_plan_free(pb);
        *out = pp;
    }
    return NEURIO_OK;
}

static int pl_plan_one(const neurio_model *m, const neurio_plan_options *opts,
                       neurio_plan **out, neurio_errbuf *err)
{
    static const neurio_plan_options defaults = {.alignment = 16};
    pl_state s = {.m = m};
    pl_buf *bufs = NULL, *best = NULL;
    size_t *tmp = NULL;
    neurio_plan *p = NULL;
    if (!m || !out)
        return neurio_fail(err, NEURIO_ERR_INVALID, "planner: NULL model or output");
    *out = NULL;
    if (!opts)
        opts = &defaults;
    size_t align = opts->alignment ? opts->alignment : 16;
    int32_t nt = m->n_tensors, no = m->n_ops;
    int rc = pl_check_indices(m, err);
    if (rc)
        return rc;
    size_t ntt = nt > 0 ? (size_t)nt : 1, noo = no > 0 ? (size_t)no : 1;
    if ((rc = pl_alloc(&s, ntt, noo, &p)) != NEURIO_OK)
        goto fail;
    p->n_tensors = nt;
    p->n_ops = no;
    p->alignment = align;
    if ((rc = pl_init_groups(&s, opts, p, err)) != NEURIO_OK)
        goto fail;
    if ((rc = pl_band_find(m, opts->band_rows, align, p)) != NEURIO_OK)
        goto fail;
    pl_band_lifetimes(&s, p);
    pl_alias(&s, opts, p);
    if ((rc = pl_band_pairs(&s, p)) != NEURIO_OK)
        goto fail; /* before the conv overlaps: they see the merged groups */
    if (!opts->no_overlap)
        pl_find_overlaps(&s, opts, p);

    rc = NEURIO_ERR_NOMEM;
    bufs = calloc(ntt + noo, sizeof *bufs);
    best = calloc(ntt + noo, sizeof *best);
    tmp = calloc(ntt + noo, sizeof *tmp);
    if (!bufs || !best || !tmp)
        goto fail;
    size_t nb = pl_collect(&s, opts, align, p, bufs);
    pl_bounds(&s, bufs, nb, align, p);
    size_t best_total = pl_best_order(bufs, best, nb, align, tmp, p);
    p->arena_bytes = (nb ? best_total : 0) + p->state_bytes;
    p->naive_bytes += p->state_bytes;
    p->peak_live_bytes += p->state_bytes;
    pl_write_places(&s, best, nb, align, tmp /* reused: one offset per tensor */, p);
    *out = p;
    p = NULL;
    rc = NEURIO_OK;
fail:
    if (rc == NEURIO_ERR_NOMEM)
        neurio_fail(err, rc, "planner: out of memory planning %d tensors", nt);
    pl_state_free(&s);
    free(bufs);
    free(best);
    free(tmp);
    neurio_plan_free(p);
    return rc;
}

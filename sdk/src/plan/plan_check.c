/* sdk/src/plan/plan_check.c — neurio_plan_check: an independent check of
 * a plan against its model (neurio/planner.h). */
#include "plan_internal.h"

/* Whether arena tensors `in` and `out` may share bytes: the only storage
 * live at once that may is an overlap pair, the input group dying at an op
 * of the overlap table (plan_overlap.c) that starts writing the output group, with the output at least the gap
 * (recomputed here from the model) below the input. */
static int pl_check_pair(const neurio_model *m, const neurio_plan *p, int32_t in,
                         int32_t out)
{
    const neurio_tensor_place *pi = &p->tensors[in], *po = &p->tensors[out];
    int32_t i = pi->last_op;
    if (i < 0 || i >= m->n_ops || po->first_op != i || pi->first_op > i)
        return 0;
    const neurio_op *op = &m->ops[i];
    /* a 1x1 conv counts with the row-pair kernel: the code generator
     * refuses a plan that overlaps one it cannot run that way */
    int64_t gap = pl_overlap_gap(m, op, 1);
    if (gap < 0 || p->tensors[op->inputs[0]].group != pi->group ||
        p->tensors[op->outputs[0]].group != po->group || pi->group == po->group)
        return 0;
    for (int32_t k = 0; k < m->n_outputs; k++)
        if (p->tensors[m->outputs[k]].kind == NEURIO_MEM_ARENA &&
            p->tensors[m->outputs[k]].group == pi->group)
            return 0;
    return po->offset + (size_t)gap <= pi->offset;
}

/* Whether in and out are a band chain's input and output placed at least
 * the chain's gap (recomputed from the model) apart. */
static int pl_check_band_pair(const neurio_model *m, const neurio_plan *p, int32_t in,
                              int32_t out)
{
    const neurio_tensor_place *pi = &p->tensors[in], *po = &p->tensors[out];
    for (int32_t c = 0; c < p->n_chains; c++) {
        const neurio_band_chain *ch = &p->chains[c];
        if (p->tensors[ch->in_tensor].group != pi->group ||
            p->tensors[ch->out_tensor].group != po->group || pi->group == po->group ||
            pi->last_op != ch->first_op || po->first_op != ch->first_op)
            continue;
        int ip = 0;
        int64_t gap = pl_band_gap(m, ch->first_op, ch->last_op, ch->rows, &ip);
        if (gap >= 0 && !ip && po->offset + (size_t)gap <= pi->offset)
            return 1;
    }
    return 0;
}

/* The band chains themselves: valid chains, lifetimes on the first op,
 * windows at least as large as the schedule needs, in place only where
 * the schedule allows it. */
static int pl_check_bands(const neurio_model *m, const neurio_plan *p, neurio_errbuf *err)
{
    for (int32_t c = 0; c < p->n_chains; c++) {
        const neurio_band_chain *ch = &p->chains[c];
        if (!p->op_chain || !pl_band_chain_valid(m, ch))
            return neurio_fail(err, NEURIO_ERR_INTERNAL, "plan check: band chain %d (ops "
                               "%d..%d) is not a chain", c, ch->first_op, ch->last_op);
        for (int32_t k = ch->first_op; k < ch->last_op; k++) {
            const neurio_tensor_place *pk = &p->tensors[m->ops[k].outputs[0]];
            if (p->op_chain[k] != c || pk->kind != NEURIO_MEM_ARENA ||
                pk->bytes < pl_band_window_bytes(m, ch, k) || pk->first_op != ch->first_op ||
                pk->last_op != ch->first_op)
                return neurio_fail(err, NEURIO_ERR_INTERNAL, "plan check: band chain %d: "
                                   "the output of op %d has no window of its own", c, k);
        }
        if (p->tensors[ch->in_tensor].group == p->tensors[ch->out_tensor].group) {
            int ip = 0;
            if (pl_band_gap(m, ch->first_op, ch->last_op, ch->rows, &ip) != 0 || !ip)
                return neurio_fail(err, NEURIO_ERR_INTERNAL, "plan check: band chain %d "
                                   "(ops %d..%d) writes its output over its input, which "
                                   "its schedule does not allow", c, ch->first_op,
                                   ch->last_op);
        }
    }
    return NEURIO_OK;
}

int neurio_plan_check(const neurio_model *m, const neurio_plan *p,
                      neurio_errbuf *err)
{
    if (!m || !p || p->n_tensors != m->n_tensors || p->n_ops != m->n_ops)
        return neurio_fail(err, NEURIO_ERR_INTERNAL, "plan check: plan does not match model");
    int brc = pl_check_bands(m, p, err);
    if (brc)
        return brc;
    for (int32_t a = 0; a < m->n_tensors; a++) {
        const neurio_tensor_place *pa = &p->tensors[a];
        if (pa->kind != NEURIO_MEM_ARENA)
            continue;
        size_t ba = pa->bytes ? pa->bytes : neurio_tensor_bytes(&m->tensors[a]);
        if (pa->offset % p->alignment || pa->offset + ba > p->arena_bytes)
            return neurio_fail(err, NEURIO_ERR_INTERNAL,
                               "plan check: tensor %d '%s' at %zu+%zu outside arena %zu "
                               "or misaligned", a, m->tensors[a].name, pa->offset, ba,
                               p->arena_bytes);
        for (int32_t b = a + 1; b < m->n_tensors; b++) {
            const neurio_tensor_place *pb = &p->tensors[b];
            if (pb->kind != NEURIO_MEM_ARENA)
                continue;
            if (pb->group == pa->group)
                continue; /* one storage (RESHAPE alias or in place) */
            size_t bb = pb->bytes ? pb->bytes : neurio_tensor_bytes(&m->tensors[b]);
            int time = pa->first_op <= pb->last_op && pb->first_op <= pa->last_op;
            int space = pa->offset < pb->offset + bb && pb->offset < pa->offset + ba;
            if (time && space && !pl_check_pair(m, p, a, b) && !pl_check_pair(m, p, b, a) &&
                !pl_check_band_pair(m, p, a, b) && !pl_check_band_pair(m, p, b, a))
                return neurio_fail(err, NEURIO_ERR_INTERNAL,
                                   "plan check: tensors %d '%s' [%zu,+%zu) ops %d..%d and %d "
                                   "'%s' [%zu,+%zu) ops %d..%d overlap",
                                   a, m->tensors[a].name, pa->offset, ba, pa->first_op,
                                   pa->last_op, b, m->tensors[b].name, pb->offset, bb,
                                   pb->first_op, pb->last_op);
        }
        for (int32_t i = 0; i < m->n_ops; i++) {
            size_t sb = p->scratch_bytes[i];
            if (!sb || i < pa->first_op || i > pa->last_op)
                continue;
            size_t so = p->scratch_offset[i];
            if (pa->offset < so + sb && so < pa->offset + ba)
                return neurio_fail(err, NEURIO_ERR_INTERNAL,
                                   "plan check: scratch of op %d overlaps tensor %d '%s'", i,
                                   a, m->tensors[a].name);
        }
    }
    return NEURIO_OK;
}

/* sdk/src/optimize/optimize_schedule.c — op order for less memory: a
 * tensor t read by exactly two ops A (first) and B (later), where A starts
 * a chain (the op right after A reads A's output) and B could run before A
 * (every other input of B exists before A) and B's output is smaller than
 * t: B moves to just before A.  Then t dies at A instead of living through
 * A's chain (ResNet's shortcut 1x1 convolution runs before the block's
 * strided 3x3 convolution, which can then write over its dying input).
 * The same kernels run with the same parameters: only the order changes.
 * After the move A's follower reads A's output, B's follower (A) does not
 * read B's, so the rule never swaps them back.  One move per call. */
#include <string.h>

#include "optimize_internal.h"

static int sch_reads(const neurio_op *op, int32_t t)
{
    for (int32_t k = 0; k < op->n_inputs; k++)
        if (op->inputs[k] == t)
            return 1;
    return 0;
}

/* B (index b) may run at index a: no input of B is written by ops a..b-1,
 * no state, one output. */
static int sch_movable(const neurio_model *m, int32_t a, int32_t b)
{
    const neurio_op *ob = &m->ops[b];
    if (ob->n_outputs != 1 || ob->outputs[0] < 0)
        return 0;
    for (int32_t k = 0; k < ob->n_inputs; k++) {
        int32_t t = ob->inputs[k];
        if (t < 0)
            continue;
        if (m->tensors[t].is_variable)
            return 0;
        for (int32_t i = a; i < b; i++)
            for (int32_t o = 0; o < m->ops[i].n_outputs; o++)
                if (m->ops[i].outputs[o] == t)
                    return 0;
    }
    return 1;
}

int nopt_schedule_memory(neurio_model *m, neurio_errbuf *err)
{
    (void)err;
    for (int32_t a = 0; a + 2 < m->n_ops; a++) {
        const neurio_op *oa = &m->ops[a];
        if (oa->removed || oa->n_outputs != 1 || oa->outputs[0] < 0 ||
            !sch_reads(&m->ops[a + 1], oa->outputs[0]))
            continue;
        for (int32_t k = 0; k < oa->n_inputs; k++) {
            int32_t t = oa->inputs[k];
            if (t < 0 || neurio_tensor_is_const(&m->tensors[t]) || nopt_is_graph_output(m, t))
                continue;
            int32_t b = -1, n = 0;
            for (int32_t i = 0; i < m->n_ops; i++)
                if (!m->ops[i].removed && sch_reads(&m->ops[i], t)) {
                    n++;
                    if (i > a)
                        b = i;
                }
            if (n != 2 || b < 0 || m->ops[b].removed || !sch_movable(m, a, b) ||
                neurio_tensor_bytes(&m->tensors[m->ops[b].outputs[0]]) >=
                    neurio_tensor_bytes(&m->tensors[t]))
                continue;
            neurio_op moved = m->ops[b];
            memmove(&m->ops[a + 1], &m->ops[a], (size_t)(b - a) * sizeof *m->ops);
            m->ops[a] = moved;
            return 1; /* one move per round (neurio_optimize repeats) */
        }
    }
    return 0;
}

/* sdk/src/optimize/optimize_dead.c — dead-op elimination: ops none of whose outputs
 * is read by a live op or the graph are removed (tensors that end up
 * unreferenced are dropped by neurio_model_compact). */
#include <stdlib.h>

#include "optimize_internal.h"

int nopt_remove_dead(neurio_model *m, neurio_errbuf *err)
{
    unsigned char *live = calloc((size_t)m->n_tensors + 1, 1);
    if (!live)
        return neurio_fail(err, NEURIO_ERR_NOMEM, "out of memory");
    for (int32_t i = 0; i < m->n_outputs; i++)
        live[m->outputs[i]] = 1;
    int n = 0;
    /* ops are in topological order: walk backwards */
    for (int32_t i = m->n_ops - 1; i >= 0; i--) {
        neurio_op *op = &m->ops[i];
        if (op->removed)
            continue;
        int used = 0;
        for (int32_t k = 0; k < op->n_outputs; k++)
            used |= live[op->outputs[k]];
        if (!used) {
            op->removed = 1;
            n++;
            continue;
        }
        for (int32_t k = 0; k < op->n_inputs; k++)
            if (op->inputs[k] >= 0)
                live[op->inputs[k]] = 1;
    }
    free(live);
    return n;
}

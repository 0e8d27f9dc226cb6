/* sdk/src/codegen/codegen_check.c — can this model be deployed?  Every op
 * lowered as the generator would (lower/lower.h), nothing written: the
 * answer `neurio inspect`, `neurio check` and the conformance tests give
 * before anything is built. */
#include <stdio.h>
#include <string.h>

#include "codegen_internal.h"

/* The op's data input (input 0). */
static neurio_dtype cg_data_dtype(const neurio_model *m, const neurio_op *op)
{
    int32_t k = 0;
    if (k >= op->n_inputs || op->inputs[k] < 0 || op->inputs[k] >= m->n_tensors)
        return NEURIO_DT_UNKNOWN;
    return m->tensors[op->inputs[k]].dtype;
}

int32_t neurio_codegen_check(const neurio_model *m, neurio_unsupported_op *out, int32_t max,
                             neurio_errbuf *err)
{
    int32_t bad = 0;
    if (!m)
        return neurio_fail(err, NEURIO_ERR_INVALID, "codegen check: no model");
    for (int32_t i = 0; i < m->n_ops; i++) {
        const neurio_op *op = &m->ops[i];
        neurio_errbuf e = {{0}};
        lw_op l;
        int rc = lw_lower(m, i, &l, &e);
        lw_op_free(&l);
        if (rc == NEURIO_ERR_NOMEM)
            return neurio_fail(err, rc, "codegen check: %s", e.msg);
        if (!rc)
            continue;
        if (out && bad < max) {
            neurio_unsupported_op *u = &out[bad];
            memset(u, 0, sizeof *u);
            u->op_index = i;
            u->kind = op->kind;
            u->in_dtype = cg_data_dtype(m, op);
            u->out_dtype = op->n_outputs > 0 && op->outputs[0] >= 0 && op->outputs[0] < m->n_tensors
                               ? m->tensors[op->outputs[0]].dtype
                               : NEURIO_DT_UNKNOWN;
            u->status = rc;
            snprintf(u->reason, sizeof u->reason, "%s", e.msg);
        }
        bad++;
    }
    return bad;
}

const char *neurio_unsupported_op_str(const neurio_unsupported_op *u, char *buf, size_t size)
{
    snprintf(buf, size, "%s %s->%s", neurio_op_name(u->kind), neurio_dtype_name(u->in_dtype),
             neurio_dtype_name(u->out_dtype));
    return buf;
}

int neurio_codegen_check_all(const neurio_model *m, neurio_errbuf *err)
{
    neurio_unsupported_op u[32];
    int32_t n = neurio_codegen_check(m, u, 32, err);
    if (n <= 0)
        return n < 0 ? n : NEURIO_OK;
    char list[700] = "";
    size_t o = 0;
    for (int32_t i = 0; i < n && i < 32 && o < sizeof list; i++) {
        char one[96];
        neurio_unsupported_op_str(&u[i], one, sizeof one);
        if (!strstr(list, one))
            o += (size_t)snprintf(list + o, sizeof list - o, "%s%s", o ? "; " : "", one);
    }
    return neurio_fail(err, NEURIO_ERR_UNSUPPORTED, "%d op(s) cannot be deployed, no kernel for: "
                       "%s (first: %s)", (int)n, list, u[0].reason);
}

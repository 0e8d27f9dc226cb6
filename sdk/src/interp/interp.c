/* sdk/src/interp/interp.c — reference interpreter of the IR on the host.
 *
 * Every op is lowered once, when the interpreter is made, by the same
 * lowering the code generator uses (lower/lower.h): the same portable kernel
 * with the same parameters runs here and on the devices.  The few ops with
 * no device kernel (float BATCH_NORM and MATMUL) are plain loops
 * in interp_host.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "interp_internal.h"
#include "lower/lower_state.h"

static int it_fail_op(const neurio_model *m, int32_t i, neurio_errbuf *err, int st,
                      const char *what)
{
    const neurio_op *op = &m->ops[i];
    return neurio_fail(err, st, "interpreter: op %d (%s '%s'): %s", (int)i,
                       neurio_op_name(op->kind), op->name ? op->name : "", what);
}

/* Lowers op i and resolves its operand buffers (it->buf must be set). */
static int it_prepare_op(neurio_interp *it, int32_t i, neurio_errbuf *err)
{
    const neurio_model *m = it->m;
    if (m->ops[i].removed || nit_host_only(m, &m->ops[i]) || nlw_is_state_op(m->ops[i].kind))
        return NEURIO_OK; /* state ops: dtypes checked by neurio_model_validate */
    neurio_errbuf e = {{0}};
    int rc = lw_lower(m, i, &it->low[i], &e);
    if (rc)
        return neurio_fail(err, rc, "interpreter: %s", e.msg);
    const lw_op *l = &it->low[i];
    it->args[i] = calloc((size_t)l->n_args, sizeof *it->args[i]);
    if (!it->args[i])
        return neurio_fail(err, NEURIO_ERR_NOMEM, "out of memory");
    for (int32_t k = 0; k < l->n_args; k++)
        it->args[i][k] = l->args[k] >= 0 ? it->buf[l->args[k]] : NULL;
    return NEURIO_OK;
}

int neurio_interp_new(const neurio_model *m, neurio_interp **out, neurio_errbuf *err)
{
    *out = NULL;
    neurio_interp *it = calloc(1, sizeof *it);
    int rc = NEURIO_OK;
    if (!it)
        return neurio_fail(err, NEURIO_ERR_NOMEM, "out of memory");
    it->m = m;
    it->buf = calloc((size_t)m->n_tensors + 1, sizeof *it->buf);
    it->owned = calloc((size_t)m->n_tensors + 1, 1);
    it->low = calloc((size_t)m->n_ops + 1, sizeof *it->low);
    it->args = calloc((size_t)m->n_ops + 1, sizeof *it->args);
    if (!it->buf || !it->owned || !it->low || !it->args) {
        rc = neurio_fail(err, NEURIO_ERR_NOMEM, "out of memory");
        goto fail;
    }
    for (int32_t t = 0; t < m->n_tensors; t++) {
        const neurio_tensor *tt = &m->tensors[t];
        if (tt->data) {
            it->buf[t] = tt->data;
            continue;
        }
        size_t b = neurio_tensor_bytes(tt);
        it->buf[t] = calloc(b ? b : 1, 1);
        if (!it->buf[t]) {
            rc = neurio_fail(err, NEURIO_ERR_NOMEM, "out of memory for tensor %d", (int)t);
            goto fail;
        }
        it->owned[t] = 1;
    }
    for (int32_t i = 0; i < m->n_ops; i++)
        if ((rc = it_prepare_op(it, i, err)) != NEURIO_OK)
            goto fail;
    neurio_interp_reset_state(it);
    *out = it;
    return NEURIO_OK;
fail:
    neurio_interp_free(it);
    return rc;
}

void neurio_interp_free(neurio_interp *it)
{
    if (!it)
        return;
    if (it->buf && it->owned)
        for (int32_t t = 0; t < it->m->n_tensors; t++)
            if (it->owned[t])
                free(it->buf[t]);
    for (int32_t i = 0; it->low && it->args && i < it->m->n_ops; i++) {
        lw_op_free(&it->low[i]);
        free(it->args[i]);
    }
    free(it->low);
    free(it->args);
    free(it->buf);
    free(it->owned);
    free(it);
}

const void *neurio_interp_tensor(const neurio_interp *it, int32_t t)
{
    if (!it || t < 0 || t >= it->m->n_tensors)
        return NULL;
    return it->buf[t];
}

void neurio_interp_set_stateful(neurio_interp *it, int stateful)
{
    it->stateful = stateful != 0;
}

void neurio_interp_reset_state(neurio_interp *it)
{
    for (int32_t t = 0; t < it->m->n_tensors; t++) {
        const neurio_tensor *tt = &it->m->tensors[t];
        if (tt->is_variable && it->owned[t])
            memset(it->buf[t], nlw_state_reset_byte(tt), neurio_tensor_bytes(tt));
    }
}

void neurio_interp_set_hook(neurio_interp *it, neurio_interp_hook fn, void *user)
{
    it->hook = fn;
    it->user = user;
}

int neurio_interp_run(neurio_interp *it, const void *const *inputs, void *const *outputs,
                      neurio_errbuf *err)
{
    const neurio_model *m = it->m;
    if (!it->stateful)
        neurio_interp_reset_state(it);
    for (int32_t i = 0; i < m->n_inputs; i++) {
        int32_t t = m->inputs[i];
        memcpy(it->buf[t], inputs[i], neurio_tensor_bytes(&m->tensors[t]));
    }
    for (int32_t i = 0; i < m->n_ops; i++) {
        const neurio_op *op = &m->ops[i];
        if (op->removed)
            continue;
        neurio_errbuf e2 = { { 0 } };
        int rc = it->args[i]                   ? nit_call(&it->low[i], it->args[i])
                 : nlw_is_state_op(op->kind) ? nit_op_state(it, i, &e2)
                                             : nit_host_op(it, op);
        if (rc != NK_OK)
            return it_fail_op(m, i, err, NEURIO_ERR_INVALID,
                              e2.msg[0] ? e2.msg
                                        : "the kernel rejected its parameters (inconsistent "
                                          "shapes or quantization?)");
        if (it->hook && it->hook(it->user, it, i))
            return it_fail_op(m, i, err, NEURIO_ERR_CANCELLED, "stopped by the caller");
    }
    for (int32_t i = 0; i < m->n_outputs; i++) {
        int32_t t = m->outputs[i];
        memcpy(outputs[i], it->buf[t], neurio_tensor_bytes(&m->tensors[t]));
    }
    return NEURIO_OK;
}

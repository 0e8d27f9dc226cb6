/* sdk/src/port/port_link.c — attach the link and check the device serves
 * the prepared model (neurio/port.h). */
#include "neurio/port.h"

int neurio_port_attach(neurio_transport *t, const neurio_link_options *opt,
                       const neurio_model *m, const char *sha256_hex, neurio_link **out,
                       neurio_device_info *info, neurio_errbuf *err)
{
    neurio_link *l = NULL;
    *out = NULL;
    int rc = neurio_link_open(t, opt, &l, err);
    if (rc)
        return rc;
    size_t in_b[NEURIO_LINK_MAX_TENSORS], out_b[NEURIO_LINK_MAX_TENSORS];
    if (sha256_hex && (rc = neurio_link_check_model(l, sha256_hex, err)) != 0)
        goto fail;
    if (m->n_inputs > (int32_t)NEURIO_LINK_MAX_TENSORS ||
        m->n_outputs > (int32_t)NEURIO_LINK_MAX_TENSORS) {
        rc = neurio_fail(err, NEURIO_ERR_UNSUPPORTED,
                         "model '%s' has %d inputs and %d outputs, the link carries at most "
                         "%u of each", m->name, (int)m->n_inputs, (int)m->n_outputs,
                         NEURIO_LINK_MAX_TENSORS);
        goto fail;
    }
    for (int32_t i = 0; i < m->n_inputs; i++)
        in_b[i] = neurio_tensor_bytes(&m->tensors[m->inputs[i]]);
    for (int32_t i = 0; i < m->n_outputs; i++)
        out_b[i] = neurio_tensor_bytes(&m->tensors[m->outputs[i]]);
    rc = neurio_link_check_tensors(l, (uint32_t)m->n_inputs, in_b, (uint32_t)m->n_outputs,
                                   out_b, err);
    if (rc)
        goto fail;
    const neurio_link_hello *h = neurio_link_info(l);
    if (h->max_batch == 0) {
        rc = neurio_fail(err, NEURIO_ERR_UNSUPPORTED,
                         "the device (%s) has no room for one sample: its batch buffer has "
                         "%u bytes; give the board more batch memory",
                         h->build_id, h->batch_bytes);
        goto fail;
    }
    if (info)
        neurio_link_device_info(l, info);
    *out = l;
    return NEURIO_OK;
fail:
    neurio_link_close(l);
    return rc;
}

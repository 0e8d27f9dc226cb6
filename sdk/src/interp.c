/* sdk/src/interp.c — host reference interpreter (in progress). */
#include <stdlib.h>

#include "neurio/interp.h"

struct neurio_interp { const neurio_model *m; };

int neurio_interp_new(const neurio_model *m, neurio_interp **out, neurio_errbuf *err)
{
    (void)m;
    *out = NULL;
    return neurio_fail(err, NEURIO_ERR_UNSUPPORTED, "the reference interpreter is not implemented yet");
}
void neurio_interp_free(neurio_interp *it) { free(it); }
int neurio_interp_run(neurio_interp *it, const void *const *inputs, void *const *outputs, neurio_errbuf *err)
{
    (void)it; (void)inputs; (void)outputs;
    return neurio_fail(err, NEURIO_ERR_UNSUPPORTED, "the reference interpreter is not implemented yet");
}
const void *neurio_interp_tensor(const neurio_interp *it, int32_t t) { (void)it; (void)t; return NULL; }
void neurio_interp_set_hook(neurio_interp *it, neurio_interp_hook fn, void *user) { (void)it; (void)fn; (void)user; }

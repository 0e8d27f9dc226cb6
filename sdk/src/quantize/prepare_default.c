/* sdk/src/quantize/prepare_default.c — the SDK's default prepare recipe
 * (neurio/quantize.h): what a device plugin without a prepare hook gets. */
#include <string.h>

#include "neurio/optimize.h"
#include "neurio/quantize.h"

int neurio_prepare_default(neurio_model *m, const neurio_prepare_args *args,
                           neurio_errbuf *err)
{
    int rc = neurio_optimize(m, err);
    if (rc)
        return rc;
    if (args && args->quantize && strcmp(args->quantize, "none") != 0)
        return neurio_quantize(m, args, err);
    return NEURIO_OK;
}

/* sdk/src/quantize.c — neurio_quantize() (int8 PTQ in progress). */
#include <string.h>

#include "neurio/quantize.h"

int neurio_quantize(neurio_model *m, const neurio_prepare_args *args,
                    neurio_errbuf *err)
{
    (void)m;
    if (!args || !args->quantize || strcmp(args->quantize, "none") == 0)
        return NEURIO_OK;
    if (strcmp(args->quantize, "int8") == 0)
        return neurio_fail(err, NEURIO_ERR_UNSUPPORTED,
                           "model.quantize = \"int8\" is not implemented yet in this build");
    return neurio_fail(err, NEURIO_ERR_CONFIG,
                       "model.quantize = \"%s\": expected \"none\" or \"int8\"", args->quantize);
}

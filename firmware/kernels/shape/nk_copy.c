/* firmware/kernels/shape/nk_copy.c — RESHAPE when the planner cannot alias the
 * output onto the input: a plain byte copy (overlap allowed). */
#include <string.h>

#include "nk.h"

int nk_copy(const void *input, void *output, size_t bytes)
{
    if (bytes && (!input || !output))
        return NK_ERR_PARAMS;
    if (bytes && input != output)
        memmove(output, input, bytes);
    return NK_OK;
}

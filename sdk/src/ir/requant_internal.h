/* sdk/src/ir/requant_internal.h — what requant.c and requant_wide.c share
 * (ir/ only). */
#ifndef NEURIO_REQUANT_INTERNAL_H
#define NEURIO_REQUANT_INTERNAL_H

#include "neurio/status.h"

/* A quantization scale must be finite and > 0; else NEURIO_ERR_INVALID
 * naming `what` and the value. */
int nrq_check_scale(const char *what, float s, neurio_errbuf *err);

#endif

/* sdk/src/base/version.c — the version of the libneurio loaded at run time. */
#include "neurio/version.h"

const char *neurio_version(void)
{
    return NEURIO_VERSION_STRING;
}

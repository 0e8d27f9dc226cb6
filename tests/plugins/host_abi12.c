/* tests/plugins/host_abi12.c — TEST ONLY: the host plugin presenting itself
 * as a plugin built for ABI 1.2 (named host_abi12), to show that such a
 * plugin keeps working with a newer core: `neurio debug` asks it for the
 * first output of each layer only (neurio_batch.capture_output came with
 * 1.3) and reports the other outputs as not read back.  The descriptor is
 * the host plugin's own, copied with abi_minor = 2 (1.3 added no
 * descriptor field, so its size is 1.2's). */
#include "neurio/plugin.h"

#undef NEURIO_PLUGIN_DEFINE
#define NEURIO_PLUGIN_DEFINE(desc) /* neurio_plugin_init is below */
#include "host_plugin.c"

static neurio_plugin host_abi12;

NEURIO_PLUGIN_EXPORT const neurio_plugin *neurio_plugin_init(const neurio_host *host);
const neurio_plugin *neurio_plugin_init(const neurio_host *host)
{
    (void)host;
    host_abi12 = host_plugin;
    host_abi12.abi_minor = 2;
    host_abi12.name = "host_abi12";
    host_abi12.summary = "TEST ONLY: the host plugin as built for plugin ABI 1.2";
    return &host_abi12;
}

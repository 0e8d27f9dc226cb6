/* plugins/host/host_probe.h — the host plugin's discovery hook. */
#ifndef HOST_PROBE_H
#define HOST_PROBE_H

#include "neurio/plugin.h"

/* The descriptor's probe hook: one entry (kind "workstation", id = host
 * name) describing this machine: OS, CPU architecture and count, and the
 * C compiler the plugin builds with (`cc --version`, or why it is
 * missing).  Always NEURIO_OK. */
int host_probe(neurio_ctx *ctx, const neurio_host *host, neurio_probe_fn fn, void *user);

#endif

/* plugins/cortex-m/src/cm_probe.h — the cortex-m plugin's discovery hook
 * (`neurio probe`): emulated boards with QEMU's availability and version,
 * and ST-LINK / CMSIS-DAP debug probes attached over USB.  Internal. */
#ifndef CM_PROBE_H
#define CM_PROBE_H

#include "neurio/plugin.h"

/* The descriptor's probe hook: one callback per emulated board (kind
 * "emulator", id = board name, detail = QEMU version or why it cannot run)
 * and per recognised debug probe (kind "debug-probe", id = its virtual COM
 * port or usb:<bus-port>, vid/pid/serial).  USB devices are read from
 * <sysfs>/bus/usb/devices, sysfs = $NEURIO_SYSFS_ROOT or /sys; QEMU is
 * $NEURIO_QEMU_ARM or qemu-system-arm from PATH.  A board QEMU cannot run
 * has "NOT available: why" in its detail (the launcher marks it unusable).
 * Always NEURIO_OK. */
int cm_probe_devices(neurio_ctx *ctx, const neurio_host *host, neurio_probe_fn fn,
                     void *user);

/* The debug probe a USB device is ("ST-LINK/V2-1", "DAPLink (CMSIS-DAP)",
 * "CMSIS-DAP"), or NULL.  Static string. */
const char *cm_probe_recognise(unsigned vid, unsigned pid, const char *product);

#endif

/* plugins/cortex-m/src/cm_openocd.h — OpenOCD as the RTT server of a real
 * board (device.link = "rtt"): `openocd -c "script <board cfg>" -c init
 * -c "rtt setup <_SEGGER_RTT> 76 {SEGGER RTT}" -c "rtt start" -c "rtt server
 * start <port> 0"`, then the link connects to 127.0.0.1:<port> with the
 * ordinary TCP transport (OpenOCD moves the bytes of up/down buffer 0).
 * Not run on hardware here (no board attached): the command line is built
 * and checked by test_cortexm_board, the TCP path by a stand-in there.
 * Internal to the plugin. */
#ifndef CM_OPENOCD_H
#define CM_OPENOCD_H

#include <stdint.h>

#include "cm_proc.h"
#include "neurio/status.h"
#include "neurio/transport.h"

typedef struct cm_openocd_args {
    const char *openocd;        /* "openocd" or a path                     */
    const char *config;         /* board script, e.g. board/st_nucleo_l4.cfg */
    uint32_t cb_addr;           /* _SEGGER_RTT from the ELF                */
    int port;                   /* RTT TCP server port (0 = a free one)    */
    const char *log_path;
    int connect_timeout_ms;
} cm_openocd_args;

/* The argv (NULL-terminated, at most 12 entries) into argv, its strings in
 * buf (cap bytes).  Paths are Tcl words (cm_tcl_word): data, never code.
 * NEURIO_ERR_CONFIG when the config path cannot be given to Tcl. */
int cm_openocd_rtt_argv(const cm_openocd_args *a, int port, char *argv[12], char *buf, size_t cap,
                        neurio_errbuf *err);

/* Start OpenOCD and connect to its RTT server: *t is a TCP transport owned
 * by the caller; *child is OpenOCD (stop it with neurio_child_stop). */
int cm_openocd_rtt_start(const cm_openocd_args *a, neurio_child *child, neurio_transport **t,
                         neurio_errbuf *err);

#endif

/* plugins/cortex-m/src/cm_qemu.h — an emulated MPS2 board: qemu-system-arm
 * with the firmware, deterministic instruction counting (-icount
 * shift=0,sleep=off) and UART0 on a unix-socket chardev (server, wait=on:
 * the guest starts only once the host is connected, so the boot hello is
 * never lost).  QEMU runs in its own process group and dies with this
 * process (PR_SET_PDEATHSIG); cm_qemu_stop() kills the group and reaps it. */
#ifndef CM_QEMU_H
#define CM_QEMU_H

#include "cm_proc.h"
#include "neurio/status.h"
#include "neurio/transport.h"

typedef struct cm_qemu {
    neurio_child child;
    char sock_path[108];
    char gdb_path[108]; /* gdbstub socket ("" = none)                     */
    char log_path[4096];
    char tmp_dir[64]; /* private dir for the socket when work_dir is long */
} cm_qemu;

typedef struct cm_qemu_args {
    const char *qemu;      /* "qemu-system-arm" or a path                   */
    const char *machine;   /* "mps2-an386"                                  */
    const char *elf;       /* firmware image                                */
    const char *work_dir;  /* socket and qemu.log go here                   */
    int connect_timeout_ms;
    int gdb;               /* also a gdbstub on a private unix socket
                              (gdb.sock), the guest halted until a
                              debugger resumes it (-S): the RTT channel    */
} cm_qemu_args;

/* Start QEMU and connect to its UART.  On success *q is running and *t is
 * a connected transport owned by the caller (hand it to neurio_link_open).
 * On failure QEMU is already stopped and reaped; the message includes the
 * tail of QEMU's own output. */
/* A value inside a QEMU option string ("socket,path=VALUE,..."): commas
 * doubled, as QEMU's option parser wants.  Returns the length written. */
size_t cm_qemu_opt_value(char *dst, size_t cap, const char *v);

int cm_qemu_start(cm_qemu *q, const cm_qemu_args *a, neurio_transport **t,
                  neurio_errbuf *err);

/* Non-zero when QEMU has exited (reaped); `why` gets a description. */
int cm_qemu_exited(cm_qemu *q, char *why, size_t cap);

/* Stop (SIGTERM, then SIGKILL after 2 s), reap, remove the socket.  Safe to
 * call more than once and on a never-started cm_qemu. */
void cm_qemu_stop(cm_qemu *q);

#endif

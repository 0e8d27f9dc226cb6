/* sdk/src/transport/transport_internal.h — helpers shared by the transport
 * implementations (not installed). */
#ifndef NEURIO_SDK_TRANSPORT_INTERNAL_H
#define NEURIO_SDK_TRANSPORT_INTERNAL_H

#include <stdint.h>

#include "neurio/transport.h"

/* Monotonic clock in milliseconds. */
int64_t tp_now_ms(void);

/* Remaining ms until deadline (deadline < 0 = forever -> -1), >= 0. */
int tp_remaining(int64_t deadline_ms);

/* Deadline for a timeout (< 0 = forever -> -1). */
int64_t tp_deadline(int timeout_ms);

/* fd transport with a custom kind/description (used by unix, tcp, serial).
 * On failure the fd is closed if own. */
int tp_fd_wrap(int fd, int own, const char *kind, const char *desc,
               neurio_transport **out, neurio_errbuf *err);

/* Serial speed through termios2/BOTHER for rates without a B* constant
 * (transport_serial_baud.c).  0 on success, -1 with errno set. */
int tp_serial_set_custom_baud(int fd, uint32_t baud);

#endif

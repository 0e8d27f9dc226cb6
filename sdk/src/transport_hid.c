/* sdk/src/transport_hid.c — USB HID transport (not implemented yet). */
#include "transport_internal.h"

int neurio_transport_hid_open(const char *spec, int connect_timeout_ms,
                              neurio_transport **out, neurio_errbuf *err)
{
    (void)connect_timeout_ms;
    *out = NULL;
    return neurio_fail(err, NEURIO_ERR_UNSUPPORTED,
                       "link '%s': the HID transport is not implemented in this build yet; use a serial or socket link",
                       spec);
}

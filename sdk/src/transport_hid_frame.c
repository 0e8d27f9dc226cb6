/* sdk/src/transport_hid_frame.c — the HID report framing used by the host
 * HID transport is the firmware's own implementation (one piece of code
 * for both ends of the link): firmware/runtime/nrt_hid.c. */
#include "runtime/nrt_hid.c"

/* tests/link/hid_testdouble.h — a TEST DOUBLE of the hidapi calls (this
 * machine has no USB device and no uhid): a tp_hid_api whose "device" is
 * the real device runtime in a child process (link_device_host over a
 * socketpair), bridged through the real device-side HID framing
 * (firmware/runtime/nrt_hid.c).  Reports in both directions can be lost,
 * cut short, delivered out of order or twice, from a seeded PRNG. */
#ifndef NEURIO_TESTS_LINK_HID_TESTDOUBLE_H
#define NEURIO_TESTS_LINK_HID_TESTDOUBLE_H

#include <stdint.h>

#include "transport_hid.h"

typedef struct hid_td_faults {
    uint64_t seed;
    double lost, short_, swap, dup; /* per report probabilities */
} hid_td_faults;

typedef struct hid_td_counts {
    unsigned long reports_h2d, reports_d2h, lost, shorts, swaps, dups;
} hid_td_counts;

/* The test double's table. */
extern const tp_hid_api hid_testdouble_api;

/* Configure the one emulated device: its ids and serial, how many devices
 * `count` reports as matching (2 to test the ambiguity error), the fd of the
 * socketpair end talking to the device child (-1: open fails), and the
 * faults. */
void hid_testdouble_setup(uint16_t vid, uint16_t pid, const char *serial,
                          int matching, int fd, const hid_td_faults *f);

/* Fault counters so far. */
hid_td_counts hid_testdouble_counts(void);

#endif

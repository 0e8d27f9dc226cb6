/* core/probe/probe.h — device discovery for `neurio probe` (issue 8).
 *
 * Three sources fill one list of nr_probe_dev:
 *   - USB HID devices through hidapi (probe_hid.c), behind a small seam
 *     (nr_probe_hid_api) so tests can use a test double: no USB here;
 *   - serial ports from sysfs (probe_serial.c): every <sysfs>/class/tty/X
 *     whose `device` link leads to a USB device (idVendor/idProduct/serial
 *     of that device), and ttys/ptys named explicitly;
 *   - device plugins' optional `probe` hooks (cmd_probe.c).
 * Each entry says whether this user may open it and, if not, which group or
 * udev rule fixes it.  probe_match.c decides which entry the device a
 * rig's plugin designates (host->probe_designate from its probe hook, e.g.
 * the cortex-m plugin's device.link / device.board) is, or explains why
 * none or several; the core never reads those plugin options itself.
 *
 * Test fixtures: NEURIO_SYSFS_ROOT replaces "/sys" and NEURIO_DEV_ROOT
 * replaces "/dev" (a fake tree built by tests/probe/test_probe.c).
 */
#ifndef NEURIO_CORE_PROBE_H
#define NEURIO_CORE_PROBE_H

#include <stddef.h>
#include <stdint.h>

#include "neurio/status.h"

/* One device seen.  Fixed-size strings ("" = unknown) so entries copy. */
typedef struct nr_probe_dev {
    char kind[24];          /* "hid", "serial", or a plugin's kind
                               ("emulator", "debug-probe", "workstation") */
    char path[256];         /* /dev/hidraw0, /dev/ttyACM0, board name...   */
    char product[512];      /* product string, or a plugin's detail        */
    char manufacturer[128];
    char serial[128];
    uint16_t vid, pid;      /* USB ids, 0 = none                            */
    char source[64];        /* "hidapi", "sysfs", "given", "plugin cortex-m" */
    char known[64];         /* recognised debug probe ("ST-LINK/V2-1",
                               "CMSIS-DAP", ...) or ""                      */
    char access[512];       /* "" = usable; else the problem and its fix   */
} nr_probe_dev;

typedef struct nr_probe_list {
    nr_probe_dev *v;
    size_t n, cap;
} nr_probe_list;

/* Append a copy of *d.  NEURIO_OK or NEURIO_ERR_NOMEM. */
int nr_probe_add(nr_probe_list *l, const nr_probe_dev *d);
void nr_probe_list_free(nr_probe_list *l);

/* Copy src into dst[cap] (truncating, always terminated; NULL = ""). */
void nr_probe_copy(char *dst, size_t cap, const char *src);

/* The debug probe a USB device is, from its ids or product string:
 * "ST-LINK/V2", "ST-LINK/V2-1", "ST-LINK/V3", "DAPLink (CMSIS-DAP)",
 * "CMSIS-DAP"; NULL if not recognised.  Static string. */
const char *nr_probe_known(uint16_t vid, uint16_t pid, const char *product);

/* "/sys" or $NEURIO_SYSFS_ROOT; "/dev" or $NEURIO_DEV_ROOT (static/env). */
const char *nr_probe_sysfs_root(void);
const char *nr_probe_dev_root(void);

/* Whether this process may read and write device node `path` (access(2),
 * no open: opening a tty can reset a board through DTR).  Writes "" when
 * it may, else one line naming the problem and the fix (group dialout /
 * plugdev, a udev rule with MODE="0660"), e.g. for a HID device
 * "no permission on /dev/hidraw3: add a udev rule ...".  is_hid selects
 * the advice. */
void nr_probe_check_access(const char *path, int is_hid, uint16_t vid,
                           uint16_t pid, char *out, size_t cap);

/* ---- HID ---------------------------------------------------------------- */

/* Seam to hidapi: enumerate appends one entry per HID interface (kind
 * "hid", path, ids, strings) to out; returns NEURIO_OK or an error with a
 * message (hidapi could not start). */
typedef struct nr_probe_hid_api {
    const char *name; /* "hidapi", or the test double's name */
    int (*enumerate)(nr_probe_list *out, neurio_errbuf *err);
} nr_probe_hid_api;

extern const nr_probe_hid_api nr_probe_hidapi; /* the real one */

/* Enumerate through api (NULL = nr_probe_hidapi), then fill `known` and
 * `access` of each new entry.  Returns the number of HID entries added
 * (>= 0) or a negative status with a message in err. */
int nr_probe_hid(const nr_probe_hid_api *api, nr_probe_list *out, neurio_errbuf *err);

/* ---- serial ------------------------------------------------------------- */

/* Every USB-backed tty under <sysfs_root>/class/tty (NULL roots = the
 * defaults above).  Device nodes are <dev_root>/<name>.  Returns the number
 * added (>= 0); a missing class/tty directory is not an error (0 added). */
int nr_probe_serial_sysfs(const char *sysfs_root, const char *dev_root,
                          nr_probe_list *out, neurio_errbuf *err);

/* A tty or pty named explicitly (--serial PATH, or the rig's
 * serial:PATH link).  It is opened (O_NONBLOCK|O_NOCTTY) and closed to
 * check it is a terminal.  Not added again if an entry with the same real
 * path exists.  NEURIO_OK, or NEURIO_ERR_IO naming the path when it does
 * not exist; an existing path that cannot be used is added with `access`
 * saying why. */
int nr_probe_serial_path(const char *path, nr_probe_list *out, neurio_errbuf *err);

/* ---- matching a rig ----------------------------------------------------- */

#define NR_PROBE_MAX_MATCH 16

typedef struct nr_probe_match {
    size_t n;                          /* distinct devices matching        */
    size_t idx[NR_PROBE_MAX_MATCH];    /* their indices in the list        */
    int not_a_device;                  /* link is a socket/fd: nothing to
                                          discover (msg says so)           */
    char msg[2048];                    /* the verdict, one line            */
} nr_probe_match;

/* Which entries of `l` the rig's device designates.  plugin: the rig's
 * device.plugin; link: its device.link (NULL or "auto" = the plugin's
 * default); board: device.board or NULL.  link forms:
 *   hid:VID:PID[:SERIAL]    HID entries with those ids (and serial)
 *   serial:PATH[@BAUD], /dev/...  serial entries with that (real) path
 *   VID:PID                 any entry with those USB ids
 *   anything else           a serial number, any entry
 *   auto / unset            the plugin's entries for device.board (an
 *                           emulator), else recognised debug probes
 * Returns NEURIO_OK when exactly one device matches (or the link is not a
 * device: m->not_a_device); NEURIO_ERR_DEVICE when none does ("no attached
 * device matches ... seen: ..."); NEURIO_ERR_CONFIG when several do (asks
 * for the serial number); NEURIO_ERR_CONFIG for a malformed hid: link.
 * m->msg always holds the one-line verdict. */
int nr_probe_match_rig(const nr_probe_list *l, const char *plugin, const char *link,
                       const char *board, nr_probe_match *m);

#endif /* NEURIO_CORE_PROBE_H */

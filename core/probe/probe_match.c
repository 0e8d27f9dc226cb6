/* core/probe_match.c — which attached device a rig's device designates
 * (device.link / device.board), or a one-line reason why none or several. */
#include "probe/probe.h"

#include "neurio/transport.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Append to m->msg (silently truncated at its end). */
static void say(nr_probe_match *m, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(nr_probe_match *m, const char *fmt, ...)
{
    size_t len = strlen(m->msg);
    if (len + 1 >= sizeof m->msg)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(m->msg + len, sizeof m->msg - len, fmt, ap);
    va_end(ap);
}

static void say_dev(nr_probe_match *m, const nr_probe_dev *d)
{
    say(m, "%s %s (", d->kind, d->path);
    const char *sep = "";
    if (d->vid || d->pid) {
        say(m, "%04x:%04x", d->vid, d->pid);
        sep = ", ";
    }
    if (d->serial[0]) {
        say(m, "%sserial %s", sep, d->serial);
        sep = ", ";
    }
    if (d->known[0]) {
        say(m, "%s%s", sep, d->known);
        sep = ", ";
    } else if (d->product[0]) {
        /* A plugin detail ending in its access problem: that is said once,
         * after the match ("but it cannot be used: ..."). */
        const char *cut = d->access[0] ? strstr(d->product, d->access) : NULL;
        int len = cut ? (int)(cut - d->product) : (int)strlen(d->product);
        while (len > 0 && strchr(" -;,", d->product[len - 1]))
            len--;
        if (len > 2 && !strncmp(d->product + len - 3, "\xe2\x80\x94", 3)) /* an em dash */
            len -= 3;
        while (len > 0 && d->product[len - 1] == ' ')
            len--;
        say(m, "%s\"%.*s\"", sep, len, d->product);
        sep = ", ";
    }
    say(m, "%s%s)", sep, d->source);
}

/* "VID:PID" then optionally ":SERIAL" (only when allow_serial). */
static int parse_ids(const char *s, int allow_serial, uint16_t *vid, uint16_t *pid,
                     const char **serial)
{
    const char *c1 = strchr(s, ':');
    if (!c1)
        return -1;
    const char *c2 = strchr(c1 + 1, ':');
    if (c2 && !allow_serial)
        return -1;
    size_t plen = c2 ? (size_t)(c2 - c1 - 1) : strlen(c1 + 1);
    if (neurio_usb_id_parse(s, (size_t)(c1 - s), vid) != 0 ||
        neurio_usb_id_parse(c1 + 1, plen, pid) != 0)
        return -1;
    *serial = c2 && c2[1] ? c2 + 1 : NULL;
    return c2 && !c2[1] ? -1 : 0;
}

static int same_path(const char *a, const char *b)
{
    char ra[PATH_MAX], rb[PATH_MAX];
    if (!strcmp(a, b))
        return 1;
    return realpath(a, ra) && realpath(b, rb) && !strcmp(ra, rb);
}

/* Two entries for one physical device: the same ids and serial number
 * (several HID interfaces, or a probe's tty and its plugin entry). */
static int same_device(const nr_probe_dev *a, const nr_probe_dev *b)
{
    return a->serial[0] && a->vid == b->vid && a->pid == b->pid && !strcmp(a->serial, b->serial);
}

static void add_match(nr_probe_match *m, const nr_probe_list *l, size_t i)
{
    for (size_t k = 0; k < m->n; k++)
        if (same_device(&l->v[m->idx[k]], &l->v[i]))
            return;
    if (m->n < NR_PROBE_MAX_MATCH)
        m->idx[m->n] = i;
    m->n++;
}

typedef enum { BY_AUTO, BY_HID, BY_PATH, BY_IDS, BY_SERIAL } match_by;

int nr_probe_match_rig(const nr_probe_list *l, const char *plugin, const char *link,
                       const char *board, nr_probe_match *m)
{
    char plugsrc[96], path[PATH_MAX];
    uint16_t vid = 0, pid = 0;
    const char *serial = NULL;
    match_by by;
    memset(m, 0, sizeof *m);
    snprintf(plugsrc, sizeof plugsrc, "plugin %s", plugin ? plugin : "?");
    if (link && (!strncmp(link, "unix:", 5) || !strncmp(link, "tcp:", 4) ||
                 !strncmp(link, "fd:", 3))) {
        m->not_a_device = 1;
        say(m, "device.link = \"%s\" is a socket or fd, not an attached device: nothing to discover "
               "(neurio run connects to it)", link);
        return NEURIO_OK;
    }
    if (link && !strcmp(link, "none")) {
        m->not_a_device = 1;
        say(m, "device.link = none: the rig builds firmware only, no device is used");
        return NEURIO_OK;
    }
    if (!link || !*link || !strcmp(link, "auto")) {
        by = BY_AUTO;
    } else if (!strncmp(link, "hid:", 4)) {
        by = BY_HID;
        if (parse_ids(link + 4, 1, &vid, &pid, &serial) != 0) {
            say(m, "device.link = \"%s\": expected hid:VID:PID[:SERIAL] with hex ids, e.g. hid:0d28:0204",
                link);
            return NEURIO_ERR_CONFIG;
        }
    } else if (!strncmp(link, "serial:", 7) || link[0] == '/') {
        by = BY_PATH;
        nr_probe_copy(path, sizeof path, link[0] == '/' ? link : link + 7);
        char *at = strrchr(path, '@');
        if (at)
            *at = '\0';
    } else if (parse_ids(link, 0, &vid, &pid, &serial) == 0) {
        by = BY_IDS;
    } else {
        by = BY_SERIAL;
    }

    for (size_t i = 0; i < l->n; i++) {
        const nr_probe_dev *d = &l->v[i];
        int hit = 0;
        switch (by) {
        case BY_AUTO:
            hit = !strcmp(d->source, plugsrc) && (!board || !strcmp(d->path, board));
            break;
        case BY_HID:
            hit = !strcmp(d->kind, "hid") && d->vid == vid && d->pid == pid &&
                  (!serial || !strcmp(d->serial, serial));
            break;
        case BY_PATH:
            hit = !strcmp(d->kind, "serial") && same_path(d->path, path);
            break;
        case BY_IDS:
            hit = (d->vid || d->pid) && d->vid == vid && d->pid == pid;
            break;
        case BY_SERIAL:
            hit = d->serial[0] && !strcmp(d->serial, link);
            break;
        }
        if (hit)
            add_match(m, l, i);
    }
    /* A real board with link auto: the debug probes attached. */
    int auto_probes = 0;
    if (by == BY_AUTO && m->n == 0 && board) {
        auto_probes = 1;
        for (size_t i = 0; i < l->n; i++)
            if (l->v[i].known[0])
                add_match(m, l, i);
    }

    char what[PATH_MAX + 128];
    if (by == BY_AUTO)
        snprintf(what, sizeof what, "device.plugin = \"%s\"%s%s%s (device.link = auto)",
                 plugin ? plugin : "?", board ? ", device.board = \"" : "", board ? board : "",
                 board ? "\"" : "");
    else
        snprintf(what, sizeof what, "device.link = \"%s\"", link);

    if (m->n == 1) {
        say(m, "%s matches ", what);
        say_dev(m, &l->v[m->idx[0]]);
        if (l->v[m->idx[0]].access[0])
            say(m, ", but it cannot be used: %s", l->v[m->idx[0]].access);
        return NEURIO_OK;
    }
    if (m->n == 0) {
        say(m, "no attached device matches %s%s; seen: ", what,
            auto_probes ? " (no emulator of that name, no recognised debug probe)" : "");
        /* An explicit link names hardware: emulators and the workstation
         * are not candidates, so they are not listed. */
        size_t shown = 0;
        for (size_t i = 0; i < l->n; i++) {
            const nr_probe_dev *d = &l->v[i];
            if (by != BY_AUTO && strcmp(d->kind, "hid") && strcmp(d->kind, "serial") &&
                !d->vid && !d->pid)
                continue;
            say(m, "%s", shown++ ? "; " : "");
            say_dev(m, d);
        }
        if (!shown)
            say(m, "nothing (no HID devices, no USB serial ports)");
        if (by == BY_HID && serial)
            say(m, "; check the serial number, or plug the board in (`neurio probe` lists what is attached)");
        else if (by == BY_PATH)
            say(m, "; plug the board in, or name one of the serial ports seen");
        else
            say(m, "; plug the board in, or set device.link to one of the devices seen");
        return NEURIO_ERR_DEVICE;
    }
    say(m, "%zu attached devices match %s: ", m->n, what);
    const nr_probe_dev *with_serial = NULL;
    for (size_t k = 0; k < m->n && k < NR_PROBE_MAX_MATCH; k++) {
        const nr_probe_dev *d = &l->v[m->idx[k]];
        say(m, "%s", k ? "; " : "");
        say_dev(m, d);
        if (d->serial[0] && !with_serial)
            with_serial = d;
    }
    if (with_serial && with_serial->vid && !strcmp(with_serial->kind, "hid"))
        say(m, "; add the serial number to choose one, e.g. device.link = \"hid:%04x:%04x:%s\"",
            with_serial->vid, with_serial->pid, with_serial->serial);
    else if (with_serial && !strcmp(with_serial->kind, "serial"))
        say(m, "; add the serial number to choose one, e.g. device.link = \"%s\" or \"serial:%s\"",
            with_serial->serial, with_serial->path);
    else if (with_serial)
        say(m, "; give the serial number to choose one, e.g. device.link = \"%s\"", with_serial->serial);
    else
        say(m, "; they have no serial number: name the port instead, e.g. device.link = \"serial:/dev/ttyACM0\"");
    return NEURIO_ERR_CONFIG;
}

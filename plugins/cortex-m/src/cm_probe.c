/* plugins/cortex-m/src/cm_probe.c — discovery for `neurio probe`: which
 * emulated boards QEMU can run here (and its version), and which ST-LINK /
 * CMSIS-DAP debug probes are plugged in (USB ids from sysfs, so probes
 * without a HID interface, like ST-LINK, are found too). */
#define _DEFAULT_SOURCE /* popen, realpath, strtok_r, PATH_MAX */
#include "cm_probe.h"

#include <dirent.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "cm_profile.h"
#include "neurio/transport.h"

const char *cm_probe_recognise(unsigned vid, unsigned pid, const char *product)
{
    if (vid > 0xffffu || pid > 0xffffu)
        return NULL;
    return neurio_usb_debug_probe_name((uint16_t)vid, (uint16_t)pid, product);
}

/* First line of a command's output (stderr included) into out; returns
 * its exit status, or -1 if it could not run. */
static int first_line(const char *cmd, char *out, size_t cap)
{
    out[0] = '\0';
    FILE *p = popen(cmd, "r");
    if (!p)
        return -1;
    char buf[256];
    int first = 1;
    while (fgets(buf, sizeof buf, p))
        if (first) {
            snprintf(out, cap, "%s", buf);
            out[strcspn(out, "\r\n")] = '\0';
            first = 0;
        }
    int st = pclose(p);
    return st == -1 ? -1 : WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

/* A shell-safe copy of a program name (letters, digits, -_./+ only). */
static int shell_safe(const char *s)
{
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
              strchr("-_./+", *s)))
            return 0;
    return 1;
}

/* Does `qemu -M help` list machine `m`? (machines[] holds that output). */
static int has_machine(const char *machines, const char *m)
{
    size_t n = strlen(m);
    for (const char *p = machines; (p = strstr(p, m)) != NULL; p += n)
        if ((p == machines || p[-1] == '\n') && (p[n] == ' ' || p[n] == '\n' || !p[n]))
            return 1;
    return 0;
}

static void probe_emulators(neurio_probe_fn fn, void *user)
{
    const char *env = getenv("NEURIO_QEMU_ARM");
    const char *qemu = env && *env ? env : "qemu-system-arm";
    char cmd[PATH_MAX + 64], version[256] = "", machines[8192] = "";
    int ok = 0;
    if (shell_safe(qemu)) {
        snprintf(cmd, sizeof cmd, "%s --version 2>&1", qemu);
        ok = first_line(cmd, version, sizeof version) == 0 && strstr(version, "QEMU");
    }
    if (ok) {
        /* "QEMU emulator version 7.2.22 (Debian ...)" -> "QEMU 7.2.22" */
        const char *v = strstr(version, "version ");
        if (v) {
            char shortv[64];
            snprintf(shortv, sizeof shortv, "QEMU %.*s", (int)strcspn(v + 8, " "), v + 8);
            snprintf(version, sizeof version, "%s", shortv);
        }
        snprintf(cmd, sizeof cmd, "%s -M help 2>&1", qemu);
        FILE *p = popen(cmd, "r");
        if (p) {
            size_t n = fread(machines, 1, sizeof machines - 1, p);
            machines[n] = '\0';
            pclose(p);
        }
    }
    char choices[256];
    snprintf(choices, sizeof choices, "%s", cm_board_choices());
    char *save = NULL;
    for (char *name = strtok_r(choices, "|", &save); name; name = strtok_r(NULL, "|", &save)) {
        const cm_board *b = cm_board_find(name);
        if (!b || !b->qemu_machine)
            continue; /* real boards are found through their debug probe */
        char detail[768];
        if (!ok)
            snprintf(detail, sizeof detail,
                     "%s — NOT available: %s does not run here (%s); install qemu-system-arm "
                     "(apt-get install qemu-system-arm) or set NEURIO_QEMU_ARM / device.qemu",
                     b->description, qemu, version[0] ? version : "not found");
        else if (!has_machine(machines, b->qemu_machine))
            snprintf(detail, sizeof detail,
                     "%s — NOT available: %s (%s) has no machine %s; a newer QEMU is needed",
                     b->description, qemu, version, b->qemu_machine);
        else
            snprintf(detail, sizeof detail,
                     "%s — %s (%s -M %s); link: rtt (the firmware's RTT rings through QEMU's "
                     "gdbstub, the default and fastest; device.link = \"uart\" for the UART "
                     "socket); a run prints and stores the link's measured figures",
                     b->description, version, qemu, b->qemu_machine);
        neurio_probe_entry pe = {NEURIO_PROBE_ENTRY_SIZE, .kind = "emulator", .id = b->name,
                                 .detail = detail};
        fn(user, &pe);
    }
}

/* The tty of a USB device's interfaces (cdc-acm: <if>/tty/ttyACM0;
 * usb-serial: <if>/ttyUSB0), first found; "" if none. */
static void find_tty(const char *usbdir, const char *devname, char *out, size_t cap)
{
    out[0] = '\0';
    DIR *d = opendir(usbdir);
    if (!d)
        return;
    size_t dn = strlen(devname);
    struct dirent *de;
    while (!out[0] && (de = readdir(d)) != NULL) {
        if (strncmp(de->d_name, devname, dn) != 0 || de->d_name[dn] != ':')
            continue;
        char ifdir[PATH_MAX];
        for (int pass = 0; pass < 2 && !out[0]; pass++) {
            if ((size_t)snprintf(ifdir, sizeof ifdir, "%s/%s%s", usbdir, de->d_name,
                                 pass == 0 ? "/tty" : "") >= sizeof ifdir)
                continue;
            DIR *t = opendir(ifdir);
            if (!t)
                continue;
            struct dirent *te;
            while ((te = readdir(t)) != NULL)
                if (!strncmp(te->d_name, "tty", 3) && te->d_name[3]) {
                    snprintf(out, cap, "/dev/%s", te->d_name);
                    break;
                }
            closedir(t);
        }
    }
    closedir(d);
}

static void probe_usb(neurio_probe_fn fn, void *user)
{
    const char *env = getenv("NEURIO_SYSFS_ROOT");
    char base[PATH_MAX];
    snprintf(base, sizeof base, "%s/bus/usb/devices", env && *env ? env : "/sys");
    DIR *d = opendir(base);
    if (!d)
        return; /* no USB bus here */
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.' || strchr(de->d_name, ':'))
            continue; /* interfaces */
        char dir[PATH_MAX], tmp[32], product[128], serial[128], tty[300], id[320], detail[768];
        if ((size_t)snprintf(dir, sizeof dir, "%s/%s", base, de->d_name) >= sizeof dir)
            continue;
        unsigned vid, pid;
        neurio_sysfs_read_attr(dir, "idVendor", tmp, sizeof tmp);
        if (sscanf(tmp, "%x", &vid) != 1)
            continue;
        neurio_sysfs_read_attr(dir, "idProduct", tmp, sizeof tmp);
        if (sscanf(tmp, "%x", &pid) != 1)
            continue;
        neurio_sysfs_read_attr(dir, "product", product, sizeof product);
        const char *what = cm_probe_recognise(vid, pid, product);
        if (!what)
            continue;
        neurio_sysfs_read_attr(dir, "serial", serial, sizeof serial);
        char real[PATH_MAX];
        find_tty(realpath(dir, real) ? real : dir, de->d_name, tty, sizeof tty);
        if (tty[0])
            snprintf(id, sizeof id, "%s", tty);
        else
            snprintf(id, sizeof id, "usb:%s", de->d_name);
        int st = !strncmp(what, "ST-LINK", 7);
        if (tty[0])
            snprintf(detail, sizeof detail,
                     "%s debug probe; flash with %s; its virtual COM port %s is the link "
                     "(device.link = \"serial:%s@115200\"), or RTT through OpenOCD "
                     "(device.link = \"rtt\")",
                     what, st ? "st-flash or openocd" : "openocd or pyocd", tty, tty);
        else
            snprintf(detail, sizeof detail,
                     "%s debug probe; flash with %s; no virtual COM port: link over RTT through "
                     "OpenOCD (device.link = \"rtt\")",
                     what, st ? "st-flash or openocd" : "openocd or pyocd");
        neurio_probe_entry pe = {NEURIO_PROBE_ENTRY_SIZE, .kind = "debug-probe",
                                 .id = id,
                                 .detail = detail,
                                 .serial = serial[0] ? serial : NULL,
                                 .vid = (uint16_t)vid,
                                 .pid = (uint16_t)pid};
        fn(user, &pe);
    }
    closedir(d);
}

int cm_probe_devices(neurio_ctx *ctx, const neurio_host *host, neurio_probe_fn fn, void *user)
{
    probe_emulators(fn, user);
    probe_usb(fn, user);
    /* probe --rig: the device the rig's link and board mean (ABI 1.1). */
    if (host->size >= offsetof(neurio_host, probe_designate) + sizeof host->probe_designate &&
        host->probe_rig(ctx))
        host->probe_designate(ctx, host->opt_string(ctx, "link"),
                              host->opt_string(ctx, "board"));
    return NEURIO_OK;
}

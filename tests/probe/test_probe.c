/* tests/probe/test_probe.c — device discovery (`neurio probe`, issue 8).
 *
 * There is no USB here and the kernel has no uhid, so:
 *   - `neurio probe` itself runs for real (no HID devices, QEMU boards);
 *   - serial discovery runs against a pty (openpty) and against a fake sysfs
 *     tree this test builds (TEST FIXTURE: NEURIO_SYSFS_ROOT / NEURIO_DEV_ROOT
 *     point the launcher and the cortex-m plugin at it);
 *   - HID listing and rig matching use probe_hid_testdouble, a test double of
 *     the hidapi enumeration (named as such). */
#include <errno.h>
#include <limits.h>
#include <pty.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "probe/probe.h"
#include "test_util.h"

#define NEURIO NEURIO_BINARY_DIR "/core/neurio"

static char tmp[PATH_MAX];
static char sys_root[PATH_MAX + 16];
static char dev_root[PATH_MAX + 16];

/* ---- fixtures --------------------------------------------------------- */

static void mkdirs(const char *path)
{
    char p[PATH_MAX + 64];
    snprintf(p, sizeof p, "%s", path);
    for (char *s = p + 1; *s; s++)
        if (*s == '/') {
            *s = '\0';
            mkdir(p, 0755);
            *s = '/';
        }
    mkdir(p, 0755);
}

static void put(const char *dir, const char *name, const char *text)
{
    char p[PATH_MAX + 128];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    CU_ASSERT_EQUAL_FATAL(neurio_test_write_file(p, text, strlen(text)), 0);
}

static void link_to(const char *target, const char *linkpath)
{
    unlink(linkpath);
    CU_ASSERT_EQUAL_FATAL(symlink(target, linkpath), 0);
}

/* A USB device dir under <sys>/devices/pci0000:00/usb1/<name>. */
static void fake_usb(const char *name, const char *vid, const char *pid, const char *serial,
                     const char *product, char *out, size_t cap)
{
    snprintf(out, cap, "%s/devices/pci0000:00/usb1/%s", sys_root, name);
    mkdirs(out);
    put(out, "idVendor", vid);
    put(out, "idProduct", pid);
    if (serial)
        put(out, "serial", serial);
    put(out, "product", product);
    put(out, "manufacturer", "TestCo");
    char bus[PATH_MAX + 64], l[PATH_MAX + 128];
    snprintf(bus, sizeof bus, "%s/bus/usb/devices", sys_root);
    mkdirs(bus);
    snprintf(l, sizeof l, "%s/%s", bus, name);
    link_to(out, l);
}

/* <sys>/class/tty/<tty>/device -> target */
static void fake_tty(const char *tty, const char *target)
{
    char d[PATH_MAX + 64], l[PATH_MAX + 128];
    snprintf(d, sizeof d, "%s/class/tty/%s", sys_root, tty);
    mkdirs(d);
    if (target) {
        snprintf(l, sizeof l, "%s/device", d);
        link_to(target, l);
    }
}

/* The fake tree: an ST-LINK/V2-1 (cdc-acm ttyACM0), an FTDI cable
 * (ttyUSB0, no /dev node), a second ST-LINK/V2-1 only when `two`, a
 * platform UART (ttyS0, not USB) and the console (no device). */
static void build_sysfs(int two)
{
    char usb[PATH_MAX + 64], ifd[PATH_MAX + 128], t[PATH_MAX + 192];
    snprintf(sys_root, sizeof sys_root, "%s/sys%s", tmp, two ? "2" : "");
    snprintf(dev_root, sizeof dev_root, "%s/dev%s", tmp, two ? "2" : "");
    mkdirs(dev_root);
    fake_usb("1-2", "0483", "374b", "066DFF485", "STM32 STLink", usb, sizeof usb);
    snprintf(ifd, sizeof ifd, "%s/1-2:1.2", usb);
    snprintf(t, sizeof t, "%s/tty/ttyACM0", ifd);
    mkdirs(t);
    fake_tty("ttyACM0", ifd);
    put(dev_root, "ttyACM0", "");
    fake_usb("1-3", "0403", "6001", "A10K1", "FT232R USB UART", usb, sizeof usb);
    snprintf(t, sizeof t, "%s/1-3:1.0/ttyUSB0", usb);
    mkdirs(t);
    fake_tty("ttyUSB0", t);
    if (two) {
        fake_usb("1-4", "0483", "374b", "0671FF999", "STM32 STLink", usb, sizeof usb);
        snprintf(ifd, sizeof ifd, "%s/1-4:1.2", usb);
        snprintf(t, sizeof t, "%s/tty/ttyACM1", ifd);
        mkdirs(t);
        fake_tty("ttyACM1", ifd);
        put(dev_root, "ttyACM1", "");
    }
    snprintf(t, sizeof t, "%s/devices/platform/serial8250", sys_root);
    mkdirs(t);
    fake_tty("ttyS0", t);
    fake_tty("console", NULL);
}

/* ---- probe_hid_testdouble: the hidapi enumeration, as a test double --- */

static int testdouble_enumerate(nr_probe_list *out, neurio_errbuf *err)
{
    static const struct {
        const char *node, *serial, *product;
    } devs[] = {
        {"hidraw0", "A1", "DAPLink CMSIS-DAP"},
        {"hidraw1", "A1", "DAPLink CMSIS-DAP"}, /* second interface, same board */
        {"hidraw2", "B2", "DAPLink CMSIS-DAP"}, /* no /dev node */
    };
    (void)err;
    for (size_t i = 0; i < 3; i++) {
        nr_probe_dev e;
        memset(&e, 0, sizeof e);
        snprintf(e.kind, sizeof e.kind, "hid");
        snprintf(e.path, sizeof e.path, "%s/%s", dev_root, devs[i].node);
        snprintf(e.serial, sizeof e.serial, "%s", devs[i].serial);
        snprintf(e.product, sizeof e.product, "%s", devs[i].product);
        snprintf(e.source, sizeof e.source, "hidapi");
        e.vid = 0x0d28;
        e.pid = 0x0204;
        if (nr_probe_add(out, &e) != NEURIO_OK)
            return NEURIO_ERR_NOMEM;
    }
    return NEURIO_OK;
}

static const nr_probe_hid_api probe_hid_testdouble = {
    .name = "probe_hid_testdouble",
    .enumerate = testdouble_enumerate,
};

/* ---- unit tests ---------------------------------------------------------- */

static void test_known(void)
{
    CU_ASSERT_STRING_EQUAL(nr_probe_known(0x0483, 0x374b, NULL), "ST-LINK/V2-1");
    CU_ASSERT_STRING_EQUAL(nr_probe_known(0x0483, 0x3748, ""), "ST-LINK/V2");
    CU_ASSERT_STRING_EQUAL(nr_probe_known(0x0d28, 0x0204, NULL), "DAPLink (CMSIS-DAP)");
    CU_ASSERT_STRING_EQUAL(nr_probe_known(0xc251, 0xf002, "LPC-Link CMSIS-DAP v1"), "CMSIS-DAP");
    CU_ASSERT_STRING_EQUAL(nr_probe_known(0x1234, 0x5678, "Board CMSIS_DAP"), "CMSIS-DAP");
    CU_ASSERT_STRING_EQUAL(nr_probe_known(0x1234, 0x5678, "st-link v2"), "ST-LINK");
    CU_ASSERT_PTR_NULL(nr_probe_known(0x0403, 0x6001, "FT232R USB UART"));
}

static void test_sysfs_serial(void)
{
    nr_probe_list l = {0};
    neurio_errbuf err;
    build_sysfs(0);
    int n = nr_probe_serial_sysfs(sys_root, dev_root, &l, &err);
    CU_ASSERT_EQUAL_FATAL(n, 2);
    CU_ASSERT_EQUAL_FATAL(l.n, 2);
    const nr_probe_dev *a = &l.v[0], *b = &l.v[1];
    CU_ASSERT(strstr(a->path, "/ttyACM0") != NULL);
    CU_ASSERT_STRING_EQUAL(a->kind, "serial");
    CU_ASSERT_EQUAL(a->vid, 0x0483);
    CU_ASSERT_EQUAL(a->pid, 0x374b);
    CU_ASSERT_STRING_EQUAL(a->serial, "066DFF485");
    CU_ASSERT_STRING_EQUAL(a->product, "STM32 STLink");
    CU_ASSERT_STRING_EQUAL(a->manufacturer, "TestCo");
    CU_ASSERT_STRING_EQUAL(a->known, "ST-LINK/V2-1");
    CU_ASSERT_STRING_EQUAL(a->access, "");
    CU_ASSERT(strstr(b->path, "/ttyUSB0") != NULL);
    CU_ASSERT_EQUAL(b->vid, 0x0403);
    CU_ASSERT_STRING_EQUAL(b->serial, "A10K1");
    CU_ASSERT_STRING_EQUAL(b->known, "");
    CU_ASSERT(strstr(b->access, "missing") != NULL); /* no /dev node */
    /* A missing sysfs is not an error. */
    char none[PATH_MAX + 16];
    snprintf(none, sizeof none, "%s/nosys", tmp);
    CU_ASSERT_EQUAL(nr_probe_serial_sysfs(none, dev_root, &l, &err), 0);
    nr_probe_list_free(&l);
}

/* Runs nr_probe_check_access as an unprivileged user (root passes every
 * access() check) and returns the message through a pipe. */
static void access_as_nobody(const char *path, int is_hid, char *out, size_t cap)
{
    int fds[2];
    out[0] = '\0';
    CU_ASSERT_EQUAL_FATAL(pipe(fds), 0);
    pid_t pid = fork();
    CU_ASSERT_FATAL(pid >= 0);
    if (pid == 0) {
        char msg[512];
        close(fds[0]);
        if (geteuid() == 0 && (setgid(65534) != 0 || setuid(65534) != 0))
            _exit(3);
        nr_probe_check_access(path, is_hid, 0x0483, 0x374b, msg, sizeof msg);
        ssize_t w = write(fds[1], msg, strlen(msg));
        _exit(w < 0 ? 4 : 0);
    }
    close(fds[1]);
    ssize_t got = read(fds[0], out, cap - 1);
    out[got > 0 ? got : 0] = '\0';
    close(fds[0]);
    int st = 0;
    waitpid(pid, &st, 0);
    CU_ASSERT(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

static void test_permission_advice(void)
{
    char node[PATH_MAX + 32], msg[1024];
    snprintf(node, sizeof node, "%s/ttyNOPERM", tmp);
    put(tmp, "ttyNOPERM", "");
    CU_ASSERT_EQUAL_FATAL(chmod(node, 0600), 0);
    CU_ASSERT_EQUAL_FATAL(chmod(tmp, 0755), 0);
    access_as_nobody(node, 0, msg, sizeof msg);
    CU_ASSERT(strstr(msg, "no permission on") != NULL);
    CU_ASSERT(strstr(msg, node) != NULL);
    CU_ASSERT(strstr(msg, "usermod -aG") != NULL);
    CU_ASSERT(strstr(msg, "GROUP=\"dialout\"") != NULL);
    access_as_nobody(node, 1, msg, sizeof msg);
    CU_ASSERT(strstr(msg, "SUBSYSTEM==\"hidraw\"") != NULL);
    CU_ASSERT(strstr(msg, "MODE=\"0660\"") != NULL);
    CU_ASSERT(strstr(msg, "GROUP=\"plugdev\"") != NULL);
    CU_ASSERT(strstr(msg, "ATTRS{idVendor}==\"0483\"") != NULL);
    /* readable by everyone: no problem */
    CU_ASSERT_EQUAL_FATAL(chmod(node, 0666), 0);
    access_as_nobody(node, 0, msg, sizeof msg);
    CU_ASSERT_STRING_EQUAL(msg, "");
}

static void test_pty(void)
{
    int mfd, sfd;
    char name[256];
    nr_probe_list l = {0};
    neurio_errbuf err;
    CU_ASSERT_EQUAL_FATAL(openpty(&mfd, &sfd, name, NULL, NULL), 0);
    CU_ASSERT_EQUAL(nr_probe_serial_path(name, &l, &err), NEURIO_OK);
    CU_ASSERT_EQUAL_FATAL(l.n, 1);
    CU_ASSERT_STRING_EQUAL(l.v[0].path, name);
    CU_ASSERT_STRING_EQUAL(l.v[0].kind, "serial");
    CU_ASSERT_STRING_EQUAL(l.v[0].source, "given");
    CU_ASSERT_STRING_EQUAL(l.v[0].product, "pseudo-terminal");
    CU_ASSERT_STRING_EQUAL(l.v[0].access, "");
    /* given twice: listed once */
    CU_ASSERT_EQUAL(nr_probe_serial_path(name, &l, &err), NEURIO_OK);
    CU_ASSERT_EQUAL(l.n, 1);
    /* a regular file is listed with why it cannot be used */
    char file[PATH_MAX + 32];
    snprintf(file, sizeof file, "%s/notatty", tmp);
    put(tmp, "notatty", "x");
    CU_ASSERT_EQUAL(nr_probe_serial_path(file, &l, &err), NEURIO_OK);
    CU_ASSERT_EQUAL_FATAL(l.n, 2);
    CU_ASSERT(strstr(l.v[1].access, "not a character device") != NULL);
    /* a missing one is an error naming it */
    CU_ASSERT_EQUAL(nr_probe_serial_path("/dev/ttyNEURIOnone", &l, &err), NEURIO_ERR_IO);
    CU_ASSERT(strstr(err.msg, "/dev/ttyNEURIOnone") != NULL);
    /* the rig's serial:PATH@BAUD link designates the pty */
    char link[300];
    nr_probe_match m;
    snprintf(link, sizeof link, "serial:%s@115200", name);
    CU_ASSERT_EQUAL(nr_probe_match_rig(&l, "cortex-m", link, "nucleo-l4r5zi", &m), NEURIO_OK);
    CU_ASSERT_EQUAL(m.n, 1);
    CU_ASSERT(strstr(m.msg, "matches serial") != NULL);
    nr_probe_list_free(&l);
    close(sfd);
    close(mfd);
}

static void test_hid_testdouble(void)
{
    nr_probe_list l = {0};
    neurio_errbuf err;
    build_sysfs(0);
    put(dev_root, "hidraw0", "");
    put(dev_root, "hidraw1", "");
    CU_ASSERT_EQUAL_FATAL(nr_probe_hid(&probe_hid_testdouble, &l, &err), 3);
    CU_ASSERT_STRING_EQUAL(l.v[0].known, "DAPLink (CMSIS-DAP)");
    CU_ASSERT_STRING_EQUAL(l.v[0].access, "");
    CU_ASSERT(strstr(l.v[2].access, "hidraw2") != NULL); /* node missing */
    nr_probe_list_free(&l);
}

/* The list a board room might show: HID (double) + fake sysfs + a plugin. */
static void room(nr_probe_list *l)
{
    neurio_errbuf err;
    build_sysfs(0);
    put(dev_root, "hidraw0", "");
    put(dev_root, "hidraw1", "");
    CU_ASSERT_EQUAL_FATAL(nr_probe_hid(&probe_hid_testdouble, l, &err), 3);
    CU_ASSERT_EQUAL_FATAL(nr_probe_serial_sysfs(sys_root, dev_root, l, &err), 2);
    nr_probe_dev e;
    memset(&e, 0, sizeof e);
    snprintf(e.kind, sizeof e.kind, "emulator");
    snprintf(e.path, sizeof e.path, "mps2-an386");
    snprintf(e.source, sizeof e.source, "plugin cortex-m");
    CU_ASSERT_EQUAL_FATAL(nr_probe_add(l, &e), NEURIO_OK);
}

static void test_match(void)
{
    nr_probe_list l = {0};
    nr_probe_match m;
    room(&l);
    /* two boards with the same ids: asks for the serial number */
    CU_ASSERT_EQUAL(nr_probe_match_rig(&l, "cortex-m", "hid:0d28:0204", NULL, &m), NEURIO_ERR_CONFIG);
    CU_ASSERT_EQUAL(m.n, 2); /* hidraw0 and hidraw1 are one board */
    CU_ASSERT(strstr(m.msg, "2 attached devices match") != NULL);
    CU_ASSERT(strstr(m.msg, "add the serial number") != NULL);
    CU_ASSERT(strstr(m.msg, "hid:0d28:0204:A1") != NULL);
    /* the serial picks one */
    CU_ASSERT_EQUAL(nr_probe_match_rig(&l, "cortex-m", "hid:0d28:0204:B2", NULL, &m), NEURIO_OK);
    CU_ASSERT_EQUAL_FATAL(m.n, 1);
    CU_ASSERT(strstr(l.v[m.idx[0]].path, "hidraw2") != NULL);
    /* an absent serial: none, listing what was seen */
    CU_ASSERT_EQUAL(nr_probe_match_rig(&l, "cortex-m", "hid:0d28:0204:ZZZ", NULL, &m),
                    NEURIO_ERR_DEVICE);
    CU_ASSERT_EQUAL(m.n, 0);
    CU_ASSERT(strstr(m.msg, "no attached device matches device.link = \"hid:0d28:0204:ZZZ\"") != NULL);
    CU_ASSERT(strstr(m.msg, "seen:") != NULL);
    CU_ASSERT(strstr(m.msg, "serial A1") != NULL);
    CU_ASSERT(strstr(m.msg, "serial 066DFF485") != NULL);
    CU_ASSERT(strstr(m.msg, "check the serial number") != NULL);
    /* a serial number alone, and vid:pid */
    CU_ASSERT_EQUAL(nr_probe_match_rig(&l, "cortex-m", "066DFF485", NULL, &m), NEURIO_OK);
    CU_ASSERT(strstr(m.msg, "ttyACM0") != NULL);
    CU_ASSERT_EQUAL(nr_probe_match_rig(&l, "cortex-m", "0403:6001", NULL, &m), NEURIO_OK);
    CU_ASSERT(strstr(m.msg, "ttyUSB0") != NULL);
    CU_ASSERT(strstr(m.msg, "cannot be used") != NULL); /* its /dev node is missing */
    CU_ASSERT_EQUAL(nr_probe_match_rig(&l, "cortex-m", "0d28:0204", NULL, &m), NEURIO_ERR_CONFIG);
    /* by path */
    char link[PATH_MAX + 64];
    snprintf(link, sizeof link, "serial:%s/ttyACM0@115200", dev_root);
    CU_ASSERT_EQUAL(nr_probe_match_rig(&l, "cortex-m", link, NULL, &m), NEURIO_OK);
    snprintf(link, sizeof link, "serial:%s/ttyACM7", dev_root);
    CU_ASSERT_EQUAL(nr_probe_match_rig(&l, "cortex-m", link, NULL, &m), NEURIO_ERR_DEVICE);
    CU_ASSERT(strstr(m.msg, "name one of the serial ports seen") != NULL);
    /* auto: the emulated board; a real board: the attached debug probes */
    CU_ASSERT_EQUAL(nr_probe_match_rig(&l, "cortex-m", "auto", "mps2-an386", &m), NEURIO_OK);
    CU_ASSERT(strstr(m.msg, "matches emulator mps2-an386") != NULL);
    CU_ASSERT_EQUAL(nr_probe_match_rig(&l, "cortex-m", NULL, "mps2-an500", &m), NEURIO_ERR_CONFIG);
    CU_ASSERT_EQUAL(m.n, 3); /* two DAPLinks and the ST-LINK: ambiguous */
    /* not a device, malformed */
    CU_ASSERT_EQUAL(nr_probe_match_rig(&l, "cortex-m", "unix:/tmp/q.sock", NULL, &m), NEURIO_OK);
    CU_ASSERT(m.not_a_device);
    CU_ASSERT_EQUAL(nr_probe_match_rig(&l, "cortex-m", "hid:xyz", NULL, &m), NEURIO_ERR_CONFIG);
    CU_ASSERT(strstr(m.msg, "hid:VID:PID") != NULL);
    nr_probe_list_free(&l);
    /* nothing attached at all */
    nr_probe_list empty = {0};
    CU_ASSERT_EQUAL(nr_probe_match_rig(&empty, "cortex-m", "hid:0d28:0204", NULL, &m), NEURIO_ERR_DEVICE);
    CU_ASSERT(strstr(m.msg, "nothing (no HID devices, no USB serial ports)") != NULL);
}

/* ---- the launcher, for real --------------------------------------------- */

static int run(const char *cmd, char **out)
{
    int rc = neurio_test_run(cmd, out);
    if (!*out)
        *out = calloc(1, 1);
    return rc;
}

static void test_cli_real(void)
{
    char *out = NULL;
    int rc = run(NEURIO " probe", &out);
    CU_ASSERT_EQUAL(rc, 0);
#ifdef NEURIO_NO_HID
    CU_ASSERT(strstr(out, "not built in (neurio was configured with NEURIO_WITH_HID=OFF)") != NULL);
#else
    CU_ASSERT(strstr(out, "no HID devices found") != NULL);
#endif
    CU_ASSERT(strstr(out, "emulator mps2-an386") != NULL);
    CU_ASSERT(strstr(out, "emulator mps2-an500") != NULL);
    CU_ASSERT(strstr(out, "emulator mps2-an385 — ARM MPS2 AN385, Cortex-M3") != NULL);
    CU_ASSERT(strstr(out, "emulator mps2-an505 — ARM MPS2 AN505, Cortex-M33") != NULL);
    CU_ASSERT(strstr(out, "emulator mps3-an547 — ARM MPS3 AN547, Cortex-M55") != NULL);
    CU_ASSERT(strstr(out, "host: workstation") != NULL);
    if (access("/usr/bin/qemu-system-arm", X_OK) == 0)
        CU_ASSERT(strstr(out, "QEMU ") != NULL && strstr(out, "-M mps2-an386") != NULL &&
                  strstr(out, "link: rtt (the firmware's RTT rings through QEMU's gdbstub") != NULL);
    free(out);
    out = NULL;
    rc = run("NEURIO_QEMU_ARM=/nonexistent/qemu " NEURIO " probe", &out);
    CU_ASSERT_EQUAL(rc, 0);
    CU_ASSERT(strstr(out, "NOT available: /nonexistent/qemu does not run here") != NULL);
    free(out);
    out = NULL;
    rc = run(NEURIO " probe --json 2>/dev/null", &out);
    CU_ASSERT_EQUAL(rc, 0);
    cJSON *j = cJSON_Parse(out);
    CU_ASSERT_PTR_NOT_NULL_FATAL(j);
    CU_ASSERT_EQUAL(cJSON_GetObjectItem(j, "hid_devices")->valueint, 0);
    cJSON *devs = cJSON_GetObjectItem(j, "devices");
    int emulators = 0;
    for (int i = 0; i < cJSON_GetArraySize(devs); i++)
        if (!strcmp(cJSON_GetObjectItem(cJSON_GetArrayItem(devs, i), "kind")->valuestring, "emulator"))
            emulators++;
    CU_ASSERT(emulators >= 2);
    cJSON_Delete(j);
    free(out);
    out = NULL;
    CU_ASSERT_EQUAL(run(NEURIO " probe --bogus", &out), 2);
    CU_ASSERT(strstr(out, "unknown argument '--bogus'") != NULL);
    free(out);
    out = NULL;
    CU_ASSERT_EQUAL(run(NEURIO " probe --help", &out), 0);
    CU_ASSERT(strstr(out, "usage: neurio probe") != NULL);
    free(out);
    out = NULL;
    CU_ASSERT_EQUAL(run(NEURIO " --help", &out), 0);
    CU_ASSERT(strstr(out, "probe") != NULL);
    free(out);
}

static void test_cli_fake_sysfs_and_pty(void)
{
    int mfd, sfd;
    char name[256], cmd[4 * PATH_MAX], *out = NULL;
    build_sysfs(0);
    CU_ASSERT_EQUAL_FATAL(openpty(&mfd, &sfd, name, NULL, NULL), 0);
    snprintf(cmd, sizeof cmd, "NEURIO_SYSFS_ROOT=%s NEURIO_DEV_ROOT=%s " NEURIO " probe --serial %s",
             sys_root, dev_root, name);
    CU_ASSERT_EQUAL(run(cmd, &out), 0);
    CU_ASSERT(strstr(out, "ttyACM0  0483:374b  serial 066DFF485") != NULL);
    CU_ASSERT(strstr(out, "[ST-LINK/V2-1]") != NULL);
    CU_ASSERT(strstr(out, "ttyUSB0  0403:6001  serial A10K1") != NULL);
    CU_ASSERT(strstr(out, "ttyS0") == NULL);
    CU_ASSERT(strstr(out, name) != NULL);
    CU_ASSERT(strstr(out, "pseudo-terminal") != NULL);
    /* the cortex-m plugin recognises the ST-LINK and names its COM port */
    CU_ASSERT(strstr(out, "cortex-m: debug-probe /dev/ttyACM0") != NULL);
    CU_ASSERT(strstr(out, "ST-LINK/V2-1 debug probe") != NULL);
    free(out);
    close(sfd);
    close(mfd);
}

static const char *write_rig(const char *name, const char *device)
{
    static char path[PATH_MAX + 64];
    char text[2048], model[PATH_MAX + 32];
    snprintf(model, sizeof model, "%s/placeholder.tflite", tmp);
    neurio_test_write_file(model, "TFL3", 4);
    snprintf(path, sizeof path, "%s/%s", tmp, name);
    snprintf(text, sizeof text,
             "device = { plugin = \"cortex-m\"; %s };\nmodel = { path = \"%s\"; };\n", device, model);
    CU_ASSERT_EQUAL_FATAL(neurio_test_write_file(path, text, strlen(text)), 0);
    return path;
}

static void test_cli_rig(void)
{
    char cmd[4 * PATH_MAX], *out = NULL;
    /* a serial number that is absent: exit 6, says what was seen */
    const char *rig = write_rig("absent.cfg", "board = \"nucleo-l4r5zi\"; link = \"hid:0d28:0204:NOPE\";");
    snprintf(cmd, sizeof cmd, NEURIO " probe --rig %s", rig);
    CU_ASSERT_EQUAL(run(cmd, &out), 6);
    CU_ASSERT(strstr(out, "neurio probe: no attached device matches device.link = \"hid:0d28:0204:NOPE\"") != NULL);
    CU_ASSERT(strstr(out, "seen:") != NULL);
    free(out);
    out = NULL;
    /* the emulated board: matches */
    rig = write_rig("qemu.cfg", "board = \"mps2-an386\";");
    snprintf(cmd, sizeof cmd, NEURIO " probe --rig %s", rig);
    CU_ASSERT_EQUAL(run(cmd, &out), 0);
    CU_ASSERT(strstr(out, "matches emulator mps2-an386") != NULL);
    free(out);
    out = NULL;
    rig = write_rig("qemu55.cfg", "board = \"mps3-an547\";");
    snprintf(cmd, sizeof cmd, NEURIO " probe --rig %s", rig);
    CU_ASSERT_EQUAL(run(cmd, &out), 0);
    CU_ASSERT(strstr(out, "matches emulator mps3-an547") != NULL);
    free(out);
    out = NULL;
    rig = write_rig("qemu.cfg", "board = \"mps2-an386\";");
    /* the emulated board when QEMU cannot run: exit 6, says why */
    snprintf(cmd, sizeof cmd, "NEURIO_QEMU_ARM=/nonexistent/qemu " NEURIO " probe --rig %s", rig);
    CU_ASSERT_EQUAL(run(cmd, &out), 6);
    CU_ASSERT(strstr(out, "matches emulator mps2-an386") != NULL);
    CU_ASSERT(strstr(out, "but it cannot be used: NOT available: /nonexistent/qemu does not run here") != NULL);
    free(out);
    out = NULL;
    /* a rig whose link is a pty: the port is checked without --serial */
    int mfd, sfd;
    char name[256], dev[400];
    CU_ASSERT_EQUAL_FATAL(openpty(&mfd, &sfd, name, NULL, NULL), 0);
    snprintf(dev, sizeof dev, "board = \"nucleo-l4r5zi\"; link = \"serial:%s@115200\";", name);
    rig = write_rig("pty.cfg", dev);
    snprintf(cmd, sizeof cmd, NEURIO " probe --rig %s", rig);
    CU_ASSERT_EQUAL(run(cmd, &out), 0);
    CU_ASSERT(strstr(out, "matches serial") != NULL && strstr(out, name) != NULL);
    free(out);
    out = NULL;
    close(sfd);
    close(mfd);
    /* a port that does not exist: exit 6 naming it (a closed pty's number
     * could be reused by another process at once, so not that one) */
    snprintf(dev, sizeof dev, "board = \"nucleo-l4r5zi\"; link = \"serial:%s/ttyGONE\";", tmp);
    rig = write_rig("gone.cfg", dev);
    snprintf(cmd, sizeof cmd, NEURIO " probe --rig %s", rig);
    CU_ASSERT_EQUAL(run(cmd, &out), 6);
    CU_ASSERT(strstr(out, "no attached device matches device.link") != NULL);
    CU_ASSERT(strstr(out, "ttyGONE: No such file or directory") != NULL);
    free(out);
    out = NULL;
    /* two ST-LINKs in the fake sysfs, the rig names only vid:pid: exit 3, asks for the serial */
    build_sysfs(1);
    rig = write_rig("two.cfg", "board = \"nucleo-l4r5zi\"; link = \"0483:374b\";");
    snprintf(cmd, sizeof cmd, "NEURIO_SYSFS_ROOT=%s NEURIO_DEV_ROOT=%s " NEURIO " probe --rig %s",
             sys_root, dev_root, rig);
    CU_ASSERT_EQUAL(run(cmd, &out), 3);
    CU_ASSERT(strstr(out, "2 attached devices match device.link = \"0483:374b\"") != NULL);
    CU_ASSERT(strstr(out, "add the serial number") != NULL);
    free(out);
    out = NULL;
    /* ...and --set with the serial number picks one */
    snprintf(cmd, sizeof cmd,
             "NEURIO_SYSFS_ROOT=%s NEURIO_DEV_ROOT=%s " NEURIO " probe --rig %s --set device.link=0671FF999",
             sys_root, dev_root, rig);
    CU_ASSERT_EQUAL(run(cmd, &out), 0);
    CU_ASSERT(strstr(out, "matches serial") != NULL && strstr(out, "ttyACM1") != NULL);
    free(out);
}

int neurio_register_tests(void)
{
    snprintf(tmp, sizeof tmp, "%s", neurio_test_tmpdir());
    CU_pSuite s = CU_add_suite("probe", NULL, NULL);
    if (!s)
        return -1;
    CU_add_test(s, "debug probes recognised by ids and product", test_known);
    CU_add_test(s, "USB serial ports from a fake sysfs tree", test_sysfs_serial);
    CU_add_test(s, "permission problems name the group / udev rule", test_permission_advice);
    CU_add_test(s, "pty given explicitly", test_pty);
    CU_add_test(s, "HID listing through probe_hid_testdouble", test_hid_testdouble);
    CU_add_test(s, "rig matching: one, none, several", test_match);
    CU_add_test(s, "neurio probe for real (no USB, QEMU boards)", test_cli_real);
    CU_add_test(s, "neurio probe with fake sysfs and a pty", test_cli_fake_sysfs_and_pty);
    CU_add_test(s, "neurio probe --rig", test_cli_rig);
    return 0;
}

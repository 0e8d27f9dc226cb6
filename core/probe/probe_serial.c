/* core/probe_serial.c — serial ports: USB-backed ttys found in sysfs
 * (<sysfs>/class/tty/X/device leads, a few directories up, to the USB
 * device with idVendor/idProduct/serial/product/manufacturer files), and
 * ttys or ptys named explicitly. */
#include "probe/probe.h"
#include "neurio/transport.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int parse_hex_id(const char *s, uint16_t *v)
{
    char *end;
    errno = 0;
    unsigned long x = strtoul(s, &end, 16);
    if (errno || end == s || *end || x > 0xFFFF)
        return -1;
    *v = (uint16_t)x;
    return 0;
}

/* Walk up from the resolved device directory until a directory holding
 * idVendor (the USB device), never above root.  Writes it into usb[]. */
static int find_usb_parent(const char *root_real, const char *devdir, char *usb, size_t cap)
{
    char p[PATH_MAX];
    nr_probe_copy(p, sizeof p, devdir);
    size_t rl = strlen(root_real);
    for (;;) {
        if (strlen(p) <= rl || strncmp(p, root_real, rl) != 0)
            return -1;
        char f[PATH_MAX];
        struct stat st;
        if ((size_t)snprintf(f, sizeof f, "%s/idVendor", p) < sizeof f && stat(f, &st) == 0) {
            nr_probe_copy(usb, cap, p);
            return 0;
        }
        char *slash = strrchr(p, '/');
        if (!slash || slash == p)
            return -1;
        *slash = '\0';
    }
}

static int name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int nr_probe_serial_sysfs(const char *sysfs_root, const char *dev_root,
                          nr_probe_list *out, neurio_errbuf *err)
{
    char cls[PATH_MAX], root_real[PATH_MAX];
    char **names = NULL;
    size_t nn = 0, cap = 0;
    int added = 0;
    if (!sysfs_root)
        sysfs_root = nr_probe_sysfs_root();
    if (!dev_root)
        dev_root = nr_probe_dev_root();
    if (!realpath(sysfs_root, root_real))
        return 0; /* no sysfs at all: nothing to list */
    if ((size_t)snprintf(cls, sizeof cls, "%s/class/tty", root_real) >= sizeof cls)
        return neurio_fail(err, NEURIO_ERR_INVALID, "sysfs root '%s' is too long", sysfs_root);
    DIR *d = opendir(cls);
    if (!d)
        return 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.')
            continue;
        if (nn == cap) {
            size_t nc = cap ? cap * 2 : 64;
            char **v = realloc(names, nc * sizeof *v);
            if (!v)
                goto nomem;
            names = v;
            cap = nc;
        }
        if (!(names[nn] = strdup(de->d_name)))
            goto nomem;
        nn++;
    }
    closedir(d);
    d = NULL;
    if (nn)
        qsort(names, nn, sizeof *names, name_cmp);
    for (size_t i = 0; i < nn; i++) {
        char link[PATH_MAX], real[PATH_MAX], usb[PATH_MAX], tmp[32];
        if ((size_t)snprintf(link, sizeof link, "%s/%s/device", cls, names[i]) >= sizeof link)
            continue;
        if (!realpath(link, real))
            continue; /* virtual tty (console, pts, ...) */
        if (find_usb_parent(root_real, real, usb, sizeof usb) != 0)
            continue; /* not USB (8250 UARTs and the like) */
        nr_probe_dev e;
        memset(&e, 0, sizeof e);
        nr_probe_copy(e.kind, sizeof e.kind, "serial");
        nr_probe_copy(e.source, sizeof e.source, "sysfs");
        if ((size_t)snprintf(e.path, sizeof e.path, "%s/%s", dev_root, names[i]) >= sizeof e.path)
            continue;
        neurio_sysfs_read_attr(usb, "idVendor", tmp, sizeof tmp);
        if (parse_hex_id(tmp, &e.vid) != 0)
            continue;
        neurio_sysfs_read_attr(usb, "idProduct", tmp, sizeof tmp);
        if (parse_hex_id(tmp, &e.pid) != 0)
            continue;
        neurio_sysfs_read_attr(usb, "serial", e.serial, sizeof e.serial);
        neurio_sysfs_read_attr(usb, "product", e.product, sizeof e.product);
        neurio_sysfs_read_attr(usb, "manufacturer", e.manufacturer, sizeof e.manufacturer);
        nr_probe_copy(e.known, sizeof e.known, nr_probe_known(e.vid, e.pid, e.product));
        nr_probe_check_access(e.path, 0, e.vid, e.pid, e.access, sizeof e.access);
        if (nr_probe_add(out, &e) != NEURIO_OK)
            goto nomem;
        added++;
    }
    for (size_t i = 0; i < nn; i++)
        free(names[i]);
    free(names);
    return added;
nomem:
    if (d)
        closedir(d);
    for (size_t i = 0; i < nn; i++)
        free(names[i]);
    free(names);
    return neurio_fail(err, NEURIO_ERR_NOMEM, "out of memory listing serial ports");
}

int nr_probe_serial_path(const char *path, nr_probe_list *out, neurio_errbuf *err)
{
    char real[PATH_MAX], other[PATH_MAX];
    struct stat st;
    if (stat(path, &st) != 0 || !realpath(path, real))
        return neurio_fail(err, NEURIO_ERR_IO,
                           "serial port %s: %s (is the board plugged in? `ls /dev/tty*` shows the ports)",
                           path, strerror(errno));
    for (size_t i = 0; i < out->n; i++)
        if (!strcmp(out->v[i].kind, "serial") && realpath(out->v[i].path, other) &&
            !strcmp(other, real))
            return NEURIO_OK;
    nr_probe_dev e;
    memset(&e, 0, sizeof e);
    nr_probe_copy(e.kind, sizeof e.kind, "serial");
    nr_probe_copy(e.source, sizeof e.source, "given");
    nr_probe_copy(e.path, sizeof e.path, path);
    nr_probe_copy(e.product, sizeof e.product,
                  !strncmp(real, "/dev/pts/", 9) ? "pseudo-terminal" : "terminal");
    if (!S_ISCHR(st.st_mode)) {
        snprintf(e.access, sizeof e.access, "%s is not a character device: give a tty such as /dev/ttyACM0",
                 path);
    } else {
        nr_probe_check_access(path, 0, 0, 0, e.access, sizeof e.access);
        if (!e.access[0]) {
            int fd = open(path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
            if (fd < 0)
                snprintf(e.access, sizeof e.access, "cannot open %s: %s", path, strerror(errno));
            else {
                if (!isatty(fd))
                    snprintf(e.access, sizeof e.access,
                             "%s is not a terminal: give a serial port or pty", path);
                close(fd);
            }
        }
    }
    if (nr_probe_add(out, &e) != NEURIO_OK)
        return neurio_fail(err, NEURIO_ERR_NOMEM, "out of memory");
    return NEURIO_OK;
}

/* core/probe_list.c — the discovery list, debug-probe recognition and the
 * device-node permission check with the fix it suggests. */
#include "probe/probe.h"
#include "neurio/transport.h"

#include <errno.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int nr_probe_add(nr_probe_list *l, const nr_probe_dev *d)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 8;
        nr_probe_dev *v = realloc(l->v, cap * sizeof *v);
        if (!v)
            return NEURIO_ERR_NOMEM;
        l->v = v;
        l->cap = cap;
    }
    l->v[l->n++] = *d;
    return NEURIO_OK;
}

void nr_probe_list_free(nr_probe_list *l)
{
    free(l->v);
    l->v = NULL;
    l->n = l->cap = 0;
}

void nr_probe_copy(char *dst, size_t cap, const char *src)
{
    if (!cap)
        return;
    size_t n = src ? strlen(src) : 0;
    if (n >= cap)
        n = cap - 1;
    if (n)
        memcpy(dst, src, n);
    dst[n] = '\0';
}

const char *nr_probe_known(uint16_t vid, uint16_t pid, const char *product)
{
    return neurio_usb_debug_probe_name(vid, pid, product);
}

const char *nr_probe_sysfs_root(void)
{
    const char *e = getenv("NEURIO_SYSFS_ROOT");
    return e && *e ? e : "/sys";
}

const char *nr_probe_dev_root(void)
{
    const char *e = getenv("NEURIO_DEV_ROOT");
    return e && *e ? e : "/dev";
}

void nr_probe_check_access(const char *path, int is_hid, uint16_t vid,
                           uint16_t pid, char *out, size_t cap)
{
    struct stat st;
    out[0] = '\0';
    if (stat(path, &st) != 0) {
        if (errno != EACCES) {
            snprintf(out, cap, "%s: %s (the device node is missing: is the udev daemon running?)",
                     path, strerror(errno));
            return;
        }
        st.st_gid = 0; /* a directory on the way is closed to us */
    }
    if (access(path, R_OK | W_OK) == 0)
        return;
    int e = errno;
    if (e != EACCES && e != EPERM) {
        snprintf(out, cap, "%s: %s", path, strerror(e));
        return;
    }
    if (is_hid)
        snprintf(out, cap,
                 "no permission on %s: add a udev rule such as SUBSYSTEM==\"hidraw\", "
                 "ATTRS{idVendor}==\"%04x\", ATTRS{idProduct}==\"%04x\", MODE=\"0660\", "
                 "GROUP=\"plugdev\" in /etc/udev/rules.d/99-neurio.rules, run "
                 "`udevadm control --reload && udevadm trigger`, and join the plugdev group "
                 "(usermod -aG plugdev $USER, then log in again)",
                 path, vid, pid);
    else {
        /* The group owning the node (dialout on Debian, uucp elsewhere). */
        const struct group *g = getgrgid(st.st_gid);
        const char *grp = g && st.st_gid != 0 ? g->gr_name : "dialout";
        snprintf(out, cap,
                 "no permission on %s: join group %s (usermod -aG %s $USER, then log in "
                 "again), or add a udev rule such as SUBSYSTEM==\"tty\", "
                 "ATTRS{idVendor}==\"%04x\", ATTRS{idProduct}==\"%04x\", MODE=\"0660\", "
                 "GROUP=\"dialout\" in /etc/udev/rules.d/99-neurio.rules",
                 path, grp, grp, vid, pid);
    }
}

/* core/probe_list.c — the discovery list, debug-probe recognition and the
 * device-node permission check with the fix it suggests. */
#include "probe.h"

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

/* USB ids of debug probes (public vendor/product ids). */
typedef struct probe_known_id {
    uint16_t vid, pid;
    const char *name;
} probe_known_id;

static const probe_known_id probe_known_ids[] = {
    {0x0483, 0x3744, "ST-LINK/V1"},
    {0x0483, 0x3748, "ST-LINK/V2"},
    {0x0483, 0x374a, "ST-LINK/V2-1"},
    {0x0483, 0x374b, "ST-LINK/V2-1"},
    {0x0483, 0x3752, "ST-LINK/V2-1"},
    {0x0483, 0x374d, "ST-LINK/V3"},
    {0x0483, 0x374e, "ST-LINK/V3"},
    {0x0483, 0x374f, "ST-LINK/V3"},
    {0x0483, 0x3753, "ST-LINK/V3"},
    {0x0483, 0x3754, "ST-LINK/V3"},
    {0x0483, 0x3757, "ST-LINK/V3"},
    {0x0d28, 0x0204, "DAPLink (CMSIS-DAP)"},
};

static int contains_nocase(const char *hay, const char *needle)
{
    size_t n = strlen(needle);
    for (; hay && *hay; hay++) {
        size_t i = 0;
        while (i < n && hay[i] &&
               (hay[i] | 0x20) == (needle[i] | 0x20))
            i++;
        if (i == n)
            return 1;
    }
    return 0;
}

const char *nr_probe_known(uint16_t vid, uint16_t pid, const char *product)
{
    for (size_t i = 0; i < sizeof probe_known_ids / sizeof probe_known_ids[0]; i++)
        if (probe_known_ids[i].vid == vid && probe_known_ids[i].pid == pid)
            return probe_known_ids[i].name;
    if (product && contains_nocase(product, "DAPLink"))
        return "DAPLink (CMSIS-DAP)";
    if (product && contains_nocase(product, "CMSIS-DAP"))
        return "CMSIS-DAP";
    if (product && contains_nocase(product, "ST-LINK"))
        return "ST-LINK";
    return NULL;
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

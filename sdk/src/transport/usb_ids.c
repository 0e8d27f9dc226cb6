/* sdk/src/transport/usb_ids.c — USB facts shared by the launcher's `neurio probe`
 * and device plugins (which do not link the launcher): the public
 * vendor/product ids of debug probes, and reading one sysfs attribute. */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "neurio/transport.h"

/* Public USB ids of debug probes. */
static const struct {
    uint16_t vid, pid;
    const char *name;
} probe_ids[] = {
    {0x0483, 0x3744, "ST-LINK/V1"},   {0x0483, 0x3748, "ST-LINK/V2"},
    {0x0483, 0x374a, "ST-LINK/V2-1"}, {0x0483, 0x374b, "ST-LINK/V2-1"},
    {0x0483, 0x3752, "ST-LINK/V2-1"}, {0x0483, 0x374d, "ST-LINK/V3"},
    {0x0483, 0x374e, "ST-LINK/V3"},   {0x0483, 0x374f, "ST-LINK/V3"},
    {0x0483, 0x3753, "ST-LINK/V3"},   {0x0483, 0x3754, "ST-LINK/V3"},
    {0x0483, 0x3757, "ST-LINK/V3"},   {0x0d28, 0x0204, "DAPLink (CMSIS-DAP)"},
};

static int contains_nocase(const char *hay, const char *needle)
{
    const size_t n = strlen(needle);
    for (; hay && *hay; hay++) {
        size_t i = 0;
        while (i < n && hay[i] && (hay[i] | 0x20) == (needle[i] | 0x20))
            i++;
        if (i == n)
            return 1;
    }
    return 0;
}

const char *neurio_usb_debug_probe_name(uint16_t vid, uint16_t pid, const char *product)
{
    for (size_t i = 0; i < sizeof probe_ids / sizeof probe_ids[0]; i++)
        if (probe_ids[i].vid == vid && probe_ids[i].pid == pid)
            return probe_ids[i].name;
    if (!product)
        return NULL;
    if (contains_nocase(product, "DAPLink"))
        return "DAPLink (CMSIS-DAP)";
    if (contains_nocase(product, "CMSIS-DAP") || contains_nocase(product, "CMSIS_DAP"))
        return "CMSIS-DAP";
    if (contains_nocase(product, "ST-LINK"))
        return "ST-LINK";
    return NULL;
}

void neurio_sysfs_read_attr(const char *dir, const char *name, char *out, size_t cap)
{
    char p[PATH_MAX];
    if (!out || cap == 0)
        return;
    out[0] = '\0';
    if ((size_t)snprintf(p, sizeof p, "%s/%s", dir, name) >= sizeof p)
        return;
    FILE *f = fopen(p, "r");
    if (!f)
        return;
    if (!fgets(out, (int)(cap > INT_MAX ? INT_MAX : cap), f))
        out[0] = '\0';
    fclose(f);
    out[strcspn(out, "\r\n")] = '\0';
}

/* core/probe_hid.c — USB HID discovery through hidapi (hidraw backend).
 * hid_enumerate(0, 0) lists every HID interface without opening it; the
 * permission of each /dev/hidraw node is checked separately. */
#include "probe/probe.h"

#ifndef NEURIO_NO_HID
#include <hidapi.h>
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#ifndef NEURIO_NO_HID
static void wide_copy(char *dst, size_t cap, const wchar_t *w)
{
    dst[0] = '\0';
    if (!w)
        return;
    size_t r = wcstombs(dst, w, cap);
    if (r == (size_t)-1) {
        /* Not representable in the locale: keep the ASCII part. */
        size_t i = 0;
        for (; w[i] && i + 1 < cap; i++)
            dst[i] = w[i] < 0x80 ? (char)w[i] : '?';
        dst[i] = '\0';
    }
    dst[cap - 1] = '\0';
}

static int hidapi_enumerate(nr_probe_list *out, neurio_errbuf *err)
{
    if (hid_init() != 0)
        return neurio_fail(err, NEURIO_ERR_IO,
                           "hidapi could not start (hid_init failed): is /dev readable and libhidapi-hidraw0 installed?");
    struct hid_device_info *all = hid_enumerate(0, 0);
    int rc = NEURIO_OK;
    for (struct hid_device_info *d = all; d; d = d->next) {
        nr_probe_dev e;
        memset(&e, 0, sizeof e);
        nr_probe_copy(e.kind, sizeof e.kind, "hid");
        nr_probe_copy(e.path, sizeof e.path, d->path);
        nr_probe_copy(e.source, sizeof e.source, "hidapi");
        e.vid = d->vendor_id;
        e.pid = d->product_id;
        wide_copy(e.serial, sizeof e.serial, d->serial_number);
        wide_copy(e.product, sizeof e.product, d->product_string);
        wide_copy(e.manufacturer, sizeof e.manufacturer, d->manufacturer_string);
        if (nr_probe_add(out, &e) != NEURIO_OK) {
            rc = neurio_fail(err, NEURIO_ERR_NOMEM, "out of memory listing HID devices");
            break;
        }
    }
    hid_free_enumeration(all);
    hid_exit();
    return rc;
}

#else
static int hidapi_enumerate(nr_probe_list *out, neurio_errbuf *err)
{
    (void)out;
    return neurio_fail(err, NEURIO_ERR_UNSUPPORTED,
                       "USB HID discovery is not built in (neurio was configured with "
                       "NEURIO_WITH_HID=OFF)");
}
#endif

const nr_probe_hid_api nr_probe_hidapi = {
    .name = "hidapi",
    .enumerate = hidapi_enumerate,
};

int nr_probe_hid(const nr_probe_hid_api *api, nr_probe_list *out, neurio_errbuf *err)
{
    if (!api)
        api = &nr_probe_hidapi;
    size_t first = out->n;
    int rc = api->enumerate(out, err);
    if (rc != NEURIO_OK)
        return rc;
    for (size_t i = first; i < out->n; i++) {
        nr_probe_dev *e = &out->v[i];
        const char *k = nr_probe_known(e->vid, e->pid, e->product);
        nr_probe_copy(e->known, sizeof e->known, k);
        if (e->path[0] == '/')
            nr_probe_check_access(e->path, 1, e->vid, e->pid, e->access, sizeof e->access);
    }
    return (int)(out->n - first);
}

/* core/cmd_probe.c — `neurio probe [--rig R] [--json] [--serial PATH]...`:
 * what is attached and usable (USB HID through hidapi, USB serial ports from
 * sysfs, ttys/ptys given), what each device plugin's probe hook reports
 * (emulators, debug probes, the workstation), and with a rig which device it
 * designates or why none or several do. */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands/commands.h"
#include "host.h"
#include "loader.h"
#include "neurio/paths.h"
#include "options.h"
#include "probe/probe.h"
#include "rig.h"

typedef struct probe_args {
    const char *rig;
    const char **sets;
    size_t n_sets;
    const char **serials;
    size_t n_serials;
    int json;
    int help;
} probe_args;

static void probe_help(void)
{
    printf("usage: neurio probe [--rig R] [--set key=value]... [--serial PATH]... [--json]\n\n"
           "List what is attached and usable: USB HID devices (hidapi: vendor:product id,\n"
           "serial number, /dev/hidraw path, product; CMSIS-DAP, DAPLink and ST-LINK debug\n"
           "probes recognised), USB serial ports (sysfs: the USB ids and serial number of\n"
           "the device behind each tty), ttys or ptys given with --serial, and what each\n"
           "device plugin reports (emulated boards and QEMU's version, debug probes, the\n"
           "workstation).  A device this user may not open says which group or udev rule\n"
           "fixes it.\n\n"
           "With --rig R, also say which device the rig's device.link (hid:VID:PID[:SERIAL],\n"
           "serial:/dev/ttyACM0, VID:PID, a serial number, or auto: the emulated board)\n"
           "designates, or why none or several do.\n\n"
           "Options:\n"
           "  --rig R          match the devices against rig R (and search its plugin_path)\n"
           "  --set key=value  override a rig key (e.g. --set device.link=hid:0d28:0204)\n"
           "  --serial PATH    also check this tty or pty (repeatable)\n"
           "  --json           print one JSON object instead of text\n"
           "  -h, --help       this help\n\n"
           "Exit: 0 listed (and with --rig: exactly one device matches), 6 no attached\n"
           "device matches the rig or it cannot be opened, 3 several match (add the serial\n"
           "number) or a bad rig.\n\n%s",
           nr_exit_codes_help);
}

static int probe_parse(int argc, char **argv, probe_args *a)
{
    memset(a, 0, sizeof *a);
    a->sets = calloc((size_t)argc + 1, sizeof *a->sets);
    a->serials = calloc((size_t)argc + 1, sizeof *a->serials);
    if (!a->sets || !a->serials) {
        fprintf(stderr, "neurio probe: out of memory\n");
        return NR_EXIT_FAILURE;
    }
    for (int i = 1; i < argc; i++) {
        const char *s = argv[i];
        int has_val = i + 1 < argc;
        if (!strcmp(s, "-h") || !strcmp(s, "--help"))
            a->help = 1;
        else if (!strcmp(s, "--json"))
            a->json = 1;
        else if (!strcmp(s, "--rig") && has_val && !a->rig)
            a->rig = argv[++i];
        else if (!strcmp(s, "--set") && has_val)
            a->sets[a->n_sets++] = argv[++i];
        else if (!strcmp(s, "--serial") && has_val)
            a->serials[a->n_serials++] = argv[++i];
        else {
            fprintf(stderr, "neurio probe: %s '%s' (see neurio probe --help)\n",
                    !strcmp(s, "--rig") && a->rig ? "--rig given twice:"
                    : s[0] == '-' && !has_val && (!strcmp(s, "--rig") || !strcmp(s, "--set") ||
                                                  !strcmp(s, "--serial"))
                        ? "missing value after"
                        : "unknown argument",
                    s);
            return NR_EXIT_USAGE;
        }
    }
    if (a->n_sets && !a->rig) {
        fprintf(stderr, "neurio probe: --set needs --rig R\n");
        return NR_EXIT_USAGE;
    }
    return 0;
}

/* ---- plugin hooks -------------------------------------------------------- */

typedef struct probe_cb_state {
    nr_probe_list *list;
    const char *plugin;
    unsigned plugin_minor; /* the plugin's ABI minor: entry layout */
    int oom;
} probe_cb_state;

/* An ABI 1.0 entry: up to and including pid. */
#define PROBE_ENTRY_SIZE_1_0 (offsetof(neurio_probe_entry, pid) + sizeof(uint16_t))

static void probe_cb(void *user, const neurio_probe_entry *entry)
{
    probe_cb_state *st = user;
    /* Size-tolerant read: what the plugin's entry covers, zero beyond. */
    neurio_probe_entry copy;
    memset(&copy, 0, sizeof copy);
    size_t have = PROBE_ENTRY_SIZE_1_0;
    if (st->plugin_minor >= 1 && entry->size > have)
        have = entry->size < sizeof copy ? entry->size : sizeof copy;
    memcpy(&copy, entry, have);
    const neurio_probe_entry *pe = &copy;
    nr_probe_dev e;
    memset(&e, 0, sizeof e);
    nr_probe_copy(e.kind, sizeof e.kind, pe->kind ? pe->kind : "device");
    nr_probe_copy(e.path, sizeof e.path, pe->id);
    nr_probe_copy(e.product, sizeof e.product, pe->detail);
    nr_probe_copy(e.serial, sizeof e.serial, pe->serial);
    e.vid = pe->vid;
    e.pid = pe->pid;
    snprintf(e.source, sizeof e.source, "plugin %s", st->plugin);
    if (e.vid || e.pid)
        nr_probe_copy(e.known, sizeof e.known, nr_probe_known(e.vid, e.pid, e.product));
    /* Convention of the plugins' details: "... NOT available: why" marks a
     * device that is known but cannot be used here (QEMU missing). */
    const char *na = pe->detail ? strstr(pe->detail, "NOT available") : NULL;
    if (na)
        snprintf(e.access, sizeof e.access, "%s", na);
    if (nr_probe_add(st->list, &e) != NEURIO_OK)
        st->oom = 1;
}

/* What the rig's plugin designated from its own options (probe --rig). */
typedef struct probe_designation {
    const nr_plugin_entry *rig_plugin; /* NULL = no --rig                  */
    const nr_options *opts;            /* the rig's validated options      */
    char link[1024], board[256];
    int has_link, has_board;
} probe_designation;

static void probe_take_designation(neurio_ctx *ctx, probe_designation *dz)
{
    const char *link, *board;
    if (!nr_ctx_designation(ctx, &link, &board))
        return;
    dz->has_link = link != NULL;
    dz->has_board = board != NULL;
    nr_probe_copy(dz->link, sizeof dz->link, link);
    nr_probe_copy(dz->board, sizeof dz->board, board);
}

/* Run every loaded plugin's probe hook; failures become notes in errs.  The
 * rig's plugin is probed with the rig's options and asked which device
 * they designate (host->probe_rig / probe_designate). */
static void probe_plugins(const nr_plugin_set *set, nr_probe_list *list, cJSON *errs,
                          probe_designation *dz)
{
    char line[1024];
    for (size_t i = 0; i < set->n; i++) {
        const nr_plugin_entry *pe = &set->v[i];
        if (!pe->ok || !pe->desc.probe)
            continue;
        int for_rig = pe == dz->rig_plugin;
        neurio_ctx *ctx = nr_ctx_new(pe->desc.name, for_rig ? dz->opts : NULL, NULL);
        if (!ctx) {
            cJSON_AddItemToArray(errs, cJSON_CreateString("out of memory"));
            return;
        }
        nr_ctx_set_probe_rig(ctx, for_rig);
        probe_cb_state st = {.list = list, .plugin = pe->desc.name,
                             .plugin_minor = pe->desc.abi_minor};
        int rc = pe->desc.probe(ctx, nr_host(), probe_cb, &st);
        if (rc != NEURIO_OK || st.oom) {
            const char *why = nr_ctx_error(ctx);
            snprintf(line, sizeof line, "plugin %s: probe failed: %s", pe->desc.name,
                     st.oom ? "out of memory" : why ? why : neurio_status_str(rc));
            cJSON_AddItemToArray(errs, cJSON_CreateString(line));
        }
        if (for_rig)
            probe_take_designation(ctx, dz);
        nr_ctx_free(ctx);
    }
}

/* ---- output -------------------------------------------------------------- */

static cJSON *dev_json(const nr_probe_dev *d)
{
    char id[8];
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "kind", d->kind);
    cJSON_AddStringToObject(o, "path", d->path);
    if (d->vid || d->pid) {
        snprintf(id, sizeof id, "%04x", d->vid);
        cJSON_AddStringToObject(o, "vid", id);
        snprintf(id, sizeof id, "%04x", d->pid);
        cJSON_AddStringToObject(o, "pid", id);
    } else {
        cJSON_AddNullToObject(o, "vid");
        cJSON_AddNullToObject(o, "pid");
    }
#define STR_OR_NULL(key, s) ((s)[0] ? cJSON_AddStringToObject(o, key, s) : cJSON_AddNullToObject(o, key))
    STR_OR_NULL("serial", d->serial);
    STR_OR_NULL("product", d->product);
    STR_OR_NULL("manufacturer", d->manufacturer);
    STR_OR_NULL("recognised", d->known);
    cJSON_AddStringToObject(o, "source", d->source);
    cJSON_AddBoolToObject(o, "usable", !d->access[0]);
    STR_OR_NULL("problem", d->access);
#undef STR_OR_NULL
    return o;
}

static void print_dev(const nr_probe_dev *d, int plugin)
{
    if (plugin)
        printf("  %s: %s %s", d->source + 7, d->kind, d->path);
    else
        printf("  %s", d->path);
    if (d->vid || d->pid)
        printf("  %04x:%04x", d->vid, d->pid);
    if (d->serial[0])
        printf("  serial %s", d->serial);
    if (d->product[0])
        printf(plugin ? " — %s" : "  \"%s\"", d->product);
    if (d->manufacturer[0])
        printf(" (%s)", d->manufacturer);
    if (d->known[0])
        printf("  [%s]", d->known);
    if (!plugin && strcmp(d->source, "hidapi") && strcmp(d->source, "sysfs"))
        printf("  (%s)", d->source);
    printf("\n");
    if (d->access[0])
        printf("    ! %s\n", d->access);
}

static void print_text(const nr_probe_list *l, int hid_rc, const char *hid_err, cJSON *errs)
{
    size_t n;
    printf("USB HID devices (hidapi):\n");
    n = 0;
    for (size_t i = 0; i < l->n; i++)
        if (!strcmp(l->v[i].source, "hidapi")) {
            print_dev(&l->v[i], 0);
            n++;
        }
    if (hid_rc < 0)
        printf("  cannot list HID devices: %s\n", hid_err);
    else if (!n)
        printf("  no HID devices found\n");
    printf("Serial ports (%s/class/tty):\n", nr_probe_sysfs_root());
    n = 0;
    for (size_t i = 0; i < l->n; i++)
        if (!strcmp(l->v[i].kind, "serial") && strncmp(l->v[i].source, "plugin ", 7)) {
            print_dev(&l->v[i], 0);
            n++;
        }
    if (!n)
        printf("  no USB serial ports found\n");
    printf("Plugins:\n");
    n = 0;
    for (size_t i = 0; i < l->n; i++)
        if (!strncmp(l->v[i].source, "plugin ", 7)) {
            print_dev(&l->v[i], 1);
            n++;
        }
    if (!n)
        printf("  no plugin reported a device\n");
    for (int i = 0; i < cJSON_GetArraySize(errs); i++)
        printf("  ! %s\n", cJSON_GetArrayItem(errs, i)->valuestring);
}

/* ---- the command --------------------------------------------------------- */

int nr_cmd_probe(int argc, char **argv)
{
    probe_args a;
    nr_rig *rig = NULL;
    nr_plugin_set set = {0};
    nr_probe_list list = {0};
    nr_options opts = {0};
    neurio_errbuf err, hid_err;
    nr_probe_match m;
    int have_match = 0, match_rc = NEURIO_OK;
    const char *link = NULL, *board = NULL;
    probe_designation dz = {0};
    cJSON *errs = cJSON_CreateArray();
    int code = probe_parse(argc, argv, &a);
    if (code || !errs)
        goto out;
    if (a.help) {
        probe_help();
        goto out;
    }
    if (a.rig) {
        if (nr_rig_load(a.rig, a.sets, a.n_sets, &rig, &err) != NEURIO_OK) {
            fprintf(stderr, "neurio probe: %s\n", err.msg);
            code = NR_EXIT_CONFIG;
            goto out;
        }
    }
    int rc = nr_loader_scan(rig ? (const char *const *)rig->plugin_path : NULL,
                            rig ? rig->n_plugin_path : 0, 0, &set, &err);
    if (rc) {
        fprintf(stderr, "neurio probe: %s\n", err.msg);
        code = rc == NEURIO_ERR_CONFIG ? NR_EXIT_CONFIG : NR_EXIT_PLUGIN;
        goto out;
    }
    if (rig) {
        const nr_plugin_entry *pe = nr_loader_find(&set, rig->device_plugin, &err);
        if (!pe) {
            fprintf(stderr, "neurio probe: %s\n", err.msg);
            code = NR_EXIT_PLUGIN;
            goto out;
        }
        if (nr_options_validate(rig, &pe->desc, &opts, &err) != NEURIO_OK) {
            fprintf(stderr, "neurio probe: %s\n", err.msg);
            code = NR_EXIT_CONFIG;
            goto out;
        }
        dz.rig_plugin = pe;
        dz.opts = &opts;
    }

    int hid_rc = nr_probe_hid(NULL, &list, &hid_err);
    if (hid_rc < 0) {
        char line[600];
        snprintf(line, sizeof line, "HID: %s", hid_err.msg);
        cJSON_AddItemToArray(errs, cJSON_CreateString(line));
    }
    if (nr_probe_serial_sysfs(NULL, NULL, &list, &err) < 0)
        cJSON_AddItemToArray(errs, cJSON_CreateString(err.msg));
    for (size_t i = 0; i < a.n_serials; i++)
        if (nr_probe_serial_path(a.serials[i], &list, &err) != NEURIO_OK) {
            fprintf(stderr, "neurio probe: --serial %s\n", err.msg);
            code = NR_EXIT_USAGE;
            goto out;
        }
    probe_plugins(&set, &list, errs, &dz);
    link = dz.has_link ? dz.link : NULL;
    board = dz.has_board ? dz.board : NULL;
    if (link && (!strncmp(link, "serial:", 7) || link[0] == '/')) {
        /* The rig's own port (a pty has no sysfs device): check it too. */
        char path[1024];
        nr_probe_copy(path, sizeof path, link[0] == '/' ? link : link + 7);
        char *at = strrchr(path, '@');
        if (at)
            *at = '\0';
        if (nr_probe_serial_path(path, &list, &err) != NEURIO_OK)
            cJSON_AddItemToArray(errs, cJSON_CreateString(err.msg));
    }

    if (rig) {
        have_match = 1;
        match_rc = nr_probe_match_rig(&list, rig->device_plugin, link, board, &m);
        if (match_rc == NEURIO_OK && !m.not_a_device && m.n == 1 && list.v[m.idx[0]].access[0])
            match_rc = NEURIO_ERR_DEVICE;
        code = match_rc == NEURIO_OK ? NR_EXIT_OK
             : match_rc == NEURIO_ERR_DEVICE ? NR_EXIT_DEVICE : NR_EXIT_CONFIG;
    }

    if (a.json) {
        cJSON *root = cJSON_CreateObject();
        cJSON *devs = cJSON_AddArrayToObject(root, "devices");
        for (size_t i = 0; i < list.n; i++)
            cJSON_AddItemToArray(devs, dev_json(&list.v[i]));
        cJSON_AddNumberToObject(root, "hid_devices", hid_rc < 0 ? 0 : hid_rc);
        cJSON_AddStringToObject(root, "sysfs_root", nr_probe_sysfs_root());
        cJSON_AddItemToObject(root, "errors", errs);
        errs = NULL;
        if (have_match) {
            cJSON *r = cJSON_AddObjectToObject(root, "rig");
            cJSON_AddStringToObject(r, "path", rig->path);
            cJSON_AddStringToObject(r, "plugin", rig->device_plugin);
            if (link)
                cJSON_AddStringToObject(r, "link", link);
            else
                cJSON_AddNullToObject(r, "link");
            cJSON_AddStringToObject(r, "verdict",
                                    m.not_a_device ? "not-a-device"
                                    : match_rc == NEURIO_OK ? "match"
                                    : m.n > 1 ? "ambiguous"
                                    : m.n == 1 ? "unusable" : "none");
            cJSON_AddStringToObject(r, "message", m.msg);
            if (m.n == 1)
                cJSON_AddItemToObject(r, "device", dev_json(&list.v[m.idx[0]]));
        }
        char *s = cJSON_Print(root);
        if (s)
            printf("%s\n", s);
        free(s);
        cJSON_Delete(root);
    } else {
        print_text(&list, hid_rc, hid_err.msg, errs);
        if (have_match)
            printf("Rig %s:\n  %s\n", rig->path, m.msg);
    }
    if (have_match && match_rc != NEURIO_OK)
        fprintf(stderr, "neurio probe: %s\n", m.msg);
out:
    cJSON_Delete(errs);
    nr_options_free(&opts);
    nr_probe_list_free(&list);
    nr_plugin_set_free(&set);
    nr_rig_free(rig);
    free(a.sets);
    free(a.serials);
    return code;
}

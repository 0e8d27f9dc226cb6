/* plugins/cortex-m/src/cm_flasher.c — see cm_flasher.h.  Not exercised on
 * this machine (no board attached); the commands are the tools' documented
 * ones: `st-flash --reset write fw.bin 0x08000000` and `openocd -f <board cfg>
 * -c "program fw.elf verify reset exit"`. */
#include "cm_flasher.h"

#include <stdio.h>
#include <string.h>

#include "cm_proc.h"

static int run_tool(char *const argv[], const char *what, const char *log_path,
                    int timeout_ms, neurio_errbuf *err)
{
    int code = 0;
    int rc = neurio_proc_run(argv, log_path, timeout_ms, &code, err);
    if (rc)
        return rc;
    if (code != 0) {
        char tail[300];
        neurio_log_tail(log_path, tail, sizeof tail);
        return neurio_fail(err, NEURIO_ERR_TOOLCHAIN,
                           "%s failed (exit %d): %s (log: %s); check the board is "
                           "connected and device.flasher",
                           what, code, tail, log_path);
    }
    return NEURIO_OK;
}

int cm_tcl_word(char *dst, size_t cap, const char *s)
{
    size_t o = 0;
    if (!cap)
        return -1;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p < 0x20 || *p == 0x7f) {
            dst[0] = '\0';
            return -1; /* "\<newline>" is a line continuation, not a newline */
        }
        int plain = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
                    (*p >= '0' && *p <= '9') || *p == '/' || *p == '.' || *p == '_' ||
                    *p == '-' || *p >= 0x80;
        if (o + 3 >= cap) {
            dst[0] = '\0';
            return -1;
        }
        if (!plain)
            dst[o++] = '\\'; /* backslash + punctuation = that character */
        dst[o++] = (char)*p;
    }
    dst[o] = '\0';
    return (int)o;
}

int cm_flash_image(const cm_flash_args *a, neurio_errbuf *err)
{
    int timeout = a->timeout_ms > 0 ? a->timeout_ms : 120000;
    if (strcmp(a->flasher, "none") == 0)
        return NEURIO_OK;
    if (strcmp(a->flasher, "st-flash") == 0) {
        char objcopy[256], addr[32];
        snprintf(objcopy, sizeof objcopy, "%sobjcopy", a->toolchain_prefix);
        char *oc[] = {objcopy, "-O", "binary", (char *)a->elf, (char *)a->bin, NULL};
        int rc = run_tool(oc, objcopy, a->log_path, timeout, err);
        if (rc)
            return rc;
        snprintf(addr, sizeof addr, "0x%08x", a->flash_origin);
        char *sf[] = {"st-flash", "--reset", "write", (char *)a->bin, addr, NULL};
        return run_tool(sf, "st-flash", a->log_path, timeout, err);
    }
    if (strcmp(a->flasher, "openocd") == 0) {
        /* OpenOCD evaluates -c (and -f, as "script {FILE}") as Tcl: paths
         * go in as single Tcl words, every special character escaped. */
        char cmd[4 * 4200], script[4 * 1100], elf[4 * 4100], cfg[4 * 1024];
        if (cm_tcl_word(elf, sizeof elf, a->elf) < 0 ||
            cm_tcl_word(cfg, sizeof cfg, a->openocd_config) < 0)
            return neurio_fail(err, NEURIO_ERR_CONFIG,
                               "cannot hand %s or %s to OpenOCD: a control character "
                               "(newline, tab, ...) in a path cannot be quoted for Tcl; "
                               "rename it", a->elf, a->openocd_config);
        snprintf(script, sizeof script, "script %s", cfg);
        snprintf(cmd, sizeof cmd, "program %s verify reset exit", elf);
        char *oo[] = {"openocd", "-c", script, "-c", cmd, NULL};
        return run_tool(oo, "openocd", a->log_path, timeout, err);
    }
    return neurio_fail(err, NEURIO_ERR_CONFIG,
                       "device.flasher = \"%s\" is not supported; use st-flash, "
                       "openocd or none",
                       a->flasher);
}

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
    int rc = cm_proc_run(argv, log_path, timeout_ms, &code, err);
    if (rc)
        return rc;
    if (code != 0) {
        char tail[300];
        cm_log_tail(log_path, tail, sizeof tail);
        return neurio_fail(err, NEURIO_ERR_TOOLCHAIN,
                           "%s failed (exit %d): %s (log: %s); check the board is "
                           "connected and device.flasher",
                           what, code, tail, log_path);
    }
    return NEURIO_OK;
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
        char cmd[4200];
        snprintf(cmd, sizeof cmd, "program %s verify reset exit", a->elf);
        char *oo[] = {"openocd", "-f", (char *)a->openocd_config, "-c", cmd, NULL};
        return run_tool(oo, "openocd", a->log_path, timeout, err);
    }
    return neurio_fail(err, NEURIO_ERR_CONFIG,
                       "device.flasher = \"%s\" is not supported; use st-flash, "
                       "openocd or none",
                       a->flasher);
}

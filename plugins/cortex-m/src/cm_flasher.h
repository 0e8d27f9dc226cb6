/* plugins/cortex-m/src/cm_flasher.h — put an image on a real board with the
 * vendor tool (st-flash or openocd), checking its exit status.  Internal. */
#ifndef CM_FLASHER_H
#define CM_FLASHER_H

#include <stdint.h>

#include "neurio/status.h"

typedef struct cm_flash_args {
    const char *flasher;        /* "st-flash" | "openocd" | "none"          */
    const char *elf;            /* image                                    */
    const char *bin;            /* raw image (st-flash), made by objcopy    */
    uint32_t flash_origin;      /* st-flash write address                   */
    const char *openocd_config; /* "board/st_nucleo_l4.cfg"                 */
    const char *toolchain_prefix;
    const char *log_path;
    int timeout_ms;
} cm_flash_args;

/* Returns NEURIO_OK, NEURIO_ERR_TOOLCHAIN when the tool is missing or exits
 * non-zero (message with its last output lines and the log path). */
int cm_flash_image(const cm_flash_args *a, neurio_errbuf *err);

/* `s` as one Tcl word (OpenOCD's -c and script arguments): every character
 * but letters, digits, "/._-" and UTF-8 bytes gets a backslash, so spaces,
 * brackets, braces, "$", quotes and ";" are data.  Returns the length, or
 * -1 when it does not fit in cap or `s` holds a control character (which
 * Tcl cannot be given literally this way). */
int cm_tcl_word(char *dst, size_t cap, const char *s);

#endif

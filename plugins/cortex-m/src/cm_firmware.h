/* plugins/cortex-m/src/cm_firmware.h — build the device firmware with
 * arm-none-eabi-gcc and measure it.  Internal to the cortex-m plugin.
 *
 * The image = board support (plugins/cortex-m/firmware: startup, linker
 * script, board file, platform adapter) + the portable runtime
 * (firmware/runtime) + kernels (firmware/kernels) + the generated model
 * (gen_dir/ *.c).  fw.ld (MEMORY block) is written from the profile so an image that
 * does not fit fails at link time and is reported as "needs N bytes, board
 * has M". */
#ifndef CM_FIRMWARE_H
#define CM_FIRMWARE_H

#include <stdint.h>

#include "cm_profile.h"
#include "neurio/status.h"

typedef struct cm_fw_args {
    const cm_profile *profile;
    const char *board_dir;   /* plugins/cortex-m/firmware (board support)    */
    const char *fw_dir;      /* neurio_firmware_dir(): runtime/ kernels/ ... */
    const char *gen_dir;     /* generated model sources (NULL: none)         */
    const char *out_dir;     /* where fw.ld, fw.elf, build.log go        */
    const char *toolchain_prefix; /* "arm-none-eabi-"                        */
    const char *opt_level;   /* "2", "s", ...                                */
    const char *main_src;    /* NULL = runtime's main; else this file (the
                                smoke image) and no runtime/kernels/model   */
    uint32_t reset_after;    /* fault-test build: the runtime reboots after
                                N inferences since boot (NRT_RESET_AFTER)  */
    uint32_t max_payload;    /* NRT_MAX_PAYLOAD, 0 = runtime default        */
    uint32_t rx_timeout_ms;  /* NRT_RX_TIMEOUT_MS (inter-byte, device clock),
                                0 = runtime default                        */
    int link_rtt;            /* link over the RTT rings (CM_LINK_RTT=1), the
                                UART being the fallback when RAM is short  */
    const char *build_id;    /* string compiled into the image               */
    int timeout_ms;          /* for the compiler                            */
    int layer_capture;       /* debug build: the model's layer output hook
                                and the runtime's RUN_CAPTURE (neurio debug) */
    int test_fault;          /* TEST-ONLY: 1 = NRT_TEST_FAULT_LAYER=
                                test_fault_layer (a broken layer on purpose),
                                its output test_fault_output               */
    int32_t test_fault_layer;
    int32_t test_fault_output;
    uint32_t test_slow_run;  /* TEST-ONLY: NRT_TEST_SLOW_RUN (0 = off)      */
    uint32_t test_hang_run;  /* TEST-ONLY: NRT_TEST_HANG_RUN (0 = off)      */
} cm_fw_args;

/* Section sizes of the linked image (bytes). */
typedef struct cm_fw_sizes {
    uint64_t text, rodata, data, bss, stack;
    uint64_t bulk;    /* of rodata: the model's constants placed in the
                         board's bulk memory (cm_board.bulk_name), 0 when
                         the image fits the code memory               */
    uint64_t flash;   /* text + rodata + data (load image)                 */
    uint64_t ram;     /* data + bss + stack                                */
} cm_fw_sizes;

/* Build out_dir/fw.elf.  On success fills *sizes and, when elf_out is not
 * NULL, copies the image path into it (cap bytes).  When code + constants
 * overflow the code memory of a board with a bulk memory (cm_board
 * bulk_name, the AN547's DDR), it links again with the generated model's
 * constant arrays there (sizes->bulk).  Errors:
 * NEURIO_ERR_TOOLCHAIN with the compiler's last lines and the log path,
 * NEURIO_ERR_UNSUPPORTED "does not fit: RAM needs N bytes, board has M". */
int cm_fw_build(const cm_fw_args *a, cm_fw_sizes *sizes, char *elf_out,
                size_t cap, neurio_errbuf *err);

/* Whether images built with a's flags hold the packed FULLY_CONNECTED and
 * CONV_2D layouts the code generator emits (nk.h's NK_FC_PACKED and
 * NK_CONV_PACKED as the compiler sees them with those flags: DSP
 * extension, no Helium) and the 1x1 row-pair layout (NK_CONV_ROWS: DSP
 * extension, Helium too): *fc, *conv, *rows = 1 or 0.  Writes
 * packed.c/.i/.log into a->out_dir.  NEURIO_ERR_TOOLCHAIN when the
 * compiler fails. */
int cm_fw_packed(const cm_fw_args *a, int *fc, int *conv, int *rows, neurio_errbuf *err);

/* Section sizes of an ARM ELF32 image.  NEURIO_ERR_FORMAT on a malformed
 * file (naming the byte offset). */
int cm_fw_elf_sizes(const char *path, cm_fw_sizes *sizes, neurio_errbuf *err);

/* Write out_dir/fw.ld for the profile: MEMORY + stack size, then INCLUDE
 * board_dir/cm_sections.ld.  bulk (on a board with a bulk memory): a BULK
 * region and the output section .cm_weights holding the generated model's
 * constants (.rodata.ng_c*), placed before cm_sections.ld's .rodata. */
int cm_fw_write_memory_ld(const cm_profile *p, const char *board_dir,
                          const char *out_dir, int bulk, neurio_errbuf *err);

#endif

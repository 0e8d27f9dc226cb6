/* plugins/cortex-m/src/cm_profile.h — Cortex-M device profiles: the boards
 * the plugin knows (built-in table) and the profile of one run (board
 * defaults overridden by the rig's device options).  Internal (cm_*). */
#ifndef CM_PROFILE_H
#define CM_PROFILE_H

#include <stdint.h>

#include "neurio/codegen.h"
#include "neurio/plugin.h"
#include "neurio/status.h"

/* One board the plugin supports.  All strings static. */
typedef struct cm_board {
    const char *name;         /* rig value: "mps2-an386"                     */
    const char *description;
    const char *cpu;          /* -mcpu value: "cortex-m4"                    */
    const char *fpu;          /* -mfpu value for hard float ("auto": the one
                                 -mcpu implies), NULL = no FPU              */
    const char *qemu_machine; /* qemu -M value, NULL for a real board        */
    const char *board_src;    /* board file under the board-support dir      */
    uint32_t flash_origin, flash_bytes; /* physical memory of the board      */
    uint32_t ram_origin, ram_bytes;
    const char *bulk_name;    /* a larger, slower memory for the model's
                                 constants when the image does not fit the
                                 code memory ("DDR"), NULL = none          */
    uint32_t bulk_origin, bulk_bytes;
    double clock_hz;          /* core clock the board runs at                */
    const char *cycle_source; /* what the count is: "icount (...)" or "dwt"  */
    const char *cycle_unit;   /* "instructions" or "cycles"                  */
    double active_ua_per_mhz; /* datasheet run-mode current per MHz          */
    double supply_v;
    const char *energy_ref;   /* where the two numbers come from             */
    uint32_t rx_timeout_ms;   /* device inter-byte timeout inside a frame, in
                                 the device's own time (QEMU: virtual time,
                                 which races ahead while the guest polls an
                                 empty UART, so it must be long there)     */
} cm_board;

/* Look a board up by name; NULL if unknown. */
const cm_board *cm_board_find(const char *name);
/* "mps2-an386|mps2-an500|...|nucleo-l4r5zi" (static) for option choices. */
const char *cm_board_choices(void);

/* The effective profile of a run: board + rig overrides, validated. */
typedef struct cm_profile {
    const cm_board *board;
    const char *cpu;          /* -mcpu                                       */
    const char *fpu;          /* -mfpu, NULL when built soft-float           */
    uint32_t flash_bytes, ram_bytes, stack_bytes;
    double clock_hz;
    double active_ua_per_mhz, supply_v;
} cm_profile;

/* Values a caller read from the rig (0 / NULL = use the board's). */
typedef struct cm_profile_overrides {
    const char *board;
    const char *core;   /* "auto" or a -mcpu name                            */
    int fpu;            /* 1 = use the board's FPU, 0 = soft float            */
    int64_t flash_bytes, ram_bytes, stack_bytes;
    double clock_hz, active_ua_per_mhz, supply_v;
} cm_profile_overrides;

/* Build a profile; errors name the option and the allowed range, e.g.
 * "device.ram_bytes = 8388608 exceeds mps2-an386's 4194304 bytes of RAM". */
int cm_profile_make(const cm_profile_overrides *o, cm_profile *out,
                    neurio_errbuf *err);

/* Supply current while inferring, in amperes (0 when unknown). */
double cm_profile_active_current_a(const cm_profile *p);

/* Flash left to the model's constants when the code generator picks the
 * packed FULLY_CONNECTED layout (device.fc_weights = auto): the profile's
 * flash less CM_CODE_RESERVE for the runtime and kernels (the bulk memory
 * where the board has one).  An estimate, for the first generation only:
 * the plugin then measures the built image's code and, where that leaves
 * room for more int16 layers, generates and builds again (cm_layout.h). */
#define CM_CODE_RESERVE (64u << 10)
uint64_t cm_profile_const_budget(const cm_profile *p);

/* The default limit of one inference (device.run_timeout_ms = 0), in ms:
 * CM_RUN_FLOOR_MS plus the model's work at the profile's clock with a
 * generous budget per unit of work: CM_RUN_CYCLES_PER_MAC cycles per
 * multiply-accumulate and per element an op writes (x10 for a float model
 * on a core without an FPU: soft float), about 10-100x what the kernels
 * take (ResNet-8 int8: ~0.9 instructions per MAC).  Over the UART it is
 * host time: on QEMU (1 instruction per count) a host that emulates at
 * least 10 MIPS stays within it for the boards' 20-32 MHz clocks. */
#define CM_RUN_FLOOR_MS 10000
#define CM_RUN_CYCLES_PER_MAC 100
int32_t cm_run_timeout_default(const cm_profile *p, const neurio_model *m);

/* device.fc_weights: "auto", "int8", "int16" -> NEURIO_FC_WEIGHTS_* of
 * neurio/codegen.h; -1 for anything else. */
int cm_fc_weights_parse(const char *s);
/* device.weights: "fast", "compact" -> NEURIO_WEIGHTS_* of neurio/codegen.h
 * (NULL = fast); -1 for anything else. */
int cm_weights_parse(const char *s);

/* The link's retransmission-timer floor (neurio_link_options.rto_min_us)
 * on every Cortex-M channel: a UART answers a request only after the
 * frames queued before it (~5 ms per 50 bytes here) and QEMU shares the
 * host's cores, so no shorter than 100 ms (the library's 1 ms default is
 * for channels where a copy sent early costs nothing).  The plugin and
 * bench_cortexm both use it, so the bench measures what a run does. */
#define CM_LINK_RTO_MIN_US 100000

#endif

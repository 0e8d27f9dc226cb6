/* plugins/cortex-m/src/cm_profile.c — see cm_profile.h.
 *
 * Sources of the numbers:
 *   - MPS2 AN385/AN386/AN500 memory map as emulated by QEMU 7.2 (measured
 *     on this machine with `info mtree`): 4 MiB code at 0x0, 4 MiB data at
 *     0x20000000; FPGA system clock 25 MHz.  QEMU counts instructions, not
 *     cycles.
 *   - MPS2 AN505 (Cortex-M33, IoTKit; QEMU 7.2 `info mtree`): code SSRAM1
 *     4 MiB whose Secure alias is 0x10000000 (the reset VTOR_S), data
 *     SSRAM2+3 4 MiB, Secure alias 0x38000000; system clock 20 MHz.
 *   - MPS3 AN547 (Cortex-M55, SSE-300; QEMU 7.2 `info mtree`): ITCM
 *     512 KiB at 0x0, DTCM 512 KiB at 0x20000000; the AN547 FPGA image
 *     clocks the core at 32 MHz.  Its DDR4 sits behind a TrustZone MPC from
 *     0x60000000 (QEMU maps 2 GiB there; the AN547 application note puts
 *     the DDR4 at 0x6000_0000): the profile uses its first 256 MiB for the
 *     model's constant arrays when code + weights overflow the ITCM (as
 *     Arm's ML evaluation kit places models in DDR on its MPS3 targets).
 *   - NUCLEO-L4R5ZI: STM32L4R5ZI datasheet/reference manual: 2 MiB flash at
 *     0x08000000, 640 KiB SRAM (SRAM1+2+3 contiguous) at 0x20000000,
 *     120 MHz in range-1 boost mode, run-mode current 110 uA/MHz (LDO),
 *     VDD 3.3 V on the Nucleo board.
 *   - The MPS2 boards are FPGA prototypes with no meaningful power figure:
 *     their energy model borrows the microcontroller class they stand for
 *     (M4F: the STM32L4R5 figure above; M7: an STM32F7-class estimate; M3:
 *     an STM32L1-class figure of about 200 uA/MHz; M33: the STM32U5 class,
 *     whose datasheet gives 19.5 uA/MHz in run mode with its SMPS; M55: no
 *     Cortex-M55 microcontroller datasheet figure was at hand, so the
 *     STM32U5-class 20 uA/MHz stands in).  All are labelled estimates in
 *     the profile; rigs can override active_ua_per_mhz / supply_v.
 */
#include "cm_profile.h"

#include <string.h>

static const cm_board cm_boards[] = {
    {
        .name = "mps2-an386",
        .description = "ARM MPS2 AN386, Cortex-M4F (QEMU)",
        .cpu = "cortex-m4",
        .fpu = "fpv4-sp-d16",
        .qemu_machine = "mps2-an386",
        .board_src = "mps2/board_mps2.c",
        .flash_origin = 0x00000000u,
        .flash_bytes = 4u << 20,
        .ram_origin = 0x20000000u,
        .ram_bytes = 4u << 20,
        .clock_hz = 25e6,
        .cycle_source = "icount (instructions, exact)",
        .cycle_unit = "instructions",
        .active_ua_per_mhz = 110.0,
        .supply_v = 3.3,
        .energy_ref = "STM32L4R5 class (datasheet run mode, LDO), estimate",
        .rx_timeout_ms = 10000,
    },
    {
        .name = "mps2-an500",
        .description = "ARM MPS2 AN500, Cortex-M7 (QEMU)",
        .cpu = "cortex-m7",
        .fpu = "fpv5-d16",
        .qemu_machine = "mps2-an500",
        .board_src = "mps2/board_mps2.c",
        .flash_origin = 0x00000000u,
        .flash_bytes = 4u << 20,
        .ram_origin = 0x20000000u,
        .ram_bytes = 4u << 20,
        .clock_hz = 25e6,
        .cycle_source = "icount (instructions, exact)",
        .cycle_unit = "instructions",
        .active_ua_per_mhz = 470.0,
        .supply_v = 3.3,
        .energy_ref = "STM32F7 class, estimate",
        .rx_timeout_ms = 10000,
    },
    {
        .name = "mps2-an385",
        .description = "ARM MPS2 AN385, Cortex-M3 (QEMU)",
        .cpu = "cortex-m3",
        .fpu = NULL,
        .qemu_machine = "mps2-an385",
        .board_src = "mps2/board_mps2.c",
        .flash_origin = 0x00000000u,
        .flash_bytes = 4u << 20,
        .ram_origin = 0x20000000u,
        .ram_bytes = 4u << 20,
        .clock_hz = 25e6,
        .cycle_source = "icount (instructions, exact)",
        .cycle_unit = "instructions",
        .active_ua_per_mhz = 200.0,
        .supply_v = 3.3,
        .energy_ref = "STM32L1 class (Cortex-M3, run mode), estimate",
        .rx_timeout_ms = 10000,
    },
    {
        .name = "mps2-an505",
        .description = "ARM MPS2 AN505, Cortex-M33 with DSP and FPU (QEMU)",
        .cpu = "cortex-m33",
        .fpu = "fpv5-sp-d16",
        .qemu_machine = "mps2-an505",
        .board_src = "mps2/board_an505.c",
        .flash_origin = 0x10000000u,
        .flash_bytes = 4u << 20,
        .ram_origin = 0x38000000u,
        .ram_bytes = 4u << 20,
        .clock_hz = 20e6,
        .cycle_source = "icount (instructions, exact)",
        .cycle_unit = "instructions",
        .active_ua_per_mhz = 19.5,
        .supply_v = 3.3,
        .energy_ref = "STM32U5 class (Cortex-M33, datasheet run mode with SMPS), estimate",
        .rx_timeout_ms = 10000,
    },
    {
        .name = "mps3-an547",
        .description = "ARM MPS3 AN547, Cortex-M55 with Helium (MVE) and FPU (QEMU)",
        .cpu = "cortex-m55",
        .fpu = "auto",
        .qemu_machine = "mps3-an547",
        .board_src = "mps3/board_an547.c",
        .flash_origin = 0x00000000u,
        .flash_bytes = 512u << 10,
        .ram_origin = 0x20000000u,
        .ram_bytes = 512u << 10,
        .bulk_name = "DDR",
        .bulk_origin = 0x60000000u,
        .bulk_bytes = 256u << 20,
        .clock_hz = 32e6,
        .cycle_source = "icount (instructions, exact)",
        .cycle_unit = "instructions",
        .active_ua_per_mhz = 20.0,
        .supply_v = 3.3,
        .energy_ref = "no Cortex-M55 MCU figure at hand: STM32U5-class stand-in, estimate",
        .rx_timeout_ms = 10000,
    },
    {
        .name = "nucleo-l4r5zi",
        .description = "ST NUCLEO-L4R5ZI, STM32L4R5ZI Cortex-M4F @120 MHz",
        .cpu = "cortex-m4",
        .fpu = "fpv4-sp-d16",
        .qemu_machine = NULL,
        .board_src = "nucleo-l4r5zi/board_nucleo_l4r5zi.c",
        .flash_origin = 0x08000000u,
        .flash_bytes = 2u << 20,
        .ram_origin = 0x20000000u,
        .ram_bytes = 640u << 10,
        .clock_hz = 120e6,
        .cycle_source = "dwt",
        .cycle_unit = "cycles",
        .active_ua_per_mhz = 110.0,
        .supply_v = 3.3,
        .energy_ref = "STM32L4R5 datasheet, run mode range 1 (LDO)",
        .rx_timeout_ms = 200,
    },
};

static const char *const cm_cores[] = {"cortex-m3", "cortex-m4", "cortex-m7", "cortex-m33",
                                       "cortex-m55", NULL};

const cm_board *cm_board_find(const char *name)
{
    if (!name)
        return NULL;
    for (size_t i = 0; i < sizeof cm_boards / sizeof cm_boards[0]; i++)
        if (strcmp(cm_boards[i].name, name) == 0)
            return &cm_boards[i];
    return NULL;
}

const char *cm_board_choices(void)
{
    return "mps2-an386|mps2-an500|mps2-an385|mps2-an505|mps3-an547|nucleo-l4r5zi";
}

int cm_profile_make(const cm_profile_overrides *o, cm_profile *out,
                    neurio_errbuf *err)
{
    memset(out, 0, sizeof *out);
    const cm_board *b = cm_board_find(o->board);
    if (!b)
        return neurio_fail(err, NEURIO_ERR_CONFIG,
                           "device.board = \"%s\" is not a known board; use one of %s",
                           o->board ? o->board : "(null)", cm_board_choices());
    out->board = b;
    out->cpu = b->cpu;
    if (o->core && *o->core && strcmp(o->core, "auto") != 0) {
        int ok = 0;
        for (int i = 0; cm_cores[i]; i++)
            ok |= strcmp(cm_cores[i], o->core) == 0;
        if (!ok)
            return neurio_fail(err, NEURIO_ERR_CONFIG,
                               "device.core = \"%s\" is not supported; use auto, "
                               "cortex-m3, cortex-m4, cortex-m7, cortex-m33 or "
                               "cortex-m55",
                               o->core);
        if (strcmp(o->core, b->cpu) != 0)
            return neurio_fail(err, NEURIO_ERR_CONFIG,
                               "device.core = \"%s\" but board %s has a %s; remove "
                               "device.core or pick a board with that core",
                               o->core, b->name, b->cpu);
    }
    out->fpu = o->fpu ? b->fpu : NULL;

    out->flash_bytes = b->flash_bytes;
    if (o->flash_bytes) {
        if (o->flash_bytes < 0 || o->flash_bytes > (int64_t)b->flash_bytes)
            return neurio_fail(err, NEURIO_ERR_CONFIG,
                               "device.flash_bytes = %lld is outside 1..%u, the "
                               "flash of %s",
                               (long long)o->flash_bytes, b->flash_bytes, b->name);
        out->flash_bytes = (uint32_t)o->flash_bytes;
    }
    out->ram_bytes = b->ram_bytes;
    if (o->ram_bytes) {
        if (o->ram_bytes < 0 || o->ram_bytes > (int64_t)b->ram_bytes)
            return neurio_fail(err, NEURIO_ERR_CONFIG,
                               "device.ram_bytes = %lld is outside 1..%u, the RAM "
                               "of %s",
                               (long long)o->ram_bytes, b->ram_bytes, b->name);
        out->ram_bytes = (uint32_t)o->ram_bytes;
    }
    out->stack_bytes = 16384u;
    if (out->ram_bytes < 2048)
        return neurio_fail(err, NEURIO_ERR_CONFIG,
                           "device.ram_bytes = %u is too small: the firmware needs at least "
                           "2048 bytes (a 1024-byte stack and as much again for data)",
                           out->ram_bytes);
    if (o->stack_bytes) {
        if (o->stack_bytes < 1024 || o->stack_bytes > (int64_t)out->ram_bytes / 2)
            return neurio_fail(err, NEURIO_ERR_CONFIG,
                               "device.stack_bytes = %lld must be between 1024 and %u "
                               "(half of the %u bytes of RAM)",
                               (long long)o->stack_bytes, out->ram_bytes / 2, out->ram_bytes);
        out->stack_bytes = (uint32_t)(o->stack_bytes + 7) & ~7u;
    }
    out->clock_hz = o->clock_hz > 0 ? o->clock_hz : b->clock_hz;
    /* A Cortex-M core runs between a few kHz and about 1 GHz: anything else
     * is a typo (MHz for Hz, an extra exponent) that would scale every
     * latency and current estimate by the same error. */
    if (o->clock_hz < 0 || (o->clock_hz > 0 && (o->clock_hz < 1e3 || o->clock_hz > 2e9)))
        return neurio_fail(err, NEURIO_ERR_CONFIG,
                           "device.clock_hz = %.17g is not a plausible core clock; give it in "
                           "Hz between 1000 and 2000000000 (e.g. clock_hz = 120000000;), or 0 "
                           "for the board's %.0f", o->clock_hz, b->clock_hz);
    if (o->active_ua_per_mhz < 0 || o->active_ua_per_mhz > 1e5 || o->supply_v < 0 ||
        o->supply_v > 10)
        return neurio_fail(err, NEURIO_ERR_CONFIG,
                           "device.active_ua_per_mhz = %g / device.supply_v = %g: expected "
                           "0..100000 uA/MHz and 0..10 V (0 = the board's)",
                           o->active_ua_per_mhz, o->supply_v);
    out->active_ua_per_mhz =
        o->active_ua_per_mhz > 0 ? o->active_ua_per_mhz : b->active_ua_per_mhz;
    out->supply_v = o->supply_v > 0 ? o->supply_v : b->supply_v;
    return NEURIO_OK;
}

double cm_profile_active_current_a(const cm_profile *p)
{
    return p->active_ua_per_mhz * 1e-6 * (p->clock_hz / 1e6);
}

uint64_t cm_profile_const_budget(const cm_profile *p)
{
    if (p->board->bulk_name)
        return p->board->bulk_bytes;
    return p->flash_bytes > CM_CODE_RESERVE ? p->flash_bytes - CM_CODE_RESERVE : 0;
}

int32_t cm_run_timeout_default(const cm_profile *p, const neurio_model *m)
{
    uint64_t work = 0;
    int is_float = 0;
    for (int32_t i = 0; m && i < m->n_ops; i++) {
        const neurio_op *op = &m->ops[i];
        if (op->removed)
            continue;
        work += neurio_op_macs(m, op);
        for (int32_t k = 0; k < op->n_outputs; k++) {
            if (op->outputs[k] < 0 || op->outputs[k] >= m->n_tensors)
                continue;
            const neurio_tensor *t = &m->tensors[op->outputs[k]];
            work += neurio_tensor_elements(t);
            is_float |= t->dtype == NEURIO_DT_FLOAT32;
        }
    }
    double cycles = (double)work * CM_RUN_CYCLES_PER_MAC * (is_float && !p->fpu ? 10.0 : 1.0);
    double hz = p->clock_hz > 0 ? p->clock_hz : 1e6;
    double ms = CM_RUN_FLOOR_MS + cycles / hz * 1e3;
    return ms < (double)INT32_MAX ? (int32_t)ms : INT32_MAX;
}

int cm_fc_weights_parse(const char *s)
{
    if (!s || !strcmp(s, "auto"))
        return NEURIO_FC_WEIGHTS_AUTO;
    if (!strcmp(s, "int8"))
        return NEURIO_FC_WEIGHTS_INT8;
    if (!strcmp(s, "int16"))
        return NEURIO_FC_WEIGHTS_INT16;
    return -1;
}

int cm_weights_parse(const char *s)
{
    if (!s || !strcmp(s, "fast"))
        return NEURIO_WEIGHTS_FAST;
    if (!strcmp(s, "compact"))
        return NEURIO_WEIGHTS_COMPACT;
    return -1;
}

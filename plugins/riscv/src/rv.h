/* plugins/riscv/src/rv.h — internals of the riscv device plugin (names rv_*):
 * the firmware build and the QEMU virt machine.  Child processes come from
 * the SDK's port kit (neurio/port.h).  Built against the installed neurio
 * SDK only. */
#ifndef RV_H
#define RV_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "neurio/port.h"
#include "neurio/status.h"
#include "neurio/transport.h"

/* snprintf into a fixed buffer: 0, or -1 when truncated (still terminated). */
int rv_fmt(char *out, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

typedef struct rv_sizes { uint64_t text, rodata, data, bss, stack; } rv_sizes; /* bytes */

typedef struct rv_build_args {
    const char *gcc, *march;     /* riscv64-unknown-elf-gcc, rv32imac|rv32imafc */
    const char *board_dir;       /* holds rv_board.c                         */
    const char *fw_dir, *gen_dir; /* the SDK's firmware/, the generated model */
    const char *out_dir, *opt_level, *build_id;
    uint32_t flash_origin, flash_bytes, ram_origin, ram_bytes, stack_bytes;
    uint32_t clock_hz, rx_timeout_ms;
    int timeout_ms;
    int layer_capture;           /* debug build: neurio debug's per-layer outputs */
} rv_build_args;

/* Compile and link <out_dir>/fw.elf (path in elf); sizes in *sz.  A RAM or
 * flash overflow is NEURIO_ERR_UNSUPPORTED naming both sizes. */
int rv_build(const rv_build_args *a, char *elf, size_t cap, rv_sizes *sz, neurio_errbuf *err);
/* Section sizes of a 32-bit RISC-V ELF file (rodata split out of .text). */
int rv_elf_sizes(const char *path, rv_sizes *sz, neurio_errbuf *err);

/* QEMU `virt` running one image under -icount, its UART0 on a Unix socket. */
typedef struct rv_qemu { neurio_child child; char log_path[4096], sock_path[108], tmp_dir[64]; } rv_qemu;
/* Start it and connect: *t is the UART transport (the caller's). */
int rv_qemu_start(rv_qemu *q, const char *qemu, const char *cpu, const char *elf,
                  const char *work_dir, int timeout_ms, neurio_transport **t,
                  neurio_errbuf *err);
void rv_qemu_stop(rv_qemu *q);

#endif

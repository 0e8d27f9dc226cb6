/* plugins/riscv/src/rv.h — internals of the riscv device plugin (names rv_*):
 * child processes, the firmware build and the QEMU virt machine.  Built
 * against the installed neurio SDK only. */
#ifndef RV_H
#define RV_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "neurio/status.h"
#include "neurio/transport.h"

/* snprintf into a fixed buffer: 0, or -1 when truncated (still terminated). */
int rv_fmt(char *out, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Last bytes of a text file, newlines as '|', for error messages. */
void rv_log_tail(const char *path, char *out, size_t cap);

/* A child in its own process group, stdin /dev/null, its command line and
 * stdout+stderr appended to a log, killed if we die.  An exec failure is
 * exit status 127 with the reason in the log. */
typedef struct rv_child { pid_t pid; int status; } rv_child; /* pid 0: not running */
int rv_spawn(rv_child *c, char *const argv[], const char *log_path, neurio_errbuf *err);
int rv_exited(rv_child *c);           /* 1 once exited (reaped; c->status) */
void rv_stop(rv_child *c, int grace_ms); /* TERM, then KILL; idempotent */
/* Run to completion within timeout_ms; *code = exit status (128+signal). */
int rv_run(char *const argv[], const char *log_path, int timeout_ms, int *code,
           neurio_errbuf *err);

typedef struct rv_sizes { uint64_t text, rodata, data, bss, stack; } rv_sizes; /* bytes */

typedef struct rv_build_args {
    const char *gcc, *march;     /* riscv64-unknown-elf-gcc, rv32imac|rv32imafc */
    const char *board_dir;       /* holds rv_board.c                         */
    const char *fw_dir, *gen_dir; /* the SDK's firmware/, the generated model */
    const char *out_dir, *opt_level, *build_id;
    uint32_t flash_origin, flash_bytes, ram_origin, ram_bytes, stack_bytes;
    uint32_t clock_hz, rx_timeout_ms;
    int timeout_ms;
} rv_build_args;

/* Compile and link <out_dir>/fw.elf (path in elf); sizes in *sz.  A RAM or
 * flash overflow is NEURIO_ERR_UNSUPPORTED naming both sizes. */
int rv_build(const rv_build_args *a, char *elf, size_t cap, rv_sizes *sz, neurio_errbuf *err);
/* Section sizes of a 32-bit RISC-V ELF file (rodata split out of .text). */
int rv_elf_sizes(const char *path, rv_sizes *sz, neurio_errbuf *err);

/* QEMU `virt` running one image under -icount, its UART0 on a Unix socket. */
typedef struct rv_qemu { rv_child child; char log_path[4096], sock_path[108], tmp_dir[64]; } rv_qemu;
/* Start it and connect: *t is the UART transport (the caller's). */
int rv_qemu_start(rv_qemu *q, const char *qemu, const char *cpu, const char *elf,
                  const char *work_dir, int timeout_ms, neurio_transport **t,
                  neurio_errbuf *err);
void rv_qemu_stop(rv_qemu *q);

#endif

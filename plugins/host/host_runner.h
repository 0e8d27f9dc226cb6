/* plugins/host/host_runner.h — the workstation as a device: compile the
 * generated C into a shared object, load it, call it through libffi.
 * Used by the host plugin, its tests and bench/bench_host.c.  Internal
 * names nh_*. */
#ifndef NEURIO_PLUGINS_HOST_RUNNER_H
#define NEURIO_PLUGINS_HOST_RUNNER_H

#include <stddef.h>
#include <stdint.h>

#include "neurio/model.h"
#include "neurio/status.h"
#include "neurio_model_desc.h"

typedef struct nh_build_opts {
    const char *cc;          /* compiler, NULL = "cc"                        */
    const char *cflags;      /* space-separated, NULL = "-O2"                */
    int layer_hook;          /* 1: per-layer timestamps (NEURIO_LAYER_HOOK)  */
    const char *log_path;    /* compiler output goes here; NULL = <so>.log   */
    uint32_t n_layers;       /* layers of the model (sizes the timestamp
                                table of the layer hook); 0 = 4096         */
    int layer_capture;       /* debug build: the layer output hook
                                (NEURIO_LAYER_OUTPUT_K) copies one output
                                of one layer for nh_capture (neurio debug) */
    int test_fault;          /* TEST-ONLY: flip the low bit of every byte */
    int32_t test_fault_layer; /* of this layer's output (a broken kernel)  */
    int32_t test_fault_output; /* that output of it (0 = the first)        */
} nh_build_opts;

typedef struct nh_sizes {
    uint64_t text, rodata, data, bss;
} nh_sizes;

/* Compile <gen_dir>/<name>.c + the portable kernels from fw_dir/kernels
 * into <gen_dir>/<name>.so.  Writes the .so path into so_path, section
 * sizes into *sizes (may be NULL) and the compiler's first --version line
 * into toolchain (may be NULL).  NEURIO_ERR_TOOLCHAIN names the compiler's
 * first error line and the log file. */
int nh_build(const char *gen_dir, const char *name, const char *fw_dir,
             const nh_build_opts *opts, char *so_path, size_t so_size,
             nh_sizes *sizes, char *toolchain, size_t tc_size,
             neurio_errbuf *err);

/* Section sizes of an ELF64 file (text = .text, .init, .fini, .plt*;
 * rodata = .rodata*, .eh_frame*; data = .data*, .got*, .init_array ...;
 * bss = .bss). */
int nh_elf_sizes(const char *path, nh_sizes *out, neurio_errbuf *err);

typedef struct nh_module nh_module;

/* dlopen the shared object and find <name>_run and <name>_desc.  When
 * sha256_hex is non-NULL it must equal the descriptor's (else
 * NEURIO_ERR_STALE).  *out owned by the caller (nh_close). */
int nh_open(const char *so_path, const char *name, const char *sha256_hex,
            nh_module **out, neurio_errbuf *err);

const neurio_model_desc *nh_desc(const nh_module *mod);

/* One inference through libffi with the typed entry point
 * <name>_run(in0, ..., out0, ...).  *ns = monotonic wall time,
 * *cycles = rdtsc delta on x86-64 (0 elsewhere).  layer_cycles, if
 * non-NULL and the module was built with the layer hook, receives
 * n_layers per-layer rdtsc deltas and *layers is set to n_layers (else 0).
 * Returns NEURIO_OK or NEURIO_ERR_DEVICE with the run() code. */
int nh_run(nh_module *mod, const void *const *inputs, void *const *outputs,
           uint64_t *ns, uint64_t *cycles, uint64_t *layer_cycles,
           uint32_t *layers, neurio_errbuf *err);

/* Debug builds (nh_build_opts.layer_capture): the next nh_run copies
 * output out_idx of `layer` (-1 = none) into buf (cap bytes).  Returns
 * NEURIO_ERR_UNSUPPORTED when the module has no layer output hook. */
int nh_capture_set(nh_module *mod, int32_t layer, uint32_t out_idx, void *buf, uint32_t cap);
/* Bytes of the layer's output seen by the last nh_run (copied only when it
 * equals cap; 0 = the layer did not run). */
uint32_t nh_capture_bytes(const nh_module *mod);

void nh_close(nh_module *mod);

/* "rdtsc" on x86-64, "none" elsewhere. */
const char *nh_cycle_source(void);

#endif /* NEURIO_PLUGINS_HOST_RUNNER_H */

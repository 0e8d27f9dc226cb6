/* plugins/cortex-m/src/cm_elf.h — symbol lookup in the firmware image
 * (internal to the cortex-m plugin): where the RTT control block and the
 * RTT wait point are, for the GDB RTT transport and OpenOCD's `rtt setup`;
 * how much of the image is the model's data. */
#ifndef CM_ELF_H
#define CM_ELF_H

#include <elf.h>
#include <stddef.h>
#include <stdint.h>

#include "neurio/status.h"

/* The whole file at path in *buf (malloc'ed, *len bytes; the caller
 * frees) and its header in *eh, once it is a little-endian ELF32 file whose
 * section header table lies inside it; else NEURIO_ERR_IO or
 * NEURIO_ERR_FORMAT naming the file, *buf NULL. */
int cm_elf_load(const char *path, unsigned char **buf, size_t *len, Elf32_Ehdr *eh,
                neurio_errbuf *err);

/* Value of the global or local symbol `name` in the ARM ELF32 file at
 * path.  NEURIO_ERR_FORMAT on a malformed file (naming the byte offset),
 * NEURIO_ERR_UNSUPPORTED when the symbol is absent (naming it and the file). */
int cm_elf_symbol(const char *path, const char *name, uint32_t *value, neurio_errbuf *err);

/* The bytes of every data object with contents in the file (not .bss)
 * whose name starts with `prefix` ("ng_": the generated model's constants
 * and parameters). */
int cm_elf_objects_bytes(const char *path, const char *prefix, uint64_t *bytes,
                         neurio_errbuf *err);

#endif

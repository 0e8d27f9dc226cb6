/* core/plugin_sig.h — a plugin's build signature, read from its file before
 * it is loaded (plugin ABI 1.1).
 *
 * A plugin that does not fit the running launcher can fail inside dlopen in
 * ways that say nothing useful ("wrong ELF class") or that end the process
 * (a plugin built with AddressSanitizer loaded into a launcher without it:
 * "ASan runtime does not come first").  So before dlopen the loader reads
 * three facts from the plugin's ELF file and compares them with the
 * launcher's own:
 *   - compiler ABI: ELF class (32/64-bit), byte order and machine;
 *   - sanitizers: the runtimes its dynamic symbols need (__asan_*,
 *     __ubsan_*, __tsan_*, __msan_*); a plugin may not need one the
 *     launcher lacks (the reverse is harmless and allowed);
 *   - libneurio major: the libneurio.so.N it was linked against (DT_NEEDED)
 *     must be the launcher's NEURIO_VERSION_MAJOR.
 * These are facts of the file, so plugins of every ABI minor are checked,
 * without their cooperation.
 */
#ifndef NEURIO_CORE_PLUGIN_SIG_H
#define NEURIO_CORE_PLUGIN_SIG_H

#include <stddef.h>
#include <stdint.h>

#define NR_SAN_ADDRESS 1u
#define NR_SAN_UNDEFINED 2u
#define NR_SAN_THREAD 4u
#define NR_SAN_MEMORY 8u

typedef struct nr_build_sig {
    int elf_class;        /* 32 or 64                                       */
    int big_endian;       /* 0 or 1                                         */
    unsigned machine;     /* e_machine                                      */
    unsigned sanitizers;  /* NR_SAN_* bits                                  */
    int neurio_major;     /* libneurio.so.N it needs; -1 = none             */
} nr_build_sig;

/* Read the signature of the ELF file at `path`.  0, or -1 with one line in
 * why[cap] (not ELF, truncated, cannot open).  For an ELF file of another
 * class or byte order only elf_class/big_endian/machine are filled. */
int nr_build_sig_read(const char *path, nr_build_sig *sig, char *why, size_t cap);

/* The running launcher's signature (its executable, read once; libneurio
 * major from neurio/version.h).  NULL when /proc/self/exe is unreadable. */
const nr_build_sig *nr_build_sig_self(void);

/* 0 when a plugin with signature `p` fits launcher `self`; else -1 with the
 * mismatch and its fix in why[cap]. */
int nr_build_sig_check(const nr_build_sig *p, const nr_build_sig *self, char *why,
                       size_t cap);

/* "address,undefined" for NR_SAN_* bits ("none" for 0) into buf. */
const char *nr_build_sig_sanitizers(unsigned bits, char *buf, size_t cap);

/* "x86-64", "aarch64", ... or "machine N" into buf. */
const char *nr_build_sig_machine(unsigned machine, char *buf, size_t cap);

#endif /* NEURIO_CORE_PLUGIN_SIG_H */

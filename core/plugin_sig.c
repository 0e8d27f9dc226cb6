/* core/plugin_sig.c — read a plugin's build signature from its ELF file
 * (see plugin_sig.h).  Every offset read from the file is bounds-checked. */
#include "plugin_sig.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <link.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "neurio/version.h"

#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define SIG_NATIVE_DATA ELFDATA2MSB
#else
#define SIG_NATIVE_DATA ELFDATA2LSB
#endif
#define SIG_NATIVE_CLASS (sizeof(void *) == 8 ? ELFCLASS64 : ELFCLASS32)

typedef struct sig_file {
    const unsigned char *b;
    size_t n;
} sig_file;

/* The section header i, or NULL when it lies outside the file. */
static const ElfW(Shdr) *sig_shdr(const sig_file *f, const ElfW(Ehdr) *eh, unsigned i)
{
    size_t off = (size_t)eh->e_shoff + (size_t)i * eh->e_shentsize;
    if (eh->e_shentsize != sizeof(ElfW(Shdr)) || off < eh->e_shoff ||
        off + sizeof(ElfW(Shdr)) > f->n)
        return NULL;
    return (const ElfW(Shdr) *)(const void *)(f->b + off);
}

/* The NUL-terminated string at `off` of string table section `st`. */
static const char *sig_str(const sig_file *f, const ElfW(Shdr) *st, size_t off)
{
    if (!st || st->sh_offset > f->n || st->sh_size > f->n - st->sh_offset || off >= st->sh_size)
        return NULL;
    const char *s = (const char *)f->b + st->sh_offset + off;
    return memchr(s, '\0', st->sh_size - off) ? s : NULL;
}

static unsigned sig_san_of(const char *name)
{
    static const struct { const char *prefix; unsigned bit; } san[] = {
        { "__asan_", NR_SAN_ADDRESS },  { "__ubsan_", NR_SAN_UNDEFINED },
        { "__tsan_", NR_SAN_THREAD },   { "__msan_", NR_SAN_MEMORY },
        { "libasan.so", NR_SAN_ADDRESS }, { "libubsan.so", NR_SAN_UNDEFINED },
        { "libtsan.so", NR_SAN_THREAD },
    };
    for (size_t i = 0; i < sizeof san / sizeof san[0]; i++)
        if (!strncmp(name, san[i].prefix, strlen(san[i].prefix)))
            return san[i].bit;
    return 0;
}

/* Section `sh` as an array of `ent`-byte records inside the file, or 0. */
static size_t sig_records(const sig_file *f, const ElfW(Shdr) *sh, size_t ent)
{
    if (sh->sh_offset > f->n || sh->sh_size > f->n - sh->sh_offset)
        return 0;
    return sh->sh_size / ent;
}

static void sig_scan(const sig_file *f, const ElfW(Ehdr) *eh, nr_build_sig *sig)
{
    for (unsigned i = 0; i < eh->e_shnum; i++) {
        const ElfW(Shdr) *sh = sig_shdr(f, eh, i);
        if (!sh || (sh->sh_type != SHT_DYNSYM && sh->sh_type != SHT_DYNAMIC))
            continue;
        const ElfW(Shdr) *st = sh->sh_link < eh->e_shnum ? sig_shdr(f, eh, sh->sh_link) : NULL;
        if (sh->sh_type == SHT_DYNSYM) {
            size_t n = sig_records(f, sh, sizeof(ElfW(Sym)));
            const ElfW(Sym) *sym = (const ElfW(Sym) *)(const void *)(f->b + sh->sh_offset);
            for (size_t k = 0; k < n; k++) {
                const char *name = sig_str(f, st, sym[k].st_name);
                if (name)
                    sig->sanitizers |= sig_san_of(name);
            }
            continue;
        }
        size_t n = sig_records(f, sh, sizeof(ElfW(Dyn)));
        const ElfW(Dyn) *dyn = (const ElfW(Dyn) *)(const void *)(f->b + sh->sh_offset);
        for (size_t k = 0; k < n && dyn[k].d_tag != DT_NULL; k++) {
            if (dyn[k].d_tag != DT_NEEDED)
                continue;
            const char *name = sig_str(f, st, dyn[k].d_un.d_val);
            if (!name)
                continue;
            sig->sanitizers |= sig_san_of(name);
            if (!strncmp(name, "libneurio.so.", 13)) {
                char *end;
                long major = strtol(name + 13, &end, 10);
                if (end != name + 13 && (*end == '\0' || *end == '.') && major >= 0 &&
                    major < 1000000)
                    sig->neurio_major = (int)major;
            }
        }
    }
}

int nr_build_sig_read(const char *path, nr_build_sig *sig, char *why, size_t cap)
{
    memset(sig, 0, sizeof *sig);
    sig->neurio_major = -1;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        snprintf(why, cap, "cannot open: %s", strerror(errno));
        return -1;
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || st.st_size < EI_NIDENT) {
        snprintf(why, cap, "too short for an ELF header");
        close(fd);
        return -1;
    }
    sig_file f = { .n = (size_t)st.st_size };
    void *map = mmap(NULL, f.n, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (map == MAP_FAILED) {
        snprintf(why, cap, "cannot map: %s", strerror(errno));
        return -1;
    }
    f.b = map;
    int rc = 0;
    if (memcmp(f.b, ELFMAG, SELFMAG) != 0) {
        snprintf(why, cap, "no ELF header");
        rc = -1;
        goto out;
    }
    sig->elf_class = f.b[EI_CLASS] == ELFCLASS64 ? 64 : f.b[EI_CLASS] == ELFCLASS32 ? 32 : 0;
    sig->big_endian = f.b[EI_DATA] == ELFDATA2MSB;
    if (f.b[EI_CLASS] != SIG_NATIVE_CLASS || f.b[EI_DATA] != SIG_NATIVE_DATA) {
        /* e_machine sits at the same offset in both classes */
        if (f.n >= 20)
            sig->machine = sig->big_endian ? (unsigned)(f.b[18] << 8 | f.b[19])
                                           : (unsigned)(f.b[19] << 8 | f.b[18]);
        goto out;
    }
    if (f.n < sizeof(ElfW(Ehdr))) {
        snprintf(why, cap, "truncated ELF header");
        rc = -1;
        goto out;
    }
    const ElfW(Ehdr) *eh = (const ElfW(Ehdr) *)(const void *)f.b;
    sig->machine = eh->e_machine;
    sig_scan(&f, eh, sig);
out:
    munmap(map, f.n);
    return rc;
}

const nr_build_sig *nr_build_sig_self(void)
{
    static nr_build_sig self;
    static int state; /* 0 = not read, 1 = read, -1 = unreadable */
    if (!state) {
        char why[256];
        state = nr_build_sig_read("/proc/self/exe", &self, why, sizeof why) == 0 ? 1 : -1;
        self.neurio_major = NEURIO_VERSION_MAJOR;
    }
    return state == 1 ? &self : NULL;
}

const char *nr_build_sig_sanitizers(unsigned bits, char *buf, size_t cap)
{
    static const char *const names[] = { "address", "undefined", "thread", "memory" };
    size_t len = 0;
    buf[0] = '\0';
    for (unsigned i = 0; i < 4; i++)
        if (bits & (1u << i))
            len += (size_t)snprintf(buf + len, len < cap ? cap - len : 0, "%s%s",
                                    len ? "," : "", names[i]);
    if (!len)
        snprintf(buf, cap, "none");
    return buf;
}

const char *nr_build_sig_machine(unsigned machine, char *buf, size_t cap)
{
    switch (machine) {
    case EM_X86_64: snprintf(buf, cap, "x86-64"); break;
    case EM_386: snprintf(buf, cap, "i386"); break;
    case EM_AARCH64: snprintf(buf, cap, "aarch64"); break;
    case EM_ARM: snprintf(buf, cap, "arm"); break;
    case EM_RISCV: snprintf(buf, cap, "riscv"); break;
    case EM_PPC64: snprintf(buf, cap, "ppc64"); break;
    case EM_S390: snprintf(buf, cap, "s390"); break;
    default: snprintf(buf, cap, "machine %u", machine); break;
    }
    return buf;
}

int nr_build_sig_check(const nr_build_sig *p, const nr_build_sig *self, char *why, size_t cap)
{
    char a[64], b[64];
    if (p->elf_class != self->elf_class || p->big_endian != self->big_endian ||
        p->machine != self->machine) {
        nr_build_sig_machine(p->machine, a, sizeof a);
        nr_build_sig_machine(self->machine, b, sizeof b);
        snprintf(why, cap,
                 "built for %s (%d-bit, %s-endian), the launcher is %s (%d-bit, %s-endian); "
                 "rebuild the plugin with this machine's compiler",
                 a, p->elf_class, p->big_endian ? "big" : "little", b, self->elf_class,
                 self->big_endian ? "big" : "little");
        return -1;
    }
    unsigned extra = p->sanitizers & ~self->sanitizers;
    if (extra) {
        nr_build_sig_sanitizers(extra, a, sizeof a);
        nr_build_sig_sanitizers(self->sanitizers, b, sizeof b);
        snprintf(why, cap,
                 "built with sanitizer %s that the launcher lacks (launcher sanitizers: %s); "
                 "rebuild the plugin without -fsanitize=%s, or use a launcher built with "
                 "-DNEURIO_SANITIZE=ON",
                 a, b, a);
        return -1;
    }
    /* A plugin that uses nothing of libneurio does not need it: fine. */
    if (p->neurio_major >= 0 && p->neurio_major != self->neurio_major) {
        snprintf(why, cap,
                 "linked against libneurio.so.%d, the launcher uses libneurio.so.%d "
                 "(libneurio major differs); rebuild the plugin against neurio SDK %d.x",
                 p->neurio_major, self->neurio_major, self->neurio_major);
        return -1;
    }
    return 0;
}

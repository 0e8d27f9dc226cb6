/* plugins/cortex-m/src/cm_elf.c — see cm_elf.h.  Every offset read from the
 * file is checked against its size before use. */
#include "cm_elf.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int read_file(const char *path, unsigned char **buf, size_t *len, neurio_errbuf *err)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return neurio_fail(err, NEURIO_ERR_IO, "cannot open %s: %s", path, strerror(errno));
    long n = -1;
    if (fseek(f, 0, SEEK_END) == 0)
        n = ftell(f);
    if (n < 0 || fseek(f, 0, SEEK_SET) != 0) {
        fclose(f);
        return neurio_fail(err, NEURIO_ERR_IO, "cannot seek %s", path);
    }
    *buf = malloc(n > 0 ? (size_t)n : 1);
    if (!*buf) {
        fclose(f);
        return neurio_fail(err, NEURIO_ERR_NOMEM, "out of memory reading %s", path);
    }
    size_t got = fread(*buf, 1, (size_t)n, f);
    fclose(f);
    if (got != (size_t)n) {
        free(*buf);
        *buf = NULL;
        return neurio_fail(err, NEURIO_ERR_IO, "short read on %s", path);
    }
    *len = (size_t)n;
    return NEURIO_OK;
}

int cm_elf_load(const char *path, unsigned char **buf, size_t *len, Elf32_Ehdr *eh,
                neurio_errbuf *err)
{
    int rc = read_file(path, buf, len, err);
    if (rc)
        return rc;
    if (*len < sizeof *eh) {
        rc = neurio_fail(err, NEURIO_ERR_FORMAT, "%s: %zu bytes, too short for an ELF header", path,
                         *len);
        goto bad;
    }
    memcpy(eh, *buf, sizeof *eh);
    if (memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0 || eh->e_ident[EI_CLASS] != ELFCLASS32 ||
        eh->e_ident[EI_DATA] != ELFDATA2LSB) {
        rc = neurio_fail(err, NEURIO_ERR_FORMAT, "%s: not a little-endian 32-bit ELF file (byte 0)", path);
        goto bad;
    }
    if (eh->e_shentsize != sizeof(Elf32_Shdr) ||
        (uint64_t)eh->e_shoff + (uint64_t)eh->e_shnum * sizeof(Elf32_Shdr) > *len) {
        rc = neurio_fail(err, NEURIO_ERR_FORMAT,
                         "%s: section header table at byte %u (%u entries) is outside the %zu-byte file",
                         path, eh->e_shoff, eh->e_shnum, *len);
        goto bad;
    }
    return NEURIO_OK;
bad:
    free(*buf);
    *buf = NULL;
    return rc;
}

/* Calls fn for every defined symbol of the file's symbol tables (name,
 * the symbol, the type of its section: SHT_NOBITS = .bss, 0 = none) until
 * it returns non-zero; 1 if one did, 0 if none, or a negative status for
 * an unreadable or malformed file. */
typedef int (*cm_sym_fn)(void *user, const char *name, const Elf32_Sym *sym, uint32_t sh_type);

static int elf_each_symbol(const char *path, cm_sym_fn fn, void *user, neurio_errbuf *err)
{
    unsigned char *buf = NULL;
    size_t len = 0;
    Elf32_Ehdr eh;
    int rc = cm_elf_load(path, &buf, &len, &eh, err);
    if (rc)
        return rc;
    for (unsigned i = 0; i < eh.e_shnum; i++) {
        Elf32_Shdr sh, strsh;
        memcpy(&sh, buf + eh.e_shoff + (size_t)i * sizeof sh, sizeof sh);
        if (sh.sh_type != SHT_SYMTAB)
            continue;
        if (sh.sh_link >= eh.e_shnum || sh.sh_entsize != sizeof(Elf32_Sym) ||
            (uint64_t)sh.sh_offset + sh.sh_size > len) {
            rc = neurio_fail(err, NEURIO_ERR_FORMAT, "%s: symbol table (section %u at byte %u) is malformed",
                             path, i, sh.sh_offset);
            goto out;
        }
        memcpy(&strsh, buf + eh.e_shoff + (size_t)sh.sh_link * sizeof strsh, sizeof strsh);
        if ((uint64_t)strsh.sh_offset + strsh.sh_size > len || !strsh.sh_size ||
            buf[strsh.sh_offset + strsh.sh_size - 1] != '\0') {
            rc = neurio_fail(err, NEURIO_ERR_FORMAT, "%s: symbol names (byte %u) run past the end", path,
                             strsh.sh_offset);
            goto out;
        }
        const char *names = (const char *)buf + strsh.sh_offset;
        for (uint32_t k = 0; k < sh.sh_size / sizeof(Elf32_Sym); k++) {
            Elf32_Sym sym;
            memcpy(&sym, buf + sh.sh_offset + (size_t)k * sizeof sym, sizeof sym);
            if (sym.st_name >= strsh.sh_size || sym.st_shndx == SHN_UNDEF)
                continue;
            Elf32_Shdr in = {0};
            if (sym.st_shndx < eh.e_shnum)
                memcpy(&in, buf + eh.e_shoff + (size_t)sym.st_shndx * sizeof in, sizeof in);
            if (fn(user, names + sym.st_name, &sym, in.sh_type)) {
                rc = 1;
                goto out;
            }
        }
    }
    rc = 0;
out:
    free(buf);
    return rc;
}

typedef struct sym_find {
    const char *name;
    uint32_t value;
} sym_find;

static int find_one(void *user, const char *name, const Elf32_Sym *sym, uint32_t sh_type)
{
    sym_find *f = user;
    (void)sh_type;
    if (strcmp(name, f->name))
        return 0;
    f->value = sym->st_value;
    return 1;
}

int cm_elf_symbol(const char *path, const char *name, uint32_t *value, neurio_errbuf *err)
{
    sym_find f = {.name = name};
    int rc = elf_each_symbol(path, find_one, &f, err);
    if (rc < 0)
        return rc;
    if (rc == 0)
        return neurio_fail(err, NEURIO_ERR_UNSUPPORTED,
                           "%s has no symbol '%s' (a firmware without the RTT channel?)", path,
                           name);
    *value = f.value;
    return NEURIO_OK;
}

typedef struct sym_sum {
    const char *prefix;
    uint64_t bytes;
} sym_sum;

static int add_object(void *user, const char *name, const Elf32_Sym *sym, uint32_t sh_type)
{
    sym_sum *s = user;
    if (ELF32_ST_TYPE(sym->st_info) == STT_OBJECT && sh_type != SHT_NOBITS && sh_type != 0 &&
        strncmp(name, s->prefix, strlen(s->prefix)) == 0)
        s->bytes += sym->st_size;
    return 0;
}

int cm_elf_objects_bytes(const char *path, const char *prefix, uint64_t *bytes,
                         neurio_errbuf *err)
{
    sym_sum s = {.prefix = prefix};
    int rc = elf_each_symbol(path, add_object, &s, err);
    *bytes = s.bytes;
    return rc < 0 ? rc : NEURIO_OK;
}

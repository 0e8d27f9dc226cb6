/* plugins/riscv/src/rv_build.c — the firmware image: the generated model,
 * the SDK's portable runtime and kernels and rv_board.c, compiled with
 * riscv64-unknown-elf-gcc and picolibc (see rv.h). */
#define _GNU_SOURCE
#include <elf.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "neurio/paths.h"
#include "neurio/port.h"
#include "rv.h"

typedef struct argv_list {
    char *v[64];
    size_t n;
    neurio_path_list src; /* the sources, listed from the SDK's folders */
} argv_list;

static void add(argv_list *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void add(argv_list *a, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (a->n + 1 < sizeof a->v / sizeof a->v[0] && vasprintf(&a->v[a->n], fmt, ap) >= 0)
        a->n++;
    va_end(ap);
}

static void argv_free(argv_list *a)
{
    for (size_t i = 0; i < a->n; i++)
        free(a->v[i]);
    neurio_path_list_free(&a->src);
}

/* The command line: flags, then the sources, NULL-terminated in *out. */
static int build_argv(const rv_build_args *a, argv_list *l, char ***out, neurio_errbuf *err)
{
    const char *const skip[] = {"arm", "mve", NULL}; /* Cortex-M variants */
    const char *fpu = strchr(a->march + 4, 'f') ? "f" : "";
    add(l, "%s", a->gcc);
    add(l, "-march=%s", a->march);
    add(l, "-mabi=ilp32%s", fpu);
    add(l, "-O%s", a->opt_level);
    static const char *const flags[] = {"-g", "-std=c99", "-Wall", "-ffunction-sections",
                                        "-fdata-sections", "--specs=picolibc.specs",
                                        "-Wl,--gc-sections", "-DNEURIO_LAYER_HOOK_FN=nrt_layer_hook"};
    for (size_t i = 0; i < sizeof flags / sizeof flags[0]; i++)
        add(l, "%s", flags[i]);
    add(l, "-DNRT_BUILD_ID=\"%s\"", a->build_id);
    add(l, "-DNRT_RX_TIMEOUT_MS=%uu", a->rx_timeout_ms);
    add(l, "-DRV_CLOCK_HZ=%uu", a->clock_hz);
    if (a->layer_capture) { /* the runtime answers RUN_CAPTURE (firmware/LINK.md) */
        add(l, "-DNRT_LAYER_CAPTURE=1");
        add(l, "-DNEURIO_LAYER_OUTPUT_K_FN=nrt_layer_output_k"); /* every output */
    }
    add(l, "-I%s/include", a->fw_dir);
    add(l, "-I%s/runtime", a->fw_dir);
    add(l, "-I%s/kernels", a->fw_dir);
    add(l, "-I%s", a->gen_dir);
    add(l, "-Wl,--defsym=__flash=0x%08x,--defsym=__flash_size=%u,--defsym=__ram=0x%08x,"
        "--defsym=__ram_size=%u,--defsym=__stack_size=%u", a->flash_origin, a->flash_bytes,
        a->ram_origin, a->ram_bytes, a->stack_bytes); /* picolibc.ld's memory map */
    add(l, "-o");
    add(l, "%s/fw.elf", a->out_dir);
    add(l, "%s/rv_board.c", a->board_dir);
    char dir[4096];
    int rc = NEURIO_OK;
    rv_fmt(dir, sizeof dir, "%s/runtime", a->fw_dir);
    rc = neurio_list_files(dir, ".c", NULL, &l->src, err);
    rv_fmt(dir, sizeof dir, "%s/kernels", a->fw_dir);
    const char *cache = getenv("NEURIO_KERNEL_CACHE");
    if (!rc && cache && *cache) {
        /* the kernels compiled once for these flags: the same image */
        char march[64], mabi[32], opt[16], inc[4200], kinc[4200], log[4096];
        rv_fmt(march, sizeof march, "-march=%s", a->march);
        rv_fmt(mabi, sizeof mabi, "-mabi=ilp32%s", fpu);
        rv_fmt(opt, sizeof opt, "-O%s", a->opt_level);
        rv_fmt(inc, sizeof inc, "-I%s/include", a->fw_dir);
        rv_fmt(kinc, sizeof kinc, "-I%s/kernels", a->fw_dir);
        char *kf[] = {(char *)a->gcc, march, mabi, opt, "-g", "-std=c99", "-Wall",
                      "-ffunction-sections", "-fdata-sections", "--specs=picolibc.specs", inc,
                      kinc, NULL};
        rv_fmt(log, sizeof log, "%s/build.log", a->out_dir);
        rc = neurio_port_kernel_objects(cache, kf, a->fw_dir, skip, log, a->timeout_ms,
                                        &l->src, err);
    } else if (!rc) {
        rc = neurio_list_files(dir, ".c", skip, &l->src, err);
    }
    size_t sdk = l->src.count;
    if (!rc)
        rc = neurio_list_files(a->gen_dir, ".c", NULL, &l->src, err);
    if (!rc && l->src.count == sdk)
        rc = neurio_fail(err, NEURIO_ERR_INVALID, "no generated C sources in %s", a->gen_dir);
    char **v = rc ? NULL : calloc(l->n + l->src.count + 2, sizeof *v);
    if (!rc && !v)
        rc = neurio_fail(err, NEURIO_ERR_NOMEM, "out of memory");
    if (rc)
        return rc;
    size_t n = 0;
    for (size_t i = 0; i < l->n; i++)
        v[n++] = l->v[i];
    for (size_t i = 0; i < l->src.count; i++)
        v[n++] = l->src.paths[i];
    v[n++] = "-lm";
    v[n] = NULL;
    *out = v;
    return NEURIO_OK;
}

/* GNU ld's "region `ram' overflowed by N bytes": the region, N. */
static int overflow(const char *log_path, char region[16], unsigned long long *over)
{
    FILE *f = fopen(log_path, "r");
    char line[2048], *p;
    int found = 0;
    while (f && !found && fgets(line, sizeof line, f))
        found = (p = strstr(line, "region `")) &&
                sscanf(p, "region `%15[a-z]' overflowed by %llu", region, over) == 2;
    if (f)
        fclose(f);
    return found;
}

int rv_build(const rv_build_args *a, char *elf, size_t cap, rv_sizes *sz, neurio_errbuf *err)
{
    argv_list l = {.n = 0};
    char **v = NULL, log[4096];
    rv_fmt(log, sizeof log, "%s/build.log", a->out_dir);
    rv_fmt(elf, cap, "%s/fw.elf", a->out_dir);
    unlink(log);
    unlink(elf);
    int rc = build_argv(a, &l, &v, err), code = 0;
    if (!rc)
        rc = neurio_proc_run(v, log, a->timeout_ms, &code, err);
    free(v);
    argv_free(&l);
    /* The compiler could not start (neurio_proc_run's "cannot run", from the
     * build or from the kernel cache's `--version`): how to get one.  A
     * compiler that ran and failed is a TOOLCHAIN error too, with its log. */
    if (rc == NEURIO_ERR_TOOLCHAIN && strncmp(err->msg, "cannot run ", 11) == 0)
        neurio_fail(err, rc, "%s; install Debian's gcc-riscv64-unknown-elf and "
                    "picolibc-riscv64-unknown-elf, or set device.toolchain", err->msg);
    if (rc)
        return rc;
    unsigned long long over;
    char region[16];
    if (code && overflow(log, region, &over))
        return neurio_fail(err, NEURIO_ERR_UNSUPPORTED, "firmware does not fit %s: %llu bytes "
                           "over (flash %u, RAM %u with %u stack); raise device.%s_bytes",
                           region, over, a->flash_bytes, a->ram_bytes, a->stack_bytes, region);
    if (code) {
        char tail[400];
        neurio_log_tail(log, tail, sizeof tail);
        return neurio_fail(err, NEURIO_ERR_TOOLCHAIN, "firmware build failed (exit %d): %s "
                           "(full log: %s)", code, tail, log);
    }
    rc = rv_elf_sizes(elf, sz, err);
    sz->stack = a->stack_bytes; /* [__heap_end, __stack): picolibc's .stack is its minimum */
    if (!rc && sz->data + sz->bss + sz->stack > a->ram_bytes)
        rc = neurio_fail(err, NEURIO_ERR_UNSUPPORTED, "firmware does not fit RAM: needs %llu "
                         "bytes (data+bss+arena+%u stack), the profile has %u; raise "
                         "device.ram_bytes", (unsigned long long)(sz->data + sz->bss + sz->stack),
                         a->stack_bytes, a->ram_bytes);
    return rc;
}

/* Bounds-checked view of [off, off+len) of the file image, or NULL. */
static const void *at(const uint8_t *img, size_t size, uint64_t off, uint64_t len)
{
    return off <= size && len <= size - off ? img + off : NULL;
}

int rv_elf_sizes(const char *path, rv_sizes *sz, neurio_errbuf *err)
{
    memset(sz, 0, sizeof *sz);
    size_t size = 0;
    uint8_t *img = NULL;
    FILE *f = fopen(path, "rb");
    if (f && fseek(f, 0, SEEK_END) == 0 && (size = (size_t)ftell(f)) > 0 && (img = malloc(size)))
        size = fseek(f, 0, SEEK_SET) == 0 && fread(img, 1, size, f) == size ? size : 0;
    if (f)
        fclose(f);
    if (!img || !size) {
        free(img);
        return neurio_fail(err, NEURIO_ERR_IO, "cannot read %s", path);
    }
    const Elf32_Ehdr *eh = at(img, size, 0, sizeof *eh);
    const Elf32_Shdr *sh = eh ? at(img, size, eh->e_shoff, (uint64_t)eh->e_shnum * sizeof *sh)
                              : NULL;
    if (!sh || memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0 || eh->e_ident[EI_CLASS] != ELFCLASS32 ||
        eh->e_machine != EM_RISCV || eh->e_shstrndx >= eh->e_shnum) {
        free(img);
        return neurio_fail(err, NEURIO_ERR_FORMAT, "%s: not a 32-bit RISC-V ELF file with a "
                           "section table inside the file (byte 0)", path);
    }
    const Elf32_Shdr *names = &sh[eh->e_shstrndx];
    uint64_t text_end = 0, text_addr = 0, text_size = 0;
    for (unsigned i = 0; i < eh->e_shnum; i++) {
        const char *name = at(img, size, (uint64_t)names->sh_offset + sh[i].sh_name, 16);
        if (sh[i].sh_type == SHT_SYMTAB && sh[i].sh_link < eh->e_shnum) {
            /* picolibc's script puts .rodata inside .text: __text_end splits them */
            const Elf32_Sym *sym = at(img, size, sh[i].sh_offset, sh[i].sh_size);
            const Elf32_Shdr *str = &sh[sh[i].sh_link];
            for (size_t k = 0; sym && k < sh[i].sh_size / sizeof *sym; k++) {
                const char *n = at(img, size, (uint64_t)str->sh_offset + sym[k].st_name, 11);
                if (n && memcmp(n, "__text_end", 11) == 0)
                    text_end = sym[k].st_value;
            }
        }
        if (!name || !(sh[i].sh_flags & SHF_ALLOC) || strncmp(name, ".stack", 7) == 0)
            continue;
        int text = strncmp(name, ".text", 6) == 0 || strncmp(name, ".init", 6) == 0;
        if (strncmp(name, ".text", 6) == 0)
            text_addr = sh[i].sh_addr, text_size = sh[i].sh_size;
        *(text ? &sz->text : sh[i].sh_type == SHT_NOBITS ? &sz->bss
              : (sh[i].sh_flags & SHF_WRITE) ? &sz->data : &sz->rodata) += sh[i].sh_size;
    }
    if (text_end > text_addr && text_end <= text_addr + text_size) {
        sz->rodata += text_addr + text_size - text_end;
        sz->text -= text_addr + text_size - text_end;
    }
    free(img);
    return NEURIO_OK;
}

/* plugins/cortex-m/src/cm_firmware.c — see cm_firmware.h. */
#define _GNU_SOURCE
#include "cm_firmware.h"

#include <elf.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cm_elf.h"
#include "cm_proc.h"
#include "neurio/paths.h"
#include "neurio/port.h"

/* A growable NULL-terminated argv of owned strings. */
typedef struct cm_argv {
    char **v;
    size_t n, cap;
    int oom;
} cm_argv;

static void argv_add(cm_argv *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void argv_add(cm_argv *a, const char *fmt, ...)
{
    if (a->oom)
        return;
    if (a->n + 2 > a->cap) {
        size_t cap = a->cap ? a->cap * 2 : 64;
        char **v = realloc(a->v, cap * sizeof *v);
        if (!v) {
            a->oom = 1;
            return;
        }
        a->v = v;
        a->cap = cap;
    }
    va_list ap;
    va_start(ap, fmt);
    char *s = NULL;
    if (vasprintf(&s, fmt, ap) < 0)
        s = NULL;
    va_end(ap);
    if (!s) {
        a->oom = 1;
        return;
    }
    a->v[a->n++] = s;
    a->v[a->n] = NULL;
}

static void argv_free(cm_argv *a)
{
    for (size_t i = 0; i < a->n; i++)
        free(a->v[i]);
    free(a->v);
    memset(a, 0, sizeof *a);
}

/* Add every `dir/pattern` match; returns the number added. */
/* Appends every .c file below `dir` (sorted; no glob: a path is data). */
static size_t argv_sources(cm_argv *a, const char *dir)
{
    neurio_path_list l = {0};
    if (neurio_list_files(dir, ".c", NULL, &l, NULL) != NEURIO_OK)
        return 0;
    for (size_t i = 0; i < l.count; i++)
        argv_add(a, "%s", l.paths[i]);
    size_t n = l.count;
    neurio_path_list_free(&l);
    return n;
}

static int is_dir(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

int cm_fw_write_memory_ld(const cm_profile *p, const char *board_dir,
                          const char *out_dir, int bulk, neurio_errbuf *err)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/fw.ld", out_dir);
    FILE *f = fopen(path, "w");
    if (!f)
        return neurio_fail(err, NEURIO_ERR_IO, "cannot write %s: %s", path,
                           strerror(errno));
    const cm_board *b = p->board;
    bulk = bulk && b->bulk_name;
    fprintf(f,
            "/* Written by the neurio cortex-m plugin from the device profile "
            "(board %s). */\n"
            "MEMORY\n{\n"
            "    FLASH (rx)  : ORIGIN = 0x%08x, LENGTH = %u\n"
            "    RAM   (rwx) : ORIGIN = 0x%08x, LENGTH = %u\n",
            b->name, b->flash_origin, p->flash_bytes, b->ram_origin, p->ram_bytes);
    if (bulk) /* the generated model's constant arrays (ng_c<N>) in the bulk memory */
        fprintf(f,
                "    BULK  (r)   : ORIGIN = 0x%08x, LENGTH = %u /* %s */\n"
                "}\n"
                "SECTIONS\n{\n"
                "    .cm_weights : ALIGN(16) { *(.rodata.ng_c*) . = ALIGN(4); } > BULK\n"
                "}\n",
                b->bulk_origin, b->bulk_bytes, b->bulk_name);
    else
        fputs("}\n", f);
    fprintf(f, "__cm_stack_size = %u;\nINCLUDE cm_sections.ld\n", p->stack_bytes);
    (void)board_dir; /* found through -L: a path is never written into ld's syntax */
    if (fclose(f) != 0)
        return neurio_fail(err, NEURIO_ERR_IO, "cannot write %s: %s", path,
                           strerror(errno));
    return NEURIO_OK;
}

/* Look for GNU ld's "region `X' overflowed by N bytes" in the log. */
static int find_overflow(const char *log_path, const char *region,
                         unsigned long long *over)
{
    FILE *f = fopen(log_path, "r");
    if (!f)
        return 0;
    char line[2048], needle[64];
    snprintf(needle, sizeof needle, "region `%s' overflowed by ", region);
    int found = 0;
    while (fgets(line, sizeof line, f)) {
        char *p = strstr(line, needle);
        if (p && sscanf(p + strlen(needle), "%llu", over) == 1) {
            found = 1;
            break;
        }
    }
    fclose(f);
    return found;
}

/* The device runtime's build options (firmware/runtime/nrt.h). */
static void runtime_defines(cm_argv *av, const cm_fw_args *a)
{
    if (a->reset_after)
        argv_add(av, "-DNRT_RESET_AFTER=%uu", a->reset_after);
    if (a->max_payload)
        argv_add(av, "-DNRT_MAX_PAYLOAD=%uu", a->max_payload);
    if (a->rx_timeout_ms)
        argv_add(av, "-DNRT_RX_TIMEOUT_MS=%uu", a->rx_timeout_ms);
    /* QEMU's UART stops taking bytes while its register is full: nothing is
     * lost, so the host may keep several frames in flight. */
    if (a->profile->board->qemu_machine)
        argv_add(av, "-DNRT_RX_FLOW_CONTROL=1");
    /* The RTT rings never lose a byte either. */
    if (a->link_rtt) {
        /* A frame's payload leaves the ring in one copy, not one call per
         * byte (under QEMU each call and return is a TB lookup). */
        argv_add(av, "-DCM_LINK_RTT=1");
        argv_add(av, "-DNRT_UART_READ=1");
        if (!a->profile->board->qemu_machine)
            argv_add(av, "-DNRT_RX_FLOW_CONTROL=1");
    }
    if (a->layer_capture)
        argv_add(av, "-DNRT_LAYER_CAPTURE=1");
    if (a->test_fault) {
        argv_add(av, "-DNRT_TEST_FAULT_LAYER=%d", (int)a->test_fault_layer);
        argv_add(av, "-DNRT_TEST_FAULT_OUTPUT=%d", (int)a->test_fault_output);
    }
    if (a->layer_capture || a->test_fault) /* every output of every layer */
        argv_add(av, "-DNEURIO_LAYER_OUTPUT_K_FN=nrt_layer_output_k");
    if (a->test_slow_run)
        argv_add(av, "-DNRT_TEST_SLOW_RUN=%uu", a->test_slow_run);
    if (a->test_hang_run)
        argv_add(av, "-DNRT_TEST_HANG_RUN=%uu", a->test_hang_run);
}

/* The compiler and the code generation flags every source is built with. */
static void compiler_flags(cm_argv *av, const cm_fw_args *a)
{
    const cm_profile *p = a->profile;
    argv_add(av, "%sgcc", a->toolchain_prefix ? a->toolchain_prefix : "arm-none-eabi-");
    argv_add(av, "-mcpu=%s", p->cpu);
    argv_add(av, "-mthumb");
    if (p->fpu) {
        argv_add(av, "-mfpu=%s", p->fpu);
        argv_add(av, "-mfloat-abi=hard");
    } else {
        argv_add(av, "-mfloat-abi=soft");
    }
    argv_add(av, "-O%s", a->opt_level && *a->opt_level ? a->opt_level : "2");
    argv_add(av, "-g");
    argv_add(av, "-std=c99");
    argv_add(av, "-Wall");
    argv_add(av, "-ffunction-sections");
    argv_add(av, "-fdata-sections");
    argv_add(av, "-fno-common");
}

/* The kernels: their sources, or with NEURIO_KERNEL_CACHE set the objects
 * compiled once for these flags (neurio_port_kernel_objects), in the same
 * order: the same image. */
static int add_kernels(cm_argv *av, const cm_fw_args *a, const char *log_path,
                       neurio_errbuf *err)
{
    char dir[4096];
    const char *cache = getenv("NEURIO_KERNEL_CACHE");
    snprintf(dir, sizeof dir, "%s/kernels", a->fw_dir);
    if (!cache || !*cache) {
        argv_sources(av, dir); /* portable kernels and arm/ (self-guarded) */
        return NEURIO_OK;
    }
    cm_argv kf = {0};
    compiler_flags(&kf, a);
    argv_add(&kf, "-I%s/include", a->fw_dir);
    argv_add(&kf, "-I%s", dir);
    neurio_path_list objs = {0};
    int rc = kf.oom ? neurio_fail(err, NEURIO_ERR_NOMEM, "out of memory")
                    : neurio_port_kernel_objects(cache, kf.v, a->fw_dir, NULL, log_path,
                                                 a->timeout_ms > 0 ? a->timeout_ms : 600000,
                                                 &objs, err);
    for (size_t i = 0; !rc && i < objs.count; i++)
        argv_add(av, "%s", objs.paths[i]);
    neurio_path_list_free(&objs);
    argv_free(&kf);
    return rc;
}

/* The message for a failed build (exit status code): an overflowed
 * region named with the sizes, else the tail of the log. */
static int fw_build_error(const cm_profile *p, int bulk, const char *log_path, int code,
                          int *flash_over, neurio_errbuf *err)
{
    unsigned long long over = 0;
    if (find_overflow(log_path, "RAM", &over))
        return neurio_fail(err, NEURIO_ERR_UNSUPPORTED,
                           "firmware does not fit %s: RAM needs %llu bytes, "
                           "board has %u (data+bss+arena+%u stack); use a "
                           "smaller model or raise device.ram_bytes",
                           p->board->name, (unsigned long long)p->ram_bytes + over,
                           p->ram_bytes, p->stack_bytes);
    if (find_overflow(log_path, "FLASH", &over)) {
        *flash_over = 1;
        return neurio_fail(err, NEURIO_ERR_UNSUPPORTED,
                           "firmware does not fit %s: flash needs %llu bytes, "
                           "board has %u%s; use a smaller model or raise "
                           "device.flash_bytes",
                           p->board->name, (unsigned long long)p->flash_bytes + over,
                           p->flash_bytes, bulk ? " (the model's constants in "
                           "its bulk memory)" : "");
    }
    if (find_overflow(log_path, "BULK", &over))
        return neurio_fail(err, NEURIO_ERR_UNSUPPORTED,
                           "firmware does not fit %s: the model's constants need "
                           "%llu bytes of %s, the profile has %u; use a smaller model",
                           p->board->name, (unsigned long long)p->board->bulk_bytes + over,
                           p->board->bulk_name, p->board->bulk_bytes);
    char tail[400];
    neurio_log_tail(log_path, tail, sizeof tail);
    return neurio_fail(err, NEURIO_ERR_TOOLCHAIN,
                       "firmware build failed (exit %d): %s (full log: %s)",
                       code, tail, log_path);
}

/* One build with the constants in the code memory (bulk 0) or in the
 * board's bulk memory (bulk 1); *flash_over is set when FLASH overflowed. */
static int fw_build_once(const cm_fw_args *a, int bulk, cm_fw_sizes *sizes, char *elf_out,
                         size_t cap, int *flash_over, neurio_errbuf *err)
{
    const cm_profile *p = a->profile;
    cm_argv av = {0};
    char elf[4096], log_path[4096], map[4096];
    int rc = cm_fw_write_memory_ld(p, a->board_dir, a->out_dir, bulk, err);
    if (rc)
        return rc;
    snprintf(elf, sizeof elf, "%s/fw.elf", a->out_dir);
    snprintf(log_path, sizeof log_path, "%s/build.log", a->out_dir);
    snprintf(map, sizeof map, "%s/fw.map", a->out_dir);
    unlink(log_path);
    unlink(elf);

    compiler_flags(&av, a);
    argv_add(&av, "-DCM_BOARD_NAME=\"%s\"", p->board->name);
    argv_add(&av, "-DCM_CLOCK_HZ=%.0fu", p->clock_hz);
    argv_add(&av, "-DCM_STACK_BYTES=%uu", p->stack_bytes);
    argv_add(&av, "-DCM_CYCLE_SOURCE=\"%s\"", p->board->cycle_source);
    argv_add(&av, "-DNRT_BUILD_ID=\"%s\"", a->build_id ? a->build_id : "neurio-cm");
    argv_add(&av, "-DNEURIO_LAYER_HOOK_FN=nrt_layer_hook");
    argv_add(&av, "-I%s", a->board_dir);
    if (!a->main_src) {
        char dir[4096];
        snprintf(dir, sizeof dir, "%s/include", a->fw_dir);
        argv_add(&av, "-I%s", dir);
        snprintf(dir, sizeof dir, "%s/runtime", a->fw_dir);
        argv_add(&av, "-I%s", dir);
        snprintf(dir, sizeof dir, "%s/kernels", a->fw_dir);
        argv_add(&av, "-I%s", dir);
        if (a->gen_dir)
            argv_add(&av, "-I%s", a->gen_dir);
    }
    runtime_defines(&av, a);
    /* Sources. */
    argv_add(&av, "%s/cm_startup.c", a->board_dir);
    argv_add(&av, "%s/cm_syscalls.c", a->board_dir);
    argv_add(&av, "%s/%s", a->board_dir, p->board->board_src);
    if (a->main_src) {
        argv_add(&av, "%s", a->main_src);
    } else {
        char dir[4096];
        argv_add(&av, "%s/cm_platform.c", a->board_dir);
        argv_add(&av, "%s/cm_main.c", a->board_dir);
        snprintf(dir, sizeof dir, "%s/runtime", a->fw_dir);
        if (!is_dir(dir) || argv_sources(&av, dir) == 0) {
            argv_free(&av);
            return neurio_fail(err, NEURIO_ERR_TOOLCHAIN,
                               "no device runtime sources in %s; set "
                               "NEURIO_FIRMWARE_DIR to neurio's firmware/ directory",
                               dir);
        }
        if ((rc = add_kernels(&av, a, log_path, err)) != NEURIO_OK) {
            argv_free(&av);
            return rc;
        }
        if (a->gen_dir && argv_sources(&av, a->gen_dir) == 0) {
            argv_free(&av);
            return neurio_fail(err, NEURIO_ERR_INVALID,
                               "no generated C sources in %s: run the codegen "
                               "stage first",
                               a->gen_dir);
        }
    }
    argv_add(&av, "-nostartfiles");
    argv_add(&av, "--specs=nano.specs");
    /* Paths are whole arguments, never text inside another option: gcc
     * splits -Wl,... at commas, so the map file goes through -Xlinker, and
     * the sections script is found through -L, not quoted into fw.ld. */
    argv_add(&av, "-L");
    argv_add(&av, "%s", a->board_dir);
    argv_add(&av, "-T");
    argv_add(&av, "%s/fw.ld", a->out_dir);
    argv_add(&av, "-Wl,--gc-sections");
    argv_add(&av, "-Xlinker");
    argv_add(&av, "-Map");
    argv_add(&av, "-Xlinker");
    argv_add(&av, "%s", map);
    argv_add(&av, "-o");
    argv_add(&av, "%s", elf);
    argv_add(&av, "-lm");
    if (av.oom) {
        argv_free(&av);
        return neurio_fail(err, NEURIO_ERR_NOMEM, "out of memory building the "
                                                  "compiler command line");
    }
    /* Keep the exact command in the log for reproduction. */
    FILE *lf = fopen(log_path, "w");
    if (lf) {
        fputs("$", lf);
        for (size_t i = 0; i < av.n; i++)
            fprintf(lf, " '%s'", av.v[i]);
        fputs("\n", lf);
        fclose(lf);
    }
    int code = 0;
    rc = neurio_proc_run(av.v, log_path, a->timeout_ms > 0 ? a->timeout_ms : 600000,
                     &code, err);
    argv_free(&av);
    if (rc)
        return rc;
    if (code != 0)
        return fw_build_error(p, bulk, log_path, code, flash_over, err);
    rc = cm_fw_elf_sizes(elf, sizes, err);
    if (rc)
        return rc;
    if (elf_out && cap)
        snprintf(elf_out, cap, "%s", elf);
    return NEURIO_OK;
}

int cm_fw_build(const cm_fw_args *a, cm_fw_sizes *sizes, char *elf_out,
                size_t cap, neurio_errbuf *err)
{
    int flash_over = 0;
    int rc = fw_build_once(a, 0, sizes, elf_out, cap, &flash_over, err);
    /* Code + constants overflow the code memory: a board with a bulk
     * memory (the AN547's DDR) takes the model's constant arrays there. */
    if (rc == NEURIO_ERR_UNSUPPORTED && flash_over && a->profile->board->bulk_name) {
        flash_over = 0;
        err->msg[0] = '\0';
        rc = fw_build_once(a, 1, sizes, elf_out, cap, &flash_over, err);
    }
    return rc;
}

int cm_fw_packed(const cm_fw_args *a, int *fc, int *conv, int *rows, neurio_errbuf *err)
{
    char src[4096], out[4096], log_path[4096];
    snprintf(src, sizeof src, "%s/packed.c", a->out_dir);
    snprintf(out, sizeof out, "%s/packed.i", a->out_dir);
    snprintf(log_path, sizeof log_path, "%s/packed.log", a->out_dir);
    *fc = *conv = *rows = 0;
    FILE *f = fopen(src, "w");
    if (!f || fputs("#include \"nk.h\"\nneurio_fc_packed = NK_FC_PACKED\n"
                    "neurio_conv_packed = NK_CONV_PACKED\n"
                    "neurio_conv_rows = NK_CONV_ROWS\n", f) < 0 ||
        fclose(f) != 0) {
        if (f)
            fclose(f);
        return neurio_fail(err, NEURIO_ERR_IO, "cannot write %s: %s", src, strerror(errno));
    }
    cm_argv av = {0};
    compiler_flags(&av, a);
    argv_add(&av, "-I%s/include", a->fw_dir);
    argv_add(&av, "-I%s/kernels", a->fw_dir);
    argv_add(&av, "-E");
    argv_add(&av, "-P");
    argv_add(&av, "%s", src);
    argv_add(&av, "-o");
    argv_add(&av, "%s", out);
    if (av.oom) {
        argv_free(&av);
        return neurio_fail(err, NEURIO_ERR_NOMEM, "out of memory");
    }
    int code = 0;
    int rc = neurio_proc_run(av.v, log_path, a->timeout_ms > 0 ? a->timeout_ms : 600000,
                             &code, err);
    argv_free(&av);
    if (rc)
        return rc;
    char line[256], tail[400];
    int found = 0;
    f = code == 0 ? fopen(out, "r") : NULL;
    while (f && fgets(line, sizeof line, f))
        if (strncmp(line, "neurio_fc_packed = ", 19) == 0) {
            *fc = atoi(line + 19) == 1;
            found |= 1;
        } else if (strncmp(line, "neurio_conv_packed = ", 21) == 0) {
            *conv = atoi(line + 21) == 1;
            found |= 2;
        } else if (strncmp(line, "neurio_conv_rows = ", 19) == 0) {
            *rows = atoi(line + 19) == 1;
            found |= 4;
        }
    if (f)
        fclose(f);
    if (found == 7)
        return NEURIO_OK;
    neurio_log_tail(log_path, tail, sizeof tail);
    return neurio_fail(err, NEURIO_ERR_TOOLCHAIN, "cannot tell whether the image holds the "
                       "packed layouts (NK_FC_PACKED, NK_CONV_PACKED, NK_CONV_ROWS): %s "
                       "(log: %s)", tail,
                       log_path);
}

int cm_fw_elf_sizes(const char *path, cm_fw_sizes *sizes, neurio_errbuf *err)
{
    memset(sizes, 0, sizeof *sizes);
    unsigned char *buf = NULL;
    size_t len = 0;
    Elf32_Ehdr eh;
    int rc = cm_elf_load(path, &buf, &len, &eh, err);
    if (rc)
        return rc;
    if (eh.e_machine != EM_ARM) {
        rc = neurio_fail(err, NEURIO_ERR_FORMAT,
                         "%s: not a little-endian 32-bit ARM ELF file (byte 0)", path);
        goto fail;
    }
    if (eh.e_shoff == 0 || eh.e_shstrndx >= eh.e_shnum) {
        rc = neurio_fail(err, NEURIO_ERR_FORMAT,
                         "%s: section header table at byte %u (%u entries, names in %u) is "
                         "not usable in the %zu-byte file",
                         path, eh.e_shoff, eh.e_shnum, eh.e_shstrndx, len);
        goto fail;
    }
    Elf32_Shdr strsh;
    memcpy(&strsh, buf + eh.e_shoff + (size_t)eh.e_shstrndx * sizeof strsh, sizeof strsh);
    if ((uint64_t)strsh.sh_offset + strsh.sh_size > (uint64_t)len) {
        rc = neurio_fail(err, NEURIO_ERR_FORMAT,
                         "%s: section name table at byte %u runs past the end",
                         path, strsh.sh_offset);
        goto fail;
    }
    for (unsigned i = 0; i < eh.e_shnum; i++) {
        Elf32_Shdr sh;
        memcpy(&sh, buf + eh.e_shoff + (size_t)i * sizeof sh, sizeof sh);
        if (!(sh.sh_flags & SHF_ALLOC) || sh.sh_size == 0)
            continue;
        if (sh.sh_name >= strsh.sh_size) {
            rc = neurio_fail(err, NEURIO_ERR_FORMAT,
                             "%s: section %u name offset %u outside the name table",
                             path, i, sh.sh_name);
            goto fail;
        }
        const char *name = (const char *)buf + strsh.sh_offset + sh.sh_name;
        size_t maxn = strsh.sh_size - sh.sh_name;
        if (!memchr(name, '\0', maxn)) {
            rc = neurio_fail(err, NEURIO_ERR_FORMAT,
                             "%s: section %u name is not terminated", path, i);
            goto fail;
        }
        if (strcmp(name, ".cm_weights") == 0)
            sizes->bulk += sh.sh_size; /* also counted as rodata below */
        if (strcmp(name, ".text") == 0)
            sizes->text += sh.sh_size;
        else if (strcmp(name, ".data") == 0)
            sizes->data += sh.sh_size;
        else if (strcmp(name, ".bss") == 0)
            sizes->bss += sh.sh_size;
        else if (strcmp(name, ".stack") == 0)
            sizes->stack += sh.sh_size;
        else if (sh.sh_type != SHT_NOBITS && (sh.sh_flags & SHF_ALLOC))
            sizes->rodata += sh.sh_size; /* .rodata, .ARM.exidx, init arrays */
        else
            sizes->bss += sh.sh_size;
    }
    sizes->flash = sizes->text + sizes->rodata + sizes->data;
    sizes->ram = sizes->data + sizes->bss + sizes->stack;
fail:
    free(buf);
    return rc;
}

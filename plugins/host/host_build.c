/* plugins/host/host_build.c — generated C + portable kernels → shared
 * object with the system compiler; ELF section sizes. */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "host_runner.h"
#include "neurio/paths.h"
#include "neurio/port.h"

extern char **environ;

#define NH_MAX_ARGS 512

/* The per-layer timestamp hook compiled next to the model (host-only, so
 * it lives here and not in the portable generated code). */
static const char nh_hook_src[] =
    "/* neurio_host_hook.c — written by the host plugin: per-layer timestamps\n"
    " * for NEURIO_LAYER_HOOK (see neurio_model_desc.h). */\n"
    "#define _POSIX_C_SOURCE 200809L\n"
    "#include <stdint.h>\n"
    "#if defined(__x86_64__) || defined(__i386__)\n"
    "#include <x86intrin.h>\n"
    "static uint64_t nh_ts(void) { return (uint64_t)__rdtsc(); }\n"
    "#else\n"
    "#include <time.h>\n"
    "static uint64_t nh_ts(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t);\n"
    "    return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec; }\n"
    "#endif\n"
    "#define NH_MAX_LAYERS %u\n"
    "uint64_t neurio_host_layer_ts[NH_MAX_LAYERS + 1];\n"
    "void neurio_host_layer_hook(uint32_t layer);\n"
    "void neurio_host_layer_hook(uint32_t layer)\n"
    "{\n    if (layer <= NH_MAX_LAYERS) neurio_host_layer_ts[layer] = nh_ts();\n}\n";

/* The layer output hook of debug builds (NEURIO_LAYER_OUTPUT_K_FN): copies
 * one output of one layer for nh_capture_set(); NH_TEST_FAULT_LAYER and
 * NH_TEST_FAULT_OUTPUT (TEST-ONLY fault injection) flip the low bit of
 * every byte of that layer output. */
static const char nh_capture_src[] =
    "/* neurio_host_capture.c — written by the host plugin: the layer output\n"
    " * hook of its debug build (NEURIO_LAYER_OUTPUT_K, see neurio_model_desc.h). */\n"
    "#include <stdint.h>\n"
    "#include <string.h>\n"
    "#ifndef NH_TEST_FAULT_OUTPUT\n"
    "#define NH_TEST_FAULT_OUTPUT 0\n"
    "#endif\n"
    "int32_t neurio_host_capture_layer = -1;\n"
    "uint32_t neurio_host_capture_output;\n"
    "void *neurio_host_capture_buf;\n"
    "uint32_t neurio_host_capture_cap, neurio_host_capture_bytes;\n"
    "void neurio_host_layer_output_k(uint32_t layer, uint32_t out_idx, void *data,\n"
    "                                uint32_t bytes);\n"
    "void neurio_host_layer_output_k(uint32_t layer, uint32_t out_idx, void *data,\n"
    "                                uint32_t bytes)\n"
    "{\n"
    "#ifdef NH_TEST_FAULT_LAYER\n"
    "    if (layer == (uint32_t)(NH_TEST_FAULT_LAYER) &&\n"
    "        out_idx == (uint32_t)(NH_TEST_FAULT_OUTPUT))\n"
    "        for (uint32_t i = 0; i < bytes; i++) ((uint8_t *)data)[i] ^= 1u;\n"
    "#endif\n"
    "    if (neurio_host_capture_layer < 0 || layer != (uint32_t)neurio_host_capture_layer ||\n"
    "        out_idx != neurio_host_capture_output)\n"
    "        return;\n"
    "    neurio_host_capture_bytes = bytes;\n"
    "    if (neurio_host_capture_buf && bytes == neurio_host_capture_cap)\n"
    "        memcpy(neurio_host_capture_buf, data, bytes);\n"
    "}\n";

static int nh_write(const char *path, const char *text, neurio_errbuf *err)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return neurio_fail(err, NEURIO_ERR_IO, "host: cannot write %s: %s", path, strerror(errno));
    int bad = fputs(text, f) < 0;
    bad |= fclose(f) != 0;
    return bad ? neurio_fail(err, NEURIO_ERR_IO, "host: cannot write %s", path) : NEURIO_OK;
}

/* Run argv with stdout+stderr appended to log; returns exit status or -1. */
static int nh_spawn(char *const *argv, const char *log)
{
    posix_spawn_file_actions_t fa;
    pid_t pid;
    int status = -1;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, log, O_WRONLY | O_CREAT | O_APPEND, 0644);
    posix_spawn_file_actions_adddup2(&fa, 1, 2);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    int rc = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0) {
        errno = rc;
        return -1;
    }
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}

/* First line of the log mentioning "error", else its first line. */
static void nh_first_error(const char *log, char *out, size_t size)
{
    char line[512];
    out[0] = '\0';
    FILE *f = fopen(log, "r");
    if (!f)
        return;
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = '\0';
        if (!out[0] && snprintf(out, size, "%s", line) >= (int)size)
            out[size - 1] = '\0'; /* truncated on purpose */
        if (strstr(line, "error")) {
            if (snprintf(out, size, "%s", line) >= (int)size)
                out[size - 1] = '\0';
            break;
        }
    }
    fclose(f);
}

static void nh_toolchain(const char *cc, char *out, size_t size, const char *tmp_log)
{
    char *argv[] = {(char *)cc, "--version", NULL};
    out[0] = '\0';
    unlink(tmp_log);
    if (nh_spawn(argv, tmp_log) == 0) {
        FILE *f = fopen(tmp_log, "r");
        if (f) {
            if (fgets(out, (int)size, f))
                out[strcspn(out, "\n")] = '\0';
            fclose(f);
        }
    }
    unlink(tmp_log);
    if (!out[0])
        snprintf(out, size, "%s", cc);
}

/* The portable kernels: every .c below kernels/ but the Cortex-M DSP
 * (arm/) and Helium (mve/) variants, sorted so that builds are
 * reproducible; with NEURIO_KERNEL_CACHE set, the objects compiled once for
 * these flags (argv[0..na): the compiler, its options and device.cflags,
 * the -I folders; not the hook -D's, which no kernel reads) in the same
 * order: the same library. */
static int nh_kernels(char *const *argv, int na, const char *fw_dir, const char *log,
                      neurio_path_list *kernels, neurio_errbuf *err)
{
    static const char *const skip_arch[] = {"arm", "mve", NULL};
    char kdir[4200];
    const char *cache = getenv("NEURIO_KERNEL_CACHE");
    snprintf(kdir, sizeof kdir, "%s/kernels", fw_dir);
    if (!cache || !*cache)
        return neurio_list_files(kdir, ".c", skip_arch, kernels, err);
    char *kf[NH_MAX_ARGS];
    int n = 0;
    for (int i = 0; i < na && n < NH_MAX_ARGS - 1; i++)
        if (strcmp(argv[i], "-shared") != 0)
            kf[n++] = argv[i];
    kf[n] = NULL;
    return neurio_port_kernel_objects(cache, kf, fw_dir, skip_arch, log, 600000, kernels, err);
}

int nh_build(const char *gen_dir, const char *name, const char *fw_dir,
             const nh_build_opts *opts, char *so_path, size_t so_size,
             nh_sizes *sizes, char *toolchain, size_t tc_size,
             neurio_errbuf *err)
{
    static const nh_build_opts defaults = {.layer_hook = 1};
    char *argv[NH_MAX_ARGS];
    int na = 0, rc = NEURIO_ERR_NOMEM;
    char *flags = NULL;
    char log[4200], src[4200], hook[4200], inc1[4200], inc2[4200], kdir[4200], tclog[4300];
    char cap_src[4200], fault_def[64], fault_out[64];
    neurio_path_list kernels = {0};
    if (!opts)
        opts = &defaults;
    const char *cc = opts->cc && *opts->cc ? opts->cc : "cc";
    snprintf(so_path, so_size, "%s/%s.so", gen_dir, name);
    if (opts->log_path)
        snprintf(log, sizeof log, "%s", opts->log_path);
    else
        snprintf(log, sizeof log, "%s/%s.build.log", gen_dir, name);
    snprintf(src, sizeof src, "%s/%s.c", gen_dir, name);
    snprintf(hook, sizeof hook, "%s/neurio_host_hook.c", gen_dir);
    snprintf(inc1, sizeof inc1, "-I%s/kernels", fw_dir);
    snprintf(inc2, sizeof inc2, "-I%s/include", fw_dir);
    snprintf(kdir, sizeof kdir, "%s/kernels", fw_dir);
    snprintf(tclog, sizeof tclog, "%s.version", log);
    if (access(src, R_OK) != 0)
        return neurio_fail(err, NEURIO_ERR_IO, "host: generated source %s is missing: %s", src,
                           strerror(errno));
    snprintf(cap_src, sizeof cap_src, "%s/neurio_host_capture.c", gen_dir);
    int out_hook = opts->layer_capture || opts->test_fault;
    snprintf(fault_def, sizeof fault_def, "-DNH_TEST_FAULT_LAYER=%d", (int)opts->test_fault_layer);
    snprintf(fault_out, sizeof fault_out, "-DNH_TEST_FAULT_OUTPUT=%d",
             (int)opts->test_fault_output);
    if (out_hook && (rc = nh_write(cap_src, nh_capture_src, err)))
        return rc;
    if (opts->layer_hook) {
        char text[sizeof nh_hook_src + 16];
        snprintf(text, sizeof text, nh_hook_src, opts->n_layers ? opts->n_layers : 4096u);
        if ((rc = nh_write(hook, text, err)))
            return rc;
    }
    rc = NEURIO_ERR_NOMEM;
    unlink(log);

    argv[na++] = (char *)cc;
    argv[na++] = "-std=c99";
    argv[na++] = "-fPIC";
    argv[na++] = "-shared";
    argv[na++] = "-Wall";
    argv[na++] = "-Wextra";
    flags = strdup(opts->cflags ? opts->cflags : "-O2");
    if (!flags)
        goto fail;
    for (char *save = NULL, *tok = strtok_r(flags, " \t", &save); tok;
         tok = strtok_r(NULL, " \t", &save))
        if (na < NH_MAX_ARGS - 64)
            argv[na++] = tok;
    argv[na++] = inc1;
    argv[na++] = inc2;
    int n_flags = na; /* the compiler, its options, the -I folders */
    if (opts->layer_hook)
        argv[na++] = "-DNEURIO_LAYER_HOOK_FN=neurio_host_layer_hook";
    if (out_hook)
        argv[na++] = "-DNEURIO_LAYER_OUTPUT_K_FN=neurio_host_layer_output_k";
    if (opts->test_fault) {
        argv[na++] = fault_def;
        argv[na++] = fault_out;
    }
    argv[na++] = "-o";
    argv[na++] = so_path;
    argv[na++] = src;
    if (opts->layer_hook)
        argv[na++] = hook;
    if (out_hook)
        argv[na++] = cap_src;
    neurio_errbuf le = {{0}};
    if ((rc = nh_kernels(argv, n_flags, fw_dir, log, &kernels, &le)) != NEURIO_OK) {
        rc = neurio_fail(err, rc, "host: kernel sources: %s (set NEURIO_FIRMWARE_DIR to "
                         "the firmware directory)", le.msg);
        goto fail;
    }
    rc = NEURIO_ERR_NOMEM;
    if (kernels.count == 0) {
        rc = neurio_fail(err, NEURIO_ERR_IO, "host: no kernel sources (*.c) in %s", kdir);
        goto fail;
    }
    if (kernels.count > (size_t)(NH_MAX_ARGS - 8 - na)) {
        rc = neurio_fail(err, NEURIO_ERR_INTERNAL, "host: too many kernel sources in %s", kdir);
        goto fail;
    }
    for (size_t i = 0; i < kernels.count; i++)
        argv[na++] = kernels.paths[i];
    argv[na++] = "-lm";
    argv[na] = NULL;
    int st = nh_spawn(argv, log);
    if (st != 0) {
        char line[400];
        nh_first_error(log, line, sizeof line);
        if (st < 0)
            rc = neurio_fail(err, NEURIO_ERR_TOOLCHAIN,
                             "host: cannot run compiler '%s': %s (set device.cc)", cc,
                             strerror(errno));
        else
            rc = neurio_fail(err, NEURIO_ERR_TOOLCHAIN,
                             "host: %s exited with %d building %s: %s (full log: %s)", cc, st,
                             so_path, line, log);
        goto fail;
    }
    if (toolchain && tc_size)
        nh_toolchain(cc, toolchain, tc_size, tclog);
    if (sizes && (rc = nh_elf_sizes(so_path, sizes, err)))
        goto fail;
    rc = NEURIO_OK;
fail:
    if (rc == NEURIO_ERR_NOMEM)
        neurio_fail(err, rc, "host: out of memory");
    neurio_path_list_free(&kernels);
    free(flags);
    return rc;
}

int nh_elf_sizes(const char *path, nh_sizes *out, neurio_errbuf *err)
{
    int rc = NEURIO_ERR_FORMAT;
    unsigned char *buf = NULL;
    long len = 0;
    FILE *f = fopen(path, "rb");
    memset(out, 0, sizeof *out);
    if (!f)
        return neurio_fail(err, NEURIO_ERR_IO, "host: cannot open %s: %s", path, strerror(errno));
    if (fseek(f, 0, SEEK_END) != 0 || (len = ftell(f)) < (long)sizeof(Elf64_Ehdr) ||
        fseek(f, 0, SEEK_SET) != 0) {
        rc = neurio_fail(err, NEURIO_ERR_FORMAT, "host: %s is too short for an ELF file", path);
        goto fail;
    }
    buf = malloc((size_t)len);
    if (!buf || fread(buf, 1, (size_t)len, f) != (size_t)len) {
        rc = neurio_fail(err, NEURIO_ERR_IO, "host: cannot read %s", path);
        goto fail;
    }
    Elf64_Ehdr eh;
    memcpy(&eh, buf, sizeof eh);
    if (memcmp(eh.e_ident, ELFMAG, SELFMAG) || eh.e_ident[EI_CLASS] != ELFCLASS64) {
        rc = neurio_fail(err, NEURIO_ERR_FORMAT, "host: %s is not an ELF64 file", path);
        goto fail;
    }
    if (eh.e_shentsize != sizeof(Elf64_Shdr) || eh.e_shoff > (uint64_t)len ||
        (uint64_t)eh.e_shnum * sizeof(Elf64_Shdr) > (uint64_t)len - eh.e_shoff ||
        eh.e_shstrndx >= eh.e_shnum) {
        rc = neurio_fail(err, NEURIO_ERR_FORMAT, "host: %s: section table out of bounds "
                         "(offset %llu)", path, (unsigned long long)eh.e_shoff);
        goto fail;
    }
    Elf64_Shdr strs;
    memcpy(&strs, buf + eh.e_shoff + (size_t)eh.e_shstrndx * sizeof(Elf64_Shdr), sizeof strs);
    if (strs.sh_offset > (uint64_t)len || strs.sh_size > (uint64_t)len - strs.sh_offset) {
        rc = neurio_fail(err, NEURIO_ERR_FORMAT, "host: %s: section names out of bounds", path);
        goto fail;
    }
    for (unsigned i = 0; i < eh.e_shnum; i++) {
        Elf64_Shdr sh;
        memcpy(&sh, buf + eh.e_shoff + (size_t)i * sizeof(Elf64_Shdr), sizeof sh);
        if (!(sh.sh_flags & SHF_ALLOC) || sh.sh_name >= strs.sh_size)
            continue;
        const char *nm = (const char *)buf + strs.sh_offset + sh.sh_name;
        size_t maxl = (size_t)(strs.sh_size - sh.sh_name);
        if (!memchr(nm, '\0', maxl))
            continue;
        if (sh.sh_type == SHT_NOBITS)
            out->bss += sh.sh_size;
        else if (sh.sh_flags & SHF_EXECINSTR)
            out->text += sh.sh_size;
        else if (sh.sh_flags & SHF_WRITE)
            out->data += sh.sh_size;
        else
            out->rodata += sh.sh_size;
    }
    rc = NEURIO_OK;
fail:
    free(buf);
    fclose(f);
    return rc;
}

/* tests/zoo/zoo_fw_main.c — the device side of the zoo firmware harness
 * (zoo_fw.c): a bare-metal image for QEMU's Arm boards (started by
 * tests/kernels/arm/nk_arm_test_startup.c) or RISC-V virt (started by
 * picolibc's crt0 and tests/zoo/zoo_rv_startup.c) holding several
 * generated models (listed in the generated zoo_fw_cases.h).  For every case it reads each
 * sample's inputs from the host file named in the table (semihosting, raw
 * bytes, inputs in model order), runs the model and writes its outputs to
 * the case's output file; the host compares them with TFLite Micro's.
 * Returns (exit status) the number of cases that could not run.  C99. */
#include <stdint.h>
#include <string.h>

#include "neurio_model_desc.h"
#include "zoo_fw_cases.h"

void nk_test_puts(const char *s);

#if defined(__riscv) /* the RISC-V semihosting trap: three uncompressed instructions */
static int sh(int op, void *arg)
{
    register long a0 __asm__("a0") = op;
    register void *a1 __asm__("a1") = arg;
    __asm__ volatile(".option push\n.option norvc\n.balign 16\n"
                     "slli x0, x0, 0x1f\nebreak\nsrai x0, x0, 7\n.option pop"
                     : "+r"(a0) : "r"(a1) : "memory");
    return (int)a0;
}
#else
static int sh(int op, void *arg)
{
    register int r0 __asm__("r0") = op;
    register void *r1 __asm__("r1") = arg;
    __asm__ volatile("bkpt 0xab" : "+r"(r0) : "r"(r1) : "memory");
    return r0;
}
#endif

static int sh_open(const char *name, int mode) /* mode 1 "rb", 5 "wb" */
{
    uint32_t a[3] = {(uint32_t)(uintptr_t)name, (uint32_t)mode, (uint32_t)strlen(name)};
    return sh(0x01, a);
}

static void sh_close(int fd)
{
    uint32_t a[1] = {(uint32_t)fd};
    sh(0x02, a);
}

/* 0 when all n bytes moved. */
static int sh_rw(int op, int fd, void *buf, uint32_t n)
{
    uint32_t a[3] = {(uint32_t)fd, (uint32_t)(uintptr_t)buf, n};
    return sh(op, a);
}

static void say(const char *what, const char *file)
{
    nk_test_puts("zoo_fw: ");
    nk_test_puts(what);
    nk_test_puts(" ");
    nk_test_puts(file);
    nk_test_puts("\n");
}

static uint8_t g_buf[ZOO_FW_BUF] __attribute__((aligned(16)));

static uint32_t up16(uint32_t v) { return (v + 15u) & ~15u; }

/* Runs every sample of case k; 0 or 1 (message printed). */
static int run_case(unsigned k)
{
    const neurio_model_desc *d = zoo_fw_cases[k].desc;
    const void *ins[8];
    void *outs[8];
    uint32_t off = 0;
    if (d->n_inputs > 8 || d->n_outputs > 8) {
        say("more than 8 inputs or outputs:", zoo_fw_cases[k].in);
        return 1;
    }
    for (uint32_t i = 0; i < d->n_inputs; i++) {
        ins[i] = g_buf + off;
        off = up16(off + d->inputs[i].bytes);
    }
    for (uint32_t i = 0; i < d->n_outputs; i++) {
        outs[i] = g_buf + off;
        off = up16(off + d->outputs[i].bytes);
    }
    if (off > sizeof g_buf) {
        say("buffers too small for", zoo_fw_cases[k].in);
        return 1;
    }
    int fi = sh_open(zoo_fw_cases[k].in, 1), fo = sh_open(zoo_fw_cases[k].out, 5), bad = 0;
    if (fi < 0 || fo < 0) {
        say("cannot open", fi < 0 ? zoo_fw_cases[k].in : zoo_fw_cases[k].out);
        bad = 1;
    }
    for (unsigned s = 0; !bad && s < zoo_fw_cases[k].n_samples; s++) {
        for (uint32_t i = 0; i < d->n_inputs && !bad; i++)
            bad = sh_rw(0x06, fi, (void *)ins[i], d->inputs[i].bytes) != 0;
        if (bad) {
            say("short read of", zoo_fw_cases[k].in);
            break;
        }
        if (d->run(ins, outs) != NEURIO_RUN_OK) {
            say("run failed:", zoo_fw_cases[k].in);
            bad = 1;
            break;
        }
        for (uint32_t i = 0; i < d->n_outputs && !bad; i++)
            bad = sh_rw(0x05, fo, outs[i], d->outputs[i].bytes) != 0;
        if (bad)
            say("short write of", zoo_fw_cases[k].out);
    }
    if (fi >= 0)
        sh_close(fi);
    if (fo >= 0)
        sh_close(fo);
    return bad;
}

int nk_test_main(void)
{
    int bad = 0;
    for (unsigned k = 0; k < sizeof zoo_fw_cases / sizeof zoo_fw_cases[0]; k++)
        bad += run_case(k);
    return bad;
}

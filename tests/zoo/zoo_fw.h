/* tests/zoo/zoo_fw.h — zoo cases on an emulated Cortex-M board, several
 * per firmware image: each case is imported, optimized and generated
 * (neurio_codegen, exactly what `neurio run` deploys), the generated C of
 * a group of cases is linked with zoo_fw_main.c and the portable + DSP
 * kernels cross-compiled once by CMake (libnk-<cpu>.a), the image runs in
 * qemu-system-arm, reads every sample's inputs from the host and writes the
 * outputs back (semihosting); the host compares them with TFLite Micro's
 * (zoo_compare: integers bit-exact).  Groups are packed by arena and
 * weight bytes; a group that does not link is split until single cases. */
#ifndef NEURIO_TESTS_ZOO_FW_H
#define NEURIO_TESTS_ZOO_FW_H

#include <stddef.h>

#include "zoo_case.h"

typedef struct zoo_fw_board {
    const char *name;    /* "mps2-an386" (also the report's file name)    */
    const char *cflags;  /* "-mcpu=cortex-m4 -mfpu=fpv4-sp-d16 ..." (fixed
                            words, no paths)                             */
    const char *lib;     /* the kernels cross-compiled by CMake           */
    /* NULL = the mps2-an386 defaults: arm-none-eabi-gcc, the kernel test
     * image's linker script and start-up, qemu-system-arm -M <name>.    */
    const char *cc;      /* compiler                                       */
    const char *ld;      /* linker script (a path)                         */
    const char *startup; /* start-up source (a path)                       */
    const char *qemu;    /* "qemu-system-riscv32"                          */
    const char *qemu_args; /* fixed words before -kernel: "-M virt -bios none" */
} zoo_fw_board;

typedef struct zoo_fw_result {
    int res;             /* ZOO_PASS, ZOO_UNSUPPORTED, ZOO_FAIL            */
    char why[512];
    size_t samples;      /* samples compared                              */
} zoo_fw_result;

/* Runs cases[0..n) (loaded with zoo_load) on board b in the work folder
 * `work` (created), at most max_samples samples each (0: all).  Fills
 * out[0..n).  Returns the number of firmware images built. */
int zoo_fw_run(const zoo_fw_board *b, zoo_case *const *cases, int n, size_t max_samples,
               const char *work, zoo_fw_result *out);

#endif

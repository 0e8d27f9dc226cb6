/* tests/codegen/cg_test_util.h — what the generated-code tests share:
 * build a model's generated C (a -pedantic -Werror compile, then the host
 * plugin's build into a .so) and run it against the reference interpreter.
 * Link tests/codegen/cg_test_util.c. */
#ifndef NEURIO_TESTS_CG_TEST_UTIL_H
#define NEURIO_TESTS_CG_TEST_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include "host_runner.h"
#include "neurio/codegen.h"
#include "neurio/interp.h"
#include "neurio/model.h"

/* m validated and on the reference interpreter (asserts fatally). */
neurio_interp *cg_interp(const neurio_model *m);

/* Runs the shell command cmd (neurio_test_run); when it fails, prints it
 * and its output.  Its exit status (0: success). */
int cg_run(const char *cmd);

/* The generated C `src` and the kernels named (paths below
 * firmware/kernels, NULL-terminated) compile for Cortex-M4 (hard float,
 * -pedantic -Werror) into dir; skipped with a note when CMake found no
 * arm-none-eabi-gcc (NEURIO_ARM_GCC). */
void cg_compile_for_m4(const char *src, const char *dir, const char *const *kernels);

/* The tests' pseudo-random numbers (24 bits), reproducible from *st. */
uint32_t cg_lcg(uint32_t *st);

/* The constants of a quantized layer: w's n_w int8 weights in [-127, 127],
 * then b's n_b int32 biases in [-1000, 1000], drawn by cg_lcg from seed;
 * scales per tensor (per_channel 0: weights 0.01, bias 0.0005) or per
 * channel (n_b channels: weights 0.01 + 0.001 i, bias 0.05 of that), zero
 * points 0. */
void cg_consts(neurio_model *m, int32_t w, int32_t b, int32_t n_w, int32_t n_b, int per_channel,
               uint32_t seed);

/* 1 when the file at path holds needle (0 also when it cannot be read). */
int cg_file_has(const char *path, const char *needle);

/* Options cg_build_and_open generates with (NULL: the defaults). */
struct neurio_codegen_options;
extern const struct neurio_codegen_options *cg_codegen_opts;

/* Generate m's C (options cg_codegen_opts) into dir (created if need be;
 * *res: what neurio_codegen returns), check it compiles with -std=c99
 * -pedantic -Werror, build it with the kernels (bo; NULL: -O1) and open
 * it; asserts (fatally) every step. */
nh_module *cg_gen_build_open(const neurio_model *m, const char *dir, const nh_build_opts *bo,
                             neurio_codegen_result *res);
/* The same into <tmp>/<name> with -O1. */
nh_module *cg_build_and_open(const neurio_model *m, const char *name);

/* A rank-4 tensor of dtype dt with one scale/zero point (none when sc == 0). */
int32_t cg_tq(neurio_model *m, const char *nm, neurio_dtype dt, const int32_t *d4, float sc,
              int32_t zp);

/* Runs m (one input of in_bytes, one output of out_bytes) on the
 * interpreter and the generated code for 4 random inputs; asserts
 * identical bytes and that the output is not constant. */
void cg_compare_interp_codegen(neurio_model *m, const char *name, size_t in_bytes,
                               size_t out_bytes, neurio_dtype in_dt);

#endif

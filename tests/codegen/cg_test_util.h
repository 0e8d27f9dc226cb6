/* tests/codegen/cg_test_util.h — what the generated-code tests share:
 * build a model's generated C (a -pedantic -Werror compile, then the host
 * plugin's build into a .so) and run it against the reference interpreter.
 * Link tests/codegen/cg_test_util.c. */
#ifndef NEURIO_TESTS_CG_TEST_UTIL_H
#define NEURIO_TESTS_CG_TEST_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include "host_runner.h"
#include "neurio/interp.h"
#include "neurio/model.h"

/* m validated and on the reference interpreter (asserts fatally). */
neurio_interp *cg_interp(const neurio_model *m);

/* The generated C `src` and the kernels named (paths below
 * firmware/kernels, NULL-terminated) compile for Cortex-M4 (hard float,
 * -pedantic -Werror) into dir; skipped with a note when CMake found no
 * arm-none-eabi-gcc (NEURIO_ARM_GCC). */
void cg_compile_for_m4(const char *src, const char *dir, const char *const *kernels);

/* The tests' pseudo-random numbers (24 bits), reproducible from *st. */
uint32_t cg_lcg(uint32_t *st);

/* Options cg_build_and_open generates with (NULL: the defaults). */
struct neurio_codegen_options;
extern const struct neurio_codegen_options *cg_codegen_opts;

/* Generate m's C into <tmp>/<name>, check it compiles with -std=c99
 * -pedantic -Werror, build it with the kernels (-O1) and open it;
 * asserts (fatally) every step. */
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

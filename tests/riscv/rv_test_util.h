/* tests/riscv/rv_test_util.h — the riscv plugin as a vendor builds it: neurio
 * installed into a private prefix, plugins/riscv configured and built on its
 * own against that prefix (find_package(neurio)), golden models run through
 * the installed launcher. */
#ifndef RV_TEST_UTIL_H
#define RV_TEST_UTIL_H

#include <stddef.h>

/* Skip (exit 77) without ../shared, riscv64-unknown-elf-gcc with picolibc or
 * qemu-system-riscv32.  Then install neurio into <tmp>/prefix and build
 * plugins/riscv into <tmp>/riscv-build.  0 on success (the failing command
 * and its output are printed otherwise). */
int rv_test_setup(void);

/* The installed launcher and the directory holding neurio-riscv.so. */
const char *rv_test_launcher(void);
const char *rv_test_plugin_dir(void);

/* Run golden model `model` (../shared/golden/<model>) on the riscv plugin
 * with the extra device settings `device` (may be ""), its first `limit`
 * samples (0 = all).  Returns 0 when the predictions match: int8 bit for
 * bit, float within 1e-5 of the output range (*maxdiff gets the largest
 * difference); 1 when they differ, -1 when the run failed (log printed). */
int rv_test_golden(const char *model, const char *device, int limit, double *maxdiff);

#endif

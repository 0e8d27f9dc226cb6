/* tests/common/test_util.h — helpers shared by every CUnit test program.
 *
 * A test program defines neurio_register_tests(), which adds its suites with
 * CU_add_suite/CU_add_test; tests/common/test_main.c runs them and exits
 * non-zero on any failure.  A program that cannot run here (e.g. ../shared
 * absent) calls neurio_test_skip(), which prints why and exits 77 (CTest's
 * SKIP_RETURN_CODE). */
#ifndef NEURIO_TESTS_TEST_UTIL_H
#define NEURIO_TESTS_TEST_UTIL_H

#include <CUnit/CUnit.h>
#include <stddef.h>

int neurio_register_tests(void);

/* Print "SKIPPED: <reason>" and exit 77. */
void neurio_test_skip(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

/* ../shared next to the source tree (or $NEURIO_SHARED_DIR); NULL if absent. */
const char *neurio_test_shared_dir(void);

/* A fresh private directory under $TMPDIR; removed (recursively) at exit
 * unless NEURIO_KEEP_TMP is set.  Returned string lives until exit. */
const char *neurio_test_tmpdir(void);

/* Read a whole file; caller frees.  NULL on error. *len may be NULL. */
char *neurio_test_read_file(const char *path, size_t *len);
/* Write a whole file; 0 on success. */
int neurio_test_write_file(const char *path, const void *data, size_t len);

/* Run a shell command, capturing stdout+stderr (caller frees *out, may be
 * NULL).  Returns the exit status (0..255), or -1 if it could not run. */
int neurio_test_run(const char *cmd, char **out);

/* The one run directory of `outdir` that holds `file`: "<outdir>/<run>/<file>"
 * in path.  0 when exactly one exists; -1 when none, several, or path is too
 * small.  Plain directory listing: the directory names are data (a "[" or
 * "*" in $TMPDIR is not a pattern). */
int neurio_test_run_file(const char *outdir, const char *file, char *path, size_t cap);

/* Path of a built or source file: neurio_test_path(NEURIO_BINARY_DIR, "core/neurio"). */
const char *neurio_test_path(const char *dir, const char *rel);

#endif

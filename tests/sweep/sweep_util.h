/* tests/sweep/sweep_util.h — helpers of the issue-17 launcher tests: run
 * the launcher in the test's directory, look for text, query SQLite. */
#ifndef NEURIO_TESTS_SWEEP_UTIL_H
#define NEURIO_TESTS_SWEEP_UTIL_H

#include <stddef.h>

#define SW_NEURIO NEURIO_BINARY_DIR "/core/neurio"
#define SW_GOOD NEURIO_BINARY_DIR "/tests/plugins/good"

/* The test's directory and ../shared (set by sw_setup). */
extern char sw_dir[4096], sw_shared[4096];

/* Skip (exit 77) unless ../shared, the launcher and the test plugins are
 * there; make the private directory. */
void sw_setup(void);

/* Write a test_echo rig on kws_ref_model to sw_dir/name with `extra`
 * appended inside device = { }, data.limit = limit; returns its path
 * (static buffer). */
const char *sw_rig(const char *name, const char *device_extra, int limit, const char *output);

/* `cd sw_dir && neurio ARGS`; exit status, output in *out (free). */
int sw_run(const char *args, char **out);

/* Assert that out contains needle (prints both when not). */
void sw_expect(const char *out, const char *needle);

/* The run id of "stored as run ID in" in out, into id[64]. */
int sw_run_id(const char *out, char id[64]);

/* First column of the first row of sql on SQLite file db into *v. */
int sw_sql_int(const char *db, const char *sql, long long *v);

#endif

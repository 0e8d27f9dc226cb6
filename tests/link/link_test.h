/* tests/link/link_test.h — helpers shared by the link test files
 * (defined in test_link.c). */
#ifndef NEURIO_TESTS_LINK_TEST_H
#define NEURIO_TESTS_LINK_TEST_H

#include <stdint.h>
#include <sys/types.h>

#include "neurio/link_host.h"

typedef struct dev {
    pid_t pid;
    int fd; /* host end */
} dev;

/* Inputs/outputs of a run of n samples of the "small" fixture. */
typedef struct small_run {
    uint32_t n;
    int8_t *a;
    float *b;
    int8_t *s;
    float *p;
    neurio_measure *m;
    uint64_t *layers;
} small_run;

/* Start link_device_host on one end of a socketpair (extra: NULL-ended
 * extra arguments); 0 on success.  dev_stop kills and reaps it. */
int dev_start(dev *d, const char *model, const char *const *extra);
/* The same with another device executable (the debug builds). */
int dev_start_exe(dev *d, const char *exe, const char *model, const char *const *extra);
void dev_stop(dev *d);
/* Default link options with short timeouts for tests. */
void quiet_opts(neurio_link_options *o, int timeout_ms, int retries);
/* n samples of the "small" fixture with deterministic inputs. */
void small_init(small_run *r, uint32_t n, uint32_t seed);
void small_free(small_run *r);
/* Run all samples in batches of bs; *done = samples with results. */
int small_run_all(neurio_link *l, small_run *r, uint32_t bs, uint32_t *done, neurio_errbuf *e);
/* Samples in [0, upto) whose outputs equal the fixture's own. */
uint32_t small_check(const small_run *r, uint32_t upto);

int register_transport_tests(void);
int register_hid_tests(void);
int register_device_error_tests(void);
int register_capture_tests(void);

#endif

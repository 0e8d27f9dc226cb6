/* tests/zoo/zoo_case.h — the model-zoo conformance cases
 * (../shared/golden-zoo, README.md there): listing, loading a case's
 * meta.json and arrays, comparing outputs, and the per op x dtype table the
 * zoo tests print.  Shared by test_zoo_host.c and test_zoo_cortexm.c
 * (through zoo_fw.c). */
#ifndef NEURIO_TESTS_ZOO_CASE_H
#define NEURIO_TESTS_ZOO_CASE_H

#include <stddef.h>
#include <stdio.h>

#include "neurio/model.h"
#include "neurio/npy.h"

#define ZOO_MAX_IO 8
#define ZOO_MAX_OPS 32

typedef struct zoo_case {
    char name[128];
    char dir[1024];
    char model[1100];                  /* dir/model.tflite                       */
    int n_op_dtypes;
    char op_dtypes[ZOO_MAX_OPS][64];   /* meta.json model.op_dtypes: "ADD int16->int16" */
    int n_inputs, n_outputs;
    char in_path[ZOO_MAX_IO][1200];    /* input.npy or input_<k>.npy            */
    char out_path[ZOO_MAX_IO][1200];
    neurio_npy in[ZOO_MAX_IO], out[ZOO_MAX_IO];
    size_t n_samples;
} zoo_case;

/* Sorted names of the case folders under zoo_dir (folders holding a
 * model.tflite).  *names is malloc'ed (free each and the array). */
int zoo_list(const char *zoo_dir, char ***names, int *n);

/* Reads meta.json and every input/output array of case `name`; 0 or -1 with
 * why.  Release with zoo_free. */
int zoo_load(const char *zoo_dir, const char *name, zoo_case *c, char *why, size_t wl);
void zoo_free(zoo_case *c);

/* Bytes of one sample of array a (all dims after the first). */
size_t zoo_sample_bytes(const neurio_npy *a);

/* Compares output sample s (got: one sample in t's dtype) with the case's
 * expected array: integers bit-exact, float32 |d| <= 1e-5 |want| + 1e-7.
 * 1 equal, 0 different (why says where). */
int zoo_compare(const neurio_tensor *t, const void *got, const neurio_npy *want, size_t s,
                char *why, size_t wl);

/* Checks that each model input k takes one sample of in[k]: same dtype and
 * bytes per sample.  0 or -1 with why. */
int zoo_check_inputs(const zoo_case *c, const neurio_model *m, char *why, size_t wl);

/* The op x dtype of every op of m that no kernel runs, as
 * "unsupported: A; B (first: reason)" in why; the count (0: deployable). */
int zoo_unsupported(const neurio_model *m, char *why, size_t wl);

/* Results per case and per op x dtype. */
enum { ZOO_PASS, ZOO_UNSUPPORTED, ZOO_FAIL, ZOO_N };
typedef struct zoo_row {
    char op_dtype[64];
    int n[ZOO_N];
} zoo_row;
typedef struct zoo_table {
    zoo_row rows[128];
    int n_rows;
    int total[ZOO_N];
} zoo_table;

void zoo_table_add(zoo_table *t, const zoo_case *c, int result);
void zoo_table_print(FILE *f, const zoo_table *t, const char *device);

/* The cases listed in an expected-results file (one name per line, '#'
 * comments); 1 if `name` is listed. */
int zoo_expected(const char *path, const char *name);

#endif

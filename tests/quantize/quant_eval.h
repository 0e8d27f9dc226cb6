/* tests/quantize/quant_eval.h — run a model over an .npy with the reference
 * interpreter and compare real-valued outputs (shared by the quantizer
 * tests). */
#ifndef NEURIO_TESTS_QUANT_EVAL_H
#define NEURIO_TESTS_QUANT_EVAL_H

#include <stddef.h>

#include "neurio/model.h"
#include "neurio/npy.h"

/* Runs m on every sample of `inputs` (any dtype dataprep accepts) and
 * returns a malloc'ed [n * out_elems] array of dequantized output 0 values,
 * or NULL (message printed).  *n gets the sample count. */
float *qe_run(const neurio_model *m, const neurio_npy *inputs, size_t *n, size_t *out_elems);

/* Fraction of samples whose argmax agrees. */
double qe_argmax_agreement(const float *a, const float *b, size_t n, size_t k);
/* ||a - ref|| / ||ref|| over everything. */
double qe_rel_l2(const float *a, const float *ref, size_t count);
/* Fraction of samples whose argmax equals labels[i] (int64). */
double qe_accuracy(const float *a, const int64_t *labels, size_t n, size_t k);

#endif

/* tests/tflite/tfl_split_model.h — the small multi-output model the debug
 * readback tests run on several devices, built with tfl_builder.c: int8
 * x [1,12] -> SPLIT (axis 1) into s0, s1, s2 [1,4] -> ADD(s0, s1) -> u ->
 * ADD(u, s2) -> y; and `n` samples of int8 input. */
#ifndef NEURIO_TESTS_TFL_SPLIT_MODEL_H
#define NEURIO_TESTS_TFL_SPLIT_MODEL_H

/* Write <dir>/split.tflite and <dir>/x.npy (n samples, 1 <= n <= 64).
 * 0 on success; -1 (with a message on stderr) on failure. */
int tfl_write_split_model(const char *dir, int n);

/* In the output of `neurio run` with task.debug = "layers" and
 * debug_samples = 2 on this model: 1 when every output of every layer (rows
 * 0, 0:1, 0:2, 1, 2) is listed as "0/8" and "exact"; otherwise 0, with the
 * first row that is not and the whole output on stderr. */
int tfl_split_readback_exact(const char *out);

/* 1 when row `id` (op `op`) of that readback table holds `what` on its line. */
int tfl_split_row_says(const char *out, const char *id, const char *op, const char *what);

#endif

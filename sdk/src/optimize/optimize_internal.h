/* sdk/src/optimize/optimize_internal.h — helpers shared by the optimizer passes
 * (optimize_*.c).  Each pass has an internal form returning the number of
 * rewrites (>= 0) or a negative status, without compacting. */
#ifndef NEURIO_OPTIMIZE_INTERNAL_H
#define NEURIO_OPTIMIZE_INTERNAL_H

#include "neurio/model.h"
#include "neurio/status.h"

int nopt_is_graph_output(const neurio_model *m, int32_t t);
int nopt_is_graph_input(const neurio_model *m, int32_t t);
/* The only live op reading t, or -1 (none, several, or t is a graph output). */
int32_t nopt_single_consumer(const neurio_model *m, int32_t t);
/* Make every live op input and graph output that reads `from` read `to`. */
void nopt_replace_uses(neurio_model *m, int32_t from, int32_t to);
/* Live producer op of t (scans ops; producer fields may be stale). */
int32_t nopt_producer(const neurio_model *m, int32_t t);
/* Bypass op i (one data input `in`, one output): its readers read `in`.
 * Returns 1 when done, 0 when not possible (graph io constraints). */
int nopt_bypass(neurio_model *m, int32_t i, int32_t in);
/* Equal quantization parameters. */
int nopt_same_quant(const neurio_tensor *a, const neurio_tensor *b);

int nopt_fold_constants(neurio_model *m, neurio_errbuf *err);
int nopt_fold_batch_norm(neurio_model *m, neurio_errbuf *err);
int nopt_fuse_activations(neurio_model *m, neurio_errbuf *err);
int nopt_remove_identity(neurio_model *m, neurio_errbuf *err);
int nopt_remove_dead(neurio_model *m, neurio_errbuf *err);
/* optimize_depthwise.c: one-input-channel DEPTHWISE_CONV_2D -> CONV_2D */
int nopt_depthwise_to_conv(neurio_model *m, neurio_errbuf *err);
/* optimize_schedule.c: a sibling consumer runs first when that shortens
 * a large tensor's life (one move per call) */
int nopt_schedule_memory(neurio_model *m, neurio_errbuf *err);
/* optimize_transpose.c, run by nopt_remove_identity */
int nopt_fold_transpose_fc(neurio_model *m, neurio_errbuf *err);

#endif

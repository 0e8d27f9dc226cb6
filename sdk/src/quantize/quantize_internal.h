/* sdk/src/quantize/quantize_internal.h — shared by quantize.c (the int8 rewrite) and
 * quantize_calib.c (activation ranges from calibration data). */
#ifndef NEURIO_QUANTIZE_INTERNAL_H
#define NEURIO_QUANTIZE_INTERNAL_H

#include "neurio/model.h"
#include "neurio/plugin.h"
#include "neurio/status.h"

typedef enum nq_method { NQ_MINMAX = 0, NQ_PERCENTILE, NQ_MSE } nq_method;

/* Real range chosen for one activation tensor (valid when seen != 0). */
typedef struct nq_range {
    float lo, hi;
    int seen;
} nq_range;

/* Most calibration samples used (the rest of the file is ignored). */
#define NQ_MAX_CALIB_SAMPLES 2000

/* Parse calibration_method (NULL/"" = minmax).  NEURIO_ERR_CONFIG names the
 * bad value and the choices. */
int nq_parse_method(const char *s, nq_method *out, neurio_errbuf *err);

/* Run the float model over the calibration files (one per graph input, in
 * input order: paths[0..n_paths)) and fill ranges[t] for every activation
 * tensor t (ranges has m->n_tensors entries).  *n_used gets the number of
 * samples run. */
int nq_calibrate(const neurio_model *m, const char *const *paths, size_t n_paths,
                 nq_method method, nq_range *ranges, size_t *n_used, neurio_errbuf *err);

#endif

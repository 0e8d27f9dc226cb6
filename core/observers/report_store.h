/* core/observers/report_store.h — the reporting observer's per-layer rows
 * into the result store (report.c calls them once the run is recorded). */
#ifndef NEURIO_CORE_REPORT_STORE_H
#define NEURIO_CORE_REPORT_STORE_H

#include <stdint.h>

#include "neurio/status.h"
#include "pipeline.h"
#include "store/store.h"

/* The run's layers: mean[i] for the first n (mean may be NULL: none
 * measured; NAN past them), each with the weight layout the plugin
 * reported (run->info.layouts).  Nothing to store = 0. */
int nr_report_store_layers(nr_store *store, const nr_run *run, const double *mean, uint32_t n,
                           neurio_errbuf *err);

/* task.debug = "layers": the per-layer comparison (run->debug_layers). */
int nr_report_store_debug(nr_store *store, const nr_run *run, neurio_errbuf *err);

#endif /* NEURIO_CORE_REPORT_STORE_H */

/* core/profile_json.h — the run profile as JSON: a superset of NeurIO's
 * profiler layout (profiler_version, model, device, runtime, inference
 * {batch_size, model_load_time, preprocess_time[], inference_time[]}) plus
 * neurio's KPIs with units and sources, per-class figures and the confusion
 * matrix, per-layer costs, per-inference measurements and provenance.
 * Validated by schema/profile.schema.json.  Times are in seconds.
 *
 * Size: about 2 kB plus the KPIs and layers (bounded by the model), plus
 * about 170 B per inference for inference.inference_time[] and
 * measurements[] (171 MB at 10^6 inferences).  With d->profile_summary
 * these two arrays are written empty, with inference_time_note and
 * measurements_note saying how many rows were left out and where they are
 * (inferences.csv, the predictions, the store's rows): the profile is then
 * bounded whatever the number of inferences, and the latency, cycle and
 * stack statistics stay in kpis[].  The rig's output.profile_inferences
 * chooses: "all", "summary", or "auto" (the default: all up to
 * NR_PROFILE_AUTO_MAX inferences, a summary beyond). */
#ifndef NEURIO_CORE_PROFILE_JSON_H
#define NEURIO_CORE_PROFILE_JSON_H

#include <cjson/cJSON.h>

#include "neurio/status.h"
#include "report/report_data.h"

/* Build the profile tree.  Returns a new tree (caller cJSON_Delete) or NULL
 * when out of memory. */
cJSON *nr_profile_build(const nr_report_data *d);

#define NR_PROFILE_AUTO_MAX 100000

/* output.profile_inferences ("auto" or NULL, "all", "summary") for a run
 * of n inferences: 1 = summarise. */
int nr_profile_summarise(const char *mode, size_t n);

/* Build and write the profile to path (atomically, pretty-printed).
 * Returns 0, NEURIO_ERR_NOMEM or NEURIO_ERR_IO with a message. */
int nr_profile_write(const nr_report_data *d, const char *path, neurio_errbuf *err);

#endif /* NEURIO_CORE_PROFILE_JSON_H */

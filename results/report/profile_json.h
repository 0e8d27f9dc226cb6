/* core/profile_json.h — the run profile as JSON: a superset of NeurIO's
 * profiler layout (profiler_version, model, device, runtime, inference
 * {batch_size, model_load_time, preprocess_time[], inference_time[]}) plus
 * neurio's KPIs with units and sources, per-class figures and the confusion
 * matrix, per-layer costs, per-inference measurements and provenance.
 * Validated by schema/profile.schema.json.  Times are in seconds. */
#ifndef NEURIO_CORE_PROFILE_JSON_H
#define NEURIO_CORE_PROFILE_JSON_H

#include <cjson/cJSON.h>

#include "neurio/status.h"
#include "report/report_data.h"

/* Build the profile tree.  Returns a new tree (caller cJSON_Delete) or NULL
 * when out of memory. */
cJSON *nr_profile_build(const nr_report_data *d);

/* Build and write the profile to path (atomically, pretty-printed).
 * Returns 0, NEURIO_ERR_NOMEM or NEURIO_ERR_IO with a message. */
int nr_profile_write(const nr_report_data *d, const char *path, neurio_errbuf *err);

#endif /* NEURIO_CORE_PROFILE_JSON_H */

/* core/observers/report.h — the reporting observer: turns a pipeline run into KPIs,
 * a terminal summary, profile.json, inferences.csv, report.html and rows in
 * the result store, writing store rows as each batch arrives.
 *
 * Attach it in `neurio run` before nr_pipeline_run:
 *     nr_observer obs;
 *     if (nr_report_observer_new(rig, &obs, &err)) -> error, exit code 3
 *     nr_pipeline_add_observer(p, &obs);
 * Creating it opens (and migrates) the store and reads data.labels and
 * task.reference, so a store that cannot be opened or reached, a newer
 * store schema or an unreadable labels file is reported BEFORE the device
 * is touched.  The observer owns its state; nr_pipeline_free calls its
 * destroy hook.
 */
#ifndef NEURIO_CORE_REPORT_H
#define NEURIO_CORE_REPORT_H

#include <stddef.h>

#include "neurio/status.h"
#include "pipeline.h"
#include "rig.h"

/* Fill *out with the observer for rig (borrowed: must outlive it).
 * Returns NEURIO_OK, or NEURIO_ERR_CONFIG / IO / UNSUPPORTED / FORMAT with a
 * one-line message naming the rig key and what to do.  On failure nothing
 * needs freeing. */
int nr_report_observer_new(const nr_rig *rig, nr_observer *out, neurio_errbuf *err);

/* What a run belongs to, recorded with it in the store: a sweep point
 * (`neurio sweep`) and/or a farm job attempt (`neurio worker`).  NULL ids
 * = none.  Strings are copied. */
typedef struct nr_report_member {
    const char *sweep_id;
    int sweep_point;
    const char *job_id;
    int attempt;
} nr_report_member;

/* nr_report_observer_new for a run that belongs to `mem` (may be NULL). */
int nr_report_observer_new_member(const nr_rig *rig, const nr_report_member *mem,
                                  nr_observer *out, neurio_errbuf *err);

#endif /* NEURIO_CORE_REPORT_H */

/* core/report_data.h — everything the report writers (profile JSON, CSV,
 * terminal summary, HTML) need about one run, gathered by the observer
 * (core/report.c) from the pipeline, or filled by hand in tests.  The
 * writers never see the pipeline: they read only this.
 *
 * All pointers are borrowed from whoever filled the struct and must stay
 * valid while a writer runs.  NULL strings mean "unknown" and are written
 * as null / left blank.
 */
#ifndef NEURIO_CORE_REPORT_DATA_H
#define NEURIO_CORE_REPORT_DATA_H

#include <stddef.h>
#include <stdint.h>

#include "kpi/kpi_anomaly.h"
#include "kpi/kpi_classification.h"
#include "kpi/kpi_cost.h"
#include "kpi/kpi_fidelity.h"
#include "kpi/kpi_metrics.h"
#include "kpi/kpi_regression.h"
#include "neurio/model.h"
#include "neurio/plugin.h"

/* Version of the profile JSON layout (schema/profile.schema.json). */
#define NR_PROFILE_VERSION "1.0"

typedef struct nr_report_data {
    /* --- identity and provenance --- */
    const char *run_id;
    const char *rig_path;
    const char *run_dir;
    const char *started_at, *finished_at;  /* ISO 8601 UTC                */
    const char *status;                     /* "ok", "failed", "cancelled", "running" */
    int complete;                           /* all planned samples, no error */
    const char *error;                      /* failure message or NULL     */
    const char *task;                       /* rig task.kind               */
    const char *labels_path, *reference_path, *inputs_path;
    const char *plugin_name, *plugin_version, *plugin_path;
    const neurio_model *model;              /* prepared model, or NULL     */
    const char *model_path;
    const char *model_sha256;               /* hex, or NULL                */
    const char *neurio_version, *git_revision, *host;
    neurio_device_info device;              /* zero when never flashed     */

    /* --- the run --- */
    uint32_t batch_size;
    size_t n_planned, n_done;
    double model_load_time_s;   /* run start to first batch (prepare,
                                   codegen, flash); < 0 = unknown           */

    /* --- per inference, [n_done] each; NULL = not available --- */
    const neurio_measure *measures;
    const int64_t *labels;        /* classification/anomaly labels         */
    const int64_t *predictions;   /* argmax class                          */
    const double *scores;         /* anomaly score, or NULL                */
    const double *sample_error;   /* max |y - ref| per sample, or NULL     */
    /* Or the same rows spilled to a file (report/report_rows.h), which the
     * observer uses so that no per-inference array is held: when set, the
     * arrays above are NULL.  Writers read either through
     * nr_report_iter_begin/next. */
    const struct nr_report_rows *rows;

    /* profile.json without its per-inference arrays (inference_time,
     * measurements: left empty, with a note naming where the rows are);
     * 0 = write them (output.profile_inferences). */
    int profile_summary;

    /* --- KPIs --- */
    const nr_metrics *metrics;                 /* every figure, never NULL */
    const nr_kpi_classification *cls;          /* or NULL                  */
    const nr_kpi_cost *cost;                   /* or NULL                  */
    const nr_kpi_fidelity *fidelity;           /* or NULL                  */
    const char *notes[8];                      /* why a KPI is missing ("no
                                                  labels: accuracy not computed") */
    int n_notes;

    /* --- per layer (when the device measured them) --- */
    uint32_t n_layers;                         /* 0 = none                 */
    const double *layer_mean;                  /* [n_layers] mean count    */
} nr_report_data;

#endif /* NEURIO_CORE_REPORT_DATA_H */

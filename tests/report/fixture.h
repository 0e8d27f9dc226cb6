/* tests/report/fixture.h — a complete synthetic run for the report writer
 * tests: a 2-op float model (RELU -> SOFTMAX, 4 classes), 6 inferences with
 * labels (ties and an empty class), cost with cycles from "icount", per-layer
 * counts, a fidelity reference, and every KPI computed by the real modules. */
#ifndef NEURIO_TESTS_REPORT_FIXTURE_H
#define NEURIO_TESTS_REPORT_FIXTURE_H

#include "report/report_data.h"

typedef struct fixture {
    nr_report_data d;
    neurio_model *model;
    nr_metrics metrics;
    nr_kpi_classification cls;
    nr_kpi_cost cost;
    nr_kpi_fidelity fid;
    neurio_measure measures[6];
    int64_t labels[6], preds[6];
    double sample_error[6];
    double layer_mean[2];
    neurio_layer_layout layouts[2];
    neurio_weights_choice choice;
} fixture;

/* Fill fx; returns 0 on success. */
int fixture_make(fixture *fx);
void fixture_free(fixture *fx);

#endif

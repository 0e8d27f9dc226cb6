/* tests/report/fixture.c — see fixture.h. */
#include "fixture.h"

#include <math.h>
#include <string.h>

static const float scores[6 * 4] = {
    0.9f, 0.1f, 0.0f, 0.0f, 0.5f, 0.5f, 0.0f, 0.0f, 0.2f, 0.7f, 0.1f, 0.0f,
    0.6f, 0.3f, 0.1f, 0.0f, 0.1f, 0.8f, 0.1f, 0.0f, 0.3f, 0.3f, 0.3f, 0.1f,
};
static const float reference[6 * 4] = {
    1.0f, 0.0f, 0.0f, 0.0f, 0.4f, 0.6f, 0.0f, 0.0f, 0.2f, 0.7f, 0.1f, 0.0f,
    0.1f, 0.3f, 0.6f, 0.0f, 0.1f, 0.8f, 0.1f, 0.0f, 0.3f, 0.3f, 0.3f, 0.1f,
};

int fixture_make(fixture *fx)
{
    memset(fx, 0, sizeof *fx);
    neurio_errbuf err;
    fx->model = neurio_model_new("tiny_cls");
    if (!fx->model)
        return -1;
    const int32_t dims[2] = { 1, 4 };
    int32_t x = neurio_model_add_tensor(fx->model, "input", NEURIO_DT_FLOAT32, 2, dims);
    int32_t h = neurio_model_add_tensor(fx->model, "hidden", NEURIO_DT_FLOAT32, 2, dims);
    int32_t y = neurio_model_add_tensor(fx->model, "probs", NEURIO_DT_FLOAT32, 2, dims);
    if (x < 0 || h < 0 || y < 0)
        return -1;
    if (neurio_model_add_op(fx->model, NEURIO_OP_RELU, 1, &x, 1, &h) < 0)
        return -1;
    int32_t sm = neurio_model_add_op(fx->model, NEURIO_OP_SOFTMAX, 1, &h, 1, &y);
    if (sm < 0)
        return -1;
    fx->model->ops[sm].attr.softmax.beta = 1.0f;
    if (neurio_model_set_io(fx->model, 1, &x, 1, &y))
        return -1;

    static const int64_t labels[6] = { 0, 1, 1, 2, 2, 0 };
    memcpy(fx->labels, labels, sizeof labels);
    for (int i = 0; i < 6; i++) {
        fx->measures[i] = (neurio_measure){ .host_ns = 1000000u + 250000u * (uint64_t)i,
                                            .cycles = 25000u + 1000u * (uint64_t)(i % 3),
                                            .stack_bytes = 900u + 4u * (uint32_t)i };
        fx->preds[i] = nr_kpi_argmax(scores + 4 * i, 4);
        double mx = 0;
        for (int k = 0; k < 4; k++) {
            double e = fabs((double)scores[4 * i + k] - (double)reference[4 * i + k]);
            mx = e > mx ? e : mx;
        }
        fx->sample_error[i] = mx;
    }
    nr_report_data *d = &fx->d;
    d->device = (neurio_device_info){
        .size = sizeof d->device, .board = "mps2-an386", .cpu = "cortex-m4",
        .firmware = "fw.elf <build 1>", .toolchain = "arm-none-eabi-gcc 12.2.1",
        .cycle_source = "icount", .cycle_unit = "instructions", .clock_hz = 25e6,
        .max_batch = 4, .flash_text = 20480, .flash_rodata = 4096, .flash_data = 128,
        .weights_bytes = 3000, .arena_bytes = 2048, .ram_bytes = 8192,
        .active_current_a = 0.012, .supply_voltage_v = 3.3,
        .ram_data = 128, .ram_bss = 4032, .stack_region = 4032,
        .layouts = fx->layouts, .n_layouts = 2, .weights_choice = &fx->choice,
    };
    fx->layouts[0] = (neurio_layer_layout){ 0 }; /* no layout choice */
    fx->layouts[1] = (neurio_layer_layout){ .layout = "packed int16", .bytes = 2112,
                                            .added_bytes = 1024 };
    fx->choice = (neurio_weights_choice){
        .setting = "auto", .decision = "auto: int16 for all 1 packed layer(s) <fits>",
        .flash_bytes = 65536, .code_bytes = 21000, .code_source = "measured: test",
        .budget_bytes = 44536, .const_bytes = 3000, .int16_layers = 1, .added_bytes = 1024,
        .builds = 1 };
    if (nr_kpi_classification_compute(scores, 6, 4, fx->labels, 2, &fx->cls, &err) ||
        nr_kpi_classification_metrics(&fx->cls, "labels.npy", &fx->metrics))
        return -1;
    if (nr_kpi_fidelity_compute(scores, reference, 6, 4, &fx->fid, &err) ||
        nr_kpi_fidelity_metrics(&fx->fid, "ref.npy", &fx->metrics))
        return -1;
    if (nr_kpi_cost_compute(fx->measures, 6, &d->device, &fx->cost, &err) ||
        nr_kpi_cost_metrics(&fx->cost, &d->device, &fx->metrics))
        return -1;
    fx->layer_mean[0] = 5000;
    fx->layer_mean[1] = 21000;

    d->run_id = "20261126-060000-tiny-0001";
    d->rig_path = "/rigs/tiny <&> \"quoted\".cfg"; /* escaping is tested */
    d->run_dir = "/runs/20261126-060000-tiny-0001";
    d->started_at = "2026-11-26T06:00:00Z";
    d->finished_at = "2026-11-26T06:00:05Z";
    d->status = "ok";
    d->complete = 1;
    d->task = "classification";
    d->labels_path = "labels.npy";
    d->reference_path = "ref.npy";
    d->inputs_path = "x.npy";
    d->plugin_name = "cortex-m";
    d->plugin_version = "0.1.0";
    d->plugin_path = "/build/plugins/cortex-m.so";
    d->model = fx->model;
    d->model_path = "/models/tiny.tflite";
    d->model_sha256 = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    d->neurio_version = "0.1.0";
    d->git_revision = "abc1234";
    d->host = "testhost";
    d->batch_size = 4;
    d->n_planned = 6;
    d->n_done = 6;
    d->model_load_time_s = 1.5;
    d->measures = fx->measures;
    d->labels = fx->labels;
    d->predictions = fx->preds;
    d->sample_error = fx->sample_error;
    d->metrics = &fx->metrics;
    d->cls = &fx->cls;
    d->cost = &fx->cost;
    d->fidelity = &fx->fid;
    d->notes[d->n_notes++] = "energy is estimated from the device profile";
    d->n_layers = 2;
    d->layer_mean = fx->layer_mean;
    return 0;
}

void fixture_free(fixture *fx)
{
    nr_kpi_classification_free(&fx->cls);
    nr_metrics_free(&fx->metrics);
    neurio_model_free(fx->model);
    fx->model = NULL;
}

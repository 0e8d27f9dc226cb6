/* tests/fuzz/store_fuzz_seeds.c — a real results store as the seed of
 * fuzz_store: two runs (one complete with KPIs, rows, per-layer means,
 * weight layouts and debug rows, one left "running"), written through the
 * store's own API.
 * usage: store_fuzz_seeds FILE.db   (gcc-built helper) */
#include <math.h>
#include <stdio.h>
#include <unistd.h>

#include "store/store.h"

int main(int argc, char **argv)
{
    if (argc != 2)
        return 2;
    char spec[4200];
    snprintf(spec, sizeof spec, "sqlite:%s", argv[1]);
    unlink(argv[1]);
    nr_store *s = NULL;
    neurio_errbuf err;
    if (nr_store_open(spec, NR_STORE_WRITE, &s, &err)) {
        fprintf(stderr, "%s\n", err.msg);
        return 1;
    }
    const char *ids[2] = { "20261207-060000-host-0001", "20261207-060100-cortex-m-0002" };
    for (int r = 0; r < 2; r++) {
        nr_store_run run = { .run_id = ids[r], .started_at = "2026-12-07T06:00:00.000Z",
                             .task = "classification", .plugin = r ? "cortex-m" : "host",
                             .model_sha256 = "69eb465fa41037cbc21687ca55adbb9deab7fa6a75fb4eecd99ca6907f07225b",
                             .model_name = "hello_world_int8", .board = r ? "mps2-an386" : "x",
                             .cycle_unit = r ? "instructions" : "cycles", .clock_hz = 25e6,
                             .n_planned = 8, .batch_size = 4 };
        nr_store_row rows[4];
        for (int i = 0; i < 4; i++)
            rows[i] = (nr_store_row){ .index = (uint64_t)i, .host_ns = 1000u + (uint64_t)i,
                                      .cycles = 2200, .stack_bytes = 1248, .has_label = 1,
                                      .label = i % 3, .has_prediction = 1, .prediction = i % 2,
                                      .score = i ? 0.25 * i : NAN };
        if (nr_store_begin_run(s, &run, &err) || nr_store_add_rows(s, ids[r], rows, 4, &err)) {
            fprintf(stderr, "%s\n", err.msg);
            return 1;
        }
        if (r == 0) {
            nr_metrics m = { 0 };
            nr_metrics_add(&m, "accuracy", "top1_accuracy", 0.5, "1", "labels.npy");
            nr_metrics_add(&m, "latency", "host_latency_mean", 0.0015, "ms", "host clock");
            if (nr_store_finish_run(s, ids[r], "ok", 1, NULL, "2026-12-07T06:00:01.000Z", &m,
                                    "/tmp/p.json", "/tmp/r.html", &err)) {
                fprintf(stderr, "%s\n", err.msg);
                return 1;
            }
            nr_metrics_free(&m);
            /* per-layer debug rows: the device's and the float comparison's,
             * a layer with two outputs */
            nr_store_layer_debug d[3] = {
                { .ref = "device", .index = 0, .op = "CONV_2D", .tensor = "c0", .dtype = "int8",
                  .samples = 2, .elements = 64, .snr_db = INFINITY },
                { .ref = "float", .index = 1, .op = "SPLIT", .tensor = "s0", .dtype = "int8",
                  .samples = 2, .elements = 8, .mismatches = 3, .max_abs = 0.5,
                  .rel_l2 = 0.1, .snr_db = 20.0 },
                { .ref = "float", .index = 1, .output = 1, .op = "SPLIT", .tensor = "s1",
                  .dtype = "int8", .samples = 2, .elements = 8, .snr_db = INFINITY },
            };
            /* per-layer means and weight layouts (schema 5): a layer with
             * a layout and no count, one with a count and no layout */
            nr_store_layer l[3] = {
                { .index = 0, .op = "FULLY_CONNECTED", .mean = 1200.5, .unit = "cycles",
                  .layout = "packed int16", .layout_bytes = 81920, .added_bytes = 40960 },
                { .index = 1, .op = "RELU", .mean = 80, .unit = "cycles" },
                { .index = 2, .op = "CONV_2D", .mean = NAN, .unit = "cycles",
                  .layout = "straight-line", .layout_bytes = 4096 },
            };
            if (nr_store_set_layer_debug(s, ids[r], d, 1, &err) ||
                nr_store_set_layers(s, ids[r], l, 3, &err) ||
                nr_store_set_layer_debug(s, ids[r], d + 1, 2, &err)) {
                fprintf(stderr, "%s\n", err.msg);
                return 1;
            }
        }
    }
    nr_store_close(s);
    return 0;
}

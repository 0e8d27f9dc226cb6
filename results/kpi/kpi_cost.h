/* core/kpi_cost.h — what an inference costs: latency (host wall clock and
 * device time from cycle counts), cycles, throughput, energy and memory.
 *
 * Every figure carries its source: the host clock includes the link; device
 * latency is cycles / clock_hz and says how the cycles were counted
 * (device_info.cycle_source).  When the device counts instructions (QEMU
 * icount) the device latency is labelled an estimate.  Energy is never
 * measured here (no meter is wired to the plugin ABI yet): it is estimated
 * as active_current_a x supply_voltage_v x latency from the device profile
 * and labelled "estimated"; without a profile it is absent and
 * energy_note says why.  Counts are named "cycles_*", or "instructions_*"
 * when the device counts instructions (cycle_unit "instructions").
 */
#ifndef NEURIO_CORE_KPI_COST_H
#define NEURIO_CORE_KPI_COST_H

#include <stddef.h>
#include <stdint.h>

#include "kpi/kpi_metrics.h"
#include "kpi/kpi_stats.h"
#include "neurio/plugin.h"
#include "neurio/status.h"

typedef struct nr_kpi_cost {
    size_t n;                   /* inferences measured                       */
    int have_host;              /* host_ns reported for every inference      */
    nr_stats host_ms;           /* host wall time per inference, ms          */
    int have_cycles;            /* cycles reported for every inference       */
    nr_stats cycles;            /* in device_info.cycle_unit                 */
    int have_device;            /* cycles and clock_hz known                 */
    int device_estimated;       /* counts are instructions, not cycles       */
    nr_stats device_ms;         /* cycles / clock_hz, ms                     */
    double throughput;          /* inferences per second (1 / mean latency)  */
    int have_energy;
    double energy_uj;           /* per inference, microjoules                */
    char energy_source[96];
    char energy_note[96];       /* why energy is absent, or ""               */
    uint32_t stack_max;         /* largest stack high-water mark, 0 = none   */
    size_t stalls;              /* samples flagged NEURIO_MEASURE_STALLED:
                                   not in host_ms, reported as "stalls"     */
} nr_kpi_cost;

/* Compute cost KPIs from measures[0..n) and the device info.  Missing
 * figures (host_ns or cycles 0 for some inference, no clock) are simply
 * flagged absent.  Returns 0, NEURIO_ERR_INVALID when n == 0, or NOMEM. */
int nr_kpi_cost_compute(const neurio_measure *m, size_t n,
                        const neurio_device_info *dev, nr_kpi_cost *out,
                        neurio_errbuf *err);

/* The same KPIs fed one batch of measures at a time, memory independent of
 * the number of inferences: host latencies and cycle counts are spilled
 * to unlinked files in `dir` (NULL: $TMPDIR or /tmp) and computed exactly
 * as nr_kpi_cost_compute would on the whole array
 * (kpi/kpi_stats_stream.h). */
typedef struct nr_kpi_cost_acc {
    struct nr_stats_stream *host_ms, *cycles;
    size_t n, stalls;
    int host_missing, cycles_missing;
    uint32_t stack_max;
} nr_kpi_cost_acc;

/* 0, or NEURIO_ERR_IO / NOMEM with the message in err. */
int nr_kpi_cost_acc_init(nr_kpi_cost_acc *a, const char *dir, neurio_errbuf *err);
/* 0 or NEURIO_ERR_IO (the spill file could not be written). */
int nr_kpi_cost_acc_add(nr_kpi_cost_acc *a, const neurio_measure *m, size_t n);
/* nr_kpi_cost_compute over every measure added so far. */
int nr_kpi_cost_acc_compute(nr_kpi_cost_acc *a, const neurio_device_info *dev,
                            nr_kpi_cost *out, neurio_errbuf *err);
void nr_kpi_cost_acc_free(nr_kpi_cost_acc *a);

/* Append latency/cycles/throughput/energy/memory figures with units and
 * sources.  Memory comes from dev (bytes, "firmware image") and the stack
 * high-water mark ("device stack painting").  Returns 0 or NOMEM. */
int nr_kpi_cost_metrics(const nr_kpi_cost *c, const neurio_device_info *dev,
                        nr_metrics *m);

/* Mean count per layer over n_samples rows of layer_cycles[n_samples *
 * n_layers] (row-major by sample) into mean[n_layers].  Returns 0 or
 * NEURIO_ERR_INVALID when n_samples or n_layers is 0. */
int nr_kpi_layer_means(const uint64_t *layer_cycles, size_t n_samples,
                       uint32_t n_layers, double *mean);

#endif /* NEURIO_CORE_KPI_COST_H */

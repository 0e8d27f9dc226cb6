/* core/kpi_cost.c — latency, cycles, throughput, energy and memory KPIs. */
#include "kpi/kpi_cost.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kpi/kpi_stats_stream.h"
#include "neurio/link_host.h"

static const char *str_or(const char *s, const char *dflt)
{
    return s && *s ? s : dflt;
}

static int is_instructions(const neurio_device_info *dev)
{
    return dev->cycle_unit && !strcmp(dev->cycle_unit, "instructions");
}

int nr_kpi_cost_acc_init(nr_kpi_cost_acc *a, const char *dir, neurio_errbuf *err)
{
    memset(a, 0, sizeof *a);
    int rc = nr_stats_stream_new(dir, &a->host_ms);
    if (!rc)
        rc = nr_stats_stream_new(dir, &a->cycles);
    if (rc) {
        nr_kpi_cost_acc_free(a);
        return neurio_fail(err, rc, "cost KPIs: cannot create a temporary file in %s",
                           dir ? dir : "$TMPDIR");
    }
    return 0;
}

int nr_kpi_cost_acc_add(nr_kpi_cost_acc *a, const neurio_measure *m, size_t n)
{
    int rc = 0;
    for (size_t i = 0; i < n && !rc; i++) {
        a->n++;
        /* A stalled sample's host time is the stall (a link timeout or
         * retransmission), not a latency: counted apart, kept out of the
         * statistics. */
        if (m[i].flags & NEURIO_MEASURE_STALLED) {
            a->stalls++;
        } else {
            if (!m[i].host_ns)
                a->host_missing = 1;
            rc = nr_stats_stream_add(a->host_ms, (double)m[i].host_ns / 1e6);
        }
        if (!m[i].cycles)
            a->cycles_missing = 1;
        if (m[i].stack_bytes > a->stack_max)
            a->stack_max = m[i].stack_bytes;
        if (!rc)
            rc = nr_stats_stream_add(a->cycles, (double)m[i].cycles);
    }
    return rc;
}

void nr_kpi_cost_acc_free(nr_kpi_cost_acc *a)
{
    nr_stats_stream_free(a->host_ms);
    nr_stats_stream_free(a->cycles);
    memset(a, 0, sizeof *a);
}

int nr_kpi_cost_acc_compute(nr_kpi_cost_acc *a, const neurio_device_info *dev,
                            nr_kpi_cost *out, neurio_errbuf *err)
{
    memset(out, 0, sizeof *out);
    size_t n = a->n;
    if (n == 0)
        return neurio_fail(err, NEURIO_ERR_INVALID, "cost KPIs: no inference was measured");
    out->n = n;
    out->stalls = a->stalls;
    out->stack_max = a->stack_max;
    int rc = 0;
    size_t nh = nr_stats_stream_count(a->host_ms);
    out->have_host = !a->host_missing && nh > 0;
    if (out->have_host && (rc = nr_stats_stream_compute(a->host_ms, 1.0, 1.0, &out->host_ms)))
        goto fail;
    out->have_cycles = !a->cycles_missing;
    if (out->have_cycles && (rc = nr_stats_stream_compute(a->cycles, 1.0, 1.0, &out->cycles)))
        goto fail;
    if (out->have_cycles && dev->clock_hz > 0) {
        /* cycles / clock_hz * 1e3 per value, as the whole-array form */
        if ((rc = nr_stats_stream_compute(a->cycles, dev->clock_hz, 1e3, &out->device_ms)))
            goto fail;
        out->have_device = 1;
        out->device_estimated = is_instructions(dev);
    }

    double lat_ms = out->have_device ? out->device_ms.mean
                    : out->have_host ? out->host_ms.mean : 0;
    if (lat_ms > 0)
        out->throughput = 1e3 / lat_ms;

    if (dev->active_current_a > 0 && dev->supply_voltage_v > 0 && lat_ms > 0) {
        out->have_energy = 1;
        /* A x V x ms = mJ; x 1000 = uJ. */
        out->energy_uj = dev->active_current_a * dev->supply_voltage_v * lat_ms * 1e3;
        snprintf(out->energy_source, sizeof out->energy_source,
                 "estimated: %.4g A x %.3g V x %s latency", dev->active_current_a,
                 dev->supply_voltage_v, out->have_device ? "device" : "host");
    } else {
        snprintf(out->energy_note, sizeof out->energy_note, "%s",
                 lat_ms > 0 ? "not available: the device profile gives no current/voltage"
                            : "not available: no latency was measured");
    }
    return 0;
fail:
    return neurio_fail(err, rc, "cost KPIs: %s", neurio_status_str(rc));
}

int nr_kpi_cost_compute(const neurio_measure *m, size_t n,
                        const neurio_device_info *dev, nr_kpi_cost *out,
                        neurio_errbuf *err)
{
    nr_kpi_cost_acc a;
    memset(out, 0, sizeof *out);
    if (n == 0)
        return neurio_fail(err, NEURIO_ERR_INVALID, "cost KPIs: no inference was measured");
    int rc = nr_kpi_cost_acc_init(&a, NULL, err);
    if (rc)
        return rc;
    if ((rc = nr_kpi_cost_acc_add(&a, m, n)) != 0)
        rc = neurio_fail(err, rc, "cost KPIs: cannot write a temporary file");
    else
        rc = nr_kpi_cost_acc_compute(&a, dev, out, err);
    nr_kpi_cost_acc_free(&a);
    return rc;
}

static int add_stats(nr_metrics *m, const char *group, const char *prefix,
                     const nr_stats *s, const char *unit, const char *source)
{
    static const char *const names[] = { "mean", "std", "min", "p50", "p90",
                                         "p99", "max", "ci95_lo", "ci95_hi" };
    const double vals[] = { s->mean, s->std, s->min, s->p50, s->p90,
                            s->p99, s->max, s->ci95_lo, s->ci95_hi };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        char name[48];
        snprintf(name, sizeof name, "%s_%s", prefix, names[i]);
        int rc = nr_metrics_add(m, group, name, vals[i], unit, source);
        if (rc)
            return rc;
    }
    return 0;
}

/* The data channel's figures (group "link") when the plugin reports them. */
static int link_metrics(const neurio_device_info *dev, nr_metrics *m)
{
    if (dev->size < offsetof(neurio_device_info, link_stats) + sizeof dev->link_stats ||
        !dev->link_stats)
        return 0;
    const neurio_link_stats *s = dev->link_stats;
    const char *src = dev->link_channel ? dev->link_channel : "device link";
    double tx_s = (double)s->transfer_ns / 1e9, rx_s = (double)s->infer_ns / 1e9;
    const struct { const char *name; double v; const char *unit; } v[] = {
        { "bytes_to_device", (double)s->bytes_tx, "bytes" },
        { "bytes_from_device", (double)s->bytes_rx, "bytes" },
        { "seconds_to_device", tx_s, "s" },
        { "seconds_from_device", rx_s, "s" },
        { "payload_rate_to_device", tx_s > 0 ? (double)s->payload_tx / tx_s : 0, "bytes/s" },
        { "retransmits", (double)s->retransmits, "requests" },
        { "timeouts", (double)s->timeouts, "waits" },
    };
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        int rc = nr_metrics_add(m, "link", v[i].name, v[i].v, v[i].unit, src);
        if (rc)
            return rc;
    }
    return 0;
}

int nr_kpi_cost_metrics(const nr_kpi_cost *c, const neurio_device_info *dev,
                        nr_metrics *m)
{
    int rc = 0;
    const char *csrc = str_or(dev->cycle_source, "device counter");
    const char *cunit = str_or(dev->cycle_unit, "cycles");
    char src[96];
    if (c->have_host)
        rc = add_stats(m, "latency", "host_latency", &c->host_ms, "ms",
                       "host clock (wall time, includes the link)");
    if (!rc && c->stalls)
        rc = nr_metrics_add(m, "latency", "stalls", (double)c->stalls, "samples",
                            "answers delayed by the link's recovery from a loss (kept out "
                            "of host latency)");
    if (!rc && c->have_device) {
        snprintf(src, sizeof src, "%s%s / %.6g Hz", c->device_estimated ? "estimated: " : "",
                 csrc, dev->clock_hz);
        rc = add_stats(m, "latency", "device_latency", &c->device_ms, "ms", src);
    }
    /* An emulator's instruction count is a different quantity from cycles:
     * name it so, so runs on different counters never compare as equals. */
    if (!rc && c->have_cycles)
        rc = add_stats(m, "cycles", is_instructions(dev) ? "instructions" : "cycles",
                       &c->cycles, cunit, csrc);
    if (!rc && c->throughput > 0)
        rc = nr_metrics_add(m, "throughput", "throughput", c->throughput, "1/s",
                            c->have_device ? "1 / mean device latency"
                                           : "1 / mean host latency");
    if (!rc && c->have_energy)
        rc = nr_metrics_add(m, "energy", "energy_per_inference", c->energy_uj, "uJ",
                            c->energy_source);
    /* the parts of ram_bytes: 0 from a plugin that does not report them
     * (the core zeroes the whole neurio_device_info before flash) */
    const struct { const char *name; uint64_t v; const char *src; } mem[] = {
        { "flash_text", dev->flash_text, NULL },       { "flash_rodata", dev->flash_rodata, NULL },
        { "flash_data", dev->flash_data, NULL },
        { "flash_total", dev->flash_text + dev->flash_rodata + dev->flash_data, NULL },
        { "weights_bytes", dev->weights_bytes, NULL }, { "arena_bytes", dev->arena_bytes, NULL },
        { "ram_bytes", dev->ram_bytes,
          dev->stack_region ? "firmware image (plugin): total static RAM = data + bss "
                                       "(arena included) + stack region" : NULL },
        { "ram_data_bytes", dev->ram_data, "firmware image (plugin): .data" },
        { "ram_bss_bytes", dev->ram_bss,
          "firmware image (plugin): .bss, the arena included" },
        { "stack_region_bytes", dev->stack_region,
          "firmware image (plugin): the stack reserved" },
    };
    for (size_t i = 0; !rc && i < sizeof mem / sizeof mem[0]; i++)
        if (mem[i].v)
            rc = nr_metrics_add(m, "memory", mem[i].name, (double)mem[i].v, "bytes",
                                mem[i].src ? mem[i].src : "firmware image (plugin)");
    if (!rc && c->stack_max)
        rc = nr_metrics_add(m, "memory", "stack_max_bytes", (double)c->stack_max, "bytes",
                            "device stack high-water mark");
    if (!rc)
        rc = link_metrics(dev, m);
    return rc;
}

int nr_kpi_layer_means(const uint64_t *layer_cycles, size_t n_samples,
                       uint32_t n_layers, double *mean)
{
    if (!n_samples || !n_layers)
        return NEURIO_ERR_INVALID;
    for (uint32_t l = 0; l < n_layers; l++) {
        double s = 0;
        for (size_t i = 0; i < n_samples; i++)
            s += (double)layer_cycles[i * n_layers + l];
        mean[l] = s / (double)n_samples;
    }
    return 0;
}

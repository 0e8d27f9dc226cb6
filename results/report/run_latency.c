/* results/report/run_latency.c — the run's latency lines from spilled series. */
#include "report/run_latency.h"

#include <string.h>

#include "kpi/kpi_stats_stream.h"
#include "neurio/link_host.h"
#include "neurio/status.h"

int nr_run_latency_init(nr_run_latency *l, const char *dir)
{
    memset(l, 0, sizeof *l);
    int rc = nr_stats_stream_new(dir, &l->host);
    if (!rc)
        rc = nr_stats_stream_new(dir, &l->cyc);
    if (rc)
        nr_run_latency_free(l);
    return rc;
}

void nr_run_latency_add(nr_run_latency *l, const neurio_measure *m, size_t n)
{
    if (!l->host || !l->cyc)
        return;
    for (size_t i = 0; i < n; i++) {
        l->have_ns |= m[i].host_ns != 0;
        l->have_cyc |= m[i].cycles != 0;
        if (m[i].flags & NEURIO_MEASURE_STALLED)
            l->stalls++; /* a stall, not a latency */
        else if (nr_stats_stream_add(l->host, (double)m[i].host_ns))
            l->broken = 1;
        if (nr_stats_stream_add(l->cyc, (double)m[i].cycles))
            l->broken = 1;
    }
}

void nr_run_latency_print(nr_run_latency *l, const neurio_device_info *di, const char *dir,
                          FILE *f)
{
    if (!l->host || !l->cyc || !nr_stats_stream_count(l->cyc))
        return;
    if (l->broken) {
        fprintf(f, "latency: not summarised (a temporary file in %s could not be written)\n",
                dir ? dir : "$TMPDIR");
        return;
    }
    nr_stats st;
    if (l->have_ns && nr_stats_stream_count(l->host) &&
        nr_stats_stream_compute(l->host, 1.0, 1.0, &st) == 0)
        fprintf(f, "latency (host wall clock): mean %.3f ms, p50 %.3f ms, p99 %.3f ms\n",
                st.mean / 1e6, st.p50 / 1e6, st.p99 / 1e6);
    if (l->stalls)
        fprintf(f, "stalls: %zu sample(s) answered after the link recovered from a loss "
                   "(not counted as latency)\n", l->stalls);
    if (di->size >= offsetof(neurio_device_info, link_stats) + sizeof di->link_stats &&
        di->link_stats) {
        const neurio_link_stats *ls = di->link_stats;
        double tx_s = (double)ls->transfer_ns / 1e9;
        fprintf(f, "link (%s): %.1f kB to the device in %.2f s (%.1f kB/s payload), %.1f kB "
                   "back; %llu retransmits, %llu timeouts\n",
                di->link_channel ? di->link_channel : "device", (double)ls->bytes_tx / 1e3, tx_s,
                tx_s > 0 ? (double)ls->payload_tx / tx_s / 1e3 : 0.0, (double)ls->bytes_rx / 1e3,
                (unsigned long long)ls->retransmits, (unsigned long long)ls->timeouts);
    }
    if (l->have_cyc && nr_stats_stream_compute(l->cyc, 1.0, 1.0, &st) == 0) {
        double mean = st.mean, p50 = st.p50, p99 = st.p99;
        const char *unit = di->cycle_unit ? di->cycle_unit : "cycles";
        fprintf(f, "%s (%s): mean %.1f, p50 %.1f, p99 %.1f\n", unit,
                di->cycle_source ? di->cycle_source : "device", mean, p50, p99);
        if (di->clock_hz > 0)
            fprintf(f, "latency (%s at %.0f MHz): mean %.3f ms, p50 %.3f ms, p99 %.3f ms\n",
                    unit, di->clock_hz / 1e6, mean / di->clock_hz * 1e3,
                    p50 / di->clock_hz * 1e3, p99 / di->clock_hz * 1e3);
    }
}

void nr_run_latency_free(nr_run_latency *l)
{
    nr_stats_stream_free(l->host);
    nr_stats_stream_free(l->cyc);
    memset(l, 0, sizeof *l);
}

/* core/kpi_fidelity.c — agreement of outputs with a reference run. */
#include "kpi/kpi_fidelity.h"

#include <math.h>
#include <string.h>

#include "kpi/kpi_classification.h"

int nr_kpi_fidelity_add(nr_kpi_fidelity *acc, const float *y, const float *ref, size_t count,
                        size_t per_sample, neurio_errbuf *err)
{
    acc->per_sample = per_sample;
    for (size_t s = 0; s < count; s++) {
        const float *a = y + s * per_sample, *b = ref + s * per_sample;
        double dot = 0, na = 0, nb = 0;
        for (size_t i = 0; i < per_sample; i++) {
            double u = a[i], v = b[i];
            if (!isfinite(u) || !isfinite(v))
                return neurio_fail(err, NEURIO_ERR_INVALID,
                                   "fidelity KPIs: %s value %zu of sample %zu is not finite",
                                   isfinite(u) ? "reference" : "output", i,
                                   acc->n_samples + s);
            double d = fabs(u - v);
            acc->sum_abs += d;
            if (d > acc->max_abs_error)
                acc->max_abs_error = d;
            acc->diff2 += d * d;
            acc->ref2 += v * v;
            dot += u * v;
            na += u * u;
            nb += v * v;
        }
        if (na == 0 && nb == 0)
            acc->cos_sum += 1;
        else if (na > 0 && nb > 0)
            acc->cos_sum += dot / (sqrt(na) * sqrt(nb));
        if (per_sample > 1)
            acc->agree += nr_kpi_argmax(a, (int32_t)per_sample) ==
                          nr_kpi_argmax(b, (int32_t)per_sample);
    }
    acc->n_samples += count;
    return 0;
}

int nr_kpi_fidelity_end(nr_kpi_fidelity *acc, neurio_errbuf *err)
{
    size_t n_samples = acc->n_samples, per_sample = acc->per_sample;
    if (!n_samples || !per_sample)
        return neurio_fail(err, NEURIO_ERR_INVALID, "fidelity KPIs: no outputs to compare");
    acc->argmax_agreement = per_sample > 1 ? (double)acc->agree / (double)n_samples : NAN;
    acc->mean_abs_error = acc->sum_abs / ((double)n_samples * (double)per_sample);
    acc->cosine_similarity = acc->cos_sum / (double)n_samples;
    acc->relative_l2 = acc->ref2 > 0 ? sqrt(acc->diff2) / sqrt(acc->ref2) : NAN;
    return 0;
}

int nr_kpi_fidelity_compute(const float *y, const float *ref, size_t n_samples,
                            size_t per_sample, nr_kpi_fidelity *out,
                            neurio_errbuf *err)
{
    memset(out, 0, sizeof *out);
    if (!n_samples || !per_sample)
        return neurio_fail(err, NEURIO_ERR_INVALID, "fidelity KPIs: no outputs to compare");
    int rc = nr_kpi_fidelity_add(out, y, ref, n_samples, per_sample, err);
    if (!rc)
        rc = nr_kpi_fidelity_end(out, err);
    if (rc)
        memset(out, 0, sizeof *out);
    return rc;
}

int nr_kpi_fidelity_metrics(const nr_kpi_fidelity *f, const char *source,
                            nr_metrics *m)
{
    int rc = nr_metrics_add(m, "fidelity", "argmax_agreement", f->argmax_agreement,
                            "ratio", source);
    if (!rc)
        rc = nr_metrics_add(m, "fidelity", "max_abs_error", f->max_abs_error,
                            "output units", source);
    if (!rc)
        rc = nr_metrics_add(m, "fidelity", "mean_abs_error", f->mean_abs_error,
                            "output units", source);
    if (!rc)
        rc = nr_metrics_add(m, "fidelity", "cosine_similarity", f->cosine_similarity,
                            "1", source);
    if (!rc)
        rc = nr_metrics_add(m, "fidelity", "relative_l2", f->relative_l2, "1", source);
    return rc;
}

/* core/kpi_fidelity.c — agreement of outputs with a reference run. */
#include "kpi/kpi_fidelity.h"

#include <math.h>
#include <string.h>

#include "kpi/kpi_classification.h"

int nr_kpi_fidelity_compute(const float *y, const float *ref, size_t n_samples,
                            size_t per_sample, nr_kpi_fidelity *out,
                            neurio_errbuf *err)
{
    memset(out, 0, sizeof *out);
    if (!n_samples || !per_sample)
        return neurio_fail(err, NEURIO_ERR_INVALID, "fidelity KPIs: no outputs to compare");
    size_t agree = 0;
    double sabs = 0, mx = 0, cos_sum = 0, diff2 = 0, ref2 = 0;
    for (size_t s = 0; s < n_samples; s++) {
        const float *a = y + s * per_sample, *b = ref + s * per_sample;
        double dot = 0, na = 0, nb = 0;
        for (size_t i = 0; i < per_sample; i++) {
            double u = a[i], v = b[i];
            if (!isfinite(u) || !isfinite(v))
                return neurio_fail(err, NEURIO_ERR_INVALID,
                                   "fidelity KPIs: %s value %zu of sample %zu is not finite",
                                   isfinite(u) ? "reference" : "output", i, s);
            double d = fabs(u - v);
            sabs += d;
            if (d > mx)
                mx = d;
            diff2 += d * d;
            ref2 += v * v;
            dot += u * v;
            na += u * u;
            nb += v * v;
        }
        if (na == 0 && nb == 0)
            cos_sum += 1;
        else if (na > 0 && nb > 0)
            cos_sum += dot / (sqrt(na) * sqrt(nb));
        if (per_sample > 1)
            agree += nr_kpi_argmax(a, (int32_t)per_sample) ==
                     nr_kpi_argmax(b, (int32_t)per_sample);
    }
    out->n_samples = n_samples;
    out->per_sample = per_sample;
    out->argmax_agreement = per_sample > 1 ? (double)agree / (double)n_samples : NAN;
    out->max_abs_error = mx;
    out->mean_abs_error = sabs / ((double)n_samples * (double)per_sample);
    out->cosine_similarity = cos_sum / (double)n_samples;
    out->relative_l2 = ref2 > 0 ? sqrt(diff2) / sqrt(ref2) : NAN;
    return 0;
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

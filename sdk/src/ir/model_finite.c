/* sdk/src/ir/model_finite.c — every float constant of a model finite. */
#include <math.h>

#include "neurio/model.h"

int neurio_model_check_finite(const neurio_model *m, neurio_errbuf *err)
{
    for (int32_t t = 0; m && t < m->n_tensors; t++) {
        const neurio_tensor *x = &m->tensors[t];
        if (!x->data || x->dtype != NEURIO_DT_FLOAT32)
            continue;
        size_t n = x->data_bytes / sizeof(float);
        const float *f = x->data;
        for (size_t i = 0; i < n; i++)
            if (!isfinite(f[i]))
                return neurio_fail(err, NEURIO_ERR_INVALID,
                                   "constant tensor %d '%s' element %zu is %g: a model's "
                                   "weights must be finite (NaN/Inf make every quantization "
                                   "and output meaningless); re-export the model",
                                   (int)t, x->name, i, (double)f[i]);
    }
    return NEURIO_OK;
}

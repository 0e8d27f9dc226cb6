/* tests/fuzz/fuzz_npy.c — libFuzzer target over the .npy reader and the
 * data preparation that follows it (issue 19): every accepted array is
 * checked for finite values and converted for a small quantized int8 input
 * and a float32 input, as `neurio check` and `run` do with data.inputs. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "neurio/dataprep.h"
#include "neurio/model.h"
#include "neurio/npy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static neurio_model *fz_model(neurio_dtype dt, int quantized)
{
    neurio_model *m = neurio_model_new("fuzz");
    if (!m)
        return NULL;
    int32_t dims[2] = { 1, 4 };
    int32_t t = neurio_model_add_tensor(m, "x", dt, 2, dims);
    if (t < 0) {
        neurio_model_free(m);
        return NULL;
    }
    if (quantized) {
        float sc = 0.05f;
        int32_t zp = -3;
        neurio_tensor_set_quant(m, t, 1, 0, &sc, &zp);
    }
    if (neurio_model_set_io(m, 1, &t, 1, &t) != NEURIO_OK) {
        neurio_model_free(m);
        return NULL;
    }
    return m;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static neurio_model *mq, *mf;
    if (!mq)
        mq = fz_model(NEURIO_DT_INT8, 1);
    if (!mf)
        mf = fz_model(NEURIO_DT_FLOAT32, 0);
    neurio_npy a;
    neurio_errbuf err;
    if (neurio_npy_parse(data, size, "fuzz.npy", &a, &err) != NEURIO_OK)
        return 0;
    (void)neurio_npy_elements(&a);
    (void)neurio_dataprep_check_real(&a, mq ? &mq->tensors[0] : NULL, 4, &err);
    neurio_model *ms[2] = { mq, mf };
    for (int k = 0; k < 2; k++) {
        void *out = NULL;
        size_t n = 0;
        if (ms[k] && neurio_dataprep_input(ms[k], 0, &a, &out, &n, &err) == NEURIO_OK)
            free(out);
    }
    neurio_npy_free(&a);
    return 0;
}

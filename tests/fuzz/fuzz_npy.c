/* tests/fuzz/fuzz_npy.c — libFuzzer target over the .npy reader and the
 * data preparation that follows it (issue 19): every accepted array is
 * checked for finite values and converted for a small quantized int8 input
 * and a float32 input, as `neurio check` and `run` do with data.inputs.
 * The streaming forms `run` uses (neurio_npy_open/read_rows from a file,
 * neurio_dataprep_input_rows per batch) must accept exactly what the
 * whole-array reader accepts and convert to the same bytes: a difference
 * aborts (a finding). */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

static char fz_path[64];

static void fz_cleanup(void)
{
    unlink(fz_path);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static neurio_model *mq, *mf;
    if (!mq)
        mq = fz_model(NEURIO_DT_INT8, 1);
    if (!mf)
        mf = fz_model(NEURIO_DT_FLOAT32, 0);
    char *path = fz_path;
    if (!path[0]) {
        snprintf(fz_path, sizeof fz_path, "/tmp/fuzz-npy-%ld.npy", (long)getpid());
        atexit(fz_cleanup);
    }
    FILE *f = fopen(path, "wb");
    if (f) {
        fwrite(data, 1, size, f);
        fclose(f);
    }
    neurio_npy a;
    neurio_errbuf err;
    neurio_npy_reader rd;
    int whole = neurio_npy_parse(data, size, "fuzz.npy", &a, &err);
    int streamed = f ? neurio_npy_open(path, &rd, &err) : whole;
    if ((whole == NEURIO_OK) != (streamed == NEURIO_OK))
        abort(); /* the two readers disagree on the same bytes */
    if (f && streamed == NEURIO_OK && whole == NEURIO_OK) {
        void *buf = malloc(rd.hdr.bytes ? rd.hdr.bytes : 1);
        if (buf && rd.n_rows && neurio_npy_read_rows(&rd, 0, rd.n_rows, buf, &err) == NEURIO_OK &&
            memcmp(buf, a.data, rd.hdr.bytes) != 0)
            abort();
        free(buf);
    }
    if (f && streamed == NEURIO_OK)
        neurio_npy_close(&rd);
    if (whole != NEURIO_OK)
        return 0;
    (void)neurio_npy_elements(&a);
    (void)neurio_dataprep_check_real(&a, mq ? &mq->tensors[0] : NULL, 4, &err);
    neurio_model *ms[2] = { mq, mf };
    for (int k = 0; k < 2; k++) {
        void *out = NULL;
        size_t n = 0;
        int rc = ms[k] ? neurio_dataprep_input(ms[k], 0, &a, &out, &n, &err) : -1;
        if (rc == NEURIO_OK && a.rank >= 1) {
            /* batches of 3 rows give the same bytes */
            size_t rowb = a.dims[0] ? a.bytes / (size_t)a.dims[0] : 0;
            size_t outb = neurio_tensor_bytes(&ms[k]->tensors[0]);
            unsigned char part[3 * 64];
            for (size_t first = 0; first < n && outb <= 64; first += 3) {
                size_t cnt = n - first < 3 ? n - first : 3;
                if (neurio_dataprep_input_rows(ms[k], 0, &a, (const char *)a.data + first * rowb,
                                               first, cnt, part, &err) != NEURIO_OK ||
                    memcmp(part, (const char *)out + first * outb, cnt * outb) != 0)
                    abort();
            }
        }
        if (rc == NEURIO_OK)
            free(out);
    }
    neurio_npy_free(&a);
    return 0;
}

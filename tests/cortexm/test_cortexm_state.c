/* tests/cortexm/test_cortexm_state.c — conformance: zoo models with state
 * (variable tensors) under `neurio run` on the emulated Cortex-M4F
 * (mps2-an386): trained_lstm (float UNIDIRECTIONAL_SEQUENCE_LSTM), every
 * sample within 1e-5 of the output range of TFLite Micro's outputs, the
 * state reset before each sample as the goldens are made; the same model
 * with data.stateful = true (8 samples in batches of 3: the state crosses
 * batches on the device) against the reference interpreter run statefully;
 * and a two-input model (seanet_add2, int16 ADD, data.inputs a list)
 * bit-exact with TFLite Micro.  Skips (77) when ../shared/golden-zoo or the
 * tools are absent. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm_e2e_util.h"
#include "npy_cmp.h"
#include "neurio/interp.h"
#include "neurio/model.h"
#include "test_util.h"

/* The lstm's goldens and the device's predictions for the rig's data. */
static void run_lstm(const char *name, const char *data, neurio_npy *p, neurio_npy *g)
{
    cm_e2e_require_tools();
    char zoo[1024], model[1200], path[1200];
    neurio_errbuf e;
    snprintf(zoo, sizeof zoo, "%s/golden-zoo/trained_lstm", neurio_test_shared_dir());
    snprintf(model, sizeof model, "%s/model.tflite", zoo);
    snprintf(path, sizeof path, "%s/output.npy", zoo);
    CU_ASSERT_EQUAL_FATAL(neurio_npy_read(path, g, &e), NEURIO_OK);
    char keys[2400];
    snprintf(keys, sizeof keys, "inputs = \"%s/input.npy\"; %s", zoo, data);
    const char *rig = cm_e2e_rig(name, "board = \"mps2-an386\"; run_timeout_ms = 600000;",
                                 model, keys);
    CU_ASSERT_EQUAL_FATAL(cm_e2e_run_pred(name, rig, p), 0);
}

static void test_trained_lstm_m4(void)
{
    neurio_npy p, g;
    run_lstm("lstm-m4", "batch_size = 32;", &p, &g);
    double worst;
    int diff = neurio_test_npy_cmp(&p, &g, g.bytes, 1e-5, &worst);
    fprintf(stderr, "\n  trained_lstm on mps2-an386: max abs diff %g (1e-5 of the output "
            "range allowed)\n", worst);
    CU_ASSERT_EQUAL(diff, 0);
    neurio_npy_free(&p);
    neurio_npy_free(&g);
    CU_ASSERT_EQUAL(cm_e2e_count_qemu(neurio_test_tmpdir()), 0);
}

/* data.stateful = true on the M4: sample s runs on the state samples
 * 0..s-1 left, as the reference interpreter with its state kept. */
static void test_trained_lstm_m4_stateful(void)
{
    neurio_npy p, g, in;
    neurio_errbuf e;
    char path[1200];
    run_lstm("lstm-m4-stateful", "batch_size = 3; limit = 8; stateful = true;", &p, &g);
    const char *zoo = neurio_test_shared_dir();
    snprintf(path, sizeof path, "%s/golden-zoo/trained_lstm/input.npy", zoo);
    CU_ASSERT_EQUAL_FATAL(neurio_npy_read(path, &in, &e), NEURIO_OK);
    snprintf(path, sizeof path, "%s/golden-zoo/trained_lstm/model.tflite", zoo);
    neurio_model *m = NULL;
    neurio_interp *it = NULL;
    CU_ASSERT_EQUAL_FATAL(neurio_model_load(path, &m, &e), NEURIO_OK);
    CU_ASSERT_EQUAL_FATAL(neurio_interp_new(m, &it, &e), NEURIO_OK);
    neurio_interp_set_stateful(it, 1);
    size_t ib = neurio_tensor_bytes(&m->tensors[m->inputs[0]]);
    size_t ob = neurio_tensor_bytes(&m->tensors[m->outputs[0]]), per = ob / 4, n = 8;
    CU_ASSERT_EQUAL_FATAL(p.bytes, n * ob);
    float *ref = malloc(ob);
    double lo = INFINITY, hi = -INFINITY;
    for (size_t i = 0; i < g.bytes / 4; i++) {
        lo = fmin(lo, ((const float *)g.data)[i]);
        hi = fmax(hi, ((const float *)g.data)[i]);
    }
    double tol = 1e-5 * (hi > lo ? hi - lo : 1.0), worst = 0;
    size_t differ = 0;
    for (size_t s = 0; s < n; s++) {
        const void *ins[1] = { (const char *)in.data + s * ib };
        void *outs[1] = { ref };
        CU_ASSERT_EQUAL_FATAL(neurio_interp_run(it, ins, outs, &e), NEURIO_OK);
        double dg = 0;
        for (size_t k = 0; k < per; k++) {
            float got = ((const float *)p.data)[s * per + k];
            worst = fmax(worst, fabs((double)got - ref[k]));
            dg = fmax(dg, fabs((double)got - ((const float *)g.data)[s * per + k]));
        }
        differ += dg > tol;
    }
    fprintf(stderr, "\n  trained_lstm stateful on mps2-an386: max abs diff to the stateful "
            "interpreter %g; %zu of %zu samples differ from the reset goldens\n", worst,
            differ, n);
    CU_ASSERT(worst <= tol);
    CU_ASSERT(differ >= n / 2);
    free(ref);
    neurio_interp_free(it);
    neurio_model_free(m);
    neurio_npy_free(&p);
    neurio_npy_free(&g);
    neurio_npy_free(&in);
}

/* Two inputs through the link and the firmware: seanet_add2, first 12
 * samples, bit-exact with TFLite Micro. */
static void test_two_inputs_m4(void)
{
    cm_e2e_require_tools();
    char zoo[1024], model[1200], data[4096], path[1200];
    snprintf(zoo, sizeof zoo, "%s/golden-zoo/seanet_add2", neurio_test_shared_dir());
    snprintf(model, sizeof model, "%s/model.tflite", zoo);
    snprintf(data, sizeof data, "inputs = [ \"%s/input_0.npy\", \"%s/input_1.npy\" ]; "
             "batch_size = 5; limit = 12;", zoo, zoo);
    neurio_npy p, g;
    neurio_errbuf e;
    CU_ASSERT_EQUAL_FATAL(cm_e2e_run_pred("add2-m4", cm_e2e_rig("add2-m4", "board = "
                          "\"mps2-an386\";", model, data), &p), 0);
    snprintf(path, sizeof path, "%s/output.npy", zoo);
    CU_ASSERT_EQUAL_FATAL(neurio_npy_read(path, &g, &e), NEURIO_OK);
    size_t per = g.bytes / (size_t)g.dims[0];
    CU_ASSERT_EQUAL_FATAL(p.bytes, 12 * per);
    CU_ASSERT_EQUAL(memcmp(p.data, g.data, 12 * per), 0);
    fprintf(stderr, "\n  seanet_add2 (two int16 inputs) on mps2-an386: 12 samples %s\n",
            memcmp(p.data, g.data, 12 * per) ? "DIFFER" : "bit-exact");
    neurio_npy_free(&p);
    neurio_npy_free(&g);
}

int neurio_register_tests(void)
{
    if (!neurio_test_shared_dir())
        neurio_test_skip("../shared is absent: no golden-zoo");
    CU_pSuite s = CU_add_suite("cortexm_state", NULL, NULL);
    if (!s || !CU_add_test(s, "trained_lstm on Cortex-M4 vs TFLM", test_trained_lstm_m4) ||
        !CU_add_test(s, "trained_lstm stateful on Cortex-M4", test_trained_lstm_m4_stateful) ||
        !CU_add_test(s, "seanet_add2: two inputs on Cortex-M4", test_two_inputs_m4))
        return -1;
    return 0;
}

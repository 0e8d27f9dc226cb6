/* tests/fuzz/fuzz_tflite.c — libFuzzer target over the TFLite reader.
 *
 * Every input goes through neurio_tflite_parse(); whatever it accepts is
 * then validated, hashed, cloned, compacted and has its MACs counted, so
 * the IR code sees the odd-but-well-formed graphs the fuzzer finds too.
 * Built with clang -fsanitize=fuzzer,address,undefined (tests/fuzz/CMakeLists.txt);
 * any crash, leak, out-of-bounds read or UB is a finding. */
#include <stddef.h>
#include <stdint.h>

#include "neurio/model.h"
#include "neurio/tflite.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    neurio_model *m = NULL;
    neurio_errbuf err;
    if (neurio_tflite_parse(data, size, "fuzz", &m, &err) != NEURIO_OK)
        return 0;
    uint64_t macs = 0;
    for (int32_t i = 0; i < m->n_ops; i++)
        macs += neurio_op_macs(m, &m->ops[i]);
    (void)macs;
    (void)neurio_model_validate(m, &err);
    uint8_t h[32];
    (void)neurio_model_sha256(m, h);
    neurio_model *c = neurio_model_clone(m);
    if (c) {
        (void)neurio_model_compact(c, &err);
        neurio_model_free(c);
    }
    neurio_model_free(m);
    return 0;
}

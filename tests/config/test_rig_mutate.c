/* tests/config/test_rig_mutate.c — deterministic mutation fuzzing of rig
 * loading: a valid rig with characters replaced, deleted or duplicated must
 * either load or be refused with a one-line message that starts with the
 * rig's path or a --set argument.  Fixed seed, fixed iteration count. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rig.h"
#include "test_util.h"

static uint64_t rng_state = 0x243f6a8885a308d3ull;

static uint32_t rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (uint32_t)(rng_state >> 16);
}

static const char base_rig[] =
    "plugin_path = [ \"p\" ];\n"
    "device = { plugin = \"host\"; board = \"x\"; baud = 115200; };\n"
    "model = { path = \"m.tflite\"; quantize = \"int8\"; calibration = \"x.npy\"; };\n"
    "data = { inputs = \"x.npy\"; batch_size = 16; limit = 0; };\n"
    "task = { kind = \"classification\"; top_k = 5; };\n"
    "output = { dir = \"runs\"; predictions = \"pred.npy\"; };\n";

static void test_rig_mutations(void)
{
    static const char alphabet[] = "{}[]();=,\"#/*@ \n\tabcdeilmnoprstuxy0123456789.-_";
    const char *dir = neurio_test_tmpdir();
    char path[PATH_MAX], text[sizeof base_rig * 2];
    snprintf(path, sizeof path, "%s/m.tflite", dir);
    neurio_test_write_file(path, "TFL3", 4);
    snprintf(path, sizeof path, "%s/x.npy", dir);
    neurio_test_write_file(path, "x", 1);
    snprintf(path, sizeof path, "%s/p", dir);
    neurio_test_write_file(path, "", 0);
    snprintf(path, sizeof path, "%s/rig.cfg", dir);
    size_t loaded = 0, refused = 0;
    for (int it = 0; it < 1500; it++) {
        size_t n = sizeof base_rig - 1;
        memcpy(text, base_rig, n);
        int muts = 1 + (int)(rng() % 3);
        for (int m = 0; m < muts && n > 1; m++) {
            size_t pos = rng() % n;
            switch (rng() % 3) {
            case 0: text[pos] = alphabet[rng() % (sizeof alphabet - 1)]; break;
            case 1: memmove(text + pos, text + pos + 1, n - pos - 1); n--; break;
            default:
                if (n + 1 < sizeof text) {
                    memmove(text + pos + 1, text + pos, n - pos);
                    n++;
                }
                break;
            }
        }
        CU_ASSERT_EQUAL_FATAL(neurio_test_write_file(path, text, n), 0);
        nr_rig *rig = NULL;
        neurio_errbuf err = { .msg = "" };
        int rc = nr_rig_load(path, NULL, 0, &rig, &err);
        if (rc == NEURIO_OK) {
            loaded++;
            CU_ASSERT_PTR_NOT_NULL(rig);
            if (rig && (!rig->model_path || !rig->device_plugin || rig->data_batch_size < 1))
                CU_FAIL("loaded rig misses a required value");
            nr_rig_free(rig);
        } else {
            refused++;
            CU_ASSERT_PTR_NULL(rig);
            if (!err.msg[0] || strchr(err.msg, '\n') || strncmp(err.msg, path, strlen(path))) {
                CU_FAIL("refusal without a one-line message naming the rig");
                fprintf(stderr, "[%s]\n", err.msg);
            }
        }
    }
    printf("(%zu loaded, %zu refused) ", loaded, refused);
    CU_ASSERT(loaded > 0);
    CU_ASSERT(refused > 0);
}

int neurio_register_tests(void)
{
    CU_pSuite s = CU_add_suite("rig mutation fuzz", NULL, NULL);
    if (!s)
        return -1;
    CU_add_test(s, "1500 mutated rigs: load or one-line refusal", test_rig_mutations);
    return CU_get_error() == CUE_SUCCESS ? 0 : -1;
}

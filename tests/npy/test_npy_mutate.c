/* tests/npy/test_npy_mutate.c — deterministic mutation fuzzing of the .npy
 * reader: valid images with bytes flipped, header characters replaced,
 * lengths changed and tails cut.  Every result must be either a clean parse
 * whose size matches its shape, or a refusal with a one-line message; run
 * under -DNEURIO_SANITIZE=ON any out-of-bounds read fails the test.
 * NEURIO_FUZZ_SECONDS is not used: the iteration count is fixed so the test
 * is deterministic (xorshift PRNG with a fixed seed). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "neurio/npy.h"
#include "test_util.h"

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint32_t rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (uint32_t)(rng_state >> 16);
}

static size_t seed_image(unsigned char *buf, size_t cap, int which)
{
    static const char *const hdrs[] = {
        "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 2), }",
        "{'descr': '|i1', 'fortran_order': False, 'shape': (5,), }",
        "{'descr': '<i8', 'fortran_order': False, 'shape': (), }",
        "{'shape': (2, 1, 2), 'descr': '<i2', 'fortran_order': False}",
    };
    static const size_t data_bytes[] = { 24, 5, 8, 8 };
    const char *h = hdrs[which % 4];
    size_t hl = strlen(h), total = 10 + hl + 1 + data_bytes[which % 4];
    if (total > cap)
        return 0;
    memcpy(buf, "\x93NUMPY\x01\x00", 8);
    buf[8] = (unsigned char)(hl + 1);
    buf[9] = 0;
    memcpy(buf + 10, h, hl);
    buf[10 + hl] = '\n';
    for (size_t i = 0; i < data_bytes[which % 4]; i++)
        buf[11 + hl + i] = (unsigned char)rng();
    return total;
}

static void test_mutations(void)
{
    static const char alphabet[] = "{}()[],:' \"0123456789<>|=ifubcTrueFalsLdescrshapefortran_\n";
    unsigned char base[256], img[256];
    size_t parsed = 0, refused = 0;
    for (int it = 0; it < 200000; it++) {
        size_t n = seed_image(base, sizeof base, it);
        memcpy(img, base, n);
        int muts = 1 + (int)(rng() % 4);
        for (int m = 0; m < muts; m++) {
            size_t pos = rng() % n;
            switch (rng() % 5) {
            case 0: img[pos] ^= (unsigned char)(1u << (rng() % 8)); break;
            case 1: img[pos] = (unsigned char)alphabet[rng() % (sizeof alphabet - 1)]; break;
            case 2: img[8 + rng() % 2] = (unsigned char)rng(); break;  /* header length */
            case 3: n = pos; break;                                    /* truncate */
            default: img[6] = (unsigned char)(1 + rng() % 3); break;   /* version */
            }
            if (n == 0)
                break;
        }
        /* parse from an exact-size heap copy so ASan sees any overread */
        unsigned char *exact = malloc(n ? n : 1);
        CU_ASSERT_PTR_NOT_NULL_FATAL(exact);
        memcpy(exact, img, n);
        neurio_npy a;
        neurio_errbuf err = { .msg = "" };
        int rc = neurio_npy_parse(exact, n, "mutant.npy", &a, &err);
        if (rc == NEURIO_OK) {
            parsed++;
            if (a.bytes != neurio_npy_elements(&a) * neurio_dtype_size(a.dtype))
                CU_FAIL("parsed size does not match the shape");
            neurio_npy_free(&a);
        } else {
            refused++;
            if (!err.msg[0] || strchr(err.msg, '\n') || strncmp(err.msg, "mutant.npy: ", 12))
                { CU_FAIL("refusal without a one-line message naming the file"); if (getenv("NPY_DEBUG")) fprintf(stderr, "[%s]\n", err.msg); }
            if (a.data)
                CU_FAIL("refused parse left data behind");
        }
        free(exact);
    }
    printf("(%zu parsed, %zu refused) ", parsed, refused);
    CU_ASSERT(parsed > 0);
    CU_ASSERT(refused > 0);
}

int neurio_register_tests(void)
{
    CU_pSuite s = CU_add_suite("npy mutation fuzz", NULL, NULL);
    if (!s)
        return -1;
    CU_add_test(s, "200k mutated images: parse or one-line refusal", test_mutations);
    return CU_get_error() == CUE_SUCCESS ? 0 : -1;
}

/* tests/kernels/shape/test_nk_copy.c — RESHAPE copy helper (overlap allowed). */
#include <string.h>

#include "nk.h"
#include "test_util.h"

static void test_copy(void)
{
    char buf[16] = "abcdefghijklmno";
    char dst[16] = {0};
    CU_ASSERT_EQUAL(nk_copy(buf, dst, 16), NK_OK);
    CU_ASSERT_EQUAL(memcmp(buf, dst, 16), 0);
    CU_ASSERT_EQUAL(nk_copy(buf, buf + 2, 5), NK_OK); /* overlapping */
    CU_ASSERT_EQUAL(memcmp(buf, "ababcdehijklmno", 15), 0);
    CU_ASSERT_EQUAL(nk_copy(NULL, dst, 0), NK_OK);
    CU_ASSERT_EQUAL(nk_copy(NULL, dst, 3), NK_ERR_PARAMS);
}

int neurio_register_tests(void)
{
    CU_pSuite s = CU_add_suite("nk_copy", NULL, NULL);
    if (!s)
        return -1;
    CU_add_test(s, "copy, overlap, NULL", test_copy);
    return 0;
}

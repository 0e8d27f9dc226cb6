/* tests/npy/test_npy.c — .npy round trips, headers numpy writes, and every
 * malformed-file refusal with its exact message. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "neurio/npy.h"
#include "test_util.h"

static char path[PATH_MAX];

static const char *tmp(const char *name)
{
    snprintf(path, sizeof path, "%s/%s", neurio_test_tmpdir(), name);
    return path;
}

static void roundtrip(neurio_dtype dt, int32_t rank, const int64_t *dims)
{
    size_t n = 1, es = neurio_dtype_size(dt);
    for (int32_t i = 0; i < rank; i++)
        n *= (size_t)dims[i];
    unsigned char *data = malloc(n * es + 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(data);
    for (size_t i = 0; i < n * es; i++)
        data[i] = (unsigned char)(i * 37 + 11);
    if (dt == NEURIO_DT_BOOL)
        for (size_t i = 0; i < n; i++)
            data[i] &= 1;
    neurio_errbuf err;
    const char *p = tmp("rt.npy");
    CU_ASSERT_EQUAL_FATAL(neurio_npy_write(p, dt, rank, dims, data, &err), NEURIO_OK);
    /* the header is 64-byte aligned as numpy does it */
    size_t len = 0;
    char *raw = neurio_test_read_file(p, &len);
    CU_ASSERT_PTR_NOT_NULL_FATAL(raw);
    CU_ASSERT_EQUAL((len - n * es) % 64, 0);
    CU_ASSERT_EQUAL(raw[6], 1);
    free(raw);
    neurio_npy a;
    CU_ASSERT_EQUAL_FATAL(neurio_npy_read(p, &a, &err), NEURIO_OK);
    CU_ASSERT_EQUAL(a.dtype, dt);
    CU_ASSERT_EQUAL(a.rank, rank);
    for (int32_t i = 0; i < rank; i++)
        CU_ASSERT_EQUAL(a.dims[i], dims[i]);
    CU_ASSERT_EQUAL(a.bytes, n * es);
    CU_ASSERT_EQUAL(neurio_npy_elements(&a), n);
    CU_ASSERT_EQUAL(memcmp(a.data, data, n * es), 0);
    neurio_npy_free(&a);
    CU_ASSERT_PTR_NULL(a.data);
    free(data);
}

static void test_roundtrip_dtypes(void)
{
    static const neurio_dtype dts[] = { NEURIO_DT_INT8,    NEURIO_DT_UINT8,   NEURIO_DT_INT16,
                                        NEURIO_DT_INT32,   NEURIO_DT_INT64,   NEURIO_DT_FLOAT32,
                                        NEURIO_DT_FLOAT64, NEURIO_DT_BOOL };
    const int64_t d1[] = { 7 }, d3[] = { 3, 1, 5 }, d5[] = { 2, 1, 49, 10, 1 }, d0[] = { 4, 0 };
    for (size_t i = 0; i < sizeof dts / sizeof dts[0]; i++) {
        roundtrip(dts[i], 0, NULL);
        roundtrip(dts[i], 1, d1);
        roundtrip(dts[i], 3, d3);
        roundtrip(dts[i], 5, d5);
        roundtrip(dts[i], 2, d0);
    }
}

/* Build a .npy image by hand: version, header text, data bytes. */
static size_t make_npy(unsigned char *buf, int major, const char *hdr, size_t data_bytes)
{
    size_t hl = strlen(hdr), off;
    memcpy(buf, "\x93NUMPY", 6);
    buf[6] = (unsigned char)major;
    buf[7] = 0;
    if (major == 1) {
        buf[8] = (unsigned char)(hl & 0xff);
        buf[9] = (unsigned char)(hl >> 8);
        off = 10;
    } else {
        buf[8] = (unsigned char)(hl & 0xff);
        buf[9] = (unsigned char)(hl >> 8);
        buf[10] = buf[11] = 0;
        off = 12;
    }
    memcpy(buf + off, hdr, hl);
    for (size_t i = 0; i < data_bytes; i++)
        buf[off + hl + i] = (unsigned char)i;
    return off + hl + data_bytes;
}

static void test_v2_header(void)
{
    unsigned char buf[512];
    size_t n = make_npy(buf, 2, "{'descr': '<i2', 'fortran_order': False, 'shape': (2, 3), }\n",
                        12);
    neurio_npy a;
    neurio_errbuf err;
    CU_ASSERT_EQUAL_FATAL(neurio_npy_parse(buf, n, "v2.npy", &a, &err), NEURIO_OK);
    CU_ASSERT_EQUAL(a.dtype, NEURIO_DT_INT16);
    CU_ASSERT_EQUAL(a.rank, 2);
    CU_ASSERT_EQUAL(a.dims[1], 3);
    CU_ASSERT_EQUAL(((unsigned char *)a.data)[11], 11);
    neurio_npy_free(&a);
    /* key order and spacing do not matter; 1-tuple shapes and rank 0 */
    n = make_npy(buf, 1, "{\"shape\":(4,),\"fortran_order\":False,\"descr\":\"|u1\"}", 4);
    CU_ASSERT_EQUAL_FATAL(neurio_npy_parse(buf, n, "k.npy", &a, &err), NEURIO_OK);
    CU_ASSERT_EQUAL(a.rank, 1);
    CU_ASSERT_EQUAL(a.dims[0], 4);
    neurio_npy_free(&a);
    n = make_npy(buf, 3, "{'descr': '<f8', 'fortran_order': False, 'shape': (), }\n", 8);
    CU_ASSERT_EQUAL_FATAL(neurio_npy_parse(buf, n, "s.npy", &a, &err), NEURIO_OK);
    CU_ASSERT_EQUAL(a.rank, 0);
    CU_ASSERT_EQUAL(a.bytes, 8);
    neurio_npy_free(&a);
}

static void assert_parse_error(const unsigned char *buf, size_t n, int status, const char *msg)
{
    neurio_npy a;
    neurio_errbuf err;
    CU_ASSERT_EQUAL(neurio_npy_parse(buf, n, "bad.npy", &a, &err), status);
    CU_ASSERT_PTR_NULL(a.data);
    if (strcmp(err.msg, msg))
        fprintf(stderr, "\n got: %s\nwant: %s\n", err.msg, msg);
    CU_ASSERT_STRING_EQUAL(err.msg, msg);
}

static void test_errors(void)
{
    unsigned char buf[512];
    size_t n;
    assert_parse_error((const unsigned char *)"PK\x03\x04 not npy", 15, NEURIO_ERR_FORMAT,
                       "bad.npy: not a .npy file (magic \\x93NUMPY missing at byte 0); save "
                       "the array with numpy.save()");
    n = make_npy(buf, 1, "{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }\n", 16);
    assert_parse_error(buf, n, NEURIO_ERR_FORMAT,
                       "bad.npy: array is in Fortran order (fortran_order: True); neurio reads "
                       "C order only: save numpy.ascontiguousarray(a)");
    n = make_npy(buf, 1, "{'descr': '<c8', 'fortran_order': False, 'shape': (2,), }\n", 16);
    assert_parse_error(buf, n, NEURIO_ERR_UNSUPPORTED,
                       "bad.npy: unsupported dtype '<c8'; neurio reads little-endian int8, "
                       "uint8, int16, int32, int64, float32, float64 and bool: convert with "
                       "a.astype(numpy.float32)");
    n = make_npy(buf, 1, "{'descr': '>f4', 'fortran_order': False, 'shape': (2,), }\n", 8);
    assert_parse_error(buf, n, NEURIO_ERR_UNSUPPORTED,
                       "bad.npy: unsupported dtype '>f4'; neurio reads little-endian int8, "
                       "uint8, int16, int32, int64, float32, float64 and bool: convert with "
                       "a.astype(numpy.float32)");
    n = make_npy(buf, 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }\n", 20);
    assert_parse_error(buf, n, NEURIO_ERR_FORMAT,
                       "bad.npy: truncated data: shape needs 24 bytes from byte 70, file has "
                       "20; the file was cut short, re-create it");
    n = make_npy(buf, 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }\n", 8);
    assert_parse_error(buf, n, NEURIO_ERR_FORMAT,
                       "bad.npy: 4 trailing bytes after the data (byte 72); the header's shape "
                       "does not match the file size");
    n = make_npy(buf, 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }\n", 0);
    assert_parse_error(buf, 30, NEURIO_ERR_FORMAT,
                       "bad.npy: truncated .npy header: 60 header bytes declared at byte 8, "
                       "only 20 present");
    n = make_npy(buf, 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, x), }\n", 0);
    assert_parse_error(buf, n, NEURIO_ERR_FORMAT,
                       "bad.npy: bad .npy header at byte 64: expected a non-negative integer "
                       "in shape (header: {'descr': '<f4', 'fortran_order': False, 'shape': "
                       "(2, x), }); re-save the array with numpy.save()");
    n = make_npy(buf, 1, "{'descr': '<f4', 'shape': (2,), }\n", 8);
    assert_parse_error(buf, n, NEURIO_ERR_FORMAT,
                       "bad.npy: bad .npy header at byte 43: missing 'fortran_order' (header: "
                       "{'descr': '<f4', 'shape': (2,), }); re-save the array with "
                       "numpy.save()");
    n = make_npy(buf, 4, "{}", 0);
    assert_parse_error(buf, n, NEURIO_ERR_UNSUPPORTED,
                       "bad.npy: .npy format version 4.0 at byte 6 is not supported (1.0, 2.0, "
                       "3.0 are); re-save with numpy.save()");
    n = make_npy(buf, 1,
                 "{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (2,), }\n", 8);
    assert_parse_error(buf, n, NEURIO_ERR_UNSUPPORTED,
                       "bad.npy: structured dtype at byte 20 is not supported; save a plain "
                       "numeric array");
    /* every prefix of a valid file is refused cleanly, never read past */
    n = make_npy(buf, 1, "{'descr': '<i4', 'fortran_order': False, 'shape': (3,), }\n", 12);
    for (size_t cut = 0; cut < n; cut++) {
        unsigned char *exact = malloc(cut ? cut : 1);
        memcpy(exact, buf, cut);
        neurio_npy a;
        CU_ASSERT_NOT_EQUAL(neurio_npy_parse(exact, cut, "cut.npy", &a, NULL), NEURIO_OK);
        free(exact);
    }
}

static void test_read_missing(void)
{
    neurio_npy a;
    neurio_errbuf err;
    CU_ASSERT_EQUAL(neurio_npy_read("/nonexistent/x.npy", &a, &err), NEURIO_ERR_IO);
    CU_ASSERT_STRING_EQUAL(err.msg, "/nonexistent/x.npy: cannot open: No such file or directory");
}

static void test_write_atomic_failure(void)
{
    neurio_errbuf err;
    const int64_t d[] = { 2 };
    const float v[] = { 1, 2 };
    CU_ASSERT_EQUAL(neurio_npy_write("/nonexistent/dir/x.npy", NEURIO_DT_FLOAT32, 1, d, v, &err),
                    NEURIO_ERR_IO);
    char want[256];
    snprintf(want, sizeof want,
             "/nonexistent/dir/x.npy.tmp.%ld: cannot create: No such file or directory",
             (long)getpid());
    CU_ASSERT_STRING_EQUAL(err.msg, want);
    /* an existing file is replaced whole, no temp file is left */
    const char *p = tmp("atomic.npy");
    CU_ASSERT_EQUAL_FATAL(neurio_npy_write(p, NEURIO_DT_FLOAT32, 1, d, v, &err), NEURIO_OK);
    CU_ASSERT_EQUAL_FATAL(neurio_npy_write(p, NEURIO_DT_FLOAT32, 1, d, v, &err), NEURIO_OK);
    char t[PATH_MAX + 32];
    snprintf(t, sizeof t, "%s.tmp.%ld", p, (long)getpid());
    struct stat st;
    CU_ASSERT_NOT_EQUAL(stat(t, &st), 0);
    CU_ASSERT_EQUAL(neurio_npy_write(p, NEURIO_DT_UNKNOWN, 1, d, v, &err),
                    NEURIO_ERR_UNSUPPORTED);
}

/* Files written by NumPy itself (Debian's python3-numpy) read back right,
 * and NumPy reads ours. */
static void test_numpy_interop(void)
{
    if (access("/usr/bin/python3", X_OK) != 0 ||
        neurio_test_run("/usr/bin/python3 -c 'import numpy'", NULL) != 0) {
        fprintf(stderr, "(numpy not available: interop part not run) ");
        return;
    }
    char cmd[PATH_MAX * 2 + 512];
    const char *d = neurio_test_tmpdir();
    snprintf(cmd, sizeof cmd,
             "cd %s && /usr/bin/python3 -c \"import numpy as np; "
             "np.save('np_f4.npy', np.arange(24, dtype=np.float32).reshape(2,3,4)); "
             "np.save('np_i1.npy', np.array([-128, 0, 127], dtype=np.int8)); "
             "np.save('np_f.npy', np.asfortranarray(np.ones((2,3))))\"",
             d);
    CU_ASSERT_EQUAL_FATAL(neurio_test_run(cmd, NULL), 0);
    neurio_npy a;
    neurio_errbuf err;
    CU_ASSERT_EQUAL_FATAL(neurio_npy_read(neurio_test_path(d, "np_f4.npy"), &a, &err), NEURIO_OK);
    CU_ASSERT_EQUAL(a.dtype, NEURIO_DT_FLOAT32);
    CU_ASSERT_EQUAL(a.rank, 3);
    CU_ASSERT_EQUAL(((float *)a.data)[23], 23.0f);
    neurio_npy_free(&a);
    CU_ASSERT_EQUAL_FATAL(neurio_npy_read(neurio_test_path(d, "np_i1.npy"), &a, &err), NEURIO_OK);
    CU_ASSERT_EQUAL(((int8_t *)a.data)[0], -128);
    neurio_npy_free(&a);
    CU_ASSERT_EQUAL(neurio_npy_read(neurio_test_path(d, "np_f.npy"), &a, &err), NEURIO_ERR_FORMAT);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "Fortran order"));
    const int64_t dims[] = { 2, 1, 3 };
    const int16_t v[] = { -1, 2, -3, 4, -5, 6 };
    CU_ASSERT_EQUAL_FATAL(neurio_npy_write(neurio_test_path(d, "ours.npy"), NEURIO_DT_INT16, 3,
                                           dims, v, &err),
                          NEURIO_OK);
    snprintf(cmd, sizeof cmd,
             "cd %s && /usr/bin/python3 -c \"import numpy as np; a = np.load('ours.npy'); "
             "assert a.shape == (2, 1, 3) and a.dtype == np.int16 and a[1, 0, 2] == 6 "
             "and a[0, 0, 0] == -1\"",
             d);
    CU_ASSERT_EQUAL(neurio_test_run(cmd, NULL), 0);
}

int neurio_register_tests(void)
{
    CU_pSuite s = CU_add_suite("npy", NULL, NULL);
    if (!s)
        return -1;
    CU_add_test(s, "round trip every dtype and rank", test_roundtrip_dtypes);
    CU_add_test(s, "version 2.0/3.0 headers, key order, rank 0", test_v2_header);
    CU_add_test(s, "malformed files refused with exact messages", test_errors);
    CU_add_test(s, "missing file", test_read_missing);
    CU_add_test(s, "atomic write", test_write_atomic_failure);
    CU_add_test(s, "numpy interop", test_numpy_interop);
    return CU_get_error() == CUE_SUCCESS ? 0 : -1;
}

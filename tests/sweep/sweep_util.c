/* tests/sweep/sweep_util.c — see sweep_util.h. */
#include "sweep_util.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "test_util.h"

char sw_dir[4096], sw_shared[4096];

void sw_setup(void)
{
    const char *sh = neurio_test_shared_dir();
    if (!sh)
        neurio_test_skip("../shared is absent: no models to run");
    snprintf(sw_shared, sizeof sw_shared, "%s", sh);
    char probe[4200];
    snprintf(probe, sizeof probe, "%s/models/kws_ref_model.tflite", sw_shared);
    if (access(probe, R_OK) != 0)
        neurio_test_skip("%s is missing", probe);
    if (access(SW_NEURIO, X_OK) != 0 || access(SW_GOOD, R_OK) != 0)
        neurio_test_skip("build the neurio launcher and the test plugins first");
    snprintf(sw_dir, sizeof sw_dir, "%s", neurio_test_tmpdir());
}

const char *sw_rig(const char *name, const char *device_extra, int limit, const char *output)
{
    static char path[4200];
    char text[16384];
    snprintf(path, sizeof path, "%s/%s", sw_dir, name);
    snprintf(text, sizeof text,
             "plugin_path = [ \"%s\" ];\n"
             "device = { plugin = \"test_echo\"; %s };\n"
             "model = { path = \"%s/models/kws_ref_model.tflite\"; };\n"
             "data = { inputs = \"%s/golden/kws_ref_model/input.npy\"; batch_size = 4; "
             "limit = %d; labels = \"%s/golden/kws_ref_model/output.npy\"; };\n"
             "task = { kind = \"classification\"; };\n"
             "output = { dir = \"runs\"; %s };\n",
             SW_GOOD, device_extra ? device_extra : "", sw_shared, sw_shared, limit, sw_shared,
             output ? output : "");
    CU_ASSERT_EQUAL_FATAL(neurio_test_write_file(path, text, strlen(text)), 0);
    return path;
}

int sw_run(const char *args, char **out)
{
    char cmd[32768];
    snprintf(cmd, sizeof cmd, "cd '%s' && NO_COLOR=1 '%s' %s", sw_dir, SW_NEURIO, args);
    return neurio_test_run(cmd, out);
}

void sw_expect(const char *out, const char *needle)
{
    if (!out || !strstr(out, needle))
        fprintf(stderr, "\nexpected: %s\nin output:\n%s\n", needle, out ? out : "(null)");
    CU_ASSERT_PTR_NOT_NULL(out ? strstr(out, needle) : NULL);
}

int sw_run_id(const char *out, char id[64])
{
    const char *p = out ? strstr(out, "stored as run ") : NULL;
    if (!p)
        return -1;
    p += 14;
    size_t n = strcspn(p, " \n");
    if (n == 0 || n >= 64)
        return -1;
    memcpy(id, p, n);
    id[n] = '\0';
    return 0;
}

int sw_sql_int(const char *db, const char *sql, long long *v)
{
    sqlite3 *h = NULL;
    sqlite3_stmt *st = NULL;
    int rc = -1;
    if (sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
        sqlite3_prepare_v2(h, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW) {
        *v = sqlite3_column_int64(st, 0);
        rc = 0;
    }
    sqlite3_finalize(st);
    sqlite3_close(h);
    return rc;
}

/* tests/tflite/test_tflite_conformance.c — every model in ../shared/models
 * imports and validates, and its MACs and parameter count match the
 * independent figures in ../shared/models/README.md (read at test time);
 * `neurio inspect --json` reports the same totals.  The hybrid model must
 * import and then be refused clearly. */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "neurio/model.h"
#include "neurio/tflite.h"
#include "test_util.h"

typedef struct row {
    char name[128];
    unsigned long long macs, params;
    char input_dtype[16], output_dtype[16];
} row;

static row rows[32];
static int n_rows;
static char models_dir[4096];

/* "12,501,632" -> 12501632 */
static unsigned long long parse_count(const char *s)
{
    unsigned long long v = 0;
    for (; *s && *s != '|'; s++)
        if (*s >= '0' && *s <= '9')
            v = v * 10 + (unsigned long long)(*s - '0');
    return v;
}

/* Cells of one markdown table row, split on '|'. */
static int split_cells(char *line, char **cells, int max)
{
    int n = 0;
    char *p = line;
    if (*p == '|')
        p++;
    while (*p && n < max) {
        char *bar = strchr(p, '|');
        if (!bar)
            break;
        *bar = '\0';
        while (*p == ' ')
            p++;
        cells[n++] = p;
        p = bar + 1;
    }
    return n;
}

static void load_readme(void)
{
    const char *shared = neurio_test_shared_dir();
    if (!shared)
        neurio_test_skip("../shared is absent: the conformance models cannot be read");
    snprintf(models_dir, sizeof models_dir, "%s/models", shared);
    char path[4200];
    snprintf(path, sizeof path, "%s/README.md", models_dir);
    char *txt = neurio_test_read_file(path, NULL);
    if (!txt)
        neurio_test_skip("%s is absent: no reference figures", path);
    for (char *line = strtok(txt, "\n"); line; line = strtok(NULL, "\n")) {
        if (strncmp(line, "| `", 3) != 0 || n_rows >= 32)
            continue;
        char *cells[12];
        int n = split_cells(line, cells, 12);
        if (n < 7)
            continue;
        row *r = &rows[n_rows];
        const char *nm = cells[0] + 1; /* skip the backquote */
        size_t l = strcspn(nm, "`");
        if (l >= sizeof r->name)
            continue;
        memcpy(r->name, nm, l);
        r->name[l] = '\0';
        sscanf(cells[2], "%15s", r->input_dtype);
        sscanf(cells[3], "%15s", r->output_dtype);
        r->macs = parse_count(cells[5]);
        r->params = parse_count(cells[6]);
        n_rows++;
    }
    free(txt);
}

static int is_hybrid(const row *r) { return strstr(r->name, "hybrid") != NULL; }

static void test_readme_parsed(void)
{
    CU_ASSERT(n_rows >= 9);
    for (int i = 0; i < n_rows; i++) {
        CU_ASSERT(rows[i].macs > 0);
        CU_ASSERT(rows[i].params > 0);
    }
}

static void test_import_validate_macs_params(void)
{
    for (int i = 0; i < n_rows; i++) {
        const row *r = &rows[i];
        char path[16384];
        snprintf(path, sizeof path, "%s/%s", models_dir, r->name);
        neurio_model *m = NULL;
        neurio_errbuf e;
        int rc = neurio_tflite_load(path, &m, &e);
        if (rc)
            fprintf(stderr, "%s: %s\n", r->name, e.msg);
        CU_ASSERT_EQUAL(rc, NEURIO_OK);
        if (rc)
            continue;
        unsigned long long macs = 0, params = 0;
        for (int32_t k = 0; k < m->n_ops; k++)
            macs += neurio_op_macs(m, &m->ops[k]);
        for (int32_t k = 0; k < m->n_tensors; k++)
            if (m->tensors[k].data)
                params += neurio_tensor_elements(&m->tensors[k]);
        if (macs != r->macs || params != r->params)
            fprintf(stderr, "%s: MACs %llu (README %llu), params %llu (README %llu)\n",
                    r->name, macs, r->macs, params, r->params);
        CU_ASSERT_EQUAL(macs, r->macs);
        CU_ASSERT_EQUAL(params, r->params);
        CU_ASSERT_STRING_EQUAL(neurio_dtype_name(m->tensors[m->inputs[0]].dtype),
                               r->input_dtype);
        CU_ASSERT_STRING_EQUAL(neurio_dtype_name(m->tensors[m->outputs[0]].dtype),
                               r->output_dtype);
        rc = neurio_model_validate(m, &e);
        if (is_hybrid(r)) {
            CU_ASSERT_EQUAL(rc, NEURIO_ERR_UNSUPPORTED);
            CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "hybrid"));
        } else {
            if (rc)
                fprintf(stderr, "%s: %s\n", r->name, e.msg);
            CU_ASSERT_EQUAL(rc, NEURIO_OK);
        }
        /* The public loader = import + validate. */
        neurio_model *m2 = NULL;
        rc = neurio_model_load(path, &m2, &e);
        CU_ASSERT_EQUAL(rc, is_hybrid(r) ? NEURIO_ERR_UNSUPPORTED : NEURIO_OK);
        if (m2) {
            uint8_t a[32], b[32];
            CU_ASSERT_EQUAL(neurio_model_sha256(m, a), NEURIO_OK);
            CU_ASSERT_EQUAL(neurio_model_sha256(m2, b), NEURIO_OK);
            CU_ASSERT_EQUAL(memcmp(a, b, 32), 0);
            neurio_model_free(m2);
        }
        neurio_model_free(m);
    }
}

static void test_inspect_json(void)
{
    const char *exe = neurio_test_path(NEURIO_BINARY_DIR, "core/neurio");
    FILE *f = fopen(exe, "rb");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f); /* built first: add_dependencies in CMake */
    fclose(f);
    for (int i = 0; i < n_rows; i++) {
        const row *r = &rows[i];
        char cmd[20000];
        snprintf(cmd, sizeof cmd, "'%s' inspect --json '%s/%s' 2>/dev/null", exe, models_dir,
                 r->name);
        char *out = NULL;
        int st = neurio_test_run(cmd, &out);
        CU_ASSERT_EQUAL(st, is_hybrid(r) ? 5 : 0);
        cJSON *j = out ? cJSON_Parse(out) : NULL;
        CU_ASSERT_PTR_NOT_NULL(j);
        if (j) {
            cJSON *t = cJSON_GetObjectItem(j, "totals");
            CU_ASSERT_EQUAL((unsigned long long)cJSON_GetNumberValue(
                                cJSON_GetObjectItem(t, "macs")), r->macs);
            CU_ASSERT_EQUAL((unsigned long long)cJSON_GetNumberValue(
                                cJSON_GetObjectItem(t, "params")), r->params);
            CU_ASSERT_EQUAL(cJSON_IsTrue(cJSON_GetObjectItem(j, "supported")), !is_hybrid(r));
            cJSON *ins = cJSON_GetObjectItem(j, "inputs");
            CU_ASSERT_EQUAL(cJSON_GetArraySize(ins), 1);
            cJSON_Delete(j);
        }
        free(out);
    }
    /* The text form flags the hybrid layers. */
    char cmd[20000];
    snprintf(cmd, sizeof cmd, "'%s' inspect '%s/kws_ref_model_hybrid.tflite'", exe, models_dir);
    char *out = NULL;
    int st = neurio_test_run(cmd, &out);
    CU_ASSERT_EQUAL(st, 5);
    CU_ASSERT_PTR_NOT_NULL(out && strstr(out, "UNSUPPORTED: hybrid"));
    CU_ASSERT_PTR_NOT_NULL(out && strstr(out, "2656768 MACs"));
    free(out);
}

int neurio_register_tests(void)
{
    load_readme();
    CU_pSuite s = CU_add_suite("tflite conformance", NULL, NULL);
    if (!s)
        return -1;
    CU_add_test(s, "README table parsed", test_readme_parsed);
    CU_add_test(s, "import, validate, MACs, params", test_import_validate_macs_params);
    CU_add_test(s, "neurio inspect --json totals", test_inspect_json);
    return 0;
}

/* tests/zoo/zoo_case.c — see zoo_case.h. */
#include "zoo_case.h"

#include "neurio/codegen.h"

#include <cjson/cJSON.h>
#include <dirent.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "test_util.h"

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int zoo_list(const char *zoo_dir, char ***names, int *n)
{
    DIR *d = opendir(zoo_dir);
    *names = NULL;
    *n = 0;
    if (!d)
        return -1;
    int cap = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        char p[2048];
        struct stat st;
        if (e->d_name[0] == '.')
            continue;
        snprintf(p, sizeof p, "%s/%s/model.tflite", zoo_dir, e->d_name);
        if (stat(p, &st) || !S_ISREG(st.st_mode))
            continue;
        if (*n == cap) {
            cap = cap ? 2 * cap : 64;
            char **nn = realloc(*names, (size_t)cap * sizeof *nn);
            if (!nn)
                break;
            *names = nn;
        }
        (*names)[(*n)++] = strdup(e->d_name);
    }
    closedir(d);
    if (*n)
        qsort(*names, (size_t)*n, sizeof **names, cmp_str);
    return 0;
}

static int zoo_meta(zoo_case *c, char *why, size_t wl)
{
    char p[1200];
    snprintf(p, sizeof p, "%s/meta.json", c->dir);
    char *txt = neurio_test_read_file(p, NULL);
    cJSON *root = txt ? cJSON_Parse(txt) : NULL;
    free(txt);
    if (!root) {
        snprintf(why, wl, "cannot read or parse %s", p);
        return -1;
    }
    const cJSON *model = cJSON_GetObjectItemCaseSensitive(root, "model");
    const cJSON *ods = cJSON_GetObjectItemCaseSensitive(model, "op_dtypes");
    const cJSON *it;
    cJSON_ArrayForEach(it, ods)
    {
        if (cJSON_IsString(it) && c->n_op_dtypes < ZOO_MAX_OPS)
            snprintf(c->op_dtypes[c->n_op_dtypes++], sizeof c->op_dtypes[0], "%s",
                     it->valuestring);
    }
    c->n_inputs = cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(root, "inputs"));
    c->n_outputs = cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(root, "outputs"));
    cJSON_Delete(root);
    if (c->n_inputs < 1 || c->n_outputs < 1 || c->n_inputs > ZOO_MAX_IO ||
        c->n_outputs > ZOO_MAX_IO) {
        snprintf(why, wl, "%s lists %d inputs and %d outputs", p, c->n_inputs, c->n_outputs);
        return -1;
    }
    return 0;
}

/* dir/<base>.npy for a single array, dir/<base>_<k>.npy for several. */
static void zoo_array_path(const zoo_case *c, const char *base, int n, int k, char *out,
                           size_t size)
{
    if (n == 1)
        snprintf(out, size, "%s/%s.npy", c->dir, base);
    else
        snprintf(out, size, "%s/%s_%d.npy", c->dir, base, k);
}

int zoo_load(const char *zoo_dir, const char *name, zoo_case *c, char *why, size_t wl)
{
    memset(c, 0, sizeof *c);
    snprintf(c->name, sizeof c->name, "%s", name);
    snprintf(c->dir, sizeof c->dir, "%s/%s", zoo_dir, name);
    snprintf(c->model, sizeof c->model, "%s/model.tflite", c->dir);
    if (zoo_meta(c, why, wl))
        return -1;
    neurio_errbuf e = {{0}};
    for (int k = 0; k < c->n_inputs + c->n_outputs; k++) {
        int is_in = k < c->n_inputs, j = is_in ? k : k - c->n_inputs;
        char *p = is_in ? c->in_path[j] : c->out_path[j];
        neurio_npy *a = is_in ? &c->in[j] : &c->out[j];
        zoo_array_path(c, is_in ? "input" : "output", is_in ? c->n_inputs : c->n_outputs, j, p,
                       sizeof c->in_path[0]);
        if (neurio_npy_read(p, a, &e)) {
            snprintf(why, wl, "%s", e.msg);
            return -1;
        }
        size_t n = a->rank > 0 ? (size_t)a->dims[0] : 1;
        if (k == 0)
            c->n_samples = n;
        if (n != c->n_samples) {
            snprintf(why, wl, "%s has %zu samples, %s %zu", p, n, c->in_path[0], c->n_samples);
            return -1;
        }
    }
    return 0;
}

void zoo_free(zoo_case *c)
{
    for (int k = 0; k < ZOO_MAX_IO; k++) {
        neurio_npy_free(&c->in[k]);
        neurio_npy_free(&c->out[k]);
    }
}

size_t zoo_sample_bytes(const neurio_npy *a)
{
    size_t n = a->rank > 0 && a->dims[0] > 0 ? (size_t)a->dims[0] : 1;
    return a->bytes / n;
}

int zoo_compare(const neurio_tensor *t, const void *got, const neurio_npy *want, size_t s,
                char *why, size_t wl)
{
    size_t sb = zoo_sample_bytes(want), es = neurio_dtype_size(t->dtype);
    if (want->dtype != t->dtype || sb != neurio_tensor_bytes(t)) {
        snprintf(why, wl, "expected %s, %zu bytes per sample; the model gives %s, %zu bytes",
                 neurio_dtype_name(want->dtype), sb, neurio_dtype_name(t->dtype),
                 neurio_tensor_bytes(t));
        return 0;
    }
    const unsigned char *w = (const unsigned char *)want->data + s * sb;
    if (t->dtype == NEURIO_DT_FLOAT32) {
        for (size_t i = 0; i < sb / 4; i++) {
            float g, x;
            memcpy(&g, (const unsigned char *)got + 4 * i, 4);
            memcpy(&x, w + 4 * i, 4);
            if (!(fabs((double)g - (double)x) <= 1e-5 * fabs((double)x) + 1e-7)) {
                snprintf(why, wl, "sample %zu element %zu: got %.9g, expected %.9g", s, i,
                         (double)g, (double)x);
                return 0;
            }
        }
        return 1;
    }
    for (size_t i = 0; i < sb; i += es)
        if (memcmp((const unsigned char *)got + i, w + i, es)) {
            long long gv = 0, xv = 0;
            if (es == 1) {
                gv = t->dtype == NEURIO_DT_UINT8 ? *((const uint8_t *)got + i)
                                                 : *((const int8_t *)got + i);
                xv = t->dtype == NEURIO_DT_UINT8 ? *(const uint8_t *)(w + i)
                                                 : *(const int8_t *)(w + i);
            } else if (es == 2) {
                int16_t a, b;
                memcpy(&a, (const unsigned char *)got + i, 2);
                memcpy(&b, w + i, 2);
                gv = a;
                xv = b;
            } else if (es == 4) {
                int32_t a, b;
                memcpy(&a, (const unsigned char *)got + i, 4);
                memcpy(&b, w + i, 4);
                gv = a;
                xv = b;
            }
            snprintf(why, wl, "sample %zu element %zu: got %lld, expected %lld", s, i / es, gv,
                     xv);
            return 0;
        }
    return 1;
}

int zoo_check_inputs(const zoo_case *c, const neurio_model *m, char *why, size_t wl)
{
    if (m->n_inputs != c->n_inputs || m->n_outputs != c->n_outputs) {
        snprintf(why, wl, "model has %d inputs and %d outputs, the case %d and %d",
                 m->n_inputs, m->n_outputs, c->n_inputs, c->n_outputs);
        return -1;
    }
    for (int k = 0; k < c->n_inputs; k++) {
        const neurio_tensor *t = &m->tensors[m->inputs[k]];
        if (t->dtype != c->in[k].dtype || neurio_tensor_bytes(t) != zoo_sample_bytes(&c->in[k])) {
            snprintf(why, wl, "input %d: the model takes %s (%zu bytes), %s holds %s (%zu "
                     "bytes per sample)", k, neurio_dtype_name(t->dtype), neurio_tensor_bytes(t),
                     c->in_path[k], neurio_dtype_name(c->in[k].dtype),
                     zoo_sample_bytes(&c->in[k]));
            return -1;
        }
    }
    return 0;
}

static zoo_row *zoo_row_for(zoo_table *t, const char *op_dtype)
{
    for (int i = 0; i < t->n_rows; i++)
        if (!strcmp(t->rows[i].op_dtype, op_dtype))
            return &t->rows[i];
    if (t->n_rows == (int)(sizeof t->rows / sizeof t->rows[0]))
        return &t->rows[t->n_rows - 1];
    zoo_row *r = &t->rows[t->n_rows++];
    snprintf(r->op_dtype, sizeof r->op_dtype, "%s", op_dtype);
    return r;
}

static int zoo_row_cmp(const void *a, const void *b)
{
    return strcmp(((const zoo_row *)a)->op_dtype, ((const zoo_row *)b)->op_dtype);
}

void zoo_table_add(zoo_table *t, const zoo_case *c, int result)
{
    t->total[result]++;
    for (int i = 0; i < c->n_op_dtypes; i++)
        zoo_row_for(t, c->op_dtypes[i])->n[result]++;
}

void zoo_table_print(FILE *f, const zoo_table *t, const char *device)
{
    zoo_row rows[128];
    memcpy(rows, t->rows, sizeof rows);
    qsort(rows, (size_t)t->n_rows, sizeof rows[0], zoo_row_cmp);
    fprintf(f, "\nzoo on %s, per op x dtype (a case counts once for each op x dtype it holds):\n"
               "%-46s %6s %6s %12s %6s\n", device, "op x dtype", "cases", "exact",
            "unsupported", "FAIL");
    for (int i = 0; i < t->n_rows; i++) {
        const zoo_row *r = &rows[i];
        fprintf(f, "%-46s %6d %6d %12d %6d\n", r->op_dtype,
                r->n[ZOO_PASS] + r->n[ZOO_UNSUPPORTED] + r->n[ZOO_FAIL], r->n[ZOO_PASS],
                r->n[ZOO_UNSUPPORTED], r->n[ZOO_FAIL]);
    }
    fprintf(f, "cases: %d, bit-exact (float within 1e-5 relative) %d, unsupported %d, "
               "FAILED %d\n", t->total[ZOO_PASS] + t->total[ZOO_UNSUPPORTED] + t->total[ZOO_FAIL],
            t->total[ZOO_PASS], t->total[ZOO_UNSUPPORTED], t->total[ZOO_FAIL]);
}

int zoo_expected(const char *path, const char *name)
{
    char *txt = neurio_test_read_file(path, NULL);
    int found = 0;
    for (char *line = txt ? strtok(txt, "\n") : NULL; line && !found; line = strtok(NULL, "\n")) {
        char *hash = strchr(line, '#');
        if (hash)
            *hash = '\0';
        char *end = line + strlen(line);
        while (end > line && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r'))
            *--end = '\0';
        while (*line == ' ' || *line == '\t')
            line++;
        found = *line && !strcmp(line, name);
    }
    free(txt);
    return found;
}

/* The op x dtype of every op no kernel runs, as "unsupported: A; B". */
int zoo_unsupported(const neurio_model *m, char *why, size_t wl)
{
    neurio_unsupported_op u[16];
    neurio_errbuf e = {{0}};
    int32_t n = neurio_codegen_check(m, u, 16, &e);
    if (n <= 0)
        return n;
    size_t o = (size_t)snprintf(why, wl, "unsupported:");
    for (int32_t i = 0; i < n && i < 16 && o < wl; i++) {
        char s[96];
        neurio_unsupported_op_str(&u[i], s, sizeof s);
        if (!strstr(why, s))
            o += (size_t)snprintf(why + o, wl - o, "%s %s", i ? ";" : "", s);
    }
    if (o < wl)
        snprintf(why + o, wl - o, " (first: %s)", u[0].reason);
    return n;
}

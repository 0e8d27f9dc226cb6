/* core/rig.c — parse and check a rig (.cfg) with --set overrides. */
#include "rig.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef enum rig_type {
    RIG_STRING,  /* free string (choices optional)                  */
    RIG_PATH,    /* path, resolved, need not exist (output dir...)  */
    RIG_FILE,    /* path, resolved, must exist                      */
    RIG_NAME,    /* file name inside the run dir, or absolute path  */
    RIG_INT,     /* integer >= min                                  */
    RIG_BOOL,    /* true/false (an int field)                       */
    RIG_FILES    /* one path or a list of paths, each must exist    */
} rig_type;

typedef struct rig_key {
    const char *key;        /* dotted: "data.batch_size"                 */
    rig_type type;
    size_t off;             /* offsetof the field in nr_rig              */
    const char *def;        /* default in text, NULL = none              */
    const char *choices;    /* "a|b|c" or NULL                           */
    int required;
    int64_t min;            /* RIG_INT only                              */
    const char *example;    /* shown in "expected ..." messages          */
} rig_key;

#define F(field) offsetof(nr_rig, field)
/* The core keys (DESIGN.md "Rigs").  device.* beyond `plugin` belongs to
 * the plugin's declared options.  Add new keys at the end of a section. */
static const rig_key rig_keys[] = {
    { "device.plugin", RIG_STRING, F(device_plugin), NULL, NULL, 1, 0, "plugin = \"host\";" },
    { "model.path", RIG_FILE, F(model_path), NULL, NULL, 1, 0, "path = \"model.tflite\";" },
    { "model.quantize", RIG_STRING, F(model_quantize), "none", "none|int8|int16x8", 0, 0,
      "quantize = \"int8\";" },
    { "model.calibration", RIG_FILES, F(model_calibration), NULL, NULL, 0, 0,
      "calibration = \"calib.npy\";  (several model inputs: a list, one per input)" },
    { "model.calibration_method", RIG_STRING, F(model_calibration_method), "minmax",
      "minmax|percentile|mse", 0, 0, "calibration_method = \"minmax\";" },
    { "data.inputs", RIG_FILES, F(data_inputs), NULL, NULL, 0, 0,
      "inputs = \"x.npy\";  (several model inputs: inputs = [ \"x0.npy\", \"x1.npy\" ];)" },
    { "data.labels", RIG_FILE, F(data_labels), NULL, NULL, 0, 0, "labels = \"y.npy\";" },
    { "data.batch_size", RIG_INT, F(data_batch_size), "16", NULL, 0, 1, "batch_size = 16;" },
    { "data.limit", RIG_INT, F(data_limit), "0", NULL, 0, 0, "limit = 100;" },
    { "task.kind", RIG_STRING, F(task_kind), "classification",
      "classification|regression|anomaly|none", 0, 0, "kind = \"classification\";" },
    { "task.top_k", RIG_INT, F(task_top_k), "5", NULL, 0, 1, "top_k = 5;" },
    { "task.reference", RIG_FILE, F(task_reference), NULL, NULL, 0, 0,
      "reference = \"ref.npy\";" },
    { "output.dir", RIG_PATH, F(output_dir), "runs", NULL, 0, 0, "dir = \"runs\";" },
    { "output.predictions", RIG_NAME, F(output_predictions), "pred.npy", NULL, 0, 0,
      "predictions = \"pred.npy\";" },
    { "output.store", RIG_STRING, F(output_store), NULL, NULL, 0, 0,
      "store = \"sqlite:runs/results.db\";" },
    /* report team: anomaly score and the HTML report's file name */
    { "task.score", RIG_STRING, F(task_score), "mse", NULL, 0, 0,
      "score = \"mse\";  (or \"output\", \"output:K\")" },
    { "task.reference_run", RIG_STRING, F(task_reference_run), "none", "none|host", 0, 0,
      "reference_run = \"host\";" },
    { "output.report", RIG_NAME, F(output_report), "report.html", NULL, 0, 0,
      "report = \"report.html\";" },
    { "data.stall_timeout_ms", RIG_INT, F(data_stall_timeout_ms), "300000", NULL, 0, 0,
      "stall_timeout_ms = 300000;" },
    { "task.output", RIG_INT, F(task_output), "0", NULL, 0, 0, "output = 0;" },
    { "data.stateful", RIG_BOOL, F(data_stateful), "false", NULL, 0, 0, "stateful = true;" },
    /* dbg (issue 17): per-layer readback from the device */
    { "task.debug", RIG_STRING, F(task_debug), "none", "none|layers", 0, 0,
      "debug = \"layers\";" },
    { "task.debug_samples", RIG_INT, F(task_debug_samples), "4", NULL, 0, 1,
      "debug_samples = 4;" },
    /* rel (issue 19): the profile's per-inference arrays */
    { "output.profile_inferences", RIG_STRING, F(output_profile_inferences), "auto",
      "auto|all|summary", 0, 0, "profile_inferences = \"auto\";" },
};
#undef F
static const size_t rig_n_keys = sizeof rig_keys / sizeof rig_keys[0];
static const char *const rig_sections[] = { "plugin_path", "device", "model", "data",
                                            "task", "output" };
static const size_t rig_n_sections = sizeof rig_sections / sizeof rig_sections[0];

/* Collapse "//", "/./" and "dir/../" in an absolute path, in place. */
static void rig_normalize(char *path)
{
    char *out = path, *in = path;
    while (*in) {
        if (in[0] == '/' && in[1] == '/') {
            in++;
        } else if (in[0] == '/' && in[1] == '.' && (in[2] == '/' || !in[2])) {
            in += 2;
        } else if (in[0] == '/' && in[1] == '.' && in[2] == '.' && (in[3] == '/' || !in[3])) {
            in += 3;
            while (out > path && *--out != '/')
                ;
        } else {
            *out++ = *in++;
        }
    }
    if (out == path)
        *out++ = '/';
    *out = '\0';
}

char *nr_path_resolve(const char *base_dir, const char *p)
{
    if (p[0] == '/' || !base_dir || !base_dir[0])
        return strdup(p);
    size_t n = strlen(base_dir) + strlen(p) + 2;
    char *out = malloc(n);
    if (!out)
        return NULL;
    snprintf(out, n, "%s/%s", base_dir, p);
    if (out[0] == '/')
        rig_normalize(out);
    return out;
}

const char *nr_rig_where(const nr_rig *rig, const config_setting_t *s, char *buf,
                         size_t len)
{
    const char *file = s ? config_setting_source_file(s) : NULL;
    unsigned line = s ? config_setting_source_line(s) : 0;
    if (!file)
        file = rig ? rig->path : "rig";
    if (line)
        snprintf(buf, len, "%s:%u", file, line);
    else
        snprintf(buf, len, "%s", file);
    return buf;
}

static const char *rig_type_word(int libconfig_type)
{
    switch (libconfig_type) {
    case CONFIG_TYPE_GROUP: return "a group { }";
    case CONFIG_TYPE_INT:
    case CONFIG_TYPE_INT64: return "an integer";
    case CONFIG_TYPE_FLOAT: return "a float";
    case CONFIG_TYPE_STRING: return "a string";
    case CONFIG_TYPE_BOOL: return "a boolean";
    case CONFIG_TYPE_ARRAY: return "an array [ ]";
    case CONFIG_TYPE_LIST: return "a list ( )";
    default: return "something else";
    }
}

int nr_choice_ok(const char *choices, const char *v)
{
    size_t vl = strlen(v);
    for (const char *c = choices; *c;) {
        const char *bar = strchr(c, '|');
        size_t l = bar ? (size_t)(bar - c) : strlen(c);
        if (l == vl && !strncmp(c, v, l))
            return 1;
        if (!bar)
            break;
        c = bar + 1;
    }
    return 0;
}

/* Parse a decimal/hex integer covering the whole string. */
static int rig_parse_int(const char *s, int64_t *out)
{
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 0);
    if (errno || end == s || *end)
        return -1;
    *out = v;
    return 0;
}

/* The list a RIG_FILES key fills: data.inputs or model.calibration. */
typedef struct rig_list {
    char ***v;
    size_t *n;
} rig_list;

static rig_list rig_list_of(nr_rig *rig, const rig_key *k)
{
    if (k->off == offsetof(nr_rig, model_calibration))
        return (rig_list){ &rig->model_calibration_list, &rig->n_model_calibrations };
    return (rig_list){ &rig->data_input_list, &rig->n_data_inputs };
}

static void rig_free_list(rig_list l)
{
    for (size_t i = 0; i < *l.n; i++)
        free((*l.v)[i]);
    free(*l.v);
    *l.v = NULL;
    *l.n = 0;
}

/* Append a copy of path to the list. */
static int rig_list_add(rig_list l, const char *path, neurio_errbuf *err)
{
    char **v = realloc(*l.v, (*l.n + 1) * sizeof *v);
    if (v)
        *l.v = v;
    if (!v || !(v[*l.n] = strdup(path)))
        return neurio_fail(err, NEURIO_ERR_NOMEM, "out of memory");
    (*l.n)++;
    return NEURIO_OK;
}

/* "${CWD}/x" or "${CWD}": x in the directory neurio was started in, where an
 * installed example rig writes its runs (not into the install prefix). */
#define RIG_CWD_VAR "${CWD}"
char *nr_rig_cwd_path(const char *p)
{
    size_t n = strlen(RIG_CWD_VAR);
    char cwd[PATH_MAX];
    if (strncmp(p, RIG_CWD_VAR, n) != 0 || (p[n] != '/' && p[n] != '\0') ||
        !getcwd(cwd, sizeof cwd))
        return NULL;
    size_t len = strlen(cwd) + strlen(p + n) + 1;
    char *out = malloc(len);
    if (out)
        snprintf(out, len, "%s%s", cwd, p + n);
    return out;
}

/* "${NEURIO_SHARED_DIR}/x" in a rig path: the folder holding neurio's shared
 * models and golden data (the repository's ../shared): $NEURIO_SHARED_DIR
 * when set, else <base_dir>/../../shared (a rig in a source checkout's
 * config/).  "${CWD}/x" too (nr_rig_cwd_path).  *out = the expanded path
 * (owned), or NULL when p uses neither variable. */
#define RIG_SHARED_VAR "${NEURIO_SHARED_DIR}"
static int rig_expand_shared(const char *p, const char *base_dir, const char *where,
                             const char *key, char **out, neurio_errbuf *err)
{
    size_t n = strlen(RIG_SHARED_VAR), cn = strlen(RIG_CWD_VAR);
    *out = NULL;
    if (!strncmp(p, RIG_CWD_VAR, cn) && (p[cn] == '/' || p[cn] == '\0'))
        return (*out = nr_rig_cwd_path(p)) != NULL
                   ? NEURIO_OK
                   : neurio_fail(err, NEURIO_ERR_CONFIG, "%s: %s = \"%s\": cannot read the "
                                 "current directory: %s", where, key, p, strerror(errno));
    if (strncmp(p, RIG_SHARED_VAR, n) != 0 || (p[n] != '/' && p[n] != '\0'))
        return NEURIO_OK;
    const char *env = getenv("NEURIO_SHARED_DIR");
    char *dir = env && *env ? strdup(env) : nr_path_resolve(base_dir, "../../shared");
    struct stat st;
    if (dir && (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))) {
        int rc = neurio_fail(err, NEURIO_ERR_CONFIG,
                             "%s: %s = \"%s\": %s %s is not a folder; set NEURIO_SHARED_DIR to "
                             "the folder holding neurio's shared models and golden data "
                             "(models/, golden/)", where, key, p,
                             env && *env ? "NEURIO_SHARED_DIR =" :
                             "NEURIO_SHARED_DIR is not set and its default", dir);
        free(dir);
        return rc;
    }
    size_t len = dir ? strlen(dir) + strlen(p + n) + 1 : 0;
    if (dir && (*out = malloc(len)) != NULL)
        snprintf(*out, len, "%s%s", dir, p + n);
    free(dir);
    return *out ? NEURIO_OK : neurio_fail(err, NEURIO_ERR_NOMEM, "out of memory");
}

/* Store one value into the rig field for key k.  `where` names the origin
 * for messages, base_dir resolves relative paths. */
static int rig_store(nr_rig *rig, const rig_key *k, const char *sval, int64_t ival,
                     const char *where, const char *base_dir, neurio_errbuf *err)
{
    char *field_s = NULL, *shared = NULL;
    int xrc;
    const char *leaf = strchr(k->key, '.') + 1;
    switch (k->type) {
    case RIG_INT:
        if (ival < k->min)
            return neurio_fail(err, NEURIO_ERR_CONFIG,
                               "%s: %s = %lld is out of range (minimum %lld); e.g. %s",
                               where, k->key, (long long)ival, (long long)k->min, k->example);
        *(int64_t *)((char *)rig + k->off) = ival;
        return NEURIO_OK;
    case RIG_BOOL:
        if (sval && strcmp(sval, "true") && strcmp(sval, "false"))
            return neurio_fail(err, NEURIO_ERR_CONFIG,
                               "%s: %s: expected true or false, got \"%s\"; e.g. %s", where,
                               k->key, sval, k->example);
        *(int *)((char *)rig + k->off) = sval ? !strcmp(sval, "true") : ival != 0;
        return NEURIO_OK;
    case RIG_STRING:
        if (k->choices && !nr_choice_ok(k->choices, sval))
            return neurio_fail(err, NEURIO_ERR_CONFIG,
                               "%s: %s = \"%s\" is not one of %s", where, k->key, sval,
                               k->choices);
        if (!sval[0] && k->required)
            return neurio_fail(err, NEURIO_ERR_CONFIG, "%s: %s must not be empty; e.g. %s",
                               where, k->key, k->example);
        field_s = strdup(sval);
        break;
    case RIG_NAME:
        if (!sval[0])
            return neurio_fail(err, NEURIO_ERR_CONFIG, "%s: %s must not be empty; e.g. %s",
                               where, k->key, k->example);
        field_s = strdup(sval);
        break;
    case RIG_PATH:
    case RIG_FILE:
    case RIG_FILES:
        if (!sval[0])
            return neurio_fail(err, NEURIO_ERR_CONFIG, "%s: %s must not be empty; e.g. %s",
                               where, k->key, k->example);
        if ((xrc = rig_expand_shared(sval, base_dir, where, k->key, &shared, err)) != 0)
            return xrc;
        field_s = nr_path_resolve(base_dir, shared ? shared : sval);
        free(shared);
        if (field_s && k->type != RIG_PATH) {
            struct stat st;
            if (stat(field_s, &st) != 0 || !S_ISREG(st.st_mode)) {
                int e = errno;
                int rc = neurio_fail(err, NEURIO_ERR_CONFIG,
                                     "%s: %s = \"%s\": %s (looked for %s); fix the path "
                                     "(relative paths are relative to %s)",
                                     where, k->key, sval,
                                     stat(field_s, &st) == 0 ? "not a regular file"
                                                             : strerror(e),
                                     field_s, base_dir);
                free(field_s);
                return rc;
            }
        }
        break;
    }
    (void)leaf;
    if (!field_s)
        return neurio_fail(err, NEURIO_ERR_NOMEM, "out of memory");
    char **slot = (char **)((char *)rig + k->off);
    free(*slot);
    *slot = field_s;
    if (k->type == RIG_FILES) { /* one path: the list of one */
        rig_free_list(rig_list_of(rig, k));
        return rig_list_add(rig_list_of(rig, k), field_s, err);
    }
    return NEURIO_OK;
}

/* data.inputs as a list: every element a file, in order; the field holds
 * the first. */
static int rig_store_files(nr_rig *rig, const rig_key *k, const config_setting_t *s,
                           const char *where, neurio_errbuf *err)
{
    int n = config_setting_length(s), rc = NEURIO_OK;
    char what[160], **slot = (char **)((char *)rig + k->off);
    rig_key one = *k;
    one.key = what;
    one.type = RIG_FILE;
    if (n < 1)
        return neurio_fail(err, NEURIO_ERR_CONFIG, "%s: %s is an empty list; e.g. %s", where,
                           k->key, k->example);
    rig_list l = rig_list_of(rig, k);
    rig_free_list(l);
    for (int i = 0; i < n && !rc; i++) {
        const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
        snprintf(what, sizeof what, "%s[%d]", k->key, i);
        if (config_setting_type(e) != CONFIG_TYPE_STRING)
            return neurio_fail(err, NEURIO_ERR_CONFIG, "%s: %s: expected a string, got %s; e.g. "
                               "%s", where, what, rig_type_word(config_setting_type(e)),
                               k->example);
        if (!(rc = rig_store(rig, &one, config_setting_get_string(e), 0, where, rig->dir, err)))
            rc = rig_list_add(l, *slot, err); /* resolved and checked as one path */
    }
    if (!rc && (free(*slot), !(*slot = strdup((*l.v)[0]))))
        rc = neurio_fail(err, NEURIO_ERR_NOMEM, "out of memory");
    return rc;
}

/* `--set data.inputs=[a.npy, "b c.npy"]`: a list value for a RIG_FILES
 * key, elements separated by commas, each bare (trimmed) or in double
 * quotes (then it may hold commas and spaces); stored as rig_store_files
 * stores a list from the file, relative paths against base_dir. */
static int rig_set_files(nr_rig *rig, const rig_key *k, const char *val, const char *where,
                         const char *base_dir, neurio_errbuf *err)
{
    size_t len = strlen(val);
    char what[160], *buf = malloc(len + 1), **slot = (char **)((char *)rig + k->off);
    rig_key one = *k;
    one.key = what;
    one.type = RIG_FILE;
    if (!buf)
        return neurio_fail(err, NEURIO_ERR_NOMEM, "out of memory");
    rig_list l = rig_list_of(rig, k);
    rig_free_list(l);
    int rc = NEURIO_OK, i = 0;
    const char *q = val + 1, *end = val + len - 1; /* inside the brackets */
    while (!rc) {
        while (q < end && (*q == ' ' || *q == '\t'))
            q++;
        size_t n = 0;
        if (q < end && *q == '"') {
            const char *c = memchr(q + 1, '"', (size_t)(end - q - 1));
            if (!c) {
                rc = neurio_fail(err, NEURIO_ERR_CONFIG, "%s: %s[%d]: unterminated quote; e.g. "
                                 "--set %s=[\"a.npy\",\"b.npy\"]", where, k->key, i, k->key);
                break;
            }
            n = (size_t)(c - q - 1);
            memcpy(buf, q + 1, n);
            q = c + 1;
            while (q < end && (*q == ' ' || *q == '\t'))
                q++;
        } else {
            while (q + n < end && q[n] != ',')
                n++;
            memcpy(buf, q, n);
            q += n;
            while (n && (buf[n - 1] == ' ' || buf[n - 1] == '\t'))
                n--;
        }
        buf[n] = '\0';
        if (q < end && *q != ',') {
            rc = neurio_fail(err, NEURIO_ERR_CONFIG, "%s: %s[%d]: expected ',' or ']' after the "
                             "path; e.g. --set %s=[\"a.npy\",\"b.npy\"]", where, k->key, i,
                             k->key);
            break;
        }
        snprintf(what, sizeof what, "%s[%d]", k->key, i);
        if (!n) {
            rc = neurio_fail(err, NEURIO_ERR_CONFIG, "%s: %s is empty; e.g. --set "
                             "%s=[\"a.npy\",\"b.npy\"]", where, what, k->key);
            break;
        }
        if (!(rc = rig_store(rig, &one, buf, 0, where, base_dir, err)))
            rc = rig_list_add(l, *slot, err); /* resolved and checked as one path */
        i++;
        if (q >= end)
            break;
        q++; /* the comma */
    }
    free(buf);
    if (!rc && (free(*slot), !(*slot = strdup((*l.v)[0]))))
        rc = neurio_fail(err, NEURIO_ERR_NOMEM, "out of memory");
    return rc;
}

/* Take the value of key k from the config tree (or its default). */
static int rig_take_cfg(nr_rig *rig, const rig_key *k, neurio_errbuf *err)
{
    char where[PATH_MAX + 32];
    const config_setting_t *s = config_lookup(&rig->cfg, k->key);
    if (!s) {
        if (k->required) {
            char sec[32];
            snprintf(sec, sizeof sec, "%.*s", (int)(strchr(k->key, '.') - k->key), k->key);
            const config_setting_t *g = config_lookup(&rig->cfg, sec);
            return neurio_fail(err, NEURIO_ERR_CONFIG,
                               "%s: missing required key %s; add %s inside %s = { ... }",
                               nr_rig_where(rig, g, where, sizeof where), k->key,
                               k->example, sec);
        }
        if (!k->def)
            return NEURIO_OK;
        if (k->type == RIG_BOOL) {
            *(int *)((char *)rig + k->off) = !strcmp(k->def, "true");
            return NEURIO_OK;
        }
        if (k->type == RIG_INT) {
            int64_t v = 0;
            rig_parse_int(k->def, &v);
            *(int64_t *)((char *)rig + k->off) = v;
            return NEURIO_OK;
        }
        return rig_store(rig, k, k->def, 0, "default", rig->dir, err);
    }
    nr_rig_where(rig, s, where, sizeof where);
    int t = config_setting_type(s);
    if (k->type == RIG_INT) {
        if (t != CONFIG_TYPE_INT && t != CONFIG_TYPE_INT64)
            return neurio_fail(err, NEURIO_ERR_CONFIG,
                               "%s: %s: expected an integer, got %s; write %s", where,
                               k->key, rig_type_word(t), k->example);
        return rig_store(rig, k, NULL, config_setting_get_int64(s), where, rig->dir, err);
    }
    if (k->type == RIG_BOOL) {
        if (t != CONFIG_TYPE_BOOL)
            return neurio_fail(err, NEURIO_ERR_CONFIG,
                               "%s: %s: expected a boolean (true or false, no quotes), got %s; "
                               "write %s", where, k->key, rig_type_word(t), k->example);
        return rig_store(rig, k, NULL, config_setting_get_bool(s), where, rig->dir, err);
    }
    if (k->type == RIG_FILES && (t == CONFIG_TYPE_ARRAY || t == CONFIG_TYPE_LIST))
        return rig_store_files(rig, k, s, where, err);
    if (t != CONFIG_TYPE_STRING)
        return neurio_fail(err, NEURIO_ERR_CONFIG,
                           "%s: %s: expected a string, got %s; write %s", where, k->key,
                           rig_type_word(t), k->example);
    return rig_store(rig, k, config_setting_get_string(s), 0, where, rig->dir, err);
}

static int rig_check_unknown(nr_rig *rig, neurio_errbuf *err)
{
    char where[PATH_MAX + 32];
    config_setting_t *root = config_root_setting(&rig->cfg);
    int n = config_setting_length(root);
    for (int i = 0; i < n; i++) {
        config_setting_t *s = config_setting_get_elem(root, (unsigned)i);
        const char *name = config_setting_name(s);
        size_t j;
        for (j = 0; j < rig_n_sections; j++)
            if (!strcmp(name, rig_sections[j]))
                break;
        if (j == rig_n_sections)
            return neurio_fail(err, NEURIO_ERR_CONFIG,
                               "%s: unknown key '%s'; known top-level keys: plugin_path, "
                               "device, model, data, task, output",
                               nr_rig_where(rig, s, where, sizeof where), name);
        if (!strcmp(name, "plugin_path"))
            continue;
        if (config_setting_type(s) != CONFIG_TYPE_GROUP)
            return neurio_fail(err, NEURIO_ERR_CONFIG,
                               "%s: %s: expected a group { ... }, got %s; write %s = { ... };",
                               nr_rig_where(rig, s, where, sizeof where), name,
                               rig_type_word(config_setting_type(s)), name);
        if (!strcmp(name, "device"))
            continue; /* the plugin's options: checked against its schema */
        int m = config_setting_length(s);
        for (int c = 0; c < m; c++) {
            config_setting_t *e = config_setting_get_elem(s, (unsigned)c);
            char dotted[128], known[512] = "";
            snprintf(dotted, sizeof dotted, "%s.%s", name, config_setting_name(e));
            size_t q, kl = 0;
            for (q = 0; q < rig_n_keys; q++)
                if (!strcmp(rig_keys[q].key, dotted))
                    break;
            if (q < rig_n_keys)
                continue;
            for (size_t r = 0; r < rig_n_keys; r++) {
                size_t sl = strlen(name);
                if (!strncmp(rig_keys[r].key, name, sl) && rig_keys[r].key[sl] == '.')
                    kl += (size_t)snprintf(known + kl, sizeof known - kl, "%s%s",
                                           kl ? ", " : "", rig_keys[r].key + sl + 1);
            }
            return neurio_fail(err, NEURIO_ERR_CONFIG,
                               "%s: unknown key '%s'; %s accepts: %s",
                               nr_rig_where(rig, e, where, sizeof where), dotted, name,
                               known);
        }
    }
    return NEURIO_OK;
}

static int rig_plugin_path(nr_rig *rig, neurio_errbuf *err)
{
    char where[PATH_MAX + 32];
    const config_setting_t *s = config_lookup(&rig->cfg, "plugin_path");
    if (!s)
        return NEURIO_OK;
    nr_rig_where(rig, s, where, sizeof where);
    int t = config_setting_type(s);
    int n = 1;
    if (t == CONFIG_TYPE_ARRAY || t == CONFIG_TYPE_LIST)
        n = config_setting_length(s);
    else if (t != CONFIG_TYPE_STRING)
        return neurio_fail(err, NEURIO_ERR_CONFIG,
                           "%s: plugin_path: expected a string or an array of strings, got "
                           "%s; write plugin_path = [ \"path/to/plugins\" ];",
                           where, rig_type_word(t));
    rig->plugin_path = calloc((size_t)n + 1, sizeof *rig->plugin_path);
    if (!rig->plugin_path)
        return neurio_fail(err, NEURIO_ERR_NOMEM, "out of memory");
    for (int i = 0; i < n; i++) {
        const config_setting_t *e = t == CONFIG_TYPE_STRING
                                        ? s
                                        : config_setting_get_elem(s, (unsigned)i);
        if (config_setting_type(e) != CONFIG_TYPE_STRING)
            return neurio_fail(err, NEURIO_ERR_CONFIG,
                               "%s: plugin_path[%d]: expected a string, got %s", where, i,
                               rig_type_word(config_setting_type(e)));
        rig->plugin_path[i] = nr_path_resolve(rig->dir, config_setting_get_string(e));
        if (!rig->plugin_path[i])
            return neurio_fail(err, NEURIO_ERR_NOMEM, "out of memory");
        rig->n_plugin_path++;
    }
    return NEURIO_OK;
}

/* Apply one --set to a core key (device.* other than plugin is deferred). */
static int rig_apply_set(nr_rig *rig, const char *arg, const char *cwd, neurio_errbuf *err)
{
    const char *eq = strchr(arg, '=');
    char key[128], where[256];
    snprintf(where, sizeof where, "--set %s", arg);
    if (!eq || eq == arg || (size_t)(eq - arg) >= sizeof key)
        return neurio_fail(err, NEURIO_ERR_CONFIG,
                           "--set %s: expected dotted.key=value, e.g. --set data.limit=100",
                           arg);
    snprintf(key, sizeof key, "%.*s", (int)(eq - arg), arg);
    const char *val = eq + 1;
    if (!strncmp(key, "device.", 7) && strcmp(key, "device.plugin") != 0) {
        const char **v = realloc(rig->device_sets, (rig->n_device_sets + 1) * sizeof *v);
        if (!v)
            return neurio_fail(err, NEURIO_ERR_NOMEM, "out of memory");
        rig->device_sets = v;
        v[rig->n_device_sets++] = arg;
        return NEURIO_OK;
    }
    if (!strcmp(key, "plugin_path")) {
        char **pp = realloc(rig->plugin_path, (rig->n_plugin_path + 2) * sizeof *pp);
        if (!pp)
            return neurio_fail(err, NEURIO_ERR_NOMEM, "out of memory");
        rig->plugin_path = pp;
        pp[rig->n_plugin_path] = nr_path_resolve(cwd, val);
        pp[++rig->n_plugin_path] = NULL;
        return NEURIO_OK;
    }
    for (size_t i = 0; i < rig_n_keys; i++) {
        const rig_key *k = &rig_keys[i];
        if (strcmp(k->key, key) != 0)
            continue;
        if (k->type == RIG_INT) {
            int64_t v;
            if (rig_parse_int(val, &v) != 0)
                return neurio_fail(err, NEURIO_ERR_CONFIG,
                                   "%s: %s: expected an integer, got \"%s\"", where, key, val);
            return rig_store(rig, k, NULL, v, where, cwd, err);
        }
        size_t vl = strlen(val);
        if (k->type == RIG_FILES && vl >= 2 && val[0] == '[' && val[vl - 1] == ']')
            return rig_set_files(rig, k, val, where, cwd, err);
        return rig_store(rig, k, val, 0, where, cwd, err);
    }
    char known[1024] = "plugin_path, device.<option>";
    size_t kl = strlen(known);
    for (size_t i = 0; i < rig_n_keys; i++)
        kl += (size_t)snprintf(known + kl, sizeof known - kl, ", %s", rig_keys[i].key);
    return neurio_fail(err, NEURIO_ERR_CONFIG, "%s: unknown key '%s'; known keys: %s", where,
                       key, known);
}

/* libconfig checks every new setting against its group's earlier ones, so
 * parsing is quadratic in a group's size (40,000 keys took 30 s).  A rig
 * is a few dozen keys: before libconfig sees the file, one linear pass
 * counts the settings (an `=` or `:` outside strings and comments, in the
 * file and the files it @includes) and refuses more than NR_RIG_MAX_KEYS,
 * naming the file and line where the limit is crossed. */
static int rig_prescan(const char *path, const char *dir, size_t *count, int depth,
                       neurio_errbuf *err)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NEURIO_OK; /* libconfig reports it with its own words */
    int rc = NEURIO_OK, c, prev = 0;
    unsigned line = 1;
    enum { CODE, STR, LINE_COMMENT, BLOCK_COMMENT } st = CODE;
    char inc[PATH_MAX];
    size_t il = 0;
    int at_line_start = 1, in_include = 0;
    while ((c = fgetc(f)) != EOF) {
        if (c == '\n')
            line++;
        switch (st) {
        case STR:
            if (in_include && c != '"' && il + 1 < sizeof inc)
                inc[il++] = (char)c;
            if (c == '\\' && (c = fgetc(f)) == '\n')
                line++;
            else if (c == '"') {
                st = CODE;
                if (in_include && depth < 10) {
                    inc[il] = '\0';
                    char *full = nr_path_resolve(dir, inc);
                    if (full)
                        rc = rig_prescan(full, dir, count, depth + 1, err);
                    free(full);
                    in_include = 0;
                    if (rc)
                        goto out;
                }
            }
            break;
        case LINE_COMMENT:
            if (c == '\n')
                st = CODE;
            break;
        case BLOCK_COMMENT:
            if (prev == '*' && c == '/') {
                st = CODE;
                c = 0;
            }
            break;
        case CODE:
            if (c == '"') {
                st = STR;
                il = 0;
            } else if (c == '#') {
                st = LINE_COMMENT;
            } else if (prev == '/' && c == '/') {
                st = LINE_COMMENT;
            } else if (prev == '/' && c == '*') {
                st = BLOCK_COMMENT;
                c = 0;
            } else if (c == '@' && at_line_start) {
                in_include = 1; /* @include "file" */
            } else if ((c == '=' || c == ':') && ++*count > NR_RIG_MAX_KEYS) {
                rc = neurio_fail(err, NEURIO_ERR_CONFIG,
                                 "%s:%u: more than %d settings; a rig holds at most %d keys "
                                 "(is this file a rig?)", path, line, NR_RIG_MAX_KEYS,
                                 NR_RIG_MAX_KEYS);
                goto out;
            }
            break;
        }
        if (c == '\n')
            at_line_start = 1;
        else if (c != ' ' && c != '\t')
            at_line_start = 0;
        prev = c;
    }
out:
    fclose(f);
    return rc;
}

int nr_rig_load(const char *path, const char *const *sets, size_t n_sets, nr_rig **out,
                neurio_errbuf *err)
{
    char abs[PATH_MAX], cwd[PATH_MAX];
    int rc;
    *out = NULL;
    nr_rig *rig = calloc(1, sizeof *rig);
    if (!rig)
        return neurio_fail(err, NEURIO_ERR_NOMEM, "out of memory");
    config_init(&rig->cfg);
    if (!getcwd(cwd, sizeof cwd)) {
        rc = neurio_fail(err, NEURIO_ERR_IO, "cannot get the current directory: %s",
                         strerror(errno));
        goto fail;
    }
    struct stat st;
    if (!realpath(path, abs) || stat(abs, &st) != 0) {
        rc = neurio_fail(err, NEURIO_ERR_CONFIG, "%s: cannot open rig: %s; check the path",
                         path, strerror(errno));
        goto fail;
    }
    if (!S_ISREG(st.st_mode)) {
        rc = neurio_fail(err, NEURIO_ERR_CONFIG, "%s: not a regular file; give a .cfg rig",
                         path);
        goto fail;
    }
    rig->path = strdup(abs);
    char *slash = strrchr(abs, '/');
    *slash = '\0';
    rig->dir = strdup(abs[0] ? abs : "/");
    if (!rig->path || !rig->dir) {
        rc = neurio_fail(err, NEURIO_ERR_NOMEM, "out of memory");
        goto fail;
    }
    config_set_include_dir(&rig->cfg, rig->dir);
    size_t n_keys = 0;
    if ((rc = rig_prescan(rig->path, rig->dir, &n_keys, 0, err)) != 0)
        goto fail;
    if (config_read_file(&rig->cfg, path) != CONFIG_TRUE) {
        const char *f = config_error_file(&rig->cfg);
        if (config_error_type(&rig->cfg) == CONFIG_ERR_FILE_IO)
            rc = neurio_fail(err, NEURIO_ERR_CONFIG, "%s: cannot read rig: %s", path,
                             config_error_text(&rig->cfg));
        else
            rc = neurio_fail(err, NEURIO_ERR_CONFIG,
                             "%s:%d: %s; check the libconfig syntax (key = value; groups "
                             "{ }, strings in double quotes)",
                             f ? f : path, config_error_line(&rig->cfg),
                             config_error_text(&rig->cfg));
        goto fail;
    }
    if ((rc = rig_check_unknown(rig, err)) != 0)
        goto fail;
    if ((rc = rig_plugin_path(rig, err)) != 0)
        goto fail;
    /* --set values first, so a wrong value in the file can be overridden */
    int *overridden = calloc(rig_n_keys, sizeof *overridden);
    if (!overridden) {
        rc = neurio_fail(err, NEURIO_ERR_NOMEM, "out of memory");
        goto fail;
    }
    for (size_t i = 0; i < n_sets; i++) {
        if ((rc = rig_apply_set(rig, sets[i], cwd, err)) != 0) {
            free(overridden);
            goto fail;
        }
        for (size_t k = 0; k < rig_n_keys; k++) {
            size_t kl = strlen(rig_keys[k].key);
            if (!strncmp(sets[i], rig_keys[k].key, kl) && sets[i][kl] == '=')
                overridden[k] = 1;
        }
    }
    for (size_t k = 0; k < rig_n_keys; k++) {
        if (overridden[k])
            continue;
        if ((rc = rig_take_cfg(rig, &rig_keys[k], err)) != 0) {
            free(overridden);
            goto fail;
        }
    }
    free(overridden);
    rig->device = config_lookup(&rig->cfg, "device");
    *out = rig;
    return NEURIO_OK;
fail:
    nr_rig_free(rig);
    return rc;
}

void nr_rig_free(nr_rig *rig)
{
    if (!rig)
        return;
    for (size_t i = 0; i < rig_n_keys; i++)
        if (rig_keys[i].type != RIG_INT && rig_keys[i].type != RIG_BOOL)
            free(*(char **)((char *)rig + rig_keys[i].off));
    rig_free_list((rig_list){ &rig->data_input_list, &rig->n_data_inputs });
    rig_free_list((rig_list){ &rig->model_calibration_list, &rig->n_model_calibrations });
    for (size_t i = 0; i < rig->n_plugin_path; i++)
        free(rig->plugin_path[i]);
    free(rig->plugin_path);
    free(rig->device_sets);
    free(rig->path);
    free(rig->dir);
    config_destroy(&rig->cfg);
    free(rig);
}

const char *nr_rig_store_spec(const nr_rig *rig, char *buf, size_t cap)
{
    const char *st = rig->output_store;
    if (st && !strcmp(st, "none"))
        return NULL;
    if (!st || !*st) {
        snprintf(buf, cap, "sqlite:%s/results.db", rig->output_dir ? rig->output_dir : "runs");
        return buf;
    }
    if (!strncmp(st, "sqlite:", 7) && st[7] && st[7] != '/') {
        char *abs = nr_rig_cwd_path(st + 7);
        if (!abs)
            abs = nr_path_resolve(rig->dir, st + 7);
        snprintf(buf, cap, "sqlite:%s", abs ? abs : st + 7);
        free(abs);
        return buf;
    }
    snprintf(buf, cap, "%s", st);
    return buf;
}

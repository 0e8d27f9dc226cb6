/* core/commands/sweep_cfg.c — see sweep_cfg.h. */
#include "commands/sweep_cfg.h"

#include <errno.h>
#include <libconfig.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rig.h"

typedef struct sw_axis {
    size_t n_keys, n_values;
    char **keys;       /* [n_keys]                        */
    char **values;     /* [n_values * n_keys], row-major  */
} sw_axis;

static void free_strv(char **v, size_t n)
{
    for (size_t i = 0; v && i < n; i++)
        free(v[i]);
    free(v);
}

/* One scalar as the text a --set takes.  NULL for a non-scalar. */
static char *scalar_text(const config_setting_t *s)
{
    char buf[64];
    switch (config_setting_type(s)) {
    case CONFIG_TYPE_STRING:
        return strdup(config_setting_get_string(s));
    case CONFIG_TYPE_INT:
        snprintf(buf, sizeof buf, "%d", config_setting_get_int(s));
        return strdup(buf);
    case CONFIG_TYPE_INT64:
        snprintf(buf, sizeof buf, "%lld", config_setting_get_int64(s));
        return strdup(buf);
    case CONFIG_TYPE_FLOAT:
        snprintf(buf, sizeof buf, "%.17g", config_setting_get_float(s));
        return strdup(buf);
    case CONFIG_TYPE_BOOL:
        return strdup(config_setting_get_bool(s) ? "true" : "false");
    default:
        return NULL;
    }
}

/* A list of strings as the text `--set key=[...]` takes ("[\"a\", \"b\"]",
 * e.g. data.inputs of a multi-input model).  NULL when s is not a
 * non-empty list of strings or an element holds a double quote. */
static char *list_text(const config_setting_t *s)
{
    int n = config_setting_is_aggregate(s) ? config_setting_length(s) : 0;
    size_t len = 3;
    for (int i = 0; i < n; i++) {
        const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
        if (config_setting_type(e) != CONFIG_TYPE_STRING ||
            strchr(config_setting_get_string(e), '"'))
            return NULL;
        len += strlen(config_setting_get_string(e)) + 4;
    }
    char *t = n > 0 ? malloc(len) : NULL, *p = t;
    if (!t)
        return NULL;
    *p++ = '[';
    for (int i = 0; i < n; i++)
        p += sprintf(p, "%s\"%s\"", i ? ", " : "",
                     config_setting_get_string(config_setting_get_elem(s, (unsigned)i)));
    strcpy(p, "]");
    return t;
}

static int bad(neurio_errbuf *err, const char *file, const config_setting_t *s,
               const char *fmt, const char *what)
{
    return neurio_fail(err, NEURIO_ERR_CONFIG, "%s:%d: %s %s", file,
                       s ? config_setting_source_line(s) : 0, what, fmt);
}

/* A list of strings (array or list) into *v; every element a string. */
static int strings_of(const config_setting_t *s, const char *file, const char *what, char ***v,
                      size_t *n, neurio_errbuf *err)
{
    *v = NULL;
    *n = 0;
    if (!config_setting_is_aggregate(s))
        return bad(err, file, s, "must be a list of strings: [ \"...\", ... ]", what);
    int len = config_setting_length(s);
    *v = calloc(len ? (size_t)len : 1, sizeof **v);
    if (!*v)
        return neurio_fail(err, NEURIO_ERR_NOMEM, "out of memory");
    for (int i = 0; i < len; i++) {
        const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
        if (config_setting_type(e) != CONFIG_TYPE_STRING)
            return bad(err, file, e, "must be a list of strings: [ \"...\", ... ]", what);
        if (!((*v)[(*n)++] = strdup(config_setting_get_string(e))))
            return neurio_fail(err, NEURIO_ERR_NOMEM, "out of memory");
    }
    return 0;
}

/* "model.path" must look like a dotted rig key. */
static int check_key(const char *k, const char *file, const config_setting_t *s,
                     neurio_errbuf *err)
{
    const char *dot = strchr(k, '.');
    if (!dot || dot == k || !dot[1] || strchr(k, '=') || strchr(k, ' '))
        return neurio_fail(err, NEURIO_ERR_CONFIG,
                           "%s:%d: axis key '%s' is not a dotted rig key such as "
                           "\"model.quantize\" or \"device.board\"", file,
                           config_setting_source_line(s), k);
    return 0;
}

static int parse_axis(const config_setting_t *a, const char *file, sw_axis *ax,
                      neurio_errbuf *err)
{
    const config_setting_t *key = config_setting_get_member(a, "key");
    const config_setting_t *keys = config_setting_get_member(a, "keys");
    const config_setting_t *vals = config_setting_get_member(a, "values");
    int rc;
    if (!config_setting_is_group(a) || (!key == !keys) || !vals)
        return bad(err, file, a, "must be { key = \"model.quantize\"; values = [ ... ]; } or "
                   "{ keys = [ ... ]; values = ( [ ... ], ... ); }", "each axis");
    if (key) {
        if (config_setting_type(key) != CONFIG_TYPE_STRING)
            return bad(err, file, key, "must be a string such as \"model.quantize\"", "key");
        ax->keys = calloc(1, sizeof *ax->keys);
        if (!ax->keys || !(ax->keys[0] = strdup(config_setting_get_string(key))))
            return neurio_fail(err, NEURIO_ERR_NOMEM, "out of memory");
        ax->n_keys = 1;
    } else if ((rc = strings_of(keys, file, "keys", &ax->keys, &ax->n_keys, err))) {
        return rc;
    }
    for (size_t k = 0; k < ax->n_keys; k++)
        if ((rc = check_key(ax->keys[k], file, key ? key : keys, err)))
            return rc;
    int nv = config_setting_is_aggregate(vals) ? config_setting_length(vals) : 0;
    if (nv <= 0)
        return bad(err, file, vals, "must list at least one value", "values");
    ax->values = calloc((size_t)nv * ax->n_keys, sizeof *ax->values);
    if (!ax->values)
        return neurio_fail(err, NEURIO_ERR_NOMEM, "out of memory");
    ax->n_values = (size_t)nv;
    for (int i = 0; i < nv; i++) {
        const config_setting_t *e = config_setting_get_elem(vals, (unsigned)i);
        for (size_t k = 0; k < ax->n_keys; k++) {
            const config_setting_t *x = e;
            if (ax->n_keys > 1) {
                if (!config_setting_is_aggregate(e) ||
                    config_setting_length(e) != (int)ax->n_keys)
                    return neurio_fail(err, NEURIO_ERR_CONFIG,
                                       "%s:%d: each value of an axis with %zu keys must be a "
                                       "list of %zu values, one per key", file,
                                       config_setting_source_line(e), ax->n_keys, ax->n_keys);
                x = config_setting_get_elem(e, (unsigned)k);
            }
            char *t = config_setting_is_aggregate(x) ? list_text(x) : scalar_text(x);
            if (!t)
                return bad(err, file, x, "must be a string, number or boolean, or a list of "
                           "strings (data.inputs of a multi-input model)", "an axis value");
            ax->values[(size_t)i * ax->n_keys + k] = t;
        }
    }
    return 0;
}

static void free_axes(sw_axis *ax, size_t n)
{
    for (size_t i = 0; ax && i < n; i++) {
        free_strv(ax[i].keys, ax[i].n_keys);
        free_strv(ax[i].values, ax[i].n_values * ax[i].n_keys);
    }
    free(ax);
}

typedef struct sw_excl {
    char **kv;
    size_t n;
} sw_excl;

static int excluded(const sw_excl *ex, size_t n_ex, char *const *sets, size_t n_sets)
{
    for (size_t e = 0; e < n_ex; e++) {
        size_t hit = 0;
        for (size_t i = 0; i < ex[e].n; i++)
            for (size_t j = 0; j < n_sets; j++)
                if (!strcmp(ex[e].kv[i], sets[j])) {
                    hit++;
                    break;
                }
        if (hit == ex[e].n)
            return 1;
    }
    return 0;
}

/* Append "k=v" strings joined into one text with `sep`. */
static char *join(char *const *v, size_t n, const char *sep)
{
    size_t len = 1;
    for (size_t i = 0; i < n; i++)
        len += strlen(v[i]) + strlen(sep);
    char *s = malloc(len), *p = s;
    if (!s)
        return NULL;
    *p = '\0';
    for (size_t i = 0; i < n; i++)
        p += sprintf(p, "%s%s", i ? sep : "", v[i]);
    return s;
}

static int expand(nr_sweep_cfg *c, const sw_axis *ax, size_t n_ax, const sw_excl *ex,
                  size_t n_ex, const char *file, neurio_errbuf *err)
{
    size_t total = 1, n_sets = 0;
    for (size_t a = 0; a < n_ax; a++) {
        n_sets += ax[a].n_keys;
        if (total > NR_SWEEP_MAX_POINTS / ax[a].n_values + 1)
            total = NR_SWEEP_MAX_POINTS + 1;
        else
            total *= ax[a].n_values;
    }
    if (total > NR_SWEEP_MAX_POINTS)
        return neurio_fail(err, NEURIO_ERR_CONFIG, "%s: the axes expand to more than %d points; "
                           "split the sweep or add excludes", file, NR_SWEEP_MAX_POINTS);
    c->points = calloc(total, sizeof *c->points);
    if (!c->points)
        return neurio_fail(err, NEURIO_ERR_NOMEM, "out of memory");
    for (size_t idx = 0; idx < total; idx++) {
        char **sets = calloc(n_sets ? n_sets : 1, sizeof *sets);
        if (!sets)
            return neurio_fail(err, NEURIO_ERR_NOMEM, "out of memory");
        size_t rem = idx, k = 0;
        size_t *pick = calloc(n_ax ? n_ax : 1, sizeof *pick);
        if (!pick) {
            free(sets);
            return neurio_fail(err, NEURIO_ERR_NOMEM, "out of memory");
        }
        for (size_t a = n_ax; a-- > 0;) { /* the last axis varies fastest */
            pick[a] = rem % ax[a].n_values;
            rem /= ax[a].n_values;
        }
        int oom = 0;
        for (size_t a = 0; a < n_ax; a++)
            for (size_t j = 0; j < ax[a].n_keys; j++) {
                const char *v = ax[a].values[pick[a] * ax[a].n_keys + j];
                size_t len = strlen(ax[a].keys[j]) + strlen(v) + 2;
                if (!(sets[k] = malloc(len)))
                    oom = 1;
                else
                    snprintf(sets[k], len, "%s=%s", ax[a].keys[j], v);
                k++;
            }
        free(pick);
        if (oom) {
            free_strv(sets, k);
            return neurio_fail(err, NEURIO_ERR_NOMEM, "out of memory");
        }
        if (excluded(ex, n_ex, sets, k)) {
            free_strv(sets, k);
            c->n_excluded++;
            continue;
        }
        nr_sweep_point *p = &c->points[c->n_points++];
        p->sets = sets;
        p->n_sets = k;
        p->label = join(sets, k, ", ");
        p->sets_text = join(sets, k, "\n");
        if (!p->label || !p->sets_text)
            return neurio_fail(err, NEURIO_ERR_NOMEM, "out of memory");
    }
    if (!c->n_points)
        return neurio_fail(err, NEURIO_ERR_CONFIG, "%s: every point is excluded; nothing to "
                           "run", file);
    return 0;
}

static int parse_tree(nr_sweep_cfg *c, config_t *cfg, neurio_errbuf *err)
{
    const char *file = c->path;
    const config_setting_t *root = config_root_setting(cfg);
    for (int i = 0; i < config_setting_length(root); i++) {
        const config_setting_t *s = config_setting_get_elem(root, (unsigned)i);
        const char *n = config_setting_name(s);
        if (strcmp(n, "rig") && strcmp(n, "axes") && strcmp(n, "exclude") && strcmp(n, "set"))
            return neurio_fail(err, NEURIO_ERR_CONFIG, "%s:%d: unknown key '%s' in a sweep "
                               "file; it takes rig, axes, exclude and set", file,
                               config_setting_source_line(s), n);
    }
    const config_setting_t *rig = config_lookup(cfg, "rig");
    if (!rig || config_setting_type(rig) != CONFIG_TYPE_STRING)
        return neurio_fail(err, NEURIO_ERR_CONFIG, "%s: needs rig = \"base.cfg\"; (the rig every "
                           "point starts from)", file);
    if (!(c->rig = nr_path_resolve(c->dir, config_setting_get_string(rig))))
        return neurio_fail(err, NEURIO_ERR_NOMEM, "out of memory");
    const config_setting_t *axes = config_lookup(cfg, "axes");
    if (!axes || !config_setting_is_list(axes) || config_setting_length(axes) < 1)
        return neurio_fail(err, NEURIO_ERR_CONFIG, "%s%s%d: needs axes = ( { key = \"...\"; "
                           "values = [ ... ]; }, ... ); with at least one axis", file,
                           axes ? ":" : "", axes ? config_setting_source_line(axes) : 0);
    const config_setting_t *set = config_lookup(cfg, "set");
    int rc = 0;
    if (set && (rc = strings_of(set, file, "set", &c->fixed, &c->n_fixed, err)))
        return rc;
    size_t n_ax = (size_t)config_setting_length(axes);
    sw_axis *ax = calloc(n_ax, sizeof *ax);
    const config_setting_t *exs = config_lookup(cfg, "exclude");
    size_t n_ex = exs ? (size_t)config_setting_length(exs) : 0;
    sw_excl *ex = calloc(n_ex ? n_ex : 1, sizeof *ex);
    if (!ax || !ex) {
        rc = neurio_fail(err, NEURIO_ERR_NOMEM, "out of memory");
        goto out;
    }
    for (size_t a = 0; a < n_ax && !rc; a++)
        rc = parse_axis(config_setting_get_elem(axes, (unsigned)a), file, &ax[a], err);
    if (!rc && exs && !config_setting_is_list(exs))
        rc = bad(err, file, exs, "must be a list of lists: ( [ \"key=value\", ... ], ... )",
                 "exclude");
    for (size_t e = 0; e < n_ex && !rc; e++)
        rc = strings_of(config_setting_get_elem(exs, (unsigned)e), file, "each exclude",
                        &ex[e].kv, &ex[e].n, err);
    if (!rc)
        rc = expand(c, ax, n_ax, ex, n_ex, file, err);
out:
    free_axes(ax, n_ax);
    for (size_t e = 0; ex && e < n_ex; e++)
        free_strv(ex[e].kv, ex[e].n);
    free(ex);
    return rc;
}

int nr_sweep_cfg_load(const char *path, nr_sweep_cfg **out, neurio_errbuf *err)
{
    *out = NULL;
    char abs[PATH_MAX];
    if (!realpath(path, abs))
        return neurio_fail(err, NEURIO_ERR_CONFIG, "cannot read sweep file %s: %s", path,
                           strerror(errno));
    nr_sweep_cfg *c = calloc(1, sizeof *c);
    if (!c)
        return neurio_fail(err, NEURIO_ERR_NOMEM, "out of memory");
    c->path = strdup(abs);
    char *slash = strrchr(abs, '/');
    *slash = '\0';
    c->dir = strdup(abs[0] ? abs : "/");
    if (!c->path || !c->dir) {
        nr_sweep_cfg_free(c);
        return neurio_fail(err, NEURIO_ERR_NOMEM, "out of memory");
    }
    config_t cfg;
    config_init(&cfg);
    int rc;
    if (!config_read_file(&cfg, c->path))
        rc = neurio_fail(err, NEURIO_ERR_CONFIG, "%s:%d: %s", c->path, config_error_line(&cfg),
                         config_error_text(&cfg));
    else
        rc = parse_tree(c, &cfg, err);
    config_destroy(&cfg);
    if (rc) {
        nr_sweep_cfg_free(c);
        return rc;
    }
    *out = c;
    return 0;
}

int nr_sweep_cfg_is_sweep(const char *path)
{
    config_t cfg;
    config_init(&cfg);
    int r = -1;
    if (config_read_file(&cfg, path))
        r = config_lookup(&cfg, "axes") != NULL;
    config_destroy(&cfg);
    return r;
}

void nr_sweep_cfg_free(nr_sweep_cfg *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->n_points; i++) {
        free_strv(c->points[i].sets, c->points[i].n_sets);
        free(c->points[i].label);
        free(c->points[i].sets_text);
    }
    free(c->points);
    free_strv(c->fixed, c->n_fixed);
    free(c->path);
    free(c->dir);
    free(c->rig);
    free(c);
}

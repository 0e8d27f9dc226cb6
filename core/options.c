/* core/options.c — check a rig's device section against a plugin's options. */
#include "options.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char *nr_opt_type_name(neurio_opt_type t)
{
    switch (t) {
    case NEURIO_OPT_BOOL: return "bool";
    case NEURIO_OPT_INT: return "int";
    case NEURIO_OPT_FLOAT: return "float";
    case NEURIO_OPT_STRING: return "string";
    case NEURIO_OPT_PATH: return "path";
    default: return "?";
    }
}

/* Parse text (a default or a --set value) as the option's type. */
static int opt_from_text(nr_optval *ov, const char *text, const char *base_dir)
{
    char *end;
    switch (ov->opt->type) {
    case NEURIO_OPT_BOOL:
        if (!strcmp(text, "true") || !strcmp(text, "1"))
            ov->b = 1;
        else if (!strcmp(text, "false") || !strcmp(text, "0"))
            ov->b = 0;
        else
            return -1;
        return 0;
    case NEURIO_OPT_INT: {
        errno = 0;
        long long v = strtoll(text, &end, 0);
        if (errno || end == text || *end)
            return -1;
        ov->i = v;
        return 0;
    }
    case NEURIO_OPT_FLOAT: {
        errno = 0;
        double v = strtod(text, &end);
        if (errno || end == text || *end)
            return -1;
        ov->f = v;
        return 0;
    }
    case NEURIO_OPT_STRING:
        free(ov->s);
        ov->s = strdup(text);
        return ov->s ? 0 : -2;
    case NEURIO_OPT_PATH:
        free(ov->s);
        ov->s = nr_path_resolve(base_dir, text);
        return ov->s ? 0 : -2;
    }
    return -1;
}

static const char *opt_example(neurio_opt_type t)
{
    switch (t) {
    case NEURIO_OPT_BOOL: return "true";
    case NEURIO_OPT_INT: return "42";
    case NEURIO_OPT_FLOAT: return "1.5";
    default: return "\"text\"";
    }
}

static int opt_check_choice(const nr_optval *ov, const char *where, neurio_errbuf *err)
{
    if (ov->opt->type == NEURIO_OPT_STRING && ov->opt->choices &&
        !nr_choice_ok(ov->opt->choices, ov->s))
        return neurio_fail(err, NEURIO_ERR_CONFIG,
                           "%s: device.%s = \"%s\" is not one of %s", where, ov->opt->name,
                           ov->s, ov->opt->choices);
    return NEURIO_OK;
}

/* Take the value from a libconfig setting, checking its type. */
static int opt_from_setting(nr_optval *ov, const config_setting_t *s, const nr_rig *rig,
                            const char *where, neurio_errbuf *err)
{
    int t = config_setting_type(s);
    int ok = 0;
    switch (ov->opt->type) {
    case NEURIO_OPT_BOOL:
        if ((ok = t == CONFIG_TYPE_BOOL))
            ov->b = config_setting_get_bool(s);
        break;
    case NEURIO_OPT_INT:
        if ((ok = t == CONFIG_TYPE_INT || t == CONFIG_TYPE_INT64))
            ov->i = config_setting_get_int64(s);
        break;
    case NEURIO_OPT_FLOAT:
        if (t == CONFIG_TYPE_FLOAT) {
            ok = 1;
            ov->f = config_setting_get_float(s);
        } else if (t == CONFIG_TYPE_INT || t == CONFIG_TYPE_INT64) {
            ok = 1;
            ov->f = (double)config_setting_get_int64(s);
        }
        break;
    case NEURIO_OPT_STRING:
    case NEURIO_OPT_PATH:
        if ((ok = t == CONFIG_TYPE_STRING)) {
            if (opt_from_text(ov, config_setting_get_string(s), rig->dir) == -2)
                return neurio_fail(err, NEURIO_ERR_NOMEM, "out of memory");
        }
        break;
    }
    if (!ok)
        return neurio_fail(err, NEURIO_ERR_CONFIG,
                           "%s: device.%s: expected %s, got another type; write %s = %s;",
                           where, ov->opt->name, nr_opt_type_name(ov->opt->type),
                           ov->opt->name, opt_example(ov->opt->type));
    return opt_check_choice(ov, where, err);
}

static void opt_known_list(const neurio_plugin *plugin, char *buf, size_t cap)
{
    size_t l = 0;
    buf[0] = '\0';
    for (const neurio_option *o = plugin->options; o && o->name; o++)
        l += (size_t)snprintf(buf + l, l < cap ? cap - l : 0, "%s%s", l ? ", " : "", o->name);
    if (!l)
        snprintf(buf, cap, "(none)");
}

int nr_options_validate(const nr_rig *rig, const neurio_plugin *plugin, nr_options *out,
                        neurio_errbuf *err)
{
    char where[PATH_MAX + 32], known[1024], cwd[PATH_MAX];
    int rc = NEURIO_OK;
    size_t n = 0;
    out->v = NULL;
    out->n = 0;
    for (const neurio_option *o = plugin->options; o && o->name; o++)
        n++;
    out->v = calloc(n ? n : 1, sizeof *out->v);
    if (!out->v)
        return neurio_fail(err, NEURIO_ERR_NOMEM, "out of memory");
    out->n = n;
    if (!getcwd(cwd, sizeof cwd))
        snprintf(cwd, sizeof cwd, ".");
    /* 1. the declarations and their defaults */
    for (size_t i = 0; i < n; i++) {
        nr_optval *ov = &out->v[i];
        ov->opt = &plugin->options[i];
        if (ov->opt->type < NEURIO_OPT_BOOL || ov->opt->type > NEURIO_OPT_PATH)
            return neurio_fail(err, NEURIO_ERR_INVALID,
                               "plugin '%s': option '%s' has unknown type %d; fix the "
                               "plugin's option table", plugin->name, ov->opt->name,
                               (int)ov->opt->type);
        for (size_t j = 0; j < i; j++)
            if (!strcmp(plugin->options[j].name, ov->opt->name))
                return neurio_fail(err, NEURIO_ERR_INVALID,
                                   "plugin '%s': option '%s' is declared twice; fix the "
                                   "plugin's option table", plugin->name, ov->opt->name);
        if (ov->opt->default_value &&
            (opt_from_text(ov, ov->opt->default_value, rig ? rig->dir : cwd) != 0 ||
             opt_check_choice(ov, "default", NULL) != NEURIO_OK))
            return neurio_fail(err, NEURIO_ERR_INVALID,
                               "plugin '%s': option '%s': default \"%s\" is not a valid %s%s%s; "
                               "fix the plugin's option table", plugin->name, ov->opt->name,
                               ov->opt->default_value, nr_opt_type_name(ov->opt->type),
                               ov->opt->choices ? " among " : "",
                               ov->opt->choices ? ov->opt->choices : "");
    }
    if (!rig)
        return NEURIO_OK;
    opt_known_list(plugin, known, sizeof known);
    /* 2. the rig's device section */
    int m = rig->device ? config_setting_length(rig->device) : 0;
    for (int c = 0; c < m; c++) {
        const config_setting_t *s = config_setting_get_elem(rig->device, (unsigned)c);
        const char *name = config_setting_name(s);
        if (!strcmp(name, "plugin"))
            continue;
        nr_rig_where(rig, s, where, sizeof where);
        nr_optval *ov = NULL;
        for (size_t i = 0; i < n; i++)
            if (!strcmp(out->v[i].opt->name, name))
                ov = &out->v[i];
        if (!ov)
            return neurio_fail(err, NEURIO_ERR_CONFIG,
                               "%s: device.%s: unknown option for plugin '%s'; it accepts: %s",
                               where, name, plugin->name, known);
        if ((rc = opt_from_setting(ov, s, rig, where, err)) != 0)
            return rc;
        ov->is_set = 1;
    }
    /* 3. --set device.<name>=value */
    for (size_t k = 0; k < rig->n_device_sets; k++) {
        const char *arg = rig->device_sets[k];
        const char *eq = strchr(arg, '=');
        const char *name = arg + 7; /* after "device." */
        size_t nl = (size_t)(eq - name);
        nr_optval *ov = NULL;
        for (size_t i = 0; i < n; i++)
            if (strlen(out->v[i].opt->name) == nl && !strncmp(out->v[i].opt->name, name, nl))
                ov = &out->v[i];
        if (!ov)
            return neurio_fail(err, NEURIO_ERR_CONFIG,
                               "--set %s: device.%.*s: unknown option for plugin '%s'; it "
                               "accepts: %s", arg, (int)nl, name, plugin->name, known);
        snprintf(where, sizeof where, "--set %s", arg);
        int r = opt_from_text(ov, eq + 1, cwd);
        if (r == -2)
            return neurio_fail(err, NEURIO_ERR_NOMEM, "out of memory");
        if (r != 0)
            return neurio_fail(err, NEURIO_ERR_CONFIG,
                               "%s: device.%s: expected %s, got \"%s\"", where, ov->opt->name,
                               nr_opt_type_name(ov->opt->type), eq + 1);
        if ((rc = opt_check_choice(ov, where, err)) != 0)
            return rc;
        ov->is_set = 1;
    }
    /* 4. required options */
    for (size_t i = 0; i < n; i++) {
        nr_optval *ov = &out->v[i];
        if (!ov->opt->default_value && !ov->is_set)
            return neurio_fail(err, NEURIO_ERR_CONFIG,
                               "%s: device.%s is required by plugin '%s' (%s); add %s = %s; "
                               "to the device section",
                               nr_rig_where(rig, rig->device, where, sizeof where),
                               ov->opt->name, plugin->name, ov->opt->help ? ov->opt->help : "",
                               ov->opt->name, opt_example(ov->opt->type));
    }
    return NEURIO_OK;
}

const nr_optval *nr_options_find(const nr_options *o, const char *name)
{
    for (size_t i = 0; i < o->n; i++)
        if (!strcmp(o->v[i].opt->name, name))
            return &o->v[i];
    return NULL;
}

void nr_options_free(nr_options *o)
{
    if (!o)
        return;
    for (size_t i = 0; i < o->n; i++)
        free(o->v[i].s);
    free(o->v);
    o->v = NULL;
    o->n = 0;
}

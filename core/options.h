/* core/options.h — a plugin's device options, validated against its schema.
 *
 * The rig's `device = { plugin = "..."; ... }` section and the device.*
 * `--set` overrides are checked against the plugin's declared
 * neurio_option array before any hook runs: unknown option, wrong type,
 * value not among the choices, required option missing — each an error
 * naming file:line (or the --set argument).  The result is the typed value
 * of every declared option (rig value, --set value or default), read by
 * the host getters (core/host.c).
 */
#ifndef NEURIO_CORE_OPTIONS_H
#define NEURIO_CORE_OPTIONS_H

#include <stdint.h>

#include "neurio/plugin.h"
#include "rig.h"

typedef struct nr_optval {
    const neurio_option *opt; /* the plugin's declaration (plugin-owned)    */
    int is_set;               /* given in the rig or by --set               */
    int b;                    /* NEURIO_OPT_BOOL                            */
    int64_t i;                /* NEURIO_OPT_INT                             */
    double f;                 /* NEURIO_OPT_FLOAT                           */
    char *s;                  /* STRING / PATH (absolute), owned            */
} nr_optval;

typedef struct nr_options {
    nr_optval *v;
    size_t n;
} nr_options;

/* Validate and collect.  rig may be NULL (defaults only, for listings).
 * Returns NEURIO_OK or NEURIO_ERR_CONFIG (bad rig value) /
 * NEURIO_ERR_INVALID (a bad declaration in the plugin) with the message in
 * err.  *out is always initialised; free with nr_options_free. */
int nr_options_validate(const nr_rig *rig, const neurio_plugin *plugin,
                        nr_options *out, neurio_errbuf *err);

/* The value of a declared option, or NULL. */
const nr_optval *nr_options_find(const nr_options *o, const char *name);

void nr_options_free(nr_options *o);

/* "bool", "int", "float", "string", "path". */
const char *nr_opt_type_name(neurio_opt_type t);

#endif /* NEURIO_CORE_OPTIONS_H */

/* core/commands/sweep_cfg.h — a sweep file (libconfig, the rig conventions): a base
 * rig plus axes over dotted rig keys, expanded to the cartesian product of
 * the axes' values, minus excluded combinations.
 *
 *   rig = "base.cfg";                      // relative to the sweep file
 *   axes = (
 *     { key = "model.quantize"; values = [ "none", "int8" ]; },
 *     { key = "device.board";   values = [ "mps2-an386", "mps2-an500" ]; },
 *     // several keys that move together (one value list per combination):
 *     { keys = [ "model.path", "data.inputs" ];
 *       values = ( [ "a.tflite", "a.npy" ], [ "b.tflite", "b.npy" ] ); }
 *   );
 *   exclude = ( [ "model.quantize=none", "device.board=mps2-an386" ] ); // optional
 *   set = [ "data.limit=100" ];            // optional, every point
 *
 * Points are numbered with the first axis varying slowest.  A point is
 * excluded when every "key=value" of one exclude entry is among its
 * settings.  Values may be strings, integers, floats or booleans; relative
 * paths among them are relative to the sweep file's directory (the sweep
 * runs there).
 */
#ifndef NEURIO_CORE_SWEEP_CFG_H
#define NEURIO_CORE_SWEEP_CFG_H

#include <stddef.h>

#include "neurio/status.h"

/* The most points a sweep may expand to. */
#define NR_SWEEP_MAX_POINTS 10000

typedef struct nr_sweep_point {
    char *label;      /* "model.quantize=int8, device.board=mps2-an386" */
    char **sets;      /* the point's "key=value" overrides, [n_sets]      */
    size_t n_sets;
    char *sets_text;  /* the same, one per line (as stored)               */
} nr_sweep_point;

typedef struct nr_sweep_cfg {
    char *path, *dir;     /* the sweep file and its directory, absolute */
    char *rig;            /* the base rig, absolute                     */
    char **fixed;         /* `set = [...]`, [n_fixed]                   */
    size_t n_fixed;
    nr_sweep_point *points;
    size_t n_points;
    size_t n_excluded;
} nr_sweep_cfg;

/* Parse and expand `path`.  Errors (NEURIO_ERR_CONFIG, IO, NOMEM) carry
 * "file:line: what; how to fix it". */
int nr_sweep_cfg_load(const char *path, nr_sweep_cfg **out, neurio_errbuf *err);
void nr_sweep_cfg_free(nr_sweep_cfg *c);

/* 1 when `path` parses as a sweep file (it has `axes`), 0 when it does not
 * (a rig), -1 when it cannot be parsed at all. */
int nr_sweep_cfg_is_sweep(const char *path);

#endif /* NEURIO_CORE_SWEEP_CFG_H */

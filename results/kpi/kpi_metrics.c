/* core/kpi_metrics.c — the named-figure list shared by every KPI module. */
#include "kpi/kpi_metrics.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "neurio/status.h"

static void copy_field(char *dst, size_t cap, const char *src)
{
    snprintf(dst, cap, "%s", src ? src : "");
}

int nr_metrics_add(nr_metrics *m, const char *group, const char *name,
                   double value, const char *unit, const char *source)
{
    if (!isfinite(value))
        return 0;
    nr_metric *slot = NULL;
    for (size_t i = 0; i < m->n; i++)
        if (!strcmp(m->v[i].name, name))
            slot = &m->v[i];
    if (!slot) {
        if (m->n == m->cap) {
            size_t cap = m->cap ? m->cap * 2 : 32;
            nr_metric *v = realloc(m->v, cap * sizeof *v);
            if (!v)
                return NEURIO_ERR_NOMEM;
            m->v = v;
            m->cap = cap;
        }
        slot = &m->v[m->n++];
    }
    memset(slot, 0, sizeof *slot);
    copy_field(slot->group, sizeof slot->group, group);
    copy_field(slot->name, sizeof slot->name, name);
    copy_field(slot->unit, sizeof slot->unit, unit);
    copy_field(slot->source, sizeof slot->source, source);
    slot->value = value;
    return 0;
}

const nr_metric *nr_metrics_find(const nr_metrics *m, const char *name)
{
    for (size_t i = 0; i < m->n; i++)
        if (!strcmp(m->v[i].name, name))
            return &m->v[i];
    return NULL;
}

void nr_metrics_free(nr_metrics *m)
{
    free(m->v);
    memset(m, 0, sizeof *m);
}

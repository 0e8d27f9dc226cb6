/* core/commands/run_one.h — one rig run through the pipeline with the
 * standard observers (quantization cost, report + store): what `neurio run`
 * does, shared by `neurio sweep` and `neurio worker`, which run each point
 * or job in a child process through it. */
#ifndef NEURIO_CORE_RUN_ONE_H
#define NEURIO_CORE_RUN_ONE_H

#include <stddef.h>

#include "pipeline.h"
#include "observers/report.h"

typedef struct nr_run_req {
    const char *cmd;                 /* for messages: "run", "sweep", "worker" */
    const char *rig_path;
    const char *const *sets;         /* --set arguments, [n_sets]             */
    size_t n_sets;
    nr_stage until;                  /* NR_STAGE_INFER for a full run         */
    const char *until_name;          /* the --until word, or NULL             */
    const nr_report_member *member;  /* sweep point / farm job, or NULL       */
    char *run_id_out;                /* or NULL: the run's id once it ran     */
    size_t run_id_cap;
} nr_run_req;

/* Load, validate and run; prints errors as "neurio <cmd>: ...".  Installs
 * the cancellation handler (Ctrl-C, SIGTERM, SIGHUP).  Returns NR_EXIT_*;
 * NR_EXIT_REGRESSION when task.debug = "layers" found a layer that differs
 * from the host reference. */
int nr_run_one(const nr_run_req *req);

#endif /* NEURIO_CORE_RUN_ONE_H */

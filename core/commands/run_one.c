/* core/commands/run_one.c — see run_one.h. */
#include "commands/run_one.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "host.h"
#include "observers/quant_cost.h"
#include "rig.h"
#include "commands/validate.h"

int nr_run_one(const nr_run_req *req)
{
    nr_rig *rig = NULL;
    nr_pipeline *p = NULL;
    neurio_errbuf err;
    int code = NR_EXIT_OK;
    nr_stage until = req->until;
    if (nr_rig_load(req->rig_path, req->sets, req->n_sets, &rig, &err) != NEURIO_OK) {
        fprintf(stderr, "neurio %s: %s\n", req->cmd, err.msg);
        code = NR_EXIT_CONFIG;
        goto out;
    }
    if (nr_pipeline_new(rig, &p, &code, &err) != NEURIO_OK) {
        fprintf(stderr, "neurio %s: %s\n", req->cmd, err.msg);
        goto out;
    }
    /* Everything that would fail later fails now, before anything is
     * prepared, created or built (the same validation as `neurio check`). */
    if (nr_validate(rig, nr_pipeline_plugin(p), nr_pipeline_options(p),
                    until == NR_STAGE_INFER ? NR_VALIDATE_INFER : 0, &code, &err) != NEURIO_OK) {
        fprintf(stderr, "neurio %s: %s\n", req->cmd, err.msg);
        goto out;
    }
    if (nr_mkdirs(rig->output_dir) != 0) {
        fprintf(stderr, "neurio %s: cannot create output.dir %s: %s\n", req->cmd,
                rig->output_dir, strerror(errno));
        code = NR_EXIT_CONFIG;
        goto out;
    }
    /* Observers (reporting, stores) are attached here, one line each. */
    if (until == NR_STAGE_INFER) { /* onnx team: float host reference vs quantized device */
        nr_observer qc_obs;
        if (nr_quant_cost_observer_new(rig, &qc_obs, &err) == NEURIO_OK &&
            nr_pipeline_add_observer(p, &qc_obs) != NEURIO_OK)
            qc_obs.destroy(qc_obs.user);
    }
    if (until == NR_STAGE_INFER) { /* report team: KPIs, profile, HTML, result store */
        nr_observer report_obs;
        if (nr_report_observer_new_member(rig, req->member, &report_obs, &err) != NEURIO_OK) {
            fprintf(stderr, "neurio %s: %s\n", req->cmd, err.msg);
            code = NR_EXIT_CONFIG;
            goto out;
        }
        if (nr_pipeline_add_observer(p, &report_obs) != NEURIO_OK)
            report_obs.destroy(report_obs.user);
    }

    nr_cancel_install();
    int rc = nr_pipeline_run(p, until, &err);
    if (req->run_id_out && req->run_id_cap)
        snprintf(req->run_id_out, req->run_id_cap, "%s", nr_pipeline_state(p)->run_id);
    if (rc) {
        fprintf(stderr, "neurio %s: %s\n", req->cmd, err.msg);
        code = nr_pipeline_exit_code(p, rc);
    } else if (until != NR_STAGE_INFER) {
        printf("stopped after %s as requested (--until %s)\n", req->until_name,
               req->until_name);
    } else if (nr_pipeline_state(p)->debug_layers &&
               nr_pipeline_state(p)->debug_first_diff >= 0) {
        code = NR_EXIT_REGRESSION; /* task.debug: a layer differs from the host reference */
    }
out:
    nr_pipeline_free(p);
    nr_rig_free(rig);
    return code;
}

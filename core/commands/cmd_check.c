/* core/cmd_check.c — `neurio check R`: validate a rig without touching a device. */
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "commands/commands.h"
#include "host.h"
#include "loader.h"
#include "neurio/codegen.h"
#include "neurio/dataprep.h"
#include "neurio/npy.h"
#include "neurio/quantize.h"
#include "options.h"
#include "pipeline.h"
#include "rig.h"
#include "commands/validate.h"

/* The model prepared on a copy by `run`'s own prepare step
 * (nr_prepare_for_device: the plugin's prepare hook or the SDK's default
 * recipe, then every op x dtype checked for a kernel): nothing is
 * generated or built. */
static int check_deploy(const nr_rig *rig, const nr_plugin_entry *e, const nr_options *opts,
                        neurio_errbuf *err)
{
    void *self = NULL;
    neurio_errbuf e2 = { { 0 } };
    int rc, opened = 0;
    neurio_model *m = NULL, *c = NULL;
    neurio_ctx *ctx = NULL;
    if ((rc = neurio_model_load(rig->model_path, &m, &e2)) != 0) {
        rc = neurio_fail(err, rc, "model.path: %s", e2.msg);
        goto out;
    }
    c = neurio_model_clone(m);
    ctx = nr_ctx_new(e->desc.name, opts, NULL);
    if (!c || !ctx) {
        rc = neurio_fail(err, NEURIO_ERR_NOMEM, "out of memory");
        goto out;
    }
    if ((rc = e->desc.open(ctx, nr_host(), &self)) != 0) {
        const char *msg = nr_ctx_error(ctx);
        rc = neurio_fail(err, rc < 0 ? rc : NEURIO_ERR_INTERNAL, "open failed: [%s] %s",
                         e->desc.name, msg ? msg : neurio_status_str(rc));
        goto out;
    }
    opened = 1;
    int hook_failed = 0;
    if ((rc = nr_prepare_for_device(&e->desc, self, ctx, rig, c, &hook_failed, &e2)) != 0) {
        const char *msg = nr_ctx_error(ctx);
        rc = hook_failed ? neurio_fail(err, rc < 0 ? rc : NEURIO_ERR_INTERNAL,
                                       "prepare failed: [%s] %s", e->desc.name,
                                       msg ? msg : neurio_status_str(rc))
                         : neurio_fail(err, rc, "%s", e2.msg);
        goto out;
    }
    printf("deploy: every op x dtype of the prepared model (%d ops) has a kernel for "
           "device '%s'\n", (int)c->n_ops, e->desc.name);
out:
    if (opened)
        e->desc.close(self);
    nr_ctx_free(ctx);
    neurio_model_free(c);
    neurio_model_free(m);
    return rc;
}

static void check_help(void)
{
    printf("usage: neurio check R [--set key=value]...\n\n"
           "Validate rig R without touching a device, exactly as `neurio run` does\n"
           "before it starts: the rig's keys and types, the files it names, the device\n"
           "plugin (found and accepted by the loader; only that plugin is loaded), the\n"
           "plugin's options (types, ranges, plausibility), the output paths (writable,\n"
           "distinct from each other and from every input), the model (imported, finite\n"
           "weights), data.inputs (one .npy per model input, in the model's input order)\n"
           "and model.calibration (shape and dtype against each input, every value finite\n"
           "and within the input's range), task.output (an output of the model), and\n"
           "whether the device can run the model: a copy is prepared as `run` would\n"
           "(the plugin's prepare: optimizer, model.quantize with its calibration) and\n"
           "every op x dtype is lowered as code generation would, nothing generated or\n"
           "built; each op x dtype with no kernel is listed and the exit code is 5.\n\n"
           "Options:\n"
           "  --set key=value  override a rig key (dotted path, e.g. data.limit=10)\n"
           "  -h, --help       this help\n\n%s",
           nr_exit_codes_help);
}

int nr_cmd_check(int argc, char **argv)
{
    nr_cli cli;
    nr_rig *rig = NULL;
    nr_pipeline *p = NULL;
    neurio_errbuf err;
    int code = nr_cli_parse(argc, argv, NR_CLI_RIG_POSITIONAL | NR_CLI_SET, &cli);
    if (code)
        goto out;
    if (cli.help) {
        check_help();
        goto out;
    }
    if (nr_rig_load(cli.rig, cli.sets, cli.n_sets, &rig, &err) != NEURIO_OK) {
        fprintf(stderr, "neurio check: %s\n", err.msg);
        code = NR_EXIT_CONFIG;
        goto out;
    }
    if (nr_pipeline_new(rig, &p, &code, &err) != NEURIO_OK) {
        fprintf(stderr, "neurio check: %s\n", err.msg);
        goto out;
    }
    const nr_plugin_entry *e = nr_pipeline_plugin(p);
    printf("rig: %s\nplugin: %s %s (%s)\n", rig->path, e->desc.name,
           e->desc.version ? e->desc.version : "", e->path);
    const nr_options *o = nr_pipeline_options(p);
    for (size_t i = 0; i < o->n; i++) {
        const nr_optval *v = &o->v[i];
        printf("  device.%s = ", v->opt->name);
        switch (v->opt->type) {
        case NEURIO_OPT_BOOL: printf("%s", v->b ? "true" : "false"); break;
        case NEURIO_OPT_INT: printf("%lld", (long long)v->i); break;
        case NEURIO_OPT_FLOAT: printf("%g", v->f); break;
        default: printf("\"%s\"", v->s ? v->s : ""); break;
        }
        printf("%s\n", v->is_set ? "" : "  (default)");
    }
    /* The same validation `run` does first (core/validate.h). */
    if (nr_validate(rig, e, o, NR_VALIDATE_VERBOSE, &code, &err) != NEURIO_OK)
        fprintf(stderr, "neurio check: %s\n", err.msg);
    else if (check_deploy(rig, e, o, &err) != NEURIO_OK) /* exit 5 */
        fprintf(stderr, "neurio check: %s\n", err.msg), code = NR_EXIT_MODEL;
    else
        printf("check OK: %s\n", cli.rig);
out:
    nr_pipeline_free(p);
    nr_rig_free(rig);
    nr_cli_free(&cli);
    return code;
}

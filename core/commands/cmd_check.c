/* core/cmd_check.c — `neurio check R`: validate a rig without touching a device. */
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "commands/commands.h"
#include "loader.h"
#include "neurio/dataprep.h"
#include "neurio/npy.h"
#include "options.h"
#include "pipeline.h"
#include "rig.h"
#include "validate.h"

static void check_help(void)
{
    printf("usage: neurio check R [--set key=value]...\n\n"
           "Validate rig R without touching a device, exactly as `neurio run` does\n"
           "before it starts: the rig's keys and types, the files it names, the device\n"
           "plugin (found and accepted by the loader; only that plugin is loaded), the\n"
           "plugin's options (types, ranges, plausibility), the output paths (writable,\n"
           "distinct from each other and from every input), the model (imported, finite\n"
           "weights), data.inputs and model.calibration (shape and dtype against the\n"
           "model's input, every value finite and within the input's range).\n\n"
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
    else
        printf("check OK: %s\n", cli.rig);
out:
    nr_pipeline_free(p);
    nr_rig_free(rig);
    nr_cli_free(&cli);
    return code;
}

/* core/cmd_codegen.c — `neurio codegen MODEL -o DIR`: import a model and
 * write its C99 code (M.h, M.c) without any device. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "commands/commands.h"
#include "neurio/codegen.h"
#include "neurio/model.h"
#include "neurio/optimize.h"

static void codegen_help(void)
{
    printf("usage: neurio codegen MODEL -o DIR [--name NAME] [--no-optimize] [--band-rows N]\n\n"
           "Import MODEL (.tflite or .onnx), optimize it, plan its memory and write\n"
           "DIR/NAME.h and DIR/NAME.c: C99 with the weights, a static arena, the calls\n"
           "into the portable kernels (firmware/kernels) and a neurio_model_desc table.\n"
           "Compile with -I<firmware>/kernels -I<firmware>/include and the kernels' .c.\n\n"
           "Options:\n"
           "  -o, --output DIR  directory to write into (created if missing)\n"
           "  --name NAME       C identifier for the model (default: from the file name)\n"
           "  --no-optimize     generate the graph exactly as imported\n"
           "  --band-rows N     banded execution: chains of convolutions (and a residual\n"
           "                    ADD) run N output rows at a time, so the tensors inside\n"
           "                    a chain never exist whole: less arena, more instructions\n"
           "                    (docs/architecture.md, \"Banded execution\"); 0 = off\n"
           "  -h, --help        this help\n\n%s",
           nr_exit_codes_help);
}

int nr_cmd_codegen(int argc, char **argv)
{
    const char *model_path = NULL, *out_dir = NULL, *name = NULL;
    int optimize = 1;
    long band_rows = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            codegen_help();
            return NR_EXIT_OK;
        } else if (!strcmp(a, "-o") || !strcmp(a, "--output") || !strcmp(a, "--name")) {
            if (i + 1 >= argc) {
                fprintf(stderr, "neurio codegen: %s needs a value; see `neurio codegen --help`\n", a);
                return NR_EXIT_USAGE;
            }
            if (!strcmp(a, "--name"))
                name = argv[++i];
            else
                out_dir = argv[++i];
        } else if (!strcmp(a, "--band-rows")) {
            char *end = NULL;
            errno = 0;
            band_rows = i + 1 < argc ? strtol(argv[i + 1], &end, 10) : -1;
            if (i + 1 >= argc || errno || !end || *end || end == argv[i + 1] || band_rows < 0 ||
                band_rows > 65535) {
                fprintf(stderr, "neurio codegen: --band-rows needs a row count 0..65535, "
                                "not '%s'\n", i + 1 < argc ? argv[i + 1] : "");
                return NR_EXIT_USAGE;
            }
            i++;
        } else if (!strcmp(a, "--no-optimize")) {
            optimize = 0;
        } else if (a[0] == '-') {
            fprintf(stderr, "neurio codegen: unknown option '%s'; see `neurio codegen --help`\n", a);
            return NR_EXIT_USAGE;
        } else if (!model_path) {
            model_path = a;
        } else {
            fprintf(stderr, "neurio codegen: unexpected argument '%s' (one MODEL only)\n", a);
            return NR_EXIT_USAGE;
        }
    }
    if (!model_path || !out_dir) {
        fprintf(stderr, "neurio codegen: %s is required; usage: neurio codegen MODEL -o DIR\n",
                !model_path ? "MODEL" : "-o DIR");
        return NR_EXIT_USAGE;
    }
    if (mkdir(out_dir, 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "neurio codegen: cannot create %s: %s\n", out_dir, strerror(errno));
        return NR_EXIT_FAILURE;
    }
    neurio_model *m = NULL;
    neurio_errbuf err = {{0}};
    neurio_codegen_result res;
    int code = NR_EXIT_OK;
    if (neurio_model_load(model_path, &m, &err) != NEURIO_OK) {
        fprintf(stderr, "neurio codegen: %s\n", err.msg);
        return NR_EXIT_MODEL;
    }
    if (optimize && neurio_optimize(m, &err) != NEURIO_OK) {
        fprintf(stderr, "neurio codegen: optimize %s: %s\n", model_path, err.msg);
        code = NR_EXIT_MODEL;
        goto done;
    }
    neurio_codegen_options opts = {.name = name, .band_rows = (int32_t)band_rows};
    int rc = neurio_codegen(m, out_dir, &opts, &res, &err);
    if (rc != NEURIO_OK) {
        fprintf(stderr, "neurio codegen: %s\n", err.msg);
        code = rc == NEURIO_ERR_IO ? NR_EXIT_FAILURE : NR_EXIT_DEVICE;
        goto done;
    }
    printf("%s: %u layers, arena %llu bytes (%s), weights %llu bytes, sha256 %.16s...\n"
           "  %s\n  %s\n",
           res.name, res.n_layers, (unsigned long long)res.arena_bytes, res.plan_strategy,
           (unsigned long long)res.weights_bytes, res.sha256, res.header_path, res.source_path);
done:
    neurio_model_free(m);
    return code;
}

/* tests/rel/test_paths_cortexm.c — a user's path is data, never syntax, on
 * the cortex-m device (issue 19 case 2).  The path used everywhere holds a
 * comma, brackets, spaces, "$" and both quotes:
 *   - the OpenOCD command words (cm_tcl_word) are read back by a real Tcl
 *     interpreter (tclsh; OpenOCD's Jim Tcl parses words the same way) and
 *     must give the path unchanged;
 *   - QEMU option values (cm_qemu_opt_value) double the commas;
 *   - a whole run (firmware built with arm-none-eabi-gcc, QEMU mps2-an386,
 *     4 samples of hello_world_int8) in an output.dir with that name: the
 *     map file lands in the run directory (gcc used to split -Wl,-Map= at
 *     the comma) and nothing is written beside it.
 * Skips what cannot run here (no tclsh, no toolchain/QEMU, no ../shared). */
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cm_flasher.h"
#include "cm_qemu.h"
#include "neurio/npy.h"
#include "test_util.h"

#define NEURIO NEURIO_BINARY_DIR "/core/neurio"

static const char nasty[] = "we,ird [x] {y} $z 'q\" ;w";

static void test_tcl_word(void)
{
    char word[1024], script[PATH_MAX + 16], *out = NULL;
    if (system("command -v tclsh >/dev/null 2>&1") != 0) {
        fprintf(stderr, "tclsh absent: Tcl quoting checked by construction only\n");
        return;
    }
    char path[512];
    snprintf(path, sizeof path, "/tmp/%s/fw.elf", nasty);
    CU_ASSERT_FATAL(cm_tcl_word(word, sizeof word, path) > 0);
    snprintf(script, sizeof script, "%s/words.tcl", neurio_test_tmpdir());
    char text[2048];
    snprintf(text, sizeof text, "puts %s\nputs [list program %s verify]\n", word, word);
    CU_ASSERT_EQUAL_FATAL(neurio_test_write_file(script, text, strlen(text)), 0);
    char cmd[PATH_MAX + 32];
    snprintf(cmd, sizeof cmd, "tclsh '%s'", script);
    CU_ASSERT_EQUAL(neurio_test_run(cmd, &out), 0);
    char want[1024];
    snprintf(want, sizeof want, "%s\n", path);
    CU_ASSERT_PTR_NOT_NULL(out && !strncmp(out, want, strlen(want)) ? out : NULL);
    if (out && strncmp(out, want, strlen(want)))
        fprintf(stderr, "tclsh printed: %s\nwanted: %s", out, want);
    free(out);
    /* control characters cannot be handed to Tcl this way: refused */
    CU_ASSERT_EQUAL(cm_tcl_word(word, sizeof word, "/tmp/a\nb"), -1);
}

static void test_qemu_value(void)
{
    char v[256];
    cm_qemu_opt_value(v, sizeof v, "/tmp/a,b,,c/uart.sock");
    CU_ASSERT_STRING_EQUAL(v, "/tmp/a,,b,,,,c/uart.sock");
}

static int count_entries(const char *dir)
{
    DIR *d = opendir(dir);
    int n = 0;
    struct dirent *e;
    while (d && (e = readdir(d)))
        n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
    if (d)
        closedir(d);
    return n;
}

static void test_run_in_nasty_dir(void)
{
    const char *shared = neurio_test_shared_dir();
    if (!shared || system("command -v arm-none-eabi-gcc >/dev/null 2>&1 && "
                          "command -v qemu-system-arm >/dev/null 2>&1") != 0) {
        fprintf(stderr, "SKIPPED part: ../shared, arm-none-eabi-gcc or qemu-system-arm absent\n");
        return;
    }
    char base[PATH_MAX], out_dir[PATH_MAX + 64], rig[PATH_MAX + 64], text[8192];
    snprintf(base, sizeof base, "%s/%s", neurio_test_tmpdir(), nasty);
    CU_ASSERT_EQUAL_FATAL(mkdir(base, 0777), 0);
    snprintf(out_dir, sizeof out_dir, "%s/runs", base);
    snprintf(rig, sizeof rig, "%s/cm.cfg", neurio_test_tmpdir());
    snprintf(text, sizeof text,
             "device = { plugin = \"cortex-m\"; board = \"mps2-an386\"; };\n"
             "model = { path = \"%s/models/hello_world_int8.tflite\"; };\n"
             "data = { inputs = \"%s/golden/hello_world_int8/input.npy\"; limit = 4; };\n"
             "task = { kind = \"none\"; };\n", shared, shared);
    CU_ASSERT_EQUAL_FATAL(neurio_test_write_file(rig, text, strlen(text)), 0);
    /* output.dir through an environment variable: no shell quoting here */
    setenv("NEURIO_TEST_OUT", out_dir, 1);
    char cmd[PATH_MAX * 2], *out = NULL;
    snprintf(cmd, sizeof cmd, "%s run '%s' --set \"output.dir=$NEURIO_TEST_OUT\"", NEURIO, rig);
    int st = neurio_test_run(cmd, &out);
    if (st != 0)
        fprintf(stderr, "%s\n-> %d\n%s\n", cmd, st, out ? out : "");
    CU_ASSERT_EQUAL(st, 0);
    /* the predictions and the map file are where they belong */
    const char *p = out ? strstr(out, "predictions: ") : NULL;
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    char run_dir[PATH_MAX];
    const char *e = strstr(p, "/pred.npy");
    CU_ASSERT_PTR_NOT_NULL_FATAL(e);
    snprintf(run_dir, sizeof run_dir, "%.*s", (int)(e - p - 13), p + 13);
    CU_ASSERT_EQUAL(strncmp(run_dir, out_dir, strlen(out_dir)), 0);
    char f[PATH_MAX + 32];
    neurio_npy a = { 0 };
    snprintf(f, sizeof f, "%s/pred.npy", run_dir);
    CU_ASSERT_EQUAL(neurio_npy_read(f, &a, NULL), NEURIO_OK);
    CU_ASSERT_EQUAL(a.dims[0], 4);
    neurio_npy_free(&a);
    snprintf(f, sizeof f, "%s/work/firmware/fw.map", run_dir);
    struct stat sb;
    CU_ASSERT(stat(f, &sb) == 0 && sb.st_size > 0);
    /* nothing beside the output dir: the tmp base holds only "runs" */
    CU_ASSERT_EQUAL(count_entries(base), 1);
    free(out);
}

int neurio_register_tests(void)
{
    CU_pSuite s = CU_add_suite("paths_cortexm", NULL, NULL);
    if (!s)
        return -1;
    CU_add_test(s, "2 OpenOCD paths as Tcl words (tclsh reads them back)", test_tcl_word);
    CU_add_test(s, "2 QEMU option values double commas", test_qemu_value);
    CU_add_test(s, "2 a cortex-m run in a dir with , [ ] { } $ ' \" and spaces",
                test_run_in_nasty_dir);
    return 0;
}

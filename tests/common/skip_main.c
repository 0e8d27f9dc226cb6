/* tests/common/skip_main.c — stands in for a test that this build cannot
 * run (an optional part NEURIO_WITH_ONNX / _POSTGRES / _HID left out, or a
 * sanitizer build for a test that interposes malloc itself): CTest reports
 * it as skipped (exit 77) with the reason. */
#include <stdio.h>

#define SKIP_STR2(x) #x
#define SKIP_STR(x) SKIP_STR2(x)

int main(int argc, char **argv)
{
    (void)argc;
    printf("SKIPPED: %s needs %s=%s; this build differs\n", argv[0],
           SKIP_STR(NEURIO_SKIP_OPTION), SKIP_STR(NEURIO_SKIP_WANT));
    return 77;
}

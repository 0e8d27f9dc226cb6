/* bench/rss_probe.c — LD_PRELOAD helper of bench/rss_samples.sh: when the
 * process that loads it is `neurio` itself (not the compiler it spawns), a
 * destructor appends its own peak RSS (VmHWM from /proc/self/status, kB)
 * to the file named by $NEURIO_RSS_OUT.  (GNU time's %M would report the
 * largest descendant, cc1, instead.) */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

__attribute__((destructor)) static void rss_probe_report(void)
{
    char exe[4096], line[256];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    const char *out = getenv("NEURIO_RSS_OUT");
    if (n <= 0 || !out)
        return;
    exe[n] = '\0';
    const char *base = strrchr(exe, '/');
    if (strcmp(base ? base + 1 : exe, "neurio") != 0)
        return;
    FILE *f = fopen("/proc/self/status", "r");
    FILE *o = f ? fopen(out, "a") : NULL;
    while (o && fgets(line, sizeof line, f))
        if (!strncmp(line, "VmHWM:", 6))
            fprintf(o, "%ld\n", strtol(line + 6, NULL, 10));
    if (o)
        fclose(o);
    if (f)
        fclose(f);
}

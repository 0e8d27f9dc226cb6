/* plugins/host/host_probe.c — `neurio probe` for the host device: the
 * workstation itself, and whether it can build generated code. */
#include "host_probe.h"

#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

int host_probe(neurio_ctx *ctx, const neurio_host *host, neurio_probe_fn fn, void *user)
{
    (void)ctx;
    (void)host;
    struct utsname u;
    if (uname(&u) != 0)
        memset(&u, 0, sizeof u);
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    char cc[256] = "";
    int cc_ok = 0;
    FILE *p = popen("cc --version 2>&1", "r");
    if (p) {
        char buf[256];
        int first = 1;
        while (fgets(buf, sizeof buf, p))
            if (first) {
                snprintf(cc, sizeof cc, "%s", buf);
                cc[strcspn(cc, "\r\n")] = '\0';
                first = 0;
            }
        int st = pclose(p);
        cc_ok = st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 0;
    }
    char detail[768];
    snprintf(detail, sizeof detail, "%s %s %s, %ld CPU%s; C compiler: %s", u.sysname, u.release,
             u.machine, ncpu, ncpu == 1 ? "" : "s",
             cc_ok ? cc : "NOT available: cc not found (apt-get install gcc, or set device.cc)");
    neurio_probe_entry pe = {NEURIO_PROBE_ENTRY_SIZE, .kind = "workstation",
                             .id = u.nodename[0] ? u.nodename : "localhost", .detail = detail};
    fn(user, &pe);
    return NEURIO_OK;
}

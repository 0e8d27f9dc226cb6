/* plugins/riscv/src/rv_proc.c — QEMU and its UART socket (see rv.h); the
 * child process itself is the port kit's (neurio_child_*). */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <time.h>

#include "rv.h"

int rv_fmt(char *out, size_t cap, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(out, cap, fmt, ap);
    va_end(ap);
    return n < 0 || (size_t)n >= cap ? -1 : 0;
}

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

int rv_qemu_start(rv_qemu *q, const char *qemu, const char *cpu, const char *elf,
                  const char *work_dir, int timeout_ms, neurio_transport **t,
                  neurio_errbuf *err)
{
    memset(q, 0, sizeof *q);
    *t = NULL;
    rv_fmt(q->log_path, sizeof q->log_path, "%s/qemu.log", work_dir);
    /* sun_path holds 107 bytes: the socket lives in a private /tmp directory */
    rv_fmt(q->tmp_dir, sizeof q->tmp_dir, "/tmp/neurio-rv-XXXXXX");
    if (!mkdtemp(q->tmp_dir))
        return neurio_fail(err, NEURIO_ERR_IO, "mkdtemp in /tmp: %s", strerror(errno));
    rv_fmt(q->sock_path, sizeof q->sock_path, "%s/uart.sock", q->tmp_dir);
    char chardev[200]; /* the path has no ',' (QEMU's option separator): mkdtemp's */
    rv_fmt(chardev, sizeof chardev, "socket,id=link,path=%s,server=on,wait=on", q->sock_path);
    char *argv[] = {(char *)qemu, "-M", "virt", "-cpu", (char *)cpu, "-bios", "none",
                    "-icount", "shift=0,sleep=off", "-nographic", "-monitor", "none",
                    "-chardev", chardev, "-serial", "chardev:link", "-kernel", (char *)elf,
                    NULL};
    unlink(q->log_path);
    int rc = neurio_child_spawn(&q->child, argv, q->log_path, err);
    long long end = now_ms() + (timeout_ms > 0 ? timeout_ms : 10000);
    struct stat st;
    while (!rc && stat(q->sock_path, &st) != 0) {
        char tail[300];
        if (neurio_child_exited(&q->child)) {
            neurio_log_tail(q->log_path, tail, sizeof tail);
            rc = neurio_fail(err, NEURIO_ERR_DEVICE, "%s exited (status %d) before opening its "
                             "UART socket: %s (Debian: qemu-system-misc; or set device.qemu)",
                             qemu, q->child.status, tail);
        } else if (now_ms() > end) {
            rc = neurio_fail(err, NEURIO_ERR_TIMEOUT, "QEMU did not open %s within %d ms "
                             "(log: %s)", q->sock_path, timeout_ms, q->log_path);
        }
        sleep_ms(5);
    }
    if (!rc) {
        long long left = end - now_ms();
        rc = neurio_transport_unix_open(q->sock_path, left > 100 ? (int)left : 100, t, err);
    }
    if (rc)
        rv_qemu_stop(q);
    return rc;
}

void rv_qemu_stop(rv_qemu *q)
{
    neurio_child_stop(&q->child, 2000);
    if (q->tmp_dir[0] && (unlink(q->sock_path) == 0 || errno == ENOENT))
        rmdir(q->tmp_dir);
    q->tmp_dir[0] = '\0';
}

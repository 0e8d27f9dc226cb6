/* plugins/cortex-m/src/cm_qemu.c — see cm_qemu.h. */
#define _GNU_SOURCE
#include "cm_qemu.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int cm_qemu_exited(cm_qemu *q, char *why, size_t cap)
{
    if (!neurio_child_exited(&q->child))
        return 0;
    if (why && cap) {
        int st = q->child.status;
        if (WIFEXITED(st))
            snprintf(why, cap, "exited with status %d", WEXITSTATUS(st));
        else if (WIFSIGNALED(st))
            snprintf(why, cap, "killed by signal %d", WTERMSIG(st));
        else
            snprintf(why, cap, "stopped");
    }
    return 1;
}

size_t cm_qemu_opt_value(char *dst, size_t cap, const char *v)
{
    size_t o = 0;
    if (!cap)
        return 0;
    for (; *v && o + 2 < cap; v++) {
        if (*v == ',')
            dst[o++] = ',';
        dst[o++] = *v;
    }
    dst[o] = '\0';
    return o;
}

int cm_qemu_start(cm_qemu *q, const cm_qemu_args *a, neurio_transport **t,
                  neurio_errbuf *err)
{
    memset(q, 0, sizeof *q);
    *t = NULL;
    int rc;
    snprintf(q->log_path, sizeof q->log_path, "%s/qemu.log", a->work_dir);
    /* sun_path holds 107 characters: fall back to a private /tmp dir. */
    if (strlen(a->work_dir) + sizeof "/uart.sock" <= sizeof q->sock_path) {
        snprintf(q->sock_path, sizeof q->sock_path, "%s/uart.sock", a->work_dir);
    } else {
        snprintf(q->tmp_dir, sizeof q->tmp_dir, "/tmp/neurio-cm-XXXXXX");
        if (!mkdtemp(q->tmp_dir))
            return neurio_fail(err, NEURIO_ERR_IO,
                               "cannot create a directory for the QEMU socket "
                               "in /tmp: %s",
                               strerror(errno));
        snprintf(q->sock_path, sizeof q->sock_path, "%s/uart.sock", q->tmp_dir);
    }
    unlink(q->sock_path);
    if (a->gdb) {
        snprintf(q->gdb_path, sizeof q->gdb_path, "%.*s/gdb.sock",
                 (int)(strlen(q->sock_path) - strlen("/uart.sock")), q->sock_path);
        unlink(q->gdb_path);
    }

    /* QEMU splits option strings at commas; a comma inside a value is
     * written twice. */
    char chardev[512], sock_opt[300], gdb_opt[512];
    cm_qemu_opt_value(sock_opt, sizeof sock_opt, q->sock_path);
    snprintf(chardev, sizeof chardev, "socket,id=link,path=%s,server=on,wait=on", sock_opt);
    cm_qemu_opt_value(sock_opt, sizeof sock_opt, q->gdb_path);
    snprintf(gdb_opt, sizeof gdb_opt, "unix:%s,server=on,wait=off", sock_opt);
    char *argv[] = {
        (char *)a->qemu, "-M", (char *)a->machine,
        "-icount", "shift=0,sleep=off",
        "-nographic", "-monitor", "none",
        "-chardev", chardev, "-serial", "chardev:link",
        "-kernel", (char *)a->elf,
        a->gdb ? "-gdb" : NULL, gdb_opt, "-S",
        NULL,
    };
    FILE *lf = fopen(q->log_path, "w");
    if (lf) {
        fputs("$", lf);
        for (int i = 0; argv[i]; i++)
            fprintf(lf, " %s", argv[i]);
        fputs("\n", lf);
        fclose(lf);
    }
    rc = neurio_child_spawn(&q->child, argv, q->log_path, err);
    if (rc) {
        if (rc == NEURIO_ERR_TOOLCHAIN)
            neurio_fail(err, rc,
                        "cannot run %s (device.qemu): install the Debian package "
                        "qemu-system-arm or set device.qemu to its path",
                        a->qemu);
        goto fail;
    }
    /* Wait for the socket to appear, watching for an early QEMU exit. */
    long long deadline = now_ms() + (a->connect_timeout_ms > 0 ? a->connect_timeout_ms : 10000);
    struct stat st;
    while (stat(q->sock_path, &st) != 0) {
        char why[64];
        if (cm_qemu_exited(q, why, sizeof why)) {
            char tail[300];
            neurio_log_tail(q->log_path, tail, sizeof tail);
            rc = neurio_fail(err, NEURIO_ERR_DEVICE,
                             "QEMU (%s -M %s) %s before opening its UART socket: %s",
                             a->qemu, a->machine, why, tail);
            goto fail;
        }
        if (now_ms() > deadline) {
            rc = neurio_fail(err, NEURIO_ERR_TIMEOUT,
                             "QEMU did not open its UART socket %s within %d ms "
                             "(log: %s)",
                             q->sock_path, a->connect_timeout_ms, q->log_path);
            goto fail;
        }
        struct timespec ts = {0, 5 * 1000000L};
        nanosleep(&ts, NULL);
    }
    int left = (int)(deadline - now_ms());
    rc = neurio_transport_unix_open(q->sock_path, left > 100 ? left : 100, t, err);
    if (rc)
        goto fail;
    return NEURIO_OK;
fail:
    cm_qemu_stop(q);
    return rc;
}

void cm_qemu_stop(cm_qemu *q)
{
    neurio_child_stop(&q->child, 2000);
    if (q->sock_path[0])
        unlink(q->sock_path);
    if (q->gdb_path[0])
        unlink(q->gdb_path);
    if (q->tmp_dir[0]) {
        rmdir(q->tmp_dir);
        q->tmp_dir[0] = '\0';
    }
}

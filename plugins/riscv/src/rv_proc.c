/* plugins/riscv/src/rv_proc.c — child processes and QEMU (see rv.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "rv.h"

int rv_fmt(char *out, size_t cap, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(out, cap, fmt, ap);
    va_end(ap);
    return n < 0 || (size_t)n >= cap ? -1 : 0;
}

void rv_log_tail(const char *path, char *out, size_t cap)
{
    FILE *f = fopen(path, "r");
    size_t n = 0;
    if (f && fseek(f, -(long)(cap - 1), SEEK_END) != 0)
        rewind(f); /* shorter than cap */
    if (f) {
        n = fread(out, 1, cap - 1, f);
        fclose(f);
    }
    for (out[n] = '\0'; n > 0 && out[n - 1] == '\n';)
        out[--n] = '\0';
    for (char *p = out; (p = strchr(p, '\n'));)
        *p = '|';
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

int rv_spawn(rv_child *c, char *const argv[], const char *log_path, neurio_errbuf *err)
{
    memset(c, 0, sizeof *c);
    int log = open(log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (log < 0)
        return neurio_fail(err, NEURIO_ERR_IO, "cannot open %s: %s", log_path, strerror(errno));
    pid_t parent = getpid(), pid = fork();
    if (pid == 0) { /* own process group, killed with us, output to the log */
        setpgid(0, 0);
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        int in = open("/dev/null", O_RDONLY);
        if (getppid() != parent || in < 0 || dup2(in, 0) < 0 || dup2(log, 1) < 0 || dup2(log, 2) < 0)
            _exit(127);
        dprintf(1, "$");
        for (int i = 0; argv[i]; i++) /* the command, for reproduction */
            dprintf(1, " '%s'", argv[i]);
        dprintf(1, "\n");
        execvp(argv[0], argv);
        dprintf(2, "cannot run %s: %s\n", argv[0], strerror(errno));
        _exit(127); /* the caller reads exit 127 and the log */
    }
    close(log);
    if (pid < 0)
        return neurio_fail(err, NEURIO_ERR_IO, "fork: %s", strerror(errno));
    setpgid(pid, pid);
    c->pid = pid;
    return NEURIO_OK;
}

int rv_exited(rv_child *c)
{
    if (c->pid && waitpid(c->pid, &c->status, WNOHANG) == c->pid)
        c->pid = 0;
    return c->pid == 0;
}

void rv_stop(rv_child *c, int grace_ms)
{
    if (c->pid)
        kill(-c->pid, SIGTERM);
    for (int waited = 0; waited < grace_ms && !rv_exited(c); waited += 10)
        sleep_ms(10);
    if (c->pid && kill(-c->pid, SIGKILL) == 0 && waitpid(c->pid, &c->status, 0) == c->pid)
        c->pid = 0;
}

int rv_run(char *const argv[], const char *log_path, int timeout_ms, int *code,
           neurio_errbuf *err)
{
    rv_child c;
    int rc = rv_spawn(&c, argv, log_path, err);
    if (rc)
        return rc;
    for (long long end = now_ms() + timeout_ms; !rv_exited(&c); sleep_ms(20))
        if (now_ms() > end) {
            rv_stop(&c, 0);
            return neurio_fail(err, NEURIO_ERR_TIMEOUT, "%s did not finish within %d ms (log: %s)",
                               argv[0], timeout_ms, log_path);
        }
    *code = WIFEXITED(c.status) ? WEXITSTATUS(c.status) : 128 + WTERMSIG(c.status);
    return NEURIO_OK;
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
    int rc = rv_spawn(&q->child, argv, q->log_path, err);
    long long end = now_ms() + (timeout_ms > 0 ? timeout_ms : 10000);
    struct stat st;
    while (!rc && stat(q->sock_path, &st) != 0) {
        char tail[300];
        if (rv_exited(&q->child)) {
            rv_log_tail(q->log_path, tail, sizeof tail);
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
    rv_stop(&q->child, 2000);
    if (q->tmp_dir[0] && (unlink(q->sock_path) == 0 || errno == ENOENT))
        rmdir(q->tmp_dir);
    q->tmp_dir[0] = '\0';
}

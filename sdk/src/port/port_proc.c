/* sdk/src/port/port_proc.c — child processes for plugins (neurio/port.h). */
#define _GNU_SOURCE
#include "neurio/port.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(int ms)
{
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* fork + exec with the child in its own process group.  A pipe with
 * O_CLOEXEC reports an exec failure (errno) back to the parent. */
static int spawn(pid_t *out, char *const argv[], const char *log_path,
                 int die_with_parent, neurio_errbuf *err)
{
    int pfd[2];
    if (pipe2(pfd, O_CLOEXEC) != 0)
        return neurio_fail(err, NEURIO_ERR_IO, "cannot start %s: pipe: %s",
                           argv[0], strerror(errno));
    int logfd = open(log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (logfd < 0) {
        int e = errno;
        close(pfd[0]);
        close(pfd[1]);
        return neurio_fail(err, NEURIO_ERR_IO, "cannot open log %s: %s",
                           log_path, strerror(e));
    }
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid < 0) {
        int e = errno;
        close(pfd[0]);
        close(pfd[1]);
        close(logfd);
        return neurio_fail(err, NEURIO_ERR_IO, "cannot start %s: fork: %s",
                           argv[0], strerror(e));
    }
    if (pid == 0) {
        setpgid(0, 0);
        if (die_with_parent) {
            prctl(PR_SET_PDEATHSIG, SIGKILL);
            if (getppid() != parent)
                _exit(127);
        }
        int nul = open("/dev/null", O_RDONLY);
        if (nul >= 0)
            dup2(nul, 0);
        dup2(logfd, 1);
        dup2(logfd, 2);
        signal(SIGINT, SIG_DFL);
        signal(SIGPIPE, SIG_DFL);
        execvp(argv[0], argv);
        int e = errno;
        ssize_t w = write(pfd[1], &e, sizeof e);
        (void)w;
        _exit(127);
    }
    setpgid(pid, pid); /* also from the parent: no race with kill(-pid) */
    close(pfd[1]);
    close(logfd);
    int child_errno = 0;
    ssize_t n;
    do {
        n = read(pfd[0], &child_errno, sizeof child_errno);
    } while (n < 0 && errno == EINTR);
    close(pfd[0]);
    if (n == (ssize_t)sizeof child_errno) {
        int st;
        while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {
        }
        return neurio_fail(err, NEURIO_ERR_TOOLCHAIN,
                           "cannot run %s: %s%s", argv[0], strerror(child_errno),
                           child_errno == ENOENT ? " (not in PATH: install the "
                                                   "Debian package that provides it "
                                                   "or set the plugin's path option)"
                                                 : "");
    }
    *out = pid;
    return NEURIO_OK;
}

static int decode_status(int st)
{
    if (WIFEXITED(st))
        return WEXITSTATUS(st);
    if (WIFSIGNALED(st))
        return 128 + WTERMSIG(st);
    return 255;
}

int neurio_proc_run(char *const argv[], const char *log_path, int timeout_ms,
                int *exit_code, neurio_errbuf *err)
{
    pid_t pid;
    int rc = spawn(&pid, argv, log_path, 1, err);
    if (rc)
        return rc;
    long long deadline = timeout_ms < 0 ? -1 : now_ms() + timeout_ms;
    int st = 0, delay = 1;
    for (;;) {
        pid_t w = waitpid(pid, &st, WNOHANG);
        if (w == pid)
            break;
        if (w < 0 && errno != EINTR) {
            *exit_code = 255;
            return neurio_fail(err, NEURIO_ERR_INTERNAL, "waitpid(%s): %s",
                               argv[0], strerror(errno));
        }
        if (deadline >= 0 && now_ms() > deadline) {
            kill(-pid, SIGKILL);
            while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {
            }
            return neurio_fail(err, NEURIO_ERR_TIMEOUT,
                               "%s did not finish within %d ms (killed); see %s",
                               argv[0], timeout_ms, log_path);
        }
        sleep_ms(delay);
        if (delay < 50)
            delay *= 2;
    }
    *exit_code = decode_status(st);
    return NEURIO_OK;
}

int neurio_child_spawn(neurio_child *c, char *const argv[], const char *log_path,
                   neurio_errbuf *err)
{
    memset(c, 0, sizeof *c);
    return spawn(&c->pid, argv, log_path, 1, err);
}

int neurio_child_exited(neurio_child *c)
{
    if (c->pid <= 0 || c->reaped)
        return 1;
    int st;
    pid_t w = waitpid(c->pid, &st, WNOHANG);
    if (w == c->pid) {
        c->status = st;
        c->reaped = 1;
        return 1;
    }
    return 0;
}

void neurio_child_stop(neurio_child *c, int grace_ms)
{
    if (c->pid <= 0)
        return;
    if (!c->reaped) {
        kill(-c->pid, SIGTERM);
        long long deadline = now_ms() + grace_ms;
        while (!neurio_child_exited(c) && now_ms() < deadline)
            sleep_ms(5);
        if (!c->reaped) {
            kill(-c->pid, SIGKILL);
            int st;
            while (waitpid(c->pid, &st, 0) < 0 && errno == EINTR) {
            }
            c->status = st;
            c->reaped = 1;
        }
    }
    /* Anything else left in the group (there should be nothing). */
    kill(-c->pid, SIGKILL);
    c->pid = 0;
}

void neurio_log_tail(const char *path, char *out, size_t max)
{
    out[0] = '\0';
    if (max < 8)
        return;
    FILE *f = fopen(path, "rb");
    if (!f)
        return;
    char buf[2048];
    size_t want = max - 1 < sizeof buf - 1 ? max - 1 : sizeof buf - 1;
    long off = 0;
    if (fseek(f, 0, SEEK_END) == 0) {
        long size = ftell(f);
        off = size > (long)want ? size - (long)want : 0;
    }
    fseek(f, off, SEEK_SET);
    size_t n = fread(buf, 1, want, f);
    fclose(f);
    buf[n] = '\0';
    char *s = buf;
    if (off > 0) { /* skip the partial first line */
        char *nl = strchr(s, '\n');
        if (nl)
            s = nl + 1;
    }
    size_t o = 0;
    for (; *s && o + 4 < max; s++) {
        if (*s == '\n') {
            if (s[1] == '\0')
                break;
            memcpy(out + o, " | ", 3);
            o += 3;
        } else if (*s != '\r') {
            out[o++] = *s;
        }
    }
    out[o] = '\0';
}

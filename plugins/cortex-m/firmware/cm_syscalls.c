/* plugins/cortex-m/firmware/cm_syscalls.c — the few newlib system calls a
 * bare-metal image can reach (through printf, malloc, abort in libm/libc
 * corners).  The runtime never allocates, and the RAM after .bss is the
 * batch buffer (cm_platform.c), so _sbrk always fails with ENOMEM: a stray
 * malloc returns NULL instead of overwriting batch data.  C99. */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#include "cm_board.h"

void *_sbrk(ptrdiff_t incr);
int _write(int fd, const void *buf, size_t len);
int _read(int fd, void *buf, size_t len);
int _close(int fd);
int _fstat(int fd, struct stat *st);
int _isatty(int fd);
long _lseek(int fd, long off, int whence);
void _exit(int code) __attribute__((noreturn));
int _kill(int pid, int sig);
int _getpid(void);

void *_sbrk(ptrdiff_t incr)
{
    (void)incr;
    errno = ENOMEM;
    return (void *)-1;
}

/* stdout/stderr would interleave with link frames: drop them. */
int _write(int fd, const void *buf, size_t len)
{
    (void)fd;
    (void)buf;
    return (int)len;
}

int _read(int fd, void *buf, size_t len)
{
    (void)fd;
    (void)buf;
    (void)len;
    return 0;
}

int _close(int fd)
{
    (void)fd;
    return -1;
}

int _fstat(int fd, struct stat *st)
{
    (void)fd;
    st->st_mode = S_IFCHR;
    return 0;
}

int _isatty(int fd)
{
    (void)fd;
    return 1;
}

long _lseek(int fd, long off, int whence)
{
    (void)fd;
    (void)off;
    (void)whence;
    return 0;
}

void _exit(int code)
{
    (void)code;
    cm_board_reset();
}

int _kill(int pid, int sig)
{
    (void)pid;
    (void)sig;
    errno = EINVAL;
    return -1;
}

int _getpid(void)
{
    return 1;
}

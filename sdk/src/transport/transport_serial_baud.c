/* sdk/src/transport/transport_serial_baud.c — arbitrary baud rates through Linux's
 * termios2 + BOTHER.  Kept apart because <asm/termbits.h> cannot be mixed
 * with glibc's <termios.h>. */
#include <errno.h>
#include <stdint.h>

#ifdef __linux__
#include <asm/ioctls.h>
#include <asm/termbits.h>

int ioctl(int fd, unsigned long request, ...);
int tp_serial_set_custom_baud(int fd, uint32_t baud);

int tp_serial_set_custom_baud(int fd, uint32_t baud)
{
    struct termios2 t2;
    if (ioctl(fd, TCGETS2, &t2) != 0)
        return -1;
    t2.c_cflag &= ~(tcflag_t)(CBAUD | (CBAUD << IBSHIFT));
    t2.c_cflag |= BOTHER | (BOTHER << IBSHIFT);
    t2.c_ispeed = baud;
    t2.c_ospeed = baud;
    return ioctl(fd, TCSETS2, &t2);
}
#else
int tp_serial_set_custom_baud(int fd, uint32_t baud);
int tp_serial_set_custom_baud(int fd, uint32_t baud)
{
    (void)fd;
    (void)baud;
    errno = ENOTSUP;
    return -1;
}
#endif

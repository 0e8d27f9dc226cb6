/* sdk/src/transport/transport_serial.c — serial ports and ptys: raw 8N1, no flow
 * control, any baud rate (standard B* constants through termios, others
 * through termios2/BOTHER in transport_serial_baud.c). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "transport_internal.h"

typedef struct tp_baud {
    uint32_t rate;
    speed_t code;
} tp_baud;

static const tp_baud tp_bauds[] = {
    {50, B50}, {75, B75}, {110, B110}, {134, B134}, {150, B150}, {200, B200},
    {300, B300}, {600, B600}, {1200, B1200}, {1800, B1800}, {2400, B2400},
    {4800, B4800}, {9600, B9600}, {19200, B19200}, {38400, B38400},
    {57600, B57600}, {115200, B115200}, {230400, B230400}, {460800, B460800},
    {500000, B500000}, {576000, B576000}, {921600, B921600},
    {1000000, B1000000}, {1152000, B1152000}, {1500000, B1500000},
    {2000000, B2000000}, {2500000, B2500000}, {3000000, B3000000},
    {3500000, B3500000}, {4000000, B4000000},
};

static const char *perm_hint(int e)
{
    if (e == EACCES || e == EPERM)
        return " (add yourself to the 'dialout' group: sudo usermod -aG dialout $USER, then log in again)";
    if (e == ENOENT)
        return " (is the board plugged in? `neurio probe` lists serial ports)";
    if (e == EBUSY)
        return " (another program has the port open; close it)";
    return "";
}

int neurio_transport_serial_open(const char *path, uint32_t baud,
                                 neurio_transport **out, neurio_errbuf *err)
{
    char desc[300];
    *out = NULL;
    snprintf(desc, sizeof desc, "serial:%s@%u", path ? path : "", (unsigned)baud);
    if (!path || !*path || baud == 0)
        return neurio_fail(err, NEURIO_ERR_CONFIG, "%s: expected serial:/dev/ttyX[@BAUD]", desc);
    int fd = open(path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        int e = errno;
        return neurio_fail(err, e == ENOENT ? NEURIO_ERR_CONFIG : NEURIO_ERR_IO,
                           "%s: cannot open: %s%s", desc, strerror(e), perm_hint(e));
    }
    struct termios tio;
    if (tcgetattr(fd, &tio) != 0) {
        int e = errno;
        close(fd);
        return neurio_fail(err, NEURIO_ERR_CONFIG, "%s: not a serial port or pty: %s", desc, strerror(e));
    }
    cfmakeraw(&tio);
    tio.c_cflag |= CLOCAL | CREAD;
    tio.c_cflag &= ~(tcflag_t)(CSTOPB | PARENB | CRTSCTS);
    tio.c_iflag &= ~(tcflag_t)(IXON | IXOFF | IXANY);
    tio.c_cc[VMIN] = 1;
    tio.c_cc[VTIME] = 0;
    int custom = 1;
    for (size_t i = 0; i < sizeof tp_bauds / sizeof tp_bauds[0]; i++) {
        if (tp_bauds[i].rate == baud) {
            cfsetispeed(&tio, tp_bauds[i].code);
            cfsetospeed(&tio, tp_bauds[i].code);
            custom = 0;
            break;
        }
    }
    if (tcsetattr(fd, TCSANOW, &tio) != 0) {
        int e = errno;
        close(fd);
        return neurio_fail(err, NEURIO_ERR_IO, "%s: cannot configure the port: %s", desc, strerror(e));
    }
    if (custom && tp_serial_set_custom_baud(fd, baud) != 0) {
        int e = errno;
        close(fd);
        return neurio_fail(err, NEURIO_ERR_UNSUPPORTED,
                           "%s: the driver refused the non-standard rate %u baud (%s); use a standard rate such as 115200 or 921600",
                           desc, (unsigned)baud, strerror(e));
    }
    tcflush(fd, TCIOFLUSH);
    return tp_fd_wrap(fd, 1, "serial", desc, out, err);
}

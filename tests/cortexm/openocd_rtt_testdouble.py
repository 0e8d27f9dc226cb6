#!/usr/bin/python3
# tests/cortexm/openocd_rtt_testdouble.py — a TEST DOUBLE of OpenOCD's RTT
# server (no board is attached to this machine): it accepts the command line
# the cortex-m plugin gives openocd (cm_openocd.c), checks the RTT commands
# are there in order, listens on 127.0.0.1:<port of "rtt server start">,
# and echoes every byte of one connection back (standing in for the
# device's up/down buffer 0).  Exit 3 on an unexpected command line.
import socket
import sys

cmds = [sys.argv[i + 1] for i in range(1, len(sys.argv) - 1) if sys.argv[i] == "-c"]
want = ["script ", "init", "rtt setup 0x", "rtt start", "rtt server start "]
if len(cmds) != len(want) or any(not c.startswith(w) for c, w in zip(cmds, want)):
    print("openocd test double: unexpected commands %r" % cmds, file=sys.stderr)
    sys.exit(3)
if not cmds[2].endswith(" 76 {SEGGER RTT}"):
    print("openocd test double: bad rtt setup %r" % cmds[2], file=sys.stderr)
    sys.exit(3)
port = int(cmds[4].split()[3])
srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(("127.0.0.1", port))
srv.listen(1)
conn, _ = srv.accept()
while True:
    data = conn.recv(4096)
    if not data:
        break
    conn.sendall(data)

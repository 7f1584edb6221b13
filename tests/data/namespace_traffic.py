"""Run inside a network namespace: two servers on 127.0.0.1 and one client connection to each.
Port P reads slowly through a 4 KiB receive buffer for half a second (the window closes: zero
windows, probes, window updates); port P+1 reads at once through the default buffer (with the
namespace's random drop rule: duplicate ACKs, fast and timeout retransmissions). Every socket
call has a timeout, so the run is bounded."""

import socket
import sys
import threading
import time

PORT = int(sys.argv[1])


def listener(port: int, rcvbuf: int | None) -> socket.socket:
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if rcvbuf:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    s.bind(("127.0.0.1", port))
    s.listen(1)
    s.settimeout(10)
    return s


def serve(srv: socket.socket, slow: bool) -> None:
    conn, _ = srv.accept()
    conn.settimeout(10)
    start = time.monotonic()
    while True:
        if slow and time.monotonic() - start < 0.6:
            time.sleep(0.05)
            data = conn.recv(256)
        else:
            data = conn.recv(65536)
        if not data:
            break
    conn.sendall(b"done")
    conn.close()


servers = [listener(PORT, 4096), listener(PORT + 1, None)]
threads = [threading.Thread(target=serve, args=(s, i == 0)) for i, s in enumerate(servers)]
for t in threads:
    t.start()
for port, size in ((PORT, 60_000), (PORT + 1, 400_000)):
    c = socket.create_connection(("127.0.0.1", port), timeout=10)
    c.sendall(bytes(size))
    c.shutdown(socket.SHUT_WR)
    while c.recv(16):
        pass
    c.close()
for t in threads:
    t.join(timeout=10)

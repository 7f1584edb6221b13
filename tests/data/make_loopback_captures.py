"""Capture real Linux TCP segments on loopback into tests/data/ (run as root; needs tcpdump).

    python tests/data/make_loopback_captures.py

For each of 127.0.0.1 and ::1: a connection (SYN, SYN-ACK, ACK, data both ways, FIN from each
side) between a small socket server and client on free loopback ports, then one connection
attempt to a closed port (answered by a kernel RST). tcpdump captures `-i lo` with a filter on
those ports, then reads the file back with `-vv -n -S` into a .tcpdump.txt beside it, which the
tests use as tcpdump's verdict on every checksum.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def free_port(family: int, host: str) -> int:
    with socket.socket(family, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def conversation(family: int, host: str, port: int, closed_port: int) -> None:
    server = socket.socket(family, socket.SOCK_STREAM)
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind((host, port))
    server.listen(1)

    def serve() -> None:
        conn, _ = server.accept()
        with conn:
            data = conn.recv(100)
            conn.sendall(b"echo: " + data)
            conn.recv(100)  # the client's FIN
        server.close()

    t = threading.Thread(target=serve)
    t.start()
    with socket.create_connection((host, port)) as client:
        client.sendall(b"hello from netutil\n")
        client.recv(100)
        time.sleep(0.05)
    t.join()
    time.sleep(0.05)
    refused = socket.socket(family, socket.SOCK_STREAM)
    try:
        refused.connect((host, closed_port))
    except ConnectionRefusedError:
        pass
    finally:
        refused.close()


def capture(name: str, family: int, host: str) -> None:
    port, closed_port = free_port(family, host), free_port(family, host)
    pcap = HERE / f"{name}.pcap"
    proc = subprocess.Popen(
        [
            "tcpdump",
            "-i",
            "lo",
            "-U",
            "-Z",
            "root",
            "-w",
            str(pcap),
            f"tcp and (port {port} or port {closed_port})",
        ],
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stderr is not None
    proc.stderr.readline()  # "listening on lo, ..." once the capture is running
    time.sleep(1.5)  # the kernel needs a moment before the first packet is seen
    conversation(family, host, port, closed_port)
    time.sleep(1.5)
    proc.terminate()
    proc.wait(timeout=10)
    text = subprocess.run(
        ["tcpdump", "-vv", "-n", "-S", "-r", str(pcap)], capture_output=True, text=True, check=True
    ).stdout
    (HERE / f"{name}.tcpdump.txt").write_text(text)
    print(text)


if __name__ == "__main__":
    capture("loopback_ipv4", socket.AF_INET, "127.0.0.1")
    capture("loopback_ipv6", socket.AF_INET6, "::1")
    sys.exit(0)

"""Build+pack and parse of an IPv4 SYN (MSS, SACK-permitted, timestamps, window scale), and the
round trip, against scapy and dpkt.

Every contender builds the header objects each time and computes both checksums; netutil also
lays out and encodes the options from typed values and parses them back into typed options,
while dpkt is handed the options as raw bytes (it has no option builder) and parses them into
(kind, bytes) pairs. Goal (issue 5): faster than dpkt, the faster peer.
"""

from __future__ import annotations

from benchmarks import harness


def run(quick: bool) -> None:
    import ipaddress

    import dpkt
    from scapy.layers.inet import IP, TCP

    from netutil.packet import build_packet, parse_packet
    from netutil.segment import TCPFlag, TCPHeader, standard_options

    src, dst = ipaddress.IPv4Address("192.0.2.1"), ipaddress.IPv4Address("198.51.100.2")
    scapy_opts = [("MSS", 1460), ("SAckOK", b""), ("Timestamp", (100, 0)), ("NOP", None),
                  ("WScale", 7)]  # fmt: skip

    def ours_build() -> bytes:
        options = standard_options(mss=1460, sack_permitted=True, timestamps=(100, 0),
                                   window_scale=7)  # fmt: skip
        h = TCPHeader(40000, 80, 1000, 0, TCPFlag.SYN, 64240, 0, options)
        return build_packet(h, b"", src, dst)

    raw = ours_build()
    raw_opts = raw[40:60]

    def scapy_build() -> bytes:
        return bytes(
            IP(src="192.0.2.1", dst="198.51.100.2", flags="DF", id=0)
            / TCP(sport=40000, dport=80, seq=1000, flags="S", window=64240, options=scapy_opts)
        )

    def dpkt_build() -> bytes:
        tcp = dpkt.tcp.TCP(sport=40000, dport=80, seq=1000, ack=0, flags=dpkt.tcp.TH_SYN,
                           win=64240, opts=raw_opts)  # fmt: skip
        tcp.off = 10
        ip = dpkt.ip.IP(src=src.packed, dst=dst.packed, p=6, ttl=64, id=0, df=1,
                        data=tcp)  # fmt: skip
        ip.len = 60
        return bytes(ip)

    assert scapy_build() == raw, "scapy builds different bytes"
    assert dpkt_build() == raw, "dpkt builds different bytes"

    def ours_parse(b: bytes = raw):
        return parse_packet(b).segment.header.options

    def scapy_parse(b: bytes = raw):
        return IP(b)[TCP].options

    def dpkt_parse(b: bytes = raw):
        return dpkt.tcp.parse_opts(dpkt.ip.IP(b).data.opts)

    number = 500 if quick else 3000
    repeat = 5 if quick else 9
    cases = [
        ("IPv4 SYN build+pack", ours_build, scapy_build, dpkt_build),
        ("IPv4 SYN parse", ours_parse, scapy_parse, dpkt_parse),
        (
            "IPv4 SYN round trip",
            lambda: ours_parse(ours_build()),
            lambda: scapy_parse(scapy_build()),
            lambda: dpkt_parse(dpkt_build()),
        ),
    ]
    for label, ours, scapy_fn, dpkt_fn in cases:
        ours_t = harness.time_calls(ours, repeat, number)
        dpkt_t = harness.time_calls(dpkt_fn, repeat, number)
        harness.report(f"{label} vs dpkt", ours_t, "dpkt", dpkt_t, goal="> 1x (faster than dpkt)")
        scapy_t = harness.time_calls(scapy_fn, repeat, max(1, number // 10))
        harness.report(f"{label} vs scapy", ours_t, "scapy", scapy_t)
    _pcap_memory(quick)


def _pcap_memory(quick: bool) -> None:
    """Listing a big capture (RAW link type, 1000-byte payloads) start to finish in a fresh
    process: netutil parses each packet to typed fields and verifies both checksums; dpkt's
    reader parses IP and TCP and splits the options, checking nothing. Peak memory stays at
    the interpreter's own because the reader streams."""
    import os
    import tempfile

    from netutil.packet import build_packet
    from netutil.pcap import write_pcap
    from netutil.segment import TCPFlag, TCPHeader, standard_options

    count = 20000 if quick else 200000
    options = standard_options(timestamps=(1, 2))
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "big.pcap")
        with open(path, "wb") as f:
            packets = (
                (i * 0.001, build_packet(
                    TCPHeader(40000, 80, i * 1000, 1, TCPFlag.ACK, 512, 0, options),
                    b"x" * 1000, "192.0.2.1", "198.51.100.2"))
                for i in range(count)
            )  # fmt: skip
            write_pcap(f, packets)
        size_mib = os.path.getsize(path) / 2**20
        # VmHWM is this process's own peak (ru_maxrss can carry the forking parent's over exec).
        peak = (
            "print(next(ln.split()[1] for ln in open('/proc/self/status')"
            " if ln.startswith('VmHWM')))\n"
        )
        code = (
            "from netutil.pcap import tcp_segments\n"
            f"with open({path!r}, 'rb') as f:\n"
            "    n = sum(1 for s in tcp_segments(f) if s.packet.segment.checksum_ok)\n"
            f"assert n == {count}, n\n" + peak
        )
        ours = harness.run_child(code)
        base = harness.run_child("import netutil.pcap\n" + peak)
        peer = harness.run_child(
            "import dpkt\n"
            f"with open({path!r}, 'rb') as f:\n"
            "    n = sum(1 for ts, buf in dpkt.pcap.Reader(f)\n"
            "            if dpkt.tcp.parse_opts(dpkt.ip.IP(buf).data.opts))\n"
        )
        harness.report(f"list {count} segments ({size_mib:.0f} MiB pcap)", [ours.seconds],
                       "dpkt", [peer.seconds])  # fmt: skip
        ours_kib, base_kib = int(ours.stdout.split()[-1]), int(base.stdout.split()[-1])
        harness.note(
            f"peak RSS (VmHWM) listing {size_mib:.0f} MiB: {ours_kib / 1024:.1f} MiB "
            f"(interpreter + imports alone: {base_kib / 1024:.1f} MiB)"
        )

"""One core call builds a segment from the header's named fields, for the CLI and the API."""

from __future__ import annotations

import dpkt

from netutil.checksum import ones_complement_sum
from netutil.packet import build_from_fields


def test_fields_become_the_segment_dpkt_reads():
    built = build_from_fields(
        "192.0.2.1", 1234, "192.0.2.2", 80, seq=1, flags=["SYN"], mss=1460,
        sack_permitted=True, timestamps=[1, 2], wscale=7, payload=b"hi",
    ).as_dict()  # fmt: skip
    tcp = dpkt.tcp.TCP(bytes.fromhex(built["segment_hex"]))
    assert (tcp.sport, tcp.dport, tcp.seq, tcp.ack, tcp.flags) == (1234, 80, 1, 0, dpkt.tcp.TH_SYN)
    assert tcp.data == b"hi"
    kinds = [kind for kind, _ in dpkt.tcp.parse_opts(tcp.opts)]
    # Linux's layout: MSS, SACK-permitted, timestamps, NOP, window scale
    assert kinds == [dpkt.tcp.TCP_OPT_MSS, dpkt.tcp.TCP_OPT_SACKOK, dpkt.tcp.TCP_OPT_TIMESTAMP,
                     dpkt.tcp.TCP_OPT_NOP, dpkt.tcp.TCP_OPT_WSCALE]  # fmt: skip
    # RFC 9293 3.1 pseudo-header: the sum over it and the segment folds to 0xFFFF
    pseudo = bytes([192, 0, 2, 1, 192, 0, 2, 2, 0, 6]) + len(tcp).to_bytes(2, "big")
    assert ones_complement_sum(pseudo + bytes(tcp)) == 0xFFFF


def test_cli_and_api_answer_what_the_core_call_builds(capsys):
    import json

    from api import create_app
    from netutil.cli import main

    argv = ["tcp", "header", "build", "--src", "192.0.2.1:1234", "--dst", "192.0.2.2:80",
            "--flags", "SYN,ACK", "--seq", "7", "--ack", "9", "--mss", "536", "--json"]  # fmt: skip
    assert main(argv) == 0
    cli = json.loads(capsys.readouterr().out)
    core = build_from_fields(
        "192.0.2.1", 1234, "192.0.2.2", 80, seq=7, ack=9, flags=["SYN", "ACK"], mss=536
    ).as_dict()
    assert cli == json.loads(json.dumps(core))
    body = {"src": "192.0.2.1", "src_port": 1234, "dst": "192.0.2.2", "dst_port": 80, "seq": 7,
            "ack": 9, "flags": ["SYN", "ACK"], "mss": 536}  # fmt: skip
    r = create_app({"TESTING": True}).test_client().post("/api/tcp/header", json=body)
    assert r.status_code == 200, r.get_data(as_text=True)
    assert r.json == cli

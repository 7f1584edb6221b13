"""Every endpoint over raw HTTP against the real gunicorn, each answer checked against an
independent reference: the standard library's `ipaddress`, RFC 1071's worked example, scapy's
packets, dpkt's pcap reader, the RFC 9293 state list."""

from __future__ import annotations

import io
import ipaddress

import pytest
import requests

pytestmark = pytest.mark.integration

PCAP = "application/vnd.tcpdump.pcap"


def get(service, path, **params):
    r = requests.get(service + path, params=params, timeout=30)
    assert r.status_code == 200, r.text
    assert r.headers["Content-Type"] == "application/json"
    return r.json()


def post(service, path, body):
    r = requests.post(service + path, json=body, timeout=30)
    assert r.status_code == 200, r.text
    return r.json()


def test_subnet_info_by_path_with_slash(service):
    body = get(service, "/api/subnet/10.1.2.0/24")
    net = ipaddress.ip_network("10.1.2.0/24")
    assert body["network"] == str(net)
    assert body["num_addresses"] == str(net.num_addresses)
    assert body["broadcast_address"] == str(net.broadcast_address)
    assert body["netmask"] == str(net.netmask)
    assert body["first_host"] == "10.1.2.1" and body["last_host"] == "10.1.2.254"
    six = get(service, "/api/subnet/::/0")
    assert six["num_addresses"] == str(2**128)


def test_subnet_info_strict_query(service):
    assert get(service, "/api/subnet/10.1.2.3/24")["host_bits_set"] is True
    r = requests.get(service + "/api/subnet/10.1.2.3/24", params={"strict": "true"}, timeout=5)
    assert r.status_code == 422
    assert "host bits set" in r.json()["detail"]


def test_split_pages_with_limit_and_cursor_cover_the_network(service):
    expected = [str(n) for n in ipaddress.ip_network("10.0.0.0/22").subnets(new_prefix=30)]
    seen, cursor = [], "0"
    while cursor is not None:
        page = get(
            service, "/api/subnet/split", network="10.0.0.0/22", new_prefix=30, limit=100,
            cursor=cursor,
        )  # fmt: skip
        assert page["total"] == "256" and page["limit"] == 100
        seen += [item["network"] for item in page["items"]]
        cursor = page["next_start"]
    assert seen == expected


def test_split_deep_page_is_computed_directly(service):
    page = get(
        service, "/api/subnet/split", network="10.0.0.0/8", new_prefix=32, limit=3,
        cursor=str(2**24 - 3),
    )  # fmt: skip
    last = int(ipaddress.ip_address("10.255.255.255"))
    assert [i["network"] for i in page["items"]] == [
        f"{ipaddress.ip_address(last - k)}/32" for k in (2, 1, 0)
    ]
    assert page["next_start"] is None


def test_split_without_limit_gives_at_most_a_page(service):
    from api import limits

    page = get(service, "/api/subnet/split", network="10.0.0.0/8", new_prefix=24)
    assert page["count"] == limits.PAGE_MAX == page["limit"]
    assert page["next_start"] == str(limits.PAGE_MAX)


def test_split_by_hosts_repeated_parameter(service):
    body = get(service, "/api/subnet/split", network="192.168.1.0/24", hosts=[50, 20, 10, 2])
    assert [i["network"] for i in body["items"]] == [
        "192.168.1.0/26", "192.168.1.64/27", "192.168.1.96/28", "192.168.1.112/31",
    ]  # fmt: skip


def test_summarize_matches_collapse_addresses(service):
    items = ["10.0.0.0/25", "10.0.0.128/25", "10.0.1.0/24", "192.168.0.1", "2001:db8::/33",
             "2001:db8:8000::/33"]  # fmt: skip
    body = post(service, "/api/subnet/summarize", {"items": items})
    nets = [ipaddress.ip_network(i) for i in items]
    expected = [str(n) for v in (4, 6) for n in ipaddress.collapse_addresses(
        [n for n in nets if n.version == v])]  # fmt: skip
    assert [i["network"] for i in body["items"]] == expected


def test_range_matches_summarize_address_range(service):
    body = get(service, "/api/subnet/range", start_address="10.0.0.1", end_address="10.0.0.6")
    expected = ipaddress.summarize_address_range(
        ipaddress.ip_address("10.0.0.1"), ipaddress.ip_address("10.0.0.6")
    )
    assert [i["network"] for i in body["items"]] == [str(n) for n in expected]


def test_contains_and_overlap_match_ipaddress(service):
    a, b = ipaddress.ip_network("10.0.0.0/8"), ipaddress.ip_network("10.1.0.0/16")
    body = get(service, "/api/subnet/contains", network=str(a), other=str(b))
    assert body["contains"] is b.subnet_of(a)
    body = get(service, "/api/subnet/overlap", a=str(a), b="11.0.0.0/8")
    assert body["overlaps"] is a.overlaps(ipaddress.ip_network("11.0.0.0/8")) is False


def test_exclude_matches_address_exclude(service):
    body = post(service, "/api/subnet/exclude", {"network": "10.0.0.0/24",
                                                 "excluded": ["10.0.0.64/26"]})  # fmt: skip
    expected = sorted(ipaddress.ip_network("10.0.0.0/24").address_exclude(
        ipaddress.ip_network("10.0.0.64/26")))  # fmt: skip
    assert [i["network"] for i in body["items"]] == [str(n) for n in expected]


def test_checksum_rfc1071_example(service):
    # RFC 1071 section 3: the bytes 00 01 f2 03 f4 f5 f6 f7 sum to 0xddf2; checksum 0x220d.
    body = post(service, "/api/checksum", {"data": "0001f203f4f5f6f7"})
    assert (body["sum_hex"], body["checksum_hex"], body["verifies"]) == ("0xddf2", "0x220d", False)


def test_tcp_header_build_equals_scapy(service):
    from scapy.all import IP, TCP

    body = post(service, "/api/tcp/header", {
        "src": "10.0.0.1", "src_port": 1234, "dst": "10.0.0.2", "dst_port": 80, "seq": 1000,
        "flags": ["SYN"], "window": 64240, "mss": 1460, "ip": True,
    })  # fmt: skip
    packet = IP(bytes.fromhex(body["hex"]))
    assert (packet[TCP].sport, packet[TCP].dport, packet[TCP].seq) == (1234, 80, 1000)
    assert packet[TCP].flags == "S" and dict(packet[TCP].options)["MSS"] == 1460
    original = packet[TCP].chksum
    del packet[TCP].chksum
    assert IP(bytes(packet))[TCP].chksum == original == body["header"]["checksum"]


def test_tcp_parse_of_a_scapy_packet(service):
    from scapy.all import IP, TCP, raw

    pkt = IP(src="192.0.2.1", dst="192.0.2.2") / TCP(sport=5, dport=6, flags="PA", seq=9) / b"hi"
    body = post(service, "/api/tcp/parse", {"data": raw(pkt).hex()})
    assert body["layer"] == "ipv4"
    assert body["tcp"]["header"]["flags"] == ["PSH", "ACK"]
    assert body["tcp"]["payload"] == b"hi".hex()
    assert body["tcp"]["checksum_status"] == "good"
    r = requests.post(service + "/api/tcp/parse", json={"data": "30390050", "src": "1.1.1.1"})
    assert r.status_code == 422 and r.json()["errors"] == {
        "dst": ["Give both src and dst (the pseudo-header needs both)."]
    }


def test_tcp_parse_pcap_raw_body(service, tmp_path):
    from scapy.all import IP, TCP, wrpcap

    path = tmp_path / "c.pcap"
    wrpcap(str(path), [IP(dst="192.0.2.9") / TCP(dport=443, flags="S")], linktype=101)
    r = requests.post(service + "/api/tcp/parse/pcap", data=path.read_bytes(),
                      headers={"Content-Type": PCAP}, timeout=10)  # fmt: skip
    assert r.status_code == 200
    (row,) = r.json()["segments"]
    assert (row["dst"], row["dst_port"], row["flags"]) == ("192.0.2.9", 443, ["SYN"])
    r = requests.post(service + "/api/tcp/parse/pcap", json={"pcap": "x"}, timeout=10)
    assert r.status_code == 415
    assert r.json()["detail"] == (
        "The request body must be application/vnd.tcpdump.pcap, not 'application/json'."
    )


def test_handshake_get_equals_post_and_is_reproducible(service):
    options = {"seed": 7, "loss": 0.2, "data": 4000, "drop": ["syn-ack"]}
    by_post = post(service, "/api/handshake", options)
    by_get = get(service, "/api/handshake", **options)
    assert by_get == by_post
    assert by_post["options"]["seed"] == 7
    states = [e for e in by_post["events"] if e["type"] == "state" and e["side"] == "client"]
    assert [e["to"] for e in states][:2] == ["SYN-SENT", "ESTABLISHED"]
    assert by_post["summary"]["bytes_delivered"] == 4000


def test_handshake_monte_carlo(service):
    body = post(service, "/api/handshake", {"seed": 1, "loss": 0.0, "runs": 20})
    assert body["runs"] == 20 and body["success_rate"] == 1.0


def test_handshake_pcap_by_accept_reads_back_with_dpkt(service):
    import dpkt

    r = requests.get(service + "/api/handshake", params={"seed": 3, "data": 2000},
                     headers={"Accept": PCAP}, timeout=10)  # fmt: skip
    assert r.status_code == 200 and r.headers["Content-Type"] == PCAP
    packets = list(dpkt.pcap.Reader(io.BytesIO(r.content)))
    first = dpkt.ip.IP(packets[0][1])
    assert first.data.flags & dpkt.tcp.TH_SYN


def test_handshake_406_and_caps(service):
    from api import limits

    r = requests.get(service + "/api/handshake", headers={"Accept": "text/html"}, timeout=10)
    assert r.status_code == 406 and r.headers["Content-Type"] == "application/problem+json"
    r = requests.post(service + "/api/handshake", json={"runs": 2}, headers={"Accept": PCAP})
    assert r.status_code == 406
    r = requests.post(service + "/api/handshake", json={"runs": limits.SIM_RUNS_MAX + 1})
    assert r.status_code == 422 and "runs" in r.json()["errors"]
    r = requests.post(service + "/api/handshake", json={"data": limits.SIM_DATA_MAX + 1})
    assert r.status_code == 422 and "data" in r.json()["errors"]
    r = requests.post(service + "/api/handshake", json={"runs": 100, "data": 1_000_000})
    assert r.status_code == 422
    r = requests.post(service + "/api/handshake", json={"loss": 2})
    assert r.status_code == 422 and "loss" in r.json()["errors"]


def test_states_table(service):
    body = get(service, "/api/tcp/states")
    # RFC 9293 section 3.3.2: the eleven states.
    assert body["states"] == [
        "CLOSED", "LISTEN", "SYN-SENT", "SYN-RECEIVED", "ESTABLISHED", "FIN-WAIT-1",
        "FIN-WAIT-2", "CLOSE-WAIT", "CLOSING", "LAST-ACK", "TIME-WAIT",
    ]  # fmt: skip
    assert len(body["transitions"]) > 20

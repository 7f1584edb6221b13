"""The response schemas describe the core's real results exactly.

Each real `as_dict()` loads through its schema (every key present, types and enums right, no
unknown key) and dumps back to the very same dict in the very same key order (nothing is left
undocumented, the order the contract shows is the order clients get)."""

from __future__ import annotations

import ipaddress

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from api.schemas import ip as ip_schemas


def assert_described(schema, obj):
    loaded = schema.load(obj)
    assert loaded is not None
    dumped = schema.dump(obj)
    assert list(dumped.items()) == list(obj.items())
    assert dumped == obj


ADDRESSES = [
    "192.168.0.1",
    "8.8.8.8",
    "0.0.0.0",
    "255.255.255.255",
    "224.0.0.1",
    "240.0.0.1",
    "192.0.0.9",
    "10.1.2.3/24",
    "10.1.2.3/255.255.255.0",
    "10.1.2.0/31",
    "10.1.2.7/32",
    "::",
    "::1",
    "2001:db8::1",
    "2001:db8::1/64",
    "2001:db8::/127",
    "2001:db8::5/128",
    "fe80::21b:21ff:fe3a:4b5c%eth0",
    "ff02::1",
    "ff3e:30:2001:db8::1",
    "::ffff:192.168.0.1",
    "64:ff9b::c000:221",
    "2002:c000:221::1",
    "2001:0:4136:e378:8000:63bf:3fff:fdd2",
    "2001:1::1",
]


@pytest.mark.parametrize("text", ADDRESSES)
def test_address_info_schema_describes_real_results(text):
    from netutil.address import info

    assert_described(ip_schemas.AddressInfo(), info(text).as_dict())


@settings(max_examples=60, deadline=None)
@given(
    st.one_of(
        st.integers(0, 2**32 - 1).map(lambda v: str(ipaddress.IPv4Address(v))),
        st.integers(0, 2**128 - 1).map(lambda v: str(ipaddress.IPv6Address(v))),
        st.tuples(st.integers(0, 2**32 - 1), st.integers(0, 32)).map(
            lambda t: f"{ipaddress.IPv4Address(t[0])}/{t[1]}"
        ),
        st.tuples(st.integers(0, 2**128 - 1), st.integers(0, 128)).map(
            lambda t: f"{ipaddress.IPv6Address(t[0])}/{t[1]}"
        ),
    )
)
def test_address_info_schema_on_random_addresses(text):
    from netutil.address import info

    assert_described(ip_schemas.AddressInfo(), info(text).as_dict())


def test_batch_item_schema_with_result_and_error():
    from netutil.address import info

    item = {"input": "1.1.1.1", "result": info("1.1.1.1").as_dict(), "error": None}
    bad = {"input": "x", "result": None, "error": "invalid"}
    assert_described(ip_schemas.AddressBatch(), {"results": [item, bad]})


# --- subnet -----------------------------------------------------------------------------------

NETWORKS = [
    "192.168.1.0/24", "10.1.2.3/24", "10.0.0.0/31", "10.0.0.7/32", "0.0.0.0/0", "100.64.0.0/9",
    "2001:db8::/32", "2001:db8::/127", "::1/128", "::/0", "fe80::/10",
]  # fmt: skip


@pytest.mark.parametrize("text", NETWORKS)
def test_network_info_schema_describes_real_results(text):
    from api.schemas.subnet import NetworkInfo
    from netutil import subnet

    assert_described(NetworkInfo(), subnet.network_info(text).as_dict())


def _lists():
    from api.schemas import subnet as s
    from netutil import subnet

    return [
        (s.SplitResult, subnet.split("10.0.0.0/24", 26)),
        (s.SplitResult, subnet.split("10.1.2.3/24", count=5)),
        (s.SplitResult, subnet.split("192.168.1.0/24", hosts=[50, 20, 10, 2])),
        (s.SplitResult, subnet.split("2001:db8::/32", 64)),
        (s.SummarizeResult, subnet.summarize(["10.0.0.0/25", "10.0.0.128/25", "::1", "::2"])),
        (s.RangeResult, subnet.range_cidrs("10.0.0.1", "10.0.0.6")),
        (s.RangeResult, subnet.range_cidrs("::", "::ffff")),
        (s.ExcludeResult, subnet.exclude("10.0.0.0/24", ["10.0.0.5", "11.0.0.0/8"])),
    ]


@pytest.mark.parametrize("index", range(8))
def test_cidr_list_schemas_describe_real_pages(index):
    schema_cls, result = _lists()[index]
    assert_described(schema_cls(), result.as_dict(0, 10))
    assert_described(schema_cls(), result.as_dict(1, 2))
    assert_described(schema_cls(), result.as_dict(int(result.total), 0))


@pytest.mark.parametrize(
    ("a", "b"), [("10.0.0.0/8", "10.1.2.3"), ("10.0.0.0/8", "11.0.0.0/8"), ("::/0", "::1/128")]
)
def test_pair_schemas_describe_real_results(a, b):
    from api.schemas.subnet import ContainsResult, OverlapResult
    from netutil import subnet

    assert_described(ContainsResult(), subnet.contains(a, b).as_dict())
    assert_described(
        OverlapResult(), subnet.overlap(a, b.split("/")[0] + "/32" if "/" not in b else b).as_dict()
    )


# --- checksum, segments, packets, pcap --------------------------------------------------------


def test_checksum_schema_describes_real_results():
    from api.schemas.tcp import ChecksumResult
    from netutil.checksum import checksum_report

    for data in (b"", b"\x00\x01\xf2\x03\xf4\xf5\xf6\xf7", bytes(range(255))):
        assert_described(ChecksumResult(), checksum_report(data).as_dict())


def _built(ip: bool, v6: bool = False, payload: bytes = b""):
    from netutil.packet import build_report
    from netutil.segment import TCPHeader, parse_flags, standard_options

    options = standard_options(
        mss=1460, sack_permitted=True, timestamps=(100, 0), window_scale=7, sack=[(1, 2)]
    )
    header = TCPHeader(1234, 80, 1000, 0, parse_flags("SYN"), 64240, 0, options)
    src, dst = ("2001:db8::1", "2001:db8::2") if v6 else ("10.0.0.1", "10.0.0.2")
    return build_report(header, payload, src, dst, ip=ip)


@pytest.mark.parametrize(("ip", "v6"), [(False, False), (True, False), (True, True)])
def test_built_and_parsed_segment_schemas_describe_real_results(ip, v6):
    from api.schemas.tcp import BuiltSegment, ParsedPacket
    from netutil.packet import parse_any

    built = _built(ip, v6, b"hello")
    assert_described(BuiltSegment(), built.as_dict())
    raw = bytes.fromhex(built.as_dict()["hex"])
    src, dst = (None, None) if ip else ("10.0.0.1", "10.0.0.2")
    assert_described(ParsedPacket(), parse_any(raw, "auto", src, dst).as_dict())
    segment = bytes.fromhex(built.as_dict()["segment_hex"])
    assert_described(ParsedPacket(), parse_any(segment, "tcp").as_dict())


def test_pcap_segment_schema_describes_real_rows(tmp_path):
    import io

    from scapy.all import IP, TCP, IPv6, wrpcap

    from api.schemas.tcp import PcapSegments
    from netutil.pcap import tcp_segments

    path = tmp_path / "x.pcap"
    wrpcap(
        str(path),
        [IP() / TCP(options=[("MSS", 1460), ("Timestamp", (1, 2))]), IPv6() / TCP(flags="SA")],
        linktype=101,
    )
    rows = [s.as_dict() for s in tcp_segments(io.BytesIO(path.read_bytes()))]
    assert len(rows) == 2
    assert_described(PcapSegments(), {"segments": rows})


# --- the simulator ------------------------------------------------------------------------------

SIM_CASES = [
    {"seed": 7},
    {"seed": 7, "drop": ("syn-ack",), "data": 3000},
    {"seed": 3, "loss": 0.3, "duplicate": 0.3, "reorder": 0.3, "corrupt": 0.2, "data": 20000},
    {"seed": 1, "data": 5000, "window": 1000, "read_rate": 200.0},
    {"seed": 2, "closer": "both"},
    {"seed": 2, "simultaneous_open": True},
    {"seed": 2, "listener": False},
    {"seed": 4, "loss": 1.0},
    {"seed": 5, "max_events": 20},
]


@pytest.mark.parametrize("params", SIM_CASES, ids=str)
def test_trace_schema_describes_real_runs(params):
    from api.schemas.handshake import Trace
    from netutil.sim.options import SimOptions
    from netutil.sim.run import simulate

    trace = simulate(SimOptions(**params)).as_dict()
    assert_described(Trace(), trace)
    for event in trace["events"]:  # every event keeps its own key order too
        assert event == Trace().dump({**trace, "events": [event]})["events"][0]


@pytest.mark.parametrize("params", [{"seed": 9, "loss": 0.1}, {"seed": 9, "loss": 1.0}], ids=str)
def test_monte_carlo_schema_describes_real_statistics(params):
    from api.schemas.handshake import MonteCarloResult
    from netutil.sim.options import SimOptions
    from netutil.sim.stats import monte_carlo

    assert_described(MonteCarloResult(), monte_carlo(SimOptions(**params), 50).as_dict())


def test_transition_table_schema():
    from api.schemas.handshake import TransitionTable
    from netutil.sim.states import transition_table

    table = transition_table().as_dict()
    assert len(table["states"]) == 11
    assert_described(TransitionTable(), table)

"""`netutil subnet` keeps its word: what --help and the README promise, exit statuses, counts,
columns, and bounded messages for huge input (each test failed before its fix)."""

from __future__ import annotations

import io
import ipaddress
import json
import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from netutil.cli import main
from tests.test_cli_subnet import _script


def run(capsys, monkeypatch, *argv, stdin=None):
    if stdin is not None:
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_a_bad_network_among_several_does_not_stop_info(capsys, monkeypatch):
    code, out, err = run(capsys, monkeypatch, "subnet", "info", "10.0.0.0/8", "bad", "10.1.0.0/16",
                         "--json")  # fmt: skip
    assert code == 1
    assert [json.loads(line)["network"] for line in out.splitlines()] == [
        "10.0.0.0/8",
        "10.1.0.0/16",
    ]
    assert err == (
        "netutil: error: argument 2: invalid network 'bad': expected 4 octets in 'bad'\n"
    )


def test_one_bad_network_is_still_a_usage_error(capsys, monkeypatch):
    code, out, err = run(capsys, monkeypatch, "subnet", "info", "10.0.0.0/40")
    assert (code, out) == (2, "")
    assert err.startswith("netutil subnet info: error: argument NETWORK: invalid network")


@pytest.mark.parametrize("command", ["split", "range", "contains", "overlap"])
def test_help_claims_standard_input_only_where_it_is_read(capsys, monkeypatch, command):
    code, out, _ = run(capsys, monkeypatch, "subnet", command, "--help")
    assert code == 0
    assert "'-'" not in out and "standard input" not in out


@pytest.mark.parametrize("command", ["info", "summarize", "exclude"])
def test_help_of_commands_that_read_standard_input_says_so(capsys, monkeypatch, command):
    _code, out, _ = run(capsys, monkeypatch, "subnet", command, "--help")
    assert "With '-', items are read from standard input" in out


@pytest.mark.parametrize(("network", "prefix", "bits"), [("10.0.0.0/8", "33", 32),
                                                          ("0.0.0.0/0", "64", 32)])  # fmt: skip
def test_a_prefix_past_the_version_is_a_usage_error(capsys, monkeypatch, network, prefix, bits):
    code, out, err = run(capsys, monkeypatch, "subnet", "split", network, "--prefix", prefix)
    assert (code, out) == (2, "")
    assert err == (
        f"netutil subnet split: error: argument --prefix: invalid prefix length {prefix}: out of"
        f" range 0-{bits} for the IPv4 network {network} (see 'netutil subnet split --help')\n"
    )


def test_summarize_counts_accepted_and_rejected_items_apart(capsys, monkeypatch):
    stdin = "10.0.0.0/24\nbad\n\n# note\n10.0.1.0/24\n"
    code, out, _ = run(capsys, monkeypatch, "subnet", "summarize", "-", stdin=stdin)
    assert code == 1
    assert "input items:    2\nrejected items: 1\n" in out
    code, out, _err = run(capsys, monkeypatch, "subnet", "summarize", "-", "--json", stdin=stdin)
    d = json.loads(out)
    assert (d["input_count"], d["rejected_count"], d["total"]) == (2, 1, "1")


def test_exclude_counts_accepted_and_rejected_items_apart(capsys, monkeypatch):
    stdin = "10.0.0.0/26\n10.0.0.999\n10.0.1.0/24\n"
    code, out, _ = run(capsys, monkeypatch, "subnet", "exclude", "10.0.0.0/24", "-", "--json",
                       stdin=stdin)  # fmt: skip
    d = json.loads(out)
    assert (code, d["excluded_count"], d["rejected_count"], d["excluded_outside"]) == (1, 2, 1, 1)


@pytest.mark.parametrize("command", [["summarize"], ["exclude", "10.0.0.0/8"]])
def test_strict_refuses_host_bits_in_list_items(capsys, monkeypatch, command):
    code, out, err = run(capsys, monkeypatch, "subnet", *command, "10.1.2.3/16", "--strict")
    assert (code, out) == (1, "")
    assert err == (
        "netutil: error: item 1: invalid network '10.1.2.3/16': host bits set (strict); the"
        " network is 10.1.0.0/16\n"
    )
    code, out, err = run(capsys, monkeypatch, "subnet", *command, "-", "--strict",
                         "--format", "cidr", stdin="10.2.0.0/16\n10.1.2.3/16\n")  # fmt: skip
    assert code == 1
    assert "line 2: invalid network '10.1.2.3/16': host bits set (strict)" in err


def test_strict_in_the_numpy_path_finds_every_item_with_host_bits():
    from netutil import subnet
    from tests.test_subnet import parse_mode

    items = ["10.0.0.0/24", "10.0.1.1/24", "10.0.2.0/23", "10.0.3.0/23", "10.0.4.0"]
    with parse_mode("bulk", 2):
        errors: list = []
        result = subnet.summarize(items, errors=errors, strict=True)
    assert [i for i, _ in errors] == [2, 4]
    assert list(result.cidrs()) == ["10.0.0.0/24", "10.0.2.0/23", "10.0.4.0/32"]


def test_ipv6_rows_are_in_columns(capsys, monkeypatch):
    _code, out, _ = run(capsys, monkeypatch, "subnet", "summarize", "2001:db8::/48",
                       "2001:db8:1::/64", "2001:db8:ff00::/40")  # fmt: skip
    rows = out.split("\n\n")[1].splitlines()
    spans = {row.index(" " + row.split()[1]) for row in rows}  # where each column starts
    counts = {row.index(" " + row.split()[4], row.index(" - ") + 3) for row in rows}
    assert len(spans) == 1 and len(counts) == 1
    assert rows[0].split()[0] == "2001:db8::/48"


@pytest.mark.parametrize("size", [10_000, 50_000_000])
def test_a_huge_bad_line_is_shown_by_its_start_and_length(capsys, monkeypatch, size):
    line = "1" * size
    code, _out, err = run(capsys, monkeypatch, "subnet", "summarize", "-", stdin=line + "\n")
    assert code == 1
    assert err == (
        "netutil: error: line 1: invalid network '11111111111111111111'... "
        f"({size} characters): longer than any address (61 characters)\n"
    )


def test_a_huge_limit_is_named_as_the_option_it_is(capsys, monkeypatch):
    code, out, err = run(capsys, monkeypatch, "subnet", "split", "10.0.0.0/8", "--prefix", "24",
                         "--limit", "9" * 5000)  # fmt: skip
    assert (code, out) == (2, "")
    assert "_count" not in err
    assert "argument --limit: invalid number '99999999999999999999'... (5000 characters)" in err


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("fe80::1%" + "x" * 16, "zone is 16 characters, more than 15"),
        ("fe80::1%" + "x" * 10_000, "longer than any address (65 characters"),
        ("fe80::1%a\tb", "zone holds '\\t', not a printable character"),
    ],
)
def test_an_ipv6_zone_is_an_interface_name_or_index(capsys, monkeypatch, text, message):
    code, out, err = run(capsys, monkeypatch, "ip", "info", text, "--json")
    assert code in (1, 2) and out == ""
    assert message in err and len(err) < 300


def test_zones_within_the_bound_are_kept(capsys, monkeypatch):
    for zone in ("eth0", "15", "x" * 15, "wlp0s20f3"):
        code, out, _ = run(capsys, monkeypatch, "ip", "info", f"fe80::1%{zone}", "--json")
        assert (code, json.loads(out)["zone"]) == (0, zone)
        assert ipaddress.ip_address(f"fe80::1%{zone}").scope_id == zone


@pytest.mark.integration
def test_an_undecodable_zone_never_makes_invalid_json():
    proc = subprocess.run([_script(), "ip", "info", b"fe80::1%\xff", "--json"],
                          capture_output=True, check=False)  # fmt: skip
    proc.stdout.decode("utf-8")  # whatever it prints is valid UTF-8
    assert proc.returncode in (1, 2)
    assert b"zone holds byte 0xff, which is not UTF-8 text" in proc.stderr


_block_values = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["", " ", "x ", "a\u3000", "-"]),
    st.integers(-5, 10**30),
    st.none(),
    st.booleans(),
    st.lists(st.one_of(st.text(max_size=5), st.none(), st.booleans()), max_size=3),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["address", "a", "registry flags", "x y"]),
                          _block_values), min_size=1, max_size=8))  # fmt: skip
def test_ip_text_blocks_are_format_blocks(pairs):
    """`ip info`'s fast block writer gives `format_block`'s text for any labels and values."""
    from netutil.cli import ip
    from netutil.cli.output import format_block

    assert ip._block(pairs) == format_block(pairs)
    assert ip._block(pairs) == format_block(pairs)  # the second time from the cached shape

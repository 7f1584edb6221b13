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

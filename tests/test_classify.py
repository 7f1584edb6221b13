"""Bulk classification (netutil.classify) agrees with `ip info` (netutil.address.info) row for row,
and runs under pandas and on a local Dask cluster."""

from __future__ import annotations

import ipaddress
import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from netutil import address, classify, registry
from netutil.errors import InvalidInput


def expected_row(text):
    d = address.info(text).as_dict()
    entry = d["registry"] or {}
    fields = {
        "version": d["version"],
        "registry_prefix": entry.get("prefix"),
        "registry_name": entry.get("name"),
        "registry_rfc": entry.get("rfc"),
    }
    for name in list(classify.COLUMNS)[4:]:
        fields[name] = d[name]
    return fields


def near(version):
    """Addresses at and around every stretch boundary (registry entries, multicast scopes)."""
    top = (1 << (32 if version == 4 else 128)) - 1
    return st.builds(
        lambda cut, delta: min(max(cut + delta, 0), top),
        st.sampled_from(classify.cuts(version)),
        st.integers(-2, 2),
    )


def as_text(version, value):
    return str(ipaddress.IPv4Address(value) if version == 4 else ipaddress.IPv6Address(value))


texts = st.one_of(
    near(4).map(lambda v: as_text(4, v)),
    near(6).map(lambda v: as_text(6, v)),
    st.integers(0, 2**32 - 1).map(lambda v: as_text(4, v)),
    st.integers(0, 2**128 - 1).map(lambda v: as_text(6, v)),
    near(4).map(lambda v: f"::ffff:{as_text(4, v)}"),  # mapped: by the IPv4 address
    st.integers(0xFF000000, 0xFFFFFFFF).map(lambda v: as_text(6, v << 96)),  # every scope
    near(6).map(lambda v: f"{as_text(6, v)}%eth0"),  # a zone: through ip info itself
    near(4).map(lambda v: f"{as_text(4, v)}/24"),
)


@settings(max_examples=150, deadline=None)
@given(st.lists(texts, min_size=1, max_size=40))
def test_every_row_agrees_with_ip_info(rows):
    columns = classify.classify(np.array(rows, dtype=object))
    assert list(columns) == list(classify.COLUMNS)
    for i, text in enumerate(rows):
        got = {name: columns[name][i] for name in classify.COLUMNS}
        assert got == expected_row(text), text


def test_known_rows():
    """Values read from the IANA registries (RFC 6890 tables) and RFC 4291 by hand."""
    c = classify.classify(["192.0.0.9", "192.0.0.100", "2001:db8::1", "8.8.8.8", "ff0e::1"])
    assert c["registry_prefix"].tolist() == [
        "192.0.0.9/32",
        "192.0.0.0/24",
        "2001:db8::/32",
        None,
        None,
    ]
    assert c["is_global"].tolist()[:4] == [True, False, False, True]
    assert c["is_multicast"].tolist() == [False, False, False, False, True]
    assert c["is_documentation"].tolist() == [False, False, True, False, False]
    assert c["version"].dtype == np.int8 and c["version"].tolist() == [4, 4, 6, 4, 6]


def test_many_rows_in_numpy_match_a_sample_checked_one_by_one():
    rng = np.random.default_rng(11)
    values = rng.integers(0, 2**32, 100_000, dtype=np.uint64)
    rows = [f"{v >> 24}.{v >> 16 & 255}.{v >> 8 & 255}.{v & 255}" for v in values.tolist()]
    columns = classify.classify(np.array(rows))
    for i in rng.integers(0, len(rows), 300).tolist():
        assert {n: columns[n][i] for n in classify.COLUMNS} == expected_row(rows[i])
    # the private-use share: 10/8, 172.16/12, 192.168/16 hold 17,891,328 of 2**32 addresses
    private = columns["registry_name"] == "Private-Use"
    assert abs(private.mean() - 17_891_328 / 2**32) < 0.002


def test_bad_rows():
    with pytest.raises(InvalidInput, match=re.escape("row 1: invalid IP address 'nope'")):
        classify.classify(["10.0.0.1", "nope"])
    with pytest.raises(
        InvalidInput, match=re.escape("row 0: invalid IP address None: expected text")
    ):
        classify.classify([None])
    c = classify.classify(["nope", "10.0.0.1"], errors="null")
    assert c["version"].tolist() == [0, 4]
    assert c["registry_name"].tolist() == [None, "Private-Use"]
    with pytest.raises(InvalidInput, match="invalid errors 'ignore'"):
        classify.classify([], errors="ignore")
    assert classify.classify([])["version"].tolist() == []


def test_pandas_series_gives_a_frame_with_its_index():
    pd = pytest.importorskip("pandas")
    s = pd.Series(["10.0.0.1", "2002::1", "ff02::1"], index=[7, 8, 9])
    frame = classify.classify(s)
    assert list(frame.index) == [7, 8, 9]
    assert list(frame.columns) == list(classify.COLUMNS)
    assert {k: str(v) for k, v in frame.dtypes.items()} == classify.FRAME_DTYPES
    assert frame.iloc[:0].dtypes.equals(classify.frame_meta().dtypes)
    # 6to4's Globally Reachable is N/A in the IANA table: <NA>, not False; ff02::/16 is
    # link-local scope (RFC 4291 section 2.7): not globally reachable
    assert frame["is_global"].tolist() == [False, pd.NA, False]
    assert frame.loc[8, "registry_name"] == "6to4"


def test_cuts_hold_every_registry_boundary():
    for version in (4, 6):
        points = set(classify.cuts(version))
        for entry in registry.entries(version):
            assert int(entry.prefix.network_address) in points


#: The Dask dataset: 8 Parquet files of 250,000 rows (2,000,000 rows), each file drawn from
#: blocks whose registry class is known from the IANA tables, in fixed shares.
DASK_FILES = 8
DASK_ROWS = 250_000
#: (text of row i inside the block, share of rows, registry name or None, is_global)
DASK_BLOCKS = (
    (lambda i: f"10.{i >> 16 & 255}.{i >> 8 & 255}.{i & 255}", 4, "Private-Use", False),
    (lambda i: f"8.{i >> 16 & 255}.{i >> 8 & 255}.{i & 255}", 3, None, True),
    (lambda i: f"192.0.2.{i & 255}", 1, "Documentation (TEST-NET-1)", False),
    (lambda i: f"2001:db8::{i & 0xFFFF:x}", 1, "Documentation", False),
    (lambda i: f"127.0.{i >> 8 & 255}.{i & 255}", 1, "Loopback", False),
)


@pytest.mark.slow
def test_dask_map_partitions_on_a_local_cluster(tmp_path):
    """The README's recipe: map_partitions(classify) over Parquet files, on a LocalCluster of
    two worker processes; the per-class counts are known from how the rows were made."""
    pd = pytest.importorskip("pandas")
    dd = pytest.importorskip("dask.dataframe")
    distributed = pytest.importorskip("distributed")
    shares = sum(b[1] for b in DASK_BLOCKS)
    for f in range(DASK_FILES):
        rows = []
        for make, share, _, _ in DASK_BLOCKS:
            rows += [make(f * DASK_ROWS + i) for i in range(DASK_ROWS * share // shares)]
        pd.DataFrame({"address": rows}).to_parquet(tmp_path / f"part-{f}.parquet")
    with (
        distributed.LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            memory_limit="3GiB",
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        assert len(client.scheduler_info()["workers"]) == 2
        frame = dd.read_parquet(str(tmp_path / "*.parquet"))
        verdicts = frame["address"].map_partitions(classify.classify, meta=classify.frame_meta())
        both = frame.assign(**{name: verdicts[name] for name in ("registry_name", "is_global")})
        counts = both.groupby([both["registry_name"].fillna("-"), "is_global"]).size().compute()
        sample = both.head(1000, npartitions=1)
    per_file = {
        (name or "-", is_global): DASK_FILES * (DASK_ROWS * share // shares)
        for _, share, name, is_global in DASK_BLOCKS
    }
    assert {k: int(v) for k, v in counts.items()} == per_file
    assert sum(per_file.values()) == DASK_FILES * DASK_ROWS
    for text, name in zip(sample["address"], sample["registry_name"], strict=True):
        assert (None if pd.isna(name) else name) == expected_row(text)["registry_name"]

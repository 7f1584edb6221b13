"""Regression oracle for the simulator's output: SHA-256 digests of whole results.

The digests below were computed from the simulator as it stood before its second performance
round (the state machines, engine and network whose behaviour the tests in test_sim_run.py,
test_sim_tcb.py and test_sim_stats.py check against RFC 9293 and hand-worked numbers). They are
not independent of our code: they pin that any later restructuring for speed changes nothing a
user can see - not one event, time, number or byte of the JSON, the ladder or the pcap. A
deliberate change of behaviour must update them, and say why in its commit.
"""

from __future__ import annotations

import hashlib
import io
import json

import pytest

from netutil.render.ladder import render_ladder, summary_pairs
from netutil.sim.capture import write_trace_pcap
from netutil.sim.options import SimOptions
from netutil.sim.run import simulate
from netutil.sim.stats import monte_carlo

SCENARIOS = {
    "plain": dict(seed=1),
    "loss": dict(seed=2, loss=0.3),
    "jitter": dict(seed=3, jitter=0.04, data=20_000),
    "reorder": dict(seed=4, reorder=0.3, data=30_000),
    "duplicate": dict(seed=5, duplicate=0.4, data=10_000),
    "corrupt": dict(seed=6, corrupt=0.3, data=10_000),
    "drops": dict(seed=7, drop=("2", "5", "syn-ack:1", "fin")),
    "drop-all-acks": dict(seed=17, drop=("ack",)),
    "server-closes": dict(seed=8, closer="server", data=5_000, loss=0.1),
    "both-close": dict(seed=9, closer="both", data=3_000),
    "simultaneous-open": dict(seed=10, simultaneous_open=True, data=2_000),
    "no-listener": dict(seed=11, listener=False),
    "loss-1": dict(seed=12, loss=1.0),
    "slow-reader": dict(seed=13, data=200_000, window=8_192, read_rate=20_000.0),
    "transfer": dict(seed=14, data=300_000, loss=0.02, mss=536),
    "dup-syn-linux": dict(seed=15, drop=("syn-ack:1",), dup_syn="syn-ack", loss_to_client=0.3),
    "no-close-isns": dict(seed=16, close=False, client_isn=0xFFFFFF00, server_isn=5, data=4_000),
    "all-impairments": dict(
        seed=18, loss=0.05, jitter=0.01, reorder=0.1, duplicate=0.1, corrupt=0.1, data=50_000
    ),
    "event-cap": dict(seed=19, loss=1.0, max_events=5),
}

TRACE_SHA256 = {
    # completed, 196 events
    "all-impairments": "636b0eda16680f9ca33638a8d21b277bb8e51ab1329b32ca2855179522c05b7e",
    # completed, 46 events
    "both-close": "1d76d8e96873b276d7c464b38c8758c32f6aaf6cf65984458fa8347688ca57bf",
    # completed, 83 events
    "corrupt": "163aecbac93d9c6a1a3dfe0db39bf2a63186a88b6ffe9c91cf2ca95c38e0ae77",
    # completed, 30 events
    "drop-all-acks": "998995d175e83a74e8507a8c6cf392431123dd270c6ec2bca055018303095277",
    # completed, 39 events
    "drops": "6550812344bb786555b1f67a2a880e0c239d931b4ede707f9481283080301629",
    # completed, 36 events
    "dup-syn-linux": "7da189611800fd9f1c20216b16361f5a15c56cef0dc896ed63da7fb21659cf8d",
    # completed, 111 events
    "duplicate": "1530a9e974efb47d1fde7b3ebb94b10d4118d123425a41a56a9f72564799f2ed",
    # limit_exceeded, 15 events
    "event-cap": "cfb174da55171fb9e38fc3f30f141904d05d9babfc9b4831bbe96b72893b946c",
    # completed, 131 events
    "jitter": "3181c004f39f699024b4fa677c22bc06cb944f6eeaf33116cdb35fec61c3f643",
    # completed, 31 events
    "loss": "58fc302b8ed19131cc7bebfa28ae99a6c363482beca0cb8b9f1cb28a9d0c298d",
    # failed, 19 events
    "loss-1": "b0fc75f0bef2cfcfac2163ba5bb25604b94aae0e115cb4e10ec00f46276fc366",
    # completed, 26 events
    "no-close-isns": "7d3f6bd0e8e879c5f8ffcd8fa496d804f84fb75f36ce1159d45a71932911572b",
    # reset, 8 events
    "no-listener": "8293893cecf2a73135cd08e70483413553babb2d286e873fbfb79a789eb61039",
    # completed, 31 events
    "plain": "5efa6bc2a32ea3fa7c58b4a2c1249003f22f0aa7f9b5c3b051adfb910f37fa34",
    # completed, 149 events
    "reorder": "9fdb84a6664aec84c55253bdd2542795bbe1c7a1f43ca280bd4957da63fa4adc",
    # completed, 56 events
    "server-closes": "d3884789add8507ef431e0e8026b8cf37255c6376dc30aa3e769c8356277e5ee",
    # completed, 43 events
    "simultaneous-open": "7df0c0a2a9d3a0818d32d5ce25680cea0287c3c53a2221291cb07c517e61eed7",
    # completed, 846 events
    "slow-reader": "ecd523fd9cd0b1d05a1948ac5ab6f989f8090f18e31ae16b76dda8da761a3d00",
    # completed, 2281 events
    "transfer": "d869ccc379fcadf82dec02409d1f1353abbbb22205c2d120af5f36c78c091ee1",
}

LADDER_PCAP_SHA256 = {
    "plain": (
        "5b331315da110c189ef6edf5f4bb6ef2f40914e6c73bb68499003b3b24ec7456",
        "87401f383d3d00ca00a9b13eca947475ab592e82e03952cf3d318f44f497e6fa",
    ),
    "loss": (
        "78a6a673810f19f01f913569b3d2fd60a2d72e4a6a5d6723930f54725e69f7b9",
        "c5dd911847375b1ea6185335f6be3667341d4d02be0205f7597b1a649f2f4cb2",
    ),
    "corrupt": (
        "d57dcfaec6e17b2ce2d63c2e05741cbd984d627c535a25d75647754d6b173e43",
        "09c62c0b41bc16f2f87aa591172fc0de92aad098f3727cd1c28e332417c22907",
    ),
    "simultaneous-open": (
        "a721f214f84f18ab3e9612a1c3aa907c97e6ac17b31b1b78358256686deb62df",
        "614f39a26a6c67ac5dfbaeeb6339ee9e914428079c1c6c91b67b50331bf651c0",
    ),
    "no-listener": (
        "d94da8769d626f511fa4be625d199cf100f952ffe3d1d8ede383297d4d3f30ca",
        "fcc8ca29f87dcb591cf231a1cee1c9def83d63fb82941e60f8f972b4df6b2022",
    ),
    "both-close": (
        "9dbf66b3895ed69256aef409ee6bc09163257f20514c28ba20c225862d269c17",
        "941010af02695411f4524b29e0843a5417ca42563373345e48a72818a944ff3b",
    ),
    "transfer": (
        "1edaa11a6b3b5e95b3e3974e5669b678fb0d7a9c53dfc7a3e9ba9e5e676fac64",
        "0d96aa1d649f33fc03a85a5e62e8fd33ae083e3ac2849a72eaccfc423f4102e5",
    ),
}

MONTE_CARLO = {
    "mc-loss-0.1": (dict(seed=1, loss=0.1), 300),
    "mc-loss-0.3-server": (dict(seed=2, loss=0.3, closer="server"), 200),
    "mc-impaired-data": (
        dict(seed=3, loss=0.05, jitter=0.01, duplicate=0.05, corrupt=0.05, data=3_000),
        100,
    ),
    "mc-simultaneous": (dict(seed=4, simultaneous_open=True, closer="both", loss=0.2), 100),
    "mc-no-listener": (dict(seed=5, listener=False), 20),
}

MONTE_CARLO_SHA256 = {
    # success 1.0
    "mc-impaired-data": "f609601b06fb1b693bafba3828a7fd20f1ac589a8e47b586e10de6528e75d919",
    # success 1.0
    "mc-loss-0.1": "6296dbe0a2308f815eb9e6741d1e93f4ce7ed52134b5db64001af584d3c9af34",
    # success 0.995; one run's outcome is "failed" (the server gave up its half-open
    # connection), no longer "incomplete": the only change since the digests were first taken
    "mc-loss-0.3-server": "1def02c05dff8ffcfbb1ba9697ee18196ead7d22f04c042eb2cb6bc324211e10",
    # success 0.0
    "mc-no-listener": "500ba9e36a38ce91500dd44650ebcabc2376963b6031b5160b4c2caac9d143d9",
    # success 1.0
    "mc-simultaneous": "1e5e34f8dda49a61211a173e13ae08db8a181eb59579de295c58fa014720dce3",
}


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _json(obj: object) -> bytes:
    return json.dumps(obj, sort_keys=False, separators=(",", ":")).encode()


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_trace_json_is_unchanged(name):
    trace = simulate(SimOptions(**SCENARIOS[name])).as_dict()
    assert _sha(_json(trace)) == TRACE_SHA256[name]


@pytest.mark.parametrize("name", sorted(LADDER_PCAP_SHA256))
def test_ladder_and_pcap_are_unchanged(name):
    trace = simulate(SimOptions(**SCENARIOS[name])).as_dict()
    ladder = "\n".join([*render_ladder(trace), *map(str, summary_pairs(trace["summary"]))])
    pcap = io.BytesIO()
    write_trace_pcap(pcap, trace)
    assert (_sha(ladder.encode()), _sha(pcap.getvalue())) == LADDER_PCAP_SHA256[name]


@pytest.mark.parametrize("name", sorted(MONTE_CARLO))
def test_monte_carlo_is_unchanged(name):
    params, runs = MONTE_CARLO[name]
    result = monte_carlo(SimOptions(**params), runs).as_dict()
    assert _sha(_json(result)) == MONTE_CARLO_SHA256[name]

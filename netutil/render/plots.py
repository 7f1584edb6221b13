"""Charts of a connection and of a Monte Carlo run, as SVG, drawn with matplotlib.

- `sequence_plot`: the time-sequence graph (Stevens, tcptrace): each segment one side sends is
  a vertical bar from its first to its last relative sequence number at its send time;
  retransmissions and losses carry their own markers; the ACK line (what the peer has
  acknowledged, as it reaches the sender), the receive window's right edge (ACK + window) and
  any SACK blocks (RFC 2018) are drawn over time.
- `window_plot`: each side's advertised receive window and the sender's bytes in flight over
  time.
- `cwnd_plot`: each sender's cwnd, ssthresh and bytes in flight (its congestion records), each
  flow of a `--flows` run in its own colour, and the bottleneck queue's length (its queue
  records) below.
- `establish_plot`: the histogram and CDF of the client's time to ESTABLISHED over the runs,
  with the exact probabilities of `netutil.sim.establish_time` overlaid where they hold.

matplotlib is imported inside these functions (through `Figure`, never pyplot's global state,
so concurrent requests in one process do not share a figure) and only by the commands that
draw: the CLI start-up path never pays for it. Only the result's JSON dict is read.
"""

from __future__ import annotations

import io
from typing import Any

from netutil.errors import InvalidInput
from netutil.render.ladder import LOST_FATES

MASK = 0xFFFFFFFF
PLOTS = ("sequence", "window", "cwnd", "establish")


def _figure(height: float = 4.2) -> Any:
    import matplotlib

    matplotlib.rcParams["svg.hashsalt"] = "netutil"  # ids the same in every run
    matplotlib.rcParams["svg.fonttype"] = "none"  # text stays text (smaller, selectable)
    from matplotlib.figure import Figure

    fig = Figure(figsize=(8.0, height), layout="constrained")
    return fig


def _svg(fig: Any) -> str:
    out = io.StringIO()
    fig.savefig(out, format="svg", metadata={"Date": None})
    return out.getvalue()


def _scale_shifts(trace: dict[str, Any]) -> dict[str, int]:
    """Each side's window scale shift (RFC 7323 section 2.3): applied to the windows it
    advertises, only when both SYNs carried the option; 0 otherwise."""
    shifts: dict[str, int | None] = {"client": None, "server": None}
    for e in trace["events"]:
        if e["type"] == "send" and "SYN" in e["flags"] and shifts[e["side"]] is None:
            shifts[e["side"]] = next((o["value"] for o in e["options"] if o["kind"] == 3), -1)
    if any(v is None or v < 0 for v in shifts.values()):
        return {"client": 0, "server": 0}
    return {k: int(v) for k, v in shifts.items()}  # type: ignore[arg-type]


def _window(e: dict[str, Any], shifts: dict[str, int]) -> int:
    """The window a segment advertises in bytes (never scaled on a SYN: RFC 7323 2.2)."""
    return e["window"] if "SYN" in e["flags"] else e["window"] << shifts[e["side"]]


def sequence_plot(trace: dict[str, Any], side: str = "client") -> str:
    """The time-sequence graph of the bytes `side` sends (relative to its ISN)."""
    if side not in ("client", "server"):
        raise InvalidInput(f"invalid side {side!r}: expected client or server")
    peer = "server" if side == "client" else "client"
    isn = trace[side]["isn"]
    shifts = _scale_shifts(trace)
    sent = {}  # number -> send event
    bars: dict[str, list[tuple[float, int, int]]] = {"new": [], "rtx": [], "lost": []}
    acks: list[tuple[float, int]] = []
    edge: list[tuple[float, int]] = []
    sacks: list[tuple[float, int, int]] = []
    for e in trace["events"]:
        if e["type"] == "send":
            sent[e["number"]] = e
            if e["side"] != side:
                continue
            start = (e["seq"] - isn) & MASK
            length = e["len"] + ("SYN" in e["flags"]) + ("FIN" in e["flags"])
            if not length:
                continue
            bar = (e["time"], start, start + length)
            if e["fate"] in LOST_FATES:
                bars["lost"].append(bar)
            elif e["note"] and e["note"].startswith("retransmission"):
                bars["rtx"].append(bar)
            else:
                bars["new"].append(bar)
        elif (
            e["type"] == "arrive"
            and e["side"] == side
            and e["result"]
            not in (
                "bad checksum",
                "malformed",
            )
        ):
            got = sent.get(e["number"])
            if got is None or "ACK" not in got["flags"] or got["side"] != peer:
                continue
            ack = (got["ack"] - isn) & MASK
            acks.append((e["time"], ack))
            edge.append((e["time"], ack + _window(got, shifts)))
            for o in got["options"]:
                if o["kind"] == 5:
                    for left, right in o["value"]:
                        sacks.append((e["time"], (left - isn) & MASK, (right - isn) & MASK))
    fig = _figure()
    ax = fig.add_subplot()
    styles = {
        "new": ("segment sent", "#1a1a1a", "_", 1.6),
        "rtx": ("retransmission", "#b300b3", "D", 2.4),
        "lost": ("lost (never arrived)", "#c0392b", "x", 1.6),
    }
    for key, (label, colour, marker, width) in styles.items():
        if not bars[key]:
            continue
        xs = [t for t, _, _ in bars[key]]
        ax.vlines(
            xs,
            [a for _, a, _ in bars[key]],
            [b for _, _, b in bars[key]],
            colors=colour,
            linewidth=width,
        )
        ax.plot(
            xs,
            [b for _, _, b in bars[key]],
            linestyle="none",
            marker=marker,
            color=colour,
            markersize=6,
            label=label,
        )
    if acks:
        ax.step(
            [t for t, _ in acks],
            [a for _, a in acks],
            where="post",
            color="#1f5fa8",
            linewidth=1.4,
            label=f"ACK line ({peer}'s acknowledgments)",
        )
        ax.step(
            [t for t, _ in edge],
            [a for _, a in edge],
            where="post",
            color="#2e7d32",
            linestyle="--",
            linewidth=1.2,
            label="receive window edge (ACK + window)",
        )
    if sacks:
        ax.vlines(
            [t for t, _, _ in sacks],
            [a for _, a, _ in sacks],
            [b for _, _, b in sacks],
            colors="#e67e00",
            linewidth=5,
            alpha=0.6,
            label="SACK block",
        )
    ax.set_xlabel(_time_label(trace))
    ax.set_ylabel(f"relative sequence number ({side} -> {peer})")
    ax.set_title(f"Time-sequence graph: {side}'s bytes, {_what(trace)}")
    ax.grid(True, color="#dddddd")
    if ax.get_legend_handles_labels()[0]:
        ax.legend(loc="upper left", fontsize=8)
    return _svg(fig)


def _flight_series(trace: dict[str, Any], side: str) -> list[tuple[float, int]]:
    """Bytes `side` has sent and not yet seen acknowledged (SND.NXT - SND.UNA), over time."""
    isn = trace[side]["isn"]
    sent_end = 0
    acked = 0
    out: list[tuple[float, int]] = []
    numbers: dict[int, dict[str, Any]] = {}
    for e in trace["events"]:
        if e["type"] == "send":
            numbers[e["number"]] = e
            if e["side"] == side:
                end = (
                    ((e["seq"] - isn) & MASK)
                    + e["len"]
                    + ("SYN" in e["flags"])
                    + ("FIN" in e["flags"])
                )
                if end > sent_end:
                    sent_end = end
                    out.append((e["time"], sent_end - acked))
        elif e["type"] == "arrive" and e["side"] == side:
            got = numbers.get(e["number"])
            if got is not None and got["side"] != side and "ACK" in got["flags"]:
                ack = (got["ack"] - isn) & MASK
                if acked < ack <= sent_end and e["result"] not in ("bad checksum", "malformed"):
                    acked = ack
                    out.append((e["time"], sent_end - acked))
    return out


def window_plot(trace: dict[str, Any]) -> str:
    """Advertised windows of both sides and the client's bytes in flight against time."""
    shifts = _scale_shifts(trace)
    series: dict[str, list[tuple[float, int]]] = {"client": [], "server": []}
    for e in trace["events"]:
        if e["type"] == "send" and "RST" not in e["flags"]:
            series[e["side"]].append((e["time"], _window(e, shifts)))
    fig = _figure()
    ax = fig.add_subplot()
    for side, colour, dash in (("client", "#1f5fa8", "-"), ("server", "#2e7d32", "--")):
        pts = series[side]
        if pts:
            ax.step(
                [t for t, _ in pts],
                [w for _, w in pts],
                where="post",
                color=colour,
                linestyle=dash,
                marker="o",
                markersize=3,
                label=f"{side}'s advertised window",
            )
    flight = _flight_series(trace, "client")
    if flight:
        ax.step(
            [t for t, _ in flight],
            [f for _, f in flight],
            where="post",
            color="#b3005c",
            linestyle=":",
            linewidth=1.8,
            label="client's bytes in flight",
        )
    ax.set_xlabel(_time_label(trace))
    ax.set_ylabel("bytes")
    ax.set_title(f"Windows and bytes in flight, {_what(trace)}")
    ax.grid(True, color="#dddddd")
    ax.legend(loc="best", fontsize=8)
    return _svg(fig)


def _time_label(trace: dict[str, Any]) -> str:
    return (
        "time (seconds from the first segment captured)"
        if "capture" in trace
        else ("time (simulated seconds)")
    )


def _what(trace: dict[str, Any]) -> str:
    """What the chart is of, for its title: the run's seed, or the captured connection."""
    if "capture" in trace:
        return trace["capture"].split(";")[0]
    return f"seed {trace.get('options', {}).get('seed')}"


def _flows(trace: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """(name, trace) of each connection: one, or each flow of a --flows run."""
    if "flows" in trace:
        return [(f"flow {f['flow']}", f) for f in trace["flows"]]
    return [("", trace)]


def _cc_series(events: list[dict[str, Any]], side: str) -> dict[str, list[tuple[float, Any]]]:
    """cwnd, ssthresh (None while unset) and bytes in flight of `side`'s sender, from its
    congestion records, and the loss recoveries it entered (time, phase)."""
    out: dict[str, list[tuple[float, Any]]] = {"cwnd": [], "ssthresh": [], "flight": []}
    recoveries: list[tuple[float, Any]] = []
    phase = None
    for e in events:
        if e["type"] != "congestion" or e["side"] != side or "cwnd" not in e:
            continue
        for key in out:
            out[key].append((e["time"], e[key]))
        if e["phase"] != phase and e["phase"] in ("fast_recovery", "rto_recovery"):
            recoveries.append((e["time"], e["phase"]))
        phase = e["phase"]
    out["recoveries"] = recoveries
    return out


def _queue_series(trace: dict[str, Any]) -> dict[str, list[tuple[float, int]]]:
    """Packets waiting in each link's bottleneck queue, from its queue records (a record is
    made when a segment meets the queue and the count changed)."""
    out: dict[str, list[tuple[float, int]]] = {}
    for e in trace.get("network") or trace["events"]:
        if e["type"] == "queue":
            out.setdefault(e["link"], []).append((e["time"], e["packets"]))
    return out


def has_congestion(trace: dict[str, Any]) -> bool:
    """Whether the trace records congestion-control state or a bottleneck queue to draw."""
    if _queue_series(trace):
        return True
    return any(
        e["type"] == "congestion" and "cwnd" in e for _, f in _flows(trace) for e in f["events"]
    )


_FLOW_COLOURS = ("#1f5fa8", "#b3005c", "#2e7d32", "#7a2e00", "#5b2c83", "#00695c")


def cwnd_plot(trace: dict[str, Any]) -> str:
    """cwnd, ssthresh and bytes in flight of each sender (client and server, each flow), and
    the queue length of the bottleneck, against time (RFC 5681's variables, RFC 9438's for
    CUBIC), with each entry into fast recovery or RTO recovery marked."""
    if not has_congestion(trace):
        raise InvalidInput(
            "this trace has no congestion-control state (cwnd, ssthresh) or queue to draw: "
            "choose a congestion control (--cc) or a bottleneck (--bandwidth, --queue), or "
            "--plot window for the windows and bytes in flight"
        )
    queues = _queue_series(trace)
    fig = _figure(height=6.4 if queues else 4.2)
    axes = fig.subplots(2, 1, sharex=True) if queues else [fig.add_subplot()]
    ax = axes[0]
    k = 0
    for name, flow in _flows(trace):
        for side in ("client", "server"):
            series = _cc_series(flow["events"], side)
            if not any(v for _, v in series["flight"]):
                continue  # a side that sends no data (the server, mostly): its IW says nothing
            who = f"{name} {side}".strip()
            colour = _FLOW_COLOURS[k % len(_FLOW_COLOURS)]
            k += 1
            cw = series["cwnd"]
            ax.step(
                [t for t, _ in cw],
                [v for _, v in cw],
                where="post",
                color=colour,
                linewidth=1.6,
                label=f"{who} cwnd",
            )
            st = [(t, v) for t, v in series["ssthresh"] if v is not None]
            if st:
                ax.step(
                    [t for t, _ in st],
                    [v for _, v in st],
                    where="post",
                    color=colour,
                    linestyle="--",
                    linewidth=1.2,
                    label=f"{who} ssthresh",
                )
            fl = series["flight"]
            ax.step(
                [t for t, _ in fl],
                [v for _, v in fl],
                where="post",
                color=colour,
                linestyle=":",
                linewidth=1.2,
                label=f"{who} bytes in flight",
            )
            for t, phase in series["recoveries"]:
                ax.axvline(t, color=colour, linewidth=0.8, alpha=0.5)
                ax.annotate(
                    "FR" if phase == "fast_recovery" else "RTO",
                    (t, 1.0),
                    xycoords=("data", "axes fraction"),
                    fontsize=7,
                    color=colour,
                    ha="center",
                    va="bottom",
                )
    if k == 0:  # no congestion window (--cc none): what limits the sender is in flight
        for n, (name, flow) in enumerate(_flows(trace)):
            fl = _flight_series(flow, "client")
            who = f"{name} client".strip()
            ax.step(
                [t for t, _ in fl],
                [v for _, v in fl],
                where="post",
                linestyle=":",
                color=_FLOW_COLOURS[n % len(_FLOW_COLOURS)],
                linewidth=1.4,
                label=f"{who} bytes in flight (no congestion window)",
            )
    ax.set_ylabel("bytes")
    ax.set_title(f"Congestion control, {_what(trace)}")
    ax.grid(True, color="#dddddd")
    if ax.get_legend_handles_labels()[0]:
        ax.legend(loc="best", fontsize=7)
    if queues:
        qa = axes[1]
        for (link, pts), dash in zip(sorted(queues.items()), ("-", "--"), strict=False):
            qa.step(
                [t for t, _ in pts],
                [v for _, v in pts],
                where="post",
                linestyle=dash,
                color="#1a1a1a",
                linewidth=1.3,
                label=f"{link} queue",
            )
        qa.set_ylabel("packets waiting")
        qa.grid(True, color="#dddddd")
        qa.legend(loc="best", fontsize=7)
    axes[-1].set_xlabel(_time_label(trace))
    return _svg(fig)


def establish_plot(result: dict[str, Any]) -> str:
    """Histogram and CDF of the client's time to ESTABLISHED over a Monte Carlo run, with the
    closed form's exact probabilities where it holds (see `netutil.sim.establish_time`)."""
    from netutil.sim.establish_time import applies, for_options

    times = result.get("established_times")
    if "runs" not in result:
        raise InvalidInput("--plot establish draws a Monte Carlo result: add --runs N")
    if times is None:
        raise InvalidInput(
            "the runs reached ESTABLISHED at too many distinct times to draw a histogram "
            "(jitter makes every time different)"
        )
    runs = result["runs"]
    options = result["options"]
    model = for_options(options)
    fig = _figure(height=6.4)
    hist, cdf = fig.subplots(2, 1)
    xs = [t["time"] for t in times]
    ps = [t["runs"] / runs for t in times]
    if xs:
        hist.bar(
            xs,
            ps,
            width=0.15,
            color="#9ecae1",
            edgecolor="#1a1a1a",
            hatch="//",
            label=f"runs ({runs})",
        )
    if model:
        hist.plot(
            [m.time for m in model],
            [m.probability for m in model],
            linestyle="none",
            marker="o",
            markerfacecolor="none",
            markeredgecolor="#b3005c",
            markersize=8,
            label="exact: p^j (1-p) q^m (1-q)",
        )
    hist.set_yscale("log")
    latest = max([*xs, *(m.time for m in model or ())], default=1.0)
    for ax in (hist, cdf):
        if latest > 8:  # the first seconds spread out, the long backoff tail still shown
            ax.set_xscale("symlog", linthresh=2.0, linscale=1.5)
        ax.set_xlim(0, latest * 1.15 + 0.5)
    hist.set_ylabel("fraction of runs")
    hist.set_title(
        f"Time to ESTABLISHED (client): loss {options['loss']}, RTT "
        f"{options['delay'] * 2000:g} ms, {runs} runs, success {result['success_rate'] * 100:.2f} %"
    )
    hist.grid(True, color="#dddddd")
    total = 0.0
    cx, cy = [0.0], [0.0]  # the CDF starts at 0 at time 0
    for x, p in zip(xs, ps, strict=True):
        total += p
        cx.append(x)
        cy.append(total)
    if xs:
        cx.append(latest * 1.15 + 0.5)
        cy.append(cy[-1])
        cdf.step(cx, cy, where="post", color="#1f5fa8", linewidth=1.6, label="runs")
    if model:
        acc, mx, my = 0.0, [0.0], [0.0]
        for m in model:
            acc += m.probability
            mx.append(m.time)
            my.append(acc)
        mx.append(latest * 1.15 + 0.5)
        my.append(acc)
        cdf.step(
            mx, my, where="post", color="#b3005c", linestyle="--", linewidth=1.4, label="exact"
        )
    cdf.set_xlabel("time to ESTABLISHED (simulated seconds)")
    cdf.set_ylabel("fraction established by then")
    cdf.set_ylim(0, 1.02)
    cdf.grid(True, color="#dddddd")
    note = applies(options)
    if note:
        cdf.text(
            0.99, 0.05, f"no exact curve: {note}", ha="right", transform=cdf.transAxes, fontsize=8
        )
    for ax in (hist, cdf):
        if ax.get_legend_handles_labels()[0]:
            ax.legend(loc="lower right" if ax is cdf else "upper right", fontsize=8)
    return _svg(fig)


def render_plot(kind: str, result: dict[str, Any]) -> str:
    """`kind` (one of PLOTS) of a trace (or, for establish, of a Monte Carlo result)."""
    if kind == "sequence":
        return sequence_plot(result)
    if kind == "window":
        return window_plot(result)
    if kind == "cwnd":
        return cwnd_plot(result)
    if kind == "establish":
        return establish_plot(result)
    raise InvalidInput(f"invalid plot {kind!r}: expected one of {', '.join(PLOTS)}")

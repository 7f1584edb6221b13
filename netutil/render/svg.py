"""The sequence diagram of a connection as SVG, drawn to scale from the trace's JSON dict.

Time runs down; the client's lifeline is on the left, the server's on the right. Each segment
is an arrow from its send time on one lifeline to its arrival time on the other, so the slope
shows the delay to scale; a lost (or deliberately dropped) segment ends in a cross part-way
across; corrupted, duplicated, out-of-order and retransmitted segments are drawn with their own
stroke and labelled in words, so the picture reads without colour. Each side's state is a band
along its lifeline, named; an idle span longer than `break_after` (TIME-WAIT's 240 s, a long
retransmission backoff) is cut out of the time axis and drawn as a marked break with its length.
Every arrow, band and timer carries its rule id and explanation (`netutil.render.explain`) as a
`<title>` tooltip.

The drawing uses presentation attributes only (no `<style>` element, no `style=` attribute,
no script), so it can be inlined in a page served under a strict Content-Security-Policy. The
`<metadata>` element holds the replay steps as JSON (time, side, what happened, both states
after it, the sentence), which the browser page steps through. Only the JSON dict is read, so
a trace fetched from the API draws the same.
"""

from __future__ import annotations

import bisect
import itertools
import json
import math
from typing import Any
from xml.sax.saxutils import escape as _escape
from xml.sax.saxutils import quoteattr

from netutil.render.explain import explain
from netutil.render.ladder import LOST_FATES, Reads, _label, congestion_text
from netutil.render.plots import has_congestion

SVG_MEDIA_TYPE = "image/svg+xml"

# Layout, in px
AXIS_X = 60  # right edge of the time axis labels ("241.2 s" fits left of it)
CLIENT_X = 200  # client lifeline (state names and timers to its left)
LANE = 440  # between the lifelines
SERVER_X = CLIENT_X + LANE
WIDTH = SERVER_X + 150
NOTE_GAP = 12  # px between two notes stacked beside one lifeline
LABEL_SLOTS = 6  # labels of segments sent at one instant stack this high, the rest are tooltips
TOP = 70  # y of time 0
BAND_W = 14
BREAK_PX = 44  # height of a break in the time axis
ONE_WAY_PX = 48  # a one-way delay, when the trace is short enough
ROW_PX = 20  # a capture's rows: at least this far apart
MAX_SHOWN_PX = 24_000  # the unbroken time axis at most this tall (the scale shrinks to fit)
FONT = "DejaVu Sans, Verdana, sans-serif"
INK = "#1a1a1a"  # text and strokes: 17:1 on white
MUTED = "#4d4d4d"  # secondary text: 8.5:1 on white

#: Light fills for the state bands (dark text on each keeps >= 4.5:1); TIME-WAIT is hatched too.
STATE_FILLS = {
    "CLOSED": "#ffffff",
    "LISTEN": "#e8eef7",
    "SYN-SENT": "#fdf1d8",
    "SYN-RECEIVED": "#fde6cf",
    "ESTABLISHED": "#dff0df",
    "FIN-WAIT-1": "#f3e4f3",
    "FIN-WAIT-2": "#eadcf0",
    "CLOSE-WAIT": "#e0ecf3",
    "CLOSING": "#f6dede",
    "LAST-ACK": "#eee3d6",
    "TIME-WAIT": "url(#nu-hatch)",
}


def _drawable(trace: dict[str, Any]) -> dict[str, Any]:
    """A captured connection's trace (`netutil.analyze.trace`) in the simulator's shape.

    A capture sees each segment once, at the capture point, and cannot say when it left or
    arrived: each is drawn in capture order, one row each (`EventAxis`), as a short arrow
    from its sender towards the other side, as Wireshark's flow graph does, with its analysis
    flags in its label."""
    if "capture" not in trace:
        return trace
    out = []
    for e in trace["events"]:
        if e["type"] != "send":
            out.append(e)
            continue
        analysis = e.get("analysis") or []
        note = e.get("note")
        if "retransmission" in analysis or "fast_retransmission" in analysis:
            note = f"retransmission ({note})" if note else "retransmission"
        out.append(
            {
                **e,
                "arrival": e["time"],
                "kind": e.get("kind", "data" if e["len"] else "ack"),
                "duplicate": None,
                "note": note,
                "captured": e["time"],
            }
        )
    return {
        **trace,
        "events": out,
        "options": {"delay": 0.0, "seed": None, "msl": None},
        "summary": None,
    }


def break_threshold(trace: dict[str, Any]) -> float:
    """Idle spans longer than this many seconds are cut from the axis: 5 s, or 20 RTTs when
    that is longer (so retransmission backoffs of 1, 2 and 4 s stay to scale)."""
    return max(5.0, 40.0 * trace["options"]["delay"])


class TimeAxis:
    """Simulated seconds -> y, linear between breaks; each break takes `BREAK_PX`."""

    def __init__(self, times: list[float], scale: float, break_after: float) -> None:
        self.scale = scale
        # pieces: (t0, t1, y0) drawn to scale; breaks: (t0, t1, y0) drawn BREAK_PX tall
        self.starts: list[float] = []
        self.pieces: list[tuple[float, float, float]] = []
        self.breaks: list[tuple[float, float, float]] = []
        y = TOP
        start = times[0]
        prev = start
        for t in times[1:]:
            if t - prev > break_after:
                self._piece(start, prev, y)
                y += (prev - start) * scale
                self.breaks.append((prev, t, y))
                y += BREAK_PX
                start = t
            prev = t
        self._piece(start, prev, y)
        self.bottom = y + (prev - start) * scale

    def _piece(self, t0: float, t1: float, y0: float) -> None:
        self.starts.append(t0)
        self.pieces.append((t0, t1, y0))

    def y(self, t: float) -> float:
        i = bisect.bisect_right(self.starts, t) - 1
        if i < 0:
            return TOP
        t0, t1, y0 = self.pieces[i]
        if t <= t1:
            return y0 + (t - t0) * self.scale
        # inside the break after piece i: place it proportionally in the break
        b0, b1, by = self.breaks[i]
        return by + BREAK_PX * (t - b0) / (b1 - b0)


class EventAxis:
    """A capture's time axis: each instant at least `ROW_PX` below the one before, further
    when the time between them is long at `scale` (a loopback capture's microseconds would
    otherwise pile every arrow onto one line); ticks name the times of rows at least 48 px
    apart. The interface of `TimeAxis` (`y`, `bottom`, no pieces, no breaks)."""

    def __init__(self, times: list[float], scale: float) -> None:
        self.times = times
        self.ys: list[float] = []
        y = float(TOP)
        prev = times[0]
        for t in times:
            if self.ys:
                y += max(ROW_PX, min((t - prev) * scale, 4 * ROW_PX))
            self.ys.append(y)
            prev = t
        self.bottom = y
        self.pieces: list[tuple[float, float, float]] = []
        self.breaks: list[tuple[float, float, float]] = []

    def y(self, t: float) -> float:
        i = bisect.bisect_left(self.times, t)
        if i >= len(self.times):
            return self.bottom
        if self.times[i] == t or i == 0:
            return self.ys[i]
        t0, t1 = self.times[i - 1], self.times[i]
        return self.ys[i - 1] + (self.ys[i] - self.ys[i - 1]) * (t - t0) / (t1 - t0)

    def ticks(self) -> list[tuple[float, float]]:
        out: list[tuple[float, float]] = []
        for t, y in zip(self.times, self.ys, strict=True):
            if not out or y - out[-1][1] >= 48:
                out.append((t, y))
        return out


def _num(v: float) -> str:
    """A coordinate to 0.1 px (what a screen can show)."""
    return f"{v:.1f}"


def escape(text: str) -> str:
    """XML text: &, < and > escaped (most labels have none, so they are returned as they are)."""
    if "&" in text or "<" in text or ">" in text:
        return _escape(text)
    return text


def _nice_step(span_px_per_s: float) -> float:
    """A tick step (1, 2 or 5 times a power of ten seconds) at least 48 px apart."""
    want = 48.0 / span_px_per_s
    power = 10 ** math.floor(math.log10(want))
    for m in (1, 2, 5, 10):
        if m * power >= want:
            return m * power
    return 10 * power


def _seconds(t: float) -> str:
    return f"{t:.6f}".rstrip("0").rstrip(".") + " s"


def render_svg(trace: dict[str, Any], break_after: float | None = None) -> str:
    """The whole diagram as one SVG document (UTF-8 text), of a simulated run or of one
    captured connection."""
    trace = _drawable(trace)
    events = trace["events"]
    options = trace["options"]
    delay = options["delay"]
    if break_after is None:
        break_after = break_threshold(trace)
    sentences = list(explain(trace))

    # arrival times of every copy, from the receivers' own records (the send's `arrival` for a
    # copy whose arrival the run did not reach)
    arrivals: dict[tuple[int, int], tuple[float, str, int]] = {}
    for i, e in enumerate(events):
        if e["type"] == "arrive":
            arrivals[(e["number"], e["copy"])] = (e["time"], e["result"], i)

    times = {0.0}
    for e in events:
        times.add(e["time"])
        if e["type"] == "send" and e["arrival"] is not None:
            times.add(e["arrival"])
    ordered = sorted(times)
    shown = 0.0
    for a, b in itertools.pairwise(ordered):
        if b - a <= break_after:
            shown += b - a
    scale = ONE_WAY_PX / delay if delay > 0 else 400.0
    if shown * scale > MAX_SHOWN_PX:
        scale = MAX_SHOWN_PX / shown
    captured = trace["summary"] is None
    axis: TimeAxis | EventAxis = (
        EventAxis(ordered, scale) if captured else TimeAxis(ordered, scale, break_after)
    )
    y = axis.y

    isn = {"client": trace["client"]["isn"], "server": trace["server"]["isn"]}
    peer = {"client": "server", "server": "client"}
    x_of = {"client": CLIENT_X, "server": SERVER_X}

    bands: list[str] = []
    segments: list[str] = []
    notes: list[str] = []
    steps: list[dict[str, Any]] = []
    state = {"client": "CLOSED", "server": "CLOSED"}
    # side -> (time, state, title, step, y of its name)
    open_band: dict[str, tuple[float, str, str, int, float]] = {}
    end_y = axis.bottom + 24
    # beside each lifeline (outside the lane) notes stack downwards: state names, timers, calls
    free_y = {"client": -1e9, "server": -1e9}

    def stack(side: str, want: float) -> float:
        at = max(want, free_y[side])
        free_y[side] = at + NOTE_GAP
        return at

    slots: dict[tuple[str, float], int] = {}

    def close_band(side: str, until_y: float) -> None:
        if side not in open_band:
            return
        t0, name, title, step, name_y = open_band.pop(side)
        bands.append(_band(side, name, y(t0), until_y, title, step, name_y))

    counts = {"sent": 0, "lost": 0}
    reads = Reads()  # the application's reads, shown where they move the window
    for i, e in enumerate(events):
        kind, side, t = e["type"], e["side"], e["time"]
        sentence = sentences[i]
        if kind == "user" and reads.see(e):
            continue
        if kind == "state":
            close_band(side, y(t))
            state[side] = e["to"]
            open_band[side] = (t, e["to"], sentence or "", i, stack(side, y(t) + 11))
        elif kind == "send":
            counts["sent"] += 1
            if e["fate"] in LOST_FATES:
                counts["lost"] += 1
            label = _label(e, isn[side], isn[peer[side]])
            read = reads.before_send(e)
            if read:
                notes.append(_read(read, side, i, x_of[side], stack(side, y(t) + 11)))
            slot = slots[(side, t)] = slots.get((side, t), -1) + 1
            segments.append(
                _segment(
                    e, i, label, sentence, x_of[side], x_of[peer[side]], y, delay, arrivals, slot
                )
            )
        elif kind == "arrive" and sentence and "(rule S34" in sentence:
            # a retransmitted FIN in TIME-WAIT: the 2 MSL wait starts again from here
            notes.append(_restart(e, i, x_of[side], stack(side, y(t) + 11), sentence))
        elif kind == "timeout":
            notes.append(_timeout(e, i, x_of[side], y(t), stack(side, y(t) + 4), sentence))
        elif kind in ("user", "error"):
            notes.append(_user(e, i, x_of[side], stack(side, y(t) + 11)))
        if kind != "user" and kind != "queue":
            steps.append(
                {
                    "step": i,
                    "time": t,
                    "type": kind,
                    "side": side,
                    "number": e.get("number"),
                    "client": state["client"],
                    "server": state["server"],
                    "text": sentence or _plain(e),
                }
            )
    for side in ("client", "server"):
        close_band(side, end_y)

    height = end_y + 150
    out: list[str] = []
    w = out.append
    client, server = trace["client"], trace["server"]
    summary = trace["summary"]
    ends = f"TCP connection {client['ip']}:{client['port']} to {server['ip']}:{server['port']}"
    if summary is None:
        title = f"{ends}, {trace['capture']}"
    else:
        title = f"{ends}, RTT {_num(delay * 2000)} ms, seed {options['seed']}: {summary['outcome']}"
    w('<?xml version="1.0" encoding="UTF-8"?>\n')
    w(
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {_num(height)}" '
        f'width="{WIDTH}" height="{_num(height)}" role="img" class="nu-sequence" '
        f'font-family="{FONT}" font-size="11" '
        f'data-segments="{counts["sent"]}" data-lost="{counts["lost"]}" '
        f'data-breaks="{len(axis.breaks)}" data-congestion="{int(has_congestion(trace))}">\n'
    )
    w(f"<title>{escape(title)}</title>\n")
    w(
        "<desc>Sequence diagram, time running down: arrows are segments from send to arrival, "
        "crosses are losses, bands are each side's state.</desc>\n"
    )
    meta = {
        "client": client,
        "server": server,
        "options": options,
        "summary": summary,
        "steps": steps,
    }
    w(f'<metadata id="nu-replay">{escape(json.dumps(meta, separators=(",", ":")))}</metadata>\n')
    w(_DEFS)
    w('<rect width="100%" height="100%" fill="#ffffff"/>\n')
    # headings and lifelines
    for side, x in x_of.items():
        who = trace[side]
        w(
            f'<text x="{x}" y="24" text-anchor="middle" font-size="13" font-weight="bold" '
            f'fill="{INK}">{side}</text>\n'
            f'<text x="{x}" y="40" text-anchor="middle" fill="{MUTED}">'
            f"{escape(who['ip'])}:{who['port']} ISN {who['isn']}</text>\n"
            f'<line class="lifeline" x1="{x}" y1="{TOP}" x2="{x}" y2="{_num(end_y)}" '
            f'stroke="{INK}" stroke-width="1"/>\n'
        )
    w(f'<g class="axis" fill="{MUTED}" text-anchor="end">\n')
    step = _nice_step(scale)
    if isinstance(axis, EventAxis):
        for tick, ty in axis.ticks():
            w(
                f'<line class="tick" x1="{AXIS_X + 4}" y1="{_num(ty)}" x2="{AXIS_X + 10}" '
                f'y2="{_num(ty)}" stroke="{MUTED}"/>'
                f'<text x="2" y="{_num(ty + 4)}" text-anchor="start" font-size="9">'
                f"{_seconds_short(tick)}</text>\n"
            )
    for t0, t1, y0 in axis.pieces:
        k = math.ceil(t0 / step - 1e-9)
        ticks = []
        while k * step <= t1 + 1e-9:
            ticks.append(k * step)
            k += 1
        if not ticks or ticks[0] - t0 > step / 2:
            ticks.insert(0, t0)  # a piece after a break starts with its own time
        for tick in ticks:
            ty = y0 + (tick - t0) * scale
            w(
                f'<line class="tick" x1="{AXIS_X + 4}" y1="{_num(ty)}" x2="{AXIS_X + 10}" '
                f'y2="{_num(ty)}" stroke="{MUTED}"/>'
                f'<text x="{AXIS_X}" y="{_num(ty + 4)}">{_num_t(tick)}</text>\n'
            )
    w("</g>\n")
    cuts = [_break(t0, t1, by) for t0, t1, by in axis.breaks]
    for back, _ in cuts:
        w(back)
    w('<g class="bands">\n')
    out.extend(bands)
    w("</g>\n")
    for _, marks in cuts:
        w(marks)
    w('<g class="segments">\n')
    out.extend(segments)
    w("</g>\n")
    w('<g class="notes">\n')
    out.extend(notes)
    w("</g>\n")
    w(_legend(summary, end_y + 28))
    w("</svg>\n")
    return "".join(out)


def _seconds_short(t: float) -> str:
    """A capture's tick: to the microsecond, as a capture's timestamps go."""
    return f"{t:.6f}".rstrip("0").rstrip(".") + " s"


def _num_t(t: float) -> str:
    return f"{t:.3f}".rstrip("0").rstrip(".") + " s"


def _plain(e: dict[str, Any]) -> str:
    kind, side = e["type"], e["side"]
    if kind == "arrive":
        return f"{side}: #{e['number']} arrives ({e['result']})"
    if kind == "error" or "text" in e:
        return f"{side}: {e['text']}"
    if kind == "congestion":
        return f"{side}: {congestion_text(e)}"
    return f"{side}: {kind}"


def _outside(x: float) -> tuple[float, str]:
    """Where a note beside lifeline `x` starts, and its anchor (outside the lane)."""
    if x == CLIENT_X:
        return CLIENT_X - BAND_W / 2 - 5, "end"
    return SERVER_X + BAND_W / 2 + 5, "start"


def _band(side: str, name: str, y0: float, y1: float, title: str, step: int, name_y: float) -> str:
    x = (CLIENT_X if side == "client" else SERVER_X) - BAND_W / 2
    h = max(y1 - y0, 0.0)
    fill = STATE_FILLS.get(name, "#ffffff")
    parts = [
        f'<g class="state-band" data-side="{side}" data-state="{name}" data-step="{step}" '
        f'data-y="{_num(y0)}">',
        f"<title>{escape(title)}</title>",
        f'<rect x="{_num(x)}" y="{_num(y0)}" width="{BAND_W}" height="{_num(max(h, 1.0))}" '
        f'fill="{fill}" stroke="{INK}" stroke-width="0.8"/>',
    ]
    tx, anchor = _outside(CLIENT_X if side == "client" else SERVER_X)
    parts.append(
        f'<text x="{_num(tx)}" y="{_num(name_y)}" text-anchor="{anchor}" '
        f'font-weight="bold" fill="{INK}">{name}</text>'
    )
    parts.append("</g>\n")
    return "".join(parts)


def _segment(
    e: dict[str, Any],
    step: int,
    label: str,
    sentence: str | None,
    x0: float,
    x1: float,
    y: Any,
    delay: float,
    arrivals: dict[tuple[int, int], tuple[float, str, int]],
    slot: int,
) -> str:
    number, fate, t = e["number"], e["fate"], e["time"]
    retransmitted = bool(e["note"] and e["note"].startswith("retransmission"))
    y0 = y(t)
    first = arrivals.get((number, 1))
    result = first[1] if first is not None else None
    words = []
    if retransmitted:
        words.append("retransmitted")
    if fate in LOST_FATES:
        words.append(fate)
    elif fate == "corrupted":
        words.append("corrupted")
    if result == "out of order":
        words.append("out of order")
    if e.get("duplicate") is not None:
        words.append("duplicated")
    attrs = (
        f'class="segment" data-number="{number}" data-side="{e["side"]}" '
        f'data-kind="{e["kind"]}" data-fate="{fate}" data-step="{step}" data-time="{t}"'
    )
    if first is not None:
        attrs += f' data-arrive-step="{first[2]}"'
    if "captured" in e:
        attrs += f' data-captured="{e["captured"]}"'
    if words:
        attrs += f" data-marks={quoteattr(' '.join(words))}"
    tooltip = label + (f" [{', '.join(words)}]" if words else "")
    if sentence:
        tooltip += "\n" + sentence
    if first is not None and result not in ("accepted", None):
        tooltip += f"\nreceiver: {result}"
    stroke = f'stroke="{INK}" stroke-width="{2.6 if retransmitted else 1.3}"'
    if fate == "corrupted":
        stroke += ' stroke-dasharray="7 4"'
    parts = [f"<g {attrs}>", f"<title>{escape(tooltip)}</title>"]
    if fate in LOST_FATES:
        # the cross: halfway across, where the segment would be half a delay later
        xm = (x0 + x1) / 2
        ym = y(t + delay / 2)
        parts.append(
            f'<line class="arrow" x1="{x0}" y1="{_num(y0)}" x2="{_num(xm)}" y2="{_num(ym)}" '
            f"{stroke}/>"
            f'<path class="cross" d="M{_num(xm - 6)} {_num(ym - 6)}L{_num(xm + 6)} {_num(ym + 6)}'
            f'M{_num(xm - 6)} {_num(ym + 6)}L{_num(xm + 6)} {_num(ym - 6)}" stroke="{INK}" '
            f'stroke-width="2.4"/>'
        )
        end_x, end_y = xm, ym
    else:
        t1 = first[0] if first is not None else (e["arrival"] if e["arrival"] is not None else t)
        end_x, end_y = x1, y(t1)
        if "captured" in e:  # seen once: a short slope within its own row
            end_y = y0 + ROW_PX * 0.6
        parts.append(
            f'<line class="arrow" x1="{x0}" y1="{_num(y0)}" x2="{x1}" y2="{_num(end_y)}" '
            f'{stroke} marker-end="url(#nu-head)"/>'
        )
        mark = None
        if result in ("bad checksum", "malformed", "out of order"):
            mark = result
        elif fate == "corrupted":
            mark = "bad checksum"
        if mark:
            parts.append(_end_mark(x1, end_y, x0 < x1, mark))
    copy = arrivals.get((number, 2))
    if copy is not None:
        cy = y(copy[0])
        parts.append(
            f'<line class="copy-arrow" x1="{x0}" y1="{_num(y0)}" x2="{x1}" y2="{_num(cy)}" '
            f'stroke="{INK}" stroke-width="1.2" stroke-dasharray="1.5 3" '
            f'marker-end="url(#nu-head)" data-arrive-step="{copy[2]}"/>'
        )
        parts.append(_end_mark(x1, cy + 11, x0 < x1, f"copy 2: {copy[1]}"))
    # the label along the arrow, a little above it
    dx, dy = end_x - x0, end_y - y0
    angle = math.degrees(math.atan2(dy, dx))
    if x1 < x0:
        angle -= 180.0  # keep the text upright on right-to-left arrows
    mx, my = x0 + dx * 0.5, y0 + dy * 0.5
    if retransmitted:
        label = label.replace(f" ({e['note']})", "")  # said in words below
    text = label if not words else f"{label} [{', '.join(words)}]"
    if slot < LABEL_SLOTS:  # segments sent at one instant: labels stacked above the arrow
        parts.append(
            f'<text class="label" x="{_num(mx)}" y="{_num(my - 4 - 12 * slot)}" '
            f'text-anchor="middle" font-size="10" fill="{INK}" '
            f'transform="rotate({angle:.2f} {_num(mx)} {_num(my)})">{escape(text)}</text>'
        )
    parts.append("</g>\n")
    return "".join(parts)


def _end_mark(x: float, y: float, rightward: bool, text: str) -> str:
    tx, anchor = (x - 10, "end") if rightward else (x + 10, "start")
    return (
        f'<text class="arrival-mark" x="{_num(tx)}" y="{_num(y + 12)}" text-anchor="{anchor}" '
        f'font-size="10" font-style="italic" fill="{INK}">{escape(text)}</text>'
    )


_TIMER_NAMES = {"retransmission": "RTO", "persist": "persist", "time-wait": "2MSL"}


def _timeout(
    e: dict[str, Any], step: int, x: float, ty: float, text_y: float, sentence: str | None
) -> str:
    text = f"{_TIMER_NAMES.get(e['timer'], e['timer'])} expired"
    if e.get("rto") is not None:
        text += f" ({e['rto']:g} s)"
    tip = f"{e['timer']} timeout" + (f"\n{sentence}" if sentence else "")
    tx, anchor = _outside(x)
    return (
        f'<g class="timeout" data-side="{e["side"]}" data-step="{step}">'
        f"<title>{escape(tip)}</title>"
        f'<circle cx="{x}" cy="{_num(ty)}" r="5" fill="#ffffff" stroke="{INK}" '
        f'stroke-width="1.5"/>'
        f'<path d="M{x} {_num(ty - 3)}V{_num(ty)}H{x + 3}" stroke="{INK}" fill="none"/>'
        f'<text x="{_num(tx)}" y="{_num(text_y)}" text-anchor="{anchor}" font-size="10" '
        f'fill="{MUTED}">{escape(text)}</text></g>\n'
    )


def _restart(e: dict[str, Any], step: int, x: float, ty: float, sentence: str) -> str:
    tx, anchor = _outside(x)
    return (
        f'<g class="timer-restart" data-side="{e["side"]}" data-step="{step}">'
        f"<title>{escape(sentence)}</title>"
        f'<text x="{_num(tx)}" y="{_num(ty)}" text-anchor="{anchor}" font-size="10" '
        f'font-weight="bold" fill="{INK}">2MSL restarted</text></g>\n'
    )


def _user(e: dict[str, Any], step: int, x: float, ty: float) -> str:
    prefix = "app: " if e["type"] == "user" else "error: "
    tx, anchor = _outside(x)
    return (
        f'<text class="{e["type"]}-call" data-step="{step}" x="{_num(tx)}" y="{_num(ty)}" '
        f'text-anchor="{anchor}" font-size="10" font-style="italic" fill="{MUTED}">'
        f"{escape(prefix + e['text'])}</text>\n"
    )


def _read(text: str, side: str, step: int, x: float, ty: float) -> str:
    """The application's reads that moved the window of the segment sent here: short on the
    drawing ("app read 500 B"), the whole sentence in the tooltip."""
    tx, anchor = _outside(x)
    short = "app read " + text.split()[2] + " B"
    return (
        f'<g class="app-read" data-side="{side}" data-step="{step}">'
        f"<title>{escape(text)}, which opened the window this segment advertises</title>"
        f'<text x="{_num(tx)}" y="{_num(ty)}" text-anchor="{anchor}" font-size="10" '
        f'font-style="italic" fill="{MUTED}">{escape(short)}</text></g>\n'
    )


def _break(t0: float, t1: float, by: float) -> tuple[str, str]:
    """A cut in the time axis: a blank strip with its length (drawn under the bands), and
    zigzags across the axis and both lifelines (drawn over them)."""
    mid = by + BREAK_PX / 2
    zig = []
    for x in (AXIS_X + 7, CLIENT_X, SERVER_X):
        zig.append(
            f'<path d="M{x - 9} {_num(mid - 7)}l6 -4l6 8l6 -4M{x - 9} {_num(mid + 1)}l6 -4l6 8'
            f'l6 -4" stroke="{INK}" fill="#ffffff" stroke-width="1.2"/>'
        )
    length = escape(_seconds(t1 - t0))
    back = (
        f'<g class="time-break" data-from="{t0}" data-to="{t1}">'
        f"<title>{length} with nothing sent, cut from the axis</title>"
        f'<rect x="0" y="{_num(by + 4)}" width="{WIDTH}" height="{BREAK_PX - 8}" '
        'fill="#ffffff"/>'
        f'<text x="{(CLIENT_X + SERVER_X) / 2}" y="{_num(mid + 4)}" text-anchor="middle" '
        f'font-style="italic" fill="{INK}">... {length} later ...</text></g>\n'
    )
    return back, '<g class="break-marks">' + "".join(zig) + "</g>\n"


def _legend(summary: dict[str, Any] | None, y0: float) -> str:
    items = [
        ("", "delivered"),
        ("", "retransmitted (thick)"),
        ("7 4", "corrupted (dashed)"),
        ("1.5 3", "duplicate copy (dotted)"),
    ]
    parts = [f'<g class="legend" fill="{INK}">']
    x = AXIS_X
    for i, (dash, text) in enumerate(items):
        lx = x + i * 170
        width = 2.6 if "thick" in text else 1.3
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        parts.append(
            f'<line x1="{lx}" y1="{_num(y0)}" x2="{lx + 30}" y2="{_num(y0)}" stroke="{INK}" '
            f'stroke-width="{width}"{dash_attr}/>'
            f'<text x="{lx + 36}" y="{_num(y0 + 4)}">{text}</text>'
        )
    ly = y0 + 22
    parts.append(
        f'<path d="M{x + 9} {_num(ly - 6)}l12 12m-12 0l12 -12" stroke="{INK}" stroke-width="2.4"/>'
        f'<text x="{x + 36}" y="{_num(ly + 4)}">lost (cross)</text>'
        f'<rect x="{x + 170}" y="{_num(ly - 7)}" width="30" height="14" fill="url(#nu-hatch)" '
        f'stroke="{INK}" stroke-width="0.8"/>'
        f'<text x="{x + 206}" y="{_num(ly + 4)}">TIME-WAIT (hatched)</text>'
    )
    if summary is None:  # a capture: no run summary
        parts.append("</g>\n")
        return "".join(parts)
    est = summary["time_to_established"]
    lines = [
        f"outcome: {summary['outcome']}" + (f" ({summary['reason']})" if summary["reason"] else ""),
        f"segments: {summary['segments_sent']} sent, {summary['segments_lost']} lost, "
        f"{summary['segments_corrupted']} corrupted, {summary['segments_duplicated']} duplicated",
        f"established: client {_opt_s(est['client'])}, server {_opt_s(est['server'])}; "
        f"duration {_opt_s(summary['duration'])}",
    ]
    for k, line in enumerate(lines):
        parts.append(f'<text x="{x}" y="{_num(ly + 30 + 16 * k)}">{escape(line)}</text>')
    parts.append("</g>\n")
    return "".join(parts)


def _opt_s(v: float | None) -> str:
    return "-" if v is None else f"{v:g} s"


_DEFS = f"""<defs>
<marker id="nu-head" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="9" markerHeight="9"
 markerUnits="userSpaceOnUse" orient="auto-start-reverse">
<path d="M0 0L10 5L0 10z" fill="{INK}"/></marker>
<pattern id="nu-hatch" width="6" height="6" patternUnits="userSpaceOnUse"
 patternTransform="rotate(45)"><rect width="6" height="6" fill="#f2f2f2"/>
<line x1="0" y1="0" x2="0" y2="6" stroke="#8c8c8c" stroke-width="2"/></pattern>
</defs>
"""

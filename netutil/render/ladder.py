"""The ladder (sequence) diagram of a simulated connection, drawn from its JSON event dicts.

Time runs down, the client is on the left and the server on the right; each segment is an arrow
labelled with its number, flags, seq, ack, window and length, drawn when it is sent; its arrival
is a second, short arrow at the receiver (with the receiver's verdict when it is not plain
acceptance); a lost segment ends in `X` in the middle of the lane. Sequence and acknowledgment
numbers are shown relative to the sender's and the receiver's ISN, as Wireshark does.

Only JSON dicts are read, so a trace fetched from the API draws the same. The events may be any
iterable (a generator fed by a running simulation): each row is written as soon as the next
event shows it is complete, so memory stays constant however long the run. Text that does not
fit the lane (a long label, a verdict, a remark) wraps onto rows of its own instead of pushing
the right border out.

The application's reads (`user` events `RECEIVE n bytes`) are shown where they move the window:
the reads a side made since its last segment are summed into one row just above the next segment
whose advertised window differs from the one before (a window update otherwise has no visible
cause); reads that leave the next window as it was are not shown. A retransmitted FIN arriving in
TIME-WAIT says that it restarts the 2 MSL wait (RFC 9293 section 3.10.7.4, rule S34), which is why
CLOSED comes 2 MSL after that arrival rather than after the first FIN.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Iterable, Iterator
from typing import Any

MASK = 0xFFFFFFFF
LANE = 70  # characters between the two state columns at full width
MIN_LANE = 36  # below this an arrow and its label no longer read as one
SIDE = 13  # width of the client's state column ("SYN-RECEIVED" is 12)
TIME = 9  # width of the time column ("   12.345")
#: Columns around the lane: time, two spaces, client state, two borders, two spaces, server
#: state ("SYN-RECEIVED").
FRAME = TIME + 2 + SIDE + 2 + 2 + 12
#: Fates of a segment that never arrives: random loss, a --drop rule, a full bottleneck queue.
LOST_FATES = ("lost", "dropped", "queue-drop")
#: The width of the classic layout (a 70-column lane), used when no width is asked for.
FULL_WIDTH = FRAME + LANE

LEGEND = (
    "Each segment shows on two rows: its send, an arrow from the sender (#N, flags, relative "
    "seq and ack, window, length), and its arrival at the receiver ('#N >' or '< #N', with the "
    "receiver's verdict when it is not accepted). X marks a segment lost or dropped on the way."
)


def render_ladder(
    trace: dict[str, Any],
    events: Iterable[dict[str, Any]] | None = None,
    *,
    width: int = FULL_WIDTH,
    legend: bool = False,
    explain: Callable[[dict[str, Any]], str | None] | None = None,
) -> Iterator[str]:
    """Lines of the ladder diagram (the summary is `summary_pairs`).

    trace: the run's `client`, `server` and `options` dicts; events: the event dicts in time
    order (default `trace["events"]`), read once, one at a time. width: the columns to fit
    (the lane shrinks from 70 down to 36 characters). legend: a short key under the header.
    explain: an optional sentence for an event (say, the rule a state change follows), written
    on wrapped rows beside the event's side.
    """
    lane = max(MIN_LANE, min(LANE, width - FRAME))
    client, server = trace["client"], trace["server"]
    isn = {"client": client["isn"], "server": server["isn"]}
    peer = {"client": "server", "server": "client"}
    ends = (
        f"client {client['ip']}:{client['port']} (ISN {client['isn']})",
        f"server {server['ip']}:{server['port']} (ISN {server['isn']})",
    )
    title = f"{ends[0]}  <->  {ends[1]}"
    if len(title) <= width:
        yield title
    else:
        yield f"{ends[0]}  <->"
        yield f"  {ends[1]}"
    if "capture" in trace:  # a captured connection (netutil.analyze.trace): what and where
        yield from _fill(trace["capture"], width)
    else:
        options = trace["options"]
        yield from _fill(
            f"RTT {options['delay'] * 2 * 1000:g} ms, seed {options['seed']}; "
            "seq and ack are relative to each side's ISN",
            width,
        )
    if legend:
        yield from _fill(LEGEND, width)
    yield ""
    header = f"{'time':>{TIME}}  {'client':<{SIDE}}|{'':<{lane}}|  server"
    yield header
    yield "-" * len(header)

    draw = _Lane(lane)
    last: list[Any] | None = None  # [time, left, lane text, right, show time]
    falls = _WindowFalls()
    reads = Reads()
    state = {"client": "CLOSED", "server": "CLOSED"}
    fins: set[int] = set()  # numbers of the segments sent with FIN (to name a restart)
    msl = trace.get("options", {}).get("msl")
    for e in trace["events"] if events is None else events:
        kind, side, time = e["type"], e["side"], e["time"]
        new: list[list[Any]]
        falls.see(e)
        if kind == "user" and reads.see(e):
            continue
        if kind == "congestion" and "text" not in e and e.get("rule") is None:
            continue  # only bytes in flight moved: the plots show that, the ladder does not
        if kind == "state":
            state[side] = e["to"]
            col = 1 if side == "client" else 3
            if last is not None and last[0] == time and not last[col]:
                last[col] = e["to"]
                new = []
            else:
                row = [time, "", "", "", True]
                row[col] = e["to"]
                new = [row]
        elif kind == "send":
            if "FIN" in e["flags"]:
                fins.add(e["number"])
            label = _label(e, isn[side], isn[peer[side]])
            new = _rows(time, draw.arrow(label, side, e["fate"]))
            read = reads.before_send(e)
            if read:  # above the arrow, without a time of its own (the text says when)
                above = _rows(time, draw.aside(read, side))
                for row in above:
                    row[4] = False
                new = above + new
        elif kind == "arrive":
            verdict = e["result"]
            mark = f"#{e['number']}" + (" (copy 2)" if e["copy"] == 2 else "")
            if verdict not in ("accepted",):
                mark += f" {verdict}"
            if verdict in ("bad checksum", "malformed"):
                mark += " X"
            elif state[side] == "TIME-WAIT" and e["number"] in fins:
                mark += " FIN: TIME-WAIT restarts" + (
                    f", CLOSED {2 * msl:g} s later" if msl else ""
                )
            new = _rows(time, draw.arrival(mark, side))
        elif kind == "timeout":
            text = f"{e['timer']} timeout"
            if e.get("rto") is not None:
                text += f" (RTO {e['rto']:g} s)"
            new = _rows(time, draw.aside(text, side))
        elif kind == "queue":
            new = []  # the bottleneck's queue length: a series for the plots, not a row
        else:  # user calls, errors, congestion-control reports
            prefix = _PREFIX.get(kind, f"{kind}: ")
            text = e["text"] if "text" in e else congestion_text(e)
            new = _rows(time, draw.aside(prefix + text, side))
        if explain is not None:
            sentence = explain(e)
            if sentence:
                more = _rows(time, draw.aside(sentence, side))
                for row in more:
                    row[4] = False
                new += more
        if new:
            if last is not None:
                yield _line(last, lane)
            yield from (_line(row, lane) for row in new[:-1])
            last = new[-1]
    if last is not None:
        yield _line(last, lane)
    if falls.seen:
        yield ""
        yield from _fill(WINDOW_NOTE, width)


_PREFIX = {"user": "app: ", "error": "error: ", "congestion": "cc: "}


def congestion_text(e: dict[str, Any]) -> str:
    """A congestion-control record in words: phase, cwnd, ssthresh (inf while unset), the
    bytes in flight and the rule that moved them."""
    ssthresh = "inf" if e["ssthresh"] is None else e["ssthresh"]
    text = (
        f"{str(e['phase']).replace('_', ' ')}: cwnd={e['cwnd']} ssthresh={ssthresh} "
        f"flight={e['flight']}"
    )
    return text + (f" ({e['rule']})" if e.get("rule") else "")


#: Said under a ladder whose windows fall (README "TCP connection simulator" explains it).
WINDOW_NOTE = (
    "win is the receiver's free buffer: it falls while data waits unread, and by 1 after a FIN, "
    "while ack + win (the right edge) stays put: RFC 9293 3.8.6.2.2 SWS avoidance, not a bug"
)


class Reads:
    """The application's reads of each side since its last segment, summed, and the window that
    side advertised last: `before_send` says what to show above a segment whose window the
    reads moved (None when there were none, or the window stayed as it was)."""

    def __init__(self) -> None:
        self.pending: dict[str, list[Any]] = {}  # side -> [bytes, reads, first time]
        self.window: dict[str, int] = {}

    def see(self, e: dict[str, Any]) -> bool:
        """Take a user event if it is a read (True: it is held, not drawn on its own)."""
        text = e["text"]
        if not text.startswith("RECEIVE "):
            return False
        count = int(text.split()[1])
        held = self.pending.setdefault(e["side"], [0, 0, e["time"]])
        held[0] += count
        held[1] += 1
        return True

    def before_send(self, e: dict[str, Any]) -> str | None:
        side = e["side"]
        held = self.pending.pop(side, None)
        if "SYN" in e["flags"] or "RST" in e["flags"]:
            return None
        before = self.window.get(side)
        self.window[side] = e["window"]
        if held is None or before is None or before == e["window"]:
            return None
        count, calls, first = held
        if calls == 1:
            return f"app: RECEIVE {count} bytes (at {first:.3f})"
        return f"app: RECEIVE {count} bytes in {calls} reads since {first:.3f}"


class _WindowFalls:
    """Whether a side offers, after its SYN, a window smaller than one it offered before
    (watched event by event, so the ladder can stream)."""

    def __init__(self) -> None:
        self.largest: dict[str, int] = {}
        self.seen = False

    def see(self, e: dict[str, Any]) -> None:
        if e["type"] == "send" and "SYN" not in e["flags"] and "RST" not in e["flags"]:
            side, window = e["side"], e["window"]
            if window < self.largest.get(side, 0):
                self.seen = True
            self.largest[side] = max(window, self.largest.get(side, 0))


def _rows(time: float, texts: list[str]) -> list[list[Any]]:
    """One row per lane text; only the first shows the time."""
    return [[time, "", text, "", i == 0] for i, text in enumerate(texts)]


def _line(row: list[Any], lane: int) -> str:
    time, left, text, right, show = row
    stamp = f"{time:{TIME}.3f}" if show else " " * TIME
    return f"{stamp}  {left:<{SIDE}}|{text:<{lane}}|  {right}".rstrip()


def _fill(text: str, width: int) -> list[str]:
    return textwrap.wrap(text, max(width, 20), break_on_hyphens=False) or [""]


class _Lane:
    """The texts drawn across a lane of `width` characters; each call returns its rows."""

    def __init__(self, width: int) -> None:
        self.width = width

    def _wrap(self, text: str, room: int) -> list[str]:
        return textwrap.wrap(text, max(room, 8), break_on_hyphens=False) or [""]

    def arrow(self, label: str, side: str, fate: str) -> list[str]:
        """An arrow across the lane for a sent segment (a lost one stops at X midway), with
        what of its label does not fit on the rows below, on the sender's side."""
        width = self.width
        lost = fate in LOST_FATES
        # room for the label: a lost arrow keeps 3 dashes and 'X dropped'; a delivered one 3
        # dashes and its head
        room = width - 2 - (3 + 2 + len(fate) if lost else 4)
        first, *rest = self._wrap(label, room)
        body = f" {first} "
        if lost:
            stub = max(3, width // 2 - len(body))
            if side == "client":
                head = f"{body}{'-' * stub}X {fate}"
            else:
                head = f"{fate} X{'-' * stub}{body}".rjust(width)
        else:
            fill = max(3, width - len(body) - 1)
            head = f"{body}{'-' * fill}>" if side == "client" else f"<{'-' * fill}{body}"
        return [head, *(self._beside(text, side) for text in rest)]

    def arrival(self, mark: str, side: str) -> list[str]:
        """The short arrow at the receiver: `#N >` at the server, `< #N` at the client."""
        first, *rest = self._wrap(mark, self.width - 2)
        if side == "server":
            return [f"{first} >".rjust(self.width), *(t.rjust(self.width - 2) for t in rest)]
        return [f"< {first}", *(f"  {t}" for t in rest)]

    def aside(self, text: str, side: str) -> list[str]:
        """A remark next to one side (a timer, a user call), wrapped to the lane."""
        return [self._beside(t, side) for t in self._wrap(text, self.width - 2)]

    def _beside(self, text: str, side: str) -> str:
        return f" {text}" if side == "client" else f"{text} ".rjust(self.width)


def _label(e: dict[str, Any], own_isn: int, peer_isn: int) -> str:
    flags = ",".join(e["flags"])
    parts = [f"#{e['number']}", flags]
    if "RST" in e["flags"]:
        parts.append(f"seq={e['seq']}")
        if "ACK" in e["flags"]:
            parts.append(f"ack={e['ack']}")
    else:
        parts.append(f"seq={(e['seq'] - own_isn) & MASK}")
        if "ACK" in e["flags"]:
            parts.append(f"ack={(e['ack'] - peer_isn) & MASK}")
        parts.append(f"win={e['window']}")
    if e["len"]:
        parts.append(f"len={e['len']}")
    if "SYN" in e["flags"]:
        for option in e["options"]:
            if option["kind"] == 2:
                parts.append(f"mss={option['value']}")
            elif option["kind"] == 3:
                parts.append(f"ws={option['value']}")
    if e["note"]:
        parts.append(f"({e['note']})")
    return " ".join(parts)


def summary_pairs(summary: dict[str, Any]) -> list[tuple[str, Any]]:
    """The summary as (key, value) pairs for an aligned `key: value` block."""
    est = summary["time_to_established"]
    rtx = summary["retransmissions"]
    states = summary["final_states"]
    return [
        ("outcome", summary["outcome"]),
        ("reason", summary["reason"]),
        ("established (client)", _seconds(est["client"])),
        ("established (server)", _seconds(est["server"])),
        ("retransmissions", f"client {rtx['client']}, server {rtx['server']}"),
        (
            "segments",
            f"{summary['segments_sent']} sent, {summary['segments_lost']} lost, "
            f"{summary['segments_corrupted']} corrupted, "
            f"{summary['segments_duplicated']} duplicated",
        ),
        (
            "bytes delivered",
            f"{summary['bytes_delivered']} of {summary['bytes_sent']}"
            + (" (intact)" if summary["data_intact"] else " (NOT intact)"),
        ),
        ("time to close", _seconds(summary["time_to_close"])),
        ("final states", f"client {states['client']}, server {states['server']}"),
        ("duration", _seconds(summary["duration"])),
        *_congestion_pairs(summary),
    ]


def _congestion_pairs(summary: dict[str, Any]) -> list[tuple[str, Any]]:
    """Goodput, and the client's congestion control (not shown for `--cc none`)."""
    out: list[tuple[str, Any]] = []
    if summary.get("goodput") is not None:
        out.append(("goodput", f"{summary['goodput'] / 1e6:.3f} Mbit/s"))
    cc = summary.get("congestion")
    if cc is None or cc["algorithm"] == "none":
        return out
    rtx, cwnd = cc["retransmissions"], cc["cwnd"]
    out.append(("congestion control", cc["algorithm"]))
    out.append(
        (
            "  retransmitted by",
            f"timeout {rtx['timeout']}, fast retransmit {rtx['fast_retransmit']}, "
            f"partial ACK {rtx['partial_ack']}, SACK {rtx['sack']}",
        )
    )
    out.append(("  slow start", _seconds(cc["time_in_slow_start"])))
    mean = "-" if cwnd["mean"] is None else f"{cwnd['mean']:.0f}"
    out.append(("  cwnd", f"min {cwnd['min']}, mean {mean}, max {cwnd['max']} bytes"))
    return out


def _seconds(value: float | None) -> str | None:
    return None if value is None else f"{value:g} s"

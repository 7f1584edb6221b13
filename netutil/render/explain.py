"""One plain sentence per state change and per reaction in a trace, from the rule table.

Each sentence names the side, what happened, what the side did and the rule with its RFC 9293
section, e.g. "server: a SYN arrives in LISTEN, so it sends SYN,ACK and enters SYN-RECEIVED
(rule S6, RFC 9293 section 3.10.7.2)". The words come from `netutil.sim.states.TRANSITIONS` (the
table `netutil tcp states` prints), so the sentence and the table cannot disagree. Only the
trace's JSON dict is read (as `--json` and the API give it).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from netutil.sim.states import RULES, EventKind

#: The table's actions are imperatives ("send ACK, start 2MSL timer"); these verbs take an -s.
_VERBS = {
    "send": "sends",
    "resend": "resends",
    "create": "creates",
    "delete": "deletes",
    "start": "starts",
    "restart": "restarts",
    "flush": "flushes",
    "drop": "drops",
    "discard": "discards",
    "ignore": "ignores",
    "continue": "continues",
    "double": "doubles",
}

_ORDINALS = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth")


def section_text(section: str) -> str:
    """The table's section column as prose: "3.10.7.4 fifth" -> "RFC 9293 section 3.10.7.4,
    fifth check"; "3.10.8, RFC 6298 5.4-5.6" keeps the second RFC as it is."""
    parts: list[str] = []
    for part in section.split(", "):
        if part in _ORDINALS and parts and parts[-1].endswith(" check"):
            parts[-1] = parts[-1].removesuffix(" check") + f" and {part} checks"
        elif part[:1].isdigit():
            number, _, rest = part.partition(" ")
            text = f"RFC 9293 section {number}"
            if rest in _ORDINALS:
                text += f", {rest} check"
            elif rest:
                text += f" {rest}"
            parts.append(text)
        elif part.startswith("Figure"):
            parts.append(f"RFC 9293 {part}")
        else:
            parts.append(part)
    return "; ".join(parts)


def _action_text(action: str) -> str | None:
    """'send ACK, start 2MSL timer' -> 'sends ACK, starts 2MSL timer'; None for 'none'."""
    if action == "none":
        return None
    out = []
    for clause in action.split(", "):
        verb, _, rest = clause.partition(" ")
        if verb in _VERBS:
            out.append(f"{_VERBS[verb]} {rest}".rstrip())
        else:  # an outcome, not a verb: "connection refused", "connection timed out"
            out.append(f"reports '{clause}'")
    return ", ".join(out)


def _event_text(kind: EventKind, event: str) -> str:
    if kind is EventKind.USER:
        return f"the application calls {event}"
    if kind is EventKind.TIMEOUT:
        timer, _, rest = event.partition(" ")
        return f"the {timer.lower()} timer expires {rest}".rstrip()
    return f"{event} arrives"


def state_sentence(e: dict[str, Any]) -> str:
    """The sentence for one `state` event of the trace."""
    side, old, new, rule_id = e["side"], e["from"], e["to"], e["rule"]
    rule = RULES.get(rule_id)
    if rule is None:  # a trace from a newer table: say what is known
        return f"{side}: {old} -> {new} (rule {rule_id})"
    what = _event_text(rule.kind, rule.event)
    action = _action_text(rule.action)
    did = f"{action} and enters {new}" if action else f"enters {new}"
    return f"{side}: {what} in {old}, so it {did} (rule {rule_id}, {section_text(rule.section)})"


def _rule_sentence(side: str, rule_id: str, state: str, tail: str = "") -> str:
    rule = RULES[rule_id]
    what = _event_text(rule.kind, rule.event)
    action = _action_text(rule.action) or "does nothing more"
    return f"{side}: {what} in {state}, so it {action}{tail} (rule {rule_id}, " + (
        f"{section_text(rule.section)})"
    )


def explain(trace: dict[str, Any]) -> Iterator[str | None]:
    """One sentence (or None) per event of `trace["events"]`, in the same order.

    State changes get their rule's sentence. Sends are explained by what caused them: a
    retransmission timeout (T2), a window probe (T7), a challenge ACK (S19/S21), the state
    change just made (its rule's action), or the segment that just arrived. An arrival that the
    receiver rejects says why; a retransmitted FIN arriving in TIME-WAIT says that the 2 MSL
    wait starts again (S34), which moves the final CLOSED later than the first FIN suggests.
    """
    state = {"client": "CLOSED", "server": "CLOSED"}
    # the last thing each side did at the current instant: (time, kind, detail)
    last: dict[str, tuple[float, str, Any]] = {}
    msl = trace["options"].get("msl")
    window: dict[str, int] = {}  # the window each side advertised last (its header field)
    segments: dict[int, dict[str, Any]] = {}
    for e in trace["events"]:
        kind, side, time = e["type"], e["side"], e["time"]
        text: str | None = None
        if kind == "state":
            text = state_sentence(e)
            state[side] = e["to"]
            last[side] = (time, "state", (e["rule"], e["from"]))
        elif kind == "send":
            segments[e["number"]] = e
            text = _send_sentence(e, state[side], last.get(side))
            if "SYN" not in e["flags"] and "RST" not in e["flags"]:
                before = window.get(side)
                window[side] = e["window"]
                if before is not None and e["window"] != before and e["note"] != "window update":
                    text += _window_change(before, e["window"])
        elif kind == "arrive":
            text = _arrive_sentence(e, segments.get(e["number"]), state[side], msl)
            last[side] = (time, "arrive", e)
        elif kind == "timeout":
            last[side] = (time, "timeout", e)
            if e["timer"] == "time-wait":
                text = None  # the state change (T3) that follows says it
            else:
                rto = e.get("rto")
                after = f" after {rto:g} s" if rto is not None else ""
                text = f"{side}: the {e['timer']} timer expires{after} in {state[side]}"
        yield text


def _window_change(before: int, after: int) -> str:
    """Why the advertised window moved: the buffer is fixed, so it grows only when the
    application reads, and shrinks when data arrives faster than it is read (RFC 9293
    section 3.8.6)."""
    if after > before:
        return (
            f"; its window grew from {before} to {after}: the application read data from "
            "the receive buffer"
        )
    return (
        f"; its window shrank from {before} to {after}: data arrived that the application "
        "has not read yet"
    )


def _segment_name(e: dict[str, Any]) -> str:
    return f"#{e['number']} " + ",".join(e["flags"])


def _send_sentence(e: dict[str, Any], state: str, cause: tuple[float, str, Any] | None) -> str:
    side, note = e["side"], e["note"] or ""
    name = _segment_name(e)
    if note.startswith("retransmission"):
        if "duplicate SYN" in note:
            return (
                f"{side}: a duplicate SYN arrived in {state}, so it sends the SYN,ACK again as "
                f"{name} (Linux's answer; the RFC's is an ACK, rule S14)"
            )
        return _rule_sentence(side, "T2", state, f": {name}")
    if note.startswith("window probe"):
        return _rule_sentence(side, "T7", state, f": {name}")
    if note == "challenge ACK":
        return f"{side}: sends the challenge ACK {name} in {state} (RFC 5961; rules S19, S21)"
    if note == "window update":
        return (
            f"{side}: the application read enough to open the window, so it sends the window "
            f"update {name} (win={e['window']}; RFC 9293 section 3.8.6.2.2)"
        )
    if cause is not None and cause[0] == e["time"]:
        if cause[1] == "state":
            rule_id, before = cause[2]
            rule = RULES.get(rule_id)
            if rule is not None and rule.action.startswith("send"):
                return _rule_sentence(side, rule_id, before, f": {name}")
        if cause[1] == "arrive":
            got = cause[2]
            return f"{side}: in answer to #{got['number']}, it sends {name} in {state}"
    if e["len"]:
        return f"{side}: sends {e['len']} bytes of data as {name} in {state}"
    return f"{side}: sends {name} in {state}"


def _arrive_sentence(
    e: dict[str, Any], sent: dict[str, Any] | None, state: str, msl: float | None
) -> str | None:
    side, result = e["side"], e["result"]
    name = f"#{e['number']}" + (" (second copy)" if e["copy"] == 2 else "")
    if sent is not None:
        name += " " + ",".join(sent["flags"])
    if result in ("bad checksum", "malformed"):
        return (
            f"{side}: {name} arrives corrupted ({result}), so it is discarded before any "
            "state is looked at (RFC 9293 section 3.1, checksum)"
        )
    if sent is not None and state == "TIME-WAIT" and "FIN" in sent["flags"]:
        restart = f"; CLOSED now comes 2 MSL ({2 * msl:g} s) from here" if msl else ""
        return (
            f"{side}: a retransmitted FIN arrives in TIME-WAIT, so it sends ACK and restarts "
            f"the 2MSL timer{restart} (rule S34, {section_text(RULES['S34'].section)})"
        )
    if result == "out of order":
        return (
            f"{side}: {name} arrives out of order (beyond RCV.NXT), so it is queued and "
            "answered with a duplicate ACK (RFC 9293 section 3.10.7.4, seventh check)"
        )
    if result == "duplicate":
        return f"{side}: {name} is a duplicate (already received), so it answers with an ACK"
    if result in ("accepted", ""):
        return None
    return f"{side}: {name} arrives in {state}: {result}"


def explain_lines(trace: dict[str, Any]) -> Iterator[str]:
    """`--explain` under the ladder: the time and the sentence of every event that has one."""
    yield "why, step by step:"
    said = ""  # a send made by the state change just explained is not explained twice
    for e, text in zip(trace["events"], explain(trace), strict=True):
        if text is None:
            continue
        cause = text.split(", so it", 1)[0]
        if e["type"] == "send" and cause == said:
            continue
        said = cause if e["type"] == "state" else ""
        yield f"{e['time']:9.3f}  {text}"

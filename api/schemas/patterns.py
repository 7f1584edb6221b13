"""The text forms the service accepts, as regular expressions that serve twice: the request
schemas validate with them, and the OpenAPI document publishes them as `pattern`, so what the
contract allows is exactly what a request may hold (a schema-valid request is never refused
for its form, and a request outside the pattern is always a 422).

Written in the common subset of Python's `re` and ECMA-262 (what JSON Schema's `pattern`
uses): no look-behind, no named groups, `^...$` anchors. The address forms follow RFC 4291
section 2.2 (IPv6 text, embedded IPv4 included, as RFC 3986's IPv6address rule spells it) and
RFC 4007 section 11 (zones); every text they match is one `netutil.address.parse` and
`netutil.subnet.parse_network` take (a property test holds them to that).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from marshmallow import ValidationError, validate

_OCTET = r"(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])"
IPV4 = rf"{_OCTET}(?:\.{_OCTET}){{3}}"
_H16 = r"[0-9A-Fa-f]{1,4}"
_LS32 = rf"(?:{_H16}:{_H16}|{IPV4})"
#: RFC 3986 section 3.2.2's IPv6address: the RFC 4291 section 2.2 forms, '::' anywhere once.
IPV6 = (
    "(?:"
    + "|".join(
        [
            rf"(?:{_H16}:){{6}}{_LS32}",
            rf"::(?:{_H16}:){{5}}{_LS32}",
            rf"(?:{_H16})?::(?:{_H16}:){{4}}{_LS32}",
            rf"(?:(?:{_H16}:){{0,1}}{_H16})?::(?:{_H16}:){{3}}{_LS32}",
            rf"(?:(?:{_H16}:){{0,2}}{_H16})?::(?:{_H16}:){{2}}{_LS32}",
            rf"(?:(?:{_H16}:){{0,3}}{_H16})?::{_H16}:{_LS32}",
            rf"(?:(?:{_H16}:){{0,4}}{_H16})?::{_LS32}",
            rf"(?:(?:{_H16}:){{0,5}}{_H16})?::{_H16}",
            rf"(?:(?:{_H16}:){{0,6}}{_H16})?::",
        ]
    )
    + ")"
)
#: An RFC 4007 zone: an interface name or index, printable ASCII without space, '%' or '/'
#: (which end the zone), at most 15 characters (IF_NAMESIZE - 1).
ZONE = r"%[!-$&-.0-~]{1,15}"
#: Prefix lengths in decimal, up to three digits (leading zeros are read as decimal).
PREFIX4 = r"(?:0{0,2}[0-9]|0?[12][0-9]|0?3[0-2])"
PREFIX6 = r"(?:0{0,2}[0-9]|0?[1-9][0-9]|1[01][0-9]|12[0-8])"


def _masks() -> str:
    """Every IPv4 netmask (ones then zeros) and host mask (zeros then ones), as text."""
    texts = set()
    for ones in range(33):
        net = (0xFFFFFFFF << (32 - ones)) & 0xFFFFFFFF
        for value in (net, net ^ 0xFFFFFFFF):
            texts.add(".".join(str(value >> s & 255) for s in (24, 16, 8, 0)))
    return "(?:" + "|".join(sorted(re.escape(t) for t in texts)) + ")"


MASK4 = _masks()

#: One address, no prefix (tcp header src/dst, subnet range ends).
ADDRESS = rf"^(?:{IPV4}|{IPV6})$"
#: An address in any `ip info` notation: an IPv6 zone, a prefix or (IPv4) a net/host mask.
ADDRESS_INFO = rf"^(?:{IPV4}(?:/(?:{PREFIX4}|{MASK4}))?|{IPV6}(?:{ZONE})?(?:/{PREFIX6})?)$"
#: A network, or a single address (a /32 or /128): the subnet operations' operand.
NETWORK = rf"^(?:{IPV4}(?:/(?:{PREFIX4}|{MASK4}))?|{IPV6}(?:/{PREFIX6})?)$"
#: A list item of summarize, exclude and the set operations: a network, or blank (skipped).
NETWORK_ITEM = rf"^(?:{NETWORK[1:-1]})?$"


def range_pattern(low: int, high: int) -> str:
    """A regex (no anchors) for the decimal integers low..high written without leading zeros:
    the range cut into runs that share their leading digits (`1[0-4][0-9]` for 100..149)."""
    if not 0 <= low <= high:
        raise ValueError(f"no integers in {low}..{high}")
    parts: list[str] = []
    if low == 0:
        parts.append("0")
        low = 1
    while low <= high:
        k = 0  # the run's free trailing digits
        while low % 10 ** (k + 1) == 0 and low + 10 ** (k + 1) - 1 <= high:
            k += 1
        step = 10**k
        digit = low // step % 10
        count = 1
        while digit + count <= 9 and low + (count + 1) * step - 1 <= high:
            count += 1
        head = str(low // step)[:-1]
        last = str(digit) if count == 1 else f"[{digit}-{digit + count - 1}]"
        parts.append(head + last + "[0-9]" * k)
        low += count * step
    return "(?:" + "|".join(parts) + ")"


class Pattern(validate.Regexp):
    """A JSON Schema `pattern` (apispec publishes a Regexp's expression as one), matched as
    JSON Schema matches it: anywhere in the value, so the anchors say where.

    `core` is the core's parser of the same text: a value outside the pattern that the core
    refuses too is left to the view, whose call into the core then refuses it with the core's
    own message (what the CLI prints for the same input); one the core would take (surrounding
    space, say) is refused here. Either way a value outside the pattern is a 422.
    """

    def __init__(self, regex: str, *, error: str, core: Callable[[str], object] | None = None):
        super().__init__(regex, error=error)
        self.core = core
        # JSON Schema's `$` is the end of the text; Python's also matches before a final "\n"
        self._search = re.compile(regex[:-1] + r"\Z" if regex.endswith("$") else regex).search

    def __call__(self, value: str) -> str:
        if isinstance(value, str) and self._search(value) is not None:
            return value
        if self.core is not None and isinstance(value, str):
            try:
                self.core(value)
            except Exception:  # the core refuses it: the view will say why, as the CLI does
                return value
        raise ValidationError(self._format_error(value))


def any_case(words: list[str]) -> str:
    """^(one of the words)$ with case ignored, spelled out ([Ss][Yy][Nn]): ECMA-262 patterns
    in JSON Schema have no flags."""

    def spelled(word: str) -> str:
        return "".join(f"[{c.upper()}{c.lower()}]" if c.isalpha() else re.escape(c) for c in word)

    return "^(?:" + "|".join(spelled(w) for w in words) + ")$"


def _flag_names() -> list[str]:
    from netutil.segment import _FLAG_ALIASES, TCPFlag

    return [f.name for f in TCPFlag] + list(_FLAG_ALIASES)


FLAG_NAMES = _flag_names()


_NETWORK_ITEM = re.compile(NETWORK_ITEM)


def check_items(data: dict, names: tuple[str, ...], *, nested: bool = False) -> None:
    """Unless the request asks to skip invalid items, every item of the lists `names` (lists
    of lists with `nested`) must be a network or blank: a 422 naming each item that is not."""
    if data.get("skip_invalid"):
        return
    errors: dict = {}
    for name in names:
        lists = data.get(name) or []
        for i, items in enumerate(lists if nested else [lists]):
            for j, item in enumerate(items):
                if not _NETWORK_ITEM.search(item) and _core_takes(item):
                    where = errors.setdefault(name, {})
                    if nested:
                        where = where.setdefault(i, {})
                    where[j] = ["Not an address or network (nor blank); skip_invalid skips it."]
    if errors:
        raise ValidationError(errors)


def _core_takes(item: str) -> bool:
    """Whether the core's list parser would take `item` (one it refuses, it refuses itself,
    naming the item as the CLI does)."""
    from netutil.subnet import parse_network

    try:
        parse_network(item)
    except Exception:
        return False
    return True


def items_rule(names: tuple[str, ...], *, nested: bool = False) -> dict:
    """check_items as JSON Schema: the item pattern applies unless skip_invalid is true."""
    item = {"type": "string", "pattern": NETWORK_ITEM}
    if nested:
        item = {"type": "array", "items": item}
    return {
        "if": {"properties": {"skip_invalid": {"const": True}}, "required": ["skip_invalid"]},
        "else": {"properties": {name: {"type": "array", "items": item} for name in names}},
    }

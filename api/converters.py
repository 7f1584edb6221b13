"""URL converters for path parameters that are user input written as is.

An address or a prefix can hold slashes (`10.1.2.3/24`, `10.1.2.3/255.255.255.0`) and even
start with one (an invalid `/24` must reach the core, which says what is wrong with it, instead
of being a 404), so these take the rest of the path, whatever it holds.
"""

from __future__ import annotations

from werkzeug.routing import PathConverter

#: Sub-resources of /api/subnet; a network path parameter never takes these words, so e.g.
#: GET /api/subnet/exclude is a 405 (exclude is POST) instead of the info of a network 'exclude'.
SUBNET_OPERATIONS = (
    "split", "summarize", "range", "contains", "overlap", "exclude",
    "intersect", "diff", "union", "compare", "count",
)  # fmt: skip


class TextConverter(PathConverter):
    """The rest of the path, slashes included (at least one character)."""

    regex = r".+?"
    part_isolating = False  # werkzeug would guess True: the regex has no '/'


class NetworkConverter(PathConverter):
    """Like TextConverter, but never the name of a /api/subnet operation."""

    regex = rf"(?!(?:{'|'.join(SUBNET_OPERATIONS)})$).+?"
    part_isolating = False


CONVERTERS = {"text": TextConverter, "network": NetworkConverter}

"""Subnet request and response shapes (`netutil.subnet` results' `as_dict()`)."""

from __future__ import annotations

from marshmallow import fields, validate, validates_schema

from api import limits
from api.schemas import patterns
from api.schemas.base import JsonBoolean, JsonInteger, Strict, nullable, present
from api.schemas.registry import RegistryEntry
from netutil.subnet.info import parse_address, parse_network

DECIMAL = {"description": "decimal string (may pass 2**53)", "pattern": "^[0-9]+$"}


class MulticastBlock(Strict):
    """A multicast block (RFC 5771 section 3 for IPv4, an ffXY::/16 scope for IPv6)."""

    first_address = present(fields.String)
    last_address = present(fields.String)
    name = present(fields.String)
    rfc = present(fields.String)
    globally_reachable = nullable(fields.Boolean)


class RegistryMatch(Strict):
    classification = present(
        fields.String, validate=validate.OneOf(["inside", "overlapping", "global", "multicast"])
    )
    globally_reachable = nullable(fields.Boolean)
    entries = present(fields.List, fields.Nested(RegistryEntry))
    multicast = present(fields.List, fields.Nested(MulticastBlock))


class NetworkInfo(Strict):
    """Everything about one network (`netutil subnet info --json`)."""

    input = present(fields.String)
    version = present(fields.Integer, validate=validate.OneOf([4, 6]))
    network = present(fields.String)
    network_address = present(fields.String)
    prefix_length = present(fields.Integer, validate=validate.Range(0, 128))
    netmask = present(fields.String)
    hostmask = present(fields.String)
    netmask_binary = present(fields.String)
    broadcast_address = nullable(fields.String, metadata={"description": "IPv4 only"})
    first_host = present(fields.String)
    last_host = present(fields.String)
    num_addresses = present(fields.String, metadata=DECIMAL)
    num_usable = present(fields.String, metadata=DECIMAL)
    host_semantics = present(
        fields.String, validate=validate.OneOf(["subnet", "point_to_point", "single_host"])
    )
    host_semantics_rfc = nullable(fields.String)
    previous_network = nullable(fields.String)
    next_network = nullable(fields.String)
    supernet = nullable(fields.String)
    host_bits_set = present(fields.Boolean)
    warning = nullable(fields.String)
    registry = nullable(fields.Nested, RegistryMatch)


# --- lists of CIDR blocks (split, summarize, range, exclude): one page each -------------------

RELATIONS = ["equal", "contains", "within", "disjoint"]


class CidrItem(Strict):
    network = present(fields.String)
    version = present(fields.Integer, validate=validate.OneOf([4, 6]))
    first_address = present(fields.String)
    last_address = present(fields.String)
    num_addresses = present(fields.String, metadata=DECIMAL)
    num_usable = present(fields.String, metadata=DECIMAL)
    hosts_requested = nullable(fields.Integer, metadata={"description": "VLSM split only"})


class _Page(Strict):
    """The paging keys every CIDR list ends with (`items` last)."""

    total = present(fields.String, metadata=DECIMAL)
    start = present(fields.String, metadata={**DECIMAL, "description": "index of items[0]"})
    limit = nullable(fields.Integer, metadata={"description": "null: everything from start"})
    count = present(fields.Integer, metadata={"description": "items in this page"})
    next_start = nullable(
        fields.String,
        metadata={**DECIMAL, "description": "cursor of the next page; null on the last page"},
    )
    items = present(fields.List, fields.Nested(CidrItem))


class SplitResult(_Page):
    operation = present(fields.String, validate=validate.Equal("split"))
    network = present(fields.String)
    host_bits_set = present(fields.Boolean)
    warning = nullable(fields.String)
    mode = present(fields.String, validate=validate.OneOf(["prefix", "count", "hosts"]))
    new_prefix = nullable(fields.Integer)
    subnets_requested = nullable(fields.Integer)
    hosts_requested = nullable(fields.List, fields.Integer())
    note = nullable(fields.String)
    leftover = nullable(fields.List, fields.String())

    class Meta(Strict.Meta):
        fields = (
            "operation", "network", "host_bits_set", "warning", "mode", "new_prefix",
            "subnets_requested", "hosts_requested", "note", "leftover",
            "total", "start", "limit", "count", "next_start", "items",
        )  # fmt: skip


class InvalidItem(Strict):
    item = present(fields.Integer, metadata={"description": "position in the list, from 1"})
    message = present(fields.String)


INVALID_ITEMS_DOC = {
    "description": "only with skip_invalid: the items left out and why (the CLI reports them as "
    "the bad lines of its standard input)"
}


class SummarizeResult(_Page):
    operation = present(fields.String, validate=validate.Equal("summarize"))
    input_count = present(fields.Integer, metadata={"description": "items taken"})
    rejected_count = present(
        fields.Integer, metadata={"description": "bad items skipped (skip_invalid)"}
    )
    ipv4_count = present(fields.Integer)
    ipv6_count = present(fields.Integer)
    invalid_items = fields.List(fields.Nested(InvalidItem), metadata=INVALID_ITEMS_DOC)

    class Meta(Strict.Meta):
        fields = (
            "operation", "input_count", "rejected_count", "ipv4_count", "ipv6_count",
            "total", "start", "limit", "count", "next_start", "items", "invalid_items",
        )  # fmt: skip


class RangeResult(_Page):
    operation = present(fields.String, validate=validate.Equal("range"))
    version = present(fields.Integer, validate=validate.OneOf([4, 6]))
    start_address = present(fields.String)
    end_address = present(fields.String)
    num_addresses = present(fields.String, metadata=DECIMAL)

    class Meta(Strict.Meta):
        fields = (
            "operation", "version", "start_address", "end_address", "num_addresses",
            "total", "start", "limit", "count", "next_start", "items",
        )  # fmt: skip


class ExcludeResult(_Page):
    operation = present(fields.String, validate=validate.Equal("exclude"))
    network = present(fields.String)
    host_bits_set = present(fields.Boolean)
    warning = nullable(fields.String)
    excluded_count = present(fields.Integer, metadata={"description": "items taken"})
    rejected_count = present(
        fields.Integer, metadata={"description": "bad items skipped (skip_invalid)"}
    )
    excluded_outside = present(fields.Integer)
    num_addresses = present(fields.String, metadata=DECIMAL)
    invalid_items = fields.List(fields.Nested(InvalidItem), metadata=INVALID_ITEMS_DOC)

    class Meta(Strict.Meta):
        fields = (
            "operation", "network", "host_bits_set", "warning", "excluded_count",
            "rejected_count", "excluded_outside", "num_addresses",
            "total", "start", "limit", "count", "next_start", "items", "invalid_items",
        )  # fmt: skip


class ContainsResult(Strict):
    network = present(fields.String)
    other = present(fields.String)
    other_kind = present(fields.String, validate=validate.OneOf(["address", "network"]))
    contains = present(fields.Boolean)
    relation = present(fields.String, validate=validate.OneOf(RELATIONS))


class OverlapResult(Strict):
    a = present(fields.String)
    b = present(fields.String)
    overlaps = present(fields.Boolean)
    relation = present(fields.String, validate=validate.OneOf(RELATIONS))
    intersection = nullable(fields.String)
    num_common_addresses = present(fields.String, metadata=DECIMAL)


# --- requests --------------------------------------------------------------------------------

NETWORK = patterns.Pattern(
    patterns.NETWORK, error="Not an IPv4 or IPv6 network or address.", core=parse_network
)
ADDRESS = patterns.Pattern(
    patterns.ADDRESS, error="Not an IPv4 or IPv6 address.", core=parse_address
)
#: A list item: blank ones are allowed (the core skips them, as the CLI's '-' input has them).
ITEM = validate.Length(max=200)
STRICT_DOC = {"description": "host bits set in a network are an error instead of a warning"}
SKIP_DOC = {
    "description": "leave out invalid items and list them in `invalid_items` instead of "
    "answering 422 for the first one"
}


class _Paging(Strict):
    limit = fields.Integer(
        validate=validate.Range(0, limits.PAGE_MAX),
        metadata={
            "description": f"items in this page (at most {limits.PAGE_MAX}); omitted: everything "
            f"from the cursor when at most {limits.PAGE_MAX} remain, else a page of "
            f"{limits.PAGE_MAX}"
        },
    )
    cursor = fields.String(
        validate=validate.Regexp(r"^[0-9]{1,40}$"),
        metadata={
            "description": "index of the first item: the previous page's `next_start` (default 0)"
        },
    )


class NetworkQuery(Strict):
    strict = fields.Boolean(load_default=False, metadata=STRICT_DOC)


class SplitQuery(_Paging):
    network = present(fields.String, validate=NETWORK)
    new_prefix = fields.Integer(
        validate=validate.Range(0, 128), metadata={"description": "new prefix length"}
    )
    count = fields.Integer(
        validate=validate.Range(min=1),
        metadata={"description": "number of subnets (rounded up to a power of two)"},
    )
    hosts = fields.List(
        fields.Integer(validate=validate.Range(min=1)),
        validate=validate.Length(min=1, max=limits.LIST_MAX),
        metadata={"description": "host counts, one block each (VLSM); repeat the parameter"},
    )
    strict = fields.Boolean(load_default=False, metadata=STRICT_DOC)


class _BodyPaging(Strict):
    limit = JsonInteger(
        validate=validate.Range(0, limits.PAGE_MAX),
        metadata=_Paging._declared_fields["limit"].metadata,
    )
    cursor = _Paging._declared_fields["cursor"]


class SummarizeBody(_BodyPaging):
    items = present(
        fields.List,
        fields.String(validate=ITEM),
        validate=validate.Length(min=1, max=limits.LIST_MAX),
        metadata={"description": f"addresses and networks, 1 to {limits.LIST_MAX}"},
    )
    skip_invalid = JsonBoolean(load_default=False, metadata=SKIP_DOC)
    strict = JsonBoolean(load_default=False, metadata=STRICT_DOC)

    OPENAPI_EXTRA = patterns.items_rule(("items",))

    @validates_schema
    def _item_forms(self, data, **kwargs):
        patterns.check_items(data, ("items",))


class RangeQuery(_Paging):
    start_address = present(
        fields.String, validate=ADDRESS, metadata={"description": "first address"}
    )
    end_address = present(
        fields.String, validate=ADDRESS, metadata={"description": "last address (included)"}
    )


class ContainsQuery(Strict):
    network = present(fields.String, validate=NETWORK)
    other = present(fields.String, validate=NETWORK, metadata={"description": "address or network"})
    strict = fields.Boolean(load_default=False, metadata=STRICT_DOC)


class OverlapQuery(Strict):
    a = present(fields.String, validate=NETWORK)
    b = present(fields.String, validate=NETWORK)
    strict = fields.Boolean(load_default=False, metadata=STRICT_DOC)


class ExcludeBody(_BodyPaging):
    network = present(fields.String, validate=NETWORK)
    excluded = present(
        fields.List,
        fields.String(validate=ITEM),
        validate=validate.Length(min=1, max=limits.LIST_MAX),
        metadata={"description": f"networks or addresses to take out, 1 to {limits.LIST_MAX}"},
    )
    strict = JsonBoolean(load_default=False, metadata=STRICT_DOC)
    skip_invalid = JsonBoolean(load_default=False, metadata=SKIP_DOC)

    OPENAPI_EXTRA = patterns.items_rule(("excluded",))

    @validates_schema
    def _item_forms(self, data, **kwargs):
        patterns.check_items(data, ("excluded",))

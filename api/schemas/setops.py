"""Set operation request and response shapes (`netutil.subnet.setops` results' `as_dict()`)."""

from __future__ import annotations

from marshmallow import fields, validate, validates_schema

from api import limits
from api.schemas import patterns
from api.schemas.base import JsonBoolean, Strict, present
from api.schemas.subnet import DECIMAL, ITEM, SKIP_DOC, _BodyPaging, _Page

#: Most lists one union request takes (the body cap bounds their items together).
UNION_LISTS_MAX = 100


class InvalidListItem(Strict):
    list = present(fields.Integer, metadata={"description": "which list, from 1"})
    item = present(fields.Integer, metadata={"description": "position in that list, from 1"})
    message = present(fields.String)


INVALID_DOC = {
    "description": "only with skip_invalid: the items left out and why (the CLI reports them as "
    "the bad lines of its files)"
}
_HEADER = ("operation", "input_counts", "ipv4_count", "ipv6_count")
_PAGE = ("total", "start", "limit", "count", "next_start", "items")


class SetList(_Page):
    """One list of blocks: the header, then the page."""

    operation = present(
        fields.String, validate=validate.OneOf(["intersect", "diff", "union", "added", "removed"])
    )
    input_counts = present(
        fields.List, fields.Integer(), metadata={"description": "items read from each list"}
    )
    ipv4_count = present(fields.Integer, metadata={"description": "IPv4 blocks in the result"})
    ipv6_count = present(fields.Integer, metadata={"description": "IPv6 blocks in the result"})
    ipv4_addresses = present(fields.String, metadata=DECIMAL)
    ipv6_addresses = present(fields.String, metadata=DECIMAL)

    class Meta(Strict.Meta):
        fields = (*_HEADER, "ipv4_addresses", "ipv6_addresses", *_PAGE)


class SetResult(SetList):
    invalid_items = fields.List(fields.Nested(InvalidListItem), metadata=INVALID_DOC)

    class Meta(Strict.Meta):
        fields = (*SetList.Meta.fields, "invalid_items")


class CompareResult(Strict):
    operation = present(fields.String, validate=validate.Equal("compare"))
    input_counts = present(fields.List, fields.Integer())
    unchanged_addresses = present(
        fields.String, metadata={**DECIMAL, "description": "addresses in both lists"}
    )
    added = present(fields.Nested, SetList, metadata={"description": "in B, not in A"})
    removed = present(fields.Nested, SetList, metadata={"description": "in A, not in B"})
    invalid_items = fields.List(fields.Nested(InvalidListItem), metadata=INVALID_DOC)

    class Meta(Strict.Meta):
        fields = (
            "operation", "input_counts", "unchanged_addresses", "added", "removed",
            "invalid_items",
        )  # fmt: skip


class CountResult(Strict):
    operation = present(fields.String, validate=validate.Equal("count"))
    input_count = present(fields.Integer)
    ipv4_blocks = present(fields.Integer)
    ipv6_blocks = present(fields.Integer)
    ipv4_addresses = present(fields.String, metadata=DECIMAL)
    ipv6_addresses = present(fields.String, metadata=DECIMAL)
    num_addresses = present(fields.String, metadata=DECIMAL)
    invalid_items = fields.List(fields.Nested(InvalidListItem), metadata=INVALID_DOC)

    class Meta(Strict.Meta):
        fields = (
            "operation", "input_count", "ipv4_blocks", "ipv6_blocks", "ipv4_addresses",
            "ipv6_addresses", "num_addresses", "invalid_items",
        )  # fmt: skip


def _list(description: str) -> fields.List:
    return present(
        fields.List,
        fields.String(validate=ITEM),
        validate=validate.Length(max=limits.LIST_MAX),
        metadata={"description": f"{description}: addresses and networks, 0 to {limits.LIST_MAX}"},
    )


class PairBody(_BodyPaging):
    a = _list("list A")
    b = _list("list B")
    skip_invalid = JsonBoolean(load_default=False, metadata=SKIP_DOC)

    OPENAPI_EXTRA = patterns.items_rule(("a", "b"))

    @validates_schema
    def _item_forms(self, data, **kwargs):
        patterns.check_items(data, ("a", "b"))


class UnionBody(_BodyPaging):
    lists = present(
        fields.List,
        fields.List(fields.String(validate=ITEM), validate=validate.Length(max=limits.LIST_MAX)),
        validate=validate.Length(min=1, max=UNION_LISTS_MAX),
        metadata={"description": f"1 to {UNION_LISTS_MAX} lists of addresses and networks"},
    )
    skip_invalid = JsonBoolean(load_default=False, metadata=SKIP_DOC)

    OPENAPI_EXTRA = patterns.items_rule(("lists",), nested=True)

    @validates_schema
    def _item_forms(self, data, **kwargs):
        patterns.check_items(data, ("lists",), nested=True)


class CountBody(Strict):
    items = _list("the list")
    skip_invalid = JsonBoolean(load_default=False, metadata=SKIP_DOC)

    OPENAPI_EXTRA = patterns.items_rule(("items",))

    @validates_schema
    def _item_forms(self, data, **kwargs):
        patterns.check_items(data, ("items",))

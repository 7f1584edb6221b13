"""Address request and response shapes (`netutil.address.AddressInfo.as_dict()`)."""

from __future__ import annotations

from marshmallow import fields, validate

from api import limits
from api.schemas.base import Strict, nullable, present
from api.schemas.registry import RegistryEntry
from api.schemas.subnet import DECIMAL, NetworkInfo


class Multicast(Strict):
    scope = present(fields.Integer, validate=validate.Range(0, 15))
    scope_name = present(fields.String)
    transient = present(fields.Boolean)
    prefix_based = present(fields.Boolean)
    rendezvous_point_embedded = present(fields.Boolean)


class EmbeddedIPv4(Strict):
    kind = present(
        fields.String, validate=validate.OneOf(["ipv4-mapped", "nat64", "6to4", "teredo"])
    )
    ipv4 = present(fields.String)
    teredo_server = nullable(fields.String)
    teredo_client_port = nullable(fields.Integer, validate=validate.Range(0, 65535))
    teredo_flags = nullable(fields.String)
    teredo_cone = nullable(fields.Boolean)


class HostPlace(Strict):
    host_index = present(fields.String, metadata=DECIMAL)
    is_network_address = present(fields.Boolean)
    is_broadcast_address = present(fields.Boolean)
    is_usable_host = present(fields.Boolean)


class AddressInfo(Strict):
    """Everything about one address (`netutil ip info --json`)."""

    input = present(fields.String)
    version = present(fields.Integer, validate=validate.OneOf([4, 6]))
    compressed = present(fields.String)
    exploded = present(fields.String)
    zone = nullable(fields.String)
    integer = present(fields.String, metadata=DECIMAL)
    hex = present(fields.String)
    binary = present(fields.String)
    reverse_pointer = present(fields.String)
    historical_class = nullable(fields.String, validate=validate.OneOf(list("ABCDE")))
    classified_by_ipv4 = nullable(fields.String)
    registry = nullable(fields.Nested, RegistryEntry)
    registry_chain = present(fields.List, fields.String())
    is_global = nullable(fields.Boolean)
    is_private = nullable(fields.Boolean)
    is_multicast = present(fields.Boolean)
    is_loopback = present(fields.Boolean)
    is_link_local = present(fields.Boolean)
    is_unspecified = present(fields.Boolean)
    is_documentation = present(fields.Boolean)
    multicast = nullable(fields.Nested, Multicast)
    embedded_ipv4 = nullable(fields.Nested, EmbeddedIPv4)
    eui64_mac = nullable(fields.String)
    network = nullable(fields.Nested, NetworkInfo)
    host = nullable(fields.Nested, HostPlace)


class AddressBatchRequest(Strict):
    addresses = present(
        fields.List,
        fields.String(validate=validate.Length(max=200)),
        validate=validate.Length(min=1, max=limits.BATCH_MAX),
        metadata={"description": f"1 to {limits.BATCH_MAX} addresses, any `ip info` notation"},
    )


class AddressBatchItem(Strict):
    input = present(fields.String)
    result = nullable(fields.Nested, AddressInfo)
    error = nullable(fields.String, metadata={"description": "the core's message when invalid"})


class AddressBatch(Strict):
    results = present(fields.List, fields.Nested(AddressBatchItem))

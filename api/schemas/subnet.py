"""Subnet request and response shapes (`netutil.subnet` results' `as_dict()`)."""

from __future__ import annotations

from marshmallow import fields, validate

from api.schemas.base import Strict, nullable, present
from api.schemas.registry import RegistryEntry

DECIMAL = {"description": "decimal string (may pass 2**53)", "pattern": "^[0-9]+$"}


class RegistryMatch(Strict):
    classification = present(
        fields.String, validate=validate.OneOf(["inside", "overlapping", "global"])
    )
    globally_reachable = nullable(fields.Boolean)
    entries = present(fields.List, fields.Nested(RegistryEntry))


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

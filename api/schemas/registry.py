"""The IANA special-purpose registry entry, shared by addresses and networks."""

from __future__ import annotations

from marshmallow import fields

from api.schemas.base import Strict, nullable, present


class RegistryEntry(Strict):
    """One row of the IANA IPv4/IPv6 Special-Purpose Address Registry (one prefix)."""

    prefix = present(fields.String, metadata={"example": "192.168.0.0/16"})
    name = present(fields.String)
    rfc = present(fields.String)
    allocation_date = present(fields.String, metadata={"description": "YYYY-MM"})
    termination_date = nullable(fields.String, metadata={"description": "null unless terminated"})
    source = nullable(fields.Boolean)
    destination = nullable(fields.Boolean)
    forwardable = nullable(fields.Boolean)
    globally_reachable = nullable(fields.Boolean, metadata={"description": "null for N/A"})
    reserved_by_protocol = nullable(fields.Boolean)

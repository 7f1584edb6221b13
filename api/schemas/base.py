"""Shared schema base and the problem+json and health shapes."""

from __future__ import annotations

from marshmallow import RAISE, Schema, fields


class Strict(Schema):
    """Unknown fields are an error, in requests and when a test loads a response."""

    class Meta:
        unknown = RAISE


def nullable(field_cls, *args, **kwargs):
    """A field that is always present and may be null (the JSON convention for 'not applicable')."""
    return field_cls(*args, required=True, allow_none=True, **kwargs)


def present(field_cls, *args, **kwargs):
    """A field that is always present and never null."""
    return field_cls(*args, required=True, **kwargs)


class Problem(Strict):
    """RFC 9457 problem details, with the field-by-field messages of a validation error."""

    type = present(fields.String, metadata={"description": "problem kind (a URI)"})
    title = present(fields.String)
    status = present(fields.Integer)
    detail = present(fields.String)
    errors = nullable(
        fields.Dict,
        keys=fields.String(),
        values=fields.List(fields.String()),
        metadata={"description": "field (dotted path) -> messages; null unless a validation error"},
    )


class Health(Strict):
    status = present(fields.String, metadata={"description": "always 'ok' when answering"})
    version = present(fields.String, metadata={"description": "netutil version"})


# JSON bodies carry typed values: a number sent as a string, or a boolean sent as 0/1, is a
# client error there (marshmallow's own fields coerce them, which query strings need).


class JsonInteger(fields.Integer):
    """A JSON integer: not a string, not a boolean, not 1.5. A number with no fraction
    (`9.0`) is one: JSON Schema's `integer` is any number whose value is whole."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.make_error("invalid")
        return super()._deserialize(value, attr, data, **kwargs)


class JsonNumber(fields.Float):
    """A JSON number (integer or not), not a string or boolean."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.make_error("invalid")
        return super()._deserialize(value, attr, data, **kwargs)


class JsonBoolean(fields.Boolean):
    """true or false, nothing that merely looks like them."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, bool):
            raise self.make_error("invalid")
        return value

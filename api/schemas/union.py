"""A field holding one of several object shapes (OpenAPI `oneOf`), e.g. an IPv4 or IPv6 header.

marshmallow has no union field; this one loads/dumps with the first schema that accepts the
value, and `register(plugin)` teaches apispec to write it as `oneOf` of the schemas' refs.
"""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields


class OneOf(fields.Field):
    def __init__(self, *choices: type[Schema], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.choices = choices

    def _pick(self, value: Any) -> Schema:
        errors = {}
        for cls in self.choices:
            schema = cls()
            found = (
                schema.validate(value)
                if isinstance(value, dict)
                else {"_schema": ["not an object"]}
            )
            if not found:
                return schema
            errors[cls.__name__] = found
        raise ValidationError({"oneOf": [f"matches none of {', '.join(errors)}: {errors}"]})

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        return self._pick(value).load(value)

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> Any:
        if value is None:
            return None
        return self._pick(value).dump(value)


def register(plugin: Any) -> None:
    """Add the OneOf field to an apispec MarshmallowPlugin's converter (after init_spec)."""

    def one_of(converter: Any, field: fields.Field, ret: dict, **kwargs: Any) -> dict:
        if not isinstance(field, OneOf):
            return {}
        refs = [converter.resolve_nested_schema(cls) for cls in field.choices]
        if field.allow_none:
            refs.append({"type": "null"})
            ret.pop("type", None)  # field2nullable's guess; the null is in oneOf instead
        return {"oneOf": refs}

    plugin.converter.add_attribute_function(one_of)

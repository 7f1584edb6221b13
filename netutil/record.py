"""Immutable value records: the frozen-dataclass behaviour without importing `dataclasses`.

`dataclasses` pulls in `inspect` (about 8 ms, measured with `python -X importtime`), more than
half of the start-up budget of `netutil ip info` (benchmarks/bench_startup.py). The result types
on that path (`registry.Entry`, `address.AddressInfo`) therefore derive from `Record`, which gives
what `@dataclass(frozen=True, slots=True)` would: an `__init__` taking the fields (positionally or
by name) in field order, a `repr` that pastes back as code, equality and hashing by field
values and type, and assignment refused after construction.
"""

from __future__ import annotations

TYPE_CHECKING = False  # typing costs ~2 ms of start-up; annotations are strings
if TYPE_CHECKING:
    from typing import Any


class FrozenInstanceError(AttributeError):
    """Raised on an attempt to change a field (like `dataclasses.FrozenInstanceError`)."""


class Record:
    """Base of frozen value types. A subclass lists its fields, in order, in `_fields` and sets
    `__slots__ = _fields`."""

    __slots__ = ()
    _fields: tuple[str, ...] = ()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        fields = self._fields
        setter = object.__setattr__
        if not kwargs and len(args) == len(fields):  # the common case, kept cheap
            for name, value in zip(fields, args, strict=True):
                setter(self, name, value)
            return
        if len(args) > len(fields):
            raise TypeError(f"{type(self).__name__} takes {len(fields)} fields, got {len(args)}")
        for name, value in zip(fields, args, strict=False):
            setter(self, name, value)
        for name in fields[len(args) :]:
            try:
                setter(self, name, kwargs.pop(name))
            except KeyError:
                raise TypeError(f"{type(self).__name__} is missing field {name!r}") from None
        if kwargs:
            raise TypeError(f"{type(self).__name__} has no field {next(iter(kwargs))!r}")

    def _values(self) -> tuple[Any, ...]:
        return tuple(getattr(self, name) for name in self._fields)

    def __repr__(self) -> str:
        inner = ", ".join(f"{name}={getattr(self, name)!r}" for name in self._fields)
        return f"{type(self).__name__}({inner})"

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return self._values() == other._values()  # type: ignore[attr-defined]

    def __hash__(self) -> int:
        return hash((self.__class__, self._values()))

    def __setattr__(self, name: str, value: Any) -> None:
        raise FrozenInstanceError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise FrozenInstanceError(f"cannot delete field {name!r}")

    def __reduce__(self) -> tuple[Any, ...]:
        return (self.__class__, self._values())

"""Fixed header layouts as data: a table of (field name, width in bits) drives packing and parsing.

`HeaderLayout` turns the table into a `struct` format (bit fields that share a byte or word
become one item) and compiles two small functions from it, the way `collections.namedtuple` and
`dataclasses` build their methods: `unpack(data, offset)` returns every field as an int, and
`pack(*values)` returns the bytes, with every value checked against its width. Nothing about a
header's offsets is written by hand anywhere else.
"""

from __future__ import annotations

import dataclasses
import struct
from collections.abc import Callable
from typing import Any, NamedTuple

from netutil.errors import InvalidInput

__all__ = ["HeaderField", "HeaderLayout", "fast_constructor"]

_STRUCT_CODES = {8: "B", 16: "H", 32: "I", 64: "Q"}


class HeaderField(NamedTuple):
    """One field of a fixed header: name, width in bits, and where it sits (derived)."""

    name: str
    bits: int
    bit_offset: int  # of the field's first bit from the start of the header

    @property
    def byte_offset(self) -> int:
        """Offset of the byte holding the field's first bit."""
        return self.bit_offset // 8


class HeaderLayout:
    """A fixed-size header: its field table, byte length, and compiled pack/unpack functions."""

    __slots__ = ("fields", "length", "name", "pack", "struct", "unpack")

    def __init__(self, name: str, spec: tuple[tuple[str, int], ...]) -> None:
        self.name = name
        fields, pos = [], 0
        for field_name, bits in spec:
            fields.append(HeaderField(field_name, bits, pos))
            pos += bits
        if pos % 8:
            raise ValueError(f"{name} header is {pos} bits, not whole bytes")
        self.fields = tuple(fields)
        self.length = pos // 8
        self._compile()

    def __repr__(self) -> str:
        return f"HeaderLayout({self.name!r}, {[(f.name, f.bits) for f in self.fields]!r})"

    def _items(self) -> list[list[HeaderField]]:
        """Fields grouped into struct items: a whole 8/16/32/64-bit or byte-multiple field alone,
        or a run of narrower fields that fills exactly one 8/16/32/64-bit item."""
        items: list[list[HeaderField]] = []
        run: list[HeaderField] = []
        for f in self.fields:
            if not run and f.bit_offset % 8 == 0 and (f.bits in _STRUCT_CODES or f.bits % 8 == 0):
                items.append([f])
                continue
            run.append(f)
            width = sum(g.bits for g in run)
            if width in _STRUCT_CODES:
                items.append(run)
                run = []
            elif width > 64:
                raise ValueError(f"{self.name}: bit fields {[g.name for g in run]} cross a word")
        if run:
            raise ValueError(f"{self.name}: bit fields {[g.name for g in run]} do not fill a word")
        return items

    def _compile(self) -> None:
        items = self._items()
        fmt, unpack_exprs, pack_exprs, checks = "!", [], [], []
        for i, item in enumerate(items):
            if len(item) == 1 and item[0].bits not in _STRUCT_CODES:  # wide field: raw bytes
                f = item[0]
                fmt += f"{f.bits // 8}s"
                unpack_exprs.append(f"_from(t[{i}], 'big')")
                pack_exprs.append(f"{f.name}.to_bytes({f.bits // 8}, 'big')")
                checks.append(f"0 <= {f.name} < {1 << f.bits}")
                continue
            width = sum(f.bits for f in item)
            fmt += _STRUCT_CODES[width]
            if len(item) == 1:
                unpack_exprs.append(f"t[{i}]")
                pack_exprs.append(item[0].name)
                checks.append(f"0 <= {item[0].name} < {1 << width}")
                continue
            shift, parts = width, []
            for f in item:
                shift -= f.bits
                mask = (1 << f.bits) - 1
                unpack_exprs.append(
                    f"(t[{i}] >> {shift}) & {mask}" if shift else f"t[{i}] & {mask}"
                )
                parts.append(f"({f.name} << {shift})" if shift else f.name)
                checks.append(f"0 <= {f.name} < {1 << f.bits}")
            pack_exprs.append(" | ".join(parts))
        self.struct = struct.Struct(fmt)
        names = ", ".join(f.name for f in self.fields)
        source = (
            f"def unpack(data, offset=0):\n"
            f"    t = _unpack_from(data, offset)\n"
            f"    return ({', '.join(unpack_exprs)},)\n"
            f"def pack({names}):\n"
            f"    try:\n"
            f"        ok = {' and '.join(checks)}\n"
            f"    except TypeError:\n"
            f"        ok = False\n"
            f"    if not ok:\n"
            f"        _bad(({names},))\n"
            f"    return _pack({', '.join(pack_exprs)})\n"
        )
        namespace = {
            "_unpack_from": self.struct.unpack_from,
            "_pack": self.struct.pack,
            "_from": int.from_bytes,
            "_bad": self._bad,
        }
        exec(compile(source, f"<{self.name} header layout>", "exec"), namespace)
        self.unpack = namespace["unpack"]
        self.pack = namespace["pack"]

    def _bad(self, values: tuple) -> None:
        for f, v in zip(self.fields, values, strict=True):
            if not isinstance(v, int) or not 0 <= v < (1 << f.bits):
                top = (1 << f.bits) - 1
                raise InvalidInput(
                    f"{self.name} {f.name} {v!r} does not fit {f.bits} bits (0..{top})"
                )

    def missing_field(self, length: int) -> HeaderField:
        """The first field that a buffer of `length` bytes does not hold entirely."""
        return next(f for f in self.fields if (f.bit_offset + f.bits + 7) // 8 > length)

    def offset_of(self, name: str) -> int:
        """Byte offset of the named field."""
        return next(f.byte_offset for f in self.fields if f.name == name)


def fast_constructor(cls: type, **fixed: Any) -> Callable[..., Any]:
    """A maker of `cls` instances (a frozen, slotted dataclass) from every field's value in
    field order, for the hot paths that build many of them (the parsers, the simulator).

    The generated `__init__` of a frozen dataclass sets each field with `object.__setattr__`,
    about 0.1 us a field. The maker instead creates an instance of a twin class of identical
    layout, fills its slots with ordinary attribute stores, and then gives the object its real
    class (`__class__` assignment, which CPython allows between classes of identical layout):
    the result is an ordinary, frozen `cls` instance, equal to one from `cls(...)`, in a fifth
    of the time. No defaults and no validation: for values already known to be right; a class
    with a `__post_init__` (which the maker would skip) is refused. `fixed` names fields whose
    value is the same in every object made (the maker then takes only the others, in order).

    The twin is a subclass of `cls` that adds no slots and takes back `object`'s `__init__`,
    `__setattr__` and `__delattr__`: calling it is the cheapest way to get an empty instance
    (cheaper than `object.__new__`), its stores are the interpreter's specialized slot stores,
    and the `__class__` assignment finds the layouts equal at once (they share their slots)
    instead of comparing two slot lists name by name.
    """
    names = [f.name for f in dataclasses.fields(cls)]
    slots = getattr(cls, "__slots__", None)
    if cls.__bases__ != (object,) or slots is None or tuple(slots) != tuple(names):
        raise TypeError(f"fast_constructor needs a slotted dataclass on object, not {cls!r}")
    if hasattr(cls, "__post_init__"):
        raise TypeError(f"fast_constructor would skip {cls.__name__}.__post_init__")
    unknown = sorted(set(fixed) - set(names))
    if unknown:
        raise TypeError(f"{cls.__name__} has no field {unknown[0]!r}")
    twin = type(
        f"_{cls.__name__}Maker",
        (cls,),
        {
            "__slots__": (),
            "__init__": object.__init__,
            # both, so that the type's attribute-store slot is object's own (a specialized store)
            "__setattr__": object.__setattr__,
            "__delattr__": object.__delattr__,
        },
    )
    params = ", ".join(n for n in names if n not in fixed)
    # a fixed value is a global of the maker (`_fixed_NAME`), stored like the others
    body = "".join(f"    o.{n} = {'_fixed_' + n if n in fixed else n}\n" for n in names)
    source = f"def make({params}):\n    o = _twin()\n{body}    o.__class__ = _cls\n    return o\n"
    # _twin and _cls as globals of the maker, not keyword-only defaults: those are looked up in
    # a dict at every call, and keep the interpreter from specializing the call
    namespace: dict[str, Any] = {"_cls": cls, "_twin": twin}
    namespace.update({f"_fixed_{n}": v for n, v in fixed.items()})
    exec(compile(source, f"<fast {cls.__name__}>", "exec"), namespace)
    make = namespace["make"]
    make.__qualname__ = make.__name__ = f"make_{cls.__name__}"
    return make

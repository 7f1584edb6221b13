"""Record: the frozen-value behaviour the result types rely on."""

from __future__ import annotations

import pickle

import pytest

from netutil.record import FrozenInstanceError, Record


class Point(Record):
    _fields = ("x", "y")
    __slots__ = _fields


class Other(Record):
    _fields = ("x", "y")
    __slots__ = _fields


def test_fields_by_position_and_name():
    assert (Point(1, 2).x, Point(1, y=2).y, Point(y=2, x=1).x) == (1, 2, 1)


@pytest.mark.parametrize(
    "args,kwargs,message",
    [
        ((1, 2, 3), {}, "Point takes 2 fields, got 3"),
        ((1,), {}, "Point is missing field 'y'"),
        ((1, 2), {"z": 3}, "Point has no field 'z'"),
    ],
)
def test_bad_construction(args, kwargs, message):
    with pytest.raises(TypeError, match=message):
        Point(*args, **kwargs)


def test_value_semantics():
    p = Point(1, 2)
    assert repr(p) == "Point(x=1, y=2)"
    assert eval(repr(p)) == p
    assert p == Point(1, 2) and p != Point(2, 1) and p != Other(1, 2) and p != (1, 2)
    assert hash(p) == hash(Point(1, 2))
    assert pickle.loads(pickle.dumps(p)) == p
    with pytest.raises(FrozenInstanceError):
        p.x = 5
    with pytest.raises(FrozenInstanceError):
        del p.y
    with pytest.raises(AttributeError):
        p.__dict__  # noqa: B018 - slotted: no per-instance dict

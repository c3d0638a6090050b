"""`record` keeps the dataclass behaviour the package relies on: equality, hashing, frozen, defaults."""

from __future__ import annotations

import pytest

from license_audit.records import FrozenInstanceError, field, fields, record


@record(frozen=True)
class Point:
    x: int
    y: int = 0


@record
class Bag:
    name: str
    items: list[str] = field(default_factory=list)
    note: str = field(default="", compare=False, repr=False)

    def __post_init__(self):
        self.name = self.name.strip()


@record(slots=True)
class Slim:
    a: int
    b: str = "b"


def test_init_positional_keyword_and_defaults():
    assert (Point(1).x, Point(1).y, Point(1, 2).y, Point(y=3, x=4).x) == (1, 0, 2, 4)
    with pytest.raises(TypeError, match="missing required argument: 'x'"):
        Point()
    with pytest.raises(TypeError, match="unexpected keyword argument 'z'"):
        Point(1, z=2)
    with pytest.raises(TypeError, match="multiple values for argument 'x'"):
        Point(1, x=2)
    with pytest.raises(TypeError, match="takes 2 positional arguments but 3"):
        Point(1, 2, 3)


def test_default_factory_gives_each_instance_its_own_value():
    a, b = Bag("a"), Bag("b")
    a.items.append("x")
    assert b.items == []


def test_post_init_runs():
    assert Bag("  padded ").name == "padded"


def test_equality_repr_and_hashing_follow_dataclass():
    assert Point(1, 2) == Point(1, 2) and Point(1, 2) != Point(2, 1)
    assert Point(1, 2) != (1, 2)
    assert {Point(1, 2), Point(1, 2)} == {Point(1, 2)}
    assert repr(Point(1, 2)) == "Point(x=1, y=2)"
    assert Bag("a", note="x") == Bag("a", note="y")  # compare=False
    assert repr(Bag("a", ["i"], "hidden")) == "Bag(name='a', items=['i'])"  # repr=False
    with pytest.raises(TypeError):
        hash(Bag("a"))  # mutable records are unhashable, as mutable dataclasses are


def test_frozen_refuses_assignment():
    p = Point(1)
    with pytest.raises(FrozenInstanceError):
        p.x = 2
    with pytest.raises(AttributeError):
        del p.y


def test_slots_and_fields():
    s = Slim(1)
    assert (s.a, s.b) == (1, "b") and not hasattr(s, "__dict__")
    with pytest.raises(AttributeError):
        s.c = 3
    assert [f.name for f in fields(Bag)] == ["name", "items", "note"]
    assert [f.name for f in fields(Point(1))] == ["x", "y"]


def test_non_default_after_default_is_refused():
    with pytest.raises(TypeError, match="non-default argument 'b' follows default argument"):

        @record
        class Bad:
            a: int = 1
            b: int


def test_subclass_extends_the_fields():
    @record
    class Base:
        a: int

    @record
    class Child(Base):
        b: int = 2

    assert Child(1) == Child(1, 2) and repr(Child(1)).endswith("Child(a=1, b=2)")


def test_classvar_is_not_a_field_and_mutable_defaults_are_refused():
    from typing import ClassVar

    @record
    class WithClassVar:
        kinds: ClassVar[tuple] = ("a", "b")
        name: str = "x"

    assert [f.name for f in fields(WithClassVar)] == ["name"] and WithClassVar.kinds == ("a", "b")
    with pytest.raises(ValueError, match="mutable default list for field items"):

        @record
        class Shared:
            items: list = []

    with pytest.raises(TypeError):

        @record(frozen=True, slots=True)
        class Both:
            a: int


def test_records_survive_pickling():
    import pickle

    p, b = Point(1, 2), Bag("a", ["i"], "n")
    assert pickle.loads(pickle.dumps(p)) == p and hash(pickle.loads(pickle.dumps(p))) == hash(p)
    assert pickle.loads(pickle.dumps(b)) == b and pickle.loads(pickle.dumps(b)).note == "n"
    s = pickle.loads(pickle.dumps(Slim(3)))
    assert (s.a, s.b) == (3, "b")

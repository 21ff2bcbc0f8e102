"""Records behave as the dataclasses they replace: construction, defaults, equality, hashing,
freezing, inheritance, pickling and replace."""

from __future__ import annotations

import copy
import pickle

import pytest

from pullcheck.records import FrozenError, field, fields, record, replace


@record(frozen=True)
class Point:
    """A frozen record with a default."""

    x: int
    y: int = 0


@record
class Bag:
    """A mutable record with factories, a field kept out of __init__ and one out of equality."""

    name: str
    items: list[str] = field(default_factory=list)
    seen: int = field(default=0, compare=False)
    cache: dict[str, int] = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        self.name = self.name.strip()


@record(frozen=True, init=False)
class Base:
    """A frozen record with its own __init__ (as pullfacts.Place)."""

    a: int
    b: int

    def __init__(self, pair: tuple[int, int]) -> None:
        object.__setattr__(self, "a", pair[0])
        object.__setattr__(self, "b", pair[1])


@record(frozen=True, init=False, shared=("label",))
class Child(Base):
    """A record that adds fields to a record base (as pullfacts.ContainerFact)."""

    label: str

    def __init__(self, label: str, pair: tuple[int, int]) -> None:
        Base.__init__(self, pair)
        object.__setattr__(self, "label", label)


@record(frozen=True)
class Empty:
    """No fields at all."""


@record
class Node:
    """A field kept out of __init__ without a default, and a list that may hold the record."""

    children: list[object] = field(default_factory=list)
    parent: object = field(init=False, repr=False)


def test_construction_defaults_and_keywords() -> None:
    assert (Point(1).x, Point(1).y, Point(y=2, x=1).y) == (1, 0, 2)
    with pytest.raises(TypeError):
        Point()  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        Point(1, 2, z=3)  # type: ignore[call-arg]


def test_factories_give_each_record_its_own_value_and_post_init_runs() -> None:
    a, b = Bag(" a "), Bag("b")
    a.items.append("x")
    a.cache["k"] = 1
    assert (a.name, a.items, b.items, b.cache) == ("a", ["x"], [], {})
    with pytest.raises(TypeError):
        Bag("c", cache={})  # type: ignore[call-arg]


def test_equality_hashing_and_repr() -> None:
    assert Point(1, 2) == Point(1, 2) and Point(1, 2) != Point(2, 1)
    assert len({Point(1, 2), Point(1, 2), Point(1)}) == 2
    assert Point(1, 2) != (1, 2) and Base((1, 2)) != Child("x", (1, 2))
    assert Bag("a", seen=1) == Bag("a", seen=2) and Bag("a") != Bag("a", ["x"])
    with pytest.raises(TypeError):
        hash(Bag("a"))  # mutable and compared by value: unhashable, as a dataclass
    assert repr(Point(1, 2)) == "Point(x=1, y=2)"
    assert repr(Bag("a")) == "Bag(name='a', items=[], seen=0)"
    assert repr(Child("x", (1, 2))) == "Child(a=1, b=2, label='x')"


def test_frozen_records_refuse_assignment_and_have_no_dict() -> None:
    p = Point(1)
    with pytest.raises(FrozenError):
        p.x = 2  # type: ignore[misc]
    with pytest.raises(AttributeError):
        del p.y  # type: ignore[misc]
    assert not hasattr(p, "__dict__") and isinstance(FrozenError("x"), AttributeError)
    bag = Bag("a")
    with pytest.raises(AttributeError):
        bag.other = 1  # type: ignore[attr-defined]


def test_inherited_fields_come_first() -> None:
    c = Child("x", (1, 2))
    assert [f.name for f in fields(c)] == ["a", "b", "label"] and (c.a, c.b, c.label) == (1, 2, "x")
    assert isinstance(c, Base) and Child.__qualname__ == "Child" and (Child.__doc__ or "").startswith("A record that")


def test_pickle_and_copy_keep_every_field_and_share_strings() -> None:
    bag = Bag("a", ["x"], seen=3)
    bag.cache["k"] = 1
    back = pickle.loads(pickle.dumps(bag))
    assert (back.name, back.items, back.seen, back.cache) == ("a", ["x"], 3, {"k": 1})
    assert pickle.loads(pickle.dumps(Point(5))) == Point(5)
    one, two = (pickle.loads(pickle.dumps(Child("".join(["la", "bel"]), (1, 2)))) for _ in range(2))
    assert one == two and one.label is two.label
    assert copy.deepcopy(Child("x", (3, 4))) == Child("x", (3, 4)) and copy.copy(bag).cache is bag.cache


def test_replace_changes_only_what_it_is_given() -> None:
    assert replace(Point(1, 2), y=5) == Point(1, 5)
    bag = replace(Bag("a", ["x"]), seen=4)
    assert (bag.name, bag.items, bag.seen, bag.cache) == ("a", ["x"], 4, {})


def test_edge_cases_behave_as_dataclasses_do() -> None:
    """What dataclasses give in the corners: own __eq__ and __init__ kept, no fields, one field
    compared as a tuple (nan equals itself), a field declared again, a field named self."""
    import dataclasses
    import math

    @record(frozen=True)
    class Loose:
        """Equal whatever the case of its name (its own __eq__), hashed by the record."""

        name: str

        def __eq__(self, other: object) -> bool:
            return isinstance(other, Loose) and self.name.lower() == other.name.lower()

    assert Loose("A") == Loose("a") and hash(Loose("a")) == hash(Loose("a"))

    @record
    class Own:
        """A record with its own __init__."""

        x: int

        def __init__(self, y: int) -> None:
            self.x = y * 2

    assert Own(3).x == 6  # type: ignore[call-arg]

    assert Empty() == Empty() and hash(Empty()) == hash(Empty()) and pickle.loads(pickle.dumps(Empty())) == Empty()

    @record(frozen=True)
    class One:
        """One compared field."""

        v: float

    @dataclasses.dataclass(frozen=True)
    class OneDC:
        v: float

    nan = math.nan
    assert (One(nan) == One(nan)) == (OneDC(nan) == OneDC(nan)) and hash(One(1.0)) == hash(OneDC(1.0))

    @record
    class Again(Bag):
        """Declares an inherited field again, with a default."""

        name: str = "again"

    assert [f.name for f in fields(Again)] == ["name", "items", "seen", "cache"] and Again().name == "again"

    @record(frozen=True)
    class Selfish:
        """Fields named like the generated __init__'s own names."""

        self: int
        _set: int = 2

    assert (Selfish(1).self, Selfish(1)._set) == (1, 2)


def test_class_vars_are_not_fields() -> None:
    import typing as t
    from typing import ClassVar

    @record
    class Counted:
        """Class-level attributes in every spelling stay out of the fields."""

        a: ClassVar[int] = 1
        b: t.ClassVar[int] = 2
        c: int = 3

    assert [f.name for f in fields(Counted)] == ["c"] and (Counted.a, Counted.b, Counted().c) == (1, 2, 3)


def test_unset_fields_and_cycles_do_not_break_pickle_or_repr() -> None:
    n = Node()
    n.children.append(n)
    assert repr(n) == "Node(children=[...])"
    back = pickle.loads(pickle.dumps(n))
    assert back.children[0] is back and not hasattr(back, "parent")
    n.parent = "p"
    assert pickle.loads(pickle.dumps(n)).parent == "p"

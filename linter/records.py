"""Record classes: the part of ``dataclasses`` pullcheck uses, without its cost at start-up.

``dataclasses`` took a one-file run 28 of its ~67 ms above bare Python: 7 ms to import (it brings
``inspect``, ``ast``, ``dis`` and ``tokenize``) and 21 ms to build 47 classes, compiling six methods
each and building every slotted class twice. A record compiles only its ``__init__``, builds its
slotted class once, and shares equality, hashing, repr and pickling (the field values as one
tuple, which a process pool passes back by the thousand) as plain functions over its fields.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from operator import attrgetter
from sys import intern
from typing import Any, TypeVar, dataclass_transform, overload

C = TypeVar("C", bound=type)
_MISSING: Any = object()


class FrozenError(AttributeError):
    """Raised on assignment to a field of a frozen record."""


class Field:
    """One field of a record: its name, default and what it takes part in (made by ``field``)."""

    __slots__ = ("compare", "default", "default_factory", "init", "name", "repr")
    name: str
    default: Any
    default_factory: Callable[[], Any] | Any
    init: bool
    repr: bool
    compare: bool


def field(
    *,
    default: Any = _MISSING,
    default_factory: Callable[[], Any] | Any = _MISSING,
    init: bool = True,
    repr: bool = True,
    compare: bool = True,
) -> Any:
    """Describe a field whose default is computed per object, or that stays out of ``__init__``,
    ``repr`` or equality (as ``dataclasses.field``)."""
    spec = Field()
    spec.name, spec.default, spec.default_factory = "", default, default_factory
    spec.init, spec.repr, spec.compare = init, repr, compare
    return spec


def fields(obj_or_cls: Any) -> tuple[Field, ...]:
    """A record's fields in order, inherited ones first."""
    found: tuple[Field, ...] = obj_or_cls.__record_fields__
    return found


def replace(instance: Any, /, **changes: Any) -> Any:
    """A copy of a record with some fields changed (as ``dataclasses.replace``)."""
    values = {f.name: getattr(instance, f.name) for f in fields(instance) if f.init}
    values.update(changes)
    return type(instance)(**values)


@overload
def record(cls: C, /) -> C: ...
@overload
def record(*, frozen: bool = False, init: bool = True, shared: Collection[str] = ()) -> Callable[[C], C]: ...
@dataclass_transform(field_specifiers=(field,))
def record(
    cls: C | None = None, /, *, frozen: bool = False, init: bool = True, shared: Collection[str] = ()
) -> C | Callable[[C], C]:
    """Make a slotted record of the annotated fields of ``cls`` (as ``@dataclass(slots=True)``).

    ``frozen`` forbids assignment and makes it hashable; ``init=False`` keeps the class's own
    ``__init__``; the strings of the ``shared`` fields are interned when a record is unpickled, so
    that each file's copy of an image, field path or namespace does not stay.
    """

    def build(target: C) -> C:
        return _build(target, frozen=frozen, init=init, shared=shared)

    return build if cls is None else build(cls)


def _own_fields(cls: type) -> list[Field]:
    """The fields the class body declares, with their defaults."""
    own = []
    for name, annotation in cls.__dict__.get("__annotations__", {}).items():  # noqa: RUF063 - inspect costs start-up
        if str(annotation).startswith(("ClassVar", "typing.ClassVar")):
            continue
        value = cls.__dict__.get(name, _MISSING)
        spec: Field = value if isinstance(value, Field) else field(default=value)
        spec.name = name
        own.append(spec)
    return own


def _build(cls: C, *, frozen: bool, init: bool, shared: Collection[str]) -> C:
    own = _own_fields(cls)
    every = (*getattr(cls, "__record_fields__", ()), *own)
    names = tuple(f.name for f in every)
    body = {k: v for k, v in cls.__dict__.items() if k not in names and k not in ("__dict__", "__weakref__")}
    body["__slots__"] = tuple(f.name for f in own)
    body["__record_fields__"] = every
    if init:
        body["__init__"] = _make_init(cls.__qualname__, every, frozen, hasattr(cls, "__post_init__"))
    body.setdefault("__repr__", _make_repr(tuple(f.name for f in every if f.repr)))
    key = _key(tuple(f.name for f in every if f.compare))
    body.setdefault("__eq__", _make_eq(key))
    if frozen:
        body.setdefault("__hash__", _make_hash(key))
        body["__setattr__"] = _frozen_setattr
        body["__delattr__"] = _frozen_delattr
    elif "__hash__" not in body:
        body["__hash__"] = None
    body["__getstate__"], body["__setstate__"] = _make_pickle(names, shared)
    made = type(cls)(cls.__name__, cls.__bases__, body)
    made.__qualname__ = cls.__qualname__
    return made


def _make_init(qualname: str, every: tuple[Field, ...], frozen: bool, post_init: bool) -> Callable[..., None]:
    """Compile the one method that must be fast and take keywords: ``__init__``."""
    scope: dict[str, Any] = {"_set": object.__setattr__, "_FACTORY": _MISSING}
    params, lines = ["self"], []
    for f in every:
        value = f.name
        if f.default_factory is not _MISSING:
            scope[f"_factory_{f.name}"] = f.default_factory
            value = (
                f"_factory_{f.name}()" if not f.init else f"_factory_{f.name}() if {f.name} is _FACTORY else {f.name}"
            )
        elif not f.init:
            if f.default is _MISSING:
                continue
            scope[f"_default_{f.name}"] = f.default
            value = f"_default_{f.name}"
        if f.init:
            if f.default_factory is not _MISSING:
                params.append(f"{f.name}=_FACTORY")
            elif f.default is not _MISSING:
                scope[f"_default_{f.name}"] = f.default
                params.append(f"{f.name}=_default_{f.name}")
            else:
                params.append(f.name)
        lines.append(f"_set(self, {f.name!r}, {value})" if frozen else f"self.{f.name} = {value}")
    if post_init:
        lines.append("self.__post_init__()")
    source = f"def __init__({', '.join(params)}):\n    " + "\n    ".join(lines or ["pass"])
    exec(source, scope)  # the source is built from the class's own field names
    made: Callable[..., None] = scope["__init__"]
    made.__qualname__ = f"{qualname}.__init__"
    return made


def _key(names: tuple[str, ...]) -> Callable[[Any], Any]:
    """The values that equality and hashing compare, fetched in one C call."""
    return attrgetter(*names) if names else lambda _self: ()


def _make_repr(names: tuple[str, ...]) -> Callable[[Any], str]:
    def __repr__(self: Any) -> str:
        shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in names)
        return f"{type(self).__qualname__}({shown})"

    return __repr__


def _make_eq(key: Callable[[Any], Any]) -> Callable[[Any, Any], Any]:
    def __eq__(self: Any, other: Any) -> Any:
        if other.__class__ is self.__class__:
            return key(self) == key(other)
        return NotImplemented

    return __eq__


def _make_hash(key: Callable[[Any], Any]) -> Callable[[Any], int]:
    def __hash__(self: Any) -> int:
        return hash(key(self))

    return __hash__


def _frozen_setattr(self: Any, name: str, value: Any) -> None:
    raise FrozenError(f"cannot assign to field {name!r} of a frozen {type(self).__name__}")


def _frozen_delattr(self: Any, name: str) -> None:
    raise FrozenError(f"cannot delete field {name!r} of a frozen {type(self).__name__}")


def _make_pickle(
    names: tuple[str, ...], shared: Collection[str]
) -> tuple[Callable[[Any], tuple[Any, ...]], Callable[[Any, tuple[Any, ...]], None]]:
    """Pickle a record as its field values in one tuple, set back in one loop."""
    values = attrgetter(*names)
    setattr_ = object.__setattr__
    share = tuple((i, n) for i, n in enumerate(names) if n in shared)
    single = len(names) == 1

    def __getstate__(self: Any) -> tuple[Any, ...]:
        state = values(self)
        return (state,) if single else state

    def __setstate__(self: Any, state: tuple[Any, ...]) -> None:
        for name, value in zip(names, state, strict=True):
            setattr_(self, name, value)
        for i, name in share:
            if type(state[i]) is str:
                setattr_(self, name, intern(state[i]))

    return __getstate__, __setstate__

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
from reprlib import recursive_repr  # already imported by collections: costs nothing
from sys import intern
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar, get_origin, overload

if TYPE_CHECKING:
    from typing import dataclass_transform
else:  # typing has it from Python 3.11 on; only type checkers read it

    def dataclass_transform(**_kwargs: Any) -> Callable[[Any], Any]:
        return lambda decorator: decorator


C = TypeVar("C", bound=type)
R = TypeVar("R")
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


def replace(instance: R, /, **changes: Any) -> R:
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

    ``frozen`` forbids assignment and makes it hashable; ``init=False`` (or an ``__init__`` of the
    class's own) keeps the class's ``__init__``; the strings of the ``shared`` fields are interned
    when a record is unpickled, so that each file's copy of an image, field path or namespace does
    not stay.
    """

    def build(target: C) -> C:
        return _build(target, frozen=frozen, init=init, shared=shared)

    return build if cls is None else build(cls)


def _is_class_var(annotation: Any) -> bool:
    """Whether an annotation (a string under ``from __future__ import annotations``) is a ClassVar."""
    if isinstance(annotation, str):
        return annotation.split("[", 1)[0].strip().rsplit(".", 1)[-1] == "ClassVar"
    return annotation is ClassVar or get_origin(annotation) is ClassVar


def _own_fields(cls: type) -> list[Field]:
    """The fields the class body declares, with their defaults."""
    own = []
    for name, annotation in cls.__dict__.get("__annotations__", {}).items():  # noqa: RUF063 - inspect costs start-up
        if _is_class_var(annotation):
            continue
        value = cls.__dict__.get(name, _MISSING)
        spec: Field = value if isinstance(value, Field) else field(default=value)
        spec.name = name
        own.append(spec)
    return own


def _build(cls: C, *, frozen: bool, init: bool, shared: Collection[str]) -> C:
    """The slotted record class for ``cls``: its fields, methods and pickling."""
    own = _own_fields(cls)
    by_name = {f.name: f for f in getattr(cls, "__record_fields__", ())}
    by_name.update((f.name, f) for f in own)  # a field declared again keeps its place, takes the new default
    every = tuple(by_name.values())
    names = tuple(by_name)
    inherited = {f.name for f in getattr(cls, "__record_fields__", ())}
    body = {k: v for k, v in cls.__dict__.items() if k not in by_name and k not in ("__dict__", "__weakref__")}
    body["__slots__"] = tuple(f.name for f in own if f.name not in inherited)
    body["__record_fields__"] = every
    if init and "__init__" not in body:
        body["__init__"] = _make_init(cls.__qualname__, every, frozen, hasattr(cls, "__post_init__"))
    body.setdefault("__repr__", _make_repr(tuple(f.name for f in every if f.repr)))
    key = _key(tuple(f.name for f in every if f.compare))
    body.setdefault("__eq__", _make_eq(key))
    # a class that defines __eq__ gets __hash__ = None from Python itself: that is not its choice
    explicit_hash = "__hash__" in cls.__dict__ and not (cls.__dict__["__hash__"] is None and "__eq__" in cls.__dict__)
    if frozen:
        if not explicit_hash:
            body["__hash__"] = _make_hash(key)
        body["__setattr__"] = _frozen_setattr
        body["__delattr__"] = _frozen_delattr
    elif not explicit_hash:
        body["__hash__"] = None
    body["__getstate__"], body["__setstate__"] = _make_pickle(names, shared)
    made = type(cls)(cls.__name__, cls.__bases__, body)
    made.__qualname__ = cls.__qualname__
    return made


def _make_init(qualname: str, every: tuple[Field, ...], frozen: bool, post_init: bool) -> Callable[..., None]:
    """Compile the one method that must be fast and take keywords: ``__init__``. Its own names are
    dunder names, so no field name can clash with them."""
    scope: dict[str, Any] = {"__record_set__": object.__setattr__, "__record_factory__": _MISSING}
    params, lines = ["__record_self__"], []
    for i, f in enumerate(every):
        value = f.name
        if f.default_factory is not _MISSING:
            scope[f"__record_make_{i}__"] = f.default_factory
            call = f"__record_make_{i}__()"
            value = call if not f.init else f"{call} if {f.name} is __record_factory__ else {f.name}"
        elif not f.init:
            if f.default is _MISSING:
                continue
            scope[f"__record_default_{i}__"] = f.default
            value = f"__record_default_{i}__"
        if f.init:
            if f.default_factory is not _MISSING:
                params.append(f"{f.name}=__record_factory__")
            elif f.default is not _MISSING:
                scope[f"__record_default_{i}__"] = f.default
                params.append(f"{f.name}=__record_default_{i}__")
            else:
                params.append(f.name)
        if frozen:
            lines.append(f"__record_set__(__record_self__, {f.name!r}, {value})")
        else:
            lines.append(f"__record_self__.{f.name} = {value}")
    if post_init:
        lines.append("__record_self__.__post_init__()")
    source = f"def __init__({', '.join(params)}):\n    " + "\n    ".join(lines or ["pass"])
    exec(source, scope)  # the source is built from the class's own field names
    made: Callable[..., None] = scope["__init__"]
    made.__qualname__ = f"{qualname}.__init__"
    return made


def _key(names: tuple[str, ...]) -> Callable[[Any], tuple[Any, ...]]:
    """The values that equality and hashing compare, as a tuple fetched in one C call."""
    if len(names) > 1:
        return attrgetter(*names)
    if names:
        one = attrgetter(names[0])
        return lambda self: (one(self),)
    return lambda _self: ()


def _make_repr(names: tuple[str, ...]) -> Callable[[Any], str]:
    """``Class(field=value, ...)`` over the fields shown in repr."""

    @recursive_repr()
    def __repr__(self: Any) -> str:
        shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in names)
        return f"{type(self).__qualname__}({shown})"

    return __repr__


def _make_eq(key: Callable[[Any], tuple[Any, ...]]) -> Callable[[Any, Any], Any]:
    """Equal when of the same class and equal in every compared field."""

    def __eq__(self: Any, other: Any) -> Any:
        if other.__class__ is self.__class__:
            return key(self) == key(other)
        return NotImplemented

    return __eq__


def _make_hash(key: Callable[[Any], tuple[Any, ...]]) -> Callable[[Any], int]:
    """The hash of the compared fields (frozen records only)."""

    def __hash__(self: Any) -> int:
        return hash(key(self))

    return __hash__


def _frozen_setattr(self: Any, name: str, value: Any) -> None:
    """A frozen record's fields cannot be assigned."""
    raise FrozenError(f"cannot assign to field {name!r} of a frozen {type(self).__name__}")


def _frozen_delattr(self: Any, name: str) -> None:
    """A frozen record's fields cannot be deleted."""
    raise FrozenError(f"cannot delete field {name!r} of a frozen {type(self).__name__}")


def _make_pickle(
    names: tuple[str, ...], shared: Collection[str]
) -> tuple[Callable[[Any], Any], Callable[[Any, Any], None]]:
    """Pickle a record as its field values in one tuple, set back in one loop (a record with a field
    never set, an ``init=False`` field without a default, as a dict of the fields that are)."""
    values = attrgetter(*names) if names else lambda _self: ()
    setattr_ = object.__setattr__
    share = tuple((i, n) for i, n in enumerate(names) if n in shared)
    single = len(names) == 1

    def __getstate__(self: Any) -> Any:
        try:
            state = values(self)
        except AttributeError:
            return {name: getattr(self, name) for name in names if hasattr(self, name)}
        return (state,) if single else state

    def __setstate__(self: Any, state: Any) -> None:
        if isinstance(state, dict):
            for name, value in state.items():
                setattr_(self, name, value)
            return
        for name, value in zip(names, state, strict=True):
            setattr_(self, name, value)
        for i, name in share:
            if type(state[i]) is str:
                setattr_(self, name, intern(state[i]))

    return __getstate__, __setstate__

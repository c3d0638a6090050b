"""`record`: the part of `dataclasses.dataclass` this package uses, without generating code.

dataclass writes __init__, __repr__ and __eq__ as source text and compiles it, about 0.4 ms a class;
an audit imports some twenty of them, which was a tenth of issue 8's start-up budget (an audit within
10x of `python -c pass`). Here the methods are shared functions that read the class's field list, so
defining a record costs what defining a plain class costs. Instances are a few microseconds slower to
build, which no command notices.

Supported, with dataclass semantics: fields from the class annotations in order (inherited ones first),
defaults, `field(default=..., default_factory=..., repr=..., compare=...)`, `frozen=True` (assignment
raises FrozenInstanceError; instances hash by their compared fields), `slots=True`, `__post_init__`, and
`fields()`; ClassVar annotations are not fields and mutable defaults are refused, as there. Not
supported (not used here): InitVar, keyword-only fields, ordering, frozen records with slots.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

_MISSING = object()


class FrozenInstanceError(AttributeError):
    pass


class Field:
    __slots__ = ("compare", "default", "default_factory", "name", "repr")

    def __init__(
        self,
        default: Any = _MISSING,
        default_factory: Callable[[], Any] | None = None,
        repr: bool = True,
        compare: bool = True,
    ):
        if default is not _MISSING and default_factory is not None:
            raise ValueError("cannot specify both default and default_factory")
        self.name = ""
        self.default = default
        self.default_factory = default_factory
        self.repr = repr
        self.compare = compare


def field(
    *,
    default: Any = _MISSING,
    default_factory: Callable[[], Any] | None = None,
    repr: bool = True,
    compare: bool = True,
) -> Any:
    return Field(default, default_factory, repr, compare)


def fields(obj_or_cls: Any) -> tuple[Field, ...]:
    cls = obj_or_cls if isinstance(obj_or_cls, type) else type(obj_or_cls)
    try:
        return cls.__record_fields__
    except AttributeError:
        raise TypeError(f"{cls.__name__} is not a record") from None


def record(cls: type | None = None, *, frozen: bool = False, slots: bool = False):
    """Class decorator: `@record`, `@record(frozen=True)`, `@record(slots=True)`."""

    def wrap(c: type) -> type:
        return _build(c, frozen, slots)

    return wrap if cls is None else wrap(cls)


def _build(cls: type, frozen: bool, slots: bool) -> type:
    if frozen and slots:
        # Unpickling sets slots through __setattr__, which a frozen record refuses; no record needs both.
        raise TypeError("record(frozen=True, slots=True) is not supported")
    inherited: list[Field] = []
    for base in reversed(cls.__mro__[1:]):
        for f in getattr(base, "__record_fields__", ()):
            inherited = [g for g in inherited if g.name != f.name] + [f]
    own: list[Field] = []
    annotations = cls.__dict__.get("__annotations__")
    if annotations is None:
        # Python 3.14 (PEP 649) computes class annotations on access instead of storing them.
        import inspect

        annotations = inspect.get_annotations(cls)
    for name, annotation in annotations.items():
        if (
            str(annotation).startswith(("ClassVar", "typing.ClassVar"))
            or getattr(annotation, "__origin__", None) is ClassVar
        ):
            continue  # a class attribute, not a field (as in dataclasses)
        value = cls.__dict__.get(name, _MISSING)
        if isinstance(value, (list, dict, set)):
            raise ValueError(
                f"mutable default {type(value).__name__} for field {name} is not allowed: use default_factory"
            )
        f = value if isinstance(value, Field) else Field(value)
        f.name = name
        own.append(f)
        if isinstance(value, Field):
            # As dataclass does: a plain default stays a class attribute, a field() object does not.
            if f.default is _MISSING:
                delattr(cls, name)
            else:
                setattr(cls, name, f.default)
    all_fields = tuple([g for g in inherited if g.name not in {f.name for f in own}] + own)
    seen_default = False
    for f in all_fields:
        has_default = f.default is not _MISSING or f.default_factory is not None
        if seen_default and not has_default:
            raise TypeError(f"non-default argument '{f.name}' follows default argument")
        seen_default = seen_default or has_default

    if slots and "__slots__" not in cls.__dict__:
        ns = {k: v for k, v in cls.__dict__.items() if k not in ("__dict__", "__weakref__")}
        ns["__slots__"] = tuple(f.name for f in own)
        for f in own:
            ns.pop(f.name, None)  # a class attribute of the same name would shadow the slot
        cls = type(cls)(cls.__name__, cls.__bases__, ns)

    cls.__record_fields__ = all_fields
    cls.__record_names__ = tuple(f.name for f in all_fields)
    cls.__record_compare__ = tuple(f.name for f in all_fields if f.compare)
    cls.__record_repr__ = tuple(f.name for f in all_fields if f.repr)
    cls.__record_frozen__ = frozen
    # Methods the class body wrote itself win, as with dataclass.
    if "__init__" not in cls.__dict__:
        cls.__init__ = _init
    if "__repr__" not in cls.__dict__:
        cls.__repr__ = _repr
    if "__eq__" not in cls.__dict__:
        cls.__eq__ = _eq
    if frozen:
        cls.__setattr__ = _frozen_setattr
        cls.__delattr__ = _frozen_delattr
        if "__hash__" not in cls.__dict__ or cls.__dict__["__hash__"] is None:
            cls.__hash__ = _hash
    elif "__hash__" not in cls.__dict__:
        cls.__hash__ = None  # mutable and compared by value: unhashable, as dataclass makes it
    cls.__match_args__ = cls.__record_names__
    return cls


def _init(self, *args: Any, **kwargs: Any) -> None:
    cls = type(self)
    fs = cls.__record_fields__
    if len(args) > len(fs):
        raise TypeError(f"{cls.__name__}() takes {len(fs)} positional arguments but {len(args)} were given")
    put = object.__setattr__
    for f, value in zip(fs, args):
        if f.name in kwargs:
            raise TypeError(f"{cls.__name__}() got multiple values for argument '{f.name}'")
        put(self, f.name, value)
    for f in fs[len(args) :]:
        name = f.name
        if name in kwargs:
            put(self, name, kwargs.pop(name))
        elif f.default is not _MISSING:
            put(self, name, f.default)
        elif f.default_factory is not None:
            put(self, name, f.default_factory())
        else:
            raise TypeError(f"{cls.__name__}() missing required argument: '{name}'")
    if kwargs:
        raise TypeError(f"{cls.__name__}() got an unexpected keyword argument '{next(iter(kwargs))}'")
    post = getattr(self, "__post_init__", None)
    if post is not None:
        post()


def _repr(self) -> str:
    cls = type(self)
    inner = ", ".join(f"{name}={getattr(self, name)!r}" for name in cls.__record_repr__)
    return f"{cls.__qualname__}({inner})"


def _values(self) -> tuple:
    return tuple(getattr(self, name) for name in type(self).__record_compare__)


def _eq(self, other: Any) -> Any:
    if other.__class__ is self.__class__:
        return _values(self) == _values(other)
    return NotImplemented


def _hash(self) -> int:
    return hash(_values(self))


def _frozen_setattr(self, name: str, value: Any) -> None:
    if name in type(self).__record_names__ or type(self).__record_frozen__:
        raise FrozenInstanceError(f"cannot assign to field '{name}'")
    object.__setattr__(self, name, value)


def _frozen_delattr(self, name: str) -> None:
    raise FrozenInstanceError(f"cannot delete field '{name}'")

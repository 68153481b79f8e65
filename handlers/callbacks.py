"""Typed button data: one small class per family of buttons, packed into Telegram's 64 bytes.

    class MoveStage(Callback, prefix="dm"):
        deal_id: int
        stage: str

    MoveStage(deal_id=5, stage="won").pack()   # "dm:5:won"
    MoveStage.unpack("dm:5:won")               # MoveStage(deal_id=5, stage='won')

The data is the prefix and the fields in order, joined by ':'. Field types: `int` (an id, page
or offset: 1–12 ASCII digits when read), `str` (non-empty, no ':'), `bool` ('1' / '0'), an Enum of
strings, `Literal['a', 'b']`, `Annotated[str, OneOf(values)]`, `Tail` (the rest of the data,
':' and empty allowed; last field only) and `X | None` (trailing fields only; left out when
None). Anything else fails when the class is defined, as does a prefix already taken.

`unpack` raises StaleButton for data that is not a well-formed button of the family (wrong
prefix or field count, a bad value, over 64 bytes, or `valid()` false): the dispatcher answers
it with the one stale-button reply. `pack` raises ValueError for a value the data cannot carry
(a programming error, never a user's).
"""

from __future__ import annotations

import dataclasses
import enum
import types
from collections.abc import Callable
from dataclasses import dataclass
from typing import (
    Annotated,
    ClassVar,
    Literal,
    Self,
    Union,
    dataclass_transform,
    get_args,
    get_origin,
    get_type_hints,
)

from crm_store.errors import Invalid
from handlers.ids import MAX_ID
from handlers.types import MAX_CALLBACK_BYTES

SEPARATOR = ":"
MAX_DIGITS = 12  # ids, pages and offsets; more is no record of ours


class StaleButton(Invalid):
    """Button data that no handler can act on: forged, malformed or out of date."""

    def __init__(self) -> None:
        super().__init__("error.stale_button")


@dataclass(frozen=True)
class OneOf:
    """Field metadata: the value must be one of `values` (`Annotated[str, OneOf(...)]`)."""

    values: tuple[str, ...]


class _Tail:
    def __repr__(self) -> str:
        return "TAIL"


TAIL = _Tail()
Tail = Annotated[str, TAIL]  # the rest of the data: may hold ':' and may be empty


FieldKind = Literal["int", "str", "bool", "choice", "tail"]


@dataclass(frozen=True)
class ButtonField:
    """How one field travels: its name and kind, and how it is read and written."""

    name: str
    kind: FieldKind
    parse: Callable[[str], object]  # raises ValueError for text that is no such value
    show: Callable[[object], str]  # raises ValueError for a value the data cannot carry
    choices: tuple[str, ...] = ()  # the texts a choice (or a bool) allows
    optional: bool = False

    @property
    def tail(self) -> bool:
        """Whether the field takes the rest of the data, ':' included."""
        return self.kind == "tail"

    @property
    def accepts(self) -> str:
        """What the field accepts, for people: 'int', 'one of h, t', ..."""
        if self.kind == "choice":
            return "one of " + ", ".join(self.choices)
        return {"bool": "bool (1 or 0)", "tail": "str (the rest, ':' allowed)"}.get(self.kind,
                                                                                  self.kind)


_FAMILIES: dict[str, type[Callback]] = {}


def families() -> dict[str, type[Callback]]:
    """Every button family defined so far, by prefix."""
    return dict(_FAMILIES)


def prefix_of(data: str) -> str:
    """The family prefix of button data: what comes before the first ':'."""
    return data.partition(SEPARATOR)[0]


@dataclass_transform(frozen_default=True)
class Callback:
    """Base of typed button data; subclasses name their prefix and declare fields."""

    prefix: ClassVar[str]
    fields: ClassVar[tuple[ButtonField, ...]]
    # Every family is made a dataclass when it is defined (__init_subclass__).
    __dataclass_fields__: ClassVar[dict[str, dataclasses.Field[object]]]

    def __init_subclass__(cls, *, prefix: str, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        if not prefix or SEPARATOR in prefix or not prefix.isascii():
            raise ValueError(f"{cls.__name__}: bad button prefix {prefix!r}")
        taken = _FAMILIES.get(prefix)
        if taken is not None and _name(taken) != _name(cls):  # the same class again: a reload
            raise ValueError(f"button prefix {prefix!r} used by {_name(taken)} and {_name(cls)}")
        dataclass(frozen=True)(cls)
        cls.prefix = prefix
        cls.fields = _fields_of(cls)
        _FAMILIES[prefix] = cls

    def valid(self) -> bool:
        """Rules between fields (override); `unpack` refuses data for which this is False."""
        return True

    def pack(self) -> str:
        """The callback data for this button: prefix and fields joined by ':' (≤ 64 bytes)."""
        if not self.valid():
            raise ValueError(f"{self!r} is not a valid button")
        values = [getattr(self, f.name) for f in self.fields]
        while values and values[-1] is None and self.fields[len(values) - 1].optional:
            values.pop()
        data = SEPARATOR.join([self.prefix, *(f.show(v) for f, v in zip(self.fields, values,
                                                                       strict=False))])
        if len(data.encode("utf-8")) > MAX_CALLBACK_BYTES:
            raise ValueError(f"callback data over {MAX_CALLBACK_BYTES} bytes: {data!r}")
        return data

    @classmethod
    def unpack(cls, data: str) -> Self:
        """The button `data` describes; StaleButton if it is not one of this family's."""
        if len(data.encode("utf-8")) > MAX_CALLBACK_BYTES:
            raise StaleButton()
        prefix, separator, rest = data.partition(SEPARATOR)
        if prefix != cls.prefix:
            raise StaleButton()
        fields = cls.fields
        if not separator:
            parts: list[str] = []
        elif fields and fields[-1].tail:
            parts = rest.split(SEPARATOR, len(fields) - 1)
        else:
            parts = rest.split(SEPARATOR)
        required = sum(not f.optional for f in fields)
        if not required <= len(parts) <= len(fields):
            raise StaleButton()
        values: dict[str, object] = {f.name: None for f in fields}
        try:
            values.update((f.name, f.parse(part)) for f, part in zip(fields, parts,
                                                                     strict=False))
        except ValueError as exc:
            raise StaleButton() from exc
        button = cls(**values)
        if not button.valid():
            raise StaleButton()
        return button

    @classmethod
    def shape(cls) -> str:
        """The data as people read it: 'dm:<deal_id>:<stage>', optional parts in brackets."""
        parts = [f"[:<{f.name}>]" if f.optional else f":<{f.name}>" for f in cls.fields]
        return cls.prefix + "".join(parts)


def _name(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


def _fields_of(cls: type[Callback]) -> tuple[ButtonField, ...]:
    hints = get_type_hints(cls, include_extras=True)
    found = tuple(_field(cls, f.name, hints[f.name]) for f in dataclasses.fields(cls))
    for index, field in enumerate(found):
        if field.name in ("prefix", "fields") or hasattr(Callback, field.name):
            raise TypeError(f"{cls.__name__}.{field.name}: the name is Callback's own")
        later = found[index + 1:]
        if field.tail and later:
            raise TypeError(f"{cls.__name__}.{field.name}: a Tail field must come last")
        if field.optional and not all(f.optional for f in later):
            raise TypeError(f"{cls.__name__}.{field.name}: optional fields must come last")
    return found


def _field(cls: type, name: str, hint: object) -> ButtonField:
    args = get_args(hint)
    if get_origin(hint) in (Union, types.UnionType) and type(None) in args and len(args) == 2:
        inner = next(arg for arg in args if arg is not type(None))
        return dataclasses.replace(_field(cls, name, inner), optional=True)
    if get_origin(hint) is Annotated and args[0] is str:
        if TAIL in args[1:]:
            return ButtonField(name, "tail", _any_text, _text(tail=True))
        for meta in args[1:]:
            if isinstance(meta, OneOf):
                return _choice(cls, name, {value: value for value in meta.values})
    if get_origin(hint) is Literal:
        return _choice(cls, name, {value: value for value in args})
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return _choice(cls, name, {member.value: member for member in hint})
    if hint is bool:
        return ButtonField(name, "bool", _parse_bool, _show_bool, choices=("1", "0"))
    if hint is int:
        return ButtonField(name, "int", _parse_int, _show_int)
    if hint is str:
        return ButtonField(name, "str", _parse_text, _text(tail=False))
    raise TypeError(f"{cls.__name__}.{name}: {hint!r} cannot travel in button data")


def _choice(cls: type, name: str, by_text: dict[object, object]) -> ButtonField:
    texts = tuple(by_text)
    if not texts or not all(isinstance(t, str) and t and SEPARATOR not in t for t in texts):
        raise TypeError(f"{cls.__name__}.{name}: choices must be non-empty strings without ':'")
    choices = tuple(str(t) for t in texts)
    to_text = {value: text for text, value in zip(choices, by_text.values(), strict=True)}

    def parse(text: str) -> object:
        if text not in by_text:
            raise ValueError(text)
        return by_text[text]

    def show(value: object) -> str:
        if value not in to_text:
            raise ValueError(f"{cls.__name__}.{name}: {value!r} is not one of {choices}")
        return to_text[value]

    return ButtonField(name, "choice", parse, show, choices=choices)


def _parse_int(text: str) -> int:
    if not (text.isascii() and text.isdigit() and len(text) <= MAX_DIGITS):
        raise ValueError(text)
    if int(text) > MAX_ID:  # no id, page or offset of ours: PostgreSQL would refuse it
        raise ValueError(text)
    return int(text)


def _show_int(value: object) -> str:
    # An id past MAX_DIGITS still makes a button (as it always did); pressed, it is stale.
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ValueError(f"{value!r} is no id, page or offset")
    return str(value)


def _parse_bool(text: str) -> bool:
    if text not in ("1", "0"):
        raise ValueError(text)
    return text == "1"


def _show_bool(value: object) -> str:
    if not isinstance(value, bool):
        raise ValueError(f"{value!r} is no bool")
    return "1" if value else "0"


def _parse_text(text: str) -> str:
    if not text:
        raise ValueError("empty")
    return text


def _any_text(text: str) -> str:
    return text


def _text(*, tail: bool) -> Callable[[object], str]:
    def show(value: object) -> str:
        if not isinstance(value, str) or (not tail and (not value or SEPARATOR in value)):
            raise ValueError(f"{value!r} cannot travel as a button field")
        return value

    return show

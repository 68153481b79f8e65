"""The command registry: commands, button callbacks, dialog steps, and who may use them."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from crm_store.models import Contact, Role
from handlers.areas import AREAS
from handlers.callbacks import Callback, prefix_of
from handlers.context import Context
from handlers.i18n import Html
from handlers.types import Button, ChatRequest, Reply

Handler = Callable[[ChatRequest, Context], Awaitable[list[Reply]]]
Resumer = Callable[[Context, int, dict[str, Any]], Awaitable[list[Reply]]]
# A contact card is assembled from every area: a section of text and buttons for the card.
CardSection = Callable[[Context, Contact], Html | None]
CardButtons = Callable[[Context, Contact], list[Button]]
C = TypeVar("C", bound=Callback)
ButtonHandler = Callable[[C, Context], Awaitable[list[Reply]]]

EVERYONE = frozenset(Role)
MANAGERS = frozenset({Role.MANAGER, Role.ADMIN})
ADMINS = frozenset({Role.ADMIN})


@dataclass(frozen=True)
class CommandSpec:
    """A slash command: its handler, help text and the roles allowed to call it."""

    name: str
    func: Handler
    help_key: str
    roles: frozenset[Role]
    menu: bool
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class CallbackSpec:
    """A family of buttons (named by the prefix of its data), its handler and who may press."""

    prefix: str
    func: Handler  # reads the data into `family` (StaleButton if it cannot), then handles it
    roles: frozenset[Role]
    family: type[Callback]
    handler: str  # the handler's module and name, for the index

    @property
    def area(self) -> str:
        """The area whose handler answers these buttons ('shared' for handlers/picking.py)."""
        parts = self.handler.split(".")  # handlers.<area>.<module>.<function>
        return parts[1] if len(parts) > 3 else "shared"


@dataclass(frozen=True)
class ButtonRow:
    """One line of the index of button families."""

    prefix: str
    shape: str
    family: str
    area: str
    fields: str
    roles: str


@dataclass
class Registry:
    """Everything the dispatcher can route to."""

    commands: dict[str, CommandSpec] = field(default_factory=dict)
    callbacks: dict[str, CallbackSpec] = field(default_factory=dict)
    flows: dict[str, Handler] = field(default_factory=dict)
    resumers: dict[str, Resumer] = field(default_factory=dict)
    card_sections: list[CardSection] = field(default_factory=list)
    card_buttons: list[CardButtons] = field(default_factory=list)

    def command(
        self, name: str, *, help_key: str, roles: frozenset[Role] = EVERYONE, menu: bool = True,
        aliases: tuple[str, ...] = (),
    ) -> Callable[[Handler], Handler]:
        """Register a slash command."""

        def register(func: Handler) -> Handler:
            spec = CommandSpec(name, func, help_key, roles, menu, aliases)
            for key in (name, *aliases):
                if key in self.commands:
                    raise ValueError(f"command /{key} registered twice")
                self.commands[key] = spec
            return func

        return register

    def button(self, family: type[C], *, roles: frozenset[Role] = EVERYONE
               ) -> Callable[[ButtonHandler[C]], ButtonHandler[C]]:
        """Register the handler for a family of buttons; it receives the data unpacked."""

        def register(func: ButtonHandler[C]) -> ButtonHandler[C]:
            if family.prefix in self.callbacks:
                raise ValueError(f"buttons {family.prefix} registered twice")

            async def press(req: ChatRequest, ctx: Context) -> list[Reply]:
                return await func(family.unpack(req.callback_data), ctx)

            self.callbacks[family.prefix] = CallbackSpec(
                family.prefix, press, roles, family, f"{func.__module__}.{func.__qualname__}")
            return func

        return register

    def button_for(self, data: str) -> CallbackSpec | None:
        """The family registered for button `data` (by its prefix), if any."""
        return self.callbacks.get(prefix_of(data))

    def button_index(self) -> list[ButtonRow]:
        """Every registered button family: prefix, data, class, area, fields, roles."""
        order = [*AREAS, "shared"]
        specs = sorted(self.callbacks.values(), key=lambda s: (
            order.index(s.area) if s.area in order else len(order), s.prefix))
        return [ButtonRow(s.prefix, s.family.shape(), s.family.__name__, s.area,
                          "; ".join(f"{f.name}: {f.accepts}" + (" (optional)" * f.optional)
                                    for f in s.family.fields),
                          _roles_text(s.roles)) for s in specs]

    def flow(self, name: str) -> Callable[[Handler], Handler]:
        """Register the handler for text typed while dialog `name` is open."""

        def register(func: Handler) -> Handler:
            if name in self.flows:
                raise ValueError(f"flow {name} registered twice")
            self.flows[name] = func
            return func

        return register

    def resumer(self, name: str) -> Callable[[Resumer], Resumer]:
        """Register what continues a command once an ambiguous contact has been picked."""

        def register(func: Resumer) -> Resumer:
            if name in self.resumers:
                raise ValueError(f"resumer {name} registered twice")
            self.resumers[name] = func
            return func

        return register

    def card_section(self, func: CardSection) -> CardSection:
        """Register a block of text an area adds to the contact card (None to add nothing)."""
        self.card_sections.append(func)
        return func

    def card_button(self, func: CardButtons) -> CardButtons:
        """Register buttons an area adds to the contact card."""
        self.card_buttons.append(func)
        return func

    def visible_commands(self, role: Role) -> list[CommandSpec]:
        """The distinct commands a role may use, in registration order."""
        seen: dict[str, CommandSpec] = {}
        for spec in self.commands.values():
            if role in spec.roles and spec.name not in seen:
                seen[spec.name] = spec
        return sorted(seen.values(), key=self._area_index)

    def _area_index(self, spec: CommandSpec) -> int:
        area = spec.func.__module__.split(".")[1]  # handlers.<area>.<module>
        return AREAS.index(area) if area in AREAS else len(AREAS)


def _roles_text(roles: frozenset[Role]) -> str:
    if roles == EVERYONE:
        return "everyone"
    return ", ".join(role.value for role in Role if role in roles)


def buttons_markdown(rows: list[ButtonRow]) -> str:
    """The index of button families as a Markdown table."""
    lines = ["| Prefix | Data | Class | Area | Fields | Roles |",
             "| --- | --- | --- | --- | --- | --- |"]
    lines += [f"| `{r.prefix}` | `{r.shape}` | `{r.family}` | {r.area} | {r.fields or '—'} "
              f"| {r.roles} |" for r in rows]
    return "\n".join(lines) + "\n"


registry = Registry()

"""The command registry: commands, button callbacks, dialog steps, and who may use them."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from crm_store.models import Contact, Role
from handlers.areas import AREAS
from handlers.context import Context
from handlers.i18n import Html
from handlers.types import Button, ChatRequest, Reply

Handler = Callable[[ChatRequest, Context], Awaitable[list[Reply]]]
Resumer = Callable[[Context, int, dict[str, Any]], Awaitable[list[Reply]]]
# A contact card is assembled from every area: a section of text and buttons for the card.
CardSection = Callable[[Context, Contact], Html | None]
CardButtons = Callable[[Context, Contact], list[Button]]

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
    """A family of buttons, named by the prefix before the first colon of its data."""

    prefix: str
    func: Handler
    roles: frozenset[Role]


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

    def callback(self, prefix: str, *, roles: frozenset[Role] = EVERYONE):  # type: ignore[no-untyped-def]
        """Register the handler for buttons whose data starts with `prefix:`."""

        def register(func: Handler) -> Handler:
            if prefix in self.callbacks:
                raise ValueError(f"callback {prefix} registered twice")
            self.callbacks[prefix] = CallbackSpec(prefix, func, roles)
            return func

        return register

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


registry = Registry()

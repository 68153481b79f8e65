"""The command menu Telegram shows, per language, from the handlers' registry."""

from __future__ import annotations

from crm_store.models import Role
from handlers.areas import load_all
from handlers.i18n import Translator
from handlers.router import registry


def menu_commands(language: str, role: Role = Role.REP) -> list[tuple[str, str]]:
    """(command, description) pairs for setMyCommands, in /help order."""
    load_all()  # every area registers its commands
    t = Translator(language)
    return [(spec.name, t.plain(spec.help_key)[:256])
            for spec in registry.visible_commands(role) if spec.menu]

"""Catalogs for zh-CN and en; parameters are HTML-escaped here, in one place."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from importlib import import_module

from handlers.areas import text_modules
from handlers.i18n import shared


def _merge() -> dict[str, dict[str, str]]:
    """The shared words (handlers/i18n) plus every area's catalog, found beside its handlers."""
    catalogs = {"en": dict(shared.EN), "zh-CN": dict(shared.ZH)}
    for name in text_modules():
        module = import_module(name)
        for language, messages in (("en", module.EN), ("zh-CN", module.ZH)):
            clash = catalogs[language].keys() & messages.keys()
            if clash:
                raise ValueError(f"catalog keys defined twice: {sorted(clash)}")
            catalogs[language].update(messages)
    return catalogs


CATALOGS: dict[str, dict[str, str]] = _merge()
LANGUAGES = tuple(CATALOGS)


_TAG = re.compile(r"</?[a-zA-Z][^>]*>")


def plain_text(template: str) -> str:
    """A catalog template as plain text: tags dropped, entities (&lt;member&gt;) decoded."""
    return html.unescape(_TAG.sub("", template))


class Html(str):
    """Text that is already safe HTML (built by a view); `t` does not escape it again."""


def escape(value: object) -> str:
    """Escape user data for Telegram HTML."""
    return value if isinstance(value, Html) else html.escape(str(value), quote=False)


def language_for(code: str | None, default: str = "en") -> str:
    """Map Telegram's language_code (zh-hans, zh-CN, en-GB…) to one of our catalogs."""
    if not code:
        return default
    code = code.lower()
    if code.startswith("zh"):
        return "zh-CN"
    if code.startswith("en"):
        return "en"
    return default


@dataclass(frozen=True)
class Translator:
    """Look up catalog text in one language, escaping every parameter."""

    language: str

    def __call__(self, key: str, /, **params: object) -> Html:
        template = CATALOGS[self.language].get(key) or CATALOGS["en"].get(key, key)
        return Html(template.format(**{k: escape(v) for k, v in params.items()}))

    def plain(self, key: str, /, **params: object) -> str:
        """Text for places Telegram does not parse as HTML (button labels, menus, toasts)."""
        template = plain_text(CATALOGS[self.language].get(key) or CATALOGS["en"].get(key, key))
        return template.format(**params)

    def raw(self, key: str) -> str:
        """Return the untouched template, e.g. for a command description."""
        return CATALOGS[self.language].get(key) or CATALOGS["en"][key]

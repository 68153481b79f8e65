"""The general area's buttons: Cancel on every form and confirmation, and the language choice."""

from __future__ import annotations

from handlers.callbacks import Callback


class Cancel(Callback, prefix="cx"):
    """Close the open form or confirmation."""


class ChooseLanguage(Callback, prefix="lang"):
    """Reply in this language from now on (a code of handlers.i18n.LANGUAGES)."""

    code: str

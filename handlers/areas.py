"""The one list of conversation areas, in the order their commands appear in /help.

Each area is a package under handlers/ holding its commands, views, callbacks and texts. Its
handler modules register themselves on the router when imported (`load_all`); its catalog
modules (`texts.py`, or `<topic>_texts.py` where an area has several) hold its zh-CN and en
strings side by side (EN, ZH) and are merged by handlers.i18n. This module imports nothing of
handlers/, so the router and the catalogs can both read the list without an import cycle.
"""

from __future__ import annotations

import pkgutil
from importlib import import_module
from pathlib import Path

AREAS = ("general", "contacts", "activity", "tasks", "deals", "orders", "feedback", "reminders",
         "loyalty", "campaigns", "segments", "reports", "team", "records")
_HERE = Path(__file__).parent


def is_texts(module: str) -> bool:
    """Whether an area module is a catalog (EN and ZH dictionaries, nothing else)."""
    return module == "texts" or module.endswith("_texts")


def area_modules(area: str) -> list[str]:
    """The modules of an area package, by name, in alphabetical order."""
    return sorted(info.name for info in pkgutil.iter_modules([str(_HERE / area)]))


def text_modules() -> list[str]:
    """Every area catalog module's dotted name, areas in order."""
    return [f"handlers.{area}.{name}" for area in AREAS for name in area_modules(area)
            if is_texts(name)]


def load_all() -> None:
    """Import every area's modules, so their commands, buttons and forms are registered."""
    for area in AREAS:
        for name in area_modules(area):
            if not is_texts(name):
                import_module(f"handlers.{area}.{name}")

"""Every reply exists in zh-CN and en, with the same placeholders; parameters are escaped."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest

from handlers.i18n import CATALOGS, Translator, language_for

ROOT = Path(__file__).resolve().parents[2]


def placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_both_catalogs_have_the_same_keys() -> None:
    assert set(CATALOGS["en"]) == set(CATALOGS["zh-CN"])


@pytest.mark.parametrize("key", sorted(CATALOGS["en"]))
def test_placeholders_match_across_languages(key: str) -> None:
    assert placeholders(CATALOGS["en"][key]) == placeholders(CATALOGS["zh-CN"][key])


def test_every_key_used_in_code_exists() -> None:
    used: set[str] = set()
    pattern = re.compile(r"""["']((?:[a-z_]+)\.[a-z_]+)["']""")
    sources = list((ROOT / "handlers").rglob("*.py")) + list((ROOT / "crm_store").rglob("*.py"))
    for path in sources:
        if "i18n" in path.parts or "migrations" in path.parts or path.name == "models.py":
            continue  # catalogs themselves; foreign keys like "contact.id" are not text keys
        used |= {m for m in pattern.findall(path.read_text()) if m.split(".")[0] in {
            k.split(".")[0] for k in CATALOGS["en"]}}
    missing = sorted(k for k in used if k not in CATALOGS["en"] and not k.endswith("_"))
    assert missing == []


def test_parameters_are_html_escaped_but_templates_keep_their_tags() -> None:
    text = Translator("en")("add.created", name="<script>&")
    assert text == "✅ Added <b>&lt;script&gt;&amp;</b>."


@pytest.mark.parametrize(("code", "language"), [
    ("zh-hans", "zh-CN"), ("zh-CN", "zh-CN"), ("zh-TW", "zh-CN"), ("en-GB", "en"),
    ("de", "en"), (None, "en")])
def test_telegram_language_code_maps_to_a_catalog(code: str | None, language: str) -> None:
    assert language_for(code) == language

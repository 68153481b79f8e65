"""Every catalog string, in both languages and filled in, is HTML that Telegram accepts.

Replies are sent with parse_mode=HTML: one raw placeholder such as `<member>` makes Telegram
answer "Unsupported start tag" and the user gets nothing. The parser is the Bot API
stand-in's, which follows Telegram's rules (known tags only, entities decoded).
"""

from __future__ import annotations

import string

import pytest

from handlers.i18n import CATALOGS, Translator, plain_text
from tests.botapi_standin import ApiError, parse_html

HOSTILE = "<b>x</b> & <member> 张伟"  # user data that must come out escaped
KEYS = [(language, key) for language, catalog in CATALOGS.items() for key in sorted(catalog)]


def sample_params(template: str) -> dict[str, object]:
    """A value for every placeholder: numbers where a format spec needs one, else hostile text."""
    params: dict[str, object] = {}
    for _, field, spec, _ in string.Formatter().parse(template):
        if field:
            params[field.split(".")[0].split("[")[0]] = 1234 if spec else HOSTILE
    return params


@pytest.mark.parametrize(("language", "key"), KEYS, ids=[f"{lang}:{key}" for lang, key in KEYS])
def test_every_catalog_string_filled_in_is_html_telegram_accepts(language: str, key: str) -> None:
    params = sample_params(CATALOGS[language][key])
    text = Translator(language)(key, **params)
    try:
        plain, _ = parse_html(text)
    except ApiError as exc:
        pytest.fail(f"{language} {key}: Telegram would refuse it ({exc.description}): {text!r}")
    if HOSTILE in params.values():
        assert HOSTILE in plain  # user data shows as typed, never as markup
    assert "{{" not in plain and "}}" not in plain  # literal braces come out single


def test_usage_placeholders_show_as_typed_in_chat_and_in_plain_text() -> None:
    t = Translator("en")
    plain, _ = parse_html(t("members.deactivate_usage"))
    assert "/deactivate <member> [to <member>]" in plain
    assert "/reassign <contact> to <member>" in t.plain("help.reassign")
    assert "/deactivate <成员>" in Translator("zh-CN").plain("help.deactivate")


def test_plain_text_drops_tags_and_decodes_entities() -> None:
    assert plain_text("Try <code>/find</code> &lt;name&gt; &amp; more") == (
        "Try /find <name> & more")

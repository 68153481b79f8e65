"""Tests for bot.render: splitting Telegram HTML and flattening it for the console."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.render import html_to_plain, split_html, visible_length

ENTITY = re.compile(r"&(?:#[0-9]+|#[xX][0-9a-fA-F]+|[a-zA-Z][a-zA-Z0-9]*);")
TAG = re.compile(r"<[^<>]*>")
URLS = ["https://example.com/?a=1&b=2", "tg://user?id=42"]


class _Balance(HTMLParser):
    """Records whether start and end tags nest properly."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.ok = True

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack.pop() != tag:
            self.ok = False


def assert_well_formed(chunk: str) -> None:
    """Tags balance, no tag or entity is cut, no lone surrogate."""
    parser = _Balance()
    parser.feed(chunk)
    parser.close()
    assert parser.ok and not parser.stack, chunk
    bare = ENTITY.sub("", TAG.sub("", chunk))
    assert not set("<>&") & set(bare), chunk
    chunk.encode("utf-8")  # raises on a lone surrogate


def squash(plain: str) -> str:
    """Plain text without whitespace or link suffixes, for comparing splits."""
    for url in URLS:
        plain = plain.replace(f" ({url})", "")
    return re.sub(r"\s+", "", plain)


def visible(chunk: str) -> str:
    """Visible text of a chunk: what Telegram would display, links without their URL."""
    return html.unescape(TAG.sub("", chunk))


def check_split(text: str, limit: int) -> list[str]:
    """Split text and assert every invariant of split_html."""
    chunks = split_html(text, limit)
    if visible_length(text) <= limit:
        assert chunks == [text]
        return chunks
    assert chunks or not visible(text).strip()  # whitespace-only text yields []
    for chunk in chunks:
        assert visible_length(chunk) <= limit
        assert visible(chunk).strip(), "empty chunk"
        assert_well_formed(chunk)
    assert squash("".join(html_to_plain(c) for c in chunks)) == squash(html_to_plain(text))
    return chunks


# --- visible_length / html_to_plain -------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", 0),
        ("abc", 3),
        ("<b>&amp;</b>", 1),
        ("😀", 2),
        ("&#128512;", 2),
        ("&#x1F600;", 2),
        ("<b>中文</b> <i>x</i>", 4),
        ('<a href="https://e.x/?a=1&amp;b=2">go</a>', 2),
        ("&bogus;", 7),  # not an entity Python knows: literal text
        ("a\nb", 3),
    ],
)
def test_visible_length(text: str, expected: int) -> None:
    assert visible_length(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("<b>Hi</b> &lt;you&gt; &amp; me", "Hi <you> & me"),
        ("line 1\n<i>line 2</i>\n", "line 1\nline 2\n"),
        ('<a href="https://e.x/?a=1&amp;b=2">site</a>!', "site (https://e.x/?a=1&b=2)!"),
        ("<a href='tg://user?id=1'>Ann</a>", "Ann (tg://user?id=1)"),
        ("<blockquote><u>q</u> <s>x</s></blockquote>", "q x"),
        ('<pre><code class="language-py">a &lt; b</code></pre>', "a < b"),
        ("&#128512; 中文", "😀 中文"),
    ],
)
def test_html_to_plain(text: str, expected: str) -> None:
    assert html_to_plain(text) == expected


# --- split_html table cases -----------------------------------------------------------------


def test_short_text_unchanged() -> None:
    text = '<b>Deal</b> <a href="https://e.x">#12</a>\n\n'
    assert split_html(text) == [text]
    assert split_html("") == [""]


def test_limit_too_small() -> None:
    with pytest.raises(ValueError):
        split_html("abc", 1)


def test_prefers_newline() -> None:
    text = "alpha beta\ngamma delta epsilon"
    assert check_split(text, 20) == ["alpha beta", "gamma delta epsilon"]


def test_prefers_space_when_no_newline() -> None:
    assert check_split("aaaa bbbb cccc", 10) == ["aaaa bbbb ", "cccc"]


def test_long_line_without_spaces() -> None:
    assert check_split("x" * 120, 50) == ["x" * 50, "x" * 50, "x" * 20]


def test_leading_newlines_dropped_and_no_empty_chunks() -> None:
    assert check_split("a" * 10 + "\n" * 30 + "b" * 10, 12) == ["a" * 10, "b" * 10]
    assert check_split("a" * 10 + "\n \n" * 20 + "b", 10) == ["a" * 10, "b"]


def test_entity_at_boundary() -> None:
    assert check_split("a" * 49 + "&amp;" + "b", 50) == ["a" * 49 + "&amp;", "b"]
    assert check_split("a" * 49 + "&#128512;b", 50) == ["a" * 49, "&#128512;b"]
    assert check_split("a" * 48 + "&lt;&gt;c", 50) == ["a" * 48 + "&lt;&gt;", "c"]


def test_surrogate_pair_at_boundary() -> None:
    assert check_split("a" * 49 + "😀b", 50) == ["a" * 49, "😀b"]
    assert check_split("😀" * 30, 51) == ["😀" * 25, "😀" * 5]


def test_exactly_at_limit() -> None:
    assert split_html("x" * 4096) == ["x" * 4096]
    assert split_html("<b>" + "x" * 4096 + "</b>") == ["<b>" + "x" * 4096 + "</b>"]
    assert split_html("😀" * 2048) == ["😀" * 2048]
    assert check_split("x" * 4097, 4096) == ["x" * 4096, "x"]
    assert check_split("😀" * 2049, 4096) == ["😀" * 2048, "😀"]


def test_tags_reopened_with_attributes() -> None:
    href = f'<a href="{html.escape(URLS[0])}">'
    text = "<b>Note: " + href + "word " * 30 + "</a> end</b>"
    chunks = check_split(text, 50)
    assert len(chunks) == 4
    assert chunks[0].startswith("<b>Note: " + href)
    for chunk in chunks[1:-1]:
        assert chunk.startswith("<b>" + href) and chunk.endswith("</a></b>")
    assert chunks[-1].endswith("</a> end</b>")


def test_nested_pre_code_reopened() -> None:
    text = '<pre><code class="language-python">' + "print(1)\n" * 20 + "</code></pre>"
    chunks = check_split(text, 50)
    for chunk in chunks:
        assert chunk.startswith('<pre><code class="language-python">')
        assert chunk.endswith("</code></pre>")


def test_no_empty_trailing_tags_before_cut() -> None:
    chunks = check_split("a" * 50 + "<i>bbb</i>", 50)
    assert chunks == ["a" * 50, "<i>bbb</i>"]


def test_long_note_with_emoji_and_chinese() -> None:
    unit = "客户王先生 🎉 wants a quote 报价单 😀 &amp; follow-up. "
    note = (unit * 200)[:5000]
    text = "<b>Note</b>\n<b>" + note + "</b>"
    chunks = check_split(text, 4096)
    assert len(chunks) == 2
    assert chunks[1].startswith("<b>") and chunks[1].endswith("</b>")
    assert chunks[0].endswith(" </b>")  # cut after a space, not inside a word


def test_chinese_without_spaces_cuts_after_punctuation() -> None:
    text = "这是第一句话，这是第二句话。" * 10
    chunks = check_split(text, 50)
    assert all(c[-1] in "，。" for c in chunks)


# --- properties ---------------------------------------------------------------------------

_chars = st.sampled_from(list("ab xy\n\n中文字😀🎉&<>\"'")) | st.characters(
    exclude_categories=("Cs",)
)
_user_text = st.text(_chars, max_size=60).map(html.escape)
_simple = st.sampled_from(["b", "i", "u", "s", "code", "pre", "blockquote"])


def _wrap(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """View-like markup around child strategies."""
    return st.one_of(
        st.tuples(_simple, children).map(lambda t: f"<{t[0]}>{t[1]}</{t[0]}>"),
        st.tuples(st.sampled_from(URLS), children).map(
            lambda t: f'<a href="{html.escape(t[0])}">{t[1]}</a>'
        ),
        st.lists(children, min_size=1, max_size=4).map("\n".join),
        st.lists(children, min_size=1, max_size=4).map(" ".join),
    )


_markup = st.recursive(_user_text, _wrap, max_leaves=25)


@settings(max_examples=300, deadline=None)
@given(text=_markup, limit=st.integers(min_value=2, max_value=60))
def test_split_properties(text: str, limit: int) -> None:
    check_split(text, limit)


@settings(max_examples=50, deadline=None)
@given(text=_markup)
def test_under_default_limit_is_identity(text: str) -> None:
    assert split_html(text) == [text]

"""Split and flatten Telegram-HTML replies; pure functions, no Telegram imports."""

from __future__ import annotations

import html
import re
from typing import NamedTuple

_TAG = re.compile(r"<[^<>]*>")
_ENTITY = re.compile(r"&(?:#[0-9]+|#[xX][0-9a-fA-F]+|[a-zA-Z][a-zA-Z0-9]*);")
_TAG_NAME = re.compile(r"</?\s*([a-zA-Z][\w-]*)")
_HREF = re.compile(r"""href\s*=\s*(?:"([^"]*)"|'([^']*)')""", re.IGNORECASE)
# Soft break points after which a chunk may end when no newline is available.
_SOFT_BREAKS = frozenset(" \t\u3000，。！？；、")

_Stack = tuple[tuple[str, str], ...]


class _Tok(NamedTuple):
    """One atomic piece of markup: a tag, an entity or a single character."""

    raw: str
    text: str  # visible text ("" for tags)
    name: str  # lower-cased tag name ("" for text)
    closing: bool
    width: int  # UTF-16 code units of text


def _utf16(s: str) -> int:
    """Length of s in UTF-16 code units."""
    return len(s.encode("utf-16-le")) // 2


def _tokenize(text: str) -> list[_Tok]:
    """Cut text into tags, decodable entities and single code points."""
    toks: list[_Tok] = []
    pos, end = 0, len(text)
    while pos < end:
        if m := _TAG.match(text, pos):
            name = _TAG_NAME.match(m.group())
            if name:
                raw = m.group()
                toks.append(_Tok(raw, "", name.group(1).lower(), raw.startswith("</"), 0))
                pos = m.end()
                continue
        if (m := _ENTITY.match(text, pos)) and (dec := html.unescape(m.group())) != m.group():
            toks.append(_Tok(m.group(), dec, "", False, _utf16(dec)))
            pos = m.end()
            continue
        ch = text[pos]
        toks.append(_Tok(ch, ch, "", False, _utf16(ch)))
        pos += 1
    return toks


def _apply(stack: list[tuple[str, str]], tok: _Tok) -> None:
    """Update the open-tag stack with one tag token."""
    if tok.closing:
        for k in range(len(stack) - 1, -1, -1):
            if stack[k][0] == tok.name:
                del stack[k:]
                break
    elif not tok.raw.endswith("/>"):
        stack.append((tok.name, tok.raw))


def visible_length(text: str) -> int:
    """Visible length of Telegram HTML in UTF-16 code units (tags removed, entities decoded)."""
    return sum(t.width for t in _tokenize(text))


def _find_cut(toks: list[_Tok], i: int, limit: int) -> int:
    """Index where the chunk starting at toks[i] should end (exclusive)."""
    width, j, newline, soft = 0, i, 0, 0
    while j < len(toks):
        tok = toks[j]
        if width + tok.width > limit and width > 0:
            break
        width += tok.width
        if width * 2 >= limit:  # only cut softly in the second half of the window
            if tok.text == "\n":
                newline = j
            elif tok.text in _SOFT_BREAKS:
                soft = j + 1
        j += 1
    if j == len(toks) or toks[j].text == "\n":
        cut = j
    else:
        cut = newline or soft or j
    while cut > i + 1 and (
        toks[cut - 1].text == "\n" or toks[cut - 1].name and not toks[cut - 1].closing
    ):
        cut -= 1  # no trailing newlines or freshly opened, empty tags at the end of a chunk
    return cut


def split_html(text: str, limit: int = 4096) -> list[str]:
    """Split Telegram HTML into well-formed chunks of at most `limit` visible UTF-16 units."""
    if limit < 2:
        raise ValueError("limit must be at least 2 (one astral character)")
    if visible_length(text) <= limit:
        return [text]
    toks = _tokenize(text)
    stacks: list[_Stack] = []
    stack: list[tuple[str, str]] = []
    for tok in toks:
        stacks.append(tuple(stack))
        if tok.name:
            _apply(stack, tok)
    stacks.append(tuple(stack))

    chunks: list[str] = []
    i = 0
    while i < len(toks):
        if i > 0:
            while i < len(toks) and toks[i].text == "\n":
                i += 1
            if i == len(toks):
                break
        cut = _find_cut(toks, i, limit)
        body = toks[i:cut]
        if "".join(t.text for t in body).strip():
            opening = "".join(raw for _, raw in stacks[i])
            closing = "".join(f"</{name}>" for name, _ in reversed(stacks[cut]))
            chunks.append(opening + "".join(t.raw for t in body) + closing)
        i = cut
    return chunks


def html_to_plain(text: str) -> str:
    """Render Telegram HTML as plain text: tags stripped, entities decoded, links as 'x (u)'."""
    out: list[str] = []
    hrefs: list[str] = []
    for tok in _tokenize(text):
        if not tok.name:
            out.append(tok.text)
        elif tok.name == "a" and tok.closing:
            if hrefs and (href := hrefs.pop()):
                out.append(f" ({href})")
        elif tok.name == "a":
            m = _HREF.search(tok.raw)
            hrefs.append(html.unescape(m.group(1) or m.group(2) or "") if m else "")
    return "".join(out)

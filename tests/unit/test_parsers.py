"""Argument parsers: table cases and properties (never raise on arbitrary text)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crm_store.errors import Invalid
from crm_store.models import InteractionKind
from handlers.activity.commands import split_log_args
from handlers.contacts.add import parse_add_line


@pytest.mark.parametrize(("line", "expected"), [
    ("张伟, 华东机械, 13800138000, zw@hd.cn", ("张伟", "华东机械", "13800138000", "zw@hd.cn")),
    ("张伟，华东机械，13800138000", ("张伟", "华东机械", "13800138000", None)),
    ("John Smith, john@acme.com", ("John Smith", None, None, "john@acme.com")),
    ("Li Na; +86 139 1234 5678; Xinghe", ("Li Na", "Xinghe", "+86 139 1234 5678", None)),
    ("王芳", ("王芳", None, None, None)),
])
def test_add_line_fields(line: str, expected: tuple) -> None:
    data = parse_add_line(line)
    assert (data.name, data.company, data.phone, data.email) == expected


def test_add_line_without_a_name_is_refused() -> None:
    with pytest.raises(Invalid):
        parse_add_line("13800138000, a@b.cn")


@pytest.mark.parametrize(("args", "expected"), [
    ("张伟 call asked for a quote", ("张伟", InteractionKind.CALL, "asked for a quote")),
    ("John Smith visit met the buyer", ("John Smith", InteractionKind.VISIT, "met the buyer")),
    ("李娜 拜访 她想要报价", ("李娜", InteractionKind.VISIT, "她想要报价")),
    ("欧阳娜娜 微信 发了产品目录", ("欧阳娜娜", InteractionKind.MESSAGE, "发了产品目录")),
    ("Acme Email sent prices", ("Acme", InteractionKind.EMAIL, "sent prices")),
])
def test_log_args_split_contact_kind_and_text(args: str, expected: tuple) -> None:
    assert split_log_args(args) == expected


def test_log_args_without_kind_is_none() -> None:
    assert split_log_args("张伟 asked for a quote") is None


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_parsers_never_raise_anything_but_invalid(text: str) -> None:
    split_log_args(text)
    try:
        parse_add_line(text)
    except Invalid:
        pass

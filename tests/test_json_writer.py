"""The one writer of indented JSON (jixiao/jsonout.py): byte for byte what ``json.dumps(indent=2)``
writes, streamed per form for ``score --json`` (issue 18)."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jixiao import jsonout

_TEXT = st.text(st.characters(min_codepoint=0, max_codepoint=0x10FFFF, exclude_categories=("Cs",)), max_size=12)
_LEAF = st.one_of(st.none(), st.booleans(), st.integers(-(10**20), 10**20), _TEXT)
_DOC = st.recursive(
    _LEAF, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_TEXT, inner, max_size=4), max_leaves=25
)


def _stdlib(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, indent=2)


@settings(max_examples=300, deadline=None)
@given(_DOC)
def test_dumps_writes_what_the_standard_library_writes(obj: Any) -> None:
    assert jsonout.dumps(obj) == _stdlib(obj)


@pytest.mark.parametrize(
    "obj",
    [
        {"text": '控制字符\x00\x01\x1f\x7f 换行\n 制表\t 引号" 反斜杠\\ \u2028\u2029'},
        {"empty": [], "nested": {}, "list": [[], {}, [None]]},
        {"big": 10**30, "neg": -1, "bool": [True, False]},
        {"lone surrogate": "\ud800"},  # orjson refuses it: the standard library writes it, so do we
        [],
        "just text",
    ],
)
def test_dumps_on_the_edges(obj: Any) -> None:
    assert jsonout.dumps(obj) == _stdlib(obj)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.dictionaries(_TEXT, _LEAF | st.lists(_LEAF, max_size=3), max_size=5), max_size=5))
def test_streamed_forms_are_the_whole_document(forms: list[dict[str, Any]]) -> None:
    out = io.StringIO()
    jsonout.write_forms(out, iter(forms))
    assert out.getvalue() == _stdlib({"forms": forms}) + "\n"


def test_forms_are_written_as_they_come() -> None:
    out = io.StringIO()
    seen: list[int] = []

    def forms() -> Any:
        for i in range(3):
            seen.append(len(out.getvalue()))
            yield {"n": i}

    jsonout.write_forms(out, forms())
    assert seen[0] == 0 and seen[1] > 0 and seen[2] > seen[1]  # each form is out before the next is made

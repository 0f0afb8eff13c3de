"""Targets written as a range or an approximate count, read into one ``Cell``.

- two numbers with a dash or a word between them: ``95%-100%``, ``95%～100%``, ``90%至95%``, ``3-5天``;
- two one-sided bounds: ``≥95%且≤100%``, ``不低于95%且不高于100%``, ``大于90%小于95%`` (``>`` and ``<``
  make an end exclusive);
- the same inside ``介于…之间`` / ``在…之间`` (``介于90%和95%之间``), ends included;
- ``1000余人`` / ``1000多人``: more than 1000 (``Approx.MORE``, comparator ``>``);
- ``约1000人`` / ``1000人左右``: about 1000 (``Approx.ABOUT``); how far is the rule set's ``about_tolerance``.

The words are data: ``[ranges]`` and ``[estimates]`` in ``scorer/data/vocabulary.toml``.

A range of years (``2023-2025年``) is not a quantity: it is read as wording, so the row is 待判断.
A leading minus (``-5%``) is not a range, and ``2024-06`` is a month (the date reader runs first).
How each reads against the other side is in ``scorer/numeric.py``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from scorer.cell_parts import _NUM, _check_unit, _scale, _stray_punctuation, _to_decimal
from scorer.cell_values import Approx, Cell, CellError, CellKind, Comparator
from scorer.frozen import FrozenValue
from scorer.vocabulary import Vocabulary


@dataclass(frozen=True, slots=True)
class _Patterns(FrozenValue):
    range: re.Pattern[str]
    between: re.Pattern[str]
    more: re.Pattern[str]


@lru_cache(maxsize=8)
def _patterns(
    seps: str, prefix: tuple[str, ...], joiners: str, suffix: tuple[str, ...], more: str, scales: tuple[str, ...]
) -> _Patterns:
    """The range, between and more-than patterns for the vocabulary's words (built once per vocabulary);
    ``scales``: the vocabulary's scale words, longest first (3万余元, 2千万余元)."""
    scale = "|".join(map(re.escape, scales))
    sep = "[" + re.escape(seps) + "]"
    join = "[" + re.escape(joiners + seps) + "]"
    pre = "|".join(map(re.escape, prefix))
    post = "|".join(map(re.escape, suffix))
    return _Patterns(
        re.compile(rf"^(?P<a>{_NUM})(?P<ua>[^\d{re.escape(seps)}]*){sep}(?P<b>{_NUM})(?P<rest>[^\d]*)$"),
        re.compile(rf"^(?:{pre})?(?P<a>{_NUM}[^\d{re.escape(joiners + seps)}]*){join}(?P<b>{_NUM}[^\d]*?)(?:{post})$"),
        re.compile(rf"^(?P<num>{_NUM})(?P<scale>(?:{scale})?)[{re.escape(more)}](?P<rest>[^\d]*)$"),
    )


def _for(vocab: Vocabulary) -> _Patterns:
    return _patterns(
        "".join(vocab.range_separators),
        vocab.between_prefix,
        "".join(vocab.between_joiners),
        vocab.between_suffix,
        "".join(vocab.more_markers),
        tuple(word for word, _ in vocab.scales),
    )


_YEAR = re.compile(r"^(?:19|20)\d{2}$")
_NAMED_NUMBER = r"(\d+(?:\.\d+)?|[零〇一二两三四五六七八九十百千万点]+)"  # the number before a word of [numerals] names
_LOWER = (Comparator.GE, Comparator.GT)
_UPPER = (Comparator.LE, Comparator.LT)

OneSide = Callable[[str], "Cell | None"]


def read_range(s: str, body: str, raw: str, note: str, word: str, vocab: Vocabulary, one_side: OneSide) -> Cell | None:
    """The range or approximate count ``s`` states, or None. ``body`` is ``s`` without its
    comparator word ``word`` (控制在90%-95%); ``one_side`` reads one bound as a one-sided cell."""
    if s.startswith(vocab.about_prefix) or s.endswith(vocab.about_suffix):
        about = _approximate(s, raw, note, vocab, one_side)  # 90%-95%左右: before the range takes 左右 as unit
        if about is not None:
            return about
    pat = _for(vocab)
    m = pat.between.match(s)
    if m:
        return _bounds(s, raw, note, _side("≥" + m.group("a"), one_side), _side("≤" + m.group("b"), one_side), "")
    m = pat.range.match(body)
    if m:
        return _dash_range(m, body, raw, note, word, vocab)
    pair = _pair(s, raw, note, vocab, one_side)
    if pair is not None:
        return pair
    return _approximate(s, raw, note, vocab, one_side)


def _dash_range(m: re.Match[str], s: str, raw: str, note: str, word: str, vocab: Vocabulary) -> Cell:
    """``90%-95%``, ``3至5个``: both ends in one unit, low to high."""
    a = _to_decimal(m.group("a"), raw)
    b = _to_decimal(m.group("b"), raw)
    _stray_punctuation(m.group("rest"), raw, vocab)
    rest, factor, scale_word = _scale(m.group("rest"), vocab)
    ua = m.group("ua")
    if ua and ua not in (rest, scale_word + rest):
        ua_rest, _, _ = _scale(ua, vocab)
        if ua_rest and ua_rest != rest:
            raise CellError(raw, f"区间两端单位不同（{ua}、{rest}）", "同一单位的区间，如 90%-95%")
    if rest in ("年", "年度") and not ua and _YEAR.match(m.group("a")) and _YEAR.match(m.group("b")):
        return Cell(raw, CellKind.TEXT, s, note=note)  # 2023-2025年: years, not 2 023 to 2 025 years
    if rest.startswith(vocab.numeral_names):  # 1-3季度: quarters named, not 1 to 3 quarters
        return named(s, raw, note, vocab)
    _check_unit(rest, raw)
    lo, hi = sorted((a * factor, b * factor))
    return Cell(
        raw, CellKind.QUANTITY, s, Comparator.RANGE, lo, hi, rest, scale_word, word=word, note=note, scale_factor=factor
    )


def _pair(s: str, raw: str, note: str, vocab: Vocabulary, one_side: OneSide) -> Cell | None:
    """``≥95%且≤100%``, ``大于90%小于95%``: a lower and an upper bound, in either order."""
    for joiner in vocab.range_joiners:
        left, sep, right = s.partition(joiner)
        if sep and re.search(r"\d", left) and re.search(r"\d", right):
            return _bounds(s, raw, note, _side(left, one_side), _side(right, one_side), joiner)
    starts = [ch for ch in "≥≤<>" if ch in s[1:]] + [w for w, _ in vocab.prefix_comparators if w in s[1:]]
    for start in starts:
        at = s.find(start, 1)
        left, right = s[:at], s[at:]
        if re.search(r"\d", left) and re.search(r"\d\D*$", left) and re.search(r"\d", right):
            first, second = _side(left, one_side), _side(right, one_side)
            if first is not None and second is not None:
                return _bounds(s, raw, note, first, second, "")
    return None


def _side(text: str, one_side: OneSide) -> Cell | None:
    try:
        return one_side(text)
    except CellError:
        return None


def _bounds(s: str, raw: str, note: str, first: Cell | None, second: Cell | None, joiner: str) -> Cell | None:
    """One range from a lower and an upper bound; None when they are not one of each."""
    doubt = next((c.doubt for c in (first, second) if c is not None and c.doubt), "")
    if doubt:  # ≥3季度且≤4季度: quarters named, not counted
        return Cell(raw, CellKind.TEXT, s, note=note, doubt=doubt)
    if first is None or second is None or first.kind is not CellKind.QUANTITY or second.kind is not CellKind.QUANTITY:
        return None
    if first.comparator in _UPPER:
        first, second = second, first
    if first.comparator not in _LOWER or second.comparator not in _UPPER or first.approx or second.approx:
        return None
    assert first.value is not None and second.value is not None
    unit = first.unit or second.unit
    if unit in ("年", "年度") and all(_YEAR.match(str(v)) for v in (first.value, second.value)):
        return Cell(raw, CellKind.TEXT, s, note=note)  # 2023年至2025年之间: years, not a quantity
    if (first.unit and second.unit and first.unit != second.unit) or (
        first.scale and second.scale and first.scale != second.scale
    ):
        raise CellError(raw, f"区间两端单位不同（{first.unit}、{second.unit}）", "同一单位的区间，如 ≥90%且≤95%")
    if first.value > second.value:
        raise CellError(raw, f"区间下限 {first.value} 大于上限 {second.value}", "下限不大于上限，如 ≥90%且≤95%")
    word = "…".join(w for w in (first.word, second.word) if w) or joiner
    return Cell(
        raw,
        CellKind.QUANTITY,
        s,
        Comparator.RANGE,
        first.value,
        second.value,
        unit,
        first.scale or second.scale,
        word=word,
        note=note,
        scale_factor=first.scale_factor if first.scale else second.scale_factor,
        low_open=first.comparator is Comparator.GT,
        high_open=second.comparator is Comparator.LT,
    )


def estimate_after_comparator(
    s: str, body: str, cmp: Comparator, raw: str, note: str, vocab: Vocabulary, one_side: OneSide
) -> Cell | None:
    """A comparator before an estimate (≥10余次, 10余次以上, ≤10余次, ≥1000人左右), or None when
    ``body`` is no estimate. ≥ or > and 余 both say "more than 10": read as 10余次 is. Any other
    pairing leaves unsure which number is meant (at most some ten-odd? at least about 1000?): text,
    so the indicator is 待判断 with its reason, never a refused form or a guess."""
    est = _approximate(body, raw, note, vocab, one_side)
    if est is None:
        return None
    if est.approx is Approx.MORE and cmp in _LOWER:
        return est
    doubt = "中比较符与约数同用，所指的数（至多、至少还是大约多少）无法确定"
    return Cell(raw, CellKind.TEXT, s, note=note, doubt=doubt)


def named(s: str, raw: str, note: str, vocab: Vocabulary) -> Cell:
    """``s`` holds a number directly before a word of [numerals] names (3季度, ≤三季度末): it names
    one (the third quarter, a time), not a count of them. Text, with the reason for the judgement."""
    for word in vocab.numeral_names:
        m = re.search(_NAMED_NUMBER + re.escape(word), s)
        if m:
            n = m.group(1)
            where = "" if s == n + word else f"中的「{n}{word}」"
            doubt = f"{where}指第{n}{word}，是时间而不是{word}的个数（个数写作「{n}个{word}」）"
            return Cell(raw, CellKind.TEXT, s, note=note, doubt=doubt)
    return Cell(raw, CellKind.TEXT, s, note=note, doubt="中的数是时间还是个数无法确定")


def _approximate(s: str, raw: str, note: str, vocab: Vocabulary, one_side: OneSide) -> Cell | None:
    """``1000余人`` (more than 1000) and ``约1000人`` / ``1000人左右`` (about 1000)."""
    m = _for(vocab).more.match(s)
    if m:
        cell = _side(m.group("num") + m.group("scale") + m.group("rest"), one_side)
        marker = s[m.end("scale")]
        if cell is None or cell.comparator is not Comparator.NONE or cell.kind is not CellKind.QUANTITY:
            return None  # 3余季度: no count
        return _with(cell, s, note, Comparator.GT, Approx.MORE, marker)
    body, marker = s, ""
    for w in vocab.about_prefix:
        if body.startswith(w):
            body, marker = body[len(w) :], w
            break
    for w in vocab.about_suffix:
        if body.endswith(w) and len(body) > len(w):
            body, marker = body[: -len(w)], (marker + "…" + w if marker else w)
            break
    if not marker or not body[:1].isdigit():
        return None
    m = _for(vocab).range.match(body)
    if m:  # 约90%-95%: a range whose ends are estimates
        cell = _dash_range(m, body, raw, note, "", vocab)
        return _with(cell, s, note, Comparator.RANGE, Approx.ABOUT, marker) if cell.kind is CellKind.QUANTITY else None
    cell = _side(body, one_side)
    if cell is None or cell.comparator is not Comparator.NONE or cell.kind is not CellKind.QUANTITY:
        return None
    return _with(cell, s, note, Comparator.NONE, Approx.ABOUT, marker)


def _with(cell: Cell, s: str, note: str, cmp: Comparator, approx: Approx, marker: str) -> Cell:
    return Cell(
        cell.raw,
        CellKind.QUANTITY,
        s,
        cmp,
        cell.value,
        cell.high,
        cell.unit,
        cell.scale,
        word=marker,
        note=note,
        scale_factor=cell.scale_factor,
        approx=approx,
    )

"""The pieces every cell reader shares: numbers as written, scale words, units and comparators.

Kept apart from ``scorer/cells.py`` (the readers and their order) so that the range reader
(``scorer/ranges.py``) reads each end of a range exactly as a one-sided cell is read.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from scorer import units
from scorer.cell_values import CellError, Comparator
from scorer.numbers import comma_problem, ungroup
from scorer.vocabulary import Vocabulary

# A number as written, commas and all: ``_ungrouped`` has already taken out the thousands commas
# (scorer.numbers.ungroup, the one rule), so a comma still here is not one and ``_to_decimal``
# refuses the cell naming it ("0,125", "1234,567", ",5", "3,4,5个"), where it was once read as 125.
_NUM = r"[\d,]*\d(?:\.[\d,]*\d)?"
_CMP_SYM = {"≥": Comparator.GE, ">": Comparator.GT, "=": Comparator.EQ, "≤": Comparator.LE, "<": Comparator.LT}
_CMP_WORD = {">=": Comparator.GE, ">": Comparator.GT, "=": Comparator.EQ, "<=": Comparator.LE, "<": Comparator.LT}


def _to_decimal(text: str, raw: str) -> Decimal:
    digits = ungroup(text)
    if digits is None:
        raise CellError(raw, comma_problem(text))
    if len(digits.split(".")[0].lstrip("0")) > 15:  # checked on the text: no 5 MB Decimal
        raise CellError(raw, f"数值「{digits[:20]}…」过大（{len(digits)} 位）", "小于 10^15 的数")
    try:
        value = Decimal(digits)
    except InvalidOperation as exc:  # pragma: no cover - regex guarantees digits
        raise CellError(raw, f"数字「{text}」无法识别", "阿拉伯数字") from exc
    if value and value.adjusted() < -12:
        raise CellError(raw, f"数值「{digits[:20]}…」过小", "不小于 10^-12 的数，或 0")
    return value


def _strip_words(s: str, words: tuple[tuple[str, str], ...], at_start: bool) -> tuple[str, str | None, str]:
    """Strip the longest comparator word at the start (or end, leaving something before it)."""
    rx, table = _word_regex(words, at_start)
    m = rx.match(s) if at_start else rx.search(s)
    if m is None:
        return s, None, ""
    word = m.group(1)
    return (s[len(word) :] if at_start else s[: -len(word)]), table[word], word


@lru_cache(maxsize=16)
def _word_regex(words: tuple[tuple[str, str], ...], at_start: bool) -> tuple[re.Pattern[str], dict[str, str]]:
    alternation = "|".join(re.escape(w) for w, _ in words)  # longest first, as the vocabulary lists them
    # at the end, the earliest start wins: the longest word, with at least one character before it
    rx = re.compile(f"^({alternation})" if at_start else f"(?s)(?<=.)({alternation})$")
    return rx, dict(words)


def _scale(rest: str, vocab: Vocabulary) -> tuple[str, Decimal, str]:
    for word, factor in vocab.scales:
        if rest.startswith(word):
            remainder = rest[len(word) :]
            if not remainder or units.is_known(remainder):
                return remainder, factor, word
    return rest, Decimal(1), ""


def _comparator(s: str, vocab: Vocabulary) -> tuple[str, Comparator | None, str]:
    """Strip the comparator, symbol or words, before and after the number: (body, comparator, word)."""
    body = s
    cmp: Comparator | None = None
    word = ""
    if body and body[0] in _CMP_SYM:
        cmp = _CMP_SYM[body[0]]
        body = body[1:]
        if body[:1] == "=" and cmp in (Comparator.GT, Comparator.LT):  # "> =" after folding
            cmp = Comparator.GE if cmp is Comparator.GT else Comparator.LE
            body = body[1:]
    body, wcmp, w = _strip_words(body, vocab.prefix_comparators, at_start=True)
    if wcmp is not None:
        if cmp is None:
            cmp = _CMP_WORD[wcmp]
        word = w
    if body and body[0] in _CMP_SYM and cmp is None:
        cmp = _CMP_SYM[body[0]]
        body = body[1:]
    body, scmp, sw = _strip_words(body, vocab.suffix_comparators, at_start=False)
    if scmp is not None:
        if cmp is None or word in vocab.yielding:
            cmp = _CMP_WORD[scmp]
            word = (word + "…" + sw) if word else sw
    return body, cmp, word


def _stray_punctuation(after: str, raw: str, vocab: Vocabulary) -> None:
    """Refuse punctuation at the number–unit boundary, inside the unit or after it (``0,户``,
    ``75、户``, ``≥75；户``, ``75户；``), naming it: "0,户" is not surely 0 户 (a lost digit of
    "0,5户"?), and pint would drop the comma silently. ``after`` is all that follows the number."""
    stray = "".join(dict.fromkeys(ch for ch in after if ch in units.STRAY_PUNCTUATION))
    if not stray:
        return
    rest, _, _ = _scale(after, vocab)
    if rest and units.is_known(rest):
        return  # 人·次, 人、次: the product marks inside a known unit
    bare = "".join(ch for ch in after if ch not in units.STRAY_PUNCTUATION)
    bare_rest, _, _ = _scale(bare, vocab)
    if bare_rest and not units.is_known(bare_rest):
        return  # "1、按时完成": a numbered sentence, not a quantity
    written = "".join(dict.fromkeys(ch for ch in raw if unicodedata.normalize("NFKC", ch) in stray)) or stray
    raise CellError(
        raw,
        f"「{raw.strip()[:40]}」的数值与单位之间或单位中有多余的标点「{written}」",
        "数值紧接单位，如 75户、≥75户、1,000户",
    )


def _check_unit(unit: str, raw: str) -> None:
    if unit and not units.is_known(unit):
        raise CellError(
            raw, f"未知单位「{unit}」", "已登记的单位，如 户、人次、万元、小时、%（见 scorer/data/units.txt）"
        )

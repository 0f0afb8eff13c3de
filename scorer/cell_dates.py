"""Dates in target and actual cells: a deadline (2024年12月底前, 2024.12.31) or the day a thing was done.

A comparator written before a date (``≤2024年12月31日``, ``不晚于2024.12``, ``<2024年12月``) makes it a
deadline, as ``2024年12月前`` is; before, the quantity reader took the date for a number it could not
read (``≤2024年12月31日`` refused) or, worse, for the decimal 2024.12 with no unit (``≤2024.12``). A
date is scored as a deadline whatever its comparator, so one that says "no earlier than" (``≥``,
``>``) cannot be scored: it is text, for judgement with the reason, not read the wrong way round;
``≥2024.12`` and ``≥2019年`` stay the numbers they were read as.
"""

from __future__ import annotations

import dataclasses
import re

from scorer.cell_parts import _comparator
from scorer.cell_values import Cell, CellError, CellKind, Comparator, DateValue
from scorer.cn_numbers import DIGITS
from scorer.vocabulary import Vocabulary

_DATE_FULL = re.compile(r"^(?P<y>\d{4})[年./-](?P<m>\d{1,2})[月./-](?P<d>\d{1,2})日?(?P<before>前|之前|以前)?$")
# a year and month with a dot, dash or slash (2024.12, 2024-12): a month, not the decimal 2024.12 nor 12 to 2024
_DATE_YM = re.compile(r"^(?P<y>(?:19|20)\d{2})[./-](?P<m>0?[1-9]|1[0-2])月?(?P<before>前|之前|以前)?$")
# a day without its year (9月30日, 6月15日前): in the form's year, as a month alone is
_DATE_MD = re.compile(r"^(?P<m>\d{1,2})月(?P<d>\d{1,2})[日号](?P<before>前|之前|以前)?$")
_DATE_MONTH = re.compile(r"^(?:(?P<y>\d{4})年)?(?P<m>\d{1,2})月(?:底|末|份|中旬|上旬|下旬)?(?P<before>前|之前|以前)?$")
# a calendar year alone (2019年, 2020年度): a date, not a duration of two thousand years
_DATE_YEAR = re.compile(r"^(?P<y>(?:19|20)\d{2})年度?(?P<before>前|之前|以前)?$")
_DATE_YEAR_END = re.compile(r"^(?:(?P<y>\d{4})年)?(?:年)?(?:底|末|年底|年末|年内|当年)(?P<before>前|之前|以前)?$")
# a quarter or a half-year (第三季度, 2024年三季度末前, 上半年): the span of months, its end as a deadline;
# 「三季度前」 and 「上半年前」 (before it begins, or by its end?) are left to the words reader
_DATE_QUARTER = re.compile(
    r"^(?:(?P<y>(?:19|20)\d{2})年)?第?(?P<q>[一二三四1-4])季度(?:(?:末|底)(?P<before>前|之前|以前)?)?$"
)
_DATE_HALF = re.compile(r"^(?:(?P<y>(?:19|20)\d{2})年)?(?P<h>[上下])半年(?:(?:末|底)(?P<before>前|之前|以前)?)?$")
# a bare month after a comparator (≥24月, ≤6月) is a count of months, as it was read before (质保期≥24月),
# but not after the words only a time takes (不晚于12月 is by December)
_MONTHS_COUNT = re.compile(r"^\d{1,2}月$")
_TIME_WORDS = frozenset(("不晚于", "不迟于", "早于", "不早于", "晚于", "迟于"))

#: comparators that make a date a deadline: by it (≤, 不晚于) or before it (<, 早于), read as 「…前」 is
_BY = frozenset((Comparator.LE, Comparator.LT, Comparator.EQ))
_SAID = {Comparator.GE: "≥", Comparator.GT: ">"}


def read_date(s: str, raw: str, note: str) -> Cell | None:
    """``s`` as a date, or None when it is not one; a date that does not exist is an error."""
    span = _span(s, raw, note)
    if span is not None:
        return span
    for rx in (_DATE_FULL, _DATE_YM, _DATE_MD, _DATE_MONTH, _DATE_YEAR_END, _DATE_YEAR):
        m = rx.match(s)
        if not m:
            continue
        groups = m.groupdict()
        year = int(groups["y"]) if groups.get("y") else None
        month = int(groups["m"]) if groups.get("m") else 12
        day = int(groups["d"]) if groups.get("d") else None
        if rx is _DATE_YEAR_END:
            day = 31
        if not 1 <= month <= 12:
            raise CellError(raw, f"月份 {month} 不存在", "1 到 12 月")
        try:
            DateValue(year, month, day).resolve(year or 2000)
        except ValueError:
            raise CellError(raw, "日期不存在", "真实的日期，如 2021年12月31日") from None
        cmp = Comparator.LE if groups.get("before") or rx is _DATE_YEAR_END else Comparator.NONE
        value = DateValue(year, month, day, whole_year=rx is _DATE_YEAR)
        return Cell(raw, CellKind.DATE, s, cmp, date=value, note=note)
    return None


def _span(s: str, raw: str, note: str) -> Cell | None:
    """A quarter or a half-year: the months it spans, ending with its last month."""
    if m := _DATE_QUARTER.match(s):
        q = m.group("q")
        months, last = 3, 3 * (int(q) if q.isdigit() else DIGITS[q])
    elif m := _DATE_HALF.match(s):
        months, last = 6, 6 if m.group("h") == "上" else 12
    else:
        return None
    year = int(m.group("y")) if m.group("y") else None
    cmp = Comparator.LE if m.group("before") else Comparator.NONE
    return Cell(raw, CellKind.DATE, s, cmp, date=DateValue(year, last, None, months=months), note=note)


def compared_date(s: str, raw: str, note: str, vocab: Vocabulary) -> Cell | None:
    """A date after a comparator (``≤2024年12月31日``, ``不晚于2024.12``): a deadline; None when what
    follows the comparator is no date."""
    body, cmp, word = _comparator(s, vocab)
    if cmp is None or body == s or not body:
        return None
    if _MONTHS_COUNT.match(body) and word not in _TIME_WORDS:
        return None  # ≥24月: a number of months, read by the quantity reader
    cell = read_date(body, raw, note)
    if cell is None:
        return None
    if cmp not in _BY:
        if (_DATE_YM.match(body) or _DATE_YEAR.match(body)) and word not in _TIME_WORDS:
            return None  # ≥2024.12, ≥2019年: a number (of years) as before, not a date; 晚于2024.12 is one
        shown = word or _SAID.get(cmp, "")
        doubt = f"中的日期「{body}」前有「{shown}」，即不早于该日期；日期按完成期限计分，无法确定如何评分"
        return Cell(raw, CellKind.TEXT, s, note=note, doubt=doubt)
    shown_cmp = cell.comparator if cmp is Comparator.EQ else Comparator.LE  # 为2024年12月: the date itself
    return dataclasses.replace(cell, text=s, comparator=shown_cmp, word=word)

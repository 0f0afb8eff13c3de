"""Numbers written in Chinese numerals in a cell (百分之九十五, 九成以上, ≥三次, 五千元), read exactly.

Real forms write some numbers in words. A cell that would otherwise be plain text, or refused for
having no number after its comparator, is tried here: a Chinese number directly followed by a unit
jixiao lists (never an arbitrary character: 一般, 一致, 十分满意 stay words), 百分之N, or N成. The
number is spelled out in Arabic digits and the cell read again by the ordinary readers, keeping its
own text. The grammar is strict: 二三, 十十 or 一百二 (colloquial for 120) are errors, never a guess.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal

from scorer.errors import JixiaoError

DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
SMALL = {"十": 10, "百": 100, "千": 1000}
LARGE = {"万": 10_000, "亿": 100_000_000}
CHARS = "".join(DIGITS) + "".join(SMALL) + "".join(LARGE) + "点"
# a number: digits and units, with an optional 点 and decimal digits
_NUMBER = rf"[{''.join(DIGITS)}{''.join(SMALL)}{''.join(LARGE)}]+(?:点[{''.join(DIGITS)}]+[万亿]?)?"
_PERCENT = re.compile(rf"百分之(?P<n>{_NUMBER}|百)")
_TENTHS = re.compile(rf"(?<![{CHARS}])(?P<n>[一二两三四五六七八九十])成(?P<m>[一二三四五六七八九])?(?![{CHARS}])")
_RUN = re.compile(rf"[{CHARS}]+")  # a run of numerals: the number, maybe with the start of its unit (千克)
# a year read digit by digit (二〇二四年, 二零二五年度, 一九九九年): no number written the standard way
_Y = r"(?:一九|二[〇○零])[〇○零一二三四五六七八九]{2}"
_YEAR = re.compile(rf"(?<![〇○零一二三四五六七八九十百千万]){_Y}(?=年|[至到~～—－-]{_Y}年)")
_YEAR_DIGITS = str.maketrans("〇○零一二三四五六七八九", "000123456789")


# 百户, 千人, 万人: a scale alone is no standard number (一百, 一千); text, neither read nor refused
_SCALES_ALONE = frozenset(("百", "千", "万", "亿"))


class ChineseNumberError(JixiaoError, ValueError):
    """A Chinese number that is not written in the standard way (二三, 十十, 一百二)."""


class TwoReadingsError(ChineseNumberError):
    """A Chinese number whose unit holds a numeral too, cut in more than one way (三千克: 3千克 or 3000克)."""

    def __init__(self, text: str, readings: tuple[str, ...]) -> None:
        super().__init__(text)
        self.readings = readings


def _section(text: str) -> int:
    """A number below 万: 三, 十二, 二十, 一百零五, 三千二百."""
    total, digit, last = 0, None, 10_000
    zero = False
    for ch in text:
        if ch in DIGITS:
            if digit is not None:
                raise ChineseNumberError(text)
            digit = DIGITS[ch]
            if digit == 0:
                zero, digit = True, None
            continue
        unit = SMALL.get(ch, 0)
        if not unit:  # 万 or 亿 where a section is read (万亿 alone), or any other character
            raise ChineseNumberError(text)
        if unit >= last:
            raise ChineseNumberError(text)
        if digit is None and not (unit == 10 and total == 0 and not zero):  # 十二 is 12; 零十 is not a number
            raise ChineseNumberError(text)
        total += (1 if digit is None else digit) * unit
        digit, last, zero = None, unit, False
    if digit is not None:
        if last > 10 and not zero and last != 10_000:  # 一百二 is colloquial for 120: said, not guessed
            raise ChineseNumberError(text)
        total += digit
    return total


def _after_large(rest: str, text: str) -> None:
    """What follows 万 or 亿 starts with 零 or with a thousands digit: 三万五 (colloquial for 35,000) is refused."""
    if rest and not rest.startswith(("零", "〇")) and not (len(rest) > 1 and rest[1] == "千"):
        raise ChineseNumberError(text)


def value(text: str) -> Decimal:
    """The exact value of a Chinese number (整数 to 亿, with 点 decimals); ChineseNumberError otherwise."""
    whole, dot, frac = text.partition("点")
    if dot and (not whole or not frac or any(ch not in DIGITS for ch in frac)):
        raise ChineseNumberError(text)
    total, rest = 0, whole
    for name in ("亿", "万"):
        if name in rest:
            head, _, rest = rest.partition(name)
            if not head or name in rest:
                raise ChineseNumberError(text)
            total += _section(head) * LARGE[name]
            _after_large(rest, text)
    if rest:
        total += _section(rest)
    if frac:
        return Decimal(f"{total}.{''.join(str(DIGITS[ch]) for ch in frac)}")
    return Decimal(total)


def first_number(text: str) -> str | None:
    """The first run of numerals in ``text`` that is a number written the standard way (第三名 → 三)."""
    for run in _RUN.findall(text):
        try:
            value(run)
        except ChineseNumberError:
            continue
        return run
    return None


def every_number_in_digits(text: str) -> str | None:
    """``text`` with every number written in Arabic digits (三至五次 → 3至5次, 百分之九十至百分之九十五
    → 90%至95%, 九成至九成五 → 90%至95%, 二〇二四年十月底前 → 2024年10月底前); None when a run is no number written the standard way, or
    a scale alone (百户), or there is none."""
    years = years_in_digits(text)
    if years != text:
        return every_number_in_digits(years) if _RUN.search(years) else years
    try:
        percents = _TENTHS.sub(_tenths, _PERCENT.sub(_percent, text))
    except ChineseNumberError:
        return None
    if percents != text:
        return every_number_in_digits(percents) if _RUN.search(percents) else percents
    out, pos = [], 0
    for run in _RUN.finditer(text):
        if run.group() in _SCALES_ALONE:
            return None
        try:
            digits = _arabic(run.group())
        except ChineseNumberError:
            return None
        out += [text[pos : run.start()], digits]
        pos = run.end()
    return "".join(out) + text[pos:] if out else None


def years_in_digits(text: str) -> str:
    """``text`` with each year read digit by digit in Arabic digits (二〇二四年 → 2024年)."""
    return _YEAR.sub(lambda m: m.group().translate(_YEAR_DIGITS), text)


def _arabic(number: str) -> str:
    """A Chinese number in Arabic digits; a trailing 万/亿 stays a scale word (三点五万 → 3.5万)."""
    scale = number[-1] if len(number) > 1 and number[-1] in LARGE and "点" in number else ""
    n = value(number[: len(number) - len(scale)])
    return (format(n.normalize(), "f") if n == n.to_integral_value() else format(n, "f")) + scale


def spelled_out(text: str, is_unit: Callable[[str], bool], tails: tuple[str, ...]) -> str | None:
    """``text`` with its Chinese number written in Arabic digits, when it is one of the shapes that
    are certainly a number (百分之N, N成[M], N followed by a listed unit, each then nothing or one of
    ``tails``: the vocabulary's 以上, 或以上, 左右 …); None otherwise. ``is_unit(word)``: a unit jixiao
    lists. ChineseNumberError when the shape is certain but the number is not written in the standard
    way, or when the number and its unit can be cut in two ways (三千克: 3 千克 or 3000 克)."""
    ends = ("", *tails)
    m = _PERCENT.search(text)
    if m and text[m.end() :] in ends:
        return text[: m.start()] + _percent(m) + text[m.end() :]
    m = _TENTHS.search(text)
    if m and text[m.end() :] in ends:
        return text[: m.start()] + _tenths(m) + text[m.end() :]
    return _before_unit(text, is_unit, ends)


def _percent(m: re.Match[str]) -> str:
    """百分之N in digits: 百分之九十五 → 95%, 百分之百 → 100%."""
    return ("100" if m.group("n") == "百" else _arabic(m.group("n"))) + "%"


def _tenths(m: re.Match[str]) -> str:
    """N成[M] in digits: 九成 → 90%, 八成五 → 85%; 十成五 is no number."""
    tens = 10 if m.group("n") == "十" else DIGITS[m.group("n")]
    if tens == 10 and m.group("m"):
        raise ChineseNumberError(m.group(0))
    return f"{tens * 10 + (DIGITS[m.group('m')] if m.group('m') else 0)}%"


def _unit_of(rest: str, is_unit: Callable[[str], bool], ends: tuple[str, ...]) -> bool:
    """``rest`` is a listed unit, then nothing or one of ``ends``."""
    return any(rest.endswith(end) and bool(unit := rest[: len(rest) - len(end)]) and is_unit(unit) for end in ends)


def _before_unit(text: str, is_unit: Callable[[str], bool], ends: tuple[str, ...]) -> str | None:
    """N followed by a listed unit. A unit may itself hold a numeral (千克, 百分点), so every cut of
    the numerals into number and unit is tried: exactly one cut that reads must remain."""
    cuts, bad = [], None
    for run in _RUN.finditer(text):
        for end in range(run.start() + 1, run.end() + 1):
            rest = text[end:]
            if not rest or text[run.start() : end] in _SCALES_ALONE or not _unit_of(rest, is_unit, ends):
                continue
            try:
                cuts.append(text[: run.start()] + _arabic(text[run.start() : end]) + rest)
            except ChineseNumberError as exc:
                bad = bad or exc
    if len(cuts) > 1:
        raise TwoReadingsError(text, tuple(cuts))
    if not cuts and bad is not None:
        raise bad
    return cuts[0] if cuts else None

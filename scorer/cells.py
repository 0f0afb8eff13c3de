"""Parse 年初目标值 / 实际完成值 cells into typed, immutable values.

Comparators are stripped and read here, before any unit lookup: pint would
silently drop characters it does not know (``≥90%`` would become 90 percent).
Results are memoised by the raw text, since real forms repeat cells a lot.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from decimal import Decimal
from functools import cache, lru_cache

from scorer import cn_numbers, ranges, units
from scorer.cell_dates import _DATE_YM, compared_date, read_date
from scorer.cell_parts import (
    _CMP_SYM,
    _CMP_WORD,
    _NUM,
    _check_unit,
    _comparator,
    _scale,
    _stray_punctuation,
    _to_decimal,
    _word_regex,
)
from scorer.cell_values import (
    Cell,
    CellError,
    CellKind,
    Comparator,
    Tier,
)
from scorer.model import Direction
from scorer.numbers import ungroup
from scorer.vocabulary import Vocabulary, vocabulary

# ---------------------------------------------------------------- regexes

# No \s* between body and bracket: with a lazy body that is quadratic on long runs of spaces
# (a 20,000-space cell took 3 s); the body is stripped afterwards anyway.
_NOTE = re.compile(r"^(?P<body>.*?)[(（\[【](?P<note>[^()（）\[\]【】]*)[)）\]】]?\s*$", re.S)
_CN_DIGITS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}

_RANK = re.compile(
    r"^(?:全国|全省|全市|全区|区县级?)?(?:排名|排行|位列|位居|名列|保持)?"
    r"(?P<kind>前|第)(?P<n>\d+|[一二两三四五六七八九十]+)(?:名|位)?(?P<suf>以内|以前|之内|内)?$"
)


def _normalise(raw: str, vocab: Vocabulary) -> str:
    text = unicodedata.normalize("NFKC", raw)
    for old, new in vocab.replace:
        if old in text:
            text = text.replace(old, new)
    return text.strip()


def _split_note(text: str) -> tuple[str, str]:
    """Cut a trailing bracketed note; a cut-off bracket (no closing) counts too."""
    m = _NOTE.match(text)
    if not m or not m.group("body").strip():
        return text, ""
    return m.group("body").strip(), m.group("note").strip()


def _cn_int(text: str) -> int:
    """A rank in Chinese numerals up to 九十九: 三, 十, 十二, 二十, 二十三. Anything else
    (十十, 十二三) is an error, never a guess."""
    if text.isdigit():
        return int(text)
    d = {k: v for k, v in _CN_DIGITS.items() if v < 10}
    if text == "十":
        return 10
    if len(text) == 1:
        return d[text]
    if len(text) == 2 and text[0] == "十":
        return 10 + d[text[1]]
    if len(text) == 2 and text[1] == "十":
        return d[text[0]] * 10
    if len(text) == 3 and text[1] == "十":
        return d[text[0]] * 10 + d[text[2]]
    raise ValueError(text)


_QTY = re.compile(rf"^(?P<num>{_NUM})(?P<rest>[^\d]*)$")


def _quantity(s: str, raw: str, note: str, vocab: Vocabulary) -> Cell | None:
    """Read ``[word|symbol] number [scale] [unit] [word]``; None if not that shape."""
    body, cmp, word = _comparator(s, vocab)
    one_side = lambda side: _single(side, raw, "", vocab)  # noqa: E731
    cell = ranges.read_range(s, body, raw, note, word, vocab, one_side)
    if cell is None and cmp is not None and body != s:
        cell = ranges.estimate_after_comparator(s, body, cmp, raw, note, vocab, one_side)
    if cell is not None:
        return cell if cell.text == s else cell.with_text(s)
    return _single(s, raw, note, vocab)


def _single(s: str, raw: str, note: str, vocab: Vocabulary) -> Cell | None:
    """``[word|symbol] number [scale] [unit] [word]``: one number, one side."""
    body, cmp, word = _comparator(s, vocab)
    m = _QTY.match(body)
    if not m:
        if not re.search(r"\d", body) and (word or cmp is None):
            return None  # 达到预期指标: a word, not a comparator
        if cmp is not None and not re.search(r"\d", body):
            raise CellError(raw, "比较符后没有数值", "如 ≥75户、≤24小时、不低于95%")
        if cmp is not None and body and body[0].isdigit():
            raise CellError(raw, f"数值「{body}」格式有误", "如 75、3.9、1,276")
        return None
    _stray_punctuation(m.group("rest"), raw, vocab)
    rest, factor, scale_word = _scale(m.group("rest"), vocab)
    if rest.startswith(vocab.numeral_names):  # 3季度, ≤3季度末: a quarter named, not a count of quarters
        return ranges.named(s, raw, note, vocab)
    if rest and not units.is_known(rest):
        if cmp is None and not re.match(r"^[\u4e00-\u9fff]{0,2}$", rest):
            return None  # a sentence that starts with a number: not a quantity
        _check_unit(rest, raw)
    value = _to_decimal(m.group("num"), raw) * factor
    return Cell(
        raw,
        CellKind.QUANTITY,
        s,
        cmp or Comparator.NONE,
        value,
        None,
        rest,
        scale_word,
        word=word,
        note=note,
        scale_factor=factor,
    )


def _rank(s: str, raw: str, note: str) -> Cell | None:
    m = _RANK.match(s)
    if not m:
        return None
    try:
        n = _cn_int(m.group("n"))
    except (ValueError, KeyError, IndexError):
        raise CellError(raw, f"名次「{m.group('n')}」无法识别", "如 前10名、第3名") from None
    cmp = Comparator.LE if (m.group("kind") == "前" or m.group("suf")) else Comparator.EQ
    return Cell(raw, CellKind.RANK, s, cmp, Decimal(n), note=note)


def _words(s: str, raw: str, note: str, vocab: Vocabulary) -> Cell:
    if s in vocab.labels:
        return Cell(raw, CellKind.LABEL, s, word=s, note=note)
    if s in vocab.reverse_words:
        return Cell(raw, CellKind.DIRECTION, s, word=s, direction=Direction.REVERSE, note=note)
    if s in vocab.positive_words:
        return Cell(raw, CellKind.DIRECTION, s, word=s, direction=Direction.POSITIVE, note=note)
    for tier, words in (
        (Tier.NOT_ACHIEVED, vocab.not_achieved),
        (Tier.PARTLY, vocab.partly),
        (Tier.ACHIEVED, vocab.achieved),
    ):
        for w in words:
            at = vocab.verdict_at(s, w)
            if at < 0:
                continue
            neg = (
                next((n for n in vocab.negations if s.endswith(n, 0, at)), "") if tier is not Tier.NOT_ACHIEVED else ""
            )
            if neg:  # "作用不明显", "不是": a negated word says the opposite
                return Cell(raw, CellKind.QUALITATIVE, s, tier=Tier.NOT_ACHIEVED, word=neg + w, note=note)
            return Cell(raw, CellKind.QUALITATIVE, s, tier=tier, word=w, note=note)
    return Cell(raw, CellKind.TEXT, s, note=note)


# The common shape — [≥≤<>=] number [scale] unit, already normalised — read with one match.
# Only cells that the general reader would read the same way take it (tests compare the two
# on every generated and sample cell); everything else goes the long way.
_NUMBER_RUN = re.compile(r"\d(?:[\d.,]*\d)?")  # digits with the dots and commas between them


def _ungrouped(text: str) -> str:
    """``text`` with each number's thousands commas taken out by the one rule (scorer.numbers.ungroup):
    "1,276户" → "1276户"; a number whose comma is not one ("0,125", "1234,567") is left as written."""
    if "," not in text:
        return text
    return _NUMBER_RUN.sub(lambda m: ungroup(m.group()) or m.group(), text)


_FAST_BODY = r"(\d+(?:\.\d+)?)([^\s\d.,:;()（）\[\]【】~至到\-≥≤<>=≧≦═﹦⩾⩽〉〈～〜—–－：]*)"


@cache
def _fast_regex() -> tuple[re.Pattern[str], dict[str, str]]:
    """``symbol or comparator word`` (longest word first, as the general reader tries them), number, unit."""
    prefixes = vocabulary().prefix_comparators
    words = "|".join(re.escape(w) for w, _ in prefixes)
    return re.compile(f"(?:([≥≤<>=])|({words}))?{_FAST_BODY}"), _word_regex(prefixes, True)[1]


_NOT_FAST_START = frozenset("年月日底末当前第")  # dates (12月, 2024年底) and ranks


@lru_cache(maxsize=4096)
def _fast_unit(unit: str) -> tuple[str, Decimal, str, str, str | None] | None:
    """What follows the number, read as the general reader would: (unit, scale factor,
    scale word, trailing comparator word, its comparator); None when it is not a plain unit."""
    vocab = vocabulary()
    if unit and unit[0] in _NOT_FAST_START:
        return None
    suffix, suffix_cmp = "", None
    for word, cmp in vocab.suffix_comparators:  # longest first, as _strip_words
        if unit.endswith(word):
            suffix, suffix_cmp, unit = word, cmp, unit[: -len(word)]
            break
    rest, factor, scale_word = _scale(unit, vocab)
    if rest.startswith(vocab.more_markers):  # 1000余人, 1万多: an estimate (scorer/ranges.py), not a unit 余
        return None
    if (rest and not units.is_known(rest)) or rest.startswith(vocab.numeral_names):  # 3季度: a quarter named
        return None
    return rest, factor, scale_word, suffix, suffix_cmp


def parse_cell(raw: str) -> Cell:
    """Parse one cell. Raises CellError, and only CellError, on unreadable text."""
    cell = read_cell(raw) if isinstance(raw, str) else parse_general(raw)
    if type(cell) is CellError:
        raise CellError(cell.text, cell.reason, cell.expected)  # a fresh one: no shared traceback
    return cell  # type: ignore[return-value]


_MEMO: dict[str, Cell | CellError] = {}
MEMO_SIZE = 1 << 18  # distinct cells remembered; a province has ~130,000 (bench/run.py)
MEMO_CELL_CHARS = 200  # longer cells are not remembered: bounded memory whatever a file holds


def read_cell(raw: str) -> Cell | CellError:
    """The cell, or the error that says why it cannot be read; memoised either way.

    Real forms repeat cells a lot, unreadable ones included; the engine reads
    through this so that a bad cell costs one parse, not one parse per row. A
    plain dict, emptied when full: a hit is one lookup (an LRU's bookkeeping
    costs more than the rare re-parse after a clear), and memory stays bounded.
    """
    cell = _MEMO.get(raw)
    if cell is None:
        try:
            cell = _read(raw)
        except CellError as exc:
            # a fresh error: the caught one holds a traceback (and maybe a context) that
            # would keep the caller's frames alive as long as the memo keeps the error
            cell = CellError(exc.text, exc.reason, exc.expected)
        if len(raw) <= MEMO_CELL_CHARS:  # a real cell is short; a huge one is read, not kept
            if len(_MEMO) >= MEMO_SIZE:
                _MEMO.clear()
            _MEMO[raw] = cell
    return cell


def clear_memo() -> None:
    _MEMO.clear()


def _one_match(raw: str) -> Cell | None:
    """The common shape, [≥≤<>= or a comparator word] number [scale] unit, read with one match."""
    if type(raw) is not str:
        return None
    rx, word_cmp = _fast_regex()
    # the general reader's first steps (NFKC, the vocabulary's replacements, no spaces,
    # no thousands commas); the pattern then admits no note, range, date or rank
    text = _ungrouped("".join(_normalise(raw, vocabulary()).split()))
    m = rx.fullmatch(text)
    if m is None:
        return None
    fast = _fast_unit(m.group(4))
    if fast is None or (not fast[0] and _DATE_YM.match(m.group(3))):  # 2024.12: a month, the date reader's
        return None
    unit, factor, scale_word, suffix, suffix_cmp = fast
    value = _to_decimal(m.group(3), raw) * factor
    word = m.group(2) or ""
    cmp = _CMP_WORD[word_cmp[word]] if word else _CMP_SYM.get(m.group(1) or "")
    if suffix_cmp is not None and (cmp is None or word in vocabulary().yielding):
        cmp = _CMP_WORD[suffix_cmp]
        word = f"{word}…{suffix}" if word else suffix
    return Cell(
        raw,
        CellKind.QUANTITY,
        text,
        cmp or Comparator.NONE,
        value,
        None,
        unit,
        scale_word,
        word=word,
        scale_factor=factor,
    )


def _read(raw: str) -> Cell:
    cell = _one_match(raw)
    return cell if cell is not None else parse_general(raw)


def _rank_reader(s: str, raw: str, note: str, vocab: Vocabulary) -> Cell | None:
    return _rank(s, raw, note)


def _date_reader(s: str, raw: str, note: str, vocab: Vocabulary) -> Cell | None:
    return read_date(s, raw, note) or compared_date(s, raw, note, vocab)


BodyReader = Callable[[str, str, str, Vocabulary], "Cell | None"]

# How a cell is read, in the order the readers are tried; the first that recognises it wins.
# ``one-match`` runs first, on the raw text, and takes most real cells (≤24小时, ≥75户, 95%); the
# others read the body of everything else, after the empty-cell words and a bracketed note are
# set aside (tests check that one-match reads every cell it takes exactly as the others would).
READERS: tuple[str, ...] = ("one-match", "empty", "rank", "date", "quantity", "words")
_BODY_READERS: tuple[tuple[str, BodyReader], ...] = (
    ("rank", _rank_reader),
    ("date", _date_reader),
    ("quantity", _quantity),
    ("words", _words),
)
_EMPTY_WORDS = ("", "-", "--", "/", "—", "——", "\\")


def reader_of(raw: str) -> str:
    """The name of the reader that reads ``raw`` (for docs and tests: which code runs for a cell)."""
    if _one_match(raw) is not None:
        return "one-match"
    return _general(raw)[1]


def parse_general(raw: str) -> Cell:
    """The full reader behind ``parse_cell`` (uncached; the one-match reader must agree with it)."""
    return _general(raw)[0]


def _general(raw: str) -> tuple[Cell, str]:
    if not isinstance(raw, str):
        raise CellError(repr(raw), "单元格应为文本")
    vocab = vocabulary()
    text = _normalise(raw, vocab)
    if text in _EMPTY_WORDS:
        return Cell(raw, CellKind.EMPTY), "empty"
    body, note = _split_note(text)
    if note and units.is_known(note) and re.search(r"\d$", "".join(body.split())):
        body, note = body + note, ""  # "100%(百分比)" or "100(百分比)": the bracket is the unit
    s = _ungrouped("".join(body.split()))
    try:
        cell, name = _body(s, raw, note, vocab)
    except CellError:
        if _RANK.match(s):  # a rank's own message (名次「十十」无法识别)
            raise
        found = _spelled_range(s, raw, note, vocab) or _numerals(s, raw, note, vocab, refused=True)
        if found is None:
            raise
        return found
    if cell.kind is CellKind.TEXT:
        return _spelled_range(s, raw, note, vocab) or _numerals(s, raw, note, vocab, refused=False) or (cell, name)
    return cell, name


def _spelled_range(s: str, raw: str, note: str, vocab: Vocabulary) -> tuple[Cell, str] | None:
    """A range or a date with its numbers in Chinese (三至五次, 十月底前, 十二月三十一日前): read as
    3至5次 and 10月底前 read, and only when that reads as a range or a date; anything else stays text."""
    if re.search(r"\d", s):
        return None
    digits = cn_numbers.every_number_in_digits(s)
    if digits is None:
        return None
    try:
        cell, name = _body(digits, raw, note, vocab)
    except CellError:
        return None
    if cell.kind is not CellKind.DATE and not cell.doubt and cell.comparator is not Comparator.RANGE:
        return None  # a date, a range, or a quarter named (三季度末, as 3季度末 reads)
    if any(s.endswith(word) for word in vocab.numeral_not_units):  # 三至五分: points, or "very"?
        return None
    return _as_written(cell, s, raw, note, vocab), name


def _as_written(cell: Cell, s: str, raw: str, note: str, vocab: Vocabulary) -> Cell:
    """The reading of a cell's digits, said of the cell as written (三季度, not 3季度)."""
    named = cell.doubt and cell.kind is CellKind.TEXT and any(w in s for w in vocab.numeral_names)
    return ranges.named(s, raw, note, vocab) if named else cell.with_text(s)


def _body(s: str, raw: str, note: str, vocab: Vocabulary) -> tuple[Cell, str]:
    for name, reader in _BODY_READERS:
        cell = reader(s, raw, note, vocab)
        if cell is not None:
            return cell, name
    raise AssertionError("the words reader reads every body")  # pragma: no cover


def _numerals(s: str, raw: str, note: str, vocab: Vocabulary, refused: bool) -> tuple[Cell, str] | None:
    """A body that is text, or ``refused``, only because its number is written in Chinese (≥三次,
    百分之九十五): read with the number in digits, keeping its own text; None when it is no such cell.
    Text stays text (保持一流, 达到三级, 保持零投诉 are words); a refused cell is told why in Chinese."""
    if re.search(r"\d", cn_numbers.years_in_digits(s)) or not any(ch in cn_numbers.CHARS for ch in s):
        return None  # digits, or a year read digit by digit (二〇二四年): as its digits read, or text
    tails = tuple(w for w, _ in vocab.suffix_comparators) + vocab.about_suffix
    try:
        spelled = cn_numbers.spelled_out(s, lambda u: _numeral_unit(u, vocab), tails)
    except cn_numbers.TwoReadingsError as two:
        spelled = _one_reading(two.readings, raw, note, vocab)
    except cn_numbers.ChineseNumberError as bad:
        raise CellError(raw, f"汉字数字「{bad}」写法不规范，无法确定数值", "阿拉伯数字，如 ≥120人、≥95%") from None
    if spelled is not None:
        try:
            cell, name = _body(spelled, raw, note, vocab)
        except CellError:
            if refused:  # said of the cell as written, not of its digits (「,2」 for ≥,两户)
                _refuse_numerals(s, raw, vocab)
                raise
            return None  # text stays text
        if cell.kind is CellKind.QUANTITY or cell.doubt:  # ≥三次; ≤三季度 as ≤3季度 reads
            return _as_written(cell, s, raw, note, vocab), name
    if refused:
        _refuse_numerals(s, raw, vocab)
    return None


def _numeral_unit(word: str, vocab: Vocabulary) -> bool:
    """A unit a Chinese number is read before: listed (or a rate of listed units, 次/年), not one of
    [numerals] not_units, maybe after an estimate's 余/多 (十余次, 一百多人: more than, as 10余次 reads)."""
    for marker in vocab.more_markers:
        if word.startswith(marker):
            word = word[len(marker) :]
            break
    parts = word.split("/")  # 次/年, 人次/月: a rate whose every part is listed, as ≥3次/年 reads
    first_not_a_unit = parts[0] in vocab.numeral_not_units  # 三季度/年; 一次/季度 is once a quarter
    return not first_not_a_unit and all(p and units.is_listed(p) for p in parts)


def _refuse_numerals(s: str, raw: str, vocab: Vocabulary) -> None:
    """Why a comparator and a body with a Chinese number is refused: 十分 (points, or "very"?, the
    vocabulary's [numerals] not_units), or
    no unit, or words around it; nothing when the body is a word of the vocabulary (≥一般, ≥十分满意)."""
    body = _comparator(s, vocab)[0]
    if not body or _words(body, raw, "", vocab).kind is not CellKind.TEXT:
        return
    number = cn_numbers.first_number(body)
    if number is None:
        return
    for word in vocab.numeral_not_units:
        if number + word in body:  # ≥十分: ten points, or "very"?
            said = f"汉字数字「{number}」后的「{word}」不一定是单位，无法确定数值"
            raise CellError(raw, f"比较符后的「{body}」：{said}", "阿拉伯数字和单位，如 ≥10分、≥3个季度")
    said = "是汉字数字，没有单位" if body == number else f"含汉字数字「{number}」，单位或写法无法确定"
    raise CellError(raw, f"比较符后的「{body}」{said}", "阿拉伯数字和单位，如 ≥3次、≥95%")


def _one_reading(readings: tuple[str, ...], raw: str, note: str, vocab: Vocabulary) -> str:
    """A number and a unit that holds a numeral cut two ways: 三千克 is 3千克 or 3000克, the same
    weight, read; cuts that read as different quantities are an error, never a guess."""
    cells = [_body(r, raw, note, vocab)[0] for r in readings]
    if len({(c.kind, c.comparator, c.value, c.unit) for c in cells}) == 1:
        return readings[0]
    raise CellError(raw, f"汉字数字与单位可有两种读法（{'、'.join(readings)}）", "阿拉伯数字，如 ≥3千克、≥300个百分点")

"""Table-driven tests of the cell parser: the cell notation of docs/domain.md and the published variants."""

from __future__ import annotations

from decimal import Decimal

import pytest

from scorer.cell_values import DateValue
from scorer.cells import CellError, CellKind, Comparator, Tier, parse_cell

D = Decimal
Q, R, DT, QL, L, DI, T, E = (
    CellKind.QUANTITY,
    CellKind.RANK,
    CellKind.DATE,
    CellKind.QUALITATIVE,
    CellKind.LABEL,
    CellKind.DIRECTION,
    CellKind.TEXT,
    CellKind.EMPTY,
)
GE, GT, EQ, LE, LT, NONE, RANGE = (
    Comparator.GE,
    Comparator.GT,
    Comparator.EQ,
    Comparator.LE,
    Comparator.LT,
    Comparator.NONE,
    Comparator.RANGE,
)

# (text, kind, comparator, value, unit)
QUANTITIES = [
    # the notation of docs/domain.md, in order
    ("≥75 户", GE, D(75), "户"),
    ("75 户", NONE, D(75), "户"),
    ("≤24 小时", LE, D(24), "小时"),
    ("≤8 小时", LE, D(8), "小时"),
    ("≥3.9亿", GE, D("390000000"), ""),
    ("4.0亿条", NONE, D("400000000"), "条"),
    ("≥2G", GE, D(2), "G"),
    ("3G", NONE, D(3), "G"),
    ("> 200 家", GT, D(200), "家"),
    ("680 家", NONE, D(680), "家"),
    ("=100%", EQ, D(100), "%"),
    ("100%", NONE, D(100), "%"),
    ("65300万元", NONE, D("653000000"), "元"),
    ("82600万元", NONE, D("826000000"), "元"),
    ("20万元", NONE, D(200000), "元"),
    ("24.7万元", NONE, D(247000), "元"),
    ("≧735人次", GE, D(735), "人次"),
    ("═100%", EQ, D(100), "%"),
    ("﹦ 72890 元", EQ, D(72890), "元"),
    ("不低于95%", GE, D(95), "%"),
    ("95%以上", GE, D(95), "%"),
    ("2小时以内", LE, D(2), "小时"),
    ("为0", EQ, D(0), ""),
    ("≥100百分比", GE, D(100), "百分比"),
    ("100", NONE, D(100), ""),
    # look-alike and ASCII comparators
    ("＞ 200家", GT, D(200), "家"),
    ("＜5%", LT, D(5), "%"),
    ("＝100%", EQ, D(100), "%"),
    ("≦24小时", LE, D(24), "小时"),
    (">=90%", GE, D(90), "%"),
    ("<=3天", LE, D(3), "天"),
    # word comparators
    ("不少于10场", GE, D(10), "场"),
    ("达到100%", GE, D(100), "%"),
    ("不高于5%", LE, D(5), "%"),
    ("不超过30天", LE, D(30), "天"),
    ("小于3次", LT, D(3), "次"),
    ("大于80%", GT, D(80), "%"),
    ("控制在10万元以内", LE, D(100000), "元"),
    ("3年内", LE, D(3), "年"),
    ("90%及以上", GE, D(90), "%"),
    # full-width digits and spaces, separators, stray spaces
    ("９０％", NONE, D(90), "%"),
    ("≥　１２　份", GE, D(12), "份"),
    ("1,276", NONE, D(1276), ""),
    ("1,276次", NONE, D(1276), "次"),
    ("1 276 次", NONE, D(1276), "次"),
    # units written as words, compound units, multiples, areas
    ("≥100%(百分比)", GE, D(100), "%"),
    ("100(百分比)", NONE, D(100), "百分比"),
    ("300元/人*月", NONE, D(300), "元/人*月"),
    ("50元/户", NONE, D(50), "元/户"),
    ("120元/人、天", NONE, D(120), "元/人、天"),
    ("≥2倍", GE, D(2), "倍"),
    ("500亩", NONE, D(500), "亩"),
    ("≥1200平方米", GE, D(1200), "平方米"),
    ("3万方", NONE, D(30000), "方"),
    ("2万人次", NONE, D(20000), "人次"),
    ("10.76 万", NONE, D("107600"), ""),
    ("1.5工作日", NONE, D("1.5"), "工作日"),
]


@pytest.mark.parametrize(("text", "cmp", "value", "unit"), QUANTITIES)
def test_quantities(text: str, cmp: Comparator, value: Decimal, unit: str) -> None:
    cell = parse_cell(text)
    assert cell.kind is Q, cell
    assert cell.comparator is cmp
    assert cell.value == value
    assert cell.unit == unit


def test_range() -> None:
    cell = parse_cell("90%-95%")
    assert (cell.kind, cell.comparator, cell.value, cell.high, cell.unit) == (Q, RANGE, D(90), D(95), "%")
    cell = parse_cell("90～95%")
    assert (cell.value, cell.high, cell.unit) == (D(90), D(95), "%")


@pytest.mark.parametrize(
    ("text", "cmp", "rank"),
    [
        ("排名前10", LE, 10),
        ("排名第3", EQ, 3),
        ("排名前 10", LE, 10),
        ("排名第 3", EQ, 3),
        ("前三名", LE, 3),
        ("第1名", EQ, 1),
        ("全省前20名以内", LE, 20),
        ("前十名", LE, 10),
        ("第十二名", EQ, 12),
        ("前二十名", LE, 20),
        ("第二十三名", EQ, 23),
        ("前两名", LE, 2),
    ],
)
def test_ranks(text: str, cmp: Comparator, rank: int) -> None:
    cell = parse_cell(text)
    assert (cell.kind, cell.comparator, cell.value) == (R, cmp, D(rank))


@pytest.mark.parametrize("text", ["第十十名", "第十二三名", "前一一名", "第二十十名"])
def test_malformed_chinese_ranks_are_errors_not_guesses(text: str) -> None:
    with pytest.raises(CellError, match="名次"):
        parse_cell(text)


@pytest.mark.parametrize(
    ("text", "cmp", "date"),
    [
        ("9月前", LE, DateValue(None, 9, None)),
        ("2021年12月31日", NONE, DateValue(2021, 12, 31)),
        ("2021年底", LE, DateValue(2021, 12, 31)),
        ("2024年6月30日前", LE, DateValue(2024, 6, 30)),
        ("年底前", LE, DateValue(None, 12, 31)),
        ("2024.10.15", NONE, DateValue(2024, 10, 15)),
        ("2019年", NONE, DateValue(2019, 12, None, whole_year=True)),
        ("2020年度", NONE, DateValue(2020, 12, None, whole_year=True)),
        ("2021年前", LE, DateValue(2021, 12, None, whole_year=True)),
    ],
)
def test_dates(text: str, cmp: Comparator, date: DateValue) -> None:
    cell = parse_cell(text)
    assert (cell.kind, cell.comparator, cell.date) == (DT, cmp, date)


@pytest.mark.parametrize("text", ["5年", "30年", "1800年", "2100年", "≥2019年"])
def test_a_number_of_years_that_is_no_calendar_year_stays_a_quantity(text: str) -> None:
    assert parse_cell(text).kind is not DT


def test_month_deadline_resolves_to_month_end() -> None:
    assert parse_cell("9月前").date.resolve(2024).isoformat() == "2024-09-30"  # type: ignore[union-attr]
    assert parse_cell("2月前").date.resolve(2024).isoformat() == "2024-02-29"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("text", "kind", "tier", "word"),
    [
        ("定性指标", L, None, "定性指标"),
        ("圆满完成", QL, Tier.ACHIEVED, "圆满完成"),
        ("全年无故障", QL, Tier.ACHIEVED, "全年无故障"),
        ("达到预期指标", QL, Tier.ACHIEVED, "达到预期指标"),
        ("有效保障", QL, Tier.ACHIEVED, "有效保障"),
        ("按时完成", QL, Tier.ACHIEVED, "按时完成"),
        ("已公开", QL, Tier.ACHIEVED, "已公开"),
        ("达成目标值", QL, Tier.ACHIEVED, "达成目标值"),
        ("可用", QL, Tier.ACHIEVED, "可用"),
        ("健全", QL, Tier.ACHIEVED, "健全"),
        ("及时", QL, Tier.ACHIEVED, "及时"),
        ("合格", QL, Tier.ACHIEVED, "合格"),
        ("通过", QL, Tier.ACHIEVED, "通过"),
        ("达成", QL, Tier.ACHIEVED, "达成"),
        ("基本完成", QL, Tier.PARTLY, "基本完成"),
        ("部分达成", QL, Tier.PARTLY, "部分达成"),
        ("基本满意", QL, Tier.PARTLY, "基本满意"),
        ("较好", QL, Tier.PARTLY, "较好"),
        ("程度较高", QL, Tier.PARTLY, "较高"),
        ("作用较明显", QL, Tier.PARTLY, "较明显"),
        ("带动作用较强", QL, Tier.PARTLY, "较强"),
        ("进度较为滞后", QL, Tier.NOT_ACHIEVED, "滞后"),  # a negative word wins over 较
        ("效果较差", QL, Tier.NOT_ACHIEVED, "较差"),
        ("未完成", QL, Tier.NOT_ACHIEVED, "未完成"),
        ("未达到", QL, Tier.NOT_ACHIEVED, "未达到"),
        ("滞后", QL, Tier.NOT_ACHIEVED, "滞后"),
        ("不满意", QL, Tier.NOT_ACHIEVED, "不满意"),
        ("不合格", QL, Tier.NOT_ACHIEVED, "不合格"),
        ("减少", DI, None, "减少"),
        ("降低", DI, None, "降低"),
        ("提高", DI, None, "提高"),
        ("年度更新", T, None, ""),
        ("按计划推进中", T, None, ""),
        ("", E, None, ""),
        ("  ", E, None, ""),
        ("—", E, None, ""),
    ],
)
def test_words(text: str, kind: CellKind, tier: Tier | None, word: str) -> None:
    cell = parse_cell(text)
    assert (cell.kind, cell.tier, cell.word) == (kind, tier, word)


def test_negation_is_checked_before_the_positive_word() -> None:
    assert parse_cell("项目未完成").tier is Tier.NOT_ACHIEVED
    assert parse_cell("基本完成年度任务").tier is Tier.PARTLY


def test_bracketed_note_is_kept_apart() -> None:
    cell = parse_cell("完成（全年召开专家评审会17场，专家验收会3场）")
    assert (cell.kind, cell.tier, cell.text) == (QL, Tier.ACHIEVED, "完成")
    assert cell.note == "全年召开专家评审会17场,专家验收会3场"


def test_cut_off_note_from_the_extraction() -> None:
    cell = parse_cell("完成（全年召开专家评审会 17 场，专家验收会")
    assert (cell.kind, cell.tier) == (QL, Tier.ACHIEVED)
    assert cell.note.startswith("全年召开")


def test_direction_words_carry_their_direction() -> None:
    assert parse_cell("减少").direction == "reverse"
    assert parse_cell("提升").direction == "positive"


@pytest.mark.parametrize(
    ("text", "direction"),
    [
        ("超上年度", "positive"),  # 江西 业务收入
        ("超上年", "positive"),
        ("高于上年", "positive"),
        ("比上年增长", "positive"),
        ("较上年提高", "positive"),
        ("低于上年度", "reverse"),
        ("比上年减少", "reverse"),
        ("较上年下降", "reverse"),
    ],
)
def test_a_direction_against_last_year_is_a_direction_word(text: str, direction: str) -> None:
    cell = parse_cell(text)
    assert (cell.kind, cell.direction) == (CellKind.DIRECTION, direction)


@pytest.mark.parametrize("text", ["超上年2%", "高于上年5万元", "比上年增长10%"])
def test_a_change_against_last_year_with_an_amount_is_not_a_bare_direction(text: str) -> None:
    assert parse_cell(text).kind is not CellKind.DIRECTION


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("≥", "比较符后没有数值"),
        ("≥abc", "比较符后没有数值"),
        ("≥1.2.3次", "格式有误"),
        ("75户头", "未知单位「户头」"),
        ("≥5斤两", "未知单位"),
        ("2024年13月1日", "月份 13 不存在"),
        ("2023年2月30日", "日期不存在"),
        ("90%-95元", "区间两端单位不同"),
    ],
)
def test_invalid_cells_raise_cell_error_naming_the_text(text: str, reason: str) -> None:
    with pytest.raises(CellError) as exc:
        parse_cell(text)
    assert reason in str(exc.value)
    assert text in str(exc.value)


def test_display_is_normalised() -> None:
    assert parse_cell("≧ 735 人次").display() == "≥735人次"
    assert parse_cell("不低于95%").display() == "≥95%"
    assert parse_cell("≥3.9 亿").display("条") == "≥3.9亿条"
    assert parse_cell("排名前 10").display() == "前10名"


@pytest.mark.parametrize(
    ("cell", "reader"),
    [
        ("≤24小时", "one-match"),
        ("≥75户", "one-match"),
        ("不低于95%", "one-match"),
        ("", "empty"),
        ("—", "empty"),
        ("排名前10", "rank"),
        ("2024年12月底前", "date"),
        ("3-5次", "quantity"),
        ("100%(百分比)", "quantity"),
        ("全年无故障", "words"),
        ("定性优良中低差", "words"),
    ],
)
def test_the_reader_table_names_the_code_that_reads_a_cell(cell: str, reader: str) -> None:
    """One table of readers in the order tried (#17): a newcomer can tell which one runs for a cell."""
    from scorer.cells import READERS, reader_of

    assert reader_of(cell) == reader
    assert reader in READERS

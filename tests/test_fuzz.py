"""Hostile input, bounded: every importer raises its own clear error and nothing else.

Each target in tests/fuzz/targets.py gets a few hundred hypothesis examples
here (the CI budget); bench/fuzz.py runs the same targets for 100,000+ inputs
each. The specific cases below pin what the fuzzers found or must never find.
"""

from __future__ import annotations

import json
import time
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jixiao.xlsx import XlsxError
from scorer.cells import CellError, parse_cell
from scorer.formfile import MAX_BYTES, FormFileError, load_form, parse_text
from tests.fuzz import strategies as S
from tests.fuzz.harness import UnexpectedError, assert_only
from tests.fuzz.targets import TARGETS, read_json, read_toml, read_xlsx, score_checked, xlsx_seeds

EXAMPLES = {"xlsx": 200, "engine": 200}  # the rest: DEFAULT_EXAMPLES
DEFAULT_EXAMPLES = 300
FUZZ = settings(
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
    database=None,
)


@pytest.mark.parametrize("target", TARGETS, ids=[t.name for t in TARGETS])
def test_target_raises_only_its_own_errors(target) -> None:  # type: ignore[no-untyped-def]
    strategy = getattr(S, target.strategy)()

    @settings(FUZZ, max_examples=EXAMPLES.get(target.name, DEFAULT_EXAMPLES))
    @given(strategy)
    def run(data: object) -> None:
        assert_only(target.errors, target.call, data)

    run()


@pytest.mark.parametrize("target", TARGETS, ids=[t.name for t in TARGETS])
def test_target_survives_its_seeds_and_raw_bytes(target) -> None:  # type: ignore[no-untyped-def]
    """The seeds are valid inputs; random bytes through the decoder are handled too."""
    for seed in target.seeds():
        result = assert_only(target.errors, target.call, target.from_bytes(seed))
        if target.name != "cell":
            assert not isinstance(result, BaseException), result

    @settings(FUZZ, max_examples=100)
    @given(st.binary(max_size=600))
    def run(data: bytes) -> None:
        assert_only(target.errors, target.call, target.from_bytes(data))

    run()


@settings(FUZZ, max_examples=60)
@given(S.random_workbook())
def test_workbooks_of_random_cells_raise_only_xlsx_error(data: bytes) -> None:
    assert_only((XlsxError,), read_xlsx, data)


def test_assert_only_names_the_input() -> None:
    def boom(_: object) -> None:
        raise KeyError("x")

    with pytest.raises(UnexpectedError, match="KeyError.*on input 'abc'"):
        assert_only((ValueError,), boom, "abc")
    assert isinstance(assert_only((KeyError,), boom, "abc"), KeyError)

    def silent(_: object) -> None:
        raise ValueError("")

    with pytest.raises(UnexpectedError):  # an error without a message is not a clear error
        assert_only((ValueError,), silent, "abc")


# ---------------------------------------------------------------- pinned cases


def _error(fn, data) -> str:  # type: ignore[no-untyped-def]
    result = assert_only((FormFileError,), fn, data)
    assert isinstance(result, FormFileError), f"accepted: {result!r}"
    return str(result)


@pytest.mark.parametrize("depth", [100, 1_000, 100_000, 1_000_000])
def test_deeply_nested_json_is_a_clear_error(depth: int) -> None:
    for doc in ("[" * depth + "]" * depth, '{"a":' * depth + "1" + "}" * depth):
        result = assert_only((FormFileError,), read_json, doc)
        assert isinstance(result, FormFileError)
        assert "嵌套过深" in str(result) or "应为" in str(result) or "未知的键" in str(result)
    if depth >= 100_000:
        assert "嵌套过深" in _error(read_json, "[" * depth + "]" * depth)


@pytest.mark.parametrize("depth", [1_000, 100_000])
def test_deeply_nested_toml_is_a_clear_error(depth: int) -> None:
    assert "嵌套过深" in _error(read_toml, "a = " + "[" * depth + "]" * depth)
    assert "嵌套过深" in _error(read_toml, "a = " + "{b = " * depth + "1" + "}" * depth)


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_json_nan_and_infinity_are_refused(constant: str) -> None:
    msg = _error(read_json, f'{{"project_name": "x", "year": 2024, "total_score": {constant}}}')
    assert constant.lstrip("-") in msg


@pytest.mark.parametrize(
    "field, value",
    [
        ("total_score", "1e999999999"),
        ("total_score", "9" * 100_000),
        ("total_score", '"1E+400"'),
        ("total_score", '"NaN"'),
        ("total_score", '"-Infinity"'),
        ("year", "9" * 100_000),
        ("year", "1e400"),
        ("year", "1e999999999"),
        ("year", '"²⁰²⁴"'),
    ],
)
def test_huge_and_non_finite_numbers_are_refused(field: str, value: str) -> None:
    doc = {"project_name": "x", "year": 2024}
    text = json.dumps(doc)[:-1] + f', "{field}": {value}}}'
    if field == "year":
        text = f'{{"project_name": "x", "year": {value}}}'
    msg = _error(read_json, text)
    assert field in msg


def test_huge_integers_in_toml_are_a_clear_error() -> None:
    """tomllib raises a bare ValueError past 4300 digits (found by the fuzzer)."""
    msg = _error(read_toml, "project_name = 'x'\nyear = " + "1" * 5000)
    assert "TOML" in msg
    msg = _error(read_toml, "project_name = 'x'\nyear = 2024\n[budget]\nplanned = " + "9" * 5000)
    assert "TOML" in msg


def test_toml_numbers_beyond_the_form_range_are_refused() -> None:
    msg = _error(read_toml, "project_name = 'x'\nyear = 2024\n[budget]\nplanned = 1e999999999")
    assert "budget.planned" in msg


def test_json_lone_surrogates_are_neutralised_or_refused() -> None:
    result = assert_only((FormFileError,), read_json, '{"project_name": "\\ud800名", "year": 2024}')
    if not isinstance(result, FormFileError):  # accepted: then it must display and store safely (test_hostile_input)
        assert "\ud800" in result.project_name  # type: ignore[union-attr]


def test_json_numbers_stay_exact() -> None:
    form = read_json('{"project_name": "x", "year": 2.024e3, "total_score": 94.10}')
    assert form.year == 2024 and form.total_recorded == Decimal("94.10")


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(tmp_path: Path) -> None:
    for suffix in (".toml", ".json"):
        path = tmp_path / f"huge{suffix}"
        with path.open("wb") as fh:
            fh.truncate(MAX_BYTES + 1)  # sparse: the test writes nothing
        with pytest.raises(FormFileError, match="文件过大") as exc:
            load_form(path)
        assert str(MAX_BYTES) in str(exc.value)


def test_a_file_just_under_the_limit_is_read_or_refused_cleanly(tmp_path: Path) -> None:
    path = tmp_path / "big.toml"
    filler = "# " + "x" * 98 + "\n"
    body = "project_name = 'x'\nyear = 2024\n"
    path.write_text(body + filler * ((MAX_BYTES - len(body)) // len(filler)), encoding="utf-8")
    assert path.stat().st_size <= MAX_BYTES
    assert load_form(path).project_name == "x"


def test_xlsx_zip_bomb_is_refused(tmp_path: Path) -> None:
    import io
    import zipfile

    from jixiao.xlsx import MAX_UNCOMPRESSED

    seed = xlsx_seeds()[0]
    buf = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(seed)) as src, zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            out.writestr(info.filename, src.read(info))
        with out.open("xl/media/bomb.bin", "w") as fh:  # zeros compress ~1000:1
            chunk = b"\0" * (1 << 20)
            for _ in range(MAX_UNCOMPRESSED // len(chunk) + 1):
                fh.write(chunk)
    data = buf.getvalue()
    assert len(data) < MAX_UNCOMPRESSED // 100
    result = assert_only((XlsxError,), read_xlsx, data)
    assert isinstance(result, XlsxError) and "压缩炸弹" in str(result)


def test_an_oversized_xlsx_file_is_refused_before_it_is_read(tmp_path: Path) -> None:
    from jixiao.xlsx import MAX_UNCOMPRESSED, read_workbook

    path = tmp_path / "huge.xlsx"
    with path.open("wb") as fh:
        fh.truncate(MAX_UNCOMPRESSED + 1)  # sparse
    with pytest.raises(XlsxError, match="文件过大"):
        read_workbook(path)


def test_xlsx_with_a_dtd_is_refused() -> None:
    import io
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(xlsx_seeds()[0])) as src, zipfile.ZipFile(buf, "w") as out:
        for info in src.infolist():
            body = src.read(info)
            if info.filename == "xl/workbook.xml":
                body = b'<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>' + body
            out.writestr(info, body)
    result = assert_only((XlsxError,), read_xlsx, buf.getvalue())
    assert isinstance(result, XlsxError) and "DTD" in str(result)


@pytest.mark.parametrize(
    "cell",
    [
        "a" + " " * 200_000 + "b",
        "a" + " " * 100_000 + "(注" + " " * 100_000,
        "(" * 200_000,
        "9" * 200_000,
        "≥" * 100_000,
    ],
)
def test_long_cells_parse_in_linear_time(cell: str) -> None:
    """A 200,000-character cell used to take minutes (a quadratic regex on runs of spaces)."""
    start = time.perf_counter()
    assert_only((CellError,), parse_cell, cell)
    assert time.perf_counter() - start < 2


def test_engine_on_extreme_but_valid_forms() -> None:
    from scorer.model import Budget, Form, Goal, Indicator

    ind = Indicator(
        "产出指标", "数量指标", "新增户数", "≥" + "9" * 400 + "户", "0.0000000001户", weight=Decimal("1E-20")
    )
    form = Form(
        "x", year=2024, budget=Budget(planned=Decimal("1E+20"), executed=Decimal("0")), goals=(Goal(indicators=(ind,)),)
    )
    for rules in ("national-2020", "hubei-2020", "linear-capped"):
        assert_only((), score_checked, (form, rules))


def test_parse_text_never_leaks_value_error() -> None:
    for text in ("a = 1_", "a = 0x" + "f" * 5000, "a = 0b" + "1" * 20000, "a = 0o" + "7" * 20000):
        assert_only((FormFileError,), lambda t: parse_text(t, "<t>", ".toml"), text)

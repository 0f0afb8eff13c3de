"""A number in a form file that no decimal can hold is the file's error, not jixiao's.

The fuzzer found it: TOML and JSON are read with exact decimals, and a float literal whose exponent is
past what a decimal holds (1e99999999999999999999) raised decimal.InvalidOperation out of the reader,
which `jixiao score` reported as 内部错误.
"""

from __future__ import annotations

import pytest

from scorer.formfile import FormFileError, parse_text


@pytest.mark.parametrize("literal", ["1e99999999999999999999", "-1E+99999999999999999999", "1e-99999999999999999999"])
@pytest.mark.parametrize(
    ("suffix", "template", "kind"),
    [(".toml", "year = 2024\nweight = {}\n", "TOML"), (".json", '{{"year": 2024, "weight": {}}}', "JSON")],
)
def test_an_exponent_no_decimal_holds_is_the_files_error(literal: str, suffix: str, template: str, kind: str) -> None:
    with pytest.raises(FormFileError) as refused:
        parse_text(template.format(literal), f"表{suffix}", suffix)
    assert str(refused.value) == f"表{suffix}：{kind} 内容无效：有数字的指数过大，无法读取"


@pytest.mark.parametrize(("suffix", "text"), [(".toml", "w = 1e999999\n"), (".json", '{"w": 1e999999}')])
def test_a_large_exponent_a_decimal_holds_still_reads(suffix: str, text: str) -> None:
    assert str(parse_text(text, f"表{suffix}", suffix)["w"]) == "1E+999999"

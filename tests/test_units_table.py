"""The unit table shipped beside units.txt: what pint says, ahead of time, so that most commands never load pint."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from scorer import units

ROOT = Path(__file__).resolve().parents[1]


def test_the_shipped_table_is_what_pint_says_now() -> None:
    shipped = (ROOT / "scorer" / "data" / units.TABLE).read_text(encoding="utf-8")
    fresh = units.table_text(units.build_table())
    assert shipped == fresh, (
        'scorer/data/unit_table.json is stale; regenerate it with: python -c "from scorer.units import '
        "build_table, table_text; open('scorer/data/unit_table.json', 'w', encoding='utf-8')"
        '.write(table_text(build_table()))"'
    )


@pytest.mark.parametrize(
    "symbol",
    [
        "户",
        "人次",
        "%",
        "元",
        "小时",
        "个工作日",
        "天",
        "GB",
        "平方米",
        "元/人",
        "元/人*月",
        "人·次",
        "例",
        "艘",
        "吨公里",
    ],
)
def test_with_the_table_and_without_it_a_symbol_resolves_the_same(symbol: str, monkeypatch: pytest.MonkeyPatch) -> None:
    units.resolve.cache_clear()
    try:
        with_table: object = units.resolve(symbol)
    except units.UnitError as exc:
        with_table = str(exc)
    units.resolve.cache_clear()
    monkeypatch.setattr(units, "_table", lambda: {})
    try:
        without: object = units.resolve(symbol)
    except units.UnitError as exc:
        without = str(exc)
    units.resolve.cache_clear()
    assert with_table == without


def test_a_table_older_than_the_definitions_is_not_used() -> None:
    assert units._table_for(b"changed") == {}  # pint decides every unit until the table is regenerated
    assert units._table_for(units._definitions())["元"] == ("[currency]", "1")
    assert units._table() == units._table_for(units._definitions())


def test_scoring_a_seed_form_loads_no_pint() -> None:
    code = (
        "import sys\nfrom pathlib import Path\nfrom jixiao.scoring import score_form\n"
        "from scorer.formfile import load_form\n"
        "for p in sorted(Path('samples').glob('*.toml')):\n    score_form(load_form(p))\n"
        "print('pint' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert out.stdout.strip() == "False"

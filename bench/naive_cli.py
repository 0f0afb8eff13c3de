"""The naive whole-process baseline for ``jixiao score DIR --json`` (issue 18).

What a finance bureau's script would do: walk the directory, read each form file with the
standard ``tomllib``, score every row with pint's parser (bench/naive.py), print JSON.

    python bench/naive_cli.py DIR > out.json
"""

from __future__ import annotations

import json
import sys
import tomllib
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.naive import naive_score  # noqa: E402


def main() -> int:
    forms = []
    for path in sorted(Path(sys.argv[1]).rglob("*.toml")):
        data = tomllib.loads(path.read_text(encoding="utf-8"), parse_float=Decimal)
        rows = [
            SimpleNamespace(
                name=i["name"],
                target=i["target"],
                actual=i["actual"],
                weight=Decimal(str(i["weight"])) if "weight" in i else None,
            )
            for g in data.get("goals", [])
            for i in g.get("indicators", [])
        ]
        scored = naive_score(SimpleNamespace(indicators=rows))
        forms.append(
            {
                "source": str(path),
                "total": f"{sum((s for _, s in scored), Decimal(0)):f}",
                "indicators": [
                    {"name": r.name, "status": st, "score": f"{s:f}"} for r, (st, s) in zip(rows, scored, strict=True)
                ],
            }
        )
    sys.stdout.write(json.dumps({"forms": forms}, ensure_ascii=False, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

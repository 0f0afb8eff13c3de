"""The 抽评 sample: forms drawn for re-review, weighted by the risk their findings show.

Each form's risk is ``base`` plus the points of each kind of finding it has (one count per
check), as data in ``sampling.toml``. Forms are drawn without replacement with probability in
proportion to their risk (Efraimidis–Spirakis: the n largest ``u ** (1 / risk)``), from a
``random.Random(seed)`` over the forms in key order, so the same forms and seed give the same
sample wherever it runs. Every drawn form carries its reasons.
"""

from __future__ import annotations

import random
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from importlib import resources

from jixiao.checks.model import Finding, FormRecord, form_label
from scorer.errors import JixiaoError


class SamplingDataError(JixiaoError, ValueError):
    """sampling.toml does not match the checks."""


@dataclass(frozen=True, slots=True)
class Weights:
    base: int
    severity: dict[str, int]
    checks: dict[str, int]

    def of(self, f: Finding) -> int:
        return self.checks.get(f.check_id, self.severity[f.severity.value])


@dataclass(frozen=True, slots=True)
class Drawn:
    """One form of the sample, with its risk and why."""

    key: str
    label: str
    risk: int
    reasons: tuple[str, ...]  # "title（+points）" per kind of finding, the heaviest first


@cache
def weights() -> Weights:
    from jixiao.checks.engine import CHECKS

    raw = tomllib.loads(resources.files("jixiao.checks").joinpath("sampling.toml").read_text(encoding="utf-8"))
    problems = [f"未知的键 {k}" for k in sorted(set(raw) - {"version", "base", "severity", "checks"})]
    severity, checks = raw.get("severity", {}), raw.get("checks", {})
    if set(severity) != {"error", "warning", "info"}:
        problems.append(f"severity 应恰有 error / warning / info，实际为 {sorted(severity)}")
    problems += [f"checks 中没有这个检查：{k}" for k in sorted(set(checks) - set(CHECKS))]
    values = [raw.get("base"), *severity.values(), *checks.values()]
    if any(isinstance(v, bool) or not isinstance(v, int) or v < 0 for v in values):
        problems.append("分值应为非负整数")
    if problems:
        raise SamplingDataError("sampling.toml：" + "；".join(problems))
    if raw["base"] < 1:
        raise SamplingDataError("sampling.toml：base 应至少为 1（否则没有发现的表单永远抽不到）")
    return Weights(raw["base"], dict(severity), dict(checks))


def risk_of(findings: Sequence[Finding]) -> tuple[int, tuple[str, ...]]:
    """A form's risk and its reasons, from its findings (each check counted once)."""
    from jixiao.checks.engine import CHECKS

    w = weights()
    kinds: dict[str, int] = {}
    for f in findings:
        kinds.setdefault(f.check_id, w.of(f))
    heavy = sorted(((p, cid) for cid, p in kinds.items() if p > 0), key=lambda x: (-x[0], x[1]))
    reasons = tuple(f"{CHECKS[cid].title if cid in CHECKS else cid}（+{p}）" for p, cid in heavy)
    return w.base + sum(p for p, _ in heavy), reasons


def draw(records: Sequence[FormRecord], findings: Sequence[Finding], n: int, seed: int) -> list[Drawn]:
    """``n`` forms drawn by risk, reproducibly; the most at risk first."""
    by_form: dict[str, list[Finding]] = {}
    for f in findings:
        by_form.setdefault(f.form_key, []).append(f)
    rng = random.Random(seed)
    keyed = []
    for rec in sorted(records, key=lambda r: r.key):
        risk, reasons = risk_of(by_form.get(rec.key, []))
        u = rng.random()
        keyed.append(
            (
                Decimal(u) ** (Decimal(1) / risk) if u > 0 else Decimal(0),
                Drawn(rec.key, form_label(rec.result.form), risk, reasons),
            )
        )
    chosen = [d for _, d in sorted(keyed, key=lambda x: x[0], reverse=True)[: max(0, n)]]
    return sorted(chosen, key=lambda d: (-d.risk, d.key))

"""What a check produces, and what a check is.

Pure values: this package imports only ``scorer`` and the standard library,
so the review aggregation, the TUI and the PDF summary can all use it.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from scorer.model import Form, FormKind
from scorer.result import FormResult, Severity

SEVERITY_ORDER = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}


@dataclass(frozen=True, slots=True)
class Finding:
    """One thing a reviewer should look at.

    ``message`` is Chinese and self-contained: it starts with the form's name
    (``form_label``) followed by "：", and names the indicator and the numbers.
    ``form_key`` is empty for findings about no single form.
    ``value`` is the number the check measured (a difference, a ratio, a
    z-score, a coverage percentage …), when there is one.
    """

    check_id: str
    severity: Severity
    message: str
    form_key: str
    indicator: str = ""
    value: Decimal | None = None

    def detail(self, label: str) -> str:
        """The message without its leading ``label：`` (for display under a form heading)."""
        prefix = f"{label}："
        return self.message[len(prefix) :] if label and self.message.startswith(prefix) else self.message


@dataclass(frozen=True, slots=True)
class CheckSpec:
    """A check as listed in the registry and in docs/checks.md."""

    id: str
    severity: Severity
    title: str  # Chinese, short
    description: str  # English: what it detects and why reviewers care
    scope: str = "form"  # "form" (one form), "portfolio" (across forms), "target" (a declaration), "monitoring"


@dataclass(frozen=True, slots=True)
class FormRecord:
    """A scored form with the identity the portfolio checks group by."""

    key: str
    year: int | None
    department: str
    unit: str
    project: str
    result: FormResult
    declaration: bool = False  # a 申报表 (targets and budget asked, no actuals): read only as a plan
    targets_approved: bool | None = None  # the database's word: its targets were approved as a 申报表; None: unknown


def form_key(form: Form) -> str:
    """The identity used by the database: ``year/unit/project``."""
    return f"{form.year}/{form.implementing_unit}/{form.project_name}"


def form_label(form: Form) -> str:
    """How messages name a form: the project, or the unit for a department form."""
    if form.form_kind is FormKind.DEPARTMENT:
        who = form.implementing_unit or form.department
        return f"{who}部门整体支出" if who else (form.project_name or "部门整体支出")
    return form.project_name or "（无名称）"


def record_for(result: FormResult, key: str | None = None) -> FormRecord:
    f = result.form
    return FormRecord(
        key=key if key is not None else form_key(f),
        year=f.year,
        department=f.department,
        unit=f.implementing_unit,
        project=f.project_name,
        result=result,
    )


_PUNCT = re.compile(r"[\s\u3000、，,。.;；:：!！?？\"'“”‘’()（）\[\]【】《》<>〈〉·\-—_/\\]+")


@lru_cache(maxsize=65536)
def normalise(text: str) -> str:
    """Compare texts the way a reader would: NFKC, no whitespace or punctuation, lower case."""
    return _PUNCT.sub("", unicodedata.normalize("NFKC", text or "")).lower()


@lru_cache(maxsize=65536)
def squash(text: str) -> str:
    """NFKC without any whitespace (punctuation kept): for 'identical text' comparisons."""
    return "".join(unicodedata.normalize("NFKC", text or "").split())


# Narratives that say nothing: an empty box, "无", "/", … (compared after ``normalise``).
TRIVIAL_NARRATIVES = frozenset(
    normalise(t)
    for t in (
        "",
        "无",
        "暂无",
        "没有",
        "无偏差",
        "无明显偏差",
        "未发生偏差",
        "无偏差无",
        "不适用",
        "无此项",
        "不涉及",
        "略",
        "/",
        "-",
        "—",
        "——",
        "N/A",
        "NA",
        "none",
    )
)


def is_trivial(text: str) -> bool:
    return normalise(text) in TRIVIAL_NARRATIVES

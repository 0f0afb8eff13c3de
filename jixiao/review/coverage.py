"""How many forms a review section read of those it should have: said in every output when not all.

The 复核 and 运行监控 sections load and score each form they cover, a batch at a time: about 2.3 ms a
form for both (measured with bench/generate.py: 10,092 forms each with a 复核 and a snapshot, 23 s;
a province of 67,130 such forms would take some 150 s). So past a cap they read the first forms by
id and say so, in Chinese, with how to narrow: never a silent subset.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

#: forms each section reads at most unless told otherwise (``jixiao review --detail-limit``): the 2,000
#: the sections always read, now said, and in 5.3 s for both where one store.get a form took 11.8 s
DETAIL_LIMIT = 2000
NARROW = "请用 --year、--department、--unit 缩小范围，或用 --detail-limit 0 读取全部（两节合计每千份表单约需 2–3 秒）"


@dataclass(frozen=True, slots=True)
class Coverage:
    """A section's forms: ``read`` of ``total`` (those the filters keep that have what it lists)."""

    section: str  # 复核 / 运行监控
    what: str  # what the forms have: 复核 / 监控记录
    read: int
    total: int
    limit: int

    @property
    def complete(self) -> bool:
        return self.read >= self.total

    def note(self) -> str:
        """The statement of a partial section ("" when every form was read)."""
        if self.complete:
            return ""
        return (
            f"{self.section}只读取了部分表单：符合筛选条件且有{self.what}的表单共 {self.total} 份，"
            f"超过上限 {self.limit} 份，只读取了按编号顺序的前 {self.read} 份，"
            f"其余 {self.total - self.read} 份的{self.what}未列入本节；{NARROW}"
        )

    def as_json(self) -> dict[str, Any]:
        return {"forms_read": self.read, "forms": self.total, "limit": self.limit, "note": self.note()}


def capped(ids: list[int], limit: int, section: str, what: str) -> tuple[list[int], Coverage]:
    """The ids a section reads (the first ``limit`` by id; 0: every one) and what it covers."""
    kept = ids if limit <= 0 else ids[:limit]
    return kept, Coverage(section, what, len(kept), len(ids), limit)

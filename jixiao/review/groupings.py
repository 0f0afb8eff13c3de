"""How review groups and grades forms: the names the command line offers before anything is loaded."""

from __future__ import annotations

GRADES = ("优", "良", "中", "差")
GROUPINGS = {"unit": "实施单位", "department": "主管部门", "level1": "一级指标", "grade": "等级", "year": "年度"}

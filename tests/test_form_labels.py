"""One vocabulary of printed labels for the Excel and the published-document readers (#17)."""

from __future__ import annotations

import pytest

from jixiao.disclosure import vocab as V
from jixiao.form_labels import budget_key, canon, indicator_key


@pytest.mark.parametrize(
    ("cell", "label"),
    [
        ("预算数 (A)", "预算数"),
        ("预算数（A）", "预算数"),
        ("预 算 数：", "预算数"),
        ("项目名称:", "项目名称"),
        ("分值【10】", "分值"),
        ("得分[注]", "得分"),
    ],
)
def test_a_label_is_compared_in_one_canonical_form(cell: str, label: str) -> None:
    assert canon(cell) == label


@pytest.mark.parametrize(
    ("header", "key"),
    [
        ("年初预算数", "initial"),
        ("全年预算数（A）", "planned"),
        ("全年执行数(B)", "executed"),
        ("执行率", "rate"),
        ("分值", "weight"),
        ("得分理由", "reason"),
        ("得分", "score"),
    ],
)
def test_budget_headers_mean_the_same_to_both_readers(header: str, key: str) -> None:
    assert budget_key(canon(header)) == key
    assert V.budget_key(header) == key


@pytest.mark.parametrize(
    ("header", "key", "in_documents"),
    [
        ("一级指标", "level1", "level1"),
        ("三级指标", "name", "name"),
        ("年度指标值", "target", "target"),
        ("预期目标", "target", "target"),
        ("实际完成值", "actual", "actual"),
        ("指标性质", "nature", "nature"),
        ("指标方向", "direction", "nature"),  # a document prints ≥/≤ there; jixiao's workbook 正向/反向
        ("度量单位", "unit", "unit"),
        ("得分理由", "reason", "reason"),
        ("偏差原因分析及改进措施", "deviation", "deviation"),
        ("备注", "remark", "remark"),
        ("分值", "weight", "weight"),
        ("自评得分", "score", "score"),
    ],
)
def test_table_headers_mean_the_same_to_both_readers(header: str, key: str, in_documents: str) -> None:
    assert indicator_key(canon(header)) == key
    assert V.table_key(header) == in_documents

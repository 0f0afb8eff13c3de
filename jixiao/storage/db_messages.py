"""The database's own refusals, said in Chinese.

The triggers and functions of the migrations raise in English (their text is frozen in applied
migrations, and psql users read it there); a jixiao user who meets one (a race another writer won,
a row written past jixiao) reads it here in Chinese, with the form and the values it names. Each
message a migration raises has its line below; ``tests/test_db_messages.py`` reads the migrations
and fails for any message without one. A line no pattern knows is kept as the database wrote it.
"""

from __future__ import annotations

import re
from functools import cache

from jixiao.storage.driver_messages import known_line
from jixiao.storage.labels import TABLE_LABELS, column_label
from jixiao.workflow import State

#: (the message as the migration raises it, ``%`` for each value; Chinese, ``{0}``… for the values)
MESSAGES: tuple[tuple[str, str], ...] = (
    ("% is append-only", "「{0}」只能追加，已有的记录不能修改或删除"),
    ("evidence name not allowed", "佐证材料的文件名不被接受（含路径、控制字符或过长）"),
    ("recheck score must lie between 0 and the weight of its row", "复核得分应在 0 到该行分值之间"),
    ("jixiao: % ids come from the sequence", "「{0}」的编号由数据库分配，不能自行指定"),
    ("jixiao: % is not truncated (every change is logged)", "「{0}」不能清空（每项修改都须留有记录）"),
    ("jixiao: a declaration begins as a draft", "目标申报表只能以草稿开始"),
    ("jixiao: a recheck score is a finite number, not %", "复核得分应为有限的数，实际为 {0}"),
    ("jixiao: a recheck score is at least 0", "复核得分不能小于 0"),
    ("jixiao: a row stays with its form", "指标行不能移到另一份表单"),
    (
        "jixiao: an audit entry needs a change of form % in the same transaction",
        "表单 {0} 没有修改，不能单独写入修改记录",
    ),
    ("jixiao: evidence is at most % bytes", "每个佐证材料文件至多 {0} 字节"),
    (
        "jixiao: form % has approved targets; its indicator rows and weights are locked",
        "表单 {0} 的绩效目标已审核，指标行、分值和目标内容已锁定",
    ),
    (
        "jixiao: form % has approved targets; its year, unit and project stay",
        "表单 {0} 的绩效目标已审核，年度、单位和项目不能更改",
    ),
    ("jixiao: form % has no indicator %", "表单 {0} 没有指标「{1}」"),
    ("jixiao: form % holds at most % evidence files and % bytes", "表单 {0} 至多有 {1} 个佐证材料、共 {2} 字节"),
    (
        "jixiao: form % holds at most % monitoring snapshots and % bytes",
        "表单 {0} 至多有 {1} 条运行监控记录、共 {2} 字节",
    ),
    ("jixiao: form % is %, read-only", "表单 {0} 处于「{1}」状态，只读"),
    (
        "jixiao: form % is %: a monitoring snapshot is taken before the self-evaluation is submitted",
        "表单 {0} 处于「{1}」状态：监控快照须在自评提交前记录",
    ),
    ("jixiao: form % is no approved declaration", "表单 {0} 不是已审核的目标申报表"),
    ("jixiao: form % is not open for evidence", "表单 {0} 当前不能添加佐证材料"),
    ("jixiao: form %: its version goes from % back to %", "表单 {0} 的版本号不能从 {1} 退回到 {2}"),
    ("jixiao: form %: the signature columns are written only by signing the form", "表单 {0} 的签章信息只能由签章写入"),
    (
        "jixiao: form %: its version goes from % to %, not one step at a time",
        "表单 {0} 的版本号只能逐一增加，不能从 {1} 改为 {2}",
    ),
    ("jixiao: form %: %", "表单 {0}：{1}"),
    ("jixiao: unit % holds at most % forms for year %", "单位「{0}」{2} 年度至多有 {1} 份表单"),
    ("jixiao: form % has more than one row with the identity %", "表单 {0} 有不止一行指标的行标识为 {1}"),
    ("jixiao: form % has the year %, not one from % to %", "表单「{0}」的年度为 {1}，应在 {2} 到 {3} 之间"),
    (
        "jixiao: four eyes: % may not create form % as % (its creator made all of its data)",
        "双人原则：{0} 不能以「{2}」状态创建表单 {1}（其全部数据由本人填写）",
    ),
    (
        "jixiao: four eyes: % may not move form % to % (submitted by %, last changed by %)",
        "双人原则：{0} 不能把表单 {1} 改为「{2}」（提交人 {3}，最后修改人 {4}）",
    ),
    (
        "jixiao: four eyes: % may not recheck form % (submitted by %, last changed by %)",
        "双人原则：{0} 不能复核表单 {1}（提交人 {2}，最后修改人 {3}）",
    ),
    ("jixiao: function % does not list the workflow columns as expected", "数据库函数 {0} 与预期不符，请联系管理员"),
    ("jixiao: illegal transition % -> %", "状态不能从「{0}」改为「{1}」"),
    (
        "jixiao: indicator % of form % has no finite weight to recheck against",
        "表单 {1} 的指标「{0}」没有可供复核的分值",
    ),
    ("jixiao: months is 1 to 12", "月数应为 1 到 12"),
    ("jixiao: no permission to begin the self-evaluation of form %", "无权开始表单 {0} 的自评"),
    ("jixiao: no permission to change form %", "无权修改表单 {0}"),
    ("jixiao: no permission to delete form %", "无权删除表单 {0}"),
    (
        "jixiao: recheck score % of indicator % (form %) is not between 0 and its weight %",
        "表单 {2} 指标「{1}」的复核得分 {0} 不在 0 到其分值 {3} 之间",
    ),
    (
        "jixiao: the allocated weight of indicator % (form %) is unverified: the owner runs jixiao db rescore",
        "表单 {1} 指标「{0}」的分摊分值未经核实：请数据库所有者运行 jixiao db rescore",
    ),
    ("jixiao: the id of a % row never changes", "「{0}」记录的编号不能更改"),
    ("jixiao: the id of a deleted form is not used again", "已删除表单的编号不能再用"),
    (
        "jixiao: the stage moves only from an approved declaration to a draft self-evaluation",
        "阶段只能由已审核的目标申报转为自评草稿",
    ),
    ("jixiao: the stage moves only from an approved declaration to a draft", "阶段只能由已审核的目标申报转为自评草稿"),
    (
        "jixiao: the weights of form % add up to at least %, above the rule total %: not %",
        "表单 {0} 的分值合计至少 {1}，超过规则总分 {2}，不能写入 {3}",
    ),
)
#: the words the messages hold for a value: a status, a table
WORDS = {**{s.value: s.label for s in State}, **TABLE_LABELS}
_CHECK = re.compile(r'new row for relation "(?P<table>\w+)" violates check constraint "(?P<name>\w+)"')
_BOUNDED = re.compile(r"(?P<table>[a-z]+)_(?P<column>\w+)_bounded")
_RANGED = re.compile(r"(?P<table>[a-z]+)_(?P<column>\w+)_jixiao_range")


@cache
def _patterns() -> tuple[tuple[re.Pattern[str], str], ...]:
    return tuple(
        (re.compile(re.escape(english).replace("%", "(.+?)") + r"\.?"), chinese) for english, chinese in MESSAGES
    )


def in_chinese(line: str) -> str:
    """``line`` (the database's first line of an error) in Chinese, or as it is when unknown."""
    text = line.removeprefix("jixiao: ").strip() if line.startswith("jixiao: 表单") else line.strip()
    for rx, chinese in _patterns():
        m = rx.fullmatch(text)
        if m:
            return chinese.format(*(WORDS.get(g, g) for g in m.groups()))
    m = _CHECK.search(text)
    if m:
        return _check(m.group("table"), m.group("name"))
    return known_line(text) or text


def _check(table: str, name: str) -> str:
    bounded = _BOUNDED.fullmatch(name)
    if bounded:
        return f"「{column_label(bounded.group('column'))}」超过数据库允许的长度（{WORDS.get(table, table)}）"
    ranged = _RANGED.fullmatch(name)
    if ranged:
        where = WORDS.get(table, table)
        return f"「{column_label(ranged.group('column'))}」应为 0，或不小于 10^-12、小于 10^15 的数（{where}）"
    if name.endswith("_options"):
        return f"「{column_label(name.removeprefix('forms_').removesuffix('_options'))}」含有不是可选项或重复的勾选"
    return f"{WORDS.get(table, table)}的数据不符合数据库约束「{name}」"

"""Help: every key, and what the colours and statuses mean."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Markdown

HELP = """\
# jixiao 使用帮助

## 表单列表
| 键 | 作用 |
|---|---|
| Enter | 打开表单 |
| / | 搜索项目名称（支持拼音首字母，如 lgjf 找「老干工作经费」） |
| n | 新建表单（空白，或复制上一年度的表单） |
| R | 审核汇总：按主管部门 → 实施单位 → 表单 → 指标逐级下钻 |
| r | 刷新 |
| q | 退出 |

## 表单编辑
| 键 | 作用 |
|---|---|
| Enter | 编辑光标所在单元格；编辑时每输入一个字，得分立即重算 |
| Esc | 取消编辑 / 返回列表 |
| a / i | 在下方添加行 / 在上方插入行 |
| Delete | 删除行（需确认） |
| Ctrl+↑ / Ctrl+↓ | 上移 / 下移行 |
| u | 设为上一行的子项 / 取消（父项得分为子项之和） |
| s | 设置自评得分（与规则得分不同时须填写理由） |
| A | 新表：未填自评得分的行一次采用规则得分 |
| p | 问题面板：自查发现的全部问题，Enter 跳到该行 |
| Ctrl+S | 立即保存 |
| t | 提交（先自查：有错误不能提交，有警告需确认） |
| b / v | 退回 / 审核通过（审核人） |
| o | 重新打开（需理由；已签章的表单签章失效） |
| x | 导出 PDF（官方版式，存入 ~/jixiao-pdf 或 JIXIAO_PDF_DIR） |
| g | 签章：生成 PDF 并加数字签名（仅限已审核的表单），随后锁定 |
| F2–F5 | 切换页签：绩效指标 / 基本信息 / 预算执行 / 分析与改进（在输入框中也有效，不会输入字符） |
| ? | 本帮助 |
| q / Esc | 返回表单列表 |

每次确认的修改都会立即存入数据库，并记入修改记录（`jixiao history`）。
若他人同时修改了同一表单，保存时会提示冲突：默认继续编辑；可对比两个版本，载入对方版本或用自己的版本覆盖都需再按一次确认；不会静默覆盖。

## 审核汇总
| 键 | 作用 |
|---|---|
| Enter | 下钻一级 |
| Backspace / Esc | 返回上一级 |
| v / b | 审核通过 / 退回（需意见） |
| e | 打开表单 |

## 状态与颜色
| 状态 | 含义 |
|---|---|
| 达成 | 实际完成值达到目标，得满分 |
| 部分 | 部分达成，按公式或定性档次得分 |
| 未达 | 未达成，得 0 分或按档次计分 |
| 待判 | 需要人工判断（用语不在词表中、单位不可比等），不计入规则得分 |
| 未填 | 实际完成值为空 |
| 无效 | 单元格无法解析，计 0 分 |

※ 表示自评得分与规则得分不一致；分值后的 * 表示表中未列分值、按规则集分配。
"""


class HelpScreen(ModalScreen[None]):
    CSS_PATH = "help.tcss"
    BINDINGS = [Binding("escape,q,question_mark", "close", "关闭")]

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Markdown(HELP)

    def action_close(self) -> None:
        self.dismiss(None)

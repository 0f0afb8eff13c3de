"""The workbook's limits and constants, and the one error a workbook raises (naming file, sheet, cell)."""

from __future__ import annotations

from scorer.errors import JixiaoError

HIDDEN_SHEET = "_jixiao"
HIDDEN_MARK = "jixiao-xlsx/1"
FORMAT = "jixiao-form/1"

MAX_UNCOMPRESSED = 100 * 1024 * 1024  # total size of all zip members, bytes
MAX_MEMBERS = 10_000
MAX_MERGED_CELLS = 100_000  # openpyxl materialises every cell of a merged range
_CHUNK = 30_000

FONT_NAME = "宋体"


class XlsxError(JixiaoError, ValueError):
    """A workbook that cannot be read; names the file, sheet, cell and text found."""

    def __init__(
        self,
        file: str,
        message: str,
        *,
        sheet: str | None = None,
        row: int | None = None,
        column: str | None = None,
        text: str | None = None,
    ) -> None:
        self.file = file
        self.sheet = sheet
        self.row = row
        self.column = column  # Excel column letters, e.g. "D"
        self.text = text
        self.detail = message
        parts = [file]
        if sheet is not None:
            parts.append(f"工作表「{sheet}」")
        where = self.cell
        if where:
            parts.append(f"{where}「{text}」" if text else where)
        elif text:
            parts.append(f"「{text}」")
        parts.append(message)
        super().__init__("：".join(parts))

    @property
    def cell(self) -> str:
        """The location as Excel shows it: "D12", or "第 12 行" when only the row is known."""
        if self.column and self.row:
            return f"{self.column}{self.row}"
        if self.row:
            return f"第 {self.row} 行"
        return self.column or ""

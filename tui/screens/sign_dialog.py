"""Sign the form's PDF: the key file, its password (never stored) and the signer's name."""

from __future__ import annotations

import os
from pathlib import Path

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static


class SignDialog(ModalScreen[tuple[Path, str, str] | None]):
    """Returns (key path, password, signer name) or None."""

    CSS_PATH = "sign_dialog.tcss"
    BINDINGS = [Binding("escape", "cancel", "取消")]

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label("数字签章", classes="title")
            yield Static(
                "生成 PDF 并加 PAdES 数字签名；表单随即变为「已签章」并锁定。试用密钥：jixiao keys new --name 名称 -o KEY.p12"
            )
            key = Input(os.environ.get("JIXIAO_KEY", ""), id="key", placeholder="密钥文件 KEY.p12 的路径")
            key.border_title = "密钥文件（PKCS#12）"
            yield key
            pw = Input(os.environ.get("JIXIAO_KEY_PASSWORD", ""), id="password", password=True, placeholder="密钥密码")
            pw.border_title = "密码（不保存）"
            yield pw
            signer = Input("", id="signer", placeholder="签名人姓名（默认取证书中的名称）")
            signer.border_title = "签名人"
            yield signer
            yield Static("", id="error")
            with Horizontal():
                yield Button("签章", variant="primary", id="ok")
                yield Button("取消", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#key", Input).focus()

    def _ok(self) -> None:
        key = Path(self.query_one("#key", Input).value.strip()).expanduser()
        if not key.is_file():
            self.query_one("#error", Static).update(Text(f"找不到密钥文件：{key}"))
            return
        self.dismiss((key, self.query_one("#password", Input).value, self.query_one("#signer", Input).value.strip()))

    def on_input_submitted(self) -> None:
        self._ok()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "ok":
            self._ok()
        else:
            self.dismiss(None)

    def action_cancel(self) -> None:
        self.dismiss(None)

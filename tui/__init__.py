"""jixiao's terminal UI (Textual): project leads fill in and score their forms.

`create_app` is the one factory used by the CLI and by the tests; the store
and the catalog are passed in.
"""

import textual.content

from jixiao import line_breaks
from tui.app import JixiaoApp, create_app

line_breaks.install()
line_breaks.install(textual.content)  # Textual wraps text as the command line does: never inside a number

__all__ = ["JixiaoApp", "create_app"]

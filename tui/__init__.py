"""jixiao's terminal UI (Textual): project leads fill in and score their forms.

`create_app` is the one factory used by the CLI and by the tests; the store
and the catalog are passed in.
"""

from tui.app import JixiaoApp, create_app

__all__ = ["JixiaoApp", "create_app"]

"""The one base of every error a user can cause and fix.

Each adapter raises its own subclass (a form file, a rule set, the database, a signature …) with a
Chinese message that names the file, form, indicator, cell or field; the command line and the TUI
catch ``JixiaoError`` once and print the message as one line, never a traceback. It lives in the
core because the core raises the first of them; the core imports nothing else of ours.
"""

from __future__ import annotations


class JixiaoError(Exception):
    """An error the user can cause and fix: its message is for them, in Chinese."""

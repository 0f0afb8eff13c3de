"""The command line: ``app`` builds the parser and runs a command; each other module registers
one group of commands (db, check, pdf, review, users, backup, disclosure) and imports its
adapters only when a command of it runs."""

from __future__ import annotations

from jixiao.cli.app import main

__all__ = ["main"]

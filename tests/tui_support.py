"""Shared helpers for the TUI tests: a seeded SQLite store and waiting for workers."""

from __future__ import annotations

from pathlib import Path

from jixiao.storage.database import make_engine, upgrade
from jixiao.storage.seed import seed_samples
from jixiao.storage.store import FormStore


def seeded_store(tmp_path: Path, actor: str) -> FormStore:
    engine = make_engine(f"sqlite:///{tmp_path / 'tui.db'}")
    upgrade(engine)
    seed_samples(engine)
    return FormStore(engine, actor=actor)


def form_id(store: FormStore, name: str) -> int:
    return next(s.id for s in store.list() if s.project_name == name)


async def settle(pilot) -> None:  # type: ignore[no-untyped-def]
    """Let the screen and its worker threads finish what a key press started.

    Text cursors stop blinking, so a snapshot shows the cursor whenever it is taken: a blinking one
    was caught in its off phase now and then on a loaded machine, and the snapshot differed.
    """
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    for widget in pilot.app.screen.query("*"):
        if getattr(widget, "cursor_blink", False):
            widget.cursor_blink = False
    await pilot.pause()
